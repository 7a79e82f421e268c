/* SPDX-License-Identifier: MIT
 *
 * host.c - the host's administrator acting on the running VF (--host
 * MS:ACTION): `ip link set <pf> vf 0 mac|trust|spoofchk|state|vlan ...`, a
 * PF reset, and removing the VF (sriov_numvfs set to 0, or the PF driver
 * unloaded).  Each does what Linux i40e does (i40e_virtchnl_pf.c, the
 * i40e_ndo_set_vf_* functions); the removal is vfio-pci's (vfio.c).
 *
 * An action falls due MS ms after the first successful ENABLE_QUEUES, as
 * the timed faults do, and acts once: logged ("avfsim: host: ..."), with the
 * lines i40e would put in the host's kernel log ("avfsim: dmesg: ..."), and
 * counted in host_actions.  Runs in the device thread with sim_lock held.
 */
#define _GNU_SOURCE
#include <string.h>

#include "pf.h"

/* i40e_check_vf_init_timeout: setting the MAC, the port VLAN or spoofchk of
 * a VF in reset waits up to 15 x 20 ms for it, then fails ("VF 0 still in
 * reset. Try again.", -EAGAIN): the administrator's command is lost. */
#define HOST_INIT_WAIT_NS (300 * PF_MS)
/* A PF reset holds its VFs in reset while the PF resets and rebuilds
 * (i40e_prep_for_reset to i40e_rebuild's i40e_reset_all_vfs): the time is
 * the model's choice, longer than a VF reset's 30 ms. */
#define HOST_PF_RESET_NS (200 * PF_MS)

static struct {
	bool done;
	uint64_t wait_from; /* first found the VF in reset; 0 = not waiting */
} act[SIM_MAX_HOST];

static void host_dmesg(const char *what)
{
	sim_log("dmesg: i40e %s: %s", pf_bdf(), what);
}

/* i40e_ndo_set_vf_mac: a multicast MAC was refused by the launcher; every
 * filter goes, the MAC becomes default_lan_addr (pf_set_mac unless zero),
 * and the VF is reset, announced. */
static void host_mac(const struct sim_host *h)
{
	char line[96];
	char mac[18];

	pf_mac_str(mac, h->mac);
	pf_filters_host_mac(h->mac);
	memcpy(pf_admin.mac, h->mac, sizeof(pf_admin.mac));
	wire_gen_follow_mac(h->mac);
	if (memcmp(h->mac, (const uint8_t[6]){ 0 }, 6))
		snprintf(line, sizeof(line), "Setting MAC %s on VF 0", mac);
	else
		snprintf(line, sizeof(line), "Removing MAC on VF 0");
	host_dmesg(line);
	pf_host_vf_reset("the host set the VF's MAC");
	host_dmesg("Bring down and up the VF interface to make this change effective.");
}

/* i40e_ndo_set_vf_trust: no change, nothing done; otherwise the VF is reset,
 * announced, and the new VSI is built with (or without) the privilege. */
static void host_trust(const struct sim_host *h)
{
	if (pf_admin.trust == (h->value != 0)) {
		sim_log("host: trust already %s: i40e does nothing", h->value ? "on" : "off");
		return;
	}
	pf_admin.trust = h->value != 0;
	pf_host_vf_reset("the host changed the VF's trust");
	host_dmesg(h->value ? "VF 0 is now trusted" : "VF 0 is now untrusted");
}

/* i40e_ndo_set_vf_spoofchk: only the VSI's security flags change; no
 * reset, no event, nothing logged. */
static void host_spoofchk(const struct sim_host *h)
{
	pf_admin.spoofchk = h->value != 0;
}

/* i40e_ndo_set_vf_port_vlan: the same VLAN again does nothing; otherwise
 * stripping on, promiscuous mode off, the pvid set (0 removes it), the VF
 * reset, announced.  The new VSI grants no VLAN offload and a max frame 4
 * bytes smaller (pf.c). */
static void host_vlan(const struct sim_host *h)
{
	char line[64];

	if (pf_admin.port_vlan == h->value) {
		sim_log("host: port VLAN already %d: i40e does nothing", h->value);
		return;
	}
	pf_admin.port_vlan = (uint16_t)h->value;
	if (h->value) {
		snprintf(line, sizeof(line), "Setting VLAN %d, QOS 0x0 on VF 0", h->value);
		host_dmesg(line);
	}
	pf_host_vf_reset("the host changed the VF's port VLAN");
}

/* The actions i40e refuses while the VF is in reset
 * (i40e_check_vf_init_timeout): true when h must wait (or gave up). */
static bool host_wait_init(unsigned i, const struct sim_host *h, uint64_t now)
{
	bool checks = h->action == SIM_HOST_MAC || h->action == SIM_HOST_VLAN || h->action == SIM_HOST_SPOOFCHK;

	if (!checks || pf_vf.state != PF_RESET)
		return false;
	if (!act[i].wait_from)
		act[i].wait_from = now;
	if (now - act[i].wait_from < HOST_INIT_WAIT_NS)
		return true;
	act[i].done = true;
	sim_log("host: %s failed: the VF stayed in reset for 300 ms", h->text);
	sim_log("dmesg: i40e %s: VF 0 still in reset. Try again.", pf_bdf());
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
		if (host_wait_init(i, h, now_ns))
			continue;
		act[i].done = true;
		host_act(h, now_ns);
	}
}
