/* SPDX-License-Identifier: MIT
 *
 * pcaptool - the test suite's capture helper (no libpcap, no Python).
 *
 *   pcaptool known VFMAC OUT.pcap     write the known capture the tests use
 *   pcaptool flows VFMAC COUNT OUT.pcap  COUNT frames to the VF, each a flow of its own
 *   pcaptool vlan VFMAC OUT.pcap      VLAN-tagged frames to the VF, and one untagged
 *   pcaptool hex FILE.pcap            print each frame as one line of hex
 *   pcaptool undump                   read avf's dump on stdin, print each
 *                                     dumped frame as one line of hex
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

/* "vlan": frames to the VF tagged with VLAN 100, with VLAN 200 and priority 5,
 * priority-tagged (VLAN 0), and one untagged: a VF must see each as sent. */
static int cmd_vlan(const char *macstr, const char *path)
{
	static const uint16_t tci[] = { 100, 5 << 13 | 200, 3 << 13, 0xffff };
	uint8_t vf[6], f[MAX_FRAME], plain[MAX_FRAME];
	parse_mac(macstr, vf);
	FILE *out = start(path);
	for (unsigned n = 1; n <= sizeof tci / sizeof tci[0]; n++) {
		size_t len = 64 + 16 * n, off = eth(plain, vf, PEER, 0x0800);
		off = ipv4(plain, len, 17, n);
		pattern(plain, off, len, n);
		if (tci[n - 1] == 0xffff) { /* the untagged one */
			put(out, plain, len, n);
			continue;
		}
		memcpy(f, plain, 12);
		f[12] = 0x81; f[13] = 0x00;
		f[14] = (uint8_t)(tci[n - 1] >> 8); f[15] = (uint8_t)tci[n - 1];
		memcpy(f + 16, plain + 12, len - 12);
		put(out, f, len + 4, n);
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
	if (argc == 4 && !strcmp(argv[1], "vlan"))
		return cmd_vlan(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "hex"))
		return cmd_hex(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "undump"))
		return cmd_undump();
	fprintf(stderr, "usage: pcaptool known VFMAC OUT.pcap | flows VFMAC COUNT OUT.pcap | vlan VFMAC OUT.pcap |\n"
		"                hex FILE.pcap | undump < avf-output\n");
	return 2;
}
