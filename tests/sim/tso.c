/* SPDX-License-Identifier: MIT
 *
 * tso.c - TCP segmentation offload on the TX path: the packet a TX context
 * descriptor with CMD TSO announces is checked against the hardware's DMA
 * limit per segment and cut into MSS-sized frames for the wire.
 *
 * The limit is the one i40e_txrx.c, __i40e_chk_linearize, works around: the
 * hardware cannot DMA more than 8 buffers to build one frame on the wire,
 * and for TSO each segment is such a frame: the buffers holding the headers
 * count, then the buffers holding that segment's payload (a buffer holding
 * both counts twice).  A packet of many buffers is legal as long as every
 * segment stays within 8 (DPDK iavf_prep_pkts allows up to IAVF_TX_MAX_SEG
 * buffers per TSO packet, 8 per non-TSO one).
 */
#include "devmodel.h"

#include <string.h>

/* Index of the buffer holding byte `off` of the packet, from buffer `from` on. */
static unsigned buf_at(const uint32_t *end, unsigned n, unsigned from, uint32_t off)
{
	while (from + 1 < n && end[from] <= off)
		from++;
	return from;
}

int tso_check(const struct tso *t, const uint32_t *bsz, unsigned n, unsigned *bufs)
{
	static uint32_t end[VIRTCHNL_MAX_RING_LEN]; /* end offset of each buffer */
	uint32_t off = 0;
	unsigned hdr_bufs, first = 0;
	int seg = 0;

	for (unsigned i = 0; i < n; i++) {
		off += bsz[i];
		end[i] = off;
	}
	hdr_bufs = buf_at(end, n, 0, t->hdr - 1) + 1;
	for (uint32_t start = t->hdr; start < t->hdr + t->len; start += t->mss, seg++) {
		uint32_t stop = start + t->mss < t->hdr + t->len ? start + t->mss : t->hdr + t->len;
		unsigned last;

		first = buf_at(end, n, first, start);
		last = buf_at(end, n, first, stop - 1);
		*bufs = hdr_bufs + last - first + 1;
		if (*bufs > AVF_MAX_BUFFER_TXD)
			return seg;
	}
	return -1;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* TCP flags the segments keep: the hardware's default TSO flag masks clear
 * FIN and PSH on all but the last segment and CWR on all but the first. */
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

void tso_segment(const struct tso *t, const uint8_t *pkt, void (*send)(const uint8_t *, uint32_t))
{
	static uint8_t seg[AVF_MAX_FRAME];
	const uint8_t *ip = pkt + t->l3;
	bool v4 = (ip[0] >> 4) == 4;
	bool tcp = v4 ? ip[9] == 6 : ip[6] == 6;
	uint32_t seq = tcp ? get32(pkt + t->l4 + 4) : 0;
	uint32_t id = v4 ? (uint32_t)ip[4] << 8 | ip[5] : 0;
	uint8_t flags = tcp ? pkt[t->l4 + 13] : 0;

	for (uint32_t done = 0, k = 0; done < t->len; done += t->mss, k++) {
		uint32_t n = t->len - done < t->mss ? t->len - done : t->mss;
		uint8_t *sip = seg + t->l3;
		uint8_t f = flags;

		memcpy(seg, pkt, t->hdr);
		memcpy(seg + t->hdr, pkt + t->hdr + done, n);
		if (v4) {
			put16(sip + 2, t->hdr - t->l3 + n);
			put16(sip + 4, id + k);
		} else {
			put16(sip + 4, t->hdr - t->l3 - 40 + n);
		}
		if (tcp) {
			uint32_t s = seq + done;
			uint8_t *th = seg + t->l4;

			put16(th + 4, s >> 16);
			put16(th + 6, s & 0xFFFF);
			if (done + n < t->len)
				f &= (uint8_t)~(TCP_FIN | TCP_PSH);
			if (k)
				f &= (uint8_t)~TCP_CWR;
			th[13] = f;
		}
		send(seg, t->hdr + n);
	}
}
