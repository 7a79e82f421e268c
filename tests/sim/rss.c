/* SPDX-License-Identifier: MIT
 *
 * rss.c - Receive Side Scaling in the VF: which RX queue a received frame
 * goes to, and the hash reported in its write-back.
 *
 * As a 700-series VF does it: the parser gives the frame a packet classifier
 * type (PCTYPE, i40e_type.h I40E_FILTER_PCTYPE_*); if that type's bit is set
 * in VFQF_HENA(0..1), the Toeplitz hash with the 52-byte VFQF_HKEY key is
 * taken over the fields the type selects (source and destination address,
 * then source and destination port for TCP, UDP and SCTP), and entry
 * (hash mod 64) of VFQF_HLUT names the queue.  Frames of a type not enabled
 * go to queue 0 unhashed.
 *
 * The registers are the truth: the PF's CONFIG_RSS_KEY/LUT and SET_RSS_HENA
 * and a driver's direct writes (RSS_REG) land in BAR0, and rss_poll() picks
 * every change up before the RX engine's next turn.  The key is expanded
 * into a table of each input byte's contribution, so a frame costs one
 * lookup per hashed byte.
 *
 * Key and LUT live in the core-reset domain (i40e_register.h: VFQF_HKEY and
 * VFQF_HLUT are "Reset: CORER", not reset by a VF reset): they keep what the VF's
 * previous user programmed.  --lut says what that was (rss_init).
 */
#define _GNU_SOURCE
#include "devmodel.h"

#include <stdio.h>
#include <string.h>

#define HENA_WORDS 2
#define HKEY_WORDS (VIRTCHNL_RSS_KEY_SIZE / 4)
#define HLUT_WORDS (VIRTCHNL_RSS_LUT_SIZE / 4)
/* The longest hash input: two IPv6 addresses and two ports. */
#define RSS_INPUT_MAX (16 + 16 + 2 + 2)

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_SCTP_ 132
#define IPV6_FRAGMENT_HDR 44
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10

static struct {
	uint32_t hena[HENA_WORDS];   /* as last seen in BAR0 */
	uint32_t hkey[HKEY_WORDS];
	uint32_t hlut[HLUT_WORDS];
	uint64_t enabled;            /* HENA as one 64-bit set */
	uint8_t lut[VIRTCHNL_RSS_LUT_SIZE];
	/* table[i][v]: what input byte i holding v adds to the hash */
	uint32_t table[RSS_INPUT_MAX][256];
} rss;

/* The 32 key bits starting at bit `pos` (bit 0 = the MSB of key byte 0). */
static uint32_t key_window(const uint8_t *key, unsigned pos)
{
	uint64_t w = 0;

	for (unsigned i = 0; i < 5; i++)
		w = w << 8 | key[pos / 8 + i];
	return (uint32_t)(w >> (8 - pos % 8));
}

/* Toeplitz: for every set input bit (MSB first) the key window starting at
 * that bit is XORed in.  Per input byte, all 256 values at once. */
static void table_build(void)
{
	uint8_t key[VIRTCHNL_RSS_KEY_SIZE];

	for (unsigned i = 0; i < HKEY_WORDS; i++)
		for (unsigned b = 0; b < 4; b++)
			key[4 * i + b] = (uint8_t)(rss.hkey[i] >> (8 * b));
	for (unsigned i = 0; i < RSS_INPUT_MAX; i++) {
		uint32_t bit[8];

		for (unsigned b = 0; b < 8; b++)
			bit[b] = key_window(key, 8 * i + b);
		rss.table[i][0] = 0;
		for (unsigned v = 1; v < 256; v++) {
			unsigned low = (unsigned)__builtin_ctz(v);

			rss.table[i][v] = rss.table[i][v & (v - 1)] ^ bit[7 - low];
		}
	}
}

static void lut_build(void)
{
	for (unsigned i = 0; i < VIRTCHNL_RSS_LUT_SIZE; i++)
		rss.lut[i] = (uint8_t)(rss.hlut[i / 4] >> (8 * (i % 4))) & VFQF_HLUT_LUT_MASK;
}

/* Registers [base, base + 4n) into cache[]; true if any differs. */
static bool regs_changed(uint32_t base, uint32_t *cache, unsigned n)
{
	bool changed = false;

	for (unsigned i = 0; i < n; i++) {
		uint32_t v = reg_read(base + 4 * i);

		if (v == cache[i])
			continue;
		cache[i] = v;
		changed = true;
	}
	return changed;
}

/* Writes (the driver's, or the PF's on its behalf) are traced; the cached
 * state follows the registers, whoever wrote them. */
bool rss_poll(void)
{
	static const struct { uint32_t base; unsigned n; } regs[] = {
		{ VFQF_HENA(0), HENA_WORDS }, { VFQF_HKEY(0), HKEY_WORDS }, { VFQF_HLUT(0), HLUT_WORDS },
	};
	bool busy = false;
	uint32_t val;
	char buf[32];

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		for (uint32_t off = regs[i].base; off < regs[i].base + 4 * regs[i].n; off += 4) {
			if (!reg_written(off, &val))
				continue;
			sim_trace("reg: %s = 0x%08x", reg_name(off, buf, sizeof(buf)), val);
			busy = true;
		}
	if (regs_changed(VFQF_HENA(0), rss.hena, HENA_WORDS))
		rss.enabled = (uint64_t)rss.hena[1] << 32 | rss.hena[0];
	if (regs_changed(VFQF_HKEY(0), rss.hkey, HKEY_WORDS))
		table_build();
	if (regs_changed(VFQF_HLUT(0), rss.hlut, HLUT_WORDS))
		lut_build();
	return busy;
}

/* What a VF reset or FLR leaves in a register: key and LUT as they were,
 * everything else 0 (HENA is rewritten by the PF as it rebuilds the VSI). */
uint32_t rss_reg_after_reset(uint32_t off)
{
	if (off >= VFQF_HKEY(0) && off < VFQF_HKEY(HKEY_WORDS))
		return rss.hkey[(off - VFQF_HKEY(0)) / 4];
	if (off >= VFQF_HLUT(0) && off < VFQF_HLUT(HLUT_WORDS))
		return rss.hlut[(off - VFQF_HLUT(0)) / 4];
	return 0;
}

/* The key the host's iavf leaves: it fills it with random bytes
 * (iavf_init_rss -> netdev_rss_key_fill).  Here a fixed
 * pseudo-random one (splitmix64, seed "avfsimrs"), so runs repeat. */
static void iavf_key(uint8_t key[VIRTCHNL_RSS_KEY_SIZE])
{
	struct sim_fuzz z = { .state = 0x61766673696d7273ull };

	for (unsigned i = 0; i < VIRTCHNL_RSS_KEY_SIZE; i += 4) {
		uint64_t r = sim_fuzz_next(&z);

		memcpy(key + i, &r, 4);
	}
}

/* Power-on: what the VF's previous user left in the core-reset domain.
 * --lut iavf (default): the host's iavf bound first, as it does to every new
 * VF, and programmed entry i = i % queue pairs (iavf_fill_rss_lut) and its
 * key; --lut zero: a core reset since, all zero.  HENA is the PF's. */
void rss_init(void)
{
	uint8_t key[VIRTCHNL_RSS_KEY_SIZE] = { 0 }, lut[VIRTCHNL_RSS_LUT_SIZE] = { 0 };

	if (sim_opts.lut == SIM_LUT_IAVF) {
		iavf_key(key);
		for (unsigned i = 0; i < VIRTCHNL_RSS_LUT_SIZE; i++)
			lut[i] = (uint8_t)(i % sim_opts.queue_pairs);
	}
	for (unsigned i = 0; i < HKEY_WORDS; i++)
		reg_write(VFQF_HKEY(i), (uint32_t)key[4 * i] | (uint32_t)key[4 * i + 1] << 8 |
						(uint32_t)key[4 * i + 2] << 16 | (uint32_t)key[4 * i + 3] << 24);
	for (unsigned i = 0; i < HLUT_WORDS; i++)
		reg_write(VFQF_HLUT(i), (uint32_t)lut[4 * i] | (uint32_t)lut[4 * i + 1] << 8 |
						(uint32_t)lut[4 * i + 2] << 16 | (uint32_t)lut[4 * i + 3] << 24);
	rss_poll();
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The classifier's view of a frame: its PCTYPE and the hash input. */
struct rss_flow {
	unsigned pctype;
	const uint8_t *addrs;   /* source then destination address */
	unsigned addr_len;      /* 8 (IPv4) or 32 (IPv6); 0: ethertype only */
	const uint8_t *ports;   /* source then destination port, or NULL */
	uint8_t ethertype[2];
};

/* PCTYPEs of one IP version (i40e_type.h).  The X722 parser splits UDP by
 * destination (unicast/multicast) and TCP by SYN-without-ACK: the types of
 * i40e_txrx.h I40E_DEFAULT_RSS_HENA_EXPANDED, which i40e enables where
 * i40e_sw_init sets I40E_HW_MULTIPLE_TCP_UDP_RSS_PCTYPE (X722 only). */
struct ip_pctypes {
	uint8_t udp, udp_unicast, udp_multicast, tcp, tcp_syn_no_ack, sctp, other, frag;
};
static const struct ip_pctypes pctypes_v4 = {
	AVF_FILTER_PCTYPE_NONF_IPV4_UDP, AVF_FILTER_PCTYPE_NONF_UNICAST_IPV4_UDP,
	AVF_FILTER_PCTYPE_NONF_MULTICAST_IPV4_UDP, AVF_FILTER_PCTYPE_NONF_IPV4_TCP,
	AVF_FILTER_PCTYPE_NONF_IPV4_TCP_SYN_NO_ACK, AVF_FILTER_PCTYPE_NONF_IPV4_SCTP,
	AVF_FILTER_PCTYPE_NONF_IPV4_OTHER, AVF_FILTER_PCTYPE_FRAG_IPV4,
};
static const struct ip_pctypes pctypes_v6 = {
	AVF_FILTER_PCTYPE_NONF_IPV6_UDP, AVF_FILTER_PCTYPE_NONF_UNICAST_IPV6_UDP,
	AVF_FILTER_PCTYPE_NONF_MULTICAST_IPV6_UDP, AVF_FILTER_PCTYPE_NONF_IPV6_TCP,
	AVF_FILTER_PCTYPE_NONF_IPV6_TCP_SYN_NO_ACK, AVF_FILTER_PCTYPE_NONF_IPV6_SCTP,
	AVF_FILTER_PCTYPE_NONF_IPV6_OTHER, AVF_FILTER_PCTYPE_FRAG_IPV6,
};

/* An unfragmented IP packet of protocol `proto` whose L4 header starts at
 * l4 (l4_end: where the frame ends).  Sets the PCTYPE, and the ports for
 * TCP, UDP and SCTP with a whole header. */
static void l4_classify(const struct ip_pctypes *t, unsigned proto, const uint8_t *l4, const uint8_t *l4_end,
			bool multicast_dst, struct rss_flow *fl)
{
	bool x722 = sim_opts.device_id == AVF_DEV_ID_X722_VF;
	long room = l4_end - l4;

	fl->pctype = t->other;
	if (proto == IPPROTO_UDP_ && room >= 8) {
		fl->pctype = t->udp;
		if (x722)
			fl->pctype = multicast_dst ? t->udp_multicast : t->udp_unicast;
	} else if (proto == IPPROTO_TCP_ && room >= 20) {
		fl->pctype = t->tcp;
		if (x722 && (l4[13] & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN)
			fl->pctype = t->tcp_syn_no_ack;
	} else if (proto == IPPROTO_SCTP_ && room >= 12) {
		fl->pctype = t->sctp;
	} else {
		return;
	}
	fl->ports = l4;
}

/* Look through up to two VLAN tags; IPv4 with its options, IPv6 without
 * extension headers but the fragment header.  Anything else is L2_PAYLOAD,
 * hashed over its last ethertype (DPDK i40e_ethdev.c's default input set
 * for that type, I40E_INSET_LAST_ETHER_TYPE). */
static void classify(const uint8_t *f, uint32_t len, struct rss_flow *fl)
{
	uint32_t l3 = 14;
	uint16_t type = be16(f + 12);

	while ((type == ETH_P_8021Q || type == ETH_P_8021AD) && l3 + 4 <= len && l3 < 22) {
		type = be16(f + l3 + 2);
		l3 += 4;
	}
	fl->pctype = AVF_FILTER_PCTYPE_L2_PAYLOAD;
	fl->addr_len = 0;
	fl->ports = NULL;
	fl->ethertype[0] = (uint8_t)(type >> 8);
	fl->ethertype[1] = (uint8_t)type;
	if (type == ETH_P_IPV4 && l3 + 20 <= len && f[l3] >> 4 == 4) {
		const uint8_t *ip = f + l3;

		fl->addrs = ip + 12;
		fl->addr_len = 8;
		if ((ip[6] & 0x3F) || ip[7]) /* MF or a fragment offset */
			fl->pctype = pctypes_v4.frag;
		else
			l4_classify(&pctypes_v4, ip[9], ip + 4 * (ip[0] & 0xF), f + len, (ip[16] & 0xF0) == 0xE0, fl);
	} else if (type == ETH_P_IPV6 && l3 + 40 <= len && f[l3] >> 4 == 6) {
		const uint8_t *ip = f + l3;

		fl->addrs = ip + 8;
		fl->addr_len = 32;
		if (ip[6] == IPV6_FRAGMENT_HDR)
			fl->pctype = pctypes_v6.frag;
		else
			l4_classify(&pctypes_v6, ip[6], ip + 40, f + len, ip[24] == 0xFF, fl);
	}
}

static uint32_t toeplitz(const struct rss_flow *fl)
{
	uint32_t h = 0;
	unsigned n = 0;

	if (!fl->addr_len)
		return rss.table[0][fl->ethertype[0]] ^ rss.table[1][fl->ethertype[1]];
	for (unsigned i = 0; i < fl->addr_len; i++)
		h ^= rss.table[n++][fl->addrs[i]];
	for (unsigned i = 0; fl->ports && i < 4; i++)
		h ^= rss.table[n++][fl->ports[i]];
	return h;
}

bool rss_classify(const uint8_t *frame, uint32_t len, unsigned *queue, uint32_t *hash)
{
	struct rss_flow fl;

	classify(frame, len, &fl);
	if (!(rss.enabled >> fl.pctype & 1)) {
		*queue = 0;
		return false;
	}
	*hash = toeplitz(&fl);
	*queue = rss.lut[*hash % VIRTCHNL_RSS_LUT_SIZE];
	return true;
}
