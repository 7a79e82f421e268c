/* SPDX-License-Identifier: MIT
 *
 * host.c - the host's administrator acting on the running VF (--host
 * MS:ACTION): `ip link set <pf> vf 0 mac|trust|spoofchk|state|vlan ...`, a
 * PF reset, and removing the VF (sriov_numvfs set to 0, or the PF driver
 * unloaded).  Each does what the PF driver does: Linux i40e
 * (i40e_virtchnl_pf.c, the i40e_ndo_set_vf_* functions) or Linux ice
 * (ice_sriov.c, the ice_set_vf_* functions); pf_pers->host says where they
 * differ (pf-i40e.c, pf-ice.c).  The removal is vfio-pci's (vfio.c).
 *
 * An action falls due MS ms after the first successful ENABLE_QUEUES, as
 * the timed faults do, and acts once: logged ("avfsim: host: ..."), with the
 * lines the PF would put in the host's kernel log ("avfsim: dmesg: ..."),
 * and counted in host_actions.  Runs in the device thread with sim_lock
 * held.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "pf.h"

/* A PF reset holds its VFs in reset while the PF resets and rebuilds
 * (i40e_prep_for_reset to i40e_rebuild's i40e_reset_all_vfs; ice_do_reset to
 * ice_rebuild's ice_reset_all_vfs): the time is the model's choice, longer
 * than a VF reset's 30 ms. */
#define HOST_PF_RESET_NS (200 * PF_MS)

static struct {
	bool done;
	uint64_t wait_from; /* first found the VF in reset; 0 = not waiting */
} act[SIM_MAX_HOST];

/* i40e_ndo_set_vf_mac, ice_set_vf_mac: a multicast MAC was refused by the
 * launcher; every filter goes, the MAC becomes the VSI's default MAC (the
 * admin's unless zero), and the VF is reset, announced. */
static void host_mac(const struct sim_host *h)
{
	const struct pf_host_rules *r = pf_pers->host;
	char line[128];
	char mac[18];

	pf_mac_str(mac, h->mac);
	if (memcmp(h->mac, (const uint8_t[6]){ 0 }, 6))
		snprintf(line, sizeof(line), "Setting MAC %s%s", mac, r->mac_set_tail);
	else
		snprintf(line, sizeof(line), "%s", r->mac_removed);
	pf_filters_host_mac(h->mac);
	memcpy(pf_admin.mac, h->mac, sizeof(pf_admin.mac));
	wire_gen_follow_mac(h->mac);
	pf_dmesg(line);
	pf_host_vf_reset("the host set the VF's MAC");
	if (pf_pers->host->mac_after)
		pf_dmesg(pf_pers->host->mac_after);
}

/* i40e_ndo_set_vf_trust, ice_set_vf_trust: no change, nothing done;
 * otherwise the VF is reset, announced, and the new VSI is built with (or
 * without) the privilege; both log the same line after the reset. */
static void host_trust(const struct sim_host *h)
{
	if (pf_admin.trust == (h->value != 0)) {
		sim_log("host: trust already %s: %s does nothing", h->value ? "on" : "off", pf_pers->name);
		return;
	}
	pf_admin.trust = h->value != 0;
	pf_host_vf_reset("the host changed the VF's trust");
	pf_dmesg(h->value ? "VF 0 is now trusted" : "VF 0 is now untrusted");
}

/* i40e_ndo_set_vf_spoofchk, ice_set_vf_spoofchk: only the VSI's security
 * flags change; no reset, no event, nothing logged. */
static void host_spoofchk(const struct sim_host *h)
{
	pf_admin.spoofchk = h->value != 0;
}

/* i40e_ndo_set_vf_port_vlan, ice_set_vf_port_vlan: the same VLAN again does
 * nothing; otherwise the pvid set (0 removes it), the VF reset, announced.
 * The new VSI grants no VLAN offload (v1) and a max frame 4 bytes smaller
 * (pf.c). */
static void host_vlan(const struct sim_host *h)
{
	char line[96];

	if (pf_admin.port_vlan == h->value) {
		sim_log("host: port VLAN already %d: %s does nothing", h->value, pf_pers->name);
		return;
	}
	pf_admin.port_vlan = (uint16_t)h->value;
	if (h->value) {
		snprintf(line, sizeof(line), "Setting VLAN %d%s", h->value, pf_pers->host->vlan_set_tail);
		pf_dmesg(line);
	} else if (pf_pers->host->vlan_cleared) {
		pf_dmesg(pf_pers->host->vlan_cleared);
	}
	pf_host_vf_reset("the host changed the VF's port VLAN");
}

/* ice_set_vf_mac returns at once when the VF already has that MAC, before
 * it looks at the VF's state. */
static bool host_noop(const struct sim_host *h)
{
	char mac[18];

	if (h->action != SIM_HOST_MAC || !pf_pers->host->mac_same_is_noop || !pf_filters_is_default_mac(h->mac))
		return false;
	pf_mac_str(mac, h->mac);
	sim_log("host: %s: the VF's MAC is %s already: %s does nothing", h->text, mac, pf_pers->name);
	return true;
}

/* The commands that wait for a VF in reset (i40e_check_vf_init_timeout,
 * ice_check_vf_ready_for_cfg): true when h must wait (or gave up). */
static bool host_wait_init(unsigned i, const struct sim_host *h, uint64_t now)
{
	const struct pf_host_rules *r = pf_pers->host;

	if (!(r->wait_actions & 1u << h->action) || pf_vf.state != PF_RESET)
		return false;
	if (!act[i].wait_from)
		act[i].wait_from = now;
	if (now - act[i].wait_from < r->wait_ms * PF_MS)
		return true;
	act[i].done = true;
	sim_log("host: %s failed (%s): the VF stayed in reset for %u ms", h->text, r->wait_errno, r->wait_ms);
	if (r->wait_dmesg)
		pf_dmesg(r->wait_dmesg);
	return true;
}

static void host_act(const struct sim_host *h, uint64_t now)
{
	sim_report.host_actions++;
	sim_log("host: %u ms after ENABLE_QUEUES: %s", h->ms, h->text);
	switch (h->action) {
	case SIM_HOST_MAC:
		host_mac(h);
		break;
	case SIM_HOST_TRUST:
		host_trust(h);
		break;
	case SIM_HOST_SPOOFCHK:
		host_spoofchk(h);
		break;
	case SIM_HOST_LINK:
		pf_host_link(h->value);
		break;
	case SIM_HOST_VLAN:
		host_vlan(h);
		break;
	case SIM_HOST_PF_RESET:
		pf_host_pf_reset(HOST_PF_RESET_NS);
		break;
	case SIM_HOST_VF_REMOVE:
		dev_remove(now);
		break;
	}
}

void host_tick(uint64_t now_ns)
{
	if (!pf_vf.enabled_once)
		return;
	for (unsigned i = 0; i < sim_opts.nhost; i++) {
		const struct sim_host *h = &sim_opts.host[i];

		if (act[i].done || now_ns - pf_vf.enabled_ns < h->ms * PF_MS)
			continue;
		if (host_noop(h)) {
			act[i].done = true;
			sim_report.host_actions++;
			continue;
		}
		if (host_wait_init(i, h, now_ns))
			continue;
		act[i].done = true;
		host_act(h, now_ns);
	}
}
