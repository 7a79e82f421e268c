/* SPDX-License-Identifier: MIT
 *
 * machine.c - the simulated machine put together: the only file that knows
 * every layer, so that the layers themselves depend one way only.
 *
 *   vfio.c (kernel) --> device <-- PF <-- host
 *                         |
 *                         v
 *                       wire, IOMMU
 *
 * The PF programs the device; the device reaches the PF only through the
 * struct dev_pf_ops built here, as silicon reaches its PF driver only
 * through the mailbox, the reset logic and the switch the PF configured.
 * The device thread is the machine's one clock: its tick runs the PF's
 * timed events and then the host's actions.
 */
#include "sim.h"

static void machine_tick(uint64_t now_ns)
{
	pf_tick(now_ns);
	host_tick(now_ns);
}

static const struct dev_pf_ops pf_side = {
	.receive = pf_receive,
	.op_name = pf_op_name,
	.tick = machine_tick,
	.reset_done = pf_reset_done,
	.flr = pf_flr,
	.link_up = pf_link_up,
	.rx_accept = pf_rx_accept,
	.rx_strip = pf_rx_strip,
	.tx_allowed = pf_tx_allowed,
};

void sim_machine_create(void)
{
	dev_init(&pf_side);
}
