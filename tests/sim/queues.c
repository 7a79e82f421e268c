/* SPDX-License-Identifier: MIT
 *
 * queues.c - the LAN queues: TX rings (Linux iavf_type.h, struct
 * iavf_tx_desc) with Malicious Driver Detection, RX rings with 32-byte legacy
 * descriptors (union iavf_32byte_rx_desc), and the switch's view of the VF
 * (spoof check on TX, MAC filters on RX, both decided by pf.c).
 *
 * Rings and buffers are host memory reached through sim_dma(); descriptors
 * and tail registers come from the driver and are checked before use.  A
 * ring is translated once per pass (it must lie in one DMA mapping, as one
 * allocation always does); buffers are translated one by one.
 */
#define _GNU_SOURCE
#include "devmodel.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Write-back granularity (ice_txrx.c, ice_set_wb_on_itr: "Descriptors will
 * be written back on cache line boundaries without WB_ON_ITR enabled"): the
 * device writes completed descriptors back a 64-byte line at a time, two
 * 32-byte RX descriptors or four 16-byte TX descriptors, lines counted from
 * the ring base (128-byte aligned; ring lengths are multiples of a line).  A
 * line not complete yet goes out only when the queue's vector fires, its
 * WB_ON_ITR ITR expires or software triggers it (device.c calls
 * queues_writeback_rx/tx): i40e_txrx.c i40e_enable_wb_on_itr, i40e_force_wb. */
#define RX_LINE_DESCS (64 / sizeof(struct avf_rx_desc))
#define TX_LINE_DESCS (64 / sizeof(struct avf_tx_desc))

/* Frames per engine turn.  Real TX and RX engines run side by side; small
 * turns keep the two (and the admin queue) interleaved as finely. */
#define ENGINE_BATCH 32
/* QRX_TAIL bits the E810 does not use (queues on 8086:1889, rx_pass_begin). */
#define E810_QRX_TAIL_IGNORED 7u

struct txq {
	bool configured, enabled;
	uint64_t ring;
	uint32_t len;
	uint32_t head;           /* next descriptor the device reads */
	unsigned wb_n;           /* RS descriptors done in head's line, not written back */
	uint32_t wb_idx[TX_LINE_DESCS];
	struct trace_limit tl;
	struct trace_limit tl_wb;  /* --trace of its write-backs */
};

struct rxq {
	bool configured, enabled;
	uint64_t ring;
	uint32_t len, buf_size, max_pkt;
	bool flex;               /* flexible write-back (rxflex.c) */
	uint32_t head;           /* next descriptor the device fills */
	uint32_t wb_first;       /* first descriptor filled, not written back */
	unsigned wb_n;
	uint64_t wb_qw0[ENGINE_BATCH + RX_LINE_DESCS]; /* their VLAN tag and RSS hash */
	uint64_t wb_qw1[ENGINE_BATCH + RX_LINE_DESCS]; /* their status_error_len */
	struct trace_limit tl;
	struct trace_limit tl_wb;  /* --trace of its write-backs */
};

static struct txq txq[AVF_MAX_QUEUES];
static struct rxq rxq[AVF_MAX_QUEUES];

/* --fault counts: the Nth event (1-based), 0 = off */
static struct {
	uint64_t tx_stray_wb, tx_mdd, rx_zero_len, rx_oversize_len, rx_no_eof, rx_error, rx_stray_dd;
} fault;
static uint64_t tx_completions;  /* RS write-backs, for tx-stray-wb */
static uint64_t tx_frames_seen;  /* for tx-mdd */
/* --fault fuzz=SEED[:RATE], the device's stream */
#define RX_FUZZ_SALT 0x5258 /* "RX" */
#define RX_FUZZ_LOGGED 16        /* then they are only done */
static struct sim_fuzz rx_fuzz_state;
static uint64_t rx_fuzzed;
static bool wire_started;        /* the VF could receive once: the wire runs */

/* A packet of several buffers, gathered: a frame, or a TSO packet of up to
 * TSO_LEN's 18 bits of payload after at most 822 bytes of headers (MACLEN,
 * IPLEN and L4LEN at their largest). */
#define TX_MAX_PACKET ((uint32_t)(AVF_TXD_CTX_QW1_TSO_LEN_MASK >> AVF_TXD_CTX_QW1_TSO_LEN_SHIFT) + 1024)
static uint8_t tx_buf[TX_MAX_PACKET];
static uint32_t tx_bsz[VIRTCHNL_MAX_RING_LEN]; /* a TSO packet's buffer sizes */

/* The index after i in a ring of len descriptors. */
static uint32_t ring_next(uint32_t i, uint32_t len)
{
	return i + 1 < len ? i + 1 : 0;
}

/* Descriptors from `from` up to but not including `to`. */
static uint32_t ring_span(uint32_t from, uint32_t to, uint32_t len)
{
	return to >= from ? to - from : to + len - from;
}

/* A NIC fetches descriptors in bursts, not one at a time.  Here the
 * descriptors and the buffers they point to were last written by the driver
 * on another core: asking for a turn's lines up front overlaps those cache
 * misses instead of taking them one after the other.  The buffer address
 * is the descriptor's first qword in both ring formats. */
static void turn_prefetch(const volatile void *ring, uint32_t desc_size, uint32_t len, uint32_t first,
			  uint32_t n, int access)
{
	if (n > ENGINE_BATCH)
		n = ENGINE_BATCH;
	for (uint32_t i = 0, slot = first; i < n; i++, slot = ring_next(slot, len)) {
		const volatile uint64_t *d = (const volatile uint64_t *)((const char *)ring + (size_t)slot * desc_size);
		sim_dma_prefetch(*d, access);
	}
}

void queues_init(void)
{
	fault.tx_stray_wb = dev_fault_count("tx-stray-wb");
	fault.tx_mdd = dev_fault_count("tx-mdd");
	fault.rx_zero_len = dev_fault_count("rx-zero-len");
	fault.rx_oversize_len = dev_fault_count("rx-oversize-len");
	fault.rx_no_eof = dev_fault_count("rx-no-eof");
	fault.rx_error = dev_fault_count("rx-error");
	fault.rx_stray_dd = dev_fault_count("rx-stray-dd");
	sim_fuzz_init(&rx_fuzz_state, RX_FUZZ_SALT);
}

static uint32_t rx_enabled_mask;     /* bit q: RX queue q enabled */

static void count_enabled(void)
{
	uint64_t n = 0;

	rx_enabled_mask = 0;
	for (unsigned q = 0; q < AVF_MAX_QUEUES; q++) {
		n += txq[q].enabled + rxq[q].enabled;
		rx_enabled_mask |= (uint32_t)rxq[q].enabled << q;
	}
	sim_report.queues_enabled = n;
}

void queues_reset(void)
{
	memset(txq, 0, sizeof(txq));
	memset(rxq, 0, sizeof(rxq));
	count_enabled();
}

/* ------------------------------------------------------------- virtchnl */

/* The PF validated the message (i40e_vc_config_queues_msg); the device still refuses what it
 * cannot hold.  Ring bases and buffer sizes are programmed in 128-byte
 * units by i40e (base = addr / 128, dbuff = size >> 7), so the low bits
 * are dropped here exactly as the hardware would drop them. */
void dev_config_txq(unsigned q, const struct sim_txq_cfg *c)
{
	if (q >= AVF_MAX_QUEUES || c->len == 0 || c->len > VIRTCHNL_MAX_RING_LEN) {
		sim_log("TX queue %u: configuration refused by the device (ring length %u)", q, c->len);
		return;
	}
	txq[q].ring = c->ring & ~(uint64_t)(VIRTCHNL_RING_BASE_ALIGN - 1);
	txq[q].len = c->len;
	txq[q].configured = true;
	sim_trace("TX queue %u: ring 0x%llx, %u descriptors", q, (unsigned long long)txq[q].ring, c->len);
}

void dev_config_rxq(unsigned q, const struct sim_rxq_cfg *c)
{
	uint32_t buf = c->buf_size & ~(uint32_t)(VIRTCHNL_RX_BUFFER_ALIGN - 1);

	if (q >= AVF_MAX_QUEUES || c->len == 0 || c->len > VIRTCHNL_MAX_RING_LEN || buf == 0 ||
	    buf > VIRTCHNL_MAX_RX_BUFFER || c->max_pkt >= VIRTCHNL_MAX_PKT_SIZE) {
		sim_log("RX queue %u: configuration refused by the device (ring %u, buffer %u, max frame %u)",
			q, c->len, c->buf_size, c->max_pkt);
		return;
	}
	rxq[q].ring = c->ring & ~(uint64_t)(VIRTCHNL_RING_BASE_ALIGN - 1);
	rxq[q].len = c->len;
	rxq[q].buf_size = buf;
	rxq[q].max_pkt = c->max_pkt;
	rxq[q].flex = c->rxdid == SIM_RXDID_FLEX_COMMS_OVS;
	rxq[q].configured = true;
	sim_trace("RX queue %u: ring 0x%llx, %u descriptors, %u-byte buffers, max frame %u", q,
		  (unsigned long long)rxq[q].ring, c->len, buf, c->max_pkt);
}

/* Enabling sets the internal head to 0; tail registers are not sampled
 * (drivers write them before or after enabling; the device reads them live). */
int dev_enable_txq(unsigned q, bool on)
{
	if (q >= AVF_MAX_QUEUES || !txq[q].configured)
		return -1;
	txq[q].enabled = on;
	txq[q].head = 0;
	txq[q].wb_n = 0;
	count_enabled();
	sim_trace("TX queue %u %s", q, on ? "enabled" : "disabled");
	return 0;
}

int dev_enable_rxq(unsigned q, bool on)
{
	if (q >= AVF_MAX_QUEUES || !rxq[q].configured)
		return -1;
	rxq[q].enabled = on;
	rxq[q].head = 0;
	rxq[q].wb_n = 0;
	count_enabled();
	sim_trace("RX queue %u %s", q, on ? "enabled" : "disabled");
	return 0;
}

/* ------------------------------------------------------------- tails */

/* Tail writes are traced a few per second per queue, then summarised. */
static bool tail_watch(uint32_t off, struct trace_limit *tl)
{
	uint32_t val;
	char buf[32];

	if (!reg_written(off, &val))
		return false;
	if (sim_opts.trace && trace_allow(tl, reg_name(off, buf, sizeof(buf))))
		sim_trace("reg: %s <- %u", reg_name(off, buf, sizeof(buf)), val);
	return true;
}

/* Malicious Driver Detection: the hardware stops the queue and the PF logs
 * it (the host's dmesg on real systems). */
__attribute__((format(printf, 4, 5)))
static void mdd(const char *dir, unsigned q, uint32_t idx, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	sim_report.mdd_events++;
	sim_log("MDD: %s queue %u: %s at descriptor %u; queue stopped", dir, q, why, idx);
	if (dir[0] == 'T')
		txq[q].enabled = false;
	else
		rxq[q].enabled = false;
	count_enabled();
}

/* ------------------------------------------------------------- TX */

static bool is_broadcast(const uint8_t *dst)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	return !memcmp(dst, bcast, 6);
}

/* TX VLAN insertion: a data descriptor with CMD IL2TAG1 asks the hardware
 * to put an 802.1Q tag (TPID 0x8100, then the descriptor's 16-bit L2TAG1 as
 * the TCI) after the two MAC addresses (iavf_type.h IAVF_TX_DESC_CMD_IL2TAG1;
 * a driver asks as i40e_tx_map with i40e_tx_prepare_vlan_flags and ice's
 * ice_tx_prepare_vlan_flags do).  The packet's first data descriptor says so
 * for the whole packet, every TSO segment included.  Only a tagged frame is
 * copied, into tx_vlan.frame; an untagged one still goes from where it lies. */
#define TX_VLAN_TPID 0x8100
#define TX_MAC_BYTES 12
static struct {
	bool insert;   /* the packet being sent asks for a tag ... */
	uint16_t tci;  /* ... this one */
	uint8_t frame[AVF_MAX_FRAME + AVF_VLAN_HLEN];
} tx_vlan;

static const uint8_t *tx_insert_tag(const uint8_t *frame, uint32_t len)
{
	uint8_t *f = tx_vlan.frame;

	memcpy(f, frame, TX_MAC_BYTES);
	f[12] = TX_VLAN_TPID >> 8;
	f[13] = TX_VLAN_TPID & 0xff;
	f[14] = (uint8_t)(tx_vlan.tci >> 8);
	f[15] = (uint8_t)tx_vlan.tci;
	memcpy(f + TX_MAC_BYTES + AVF_VLAN_HLEN, frame + TX_MAC_BYTES, len - TX_MAC_BYTES);
	sim_report.tx_vlan_inserted++;
	return f;
}

/* The switch: spoof check, then the tag (if asked), then out to the wire. */
static void tx_send(const uint8_t *frame, uint32_t len)
{
	if (!dev_pf->tx_allowed(frame + 6)) {
		sim_report.tx_spoofed++;
		dev_vsi_stats.tx_discards++;
		return;
	}
	if (tx_vlan.insert) {
		frame = tx_insert_tag(frame, len);
		len += AVF_VLAN_HLEN;
	}
	wire_tx(frame, len);
	sim_report.tx_frames++;
	dev_vsi_stats.tx_bytes += len;
	if (is_broadcast(frame))
		dev_vsi_stats.tx_broadcast++;
	else if (frame[0] & 1)
		dev_vsi_stats.tx_multicast++;
	else
		dev_vsi_stats.tx_unicast++;
}

enum tx_result { TX_DONE, TX_WAIT, TX_MDD };

struct tx_pass {
	unsigned q;
	volatile struct avf_tx_desc *ring;   /* read view */
	volatile struct avf_tx_desc *wring;  /* write view, translated on first use */
	uint32_t tail;
	bool completed;                      /* some RS descriptor is done */
};

static bool tx_writeback(struct tx_pass *p, uint32_t idx)
{
	struct txq *t = &txq[p->q];
	uint64_t qw1;

	if (!p->wring)
		p->wring = sim_dma(t->ring, (size_t)t->len * sizeof(struct avf_tx_desc), SIM_DMA_WRITE,
				   "TX descriptor write-back");
	if (!p->wring)
		return false;
	qw1 = __atomic_load_n(&p->wring[idx].cmd_type_offset_bsz, __ATOMIC_ACQUIRE);
	__atomic_store_n(&p->wring[idx].cmd_type_offset_bsz,
			 (qw1 & ~AVF_TXD_QW1_DTYPE_MASK) | AVF_TX_DESC_DTYPE_DESC_DONE, __ATOMIC_RELEASE);
	if (sim_opts.trace && trace_allow(&t->tl_wb, "TX write-backs"))
		sim_trace("TX queue %u: descriptor %u written back, DTYPE DESC_DONE (the frames up to it were sent)",
			  p->q, idx);
	return true;
}

/* The RS descriptors done in a line the device has not finished go out now. */
static bool tx_writeback_pending(struct tx_pass *p)
{
	struct txq *t = &txq[p->q];

	for (unsigned i = 0; i < t->wb_n; i++)
		if (!tx_writeback(p, t->wb_idx[i]))
			return false;
	t->wb_n = 0;
	return true;
}

void queues_writeback_tx(unsigned q)
{
	struct tx_pass p = { .q = q };

	if (q < AVF_MAX_QUEUES && txq[q].enabled && txq[q].wb_n && dev_dma_allowed("TX queue"))
		tx_writeback_pending(&p);
}

/* --fault tx-stray-wb=N: DESC_DONE also lands in a slot the driver did not
 * give the device: half a ring ahead, or the tail slot if that one is given. */
static void tx_stray_writeback(struct tx_pass *p, uint32_t head)
{
	uint32_t len = txq[p->q].len, slot = (head + len / 2) % len;
	uint32_t given = (p->tail + len - head) % len;

	if ((slot + len - head) % len < given)
		slot = p->tail;
	sim_log("fault tx-stray-wb: DESC_DONE written to TX queue %u descriptor %u, not given to the device",
		p->q, slot);
	tx_writeback(p, slot);
}

/* After the frame in [first, end) went out: DTYPE = DESC_DONE in every
 * descriptor with RS, once the frame holding it is processed, and
 * written back once the device is done with the descriptor's whole line:
 * the line of `end`, the next descriptor, is not finished yet.  The head
 * left the pending descriptors' line (that of `first`) if `end` lies in
 * another line, or behind `first` (the frame went round the ring); only
 * the descriptors before `end` in its line wait, so never more than a
 * line's worth, whatever the driver posts. */
static bool tx_complete(struct tx_pass *p, uint32_t first, uint32_t end)
{
	struct txq *t = &txq[p->q];
	uint32_t line = end / TX_LINE_DESCS;
	bool left = t->wb_n && (t->wb_idx[0] / TX_LINE_DESCS != line || end < first);

	if (left && !tx_writeback_pending(p))
		return false;
	for (uint32_t i = first; i != end; i = ring_next(i, t->len)) {
		uint64_t qw1 = __atomic_load_n(&p->ring[i].cmd_type_offset_bsz, __ATOMIC_ACQUIRE);

		if (!(qw1 & (AVF_TX_DESC_CMD_RS << AVF_TXD_QW1_CMD_SHIFT)))
			continue;
		p->completed = true;
		if (i / TX_LINE_DESCS == line && i < end)
			t->wb_idx[t->wb_n++] = i;
		else if (!tx_writeback(p, i))
			return false;
		if (++tx_completions == fault.tx_stray_wb)
			tx_stray_writeback(p, end);
	}
	return true;
}

/* A context descriptor before the packet's first data descriptor: CMD TSO
 * announces a TSO packet of TSO_LEN payload bytes cut at MSS. */
static bool tx_context(uint64_t qw1, struct tso *tso)
{
	if (!((qw1 >> AVF_TXD_CTX_QW1_CMD_SHIFT) & AVF_TX_CTX_DESC_TSO))
		return false;
	tso->len = (uint32_t)((qw1 & AVF_TXD_CTX_QW1_TSO_LEN_MASK) >> AVF_TXD_CTX_QW1_TSO_LEN_SHIFT);
	tso->mss = (uint32_t)((qw1 & AVF_TXD_CTX_QW1_MSS_MASK) >> AVF_TXD_CTX_QW1_MSS_SHIFT);
	return true;
}

/* The header offsets of the first data descriptor's OFFSET field. */
static void tx_offsets(uint64_t qw1, struct tso *tso)
{
	uint32_t off = (uint32_t)((qw1 & AVF_TXD_QW1_OFFSET_MASK) >> AVF_TXD_QW1_OFFSET_SHIFT);

	tso->l3 = ((off >> AVF_TX_DESC_LENGTH_MACLEN_SHIFT) & AVF_TX_DESC_LENGTH_MACLEN_MASK) * 2;
	tso->l4 = tso->l3 + ((off >> AVF_TX_DESC_LENGTH_IPLEN_SHIFT) & AVF_TX_DESC_LENGTH_IPLEN_MASK) * 4;
	tso->hdr = tso->l4 + ((off >> AVF_TX_DESC_LENGTH_L4_LEN_SHIFT) & AVF_TX_DESC_LENGTH_L4_LEN_MASK) * 4;
}

/* A gathered TSO packet: MDD unless its lengths agree and every segment
 * stays within the hardware's 8 buffers (tso.c); then its segments go out. */
static bool tx_tso(struct tx_pass *p, uint32_t idx, const struct tso *tso, const uint8_t *pkt,
		   uint32_t total, unsigned ndata)
{
	unsigned bufs = 0;
	int seg;

	/* TSO is TCP here (USO is never granted): IP and TCP headers of at
	 * least 20 bytes each, a payload, segments no longer than a frame. */
	if (tso->mss == 0 || tso->len == 0 || tso->l4 < tso->l3 + 20 || tso->hdr < tso->l4 + 20 ||
	    tso->hdr + tso->mss > AVF_MAX_FRAME) {
		mdd("TX", p->q, idx, "TSO with MSS %u, TSO_LEN %u, headers at %u/%u/%u", tso->mss, tso->len,
		    tso->l3, tso->l4, tso->hdr);
		return false;
	}
	if (tso->hdr + tso->len != total) {
		mdd("TX", p->q, idx, "TSO_LEN %u + %u bytes of headers is not the packet's %u bytes", tso->len,
		    tso->hdr, total);
		return false;
	}
	seg = tso_check(tso, tx_bsz, ndata, &bufs);
	if (seg >= 0) {
		mdd("TX", p->q, idx, "TSO segment %d spans %u buffers with its headers (at most %u)", seg, bufs,
		    AVF_MAX_BUFFER_TXD);
		return false;
	}
	tso_segment(tso, pkt, tx_send);
	return true;
}

/* Gather the frame starting at the queue's head: data descriptors up to
 * EOP, context descriptors read for TSO.  TX_WAIT when the tail ends
 * before EOP. */
static enum tx_result tx_frame(struct tx_pass *p)
{
	struct txq *t = &txq[p->q];
	uint32_t i = t->head, total = 0, ndata = 0;
	const uint8_t *frame = NULL;
	struct tso tso = { 0 };
	bool is_tso = false;

	while (i != p->tail) {
		uint64_t addr = __atomic_load_n(&p->ring[i].buffer_addr, __ATOMIC_ACQUIRE);
		uint64_t qw1 = __atomic_load_n(&p->ring[i].cmd_type_offset_bsz, __ATOMIC_ACQUIRE);
		uint64_t dtype = qw1 & AVF_TXD_QW1_DTYPE_MASK;
		uint64_t cmd = (qw1 & AVF_TXD_QW1_CMD_MASK) >> AVF_TXD_QW1_CMD_SHIFT;
		uint32_t bsz = (uint32_t)((qw1 & AVF_TXD_QW1_TX_BUF_SZ_MASK) >> AVF_TXD_QW1_TX_BUF_SZ_SHIFT);
		const void *buf;

		if (dtype == AVF_TX_DESC_DTYPE_CONTEXT) {
			if (ndata == 0)
				is_tso = tx_context(qw1, &tso);
			i = ring_next(i, t->len);
			continue;
		}
		if (dtype != AVF_TX_DESC_DTYPE_DATA)
			return mdd("TX", p->q, i, "descriptor type %u is not DATA", (unsigned)dtype), TX_MDD;
		if (bsz == 0)
			return mdd("TX", p->q, i, "buffer size 0"), TX_MDD;
		if (++ndata > AVF_MAX_BUFFER_TXD && !is_tso)
			return mdd("TX", p->q, i, "more than %u data descriptors in one frame",
				   AVF_MAX_BUFFER_TXD), TX_MDD;
		if (total + bsz > (is_tso ? TX_MAX_PACKET : AVF_MAX_FRAME))
			return mdd("TX", p->q, i, "%s longer than %u bytes", is_tso ? "TSO packet" : "frame",
				   is_tso ? TX_MAX_PACKET : AVF_MAX_FRAME), TX_MDD;
		if (ndata == 1) {
			tx_vlan.insert = (cmd & AVF_TX_DESC_CMD_IL2TAG1) != 0;
			tx_vlan.tci = (uint16_t)(qw1 >> AVF_TXD_QW1_L2TAG1_SHIFT);
		}
		if (is_tso && ndata == 1)
			tx_offsets(qw1, &tso);
		if (is_tso)
			tx_bsz[ndata - 1] = bsz;
		buf = sim_dma(addr, bsz, SIM_DMA_READ, "TX data buffer");
		if (!buf)
			return mdd("TX", p->q, i, "buffer 0x%llx not mapped for reading",
				   (unsigned long long)addr), TX_MDD;
		/* A frame in one buffer is sent from where it lies: the switch
		 * reads its addresses, the wire copies it only into a capture. */
		if (ndata == 1) {
			frame = buf;
		} else {
			if (ndata == 2)
				memcpy(tx_buf, frame, total);
			memcpy(tx_buf + total, buf, bsz);
			frame = tx_buf;
		}
		total += bsz;
		i = ring_next(i, t->len);
		if (!(cmd & AVF_TX_DESC_CMD_EOP))
			continue;
		if (total < AVF_MIN_TX_LEN)
			return mdd("TX", p->q, (i + t->len - 1) % t->len, "frame of %u bytes (minimum %u)",
				   total, AVF_MIN_TX_LEN), TX_MDD;
		if (++tx_frames_seen == fault.tx_mdd)
			return mdd("TX", p->q, t->head, "fault tx-mdd"), TX_MDD;
		if (!is_tso)
			tx_send(frame, total);
		else if (!tx_tso(p, t->head, &tso, frame, total, ndata))
			return TX_MDD;
		if (!tx_complete(p, t->head, i))
			return mdd("TX", p->q, t->head, "descriptor ring not writable"), TX_MDD;
		t->head = i;
		return TX_DONE;
	}
	return TX_WAIT;
}

/* QTX_TAIL1 is the doorbell: descriptors from head up to tail are the device's. */
static bool txq_poll(unsigned q)
{
	struct txq *t = &txq[q];
	struct tx_pass p = { .q = q };
	bool busy = tail_watch(QTX_TAIL1(q), &t->tl);

	if (!t->enabled)
		return busy;
	p.tail = reg_read(QTX_TAIL1(q)) & QTAIL_MASK;
	if (p.tail >= t->len) {
		mdd("TX", q, t->head, "tail %u beyond the ring of %u", p.tail, t->len);
		return true;
	}
	if (p.tail == t->head || !dev_dma_allowed("TX queue"))
		return busy;
	p.ring = sim_dma(t->ring, (size_t)t->len * sizeof(struct avf_tx_desc), SIM_DMA_READ,
			 "TX descriptor ring");
	if (!p.ring) {
		mdd("TX", q, t->head, "descriptor ring not mapped");
		return true;
	}
	turn_prefetch(p.ring, sizeof(*p.ring), t->len, t->head, ring_span(t->head, p.tail, t->len), SIM_DMA_READ);
	for (unsigned n = 0; n < ENGINE_BATCH && t->head != p.tail; n++) {
		enum tx_result res = tx_frame(&p);

		if (res == TX_WAIT)
			break; /* the rest of the frame is not posted yet */
		busy = true;
		if (res == TX_MDD)
			break;
	}
	if (p.completed)
		irq_queue(q, true);
	return busy;
}

/* ------------------------------------------------------------- RX */

/* The packet type a 700-series parser reports in the legacy descriptor
 * (DPDK's ptype table, iavf_get_default_ptype_table), looking through up to two VLAN tags. */
static unsigned rx_ptype(const uint8_t *f, uint32_t len)
{
	uint32_t l3 = 14;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);

	while ((type == 0x8100 || type == 0x88A8) && l3 + 4 <= len && l3 < 22) {
		type = (uint16_t)(f[l3 + 2] << 8 | f[l3 + 3]);
		l3 += 4;
	}
	if (type == 0x0806)
		return AVF_PTYPE_ARP;
	if (type == 0x0800 && l3 + 20 <= len && (f[l3] >> 4) == 4) {
		if ((f[l3 + 6] & 0x3F) || f[l3 + 7]) /* MF or a fragment offset */
			return AVF_PTYPE_IPV4_FRAG;
		switch (f[l3 + 9]) {
		case 17: return AVF_PTYPE_IPV4_UDP;
		case 6: return AVF_PTYPE_IPV4_TCP;
		case 132: return AVF_PTYPE_IPV4_SCTP;
		case 1: return AVF_PTYPE_IPV4_ICMP;
		default: return AVF_PTYPE_IPV4;
		}
	}
	if (type == 0x86DD && l3 + 40 <= len && (f[l3] >> 4) == 6) {
		switch (f[l3 + 6]) {
		case 44: return AVF_PTYPE_IPV6_FRAG;
		case 17: return AVF_PTYPE_IPV6_UDP;
		case 6: return AVF_PTYPE_IPV6_TCP;
		case 132: return AVF_PTYPE_IPV6_SCTP;
		case 58: return AVF_PTYPE_IPV6_ICMP;
		default: return AVF_PTYPE_IPV6;
		}
	}
	return AVF_PTYPE_L2;
}

/* --fault rx-*=N on the last descriptor of the Nth delivered frame. */
static uint64_t rx_fault(uint64_t qw1, uint64_t nth)
{
	if (nth == fault.rx_zero_len) {
		sim_log("fault rx-zero-len: frame %llu written with length 0", (unsigned long long)nth);
		qw1 &= ~AVF_RXD_QW1_LENGTH_PBUF_MASK;
	}
	if (nth == fault.rx_oversize_len) {
		sim_log("fault rx-oversize-len: frame %llu written with length 0x3FFF", (unsigned long long)nth);
		qw1 |= AVF_RXD_QW1_LENGTH_PBUF_MASK;
	}
	if (nth == fault.rx_no_eof) {
		sim_log("fault rx-no-eof: frame %llu written without EOF", (unsigned long long)nth);
		qw1 &= ~AVF_RXD_QW1_STATUS_EOF;
	}
	if (nth == fault.rx_error) {
		sim_log("fault rx-error: frame %llu written with the RXE error bit", (unsigned long long)nth);
		qw1 |= AVF_RX_DESC_ERROR_RXE << AVF_RXD_QW1_ERROR_SHIFT;
	}
	return qw1;
}

/* fuzz: RATE% of the frames' last write-backs get a random length, lose
 * EOF, gain random error bits or a random PTYPE.  DD always stays: a
 * descriptor never done stalls the ring, which no driver can help. */
static uint64_t rx_fuzz(uint64_t qw1, uint64_t nth)
{
	static const char *const what[] = { "a random length", "no EOF", "random error bits", "a random PTYPE" };
	uint64_t r;

	if (!sim_fuzz_hit(&rx_fuzz_state))
		return qw1;
	r = sim_fuzz_next(&rx_fuzz_state);
	switch (r % 4) {
	case 0:
		qw1 = (qw1 & ~AVF_RXD_QW1_LENGTH_PBUF_MASK) | ((r >> 8) << AVF_RXD_QW1_LENGTH_PBUF_SHIFT &
								 AVF_RXD_QW1_LENGTH_PBUF_MASK);
		break;
	case 1:
		qw1 &= ~AVF_RXD_QW1_STATUS_EOF;
		break;
	case 2:
		qw1 |= ((r >> 8) | 1) << AVF_RXD_QW1_ERROR_SHIFT & AVF_RXD_QW1_ERROR_MASK;
		break;
	default:
		qw1 = (qw1 & ~AVF_RXD_QW1_PTYPE_MASK) | ((r >> 8) << AVF_RXD_QW1_PTYPE_SHIFT & AVF_RXD_QW1_PTYPE_MASK);
		break;
	}
	if (rx_fuzzed++ < RX_FUZZ_LOGGED)
		sim_log("fault fuzz: frame %llu written with %s (qword1 0x%016llx)%s",
			(unsigned long long)nth, what[r % 4], (unsigned long long)qw1,
			rx_fuzzed == RX_FUZZ_LOGGED ? "; further ones are not logged" : "");
	return qw1;
}

struct rx_pass {
	unsigned q;
	struct rxq *r;
	volatile struct avf_rx_desc *ring;
	uint32_t tail;
};

/* What the RX engine found out about a frame before writing it. */
struct rx_meta {
	unsigned umbcast;                 /* AVF_RX_UMBCAST_* */
	uint64_t qw0;                     /* l2tag1 and hash, for the last descriptor */
	uint64_t status;                  /* L2TAG1P, FLTSTAT */
};

/* The write-back (union iavf_32byte_rx_desc) of the descriptors filled so
 * far, in ring order, each fully written with DD last (DPDK's vector path
 * reads eight at a time): every complete line, and the last partial one
 * too when `partial` (the vector fired).  A turn's lines go out together
 * at its end: a driver polling DD finds a turn's frames at once instead of
 * contending for each line as it fills. */
static void rx_writeback(struct rxq *r, volatile struct avf_rx_desc *ring, bool partial)
{
	unsigned n = r->wb_n;
	unsigned kept = 0;

	if (!partial)
		kept = (r->wb_first + n) % RX_LINE_DESCS;
	if (kept > n)
		kept = n;
	for (unsigned i = 0; i < n - kept; i++) {
		volatile struct avf_rx_desc *d = &ring[r->wb_first];
		uint64_t qw[4] = { r->wb_qw0[i], r->wb_qw1[i], 0, 0 };

		if (r->flex)
			rxflex_convert(qw);
		d->qword[0] = qw[0];
		d->qword[2] = qw[2];
		d->qword[3] = qw[3];
		__atomic_store_n(&d->qword[1], qw[1], __ATOMIC_RELEASE);
		if (sim_opts.trace && trace_allow(&r->tl_wb, "RX write-backs"))
			sim_trace("RX queue %u: descriptor %u written back, DD%s, length %llu", (unsigned)(r - rxq),
				  r->wb_first, r->wb_qw1[i] & AVF_RXD_QW1_STATUS_EOF ? " EOF" : "",
				  (unsigned long long)((r->wb_qw1[i] & AVF_RXD_QW1_LENGTH_PBUF_MASK) >>
						       AVF_RXD_QW1_LENGTH_PBUF_SHIFT));
		r->wb_first = ring_next(r->wb_first, r->len);
	}
	memmove(r->wb_qw0, r->wb_qw0 + (n - kept), kept * sizeof(r->wb_qw0[0]));
	memmove(r->wb_qw1, r->wb_qw1 + (n - kept), kept * sizeof(r->wb_qw1[0]));
	r->wb_n = kept;
}

void queues_writeback_rx(unsigned q)
{
	struct rxq *r;
	volatile struct avf_rx_desc *ring;

	if (q >= AVF_MAX_QUEUES)
		return;
	r = &rxq[q];
	if (!r->enabled || !r->wb_n || !dev_dma_allowed("RX queue"))
		return;
	ring = sim_dma(r->ring, (size_t)r->len * sizeof(struct avf_rx_desc), SIM_DMA_WRITE,
		       "RX descriptor write-back");
	if (ring)
		rx_writeback(r, ring, true);
}

/* --fault rx-stray-dd=N: a done descriptor at the tail, which the driver did not post. */
static void rx_stray_dd(const struct rx_pass *p)
{
	sim_log("fault rx-stray-dd: DD written to RX queue %u descriptor %u, not posted by the driver", p->q,
		p->tail);
	__atomic_store_n(&p->ring[p->tail].qword[1],
			 AVF_RXD_QW1_STATUS_DD | AVF_RXD_QW1_STATUS_EOF |
				 (uint64_t)AVF_PTYPE_L2 << AVF_RXD_QW1_PTYPE_SHIFT |
				 60ull << AVF_RXD_QW1_LENGTH_PBUF_SHIFT,
			 __ATOMIC_RELEASE);
}

/* The VSI's receive counters (GET_STATS) for a frame the switch gave it. */
static void rx_count(uint32_t len, unsigned umbcast)
{
	dev_vsi_stats.rx_bytes += len;
	if (umbcast == AVF_RX_UMBCAST_BROADCAST)
		dev_vsi_stats.rx_broadcast++;
	else if (umbcast == AVF_RX_UMBCAST_MULTICAST)
		dev_vsi_stats.rx_multicast++;
	else
		dev_vsi_stats.rx_unicast++;
}

/* Write one frame into the buffers of the descriptors from head on, one
 * buffer each, in ring order; their write-back is queued.  The stripped tag
 * and the hash are reported in the last descriptor, as drivers read them
 * (iavf_process_skb_fields, DPDK iavf_recv_scattered_pkts). */
static void rx_write(struct rx_pass *p, const uint8_t *f, uint32_t len, const struct rx_meta *m)
{
	struct rxq *r = p->r;
	uint64_t nth = sim_report.rx_delivered + 1;
	unsigned umbcast = m->umbcast;
	uint64_t status = (uint64_t)umbcast << AVF_RXD_QW1_STATUS_UMBCAST_SHIFT |
			  (uint64_t)rx_ptype(f, len) << AVF_RXD_QW1_PTYPE_SHIFT;

	for (uint32_t off = 0; off < len;) {
		volatile struct avf_rx_desc *d = &p->ring[r->head];
		uint32_t chunk = len - off < r->buf_size ? len - off : r->buf_size;
		uint64_t pkt = __atomic_load_n(&d->qword[0], __ATOMIC_ACQUIRE);
		uint64_t qw1 = AVF_RXD_QW1_STATUS_DD | status | (uint64_t)chunk << AVF_RXD_QW1_LENGTH_PBUF_SHIFT;
		void *buf = sim_dma(pkt, chunk, SIM_DMA_WRITE, "RX packet buffer");

		/* An IOMMU fault blocks the write; the device does not know. */
		if (buf)
			memcpy(buf, f + off, chunk);
		off += chunk;
		r->wb_qw0[r->wb_n] = 0;
		if (off == len) {
			qw1 = rx_fuzz(rx_fault(qw1 | m->status | AVF_RXD_QW1_STATUS_EOF, nth), nth);
			r->wb_qw0[r->wb_n] = m->qw0;
		}
		if (!r->wb_n)
			r->wb_first = r->head;
		r->wb_qw1[r->wb_n++] = qw1;
		r->head = ring_next(r->head, r->len);
		if (r->wb_n >= ENGINE_BATCH)
			rx_writeback(r, p->ring, false);
	}
	sim_report.rx_delivered++;
	rx_count(len, umbcast);
	if (nth == fault.rx_stray_dd)
		rx_stray_dd(p);
}

/* Free descriptors: from head up to but not including the tail. */
static uint32_t rx_room(const struct rx_pass *p)
{
	return ring_span(p->r->head, p->tail, p->r->len);
}

/* The ring view for this pass, or false when the queue cannot take frames
 * now.  A ring the IOMMU does not map stops the queue (the descriptor
 * fetch fails, so the device cannot go on). */
static bool rx_pass_begin(struct rx_pass *p)
{
	struct rxq *r = p->r;

	if (p->ring)
		return true;
	p->tail = reg_read(QRX_TAIL1(p->q)) & QTAIL_MASK;
	/* E810 (8086:1889) ignores QRX_TAIL's low 3 bits: ice_txrx_lib.c,
	 * ice_release_rx_desc ("hardware ignores the lower 3 bits") */
	if (sim_opts.device_id == AVF_DEV_ID_ADAPTIVE_VF)
		p->tail &= ~(uint32_t)E810_QRX_TAIL_IGNORED;
	if (p->tail >= r->len) {
		mdd("RX", p->q, r->head, "tail %u beyond the ring of %u", p->tail, r->len);
		return false;
	}
	if (!dev_dma_allowed("RX queue"))
		return false;
	p->ring = sim_dma(r->ring, (size_t)r->len * sizeof(struct avf_rx_desc), SIM_DMA_READ,
			  "RX descriptor ring");
	if (p->ring && !sim_dma(r->ring, (size_t)r->len * sizeof(struct avf_rx_desc), SIM_DMA_WRITE,
				"RX descriptor write-back"))
		p->ring = NULL;
	if (!p->ring) {
		r->enabled = false;
		count_enabled();
		sim_log("RX queue %u: descriptor ring not mapped for device access; queue stopped", p->q);
		return false;
	}
	turn_prefetch(p->ring, sizeof(*p->ring), r->len, r->head, rx_room(p), SIM_DMA_WRITE);
	return true;
}

/* A frame no RX descriptor was free for is counted in rx_discards and, as
 * the VSI received it, in its unicast/multicast/broadcast class too: DPDK's
 * iavf_dev_stats_get reports ipackets = unicast + multicast + broadcast -
 * rx_discards. */
static void rx_drop_no_desc(uint32_t len, unsigned umbcast)
{
	sim_report.rx_dropped_no_desc++;
	dev_vsi_stats.rx_discards++;
	rx_count(len, umbcast);
	wire_consume();
}

/* The queue RSS chooses (rss.c), with the hash for the write-back. */
static unsigned rx_queue(const uint8_t *f, uint32_t len, struct rx_meta *m)
{
	unsigned q;
	uint32_t hash;

	if (!rss_classify(f, len, &q, &hash))
		return q;
	m->qw0 |= (uint64_t)hash << AVF_RXD_QW0_RSS_SHIFT;
	m->status |= AVF_RX_DESC_FLTSTAT_RSS_HASH << AVF_RXD_QW1_STATUS_FLTSTAT_SHIFT;
	return q;
}

/* VLAN stripping (on unless the PF turned it off): an outer 802.1Q tag
 * leaves the frame and goes to the descriptor's L2TAG1 with L2TAG1P
 * (i40e: the VSI's port_vlan_flags, see pf_rx_strip). */
static const uint8_t *rx_strip(const uint8_t *f, uint32_t *len, struct rx_meta *m)
{
	static uint8_t stripped[AVF_MAX_FRAME];

	if (*len < 18 || f[12] != 0x81 || f[13] != 0x00 || *len - 4 > sizeof(stripped) || !dev_pf->rx_strip())
		return f;
	m->qw0 |= (uint64_t)(f[14] << 8 | f[15]) << AVF_RXD_QW0_L2TAG1_SHIFT;
	m->status |= AVF_RXD_QW1_STATUS_L2TAG1P;
	memcpy(stripped, f, 12);
	memcpy(stripped + 12, f + 16, *len - 16);
	*len -= 4;
	return stripped;
}

static void rx_drop_queue_off(unsigned q)
{
	if (sim_report.rx_dropped_queue_off++ == 0)
		sim_log("RSS sent a frame to RX queue %u, which is not enabled: dropped (counted in "
			"rx_dropped_queue_off; the LUT must name enabled queues only)", q);
	dev_vsi_stats.rx_discards++;
	wire_consume();
}

/* The passes a turn began, one per queue. */
static struct rx_pass rx_passes[AVF_MAX_QUEUES];
static uint32_t rx_begun;            /* bit q: rx_passes[q] in use */

/* Frames from the wire into the RX queue RSS chooses.  Lossless mode holds
 * a frame the VF cannot take yet; --rx-rate drops it.  A frame for a queue
 * that is not enabled is dropped as the hardware does. */
static bool rx_poll(uint64_t now)
{
	bool ready = rx_enabled_mask && dev_pf->link_up(), paced = sim_opts.rx_rate != 0;
	unsigned taken = 0;
	uint32_t delivered = 0;

	if (!ready && !wire_started)
		return false; /* the wire starts when the VF first can receive */
	wire_started = true;
	for (; taken < ENGINE_BATCH; taken++) {
		struct rx_meta m = { 0, 0, 0 };
		struct rx_pass *p;
		uint32_t len, need;
		unsigned q;
		const uint8_t *f = wire_peek(&len, now);

		if (!f || (!ready && !paced))
			break;
		if (!dev_pf->rx_accept(f, len, &m.umbcast)) {
			sim_report.rx_filtered++;
			wire_consume();
			continue;
		}
		if (!ready) {
			rx_drop_no_desc(len, m.umbcast);
			continue;
		}
		q = rx_queue(f, len, &m);
		if (!(rx_enabled_mask >> q & 1)) {
			rx_drop_queue_off(q);
			continue;
		}
		p = &rx_passes[q];
		if (!(rx_begun >> q & 1)) {
			*p = (struct rx_pass){ .q = q, .r = &rxq[q] };
			rx_begun |= 1u << q;
		}
		f = rx_strip(f, &len, &m);
		need = (len + p->r->buf_size - 1) / p->r->buf_size;
		if (len > p->r->max_pkt || need >= p->r->len) {
			sim_report.rx_dropped_oversize++;
			wire_consume();
			continue;
		}
		if (!rx_pass_begin(p))
			break;
		if (rx_room(p) < need) {
			if (!paced)
				break;
			rx_drop_no_desc(len, m.umbcast);
			continue;
		}
		rx_write(p, f, len, &m);
		wire_consume();
		delivered |= 1u << q;
	}
	for (unsigned q = 0; rx_begun; q++) {
		if (!(rx_begun >> q & 1))
			continue;
		rx_begun &= ~(1u << q);
		if (rx_passes[q].ring)
			rx_writeback(rx_passes[q].r, rx_passes[q].ring, false);
		if (delivered >> q & 1)
			irq_queue(q, false);
	}
	return taken > 0;
}

bool queues_poll(uint64_t now)
{
	bool busy = false;

	for (unsigned q = 0; q < AVF_MAX_QUEUES; q++) {
		busy |= txq_poll(q);
		busy |= tail_watch(QRX_TAIL1(q), &rxq[q].tl);
	}
	return busy | rx_poll(now);
}
