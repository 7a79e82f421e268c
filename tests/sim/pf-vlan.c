/* SPDX-License-Identifier: MIT
 *
 * pf-vlan.c - VLAN v2 (VIRTCHNL_VF_OFFLOAD_VLAN_V2), as Linux ice serves it
 * (drivers/net/ethernet/intel/ice/ice_virtchnl.c: ice_vc_get_offload_vlan_v2_caps,
 * ice_vc_add_vlan_v2_msg, ice_vc_remove_vlan_v2_msg,
 * ice_vc_ena/dis_vlan_stripping_v2_msg, ice_vc_ena/dis_vlan_insertion_v2_msg).
 * What the PF supports comes from the personality (pf_pers->vlan_v2_caps); a
 * PF without VLAN v2 (i40e) never gets here: pf.c answers its opcodes
 * ERR_NOT_SUPPORTED (pf_personality.implements).  Lengths were checked by pf.c (virtchnl.h,
 * virtchnl_vc_validate_vf_msg); fields are copied out with memcpy.
 *
 * The filters are the VSI's VLAN filters of pf-filters.c, the same ones
 * ADD_VLAN/DEL_VLAN manage, so the switch (pf_rx_accept) treats both alike;
 * stripping is the same switch too (pf_filters_strip).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "pf.h"

#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_QINQ1 0x9100
#define VLAN_PRIO_MASK 0xE000
#define VLAN_VID_MASK 0x0FFF

/* What the VF was told by its last GET_OFFLOAD_VLAN_V2_CAPS: ice keeps it in
 * vf->vlan_v2_caps and checks every later message against it ("store
 * negotiated caps to prevent invalid VF messages").  All zero until the VF
 * asks: a VF that never asked may add no filter (max_filters 0) and switch
 * nothing. */
static struct virtchnl_vlan_caps v2caps;
/* The VSI's insertion setting, as the VF last set it.  ice's
 * ice_vsi_ena_inner_insertion and ice_vsi_dis_inner_insertion both program
 * ICE_AQ_VSI_INNER_VLAN_TX_MODE_ALL (ice_vsi_manage_vlan_insertion): the
 * VSI accepts tagged and untagged frames either way and the hardware inserts
 * a tag where a TX descriptor asks (IL2TAG1, queues.c).  Kept for the trace. */
static bool insertion;

static void supported_str(struct pf_line *l, const char *what, const struct virtchnl_vlan_supported_caps *c)
{
	pf_line_add(l, " %s=0x%x/0x%x", what, c->outer, c->inner);
}

/* ice_vc_get_offload_vlan_v2_caps: ACTIVE, then the caps of the VLAN mode
 * (the personality), stored for the checks below, and sent. */
void pf_get_offload_vlan_v2_caps(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_vlan_caps c;
	struct pf_line l = { .n = 0 };

	(void)msg;
	(void)len;
	pf_trace_in(op, "%s", "");
	if (!pf_allowed(op, -1))
		return;
	memset(&c, 0, sizeof(c));
	pf_pers->vlan_v2_caps(&c);
	v2caps = c;
	supported_str(&l, "filtering(outer/inner)", &c.filtering.filtering_support);
	pf_line_add(&l, " filter_ethertype_init=0x%x max_filters=%u", c.filtering.ethertype_init,
		    c.filtering.max_filters);
	supported_str(&l, "stripping", &c.offloads.stripping_support);
	supported_str(&l, "insertion", &c.offloads.insertion_support);
	pf_line_add(&l, " ethertype_init=0x%x ethertype_match=%u", c.offloads.ethertype_init,
		    c.offloads.ethertype_match);
	pf_reply(op, VIRTCHNL_STATUS_SUCCESS, &c, sizeof(c), "%s", l.s + 1);
}

/* ice_vc_is_valid_vlan: a tag with TCI or TPID 0 is "not given". */
static bool vlan_given(const struct virtchnl_vlan *v)
{
	return v->tci && v->tpid;
}

/* ice_vc_validate_vlan_tpid: the TPID must be one of the supported
 * ethertypes. */
static bool tpid_ok(uint32_t support, uint16_t tpid)
{
	uint32_t bit = VIRTCHNL_VLAN_UNSUPPORTED;

	if (tpid == ETH_P_8021Q)
		bit = VIRTCHNL_VLAN_ETHERTYPE_8100;
	else if (tpid == ETH_P_8021AD)
		bit = VIRTCHNL_VLAN_ETHERTYPE_88A8;
	else if (tpid == ETH_P_QINQ1)
		bit = VIRTCHNL_VLAN_ETHERTYPE_9100;
	return (support & bit) != 0;
}

/* One tag of a filter against its filtering support: given but
 * unsupported, a mask or priority bits the PF cannot match, a TPID it does
 * not filter on (ice_vc_validate_vlan_filter_list). */
static bool tag_ok(const struct virtchnl_vlan *v, uint32_t support, const char *which, unsigned i, char *why,
		   size_t n)
{
	if (vlan_given(v) && support == VIRTCHNL_VLAN_UNSUPPORTED)
		snprintf(why, n, "filter %u: %s tag given (tci 0x%04x) but %s filtering is not supported", i, which,
			 v->tci, which);
	else if (v->tci_mask && !(support & VIRTCHNL_VLAN_FILTER_MASK))
		snprintf(why, n, "filter %u: %s tci_mask 0x%04x without VIRTCHNL_VLAN_FILTER_MASK", i, which,
			 v->tci_mask);
	else if ((v->tci & VLAN_PRIO_MASK) && !(support & VIRTCHNL_VLAN_PRIO))
		snprintf(why, n, "filter %u: %s tci 0x%04x has priority bits without VIRTCHNL_VLAN_PRIO", i, which,
			 v->tci);
	else if (vlan_given(v) && !tpid_ok(support, v->tpid))
		snprintf(why, n, "filter %u: %s tpid 0x%04x is not a supported filtering ethertype", i, which,
			 v->tpid);
	else
		return true;
	return false;
}

static struct virtchnl_vlan_filter filter_at(const uint8_t *msg, unsigned i)
{
	struct virtchnl_vlan_filter f;

	memcpy(&f, msg + offsetof(struct virtchnl_vlan_filter_list_v2, filters) + i * sizeof(f), sizeof(f));
	return f;
}

/* ice_vc_validate_vlan_filter_list (num_elements > 0 was pf.c's length
 * rule), preceded for ADD by ice_vc_validate_add_vlan_filter_list's count:
 * the VSI's non-zero VLANs plus every element must stay within max_filters. */
static bool list_ok(bool add, const uint8_t *msg, uint16_t n, char *why, size_t wn)
{
	const struct virtchnl_vlan_supported_caps *s = &v2caps.filtering.filtering_support;

	if (add && pf_filters_num_vlan() + n > v2caps.filtering.max_filters) {
		snprintf(why, wn, "%u VLAN filters + %u new > max_filters %u%s", pf_filters_num_vlan(), n,
			 v2caps.filtering.max_filters,
			 v2caps.filtering.max_filters ? "" : " (GET_OFFLOAD_VLAN_V2_CAPS not asked, or a port VLAN)");
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		struct virtchnl_vlan_filter f = filter_at(msg, i);
		if (!tag_ok(&f.outer, s->outer, "outer", i, why, wn) || !tag_ok(&f.inner, s->inner, "inner", i, why, wn))
			return false;
	}
	return true;
}

/* ice_vc_add_vlan_v2_msg (ACTIVE, vport_id, the list) and
 * ice_vc_remove_vlan_v2_msg (the list, then vport_id), then per filter the
 * outer and the inner tag when given, by its VID (ice_vc_add_vlans,
 * ice_vc_del_vlans).  Only the inner (single) tag gets past the checks in
 * single VLAN mode. */
void pf_add_del_vlan_v2(uint32_t op, const uint8_t *msg, uint16_t len)
{
	bool add = op == VIRTCHNL_OP_ADD_VLAN_V2;
	struct virtchnl_vlan_filter_list_v2 h;
	struct pf_line l = { .n = 0 };
	char why[200];

	(void)len;
	memcpy(&h, msg, offsetof(struct virtchnl_vlan_filter_list_v2, filters));
	pf_line_add(&l, "vport=%u n=%u", h.vport_id, h.num_elements);
	for (unsigned i = 0; i < h.num_elements; i++) {
		struct virtchnl_vlan_filter f = filter_at(msg, i);
		pf_line_add(&l, " [outer tci=0x%04x tpid=0x%04x inner tci=0x%04x tpid=0x%04x]", f.outer.tci,
			    f.outer.tpid, f.inner.tci, f.inner.tpid);
	}
	pf_trace_in(op, "%s", l.s);
	if (add && !pf_allowed(op, h.vport_id))
		return;
	if (!list_ok(add, msg, h.num_elements, why, sizeof(why))) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "%s", why);
		return;
	}
	if (!add && !pf_allowed(op, h.vport_id))
		return;
	for (unsigned i = 0; i < h.num_elements; i++) {
		struct virtchnl_vlan_filter f = filter_at(msg, i);
		if (vlan_given(&f.outer))
			pf_filters_vlan(f.outer.tci & VLAN_VID_MASK, add);
		if (vlan_given(&f.inner))
			pf_filters_vlan(f.inner.tci & VLAN_VID_MASK, add);
	}
	pf_ok(op);
}

static unsigned bits(uint32_t x)
{
	return (unsigned)__builtin_popcount(x);
}

/* ice_vc_valid_vlan_setting: the ethertypes asked for overlap what was
 * negotiated, only one unless ETHERTYPE_AND, and TOGGLE was negotiated. */
static bool setting_ok(uint32_t negotiated, uint32_t setting)
{
	if (setting && !(negotiated & setting))
		return false;
	if (!(negotiated & VIRTCHNL_VLAN_ETHERTYPE_AND) && bits(setting) > 1)
		return false;
	return (negotiated & VIRTCHNL_VLAN_TOGGLE) != 0;
}

/* ENABLE/DISABLE_VLAN_STRIPPING_V2 and ENABLE/DISABLE_VLAN_INSERTION_V2:
 * ACTIVE, vport_id, then ice_vc_valid_vlan_setting_msg against the stored
 * stripping or insertion support (some setting given, something supported,
 * each given setting valid).  Then ice_vc_get_tpid must make a TPID of the
 * setting, and the inner (single-tag) functions take only 0x8100
 * (ice_vsi_ena_inner_stripping, ice_vsi_ena_inner_insertion); an outer
 * setting never gets this far in single VLAN mode, where outer support is
 * 0 and setting_ok refuses every outer setting.  Disabling takes any
 * valid setting (ice_vsi_dis_inner_stripping has no TPID).  Stripping goes
 * to L2TAG1 as v1's does. */
void pf_vlan_setting_v2(uint32_t op, const uint8_t *msg, uint16_t len)
{
	bool strip = op == VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2 || op == VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2;
	bool enable = op == VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2 || op == VIRTCHNL_OP_ENABLE_VLAN_INSERTION_V2;
	const struct virtchnl_vlan_supported_caps *c =
		strip ? &v2caps.offloads.stripping_support : &v2caps.offloads.insertion_support;
	struct virtchnl_vlan_setting s;
	uint32_t inner;

	(void)len;
	memcpy(&s, msg, sizeof(s));
	pf_trace_in(op, "vport=%u outer_ethertype_setting=0x%x inner_ethertype_setting=0x%x", s.vport_id,
		    s.outer_ethertype_setting, s.inner_ethertype_setting);
	if (!pf_allowed(op, s.vport_id))
		return;
	if (!s.outer_ethertype_setting && !s.inner_ethertype_setting) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "neither an outer nor an inner ethertype setting");
		return;
	}
	if (!c->outer && !c->inner) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "%s is not supported (a port VLAN, or "
			 "GET_OFFLOAD_VLAN_V2_CAPS not asked)", strip ? "stripping" : "insertion");
		return;
	}
	if ((s.outer_ethertype_setting && !setting_ok(c->outer, s.outer_ethertype_setting)) ||
	    (s.inner_ethertype_setting && !setting_ok(c->inner, s.inner_ethertype_setting))) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0,
			 "setting outer 0x%x / inner 0x%x does not fit the support 0x%x / 0x%x",
			 s.outer_ethertype_setting, s.inner_ethertype_setting, c->outer, c->inner);
		return;
	}
	/* ice's "CRC stripping disabled" refusal of ENABLE_VLAN_STRIPPING_V2
	 * needs crc_disable, which needs the CRC capability: never granted. */
	inner = s.inner_ethertype_setting;
	if (enable && inner != VIRTCHNL_VLAN_ETHERTYPE_8100) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "inner ethertype setting 0x%x: only "
			 "VIRTCHNL_VLAN_ETHERTYPE_8100 (0x1) is a TPID ice can program", inner);
		return;
	}
	if (strip)
		pf_filters_strip(enable);
	else
		insertion = enable;
	bool on = strip ? pf_rx_strip() : insertion;
	pf_reply(op, VIRTCHNL_STATUS_SUCCESS, NULL, 0, "%s %s", strip ? "stripping" : "insertion", on ? "on" : "off");
}
