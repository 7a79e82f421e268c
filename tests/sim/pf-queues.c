/* SPDX-License-Identifier: MIT
 *
 * pf-queues.c - the PF's handling of the VF's queues (i40e_virtchnl_pf.c:
 * i40e_vc_config_queues_msg, i40e_vc_config_irq_map_msg,
 * i40e_vc_enable_queues_msg, i40e_vc_disable_queues_msg),
 * counters and RSS, as Linux i40e and ice do it (their differences:
 * pf_pers, pf-i40e.c and pf-ice.c).  Messages arrive here from pf.c with
 * their length already checked (virtchnl.h, virtchnl_vc_validate_vf_msg).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "pf.h"

void pf_write_hena(uint64_t hena)
{
	dev_bar0[VFQF_HENA(0) / 4] = (uint32_t)hena;
	dev_bar0[VFQF_HENA(1) / 4] = (uint32_t)(hena >> 32);
}

/* Four bytes per register, byte lanes little-endian (i40e_register.h
 * VFQF_HKEY, VFQF_HLUT: four key bytes / LUT entries per register). */
void pf_write_bytes(uint32_t reg0, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n / 4; i++)
		dev_bar0[reg0 / 4 + i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 |
					 (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
}

/* No queue of a new VSI is configured or enabled; its RSS registers are
 * what the PF writes at every VSI (re)build (pf_personality.rss_reset). */
void pf_queues_alloc(void)
{
	memset(pf_vf.txq_len, 0, sizeof(pf_vf.txq_len));
	memset(pf_vf.rxq_len, 0, sizeof(pf_vf.rxq_len));
	pf_vf.qs_ena = 0;
	pf_pers->rss_reset();
}

/* i40e_vc_config_queues_msg: one TX/RX pair; false with the reason in *why. */
static bool check_qpair(const struct virtchnl_queue_pair_info *p, uint16_t vsi_id, char *why, size_t n)
{
	const struct virtchnl_txq_info *t = &p->txq;
	const struct virtchnl_rxq_info *r = &p->rxq;
	unsigned q = t->queue_id;

	if (q >= pf_vf.num_qp)
		snprintf(why, n, "queue_id %u: the VSI has %u queue pairs", q, pf_vf.num_qp);
	else if (t->vsi_id != vsi_id || r->vsi_id != vsi_id)
		snprintf(why, n, "q%u: txq vsi_id %u / rxq vsi_id %u differ from %u", q, t->vsi_id, r->vsi_id, vsi_id);
	else if (r->queue_id != q)
		snprintf(why, n, "q%u: rxq queue_id %u differs from txq's", q, r->queue_id);
	/* i40e and ice program addr/128 and would silently drop the low bits:
	 * refuse instead */
	else if (r->dma_ring_addr % VIRTCHNL_RING_BASE_ALIGN)
		snprintf(why, n, "q%u: rx ring 0x%llx not 128-byte aligned", q, (unsigned long long)r->dma_ring_addr);
	else if (t->dma_ring_addr % VIRTCHNL_RING_BASE_ALIGN)
		snprintf(why, n, "q%u: tx ring 0x%llx not 128-byte aligned", q, (unsigned long long)t->dma_ring_addr);
	else
		return pf_pers->qpair_ok(p, why, n);
	return false;
}

/* i40e_vc_config_queues_msg.  ring_len 0 is legal (i40e writes a context
 * with qlen 0: a ring that does not exist; DPDK sends it for the missing
 * half of a pair) but such a queue cannot be enabled.  Unlike i40e, which
 * programs pair by pair, a bad pair leaves every queue as it was. */
void pf_config_vsi_queues(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_vsi_queue_config_info h;
	struct virtchnl_queue_pair_info p[VIRTCHNL_MAX_QUEUE_PAIRS];
	struct pf_line l = { .n = 0 };
	char why[160];
	unsigned n;

	(void)len;
	memcpy(&h, msg, offsetof(struct virtchnl_vsi_queue_config_info, qpair));
	n = h.num_queue_pairs;
	if (n <= VIRTCHNL_MAX_QUEUE_PAIRS)
		memcpy(p, msg + offsetof(struct virtchnl_vsi_queue_config_info, qpair), n * sizeof(p[0]));
	pf_line_add(&l, "vsi=%u pairs=%u", h.vsi_id, n);
	for (unsigned i = 0; i < n && n <= VIRTCHNL_MAX_QUEUE_PAIRS; i++)
		pf_line_add(&l, " q%u: tx ring=0x%llx len=%u rx ring=0x%llx len=%u buf=%u max_pkt=%u rxdid=%u",
			    p[i].txq.queue_id, (unsigned long long)p[i].txq.dma_ring_addr, p[i].txq.ring_len,
			    (unsigned long long)p[i].rxq.dma_ring_addr, p[i].rxq.ring_len,
			    p[i].rxq.databuffer_size, p[i].rxq.max_pkt_size, p[i].rxq.rxdid);
	pf_trace_in(op, "%s", l.s);
	if (!pf_allowed(op, h.vsi_id))
		return;
	if (n > VIRTCHNL_MAX_QUEUE_PAIRS) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "num_queue_pairs %u > 16", n);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		if (!check_qpair(&p[i], h.vsi_id, why, sizeof(why))) {
			pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "%s", why);
			return;
		}
	for (unsigned i = 0; i < n; i++) {
		unsigned q = p[i].txq.queue_id;
		struct sim_txq_cfg t = { p[i].txq.dma_ring_addr, p[i].txq.ring_len };
		struct sim_rxq_cfg r = { p[i].rxq.dma_ring_addr, p[i].rxq.ring_len, p[i].rxq.databuffer_size,
					 p[i].rxq.max_pkt_size, pf_pers->rx_format(&p[i].rxq) };
		dev_config_txq(q, &t);
		dev_config_rxq(q, &r);
		pf_vf.txq_len[q] = t.len;
		pf_vf.rxq_len[q] = r.len;
	}
	pf_ok(op);
}

/* i40e_vc_config_irq_map_msg */
static bool check_vecmap(const struct virtchnl_vector_map *m, char *why, size_t n)
{
	uint32_t all = (1u << pf_vf.num_qp) - 1;

	if (m->vector_id >= sim_opts.vectors)
		snprintf(why, n, "vector_id %u: the VF has %u vectors", m->vector_id, sim_opts.vectors);
	else if (m->vsi_id != pf_pers->vsi_id)
		snprintf(why, n, "vector %u: vsi_id %u is not this VF's (%u)", m->vector_id, m->vsi_id,
			 pf_pers->vsi_id);
	else if (!m->vector_id && (m->rxq_map || m->txq_map) && !pf_pers->queues_on_vector0)
		snprintf(why, n, "vector 0: rxq_map 0x%x / txq_map 0x%x: %s maps no queue to the misc vector "
			 "(ice_vc_cfg_irq_map_msg)", m->rxq_map, m->txq_map, pf_pers->name);
	else if ((m->rxq_map & ~all) || (m->txq_map & ~all))
		snprintf(why, n, "vector %u: rxq_map 0x%x / txq_map 0x%x name queues beyond the VSI's %u",
			 m->vector_id, m->rxq_map, m->txq_map, pf_vf.num_qp);
	/* ITR indexes are 0..2 (i40e_register.h, I40E_VFINT_ITRN1_MAX_INDEX);
	 * i40e would program the low 2 bits unchecked, 3 meaning "no ITR":
	 * refuse rather than guess */
	else if (m->rxitr_idx >= AVF_ITR_INDEXES || m->txitr_idx >= AVF_ITR_INDEXES)
		snprintf(why, n, "vector %u: ITR index rx %u / tx %u: must be 0..2", m->vector_id,
			 m->rxitr_idx, m->txitr_idx);
	else
		return true;
	return false;
}

void pf_config_irq_map(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_vector_map m[AVF_MAX_VECTORS];
	struct pf_line l = { .n = 0 };
	uint16_t n;
	char why[160];

	(void)len;
	memcpy(&n, msg, sizeof(n));
	if (n <= AVF_MAX_VECTORS)
		memcpy(m, msg + offsetof(struct virtchnl_irq_map_info, vecmap), n * sizeof(m[0]));
	pf_line_add(&l, "vectors=%u", n);
	for (unsigned i = 0; i < n && n <= AVF_MAX_VECTORS; i++)
		pf_line_add(&l, " v%u: vsi=%u rxq=0x%x txq=0x%x itr=%u/%u", m[i].vector_id, m[i].vsi_id,
			    m[i].rxq_map, m[i].txq_map, m[i].rxitr_idx, m[i].txitr_idx);
	pf_trace_in(op, "%s", l.s);
	if (!pf_allowed(op, -1))
		return;
	if (n > sim_opts.vectors || n > AVF_MAX_VECTORS) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "num_vectors %u: the VF has %u", n,
			 sim_opts.vectors);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		if (!check_vecmap(&m[i], why, sizeof(why))) {
			pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "%s", why);
			return;
		}
	for (unsigned i = 0; i < n; i++)
		dev_map_vector(m[i].vector_id, m[i].rxq_map, m[i].txq_map, m[i].rxitr_idx, m[i].txitr_idx);
	pf_ok(op);
}

/* i40e_vc_validate_vqs_bitmaps: the queue_select checks shared by
 * ENABLE/DISABLE_QUEUES; replies and returns false on failure. */
static bool queue_select_ok(uint32_t op, const uint8_t *msg, struct virtchnl_queue_select *s)
{
	uint32_t all = (1u << pf_vf.num_qp) - 1;

	memcpy(s, msg, sizeof(*s));
	pf_trace_in(op, "vsi=%u rx=0x%x tx=0x%x", s->vsi_id, s->rx_queues, s->tx_queues);
	if (!pf_allowed(op, s->vsi_id))
		return false;
	if ((!s->rx_queues && !s->tx_queues) || s->rx_queues >= 1u << AVF_MAX_QUEUES ||
	    s->tx_queues >= 1u << AVF_MAX_QUEUES)
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0,
			 "bitmaps rx 0x%x tx 0x%x: not both zero, each below bit 16", s->rx_queues, s->tx_queues);
	else if ((s->rx_queues | s->tx_queues) & ~all)
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "bitmaps rx 0x%x tx 0x%x: the VSI has %u queues",
			 s->rx_queues, s->tx_queues, pf_vf.num_qp);
	else
		return true;
	return false;
}

/* Enable RX then TX (i40e_vc_enable_queues_msg), then tell the VF the link
 * state (i40e_vc_process_vf_msg calls i40e_vc_notify_vf_link_state).  A
 * queue without a configured ring cannot start (i40e: the enable times out). */
void pf_enable_queues(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_queue_select s;
	int err = 0;

	/* i40e_vc_enable_queues_msg checks is_disabled_from_host first; the
	 * link state follows the reply whatever it was (i40e_vc_process_vf_msg). */
	if (pf_disabled_from_host()) {
		pf_trace_in(op, "(%u bytes)", len);
		pf_dmesg("Admin has disabled VF 0, will not enable queues");
		pf_reply(op, PF_STATUS_EPERM, NULL, 0, "the host set the VF's link state to disable");
		pf_link_event(pf_vf_link_up());
		return;
	}
	if (!queue_select_ok(op, msg, &s))
		return;
	for (unsigned q = 0; q < pf_vf.num_qp; q++)
		if ((s.rx_queues & (1u << q) && !pf_vf.rxq_len[q]) || (s.tx_queues & (1u << q) && !pf_vf.txq_len[q])) {
			pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0,
				 "queue %u has no %s ring: CONFIG_VSI_QUEUES first", q,
				 s.rx_queues & (1u << q) && !pf_vf.rxq_len[q] ? "RX" : "TX");
			return;
		}
	for (unsigned q = 0; q < pf_vf.num_qp; q++)
		if (s.rx_queues & (1u << q))
			err |= dev_enable_rxq(q, true);
	for (unsigned q = 0; q < pf_vf.num_qp; q++)
		if (s.tx_queues & (1u << q))
			err |= dev_enable_txq(q, true);
	if (err) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "the device has no configuration for a queue");
		return;
	}
	if (!pf_vf.enabled_once) {
		pf_vf.enabled_once = true;
		pf_vf.enabled_ns = sim_now_ns();
	}
	pf_vf.qs_ena |= s.rx_queues | s.tx_queues << AVF_MAX_QUEUES;
	pf_ok(op);
	/* i40e_vc_process_vf_msg and ice_vc_process_vf_msg both follow
	 * ENABLE_QUEUES with the VF's link state */
	pf_link_event(pf_vf_link_up());
}

/* TX then RX.  Stopping a queue that never started is no error (i40e waits
 * for "disabled", which it already is). */
void pf_disable_queues(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_queue_select s;

	(void)len;
	if (!queue_select_ok(op, msg, &s))
		return;
	for (unsigned q = 0; q < pf_vf.num_qp; q++)
		if (s.tx_queues & (1u << q))
			dev_enable_txq(q, false);
	for (unsigned q = 0; q < pf_vf.num_qp; q++)
		if (s.rx_queues & (1u << q))
			dev_enable_rxq(q, false);
	pf_vf.qs_ena &= ~(s.rx_queues | s.tx_queues << AVF_MAX_QUEUES);
	pf_ok(op);
}

/* i40e_ndo_set_vf_link_state, disable: the PF stops every ring of the VSI
 * (i40e_ctrl_vf_tx_rings, then i40e_ctrl_vf_rx_rings) behind the VF's back. */
void pf_queues_stop(void)
{
	for (unsigned q = 0; q < pf_vf.num_qp; q++)
		dev_enable_txq(q, false);
	for (unsigned q = 0; q < pf_vf.num_qp; q++)
		dev_enable_rxq(q, false);
	pf_vf.qs_ena = 0;
}

/* i40e_vc_get_stats_msg: the VSI's counters, from zero for each new VSI (a
 * VF reset makes one: pf_vsi_alloc, i40e_alloc_vsi_res).  i40e reads them
 * as 48-bit (bytes, packets) and 32-bit (discards, errors, unknown
 * protocol) hardware counters, so they wrap there.  Errors still carry 96
 * zero bytes, as i40e sends. */
void pf_get_stats(uint32_t op, const uint8_t *msg, uint16_t len)
{
	const uint64_t m48 = (1ull << 48) - 1, m32 = (1ull << 32) - 1;
	struct virtchnl_queue_select s;
	struct virtchnl_eth_stats st = dev_vsi_stats;
	char why[96];

	(void)len;
	memcpy(&s, msg, sizeof(s));
	pf_trace_in(op, "vsi=%u", s.vsi_id);
	if (!pf_check(s.vsi_id, why, sizeof(why))) {
		memset(&st, 0, sizeof(st));
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, &st, sizeof(st), "%s", why);
		return;
	}
	st.rx_bytes &= m48;
	st.rx_unicast &= m48;
	st.rx_multicast &= m48;
	st.rx_broadcast &= m48;
	st.tx_bytes &= m48;
	st.tx_unicast &= m48;
	st.tx_multicast &= m48;
	st.tx_broadcast &= m48;
	st.rx_discards &= m32;
	st.rx_unknown_protocol &= m32;
	st.tx_discards &= m32;
	st.tx_errors &= m32;
	pf_reply(op, VIRTCHNL_STATUS_SUCCESS, &st, sizeof(st),
		 "rx_bytes=%llu rx_unicast=%llu rx_multicast=%llu rx_broadcast=%llu rx_discards=%llu "
		 "tx_bytes=%llu tx_unicast=%llu tx_multicast=%llu tx_broadcast=%llu tx_errors=%llu",
		 (unsigned long long)st.rx_bytes, (unsigned long long)st.rx_unicast,
		 (unsigned long long)st.rx_multicast, (unsigned long long)st.rx_broadcast,
		 (unsigned long long)st.rx_discards, (unsigned long long)st.tx_bytes,
		 (unsigned long long)st.tx_unicast, (unsigned long long)st.tx_multicast,
		 (unsigned long long)st.tx_broadcast, (unsigned long long)st.tx_errors);
}

/* i40e_vc_config_rss_key: the PF writes the VF's VFQF_HKEY registers
 * (i40e_config_rss_reg). */
void pf_config_rss_key(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_rss_key k;
	const uint8_t *key = msg + offsetof(struct virtchnl_rss_key, key);
	struct pf_line l = { .n = 0 };

	(void)len;
	memcpy(&k, msg, offsetof(struct virtchnl_rss_key, key));
	pf_line_add(&l, "vsi=%u key_len=%u key=", k.vsi_id, k.key_len);
	for (unsigned i = 0; i < k.key_len && i < VIRTCHNL_RSS_KEY_SIZE; i++)
		pf_line_add(&l, "%02x", key[i]);
	pf_trace_in(op, "%s", l.s);
	if (!pf_allowed(op, k.vsi_id))
		return;
	if (k.key_len != VIRTCHNL_RSS_KEY_SIZE) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "key_len %u, must be 52", k.key_len);
		return;
	}
	pf_write_bytes(VFQF_HKEY(0), key, VIRTCHNL_RSS_KEY_SIZE);
	pf_ok(op);
}

/* i40e_vc_config_rss_lut: 64 entries, each a queue of the VSI, into
 * VFQF_HLUT. */
void pf_config_rss_lut(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_rss_lut h;
	const uint8_t *lut = msg + offsetof(struct virtchnl_rss_lut, lut);
	struct pf_line l = { .n = 0 };

	(void)len;
	memcpy(&h, msg, offsetof(struct virtchnl_rss_lut, lut));
	pf_line_add(&l, "vsi=%u entries=%u lut=", h.vsi_id, h.lut_entries);
	for (unsigned i = 0; i < h.lut_entries && i < VIRTCHNL_RSS_LUT_SIZE; i++)
		pf_line_add(&l, "%s%u", i ? "," : "", lut[i]);
	pf_trace_in(op, "%s", l.s);
	if (!pf_allowed(op, h.vsi_id))
		return;
	if (h.lut_entries != VIRTCHNL_RSS_LUT_SIZE) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "lut_entries %u, must be 64", h.lut_entries);
		return;
	}
	for (unsigned i = 0; i < VIRTCHNL_RSS_LUT_SIZE; i++)
		if (lut[i] >= pf_vf.num_qp) {
			pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "lut[%u] = %u: the VSI has %u queues", i,
				 lut[i], pf_vf.num_qp);
			return;
		}
	pf_write_bytes(VFQF_HLUT(0), lut, VIRTCHNL_RSS_LUT_SIZE);
	pf_ok(op);
}

void pf_get_rss_hena_caps(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_rss_hena h = { pf_pers->hena_caps() };

	(void)msg;
	(void)len;
	pf_trace_in(op, "%s", "");
	if (pf_allowed(op, -1))
		pf_reply(op, VIRTCHNL_STATUS_SUCCESS, &h, sizeof(h), "hena=0x%016llx", (unsigned long long)h.hena);
}

/* ice_vc_query_rxdid: the VF must be ACTIVE with RX_FLEX_DESC negotiated;
 * the answer is the RXDIDs the device can write.  i40e has no such message
 * (pf.c answers ERR_NOT_SUPPORTED: pf_personality.implements). */
void pf_get_supported_rxdids(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_supported_rxdids r = { pf_pers->supported_rxdids };

	(void)msg;
	(void)len;
	pf_trace_in(op, "%s", "");
	if (!pf_allowed(op, -1))
		return;
	if (!(pf_vf.granted & VIRTCHNL_VF_OFFLOAD_RX_FLEX_DESC)) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "RX_FLEX_DESC was not negotiated");
		return;
	}
	pf_reply(op, VIRTCHNL_STATUS_SUCCESS, &r, sizeof(r), "supported_rxdids=0x%016llx",
		 (unsigned long long)r.supported_rxdids);
}

/* Any 64-bit set is written as is to VFQF_HENA(0/1); i40e does not check it. */
void pf_set_rss_hena(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_rss_hena h;

	(void)len;
	memcpy(&h, msg, sizeof(h));
	pf_trace_in(op, "hena=0x%016llx", (unsigned long long)h.hena);
	if (!pf_allowed(op, -1))
		return;
	pf_write_hena(h.hena);
	pf_ok(op);
}

