/* SPDX-License-Identifier: MIT
 *
 * pf-i40e.c - the PF personality of Linux i40e (i40e_virtchnl_pf.c), which
 * serves the 700 Series VFs: 8086:154c, 1571 and 37cd.  Only what differs
 * from ice is here; the shared model is pf.c, pf-queues.c, pf-filters.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "pf.h"

/* vsi_res[0].vsi_id: i40e reports the VF VSI's hardware id (lan_vsi_id) and
 * i40e_vc_isvalid_vsi_id accepts only that one.  Any realistic number. */
#define I40E_SIM_VSI_ID 18
/* i40e_vc_get_vf_resources_msg sends sizeof(virtchnl_vf_resource) (36, one
 * vsi_res) + 16 per VSI: 52 bytes for one VSI (the legacy pad). */
#define I40E_RESOURCES_LEN 52

/* The offloads i40e grants only where the silicon has them, per VF device
 * id.  i40e_vc_get_vf_resources_msg grants WB_ON_ITR, RSS_PCTYPE_V2 and
 * ENCAP_CSUM only when pf->hw_features has them, and i40e_sw_init sets those
 * (I40E_HW_WB_ON_ITR_CAPABLE, I40E_HW_MULTIPLE_TCP_UDP_RSS_PCTYPE,
 * I40E_HW_OUTER_UDP_CSUM_CAPABLE) for X722 only.  An 8086:1889 served by
 * i40e (--pf i40e) gets what an XL710 has. */
#define I40E_HW_X722 (VIRTCHNL_VF_OFFLOAD_WB_ON_ITR | VIRTCHNL_VF_OFFLOAD_RSS_PCTYPE_V2 | \
		      VIRTCHNL_VF_OFFLOAD_ENCAP_CSUM)

static uint32_t i40e_hw_caps(void)
{
	return sim_opts.device_id == AVF_DEV_ID_X722_VF ? I40E_HW_X722 : 0;
}

/* i40e_vc_get_vf_resources_msg: always L2, ADV_LINK_SPEED and VLAN (no port
 * VLAN here).  RSS_PF if asked, else RSS_REG: RSS_AQ needs an X722 and the
 * AQ RSS commands, which the simulated firmware does not have.  REQ_QUEUES,
 * ENCAP and RX_POLLING if asked; the hardware-dependent ones if asked and the
 * device has them.  Never RX_FLEX_DESC, VLAN_V2, ADV_RSS_PF, FDIR_PF, USO,
 * CRC, LARGE_NUM_QPAIRS, QOS, PTP, DCF, IPSEC, ADQ, IWARP. */
static uint32_t i40e_grant(uint32_t req)
{
	uint32_t caps = VIRTCHNL_VF_OFFLOAD_L2 | VIRTCHNL_VF_CAP_ADV_LINK_SPEED | VIRTCHNL_VF_OFFLOAD_VLAN;

	if (req & VIRTCHNL_VF_OFFLOAD_RSS_PF)
		caps |= VIRTCHNL_VF_OFFLOAD_RSS_PF;
	else
		caps |= VIRTCHNL_VF_OFFLOAD_RSS_REG;
	caps |= req & i40e_hw_caps();
	return caps | (req & (VIRTCHNL_VF_OFFLOAD_REQ_QUEUES | VIRTCHNL_VF_OFFLOAD_ENCAP |
			      VIRTCHNL_VF_OFFLOAD_RX_POLLING));
}

/* i40e_vc_config_queues_msg with i40e_config_vsi_rx_queue and
 * i40e_config_vsi_tx_queue, in i40e's order: the RX ring first. */
static bool i40e_qpair_ok(const struct virtchnl_queue_pair_info *p, char *why, size_t n)
{
	const struct virtchnl_txq_info *t = &p->txq;
	const struct virtchnl_rxq_info *r = &p->rxq;
	unsigned q = t->queue_id;

	if (r->ring_len % VIRTCHNL_RX_RING_MULTIPLE || r->ring_len > VIRTCHNL_MAX_RING_LEN)
		snprintf(why, n, "q%u: rx ring_len %u: must be a multiple of 32, at most 8160", q, r->ring_len);
	else if (r->splithdr_enabled && r->hdr_size > 2048 - 64)
		snprintf(why, n, "q%u: hdr_size %u > 1984", q, r->hdr_size);
	/* i40e programs databuffer_size >> 7 (truncating): refuse what it would
	 * silently shrink, and a zero size on a ring that exists */
	else if (r->databuffer_size % VIRTCHNL_RX_BUFFER_ALIGN || r->databuffer_size > VIRTCHNL_MAX_RX_BUFFER ||
		 (r->ring_len && !r->databuffer_size))
		snprintf(why, n, "q%u: databuffer_size %u: must be a non-zero multiple of 128, at most 16256", q,
			 r->databuffer_size);
	else if (r->max_pkt_size < VIRTCHNL_MIN_PKT_SIZE || r->max_pkt_size >= VIRTCHNL_MAX_PKT_SIZE)
		snprintf(why, n, "q%u: max_pkt_size %u: must be 64..16383", q, r->max_pkt_size);
	/* i40e ignores rxdid and always writes 32-byte legacy descriptors; a
	 * flexible one was never granted, so asking for it is a driver bug */
	else if (r->rxdid > VIRTCHNL_RXDID_1_32B_BASE)
		snprintf(why, n, "q%u: rxdid %u: only the legacy descriptors 0/1 (RX_FLEX_DESC not granted)", q, r->rxdid);
	else if (t->ring_len % VIRTCHNL_TX_RING_MULTIPLE || t->ring_len > VIRTCHNL_MAX_RING_LEN)
		snprintf(why, n, "q%u: tx ring_len %u: must be a multiple of 8, at most 8160", q, t->ring_len);
	else
		return true;
	return false;
}

/* i40e_config_vsi_rx_queue: the 32-byte legacy descriptors, always. */
static uint8_t i40e_rx_format(const struct virtchnl_rxq_info *r)
{
	(void)r;
	return VIRTCHNL_RXDID_1_32B_BASE;
}

/* i40e's default hash enables (i40e_txrx.h I40E_DEFAULT_RSS_HENA: IPv4 and
 * IPv6 UDP, TCP, SCTP, other, fragments, and L2 payload) and the X722 set
 * (I40E_DEFAULT_RSS_HENA_EXPANDED: plus unicast/multicast UDP and TCP
 * SYN-without-ACK), which GET_RSS_HENA_CAPS also reports
 * (i40e_pf_get_default_rss_hena). */
#define I40E_RSS_HENA 0x80007A1E80000000ull
#define I40E_RSS_HENA_EXPANDED 0x80007F9FE0000000ull

static uint64_t i40e_hena(void)
{
	return sim_opts.device_id == AVF_DEV_ID_X722_VF ? I40E_RSS_HENA_EXPANDED : I40E_RSS_HENA;
}

/* i40e_alloc_vsi_res, I40E_VSI_SRIOV, writes only VFQF_HENA: key and LUT
 * keep what the VF's previous user left (rss.c, --lut). */
static void i40e_rss_reset(void)
{
	pf_write_hena(i40e_hena());
}

/* i40e_vc_process_vf_msg's switch has no case for these opcodes, which the
 * model handles for ice: its default case answers "unsupported opcode". */
static bool i40e_implements(uint32_t op)
{
	switch (op) {
	case VIRTCHNL_OP_GET_SUPPORTED_RXDIDS:
	case VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS:
	case VIRTCHNL_OP_ADD_VLAN_V2:
	case VIRTCHNL_OP_DEL_VLAN_V2:
	case VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2:
	case VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2:
	case VIRTCHNL_OP_ENABLE_VLAN_INSERTION_V2:
	case VIRTCHNL_OP_DISABLE_VLAN_INSERTION_V2:
		return false;
	default:
		return true;
	}
}

/* i40e_check_vf_init_timeout: setting the MAC, the port VLAN or spoofchk of
 * a VF in reset waits up to 15 x 20 ms for it, then fails; the
 * administrator's command is lost.  i40e_ndo_set_vf_link_state resets the
 * VF on auto/enable and stops its queues on disable. */
static const struct pf_host_rules i40e_host = {
	.wait_actions = 1u << SIM_HOST_MAC | 1u << SIM_HOST_VLAN | 1u << SIM_HOST_SPOOFCHK,
	.wait_ms = 15 * 20,
	.wait_errno = "-EAGAIN",
	.wait_dmesg = "VF 0 still in reset. Try again.",
	.mac_same_is_noop = false,
	.link_resets = true,
	/* i40e_ndo_set_vf_mac's and i40e_ndo_set_vf_port_vlan's dev_info lines */
	.mac_set_tail = " on VF 0",
	.mac_removed = "Removing MAC on VF 0",
	.mac_after = "Bring down and up the VF interface to make this change effective.",
	.vlan_set_tail = ", QOS 0x0 on VF 0",
	.vlan_cleared = NULL,
};

const struct pf_personality pf_i40e = {
	.name = "i40e",
	.vsi_id = I40E_SIM_VSI_ID,
	.resources_len = I40E_RESOURCES_LEN,
	/* a 1.0 VF cannot say what it wants: i40e assumes L2|RSS_REG|VLAN */
	.caps_v10 = VIRTCHNL_VF_OFFLOAD_L2 | VIRTCHNL_VF_OFFLOAD_RSS_REG | VIRTCHNL_VF_OFFLOAD_VLAN,
	.grant = i40e_grant,
	.op_allowed = NULL, /* i40e_vc_process_vf_msg has no allow-list */
	.implements = i40e_implements,
	.qpair_ok = i40e_qpair_ok,
	/* i40e_config_irq_link_list links any vector's queues, vector 0 too */
	.queues_on_vector0 = true,
	/* i40e_vc_notify_vf_link_state reports the port's link as it is */
	.link_needs_queues = false,
	.rss_reset = i40e_rss_reset,
	.hena_caps = i40e_hena,
	/* i40e_add_vsi, case I40E_VSI_SRIOV: port_vlan_flags MODE_ALL with EMOD
	 * 0 ("strip both"): a VF's VSI strips received tags from the start */
	.vlan_strip = true,
	.strip_follows_grant = false,
	/* MAC filters match any VLAN until the VF adds one (i40e_add_vsi) */
	.vlan_prune = false,
	/* i40e_trigger_vf_reset -> i40e_sync_vfr_reset */
	.sync_vfr_reset = true,
	.supported_rxdids = 0, /* no GET_SUPPORTED_RXDIDS: i40e_implements */
	.rx_format = i40e_rx_format,
	/* i40e_vc_add_vlan_msg calls i40e_vlan_stripping_enable first */
	.vlan_add_strips = true,
	/* i40e_vc_get_vf_resources_msg: a VF that did not ask for USO is told
	 * zeros unless the admin set the MAC */
	.default_mac_needs_uso = true,
	/* the model keeps i40e's VFLR synchronous with the FLR */
	.vflr_rebuild_ns = 0,
	.host = &i40e_host,
	.vlan_v2_caps = NULL, /* no VLAN v2: i40e_implements */
};
