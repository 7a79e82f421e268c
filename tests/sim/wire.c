/* SPDX-License-Identifier: MIT
 *
 * wire.c - the network on the other side of the VF: frames for the VF come
 * from an --rx capture and then from the --gen generator; frames the VF
 * transmits (and the switch lets out) go to the --tx capture.
 *
 * Frames are Ethernet frames as they sit in memory: no preamble and no FCS
 * (the VF strips the CRC on receive and inserts it on transmit).  Captures
 * are libpcap 2.4 files with linktype 1 (Ethernet).
 *
 * Delivery is lossless by default: a frame stays at the head of the wire
 * until the VF takes it.  With --rx-rate PPS frames fall due every 1/PPS s,
 * starting when the VF first can receive, and a frame the ring cannot take
 * is dropped, as on a real link.  Capture timestamps are not replayed.
 */
#define _GNU_SOURCE
#include "sim.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PCAP_MAGIC_US 0xA1B2C3D4u
#define PCAP_MAGIC_NS 0xA1B23C4Du
#define PCAP_LINKTYPE_ETHERNET 1
#define PCAP_MAX_RECORD 262144u   /* libpcap's largest snapshot length */
#define ETH_HDR_LEN 14

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t version_major, version_minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t ts_sec, ts_frac, caplen, origlen;
};

/* The --rx capture, loaded at start: frame i is data + off[i], len[i] bytes. */
static struct {
	uint8_t *data;
	uint64_t *off;
	uint32_t *len;
	uint64_t count, next;
} rx;

/* The --gen generator: one template frame; the flow's source port and a
 * sequence number are patched in. */
#define GEN_SPORT_OFFSET (ETH_HDR_LEN + 20)   /* UDP source port */
#define GEN_SEQ_OFFSET (ETH_HDR_LEN + 20 + 8) /* first payload byte of UDP */
#define GEN_SPORT_BASE 49152                  /* the ephemeral port range */
static struct {
	uint8_t frame[AVF_MAX_FRAME];
	uint32_t len;
	uint64_t count, next;
	uint32_t flow;           /* next % FLOWS, kept without a division */
} gen;

/* --rx-rate pacing: frame due times, exact in integer nanoseconds. */
static struct {
	bool started;
	uint64_t due_ns, period_ns, rem, acc;
} pace;

static FILE *tx_file;
static bool tx_error_reported;

/* ------------------------------------------------------------- --rx */

__attribute__((noreturn, format(printf, 2, 3)))
static void rx_bad(const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sim_log("--rx %s: %s", path, msg);
	_exit(2);
}

static uint32_t swap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static uint8_t *file_load(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		rx_bad(path, "cannot open: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		rx_bad(path, "not a regular file");
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		rx_bad(path, "out of memory for %lld bytes", (long long)st.st_size);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0)
			rx_bad(path, "read error: %s", n ? strerror(errno) : "file shrank");
		got += (size_t)n;
	}
	close(fd);
	*size = got;
	return buf;
}

/* Walk the records; with off/len NULL only count and validate. */
static uint64_t pcap_records(const char *path, const uint8_t *data, size_t size, bool swapped,
			     uint32_t frac_max, uint64_t *off, uint32_t *len)
{
	uint64_t n = 0;

	for (size_t pos = sizeof(struct pcap_file_hdr); pos < size; n++) {
		struct pcap_rec_hdr h;

		if (size - pos < sizeof(h))
			rx_bad(path, "record %llu at offset %zu: truncated header", (unsigned long long)n + 1, pos);
		memcpy(&h, data + pos, sizeof(h));
		if (swapped) {
			h.ts_frac = swap32(h.ts_frac);
			h.caplen = swap32(h.caplen);
			h.origlen = swap32(h.origlen);
		}
		if (h.ts_frac >= frac_max)
			rx_bad(path, "record %llu at offset %zu: timestamp fraction %u out of range",
			       (unsigned long long)n + 1, pos, h.ts_frac);
		if (h.caplen < ETH_HDR_LEN || h.caplen > PCAP_MAX_RECORD || h.caplen > h.origlen)
			rx_bad(path, "record %llu at offset %zu: %u bytes captured of %u (need %u..%u, at most the original)",
			       (unsigned long long)n + 1, pos, h.caplen, h.origlen, ETH_HDR_LEN, PCAP_MAX_RECORD);
		pos += sizeof(h);
		if (size - pos < h.caplen)
			rx_bad(path, "record %llu at offset %zu: %u bytes, but the file ends after %zu",
			       (unsigned long long)n + 1, pos - sizeof(h), h.caplen, size - pos);
		if (off) {
			off[n] = pos;
			len[n] = h.caplen;
		}
		pos += h.caplen;
	}
	return n;
}

static void rx_open(const char *path)
{
	struct pcap_file_hdr h;
	size_t size;
	bool swapped;
	uint32_t frac_max;

	rx.data = file_load(path, &size);
	if (size < sizeof(h))
		rx_bad(path, "%zu bytes: too short for a pcap file header (24 bytes)", size);
	memcpy(&h, rx.data, sizeof(h));
	swapped = h.magic == swap32(PCAP_MAGIC_US) || h.magic == swap32(PCAP_MAGIC_NS);
	if (swapped) {
		h.magic = swap32(h.magic);
		h.version_major = __builtin_bswap16(h.version_major);
		h.version_minor = __builtin_bswap16(h.version_minor);
		h.linktype = swap32(h.linktype);
	}
	if (h.magic != PCAP_MAGIC_US && h.magic != PCAP_MAGIC_NS)
		rx_bad(path, "not a libpcap capture (magic 0x%08x; pcapng is not supported: "
			     "convert with editcap -F pcap)", h.magic);
	if (h.version_major != 2 || h.version_minor != 4)
		rx_bad(path, "pcap version %u.%u, expected 2.4", h.version_major, h.version_minor);
	if (h.linktype != PCAP_LINKTYPE_ETHERNET)
		rx_bad(path, "link type %u, expected 1 (Ethernet)", h.linktype);
	frac_max = h.magic == PCAP_MAGIC_NS ? 1000000000u : 1000000u;
	rx.count = pcap_records(path, rx.data, size, swapped, frac_max, NULL, NULL);
	rx.off = malloc((rx.count + 1) * sizeof(*rx.off));
	rx.len = malloc((rx.count + 1) * sizeof(*rx.len));
	if (!rx.off || !rx.len)
		rx_bad(path, "out of memory for %llu records", (unsigned long long)rx.count);
	pcap_records(path, rx.data, size, swapped, frac_max, rx.off, rx.len);
	sim_trace("wire: %llu frames from %s", (unsigned long long)rx.count, path);
}

/* ------------------------------------------------------------- --gen */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t ipv4_checksum(const uint8_t *h)
{
	uint32_t sum = 0;

	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint16_t)~sum;
}

/* SIZE is the frame as the VF receives it and a capture shows it: without
 * the 4-byte FCS (options.c accepts 60..9728; "--gen N:60" is the minimum
 * Ethernet frame, 64 bytes on the wire).  IPv4/UDP 192.0.2.1:49152 ->
 * 192.0.2.2:9 (discard), from 02:a5:f0:00:00:01 to --mac, or to broadcast
 * when no --mac is given (the VF then chooses its own MAC, which the wire
 * cannot know; broadcast always passes the switch).  The UDP payload starts
 * with a 64-bit big-endian sequence number, 0-based; no UDP checksum.
 * Frame n belongs to flow n % FLOWS, whose source port is 49152 + flow:
 * the flows take turns, so RSS (which hashes the ports) spreads them. */
static void gen_open(void)
{
	static const uint8_t src[6] = { 0x02, 0xa5, 0xf0, 0x00, 0x00, 0x01 };
	static const uint8_t zero[6];
	uint8_t *f = gen.frame, *ip = f + ETH_HDR_LEN, *udp = ip + 20;
	uint32_t size = sim_opts.gen_size ? sim_opts.gen_size : 64;

	if (size < 60 || size > AVF_MAX_FRAME) {
		sim_log("--gen %llu:%u: frame size must be 60..%u bytes", (unsigned long long)sim_opts.gen_count,
			size, AVF_MAX_FRAME);
		_exit(2);
	}
	gen.len = size;
	gen.count = sim_opts.gen_count;
	memset(f, 0, gen.len);
	if (memcmp(sim_opts.mac, zero, 6))
		memcpy(f, sim_opts.mac, 6);
	else
		memset(f, 0xff, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(gen.len - ETH_HDR_LEN));
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (const uint8_t[]){ 192, 0, 2, 1, 192, 0, 2, 2 }, 8);
	put16(ip + 10, ipv4_checksum(ip));
	put16(udp, 49152);
	put16(udp + 2, 9);
	put16(udp + 4, (uint16_t)(gen.len - ETH_HDR_LEN - 20));
}

/* --host mac=: the generator's peer learns the VF's new MAC (as a peer on a
 * real network would, by ARP) and addresses it from the next frame on.  A
 * generator sending to broadcast (no --mac) goes on doing so. */
void wire_gen_follow_mac(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	if (!memcmp(sim_opts.mac, zero, 6) || !memcmp(mac, zero, 6))
		return;
	memcpy(gen.frame, mac, 6);
}

static void gen_seq(uint64_t seq)
{
	uint8_t *p = gen.frame + GEN_SEQ_OFFSET;

	put16(gen.frame + GEN_SPORT_OFFSET, (uint16_t)(GEN_SPORT_BASE + gen.flow));
	for (int i = 7; i >= 0; i--, seq >>= 8)
		p[i] = (uint8_t)seq;
}

static void gen_next(void)
{
	gen.next++;
	if (++gen.flow == sim_opts.gen_flows)
		gen.flow = 0;
}

/* ------------------------------------------------------------- --tx */

static void tx_open(const char *path)
{
	static char buf[1 << 20];
	const struct pcap_file_hdr h = { PCAP_MAGIC_US, 2, 4, 0, 0, PCAP_MAX_RECORD,
					 PCAP_LINKTYPE_ETHERNET };

	tx_file = fopen(path, "wb");
	if (!tx_file) {
		sim_log("--tx %s: cannot create: %s", path, strerror(errno));
		_exit(2);
	}
	setvbuf(tx_file, buf, _IOFBF, sizeof(buf));
	if (fwrite(&h, sizeof(h), 1, tx_file) != 1) {
		sim_log("--tx %s: write error: %s", path, strerror(errno));
		_exit(2);
	}
}

void wire_tx(const uint8_t *frame, uint32_t len)
{
	struct timespec ts;
	struct pcap_rec_hdr h;

	if (!tx_file)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	h = (struct pcap_rec_hdr){ (uint32_t)ts.tv_sec, (uint32_t)(ts.tv_nsec / 1000), len, len };
	if ((fwrite(&h, sizeof(h), 1, tx_file) != 1 || fwrite(frame, len, 1, tx_file) != 1) &&
	    !tx_error_reported) {
		tx_error_reported = true;
		sim_log("--tx %s: write error: %s; the capture is incomplete", sim_opts.tx_pcap,
			strerror(errno));
	}
}

void wire_close(void)
{
	if (!tx_file)
		return;
	if (fclose(tx_file) != 0)
		sim_log("--tx %s: write error at close: %s", sim_opts.tx_pcap, strerror(errno));
	tx_file = NULL;
}

/* ------------------------------------------------------------- the wire */

void wire_init(void)
{
	if (sim_opts.rx_pcap)
		rx_open(sim_opts.rx_pcap);
	if (sim_opts.gen_count)
		gen_open();
	if (sim_opts.tx_pcap)
		tx_open(sim_opts.tx_pcap);
	if (sim_opts.rx_rate) {
		pace.period_ns = 1000000000ull / sim_opts.rx_rate;
		pace.rem = 1000000000ull % sim_opts.rx_rate;
	}
}

const uint8_t *wire_peek(uint32_t *len, uint64_t now_ns)
{
	if (sim_opts.rx_rate) {
		if (!pace.started) {
			pace.started = true;
			pace.due_ns = now_ns;
		}
		if (now_ns < pace.due_ns)
			return NULL;
	}
	if (rx.next < rx.count) {
		*len = rx.len[rx.next];
		return rx.data + rx.off[rx.next];
	}
	if (gen.next < gen.count) {
		gen_seq(gen.next);
		*len = gen.len;
		return gen.frame;
	}
	return NULL;
}

void wire_consume(void)
{
	if (rx.next < rx.count)
		rx.next++;
	else if (gen.next < gen.count)
		gen_next();
	else
		return;
	if (sim_opts.rx_rate) {
		pace.due_ns += pace.period_ns;
		pace.acc += pace.rem;
		if (pace.acc >= sim_opts.rx_rate) {
			pace.acc -= sim_opts.rx_rate;
			pace.due_ns++;
		}
	}
}
