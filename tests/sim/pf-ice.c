/* SPDX-License-Identifier: MIT
 *
 * pf-ice.c - the PF personality of Linux ice, which serves the E810 VF
 * 8086:1889.  Only what differs from i40e is here; each rule names the ice
 * function it follows (drivers/net/ethernet/intel/ice/: ice_virtchnl.c,
 * ice_virtchnl_allowlist.c, virt/queues.c, ice_lib.c, ice_vf_lib.c,
 * ice_flow.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "pf.h"

/* ice_vc_isvalid_vsi_id: every VF's VSI is ICE_VF_VSI_ID, whatever its
 * hardware number; GET_VF_RESOURCES reports that one. */
#define ICE_VF_VSI_ID 1
/* ice_vc_get_vf_res_msg sends virtchnl_struct_size(vfres, vsi_res, 0):
 * the 20-byte header and one 16-byte vsi_res, 36 bytes (i40e sends 52). */
#define ICE_RESOURCES_LEN 36
/* ice_vc_isvalid_ring_len: 0, or ICE_MIN_NUM_DESC..ICE_MAX_NUM_DESC_E810 in
 * steps of ICE_REQ_DESC_MULTIPLE, for TX and RX alike. */
#define ICE_MIN_NUM_DESC 64
#define ICE_MAX_NUM_DESC_E810 8160
#define ICE_REQ_DESC_MULTIPLE 32
/* ice_vc_cfg_qs_msg: databuffer_size 0 or 128..(16 * 1024 - 128). */
#define ICE_MIN_RX_BUFFER 128
/* ice_vc_get_max_frame_size: the port's max frame size (E810:
 * ICE_AQ_SET_MAC_FRAME_SIZE_MAX, 9728) bounds max_pkt_size. */
#define ICE_MAX_FRAME 9728
/* ice_flow.h ICE_DEFAULT_RSS_HENA, in the AVF (i40e PCTYPE) numbering that
 * GET_RSS_HENA_CAPS and SET_RSS_HENA use: IPv4/IPv6 TCP, UDP, SCTP, other,
 * fragments, TCP SYN without ACK, unicast and multicast UDP; no L2 payload. */
#define ICE_RSS_HENA 0x00007F9FE0000000ull
/* ice_vc_query_rxdid reports pf->supported_rxdids: ICE_RXDID_LEGACY_1 and the
 * flexible profiles the DDP package enables (GLFLXP_RXDID_FLAGS).  Here: the
 * legacy one and 22 (Comms OVS), the flexible one the simulated device
 * writes (rxflex.c). */
#define ICE_SUPPORTED_RXDIDS (1ull << VIRTCHNL_RXDID_1_32B_BASE | 1ull << SIM_RXDID_FLEX_COMMS_OVS)
/* A VFLR (VFIO_DEVICE_RESET) raises the PF's OICR VFLR interrupt, which
 * only schedules the service task: ice_process_vflr_event finds the VF in
 * GLGEN_VFLRSTAT and calls ice_reset_vf(ICE_VF_RESET_VFLR), whose
 * ice_trigger_vf_reset zeroes the VF's mailbox lengths
 * (clear_mbx_register: VF_MBX_ARQLEN/VF_MBX_ATQLEN, the VF's VF_ARQLEN1 and
 * VF_ATQLEN1) before the VSI is rebuilt and VFGEN_RSTAT set to VFACTIVE
 * (ice_sriov_post_vsi_rebuild).  Until then RSTAT reads VFR_INPROGRESS.
 * The delay is the model's choice. */
#define ICE_VFLR_REBUILD_NS (20 * PF_MS)

/* ice_vc_get_vf_res_msg: L2 always; the rest only when the VF asks.
 * VLAN (ice_vc_get_vlan_caps): VLAN_V2 to a VF asking for it (whatever else
 * it asked, port VLAN or not: GET_OFFLOAD_VLAN_V2_CAPS then says what is
 * possible); otherwise VLAN to a VF asking for VLAN.  The model is a PF in
 * single VLAN mode (SVM), the E810's default (ice_is_dvm_ena false), where
 * a port VLAN takes VLAN (v1) away (pf.c drops it for every PF).  Granted by
 * ice but withheld here because the simulator does not model their messages
 * or descriptor formats: FDIR_PF, TC_U32, ADV_RSS_PF, CRC, USO, QOS.
 * RX_FLEX_DESC is granted, with the RXDIDs the simulated device can write
 * (ICE_SUPPORTED_RXDIDS).  ice never grants RSS_REG, RSS_AQ or
 * ADV_LINK_SPEED unasked. */
static uint32_t ice_grant(uint32_t req)
{
	const uint32_t if_asked = VIRTCHNL_VF_OFFLOAD_RSS_PF | VIRTCHNL_VF_OFFLOAD_RX_FLEX_DESC |
				  VIRTCHNL_VF_OFFLOAD_RSS_PCTYPE_V2 | VIRTCHNL_VF_OFFLOAD_ENCAP |
				  VIRTCHNL_VF_OFFLOAD_ENCAP_CSUM | VIRTCHNL_VF_OFFLOAD_RX_POLLING |
				  VIRTCHNL_VF_OFFLOAD_WB_ON_ITR | VIRTCHNL_VF_OFFLOAD_REQ_QUEUES |
				  VIRTCHNL_VF_CAP_ADV_LINK_SPEED;
	uint32_t vlan = req & VIRTCHNL_VF_OFFLOAD_VLAN;

	if (req & VIRTCHNL_VF_OFFLOAD_VLAN_V2)
		vlan = VIRTCHNL_VF_OFFLOAD_VLAN_V2;
	return VIRTCHNL_VF_OFFLOAD_L2 | vlan | (req & if_asked);
}

/* ice_vc_get_offload_vlan_v2_caps in single VLAN mode (ice_vc_set_svm_caps):
 * with a port VLAN nothing at all (max_filters 0); otherwise filtering,
 * stripping and insertion of the single tag, 0x8100 only, reported as
 * "inner", stripped into and inserted from L2TAG1, both switchable
 * (TOGGLE), stripping and insertion sharing their ethertype.  max_filters:
 * ice_vc_get_max_vlan_fltrs, ICE_MAX_VLAN_PER_VF (8) for an untrusted VF,
 * VLAN_N_VID (4096) for a trusted one. */
#define ICE_MAX_VLAN_PER_VF 8
#define ICE_VLAN_N_VID 4096

static void ice_vlan_v2_caps(struct virtchnl_vlan_caps *c)
{
	const uint32_t offload = VIRTCHNL_VLAN_ETHERTYPE_8100 | VIRTCHNL_VLAN_TOGGLE | VIRTCHNL_VLAN_TAG_LOCATION_L2TAG1;

	if (pf_admin.port_vlan)
		return;
	c->filtering.filtering_support.inner = VIRTCHNL_VLAN_ETHERTYPE_8100;
	c->filtering.ethertype_init = VIRTCHNL_VLAN_ETHERTYPE_8100;
	c->filtering.max_filters = pf_admin.trust ? ICE_VLAN_N_VID : ICE_MAX_VLAN_PER_VF;
	c->offloads.stripping_support.inner = offload;
	c->offloads.insertion_support.inner = offload;
	c->offloads.ethertype_init = VIRTCHNL_VLAN_ETHERTYPE_8100;
	c->offloads.ethertype_match = VIRTCHNL_ETHERTYPE_STRIPPING_MATCHES_INSERTION;
}

/* ice_virtchnl_allowlist.c.  After a reset only default_allowlist_opcodes;
 * a successful GET_VF_RESOURCES adds working_allowlist_opcodes and those of
 * each granted capability (ice_vc_set_caps_allowlist); the next reset
 * clears them (ice_vc_set_default_allowlist).  ice_vc_process_vf_msg
 * answers any other opcode ERR_NOT_SUPPORTED, before its length check. */
static const uint32_t ice_default_ops[] = {
	VIRTCHNL_OP_GET_VF_RESOURCES, VIRTCHNL_OP_VERSION, VIRTCHNL_OP_RESET_VF,
};
static const uint32_t ice_working_ops[] = {
	VIRTCHNL_OP_CONFIG_TX_QUEUE, VIRTCHNL_OP_CONFIG_RX_QUEUE, VIRTCHNL_OP_CONFIG_VSI_QUEUES,
	VIRTCHNL_OP_CONFIG_IRQ_MAP, VIRTCHNL_OP_ENABLE_QUEUES, VIRTCHNL_OP_DISABLE_QUEUES,
	VIRTCHNL_OP_GET_STATS, VIRTCHNL_OP_EVENT,
};
static const struct {
	uint32_t cap;
	uint32_t ops[7];
	unsigned n;
} ice_cap_ops[] = {
	{ VIRTCHNL_VF_OFFLOAD_L2,
	  { VIRTCHNL_OP_ADD_ETH_ADDR, VIRTCHNL_OP_DEL_ETH_ADDR, VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE }, 3 },
	{ VIRTCHNL_VF_OFFLOAD_REQ_QUEUES, { VIRTCHNL_OP_REQUEST_QUEUES }, 1 },
	{ VIRTCHNL_VF_OFFLOAD_VLAN,
	  { VIRTCHNL_OP_ADD_VLAN, VIRTCHNL_OP_DEL_VLAN, VIRTCHNL_OP_ENABLE_VLAN_STRIPPING,
	    VIRTCHNL_OP_DISABLE_VLAN_STRIPPING }, 4 },
	{ VIRTCHNL_VF_OFFLOAD_VLAN_V2,
	  { VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS, VIRTCHNL_OP_ADD_VLAN_V2, VIRTCHNL_OP_DEL_VLAN_V2,
	    VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2, VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2,
	    VIRTCHNL_OP_ENABLE_VLAN_INSERTION_V2, VIRTCHNL_OP_DISABLE_VLAN_INSERTION_V2 }, 7 },
	{ VIRTCHNL_VF_OFFLOAD_RX_FLEX_DESC, { VIRTCHNL_OP_GET_SUPPORTED_RXDIDS }, 1 },
	{ VIRTCHNL_VF_OFFLOAD_RSS_PF,
	  { VIRTCHNL_OP_CONFIG_RSS_KEY, VIRTCHNL_OP_CONFIG_RSS_LUT, VIRTCHNL_OP_GET_RSS_HENA_CAPS,
	    VIRTCHNL_OP_SET_RSS_HENA }, 4 },
	{ VIRTCHNL_VF_OFFLOAD_ADV_RSS_PF, { VIRTCHNL_OP_ADD_RSS_CFG, VIRTCHNL_OP_DEL_RSS_CFG }, 2 },
	{ VIRTCHNL_VF_OFFLOAD_FDIR_PF, { VIRTCHNL_OP_ADD_FDIR_FILTER, VIRTCHNL_OP_DEL_FDIR_FILTER }, 2 },
};

static bool op_in(uint32_t op, const uint32_t *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == op)
			return true;
	return false;
}

static bool ice_op_allowed(uint32_t op)
{
	if (op_in(op, ice_default_ops, sizeof(ice_default_ops) / sizeof(ice_default_ops[0])))
		return true;
	if (pf_vf.state != PF_ACTIVE)
		return false;
	if (op_in(op, ice_working_ops, sizeof(ice_working_ops) / sizeof(ice_working_ops[0])))
		return true;
	for (size_t i = 0; i < sizeof(ice_cap_ops) / sizeof(ice_cap_ops[0]); i++)
		if ((pf_vf.granted & ice_cap_ops[i].cap) && op_in(op, ice_cap_ops[i].ops, ice_cap_ops[i].n))
			return true;
	return false;
}

static bool ring_len_ok(uint32_t len)
{
	return len == 0 || (len >= ICE_MIN_NUM_DESC && len <= ICE_MAX_NUM_DESC_E810 && len % ICE_REQ_DESC_MULTIPLE == 0);
}

/* ice_vc_cfg_qs_msg (virt/queues.c): per pair, head write-back refused,
 * both ring lengths by ice_vc_isvalid_ring_len; for an RX ring that exists,
 * crc_disable only with CRC granted, databuffer_size 0 or 128..16256,
 * 64 <= max_pkt_size <= the port's max frame.  rxdid is read only with
 * RX_FLEX_DESC; without it ice programs ICE_RXDID_LEGACY_1 (32-byte legacy
 * descriptors) whatever the VF sent. */
static bool ice_qpair_ok(const struct virtchnl_queue_pair_info *p, char *why, size_t n)
{
	const struct virtchnl_txq_info *t = &p->txq;
	const struct virtchnl_rxq_info *r = &p->rxq;
	unsigned q = t->queue_id;

	if (t->headwb_enabled)
		snprintf(why, n, "q%u: headwb_enabled: ice has no TX head write-back", q);
	else if (!ring_len_ok(t->ring_len) || !ring_len_ok(r->ring_len))
		snprintf(why, n, "q%u: ring_len tx %u / rx %u: each must be 0 or 64..8160 in steps of 32", q,
			 t->ring_len, r->ring_len);
	else if (!r->ring_len)
		return true;
	else if (r->crc_disable && !(pf_vf.granted & VIRTCHNL_VF_OFFLOAD_CRC))
		snprintf(why, n, "q%u: crc_disable without the CRC capability", q);
	/* ice accepts 0 and sizes that are not multiples of 128 (the context
	 * holds DIV_ROUND_UP(size, 128)); the simulated device needs the size
	 * the hardware would write, so it refuses those (README: approximate) */
	else if (r->databuffer_size < ICE_MIN_RX_BUFFER || r->databuffer_size > VIRTCHNL_MAX_RX_BUFFER ||
		 r->databuffer_size % VIRTCHNL_RX_BUFFER_ALIGN)
		snprintf(why, n, "q%u: databuffer_size %u: must be 128..16256 (the simulator also wants a "
			 "multiple of 128)", q, r->databuffer_size);
	else if (r->max_pkt_size < VIRTCHNL_MIN_PKT_SIZE || r->max_pkt_size > ICE_MAX_FRAME)
		snprintf(why, n, "q%u: max_pkt_size %u: must be 64..%u (the port's max frame)", q, r->max_pkt_size,
			 ICE_MAX_FRAME);
	else if ((pf_vf.granted & VIRTCHNL_VF_OFFLOAD_RX_FLEX_DESC) &&
		 (r->rxdid >= 64 || !(ICE_SUPPORTED_RXDIDS >> r->rxdid & 1)))
		snprintf(why, n, "q%u: rxdid %u is not in supported_rxdids 0x%llx", q, r->rxdid,
			 (unsigned long long)ICE_SUPPORTED_RXDIDS);
	else
		return true;
	return false;
}

static uint8_t ice_rx_format(const struct virtchnl_rxq_info *r)
{
	if (pf_vf.granted & VIRTCHNL_VF_OFFLOAD_RX_FLEX_DESC)
		return r->rxdid;
	return VIRTCHNL_RXDID_1_32B_BASE; /* ICE_RXDID_LEGACY_1 */
}

static uint64_t ice_hena(void)
{
	return ICE_RSS_HENA;
}

/* A 64-bit step of splitmix: the key only has to differ from reset to
 * reset, as netdev_rss_key_fill's random one does. */
static uint64_t key_next(uint64_t *s)
{
	uint64_t x = *s += 0x9e3779b97f4a7c15ull;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* ice_vsi_cfg_def, case ICE_VSI_VF, at every VSI (re)build (each VF reset):
 * ice_vsi_cfg_rss_lut_key fills LUT entry i with i % min(rss_size, num_rxq)
 * (ice_fill_rss_lut; a VF's rss_size is ICE_MAX_RSS_QS_PER_VF, 16) and a
 * random key (netdev_rss_key_fill); ice_vsi_set_vf_rss_flow_fld hashes the
 * ICE_DEFAULT_RSS_HENA set. */
static void ice_rss_reset(void)
{
	static uint64_t seed;
	uint8_t key[VIRTCHNL_RSS_KEY_SIZE];
	uint8_t lut[VIRTCHNL_RSS_LUT_SIZE];
	unsigned qs = pf_vf.num_qp < VIRTCHNL_MAX_QUEUE_PAIRS ? pf_vf.num_qp : VIRTCHNL_MAX_QUEUE_PAIRS;

	if (!seed)
		seed = sim_now_ns();
	for (unsigned i = 0; i < VIRTCHNL_RSS_KEY_SIZE; i++)
		key[i] = (uint8_t)key_next(&seed);
	for (unsigned i = 0; i < VIRTCHNL_RSS_LUT_SIZE; i++)
		lut[i] = (uint8_t)(i % qs);
	pf_write_bytes(VFQF_HKEY(0), key, VIRTCHNL_RSS_KEY_SIZE);
	pf_write_bytes(VFQF_HLUT(0), lut, VIRTCHNL_RSS_LUT_SIZE);
	pf_write_hena(ICE_RSS_HENA);
}


/* ice_check_vf_ready_for_cfg, which every ice_set_vf_* calls (ice_set_vf_mac
 * after its "MAC already set" test): ice_wait_on_vf_reset polls
 * ICE_VF_STATE_INIT ICE_MAX_VF_RESET_TRIES (40) times,
 * ICE_MAX_VF_RESET_SLEEP_MS (20) apart; a VF still in reset then has
 * ICE_VF_STATE_DIS set (ice_reset_vf sets it before the reset, and
 * ice_vf_set_initialized clears it with INIT), so ice_is_vf_disabled
 * answers -EINVAL without a log line.  ice_check_vf_init's -EBUSY ("VF ID:
 * %u in reset. Try again.") needs INIT clear without DIS, which no reset of
 * the model leaves.  ice_set_vf_link_state sets link_forced/link_up and
 * sends ice_vc_notify_vf_link_state: no reset, the queues run on. */
static const struct pf_host_rules ice_host = {
	.wait_actions = 1u << SIM_HOST_MAC | 1u << SIM_HOST_TRUST | 1u << SIM_HOST_SPOOFCHK |
			1u << SIM_HOST_LINK | 1u << SIM_HOST_VLAN,
	.wait_ms = 40 * 20,
	.wait_errno = "-EINVAL",
	.wait_dmesg = NULL,
	.mac_same_is_noop = true,
	.link_resets = false,
	/* ice_set_vf_mac's netdev_info lines (the real ones also name the
	 * PF's netdev after the BDF); ice_set_vf_port_vlan's, QoS 0 and TPID
	 * 0x8100 (ETH_P_8021Q) here */
	.mac_set_tail = " on VF 0. VF driver will be reinitialized",
	.mac_removed = "Removing MAC on VF 0. VF driver will be reinitialized",
	.mac_after = NULL,
	.vlan_set_tail = ", QoS 0, TPID 0x8100 on VF 0",
	.vlan_cleared = "Clearing port VLAN on VF 0",
};

const struct pf_personality pf_ice = {
	.name = "ice",
	.vsi_id = ICE_VF_VSI_ID,
	.resources_len = ICE_RESOURCES_LEN,
	/* ice_vc_get_vf_res_msg: a 1.0 VF is taken to want L2|VLAN */
	.caps_v10 = VIRTCHNL_VF_OFFLOAD_L2 | VIRTCHNL_VF_OFFLOAD_VLAN,
	.grant = ice_grant,
	.op_allowed = ice_op_allowed,
	.implements = NULL, /* the allow-list stops what ice has no case for */
	.qpair_ok = ice_qpair_ok,
	/* ice_vc_cfg_irq_map_msg: vector 0 with a non-empty rxq_map or txq_map
	 * is ERR_PARAM (MSI-X 0 is the VF's misc vector) */
	.queues_on_vector0 = false,
	/* ice_is_vf_link_up: down while ice_vf_has_no_qs_ena */
	.link_needs_queues = true,
	.rss_reset = ice_rss_reset,
	.hena_caps = ice_hena,
	/* a new VSI does not strip; right after GET_VF_RESOURCES
	 * (ice_vc_process_vf_msg) ice_vf_init_vlan_stripping turns stripping on
	 * for a VF granted VLAN (v1), off for one granted VLAN_V2 or neither */
	.vlan_strip = false,
	.strip_follows_grant = true,
	/* ice_vf_rebuild_host_vlan_cfg -> ena_rx_filtering: VLAN pruning on */
	.vlan_prune = true,
	/* ice_trigger_vf_reset has no such wait */
	.sync_vfr_reset = false,
	.supported_rxdids = ICE_SUPPORTED_RXDIDS,
	.rx_format = ice_rx_format,
	/* ice_vc_add_vlan_msg leaves stripping as it is */
	.vlan_add_strips = false,
	/* ice_vc_get_vf_res_msg reports vf->hw_lan_addr, learnt or not */
	.default_mac_needs_uso = false,
	.vflr_rebuild_ns = ICE_VFLR_REBUILD_NS,
	.host = &ice_host,
	.vlan_v2_caps = ice_vlan_v2_caps,
};
