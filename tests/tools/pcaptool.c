/* SPDX-License-Identifier: MIT
 *
 * pcaptool - the test suite's capture helper (no libpcap, no Python).
 *
 *   pcaptool known VFMAC OUT.pcap     write the known capture the tests use
 *   pcaptool flows VFMAC COUNT OUT.pcap  COUNT frames to the VF, each a flow of its own
 *   pcaptool hex FILE.pcap            print each frame as one line of hex
 *   pcaptool undump                   read avf's dump on stdin, print each
 *                                     dumped frame as one line of hex
 *   pcaptool rss VFMAC OUT.pcap       frames of the RSS verification suite
 *   pcaptool vlan VFMAC OUT.pcap      untagged, VLAN 100, 200 and 0 frames, x3
 *
 * "known" holds frames the VF must receive (to its MAC, broadcast) and frames
 * it must not (another unicast MAC, a multicast group it never joined, a frame
 * longer than its max_pkt_size).  Each frame's payload is a counting pattern
 * with the frame's number, so a reordered or corrupted frame cannot pass.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_LINKTYPE_ETHERNET 1
#define MAX_FRAME 16384

struct pcap_hdr { uint32_t magic; uint16_t major, minor; int32_t zone; uint32_t sigfigs, snaplen, linktype; };
struct pcap_rec { uint32_t sec, usec, caplen, len; };

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "pcaptool: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(1);
}

static void parse_mac(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	char end;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
		die("bad MAC (want aa:bb:cc:dd:ee:ff)", s);
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
}

/* ------------------------------------------------------------ known capture */

static const uint8_t PEER[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t OTHER[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t MCAST[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};

static size_t eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	return 14;
}

/* The IPv4 header checksum (RFC 791), over the 20 bytes at ip. */
static void checksum(uint8_t *ip)
{
	uint32_t sum = 0;
	ip[10] = 0;
	ip[11] = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
}

/* IPv4 header (no options) + UDP or TCP header, then a pattern payload. */
static size_t ipv4(uint8_t *f, size_t len, uint8_t proto, unsigned n)
{
	uint8_t *ip = f + 14;
	size_t l4 = proto == 6 ? 20 : 8;
	memset(ip, 0, 20 + l4);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((len - 14) >> 8);
	ip[3] = (uint8_t)(len - 14);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, (uint8_t[]){10, 0, 0, 1}, 4);
	memcpy(ip + 16, (uint8_t[]){10, 0, 0, 2}, 4);
	checksum(ip);
	uint8_t *l = ip + 20;
	l[0] = 0x30; l[1] = 0x39;           /* port 12345 */
	l[2] = 0x00; l[3] = (uint8_t)(9 + n); /* port 9+n: tells frames apart */
	if (proto == 17) {
		l[4] = (uint8_t)((len - 34) >> 8);
		l[5] = (uint8_t)(len - 34);
	} else {
		l[12] = 0x50;
	}
	return 14 + 20 + l4;
}

static void pattern(uint8_t *f, size_t from, size_t len, unsigned n)
{
	for (size_t i = from; i < len; i++)
		f[i] = (uint8_t)(n * 16 + i);
}

static void put(FILE *out, const uint8_t *f, size_t len, unsigned n)
{
	struct pcap_rec r = {.sec = 1700000000u + n, .usec = 0, .caplen = (uint32_t)len, .len = (uint32_t)len};
	if (fwrite(&r, sizeof r, 1, out) != 1 || fwrite(f, len, 1, out) != 1)
		die("write failed", NULL);
}

/* A new capture file with its header; finish() closes it, checked. */
static FILE *start(const char *path)
{
	struct pcap_hdr h = {PCAP_MAGIC_US, 2, 4, 0, 0, 65535, PCAP_LINKTYPE_ETHERNET};
	FILE *out = fopen(path, "wb");
	if (!out)
		die("cannot create", path);
	if (fwrite(&h, sizeof h, 1, out) != 1)
		die("write failed", path);
	return out;
}

static int finish(FILE *out, const char *path)
{
	if (fclose(out) != 0)
		die("write failed", path);
	return 0;
}

static int cmd_known(const char *macstr, const char *path)
{
	uint8_t vf[6], f[MAX_FRAME];
	parse_mac(macstr, vf);
	FILE *out = start(path);
	unsigned n = 0;
	size_t len, off;

	/* 1: IPv4/UDP to the VF, minimum size */
	len = 60; off = eth(f, vf, PEER, 0x0800); off = ipv4(f, len, 17, ++n);
	pattern(f, off, len, n); put(out, f, len, n);
	/* 2: ARP request, broadcast */
	len = 60; off = eth(f, BCAST, PEER, 0x0806); ++n;
	memcpy(f + off, (uint8_t[]){0, 1, 8, 0, 6, 4, 0, 1}, 8);
	memcpy(f + off + 8, PEER, 6);
	memcpy(f + off + 14, (uint8_t[]){10, 0, 0, 1}, 4);
	memset(f + off + 18, 0, 6);
	memcpy(f + off + 24, (uint8_t[]){10, 0, 0, 2}, 4);
	pattern(f, off + 28, len, n); put(out, f, len, n);
	/* 3: unicast to another MAC: the switch must not deliver it */
	len = 60; off = eth(f, OTHER, PEER, 0x0800); off = ipv4(f, len, 17, ++n);
	pattern(f, off, len, n); put(out, f, len, n);
	/* 4: IPv6/ICMPv6 to the VF */
	len = 86; off = eth(f, vf, PEER, 0x86dd); ++n;
	memset(f + off, 0, 40);
	f[off] = 0x60; f[off + 4] = 0; f[off + 5] = (uint8_t)(len - off - 40);
	f[off + 6] = 58; f[off + 7] = 64;
	f[off + 8] = 0xfe; f[off + 9] = 0x80; f[off + 23] = 1;
	f[off + 24] = 0xfe; f[off + 25] = 0x80; f[off + 39] = 2;
	pattern(f, off + 40, len, n); put(out, f, len, n);
	/* 5: multicast group the VF never joined: untrusted VF filters it */
	len = 60; off = eth(f, MCAST, PEER, 0x0800); off = ipv4(f, len, 17, ++n);
	pattern(f, off, len, n); put(out, f, len, n);
	/* 6: full-size IPv4/TCP to the VF */
	len = 1514; off = eth(f, vf, PEER, 0x0800); off = ipv4(f, len, 6, ++n);
	pattern(f, off, len, n); put(out, f, len, n);
	/* 7: a jumbo frame larger than the VF's max_pkt_size: dropped by the VF */
	len = 3000; off = eth(f, vf, PEER, 0x0800); off = ipv4(f, len, 17, ++n);
	pattern(f, off, len, n); put(out, f, len, n);
	/* 8: IPv4/UDP to the VF again, odd size, after everything above */
	len = 123; off = eth(f, vf, PEER, 0x0800); off = ipv4(f, len, 17, ++n);
	pattern(f, off, len, n); put(out, f, len, n);
	return finish(out, path);
}

/* ------------------------------------------------- flows and VLAN captures */

/* "flows": COUNT frames to the VF, each its own flow (the source address and
 * port change, TCP and UDP alternate, every fourth is IPv6/UDP), so that a
 * device that hashes flows over several queues spreads them. */
static int cmd_flows(const char *macstr, const char *count, const char *path)
{
	uint8_t vf[6], f[MAX_FRAME];
	char *end;
	unsigned long total = strtoul(count, &end, 10);
	if (*end || total == 0 || total > 65535)
		die("bad COUNT (1..65535)", count);
	parse_mac(macstr, vf);
	FILE *out = start(path);
	for (unsigned n = 1; n <= total; n++) {
		size_t len = 60 + n % 64, off;
		if (n % 4 == 0) {
			off = eth(f, vf, PEER, 0x86dd);
			memset(f + off, 0, 48);
			f[off] = 0x60;
			f[off + 5] = (uint8_t)(len - off - 40);
			f[off + 6] = 17;
			f[off + 7] = 64;
			f[off + 8] = 0xfd; f[off + 22] = (uint8_t)(n >> 8); f[off + 23] = (uint8_t)n;
			f[off + 24] = 0xfd; f[off + 39] = 2;
			f[off + 40] = (uint8_t)(n >> 8); f[off + 41] = (uint8_t)n; /* source port */
			f[off + 43] = 53;
			f[off + 44] = (uint8_t)((len - off - 40) >> 8); f[off + 45] = (uint8_t)(len - off - 40);
			off += 48;
		} else {
			off = eth(f, vf, PEER, 0x0800);
			off = ipv4(f, len, n % 2 ? 17 : 6, n);
			f[14 + 14] = (uint8_t)(n >> 8); /* source 10.0.x.y */
			f[14 + 15] = (uint8_t)n;
			f[14 + 20] = (uint8_t)(n >> 8); /* source port */
			f[14 + 21] = (uint8_t)n;
			checksum(f + 14);
		}
		pattern(f, off, len, n);
		put(out, f, len, n);
	}
	return finish(out, path);
}

/* ------------------------------------------------------------ rss, vlan */

/* The flows of the RSS verification suite (Microsoft's "Verifying the RSS
 * Hash Calculation"; the same table is in DPDK app/test/test_thash.c, from
 * the 82599 datasheet 7.1.2.8.3): source, destination, ports.  The hashes
 * are the probe's business. */
static const struct { uint8_t src[4], dst[4]; uint16_t sport, dport; } RSS_V4[] = {
	{{66, 9, 149, 187}, {161, 142, 100, 80}, 2794, 1766},
	{{199, 92, 111, 2}, {65, 69, 140, 83}, 14230, 4739},
	{{24, 19, 198, 95}, {12, 22, 207, 184}, 12898, 38024},
	{{38, 27, 205, 30}, {209, 142, 163, 6}, 48228, 2217},
	{{153, 39, 163, 191}, {202, 188, 127, 2}, 44251, 1303},
};
/* Its first IPv6 flow: 3ffe:2501:200:1fff::7 port 2794 -> 3ffe:2501:200:3::1 port 1766 */
static const uint8_t RSS_V6_SRC[16] = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, 0, 0, 0, 0, 0, 0, 0, 7};
static const uint8_t RSS_V6_DST[16] = {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 1};

/* Ethernet (with an 802.1Q tag when tci >= 0) to `dst`, then an IPv4 header
 * (fragment: MF set) and, for TCP/UDP, an L4 header with the ports. */
static size_t frame_v4(uint8_t *f, const uint8_t *dst, int tci, uint8_t proto, const uint8_t *src_ip,
		       const uint8_t *dst_ip, uint16_t sport, uint16_t dport, int fragment)
{
	size_t off = eth(f, dst, PEER, tci >= 0 ? 0x8100 : 0x0800);
	if (tci >= 0) {
		f[14] = (uint8_t)(tci >> 8);
		f[15] = (uint8_t)tci;
		f[16] = 0x08;
		f[17] = 0x00;
		off += 4;
	}
	uint8_t *ip = f + off;
	memset(ip, 0, 40);
	ip[0] = 0x45;
	ip[3] = 46;
	ip[6] = fragment ? 0x20 : 0x40; /* MF, or DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, src_ip, 4);
	memcpy(ip + 16, dst_ip, 4);
	ip[20] = (uint8_t)(sport >> 8);
	ip[21] = (uint8_t)sport;
	ip[22] = (uint8_t)(dport >> 8);
	ip[23] = (uint8_t)dport;
	if (proto == 6)
		ip[32] = 0x50;
	return off + 40;
}


static void padded(FILE *out, uint8_t *f, size_t off, unsigned n)
{
	size_t len = off < 60 ? 60 : off + 4;
	pattern(f, off, len, n);
	put(out, f, len, n);
}

/* Each verification flow as TCP, UDP, ICMP (IPv4 "other") and a UDP
 * fragment; the IPv6 flow as TCP and ICMPv6; an ARP broadcast (L2). */
static int cmd_rss(const char *macstr, const char *path)
{
	uint8_t vf[6], f[MAX_FRAME];
	static const uint8_t protos[] = {6, 17, 1};
	unsigned n = 0;
	parse_mac(macstr, vf);
	FILE *out = start(path);
	for (size_t i = 0; i < sizeof RSS_V4 / sizeof RSS_V4[0]; i++) {
		for (size_t p = 0; p < sizeof protos; p++) {
			size_t off = frame_v4(f, vf, -1, protos[p], RSS_V4[i].src, RSS_V4[i].dst, RSS_V4[i].sport,
					      RSS_V4[i].dport, 0);
			padded(out, f, off, ++n);
		}
		padded(out, f, frame_v4(f, vf, -1, 17, RSS_V4[i].src, RSS_V4[i].dst, RSS_V4[i].sport,
					RSS_V4[i].dport, 1), ++n);
	}
	for (int p = 0; p < 2; p++) {
		size_t off = eth(f, vf, PEER, 0x86dd);
		memset(f + off, 0, 60);
		f[off] = 0x60;
		f[off + 5] = 20;
		f[off + 6] = p ? 58 : 6;
		f[off + 7] = 64;
		memcpy(f + off + 8, RSS_V6_SRC, 16);
		memcpy(f + off + 24, RSS_V6_DST, 16);
		f[off + 40] = 2794 >> 8;
		f[off + 41] = 2794 & 0xff;
		f[off + 42] = 1766 >> 8;
		f[off + 43] = 1766 & 0xff;
		f[off + 52] = 0x50;
		padded(out, f, off + 60, ++n);
	}
	size_t off = eth(f, BCAST, PEER, 0x0806);
	memcpy(f + off, (uint8_t[]){0, 1, 8, 0, 6, 4, 0, 1}, 8);
	padded(out, f, off + 28, ++n);
	return finish(out, path);
}

/* Three rounds of: untagged, VLAN 100, VLAN 200, VLAN 0 with priority 5;
 * IPv4/UDP to the VF. */
static int cmd_vlan(const char *macstr, const char *path)
{
	static const int tci[] = {-1, 100, 200, 5 << 13};
	uint8_t vf[6], f[MAX_FRAME];
	unsigned n = 0;
	parse_mac(macstr, vf);
	FILE *out = start(path);
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof tci / sizeof tci[0]; i++) {
			size_t off = frame_v4(f, vf, tci[i], 17, RSS_V4[0].src, RSS_V4[0].dst, 1024, (uint16_t)(9 + n), 0);
			padded(out, f, off, ++n);
		}
	return finish(out, path);
}

/* ------------------------------------------------------------ hex of a pcap */

static uint32_t sw32(uint32_t v, int swap) { return swap ? __builtin_bswap32(v) : v; }

static int cmd_hex(const char *path)
{
	FILE *in = fopen(path, "rb");
	if (!in)
		die("cannot open", path);
	struct pcap_hdr h;
	if (fread(&h, sizeof h, 1, in) != 1)
		die("short pcap header", path);
	int swap = h.magic == __builtin_bswap32(PCAP_MAGIC_US) || h.magic == __builtin_bswap32(PCAP_MAGIC_NS);
	if (!swap && h.magic != PCAP_MAGIC_US && h.magic != PCAP_MAGIC_NS)
		die("not a pcap file (bad magic)", path);
	if (sw32(h.linktype, swap) != PCAP_LINKTYPE_ETHERNET)
		die("not an Ethernet capture", path);
	struct pcap_rec r;
	static uint8_t f[MAX_FRAME];
	while (fread(&r, sizeof r, 1, in) == 1) {
		uint32_t caplen = sw32(r.caplen, swap);
		if (caplen > sizeof f || caplen != sw32(r.len, swap))
			die("truncated or oversized record", path);
		if (fread(f, caplen, 1, in) != 1)
			die("short record", path);
		for (uint32_t i = 0; i < caplen; i++)
			printf("%02x", f[i]);
		putchar('\n');
	}
	fclose(in);
	return 0;
}

/* ------------------------------------------------------------ undump */

/* A hexdump -C line: "%08x  xx xx ... xx  xx ... xx  |ascii|".  Returns the
 * number of bytes parsed into b, or -1 if the line is not one. */
static int hexdump_line(const char *s, unsigned long *off, uint8_t *b)
{
	char *end;
	if (strlen(s) < 8 || !isxdigit((unsigned char)s[0]))
		return -1;
	*off = strtoul(s, &end, 16);
	if (end != s + 8)
		return -1;
	int n = 0;
	const char *p = end;
	while (n < 16) {
		while (*p == ' ')
			p++;
		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (p[2] != ' ' && p[2] != '\0' && p[2] != '\n'))
			break;
		b[n++] = (uint8_t)strtoul((char[]){p[0], p[1], 0}, NULL, 16);
		p += 2;
	}
	return n;
}

static void flush_frame(const uint8_t *f, unsigned long len, long want)
{
	if (want >= 0 && (unsigned long)want != len) {
		fprintf(stderr, "pcaptool: dump of %lu bytes under a header saying %ld\n", len, want);
		exit(1);
	}
	for (unsigned long i = 0; i < len; i++)
		printf("%02x", f[i]);
	putchar('\n');
}

/* avf's dump: a header line per frame that holds "len N" or "N bytes", then
 * hexdump -C lines ('*' repeats the previous line up to the next offset),
 * closed by a line with the final offset alone. */
static int cmd_undump(void)
{
	static uint8_t f[MAX_FRAME];
	uint8_t prev[16] = {0}, b[16];
	char line[512];
	unsigned long len = 0, off;
	int in_frame = 0, starred = 0, prevn = 0;
	long want = -1;
	while (fgets(line, sizeof line, stdin)) {
		int n = hexdump_line(line, &off, b);
		if (n >= 0 && (in_frame || off == 0)) {
			if (off == 0 && in_frame && len > 0) {
				flush_frame(f, len, want);
				want = -1;
				len = 0;
			}
			in_frame = 1;
			if (starred) {
				while (len + 16 <= off && len + 16 <= sizeof f) {
					memcpy(f + len, prev, 16);
					len += 16;
				}
				starred = 0;
			}
			if (off != len || len + (unsigned long)n > sizeof f) {
				fprintf(stderr, "pcaptool: hexdump offset %08lx where %08lx was due\n", off, len);
				return 1;
			}
			memcpy(f + len, b, (size_t)n);
			len += (unsigned long)n;
			memcpy(prev, b, 16);
			prevn = n;
			if (n == 0) { /* the closing offset line */
				flush_frame(f, len, want);
				in_frame = 0;
				want = -1;
				len = 0;
			}
			continue;
		}
		if (line[0] == '*' && in_frame && prevn == 16) {
			starred = 1;
			continue;
		}
		/* A header line: remember the length it announces. */
		const char *p = strstr(line, "len ");
		if (p)
			want = strtol(p + 4, NULL, 10);
		else if ((p = strstr(line, " bytes")) != NULL) {
			while (p > line && isdigit((unsigned char)p[-1]))
				p--;
			want = strtol(p, NULL, 10);
		}
	}
	if (in_frame && len > 0)
		flush_frame(f, len, want);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "known"))
		return cmd_known(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "flows"))
		return cmd_flows(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "hex"))
		return cmd_hex(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "undump"))
		return cmd_undump();
	if (argc == 4 && !strcmp(argv[1], "rss"))
		return cmd_rss(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "vlan"))
		return cmd_vlan(argv[2], argv[3]);
	fprintf(stderr, "usage: pcaptool known|rss|vlan VFMAC OUT.pcap | flows VFMAC COUNT OUT.pcap | hex FILE.pcap |\n"
		"                undump < avf-output\n");

	return 2;
}
