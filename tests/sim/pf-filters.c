/* SPDX-License-Identifier: MIT
 *
 * pf-filters.c - the VF's VSI in the PF's switch: MAC filters, VLAN filters,
 * promiscuous mode (i40e_virtchnl_pf.c: i40e_vc_add_mac_addr_msg,
 * i40e_vc_add_vlan_msg, i40e_vc_config_promiscuous_mode_msg and their
 * counterparts), and what the switch then lets in
 * (pf_rx_accept) and out (pf_tx_allowed), as Linux i40e sets them up.
 * Messages arrive here from pf.c with their length already checked
 * (virtchnl.h, virtchnl_vc_validate_vf_msg).
 *
 * VLANs as i40e keeps them: with no VLAN added, MAC filters match frames of
 * any VLAN (I40E_VLAN_ANY); the first ADD_VLAN turns every MAC filter into
 * MAC+VLAN pairs for VLAN 0 (untagged) and each added VLAN (i40e_vsi_add_vlan,
 * i40e_correct_mac_vlan_filters), the last DEL_VLAN turns them back.  The
 * pairs are not stored: a MAC set and a VLAN set mean the same here.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "pf.h"

/* i40e_check_vf_permission: an untrusted VF may hold 18 filters (16
 * multicast + 1 unicast + 1 broadcast).  A trusted one
 * ((3072 / ports) - VFs * 18) / VFs + 18: here a 2-port adapter with this
 * one VF. */
#define PF_MAX_MAC_TRUSTED ((3072 / 2 - 1 * VIRTCHNL_MAX_MAC_UNTRUSTED) / 1 + VIRTCHNL_MAX_MAC_UNTRUSTED)
#define PF_MAX_VLAN_ID 4095
#define VLAN_WORDS ((PF_MAX_VLAN_ID + 1) / 64)

static struct {
	uint8_t mac[PF_MAX_MAC_TRUSTED][6]; /* the VSI's MAC filters */
	unsigned n;
	uint8_t default_mac[6];             /* i40e's default_lan_addr; zero = none */
	uint16_t promisc;                   /* FLAG_VF_*_PROMISC in force */
	uint64_t vlan[VLAN_WORDS];          /* VLAN filters, a bit per id */
	unsigned num_vlan;
	bool strip;                         /* received tags go to the descriptor */
} flt;

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t zero[6];

static bool admin_mac(void)
{
	return memcmp(pf_admin.mac, zero, 6) != 0;
}

static int mac_find(const uint8_t m[6])
{
	for (unsigned i = 0; i < flt.n; i++)
		if (!memcmp(flt.mac[i], m, 6))
			return (int)i;
	return -1;
}

static void mac_add(const uint8_t m[6])
{
	if (mac_find(m) < 0 && flt.n < PF_MAX_MAC_TRUSTED)
		memcpy(flt.mac[flt.n++], m, 6);
}

static bool mac_del(const uint8_t m[6])
{
	int i = mac_find(m);

	if (i < 0)
		return false;
	memmove(flt.mac[i], flt.mac[i + 1], (flt.n - (unsigned)i - 1) * 6);
	flt.n--;
	return true;
}

/* i40e_alloc_vsi_res: the default MAC's filter (if there is one) and the
 * broadcast filter; i40e's default_lan_addr survives VF resets. */
void pf_filters_alloc(bool forget)
{
	if (forget)
		memcpy(flt.default_mac, pf_admin.mac, 6);
	flt.n = 0;
	if (memcmp(flt.default_mac, zero, 6))
		mac_add(flt.default_mac);
	mac_add(bcast);
	flt.promisc = 0;
	memset(flt.vlan, 0, sizeof(flt.vlan));
	flt.num_vlan = 0;
	/* whether a new VSI strips received tags: pf_personality.vlan_strip */
	flt.strip = pf_pers->vlan_strip;
}

/* i40e_ndo_set_vf_mac deletes every filter of the VSI ("we're going to
 * kill it anyway") and stores the new default_lan_addr; the reset that
 * follows builds the new VSI with it. */
void pf_filters_host_mac(const uint8_t mac[6])
{
	flt.n = 0;
	memcpy(flt.default_mac, mac, 6);
}

/* i40e_vc_get_vf_resources_msg: unless the admin set the MAC or the VF
 * asked for USO (i40e's sign of a driver that keeps its MAC across
 * resets), the learnt default MAC and its filter are dropped and the VF is
 * told zeros: it picks its own. */
void pf_filters_default_mac(uint32_t driver_caps, uint8_t mac[6])
{
	if (pf_pers->default_mac_needs_uso && !(driver_caps & VIRTCHNL_VF_OFFLOAD_USO) && !admin_mac() &&
	    memcmp(flt.default_mac, zero, 6)) {
		mac_del(flt.default_mac);
		memset(flt.default_mac, 0, 6);
	}
	memcpy(mac, flt.default_mac, 6);
}

/* An ether_addr_list: vsi_id, n, then n 8-byte elements (the length check
 * guaranteed 12 + 8n bytes).  Elements are copied out one at a time. */
struct mac_list {
	uint16_t vsi, n;
	const uint8_t *list;
};

static struct mac_list mac_list(uint32_t op, const uint8_t *msg)
{
	static const char *const type[] = { "", " (primary)", " (extra)", " (type 3)" };
	struct mac_list ml = { .list = msg + offsetof(struct virtchnl_ether_addr_list, list) };
	struct pf_line l = { .n = 0 };
	char s[18];

	memcpy(&ml.vsi, msg, sizeof(ml.vsi));
	memcpy(&ml.n, msg + 2, sizeof(ml.n));
	pf_line_add(&l, "vsi=%u n=%u", ml.vsi, ml.n);
	for (unsigned i = 0; i < ml.n; i++) {
		pf_mac_str(s, ml.list + 8 * i);
		pf_line_add(&l, " %s%s", s, type[ml.list[8 * i + 6] & 3]);
	}
	pf_trace_in(op, "%s", l.s);
	return ml;
}

static struct virtchnl_ether_addr mac_at(const struct mac_list *ml, unsigned i)
{
	struct virtchnl_ether_addr a;

	memcpy(&a, ml->list + i * sizeof(a), sizeof(a));
	return a;
}

/* i40e_check_vf_permission: every address is checked before any is added. */
static int32_t check_add(const struct mac_list *ml, char *why, size_t wn)
{
	unsigned add = 0, limit = pf_admin.trust ? PF_MAX_MAC_TRUSTED : VIRTCHNL_MAX_MAC_UNTRUSTED;
	char s[18];

	for (unsigned i = 0; i < ml->n; i++) {
		struct virtchnl_ether_addr a = mac_at(ml, i);
		const uint8_t *m = a.addr;
		pf_mac_str(s, m);
		if (!memcmp(m, bcast, 6) || !memcmp(m, zero, 6)) {
			snprintf(why, wn, "invalid VF MAC addr %s", s);
			return PF_STATUS_INVALID_MAC_ADDR;
		}
		if (!pf_admin.trust && !(m[0] & 1) && admin_mac() && memcmp(m, flt.default_mac, 6)) {
			snprintf(why, wn, "%s: the host set this VF's MAC; an untrusted VF may not add another unicast address", s);
			return PF_STATUS_EPERM;
		}
		add += mac_find(m) < 0;
	}
	if (flt.n + add > limit) {
		snprintf(why, wn, "%u filters + %u new > %u allowed to a%s VF%s", flt.n, add, limit,
			 pf_admin.trust ? " trusted" : "n untrusted", pf_admin.trust ? "" : " (set trust on for more)");
		return PF_STATUS_EPERM;
	}
	return VIRTCHNL_STATUS_SUCCESS;
}

/* i40e_vc_add_mac_addr_msg: duplicates are ignored; a PRIMARY address
 * becomes the default MAC, a legacy one only if there is none yet
 * (i40e_update_vf_mac_addr). */
void pf_add_eth_addr(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct mac_list ml = mac_list(op, msg);
	char why[160];
	int32_t st;

	(void)len;
	if (!pf_allowed(op, ml.vsi))
		return;
	st = check_add(&ml, why, sizeof(why));
	if (st != VIRTCHNL_STATUS_SUCCESS) {
		pf_reply(op, st, NULL, 0, "%s", why);
		return;
	}
	for (unsigned i = 0; i < ml.n; i++) {
		struct virtchnl_ether_addr a = mac_at(&ml, i);
		mac_add(a.addr);
		if (!(a.addr[0] & 1) &&
		    ((a.type & 3) == VIRTCHNL_ETHER_ADDR_PRIMARY || !memcmp(flt.default_mac, zero, 6)))
			memcpy(flt.default_mac, a.addr, 6);
	}
	pf_ok(op);
}

/* i40e_vc_del_mac_addr_msg: an admin-set default MAC is skipped silently;
 * a missing filter is an error, after the ones before it were deleted (as
 * i40e does); the VF's own default MAC, once deleted, is forgotten. */
void pf_del_eth_addr(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct mac_list ml = mac_list(op, msg);
	bool default_gone = false;
	char s[18];

	(void)len;
	if (!pf_allowed(op, ml.vsi))
		return;
	for (unsigned i = 0; i < ml.n; i++) {
		struct virtchnl_ether_addr a = mac_at(&ml, i);
		if (!memcmp(a.addr, bcast, 6) || !memcmp(a.addr, zero, 6)) {
			pf_mac_str(s, a.addr);
			pf_reply(op, PF_STATUS_INVALID_MAC_ADDR, NULL, 0, "invalid MAC addr %s", s);
			return;
		}
	}
	for (unsigned i = 0; i < ml.n; i++) {
		struct virtchnl_ether_addr a = mac_at(&ml, i);
		if (!memcmp(a.addr, flt.default_mac, 6)) {
			if (admin_mac())
				continue;
			default_gone = true;
		}
		if (!mac_del(a.addr)) {
			pf_mac_str(s, a.addr);
			pf_reply(op, PF_STATUS_INVALID_MAC_ADDR, NULL, 0, "%s is not a filter of this VF", s);
			return;
		}
	}
	if (default_gone)
		memset(flt.default_mac, 0, 6);
	pf_ok(op);
}

/* A vlan_filter_list: vsi_id, n, then n u16 ids (length checked: 6 + 2n). */
struct vlan_list {
	uint16_t vsi, n;
	const uint8_t *ids;
};

static struct vlan_list vlan_list(uint32_t op, const uint8_t *msg)
{
	struct vlan_list vl = { .ids = msg + offsetof(struct virtchnl_vlan_filter_list, vlan_id) };
	struct pf_line l = { .n = 0 };

	memcpy(&vl.vsi, msg, sizeof(vl.vsi));
	memcpy(&vl.n, msg + 2, sizeof(vl.n));
	pf_line_add(&l, "vsi=%u n=%u", vl.vsi, vl.n);
	for (unsigned i = 0; i < vl.n; i++)
		pf_line_add(&l, " %u", (unsigned)vl.ids[2 * i] | (unsigned)vl.ids[2 * i + 1] << 8);
	pf_trace_in(op, "%s", l.s);
	return vl;
}

static uint16_t vlan_at(const struct vlan_list *vl, unsigned i)
{
	uint16_t id;

	memcpy(&id, vl->ids + 2 * i, sizeof(id));
	return id;
}

/* ACTIVE, the VF's VSI, every id <= 4095; replies and returns false if not. */
static bool vlan_list_ok(uint32_t op, const struct vlan_list *vl)
{
	if (!pf_allowed(op, vl->vsi))
		return false;
	for (unsigned i = 0; i < vl->n; i++)
		if (vlan_at(vl, i) > PF_MAX_VLAN_ID) {
			pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "VLAN id %u > 4095", vlan_at(vl, i));
			return false;
		}
	return true;
}

/* One VLAN filter of the VSI added or deleted (VLAN v1 and v2 alike);
 * VLAN 0 needs none (untagged frames pass), adding one twice or deleting
 * one that is not there changes nothing (ice_vsi_add_vlan takes -EEXIST,
 * ice_vsi_del_vlan -ENOENT, as success). */
void pf_filters_vlan(uint16_t id, bool add)
{
	uint64_t bit = 1ull << (id % 64);

	/* the id is checked before it indexes the bitmap */
	if (!id || id > PF_MAX_VLAN_ID)
		return;
	if (((flt.vlan[id / 64] & bit) != 0) == add)
		return;
	if (add) {
		flt.vlan[id / 64] |= bit;
		flt.num_vlan++;
	} else {
		flt.vlan[id / 64] &= ~bit;
		flt.num_vlan--;
	}
}

unsigned pf_filters_num_vlan(void)
{
	return flt.num_vlan;
}

/* i40e_vc_add_vlan_msg's quirk: an untrusted VF already holding 16 VLANs
 * gets SUCCESS and nothing is added; the limit is tested once per message,
 * before the state checks.  VLAN 0 needs no filter (untagged frames pass). */
void pf_add_vlan(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct vlan_list vl = vlan_list(op, msg);

	(void)len;
	if (!pf_admin.trust && flt.num_vlan >= VIRTCHNL_MAX_VLAN_UNTRUSTED) {
		sim_log("pf: VF is not trusted, switch the VF to trusted to add more VLAN addresses");
		pf_reply(op, VIRTCHNL_STATUS_SUCCESS, NULL, 0, "nothing added: an untrusted VF has 16 VLANs at most");
		return;
	}
	if (!vlan_list_ok(op, &vl))
		return;
	if (pf_admin.port_vlan) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "the host set port VLAN %u: the VF may "
			 "add no VLAN (i40e_vc_add_vlan_msg tests the VSI's pvid)", pf_admin.port_vlan);
		return;
	}
	if (pf_pers->vlan_add_strips)
		flt.strip = true;
	for (unsigned i = 0; i < vl.n; i++)
		pf_filters_vlan(vlan_at(&vl, i), true);
	pf_ok(op);
}

void pf_del_vlan(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct vlan_list vl = vlan_list(op, msg);

	(void)len;
	if (!vlan_list_ok(op, &vl))
		return;
	for (unsigned i = 0; i < vl.n; i++)
		pf_filters_vlan(vlan_at(&vl, i), false);
	pf_ok(op);
}

/* i40e_vc_enable_vlan_stripping / i40e_vc_disable_vlan_stripping: the VF
 * must be ACTIVE (nothing else is checked), then the VSI's stripping mode
 * is set. */
void pf_vlan_stripping(uint32_t op, const uint8_t *msg, uint16_t len)
{
	(void)msg;
	(void)len;
	pf_trace_in(op, "%s", "");
	if (!pf_allowed(op, -1))
		return;
	flt.strip = op == VIRTCHNL_OP_ENABLE_VLAN_STRIPPING;
	pf_ok(op);
}

void pf_filters_strip(bool on)
{
	flt.strip = on;
}

/* With a port VLAN the tag is always stripped: i40e_vlan_stripping_disable
 * leaves a VSI with a pvid alone. */
bool pf_rx_strip(void)
{
	return flt.strip || pf_admin.port_vlan;
}

/* i40e_vc_config_promiscuous_mode_msg's order: ACTIVE; an untrusted VF is
 * lied to (SUCCESS, nothing changes) before its flags or VSI are even
 * looked at. */
void pf_config_promisc(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_promisc_info p;

	(void)len;
	memcpy(&p, msg, sizeof(p));
	pf_trace_in(op, "vsi=%u flags=0x%x%s%s", p.vsi_id, p.flags,
		    p.flags & FLAG_VF_UNICAST_PROMISC ? " unicast" : "",
		    p.flags & FLAG_VF_MULTICAST_PROMISC ? " multicast" : "");
	if (!pf_allowed(op, -1))
		return;
	if (!pf_admin.trust) {
		sim_log("pf: Unprivileged VF 0 is attempting to configure promiscuous mode "
			"(replied SUCCESS, nothing changed: the VF is not trusted)");
		pf_reply(op, VIRTCHNL_STATUS_SUCCESS, NULL, 0, "(not applied: VF not trusted)");
		return;
	}
	if (p.flags > (FLAG_VF_UNICAST_PROMISC | FLAG_VF_MULTICAST_PROMISC)) {
		pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "flags 0x%x: only bits 0 and 1 exist", p.flags);
		return;
	}
	if (!pf_allowed(op, p.vsi_id))
		return;
	flt.promisc = p.flags;
	pf_ok(op);
}

/* The VLAN id of a frame's outer 802.1Q tag; 0 untagged (or priority-tagged). */
static uint16_t frame_vid(const uint8_t *f, uint32_t len)
{
	if (len < 18 || f[12] != 0x81 || f[13] != 0x00)
		return 0;
	return (uint16_t)((f[14] << 8 | f[15]) & PF_MAX_VLAN_ID);
}

/* The switch: broadcast always; multicast if filtered or multicast
 * promiscuous; unicast if filtered or unicast promiscuous.  Once VLANs were
 * added, only VLAN 0 and those (promiscuous mode too: i40e sets it per VLAN,
 * i40e_aq_set_vsi_uc_promisc_on_vlan).  With VLAN pruning (ice) that holds
 * from the start, except for a trusted VF in unicast promiscuous mode
 * (ice_vf_set_vsi_promisc turns pruning off). */
bool pf_rx_accept(const uint8_t *frame, uint32_t len, unsigned *umbcast)
{
	uint16_t vid = frame_vid(frame, len);
	bool mac_ok;

	pf_ready();
	if (!memcmp(frame, bcast, 6)) {
		*umbcast = AVF_RX_UMBCAST_BROADCAST;
		mac_ok = true;
	} else if (frame[0] & 1) {
		*umbcast = AVF_RX_UMBCAST_MULTICAST;
		mac_ok = (flt.promisc & FLAG_VF_MULTICAST_PROMISC) || mac_find(frame) >= 0;
	} else {
		*umbcast = AVF_RX_UMBCAST_UNICAST;
		mac_ok = (flt.promisc & FLAG_VF_UNICAST_PROMISC) || mac_find(frame) >= 0;
	}
	/* A port VLAN (i40e_vsi_add_pvid, MODE_TAGGED): only frames of that
	 * VLAN reach the VSI. */
	if (pf_admin.port_vlan)
		return mac_ok && vid == pf_admin.port_vlan;
	if (!mac_ok || !vid)
		return mac_ok;
	if (!flt.num_vlan && !pf_pers->vlan_prune)
		return true;
	if (pf_pers->vlan_prune && (flt.promisc & FLAG_VF_UNICAST_PROMISC))
		return true;
	return flt.vlan[vid / 64] >> (vid % 64) & 1;
}

/* Anti-spoof: the source must be one of the VSI's unicast filters. */
bool pf_tx_allowed(const uint8_t src[6])
{
	pf_ready();
	return !pf_admin.spoofchk || (!(src[0] & 1) && mac_find(src) >= 0);
}

/* The VSI's default MAC is mac (ice_set_vf_mac compares dev_lan_addr and
 * hw_lan_addr, which the model keeps as one). */
bool pf_filters_is_default_mac(const uint8_t mac[6])
{
	return !memcmp(flt.default_mac, mac, 6);
}
