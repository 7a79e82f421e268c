/* SPDX-License-Identifier: MIT
 *
 * device.c - the simulated VF itself: BAR0 and the MSI-X BAR, power-on
 * values, the device thread and its idle back-off, interrupts (DYN_CTL
 * auto-masking, ITR, VFINT_ICR01), VF reset (VFR) and function-level reset
 * (FLR), and bus mastering.  The admin queue is in adminq.c, the rings in
 * queues.c.  Register names and bits: Linux iavf_register.h.
 *
 * The driver mmaps the same memfd the device works on, so every register
 * store lands in memory the device thread polls; reads are invisible.  The
 * model is therefore built so that every command a driver gives is a
 * visible change: the device clears INTENA when it fires a vector (the
 * driver's re-arm is a write), and acts on and clears SWINT_TRIG/CLEARPBA.
 */
#define _GNU_SOURCE
#include "devmodel.h"

#include <inttypes.h>
#include <linux/pci_regs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

volatile uint32_t *dev_bar0;
uint32_t dev_shadow[SIM_BAR0_SIZE / 4];
unsigned dev_reset_gen;
const struct dev_pf_ops *dev_pf;
struct virtchnl_eth_stats dev_vsi_stats;

static volatile bool dev_bus_master;
static const struct dev_driver_ops *dev_driver;

static int bar0_fd = -1, msix_fd = -1;
static volatile uint32_t *msix_bar;
static uint8_t reg_known[SIM_BAR0_SIZE / 4 / 8]; /* bitmap of implemented words */

static pthread_once_t dev_once = PTHREAD_ONCE_INIT;
static pthread_t dev_thread;
static bool dev_thread_running, dev_stop;
static bool dma_stall_reported;

/* ------------------------------------------------------------- names */

/* The register names shared with the driver (avf.h, AVF_REGS). */
#define REG(r) { r, #r },
#define REG_ARRAY(r, n) { r(0), n, #r },
static const struct { uint32_t off; const char *name; } reg_single[] = { AVF_REGS(REG) };
static const struct { uint32_t base; unsigned count; const char *name; } reg_array[] = { AVF_REG_ARRAYS(REG_ARRAY) };
#undef REG
#undef REG_ARRAY


const char *reg_name(uint32_t off, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(reg_single) / sizeof(reg_single[0]); i++)
		if (reg_single[i].off == off)
			return reg_single[i].name;
	for (size_t i = 0; i < sizeof(reg_array) / sizeof(reg_array[0]); i++)
		if (off >= reg_array[i].base && off < reg_array[i].base + 4 * reg_array[i].count) {
			snprintf(buf, len, "%s(%u)", reg_array[i].name, (off - reg_array[i].base) / 4);
			return buf;
		}
	/* VFINT_ITRN1(i, n): three ITR indexes of 64 bytes, one word per vector */
	if (off >= VFINT_ITRN1(0, 0) && off < VFINT_ITRN1(AVF_ITR_INDEXES, 0) &&
	    (off - VFINT_ITRN1(0, 0)) % 64 < 4 * (AVF_MAX_VECTORS - 1)) {
		snprintf(buf, len, "VFINT_ITRN1(%u,%u)", (off - VFINT_ITRN1(0, 0)) / 64,
			 (off - VFINT_ITRN1(0, 0)) % 64 / 4);
		return buf;
	}
	return NULL;
}

static void reg_known_build(void)
{
	char buf[32];

	for (uint32_t off = 0; off < SIM_BAR0_SIZE; off += 4)
		if (reg_name(off, buf, sizeof(buf)))
			reg_known[off / 32] |= 1u << (off / 4 % 8);
}

static bool reg_is_known(uint32_t off)
{
	return reg_known[off / 32] & (1u << (off / 4 % 8));
}

/* ------------------------------------------------------------- helpers */

bool trace_allow(struct trace_limit *tl, const char *what)
{
	enum { BURST = 8 };
	uint64_t now = sim_now_ns();

	if (now - tl->window_ns >= 1000000000ull) {
		if (tl->hidden)
			sim_trace("%s: %" PRIu64 " more not traced in the last second", what, tl->hidden);
		tl->window_ns = now;
		tl->shown = 0;
		tl->hidden = 0;
	}
	if (tl->shown < BURST) {
		tl->shown++;
		return true;
	}
	tl->hidden++;
	return false;
}

uint64_t dev_fault_count(const char *name)
{
	const struct sim_fault *f = sim_fault(name);
	char *end;
	unsigned long long n;

	if (!f)
		return 0;
	n = strtoull(f->value, &end, 10);
	if (!f->value[0] || *end || n == 0) {
		sim_log("--fault %s=%s: expected a count N >= 1 (the Nth event is faulted)", name, f->value);
		_exit(2);
	}
	return n;
}

bool dev_dma_allowed(const char *what)
{
	if (dev_bus_master)
		return true;
	/* PCIe: no memory requests without Bus Master Enable; the engine
	 * stalls until the driver sets it.  Report each stall once. */
	if (!dma_stall_reported) {
		dma_stall_reported = true;
		sim_report.bus_master_blocked++;
		sim_log("DMA blocked (%s): bus mastering is off; set COMMAND.MASTER (0x4) in PCI config space",
			what);
	}
	return false;
}

/* ------------------------------------------------------------- interrupts
 *
 * Per MSI-X vector: `pending` = a cause happened since the vector last
 * fired.  A vector fires when it is pending, armed (INTENA set in its
 * DYN_CTL register) and its ITR interval since the last firing has passed.
 * Firing writes 1 to the eventfd VFIO SET_IRQS assigned and clears INTENA
 * (auto-mask), so the driver must re-arm with a visible write.  A cause
 * that happens while the vector is masked stays pending and fires when the
 * driver re-arms: i40e latches causes and re-asserts them when INTENA is
 * set, which is why CLEARPBA (clears only the MSI-X PBA bit) loses nothing.
 *
 * Vector 0 carries the "other" causes of VFINT_ICR01; they fire only while
 * enabled in VFINT_ICR0_ENA1, and stay latched while disabled (DPDK's
 * handler disables ICR0_ENA1 while it drains the ARQ, then re-enables). */

struct vector {
	int fd;                  /* our dup of the assigned eventfd, -1 = none */
	bool pending;
	bool wb_due;             /* a queue cause since its write-backs last went out */
	uint32_t causes;         /* vector 0: the VFINT_ICR01 bits pending */
	uint64_t pending_itr_ns; /* shortest ITR interval among pending causes */
	uint64_t last_fire_ns;
	uint64_t itr_ns[AVF_ITR_INDEXES];
	struct trace_limit tl_irq, tl_ctl; /* --trace of firings, of DYN_CTLN1 writes */
};

struct queue_vector {
	int vector;              /* -1 = not mapped */
	unsigned itr;            /* ITR index, 3 = none */
};

static struct vector vec[AVF_MAX_VECTORS];
static struct queue_vector rx_vec[AVF_MAX_QUEUES], tx_vec[AVF_MAX_QUEUES];

/* Causes of vector 0 that VFINT_ICR0_ENA1 does not gate: queue and software. */
#define V0_UNGATED (VFINT_ICR01_QUEUE_0 | VFINT_ICR01_SWINT)

unsigned dev_num_vectors(void)
{
	unsigned n = sim_opts.vectors ? sim_opts.vectors : 5; /* AVF base mode: 5 */

	return n > AVF_MAX_VECTORS ? AVF_MAX_VECTORS : n;
}

static uint32_t dyn_ctl_reg(unsigned v)
{
	return v == 0 ? VFINT_DYN_CTL01 : VFINT_DYN_CTLN1(v - 1);
}

static uint32_t itr_reg(unsigned v, unsigned idx)
{
	return v == 0 ? VFINT_ITR01(idx) : VFINT_ITRN1(idx, v - 1);
}

/* The PBA of the MSI-X BAR mirrors "pending while masked"; not used for
 * delivery (VFIO delivers through eventfds), kept sane for inspection. */
static void pba_set(unsigned v, bool on)
{
	volatile uint32_t *w = &msix_bar[SIM_MSIX_PBA_OFFSET / 4 + v / 32];

	if (on)
		__atomic_fetch_or(w, 1u << (v % 32), __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(w, ~(1u << (v % 32)), __ATOMIC_RELAXED);
}

static void irq_raise(unsigned v, uint32_t cause, unsigned itr)
{
	struct vector *x = &vec[v];
	uint64_t ns = itr < AVF_ITR_INDEXES ? x->itr_ns[itr] : 0;

	if (!x->pending || ns < x->pending_itr_ns)
		x->pending_itr_ns = ns;
	x->pending = true;
	x->causes |= cause;
}

/* The descriptors of every queue mapped to v are written back, partial
 * lines included (queues.c): the vector fires, its WB_ON_ITR ITR expired
 * or software triggered it. */
static void vector_writeback(unsigned v)
{
	for (unsigned q = 0; q < AVF_MAX_QUEUES; q++) {
		if (rx_vec[q].vector == (int)v)
			queues_writeback_rx(q);
		if (tx_vec[q].vector == (int)v)
			queues_writeback_tx(q);
	}
	vec[v].wb_due = false;
}

/* ITR index of vector 0's "other" causes: VFINT_STAT_CTL01 bits 2..3. */
static unsigned other_itr(void)
{
	return (reg_read(VFINT_STAT_CTL01) >> 2) & 3;
}

void irq_adminq(void)
{
	reg_write(VFINT_ICR01, dev_shadow[VFINT_ICR01 / 4] | VFINT_ICR01_ADMINQ);
	irq_raise(0, VFINT_ICR01_ADMINQ, other_itr());
}

/* ICR01 is read-to-clear on hardware, which the device cannot see.  The
 * model keeps ADMINQ set while the ARQ holds messages the driver has not
 * returned, and clears it when every written descriptor was re-posted
 * (DPDK's 50 ms alarm reads ICR01 and needs ADMINQ while one is pending). */
void irq_adminq_idle(void)
{
	if (dev_shadow[VFINT_ICR01 / 4] & VFINT_ICR01_ADMINQ)
		reg_write(VFINT_ICR01, dev_shadow[VFINT_ICR01 / 4] & ~VFINT_ICR01_ADMINQ);
}

void irq_queue(unsigned q, bool tx)
{
	const struct queue_vector *m = tx ? &tx_vec[q] : &rx_vec[q];

	if (m->vector < 0)
		return;
	irq_raise((unsigned)m->vector, m->vector == 0 ? VFINT_ICR01_QUEUE_0 : 0, m->itr);
	vec[m->vector].wb_due = true;
}

void dev_map_vector(unsigned vector, uint16_t rxq_map, uint16_t txq_map, unsigned rx_itr,
		    unsigned tx_itr)
{
	if (vector >= dev_num_vectors()) {
		sim_log("CONFIG_IRQ_MAP: vector %u does not exist (%u vectors); ignored", vector,
			dev_num_vectors());
		return;
	}
	/* i40e rebuilds the vector's queue list: queues mapped to it before
	 * and not named now are unmapped. */
	for (unsigned q = 0; q < AVF_MAX_QUEUES; q++) {
		if (rx_vec[q].vector == (int)vector)
			rx_vec[q].vector = -1;
		if (tx_vec[q].vector == (int)vector)
			tx_vec[q].vector = -1;
		if (rxq_map & (1u << q))
			rx_vec[q] = (struct queue_vector){ (int)vector, rx_itr };
		if (txq_map & (1u << q))
			tx_vec[q] = (struct queue_vector){ (int)vector, tx_itr };
	}
	sim_trace("irq map: vector %u <- rx queues 0x%04x (ITR%u), tx queues 0x%04x (ITR%u)", vector,
		  rxq_map, rx_itr, txq_map, tx_itr);
}

static void irq_fire(unsigned v, uint64_t now)
{
	struct vector *x = &vec[v];
	uint64_t one = 1;

	if (x->fd >= 0 && write(x->fd, &one, sizeof(one)) != sizeof(one))
		sim_log("MSI-X vector %u: eventfd write failed", v);
	sim_report.irqs[v]++;
	if (sim_opts.trace && (v == 0 || trace_allow(&x->tl_irq, "irq")))
		sim_trace("irq: MSI-X vector %u%s%s", v,
			  v == 0 && (x->causes & VFINT_ICR01_ADMINQ) ? " (ADMINQ)" : "",
			  x->fd < 0 ? " (no eventfd assigned: lost)" : "");
	x->pending = false;
	x->causes = 0;
	x->last_fire_ns = now;
	pba_set(v, false);
}

/* i40e_enable_wb_on_itr / ice_set_wb_on_itr: with WB_ON_ITR set in the
 * vector's DYN_CTL and INTENA clear, the ITR's expiry writes the queues'
 * descriptors back without an interrupt.  The ITR restarts then. */
static bool wb_on_itr(unsigned v, uint32_t ctl, uint64_t now, uint64_t *wake)
{
	struct vector *x = &vec[v];
	uint64_t due = x->last_fire_ns + x->pending_itr_ns;

	if (!x->wb_due || !(ctl & VFINT_DYN_CTL_WB_ON_ITR))
		return false;
	if (now < due) {
		if (due < *wake)
			*wake = due;
		return false;
	}
	vector_writeback(v);
	x->last_fire_ns = now;
	return true;
}

static bool irq_try_fire(unsigned v, uint64_t now, uint64_t *wake)
{
	struct vector *x = &vec[v];
	uint32_t off = dyn_ctl_reg(v), ctl;
	uint64_t due;

	if (!x->pending)
		return false;
	if (v == 0 && !(x->causes & (reg_read(VFINT_ICR0_ENA1) | V0_UNGATED)))
		return false;
	ctl = reg_read(off);
	if (!(ctl & VFINT_DYN_CTL_INTENA) || ctl != dev_shadow[off / 4]) {
		pba_set(v, true); /* masked, or a driver write not yet looked at */
		return ctl == dev_shadow[off / 4] && wb_on_itr(v, ctl, now, wake);
	}
	due = x->last_fire_ns + x->pending_itr_ns;
	if (now < due) {
		if (due < *wake)
			*wake = due;
		return false;
	}
	if (!reg_cas(off, ctl, ctl & ~VFINT_DYN_CTL_INTENA))
		return false; /* the driver wrote meanwhile: look again next round */
	vector_writeback(v); /* the descriptors land before the interrupt does */
	irq_fire(v, now);
	return true;
}

static void trace_dyn_ctl(uint32_t off, uint32_t val)
{
	unsigned idx = (val & VFINT_DYN_CTL_ITR_INDX_MASK) >> VFINT_DYN_CTL_ITR_INDX_SHIFT;
	char buf[32], interval[24] = "";

	if (idx < AVF_ITR_INDEXES)
		snprintf(interval, sizeof(interval), " INTERVAL=%u",
			 (val & VFINT_DYN_CTL_INTERVAL_MASK) >> VFINT_DYN_CTL_INTERVAL_SHIFT);
	sim_trace("reg: %s <- 0x%08x%s%s%s ITR_INDX=%u%s%s%s%s", reg_name(off, buf, sizeof(buf)), val,
		  val & VFINT_DYN_CTL_INTENA ? " INTENA" : "",
		  val & VFINT_DYN_CTL_CLEARPBA ? " CLEARPBA" : "",
		  val & VFINT_DYN_CTL_SWINT_TRIG ? " SWINT_TRIG" : "", idx, interval,
		  val & VFINT_DYN_CTL_SW_ITR_INDX_ENA ? " SW_ITR_INDX_ENA" : "",
		  val & VFINT_DYN_CTL_WB_ON_ITR ? " WB_ON_ITR" : "",
		  val & VFINT_DYN_CTL_INTENA_MSK ? " INTENA_MSK" : "");
}

/* A DYN_CTL write (iavf_register.h, IAVF_VFINT_DYN_CTLN1_*): INTENA arms;
 * ITR_INDX 0..2 loads INTERVAL into that ITR (3 = no update); SWINT_TRIG
 * raises a software cause; INTENA_MSK leaves INTENA as it was.  SWINT_TRIG,
 * CLEARPBA and INTENA_MSK act on the write only and read back 0. */
static bool dyn_ctl_poll(unsigned v)
{
	uint32_t off = dyn_ctl_reg(v), old = dev_shadow[off / 4], val, now_val;
	unsigned idx;

	if (!reg_written(off, &val))
		return false;
	if (sim_opts.trace && (v == 0 || trace_allow(&vec[v].tl_ctl, "VFINT_DYN_CTLN1 writes")))
		trace_dyn_ctl(off, val);
	now_val = val;
	if (val & VFINT_DYN_CTL_INTENA_MSK)
		now_val = (now_val & ~VFINT_DYN_CTL_INTENA) | (old & VFINT_DYN_CTL_INTENA);
	idx = (val & VFINT_DYN_CTL_ITR_INDX_MASK) >> VFINT_DYN_CTL_ITR_INDX_SHIFT;
	if (idx < AVF_ITR_INDEXES)
		vec[v].itr_ns[idx] = (uint64_t)((val & VFINT_DYN_CTL_INTERVAL_MASK) >>
						VFINT_DYN_CTL_INTERVAL_SHIFT) *
				     VFINT_ITR_USEC_PER_UNIT * 1000;
	/* iavf_force_wb / i40e_force_wb: a software interrupt forces the
	 * write-back of the vector's queues, delivered or not. */
	if (val & VFINT_DYN_CTL_SWINT_TRIG) {
		vector_writeback(v);
		irq_raise(v, v == 0 ? VFINT_ICR01_SWINT : 0, VFINT_DYN_CTL_ITR_NONE);
	}
	if (val & VFINT_DYN_CTL_CLEARPBA)
		pba_set(v, false);
	now_val &= ~(VFINT_DYN_CTL_SWINT_TRIG | VFINT_DYN_CTL_CLEARPBA | VFINT_DYN_CTL_INTENA_MSK);
	if (now_val != val)
		reg_cas(off, val, now_val);
	return true;
}

/* VFINT_ITR01(i) / VFINT_ITRN1(i, v-1): interval in 2 us units. */
static bool itr_poll(unsigned v)
{
	bool busy = false;
	uint32_t val;
	char buf[32];

	for (unsigned i = 0; i < AVF_ITR_INDEXES; i++) {
		if (!reg_written(itr_reg(v, i), &val))
			continue;
		vec[v].itr_ns[i] = (uint64_t)(val & VFINT_ITR_INTERVAL_MASK) * VFINT_ITR_USEC_PER_UNIT * 1000;
		sim_trace("reg: %s <- 0x%08x (%u us)", reg_name(itr_reg(v, i), buf, sizeof(buf)), val,
			  (val & VFINT_ITR_INTERVAL_MASK) * VFINT_ITR_USEC_PER_UNIT);
		busy = true;
	}
	return busy;
}

static bool irq_poll(uint64_t now, uint64_t *wake)
{
	unsigned n = dev_num_vectors();
	bool busy = false;
	uint32_t val;

	if (reg_written(VFINT_ICR0_ENA1, &val)) {
		sim_trace("reg: VFINT_ICR0_ENA1 <- 0x%08x%s%s", val,
			  val & VFINT_ICR0_ENA1_ADMINQ ? " ADMINQ" : "",
			  val & VFINT_ICR0_ENA1_LINK_STAT_CHANGE ? " LINK_STAT_CHANGE" : "");
		busy = true;
	}
	if (reg_written(VFINT_STAT_CTL01, &val)) {
		sim_trace("reg: VFINT_STAT_CTL01 <- 0x%08x OTHER_ITR_INDX=%u", val, (val >> 2) & 3);
		busy = true;
	}
	for (unsigned v = 0; v < n; v++) {
		busy |= dyn_ctl_poll(v);
		busy |= itr_poll(v);
	}
	for (unsigned v = 0; v < n; v++)
		busy |= irq_try_fire(v, now, wake);
	return busy;
}

static void irq_reset(void)
{
	for (unsigned v = 0; v < AVF_MAX_VECTORS; v++) {
		int fd = vec[v].fd;

		vec[v] = (struct vector){ .fd = fd };
		pba_set(v, false);
	}
	for (unsigned q = 0; q < AVF_MAX_QUEUES; q++)
		rx_vec[q] = tx_vec[q] = (struct queue_vector){ -1, VFINT_DYN_CTL_ITR_NONE };
}

void dev_set_msix_eventfd(unsigned vector, int fd)
{
	if (vector >= dev_num_vectors()) {
		sim_log("SET_IRQS: MSI-X vector %u does not exist (%u vectors)", vector, dev_num_vectors());
		return;
	}
	vec[vector].fd = fd; /* vfio.c holds the reference, as eventfd_ctx does */
	sim_trace("irq: MSI-X vector %u %s", vector, fd >= 0 ? "eventfd assigned" : "eventfd removed");
}

/* The REQ eventfd asks the user to release the device; vfio.c signals it
 * when the host removes the VF (--host vf-remove). */
void dev_set_req_eventfd(int fd)
{
	sim_trace("irq: device request (REQ) eventfd %s", fd >= 0 ? "assigned" : "removed");
}

/* ------------------------------------------------------------- resets */

/* VFR_VFLR_PENDING: an FLR the PF handles later (pf_flr): RSTAT reads
 * VFR_INPROGRESS, but the function works (the FLR is over). */
enum vfr_state { VFR_IDLE, VFR_INPROGRESS, VFR_VFLR_PENDING };

/* i40e_reset_vf: after VFSWR the PF polls VFRD (sleeping 10-20 ms before
 * each look), sleeps 10-20 ms more, then i40e_cleanup_reset_vf rebuilds the
 * VSI and writes VFGEN_RSTAT1 = VFACTIVE: 20-40 ms, of which the model takes
 * the midpoint so tests are reproducible.  Current i40e and ice write only
 * VFACTIVE (old i40e wrote COMPLETED first, before the VSI was rebuilt). */
#define VFR_VFACTIVE_NS (30 * 1000000ull)

static struct {
	enum vfr_state state;
	uint64_t deadline;
} vfr;

/* VFINT_ICR0_ENA1 is in the CORER reset domain: VF resets and VFLR leave it
 * as the last driver wrote it.  Its power-on value is what the host's iavf
 * leaves behind when the VF is unbound from it to be given to vfio-pci:
 * iavf_misc_irq_enable sets ADMINQ and iavf_misc_irq_disable never clears it. */
static uint32_t icr0_ena1 = VFINT_ICR0_ENA1_ADMINQ;

static void rstat_set(uint32_t state)
{
	static const char *const names[] = { "VFR_INPROGRESS", "VFR_COMPLETED", "VFR_VFACTIVE" };

	reg_write(VFGEN_RSTAT, state);
	sim_trace("VFGEN_RSTAT = %s", names[state]);
}

bool dev_icr0_adminq_enabled(void)
{
	return reg_read(VFINT_ICR0_ENA1) & VFINT_ICR0_ENA1_ADMINQ;
}

/* A register's value after a VF reset: 0, but for those in the CORER reset
 * domain, which a VF reset leaves alone: VFINT_ICR0_ENA1 and the RSS key and
 * LUT (rss.c). */
static uint32_t reg_after_reset(uint32_t off)
{
	if (off == VFINT_ICR0_ENA1)
		return icr0_ena1;
	return rss_reg_after_reset(off);
}

/* All BAR0 registers to their value after a reset (RSTAT is the caller's);
 * queues, vector maps, interrupt and ARQ state forgotten.  The eventfds
 * stay: VFIO keeps the IRQ configuration across resets. */
static void dev_wipe(void)
{
	rss_poll(); /* key and LUT as the reset finds them */
	icr0_ena1 = reg_read(VFINT_ICR0_ENA1);
	for (unsigned i = 0; i < SIM_BAR0_SIZE / 4; i++) {
		dev_shadow[i] = reg_after_reset(4 * i);
		__atomic_store_n(&dev_bar0[i], dev_shadow[i], __ATOMIC_RELAXED);
	}
	irq_reset();
	aq_reset();
	queues_reset();
	dev_reset_gen++;
}

/* --fault reset-stuck: every reset stays in progress; --fault
 * reset-stuck-from=N: the Nth VF reset (VFR, not an FLR) and those after it,
 * so a driver meets one only once it runs. */
static uint64_t vfr_count;

static bool reset_stuck(void)
{
	uint64_t from = dev_fault_count("reset-stuck-from");
	if (sim_fault("reset-stuck"))
		return true;
	return from && vfr_count >= from && vfr.state == VFR_INPROGRESS;
}

void dev_vf_reset(void)
{
	dev_vf_reset_for(VFR_VFACTIVE_NS);
}

/* Interrupts whose cause came before the reset (the PF's RESET_IMPENDING,
 * written into the ARQ just before i40e writes VFSWR): the MSI-X message is
 * posted as the cause is raised, so an armed vector fires before the reset
 * wipes the vector state, not never. */
static void irq_flush(uint64_t now)
{
	uint64_t wake = UINT64_MAX;

	for (unsigned v = 0; v < dev_num_vectors(); v++)
		irq_try_fire(v, now, &wake);
}

void dev_vf_reset_for(uint64_t hold_ns)
{
	sim_report.vf_resets++;
	vfr_count++;
	irq_flush(sim_now_ns());
	sim_trace("VF reset (VFR): registers but VFINT_ICR0_ENA1, queues and interrupt state cleared");
	dev_wipe();
	rstat_set(VIRTCHNL_VFR_INPROGRESS);
	vfr.state = VFR_INPROGRESS;
	vfr.deadline = sim_now_ns() + hold_ns;
	if (reset_stuck())
		sim_log("fault %s: VFGEN_RSTAT stays VFR_INPROGRESS", sim_fault("reset-stuck") ? "reset-stuck" : "reset-stuck-from");
}

/* VFIO_DEVICE_RESET.  Synchronous: the ioctl returns with the function
 * reset.  vfio-pci saves and restores config space around the FLR, so the
 * COMMAND register (bus mastering) and the MSI-X eventfds survive. */
void dev_flr(void)
{
	uint64_t vflr_ns;

	sim_trace("FLR (VFIO_DEVICE_RESET): all device state reset");
	dev_wipe();
	vflr_ns = dev_pf->flr();
	if (sim_fault("reset-stuck")) {
		rstat_set(VIRTCHNL_VFR_INPROGRESS);
		vfr.state = VFR_INPROGRESS;
		return;
	}
	if (vflr_ns) {
		rstat_set(VIRTCHNL_VFR_INPROGRESS);
		vfr.state = VFR_VFLR_PENDING;
		vfr.deadline = sim_now_ns() + vflr_ns;
		return;
	}
	rstat_set(VIRTCHNL_VFR_VFACTIVE);
	vfr.state = VFR_IDLE;
}

void dev_mbx_clear(void)
{
	reg_write(VF_ATQLEN1, 0);
	reg_write(VF_ARQLEN1, 0);
	sim_trace("VF_ATQLEN1 = VF_ARQLEN1 = 0 (the PF's clear_mbx_register)");
}

/* Count and drop what the driver wrote while the VF was held in reset:
 * on hardware such writes go nowhere (reads return 0xDEADBEEF, which the
 * model cannot show).  VFINT_ICR0_ENA1 gets back the value it kept. */
static void drop_writes_during_reset(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < SIM_BAR0_SIZE / 4; i++) {
		uint32_t keep = reg_after_reset(4 * i);

		if (i != VFGEN_RSTAT / 4 && dev_bar0[i] != keep) {
			__atomic_store_n(&dev_bar0[i], keep, __ATOMIC_RELAXED);
			n++;
		}
		dev_shadow[i] = keep;
	}
	dev_shadow[VFGEN_RSTAT / 4] = reg_read(VFGEN_RSTAT);
	if (n)
		sim_log("%u register(s) written while VFGEN_RSTAT was VFR_INPROGRESS were dropped", n);
}

static bool reset_step(uint64_t now, uint64_t *wake)
{
	if (vfr.state == VFR_IDLE || reset_stuck())
		return false;
	if (now < vfr.deadline) {
		if (vfr.deadline < *wake)
			*wake = vfr.deadline;
		return false;
	}
	/* after a VFLR the function is out of reset at once: what the driver
	 * wrote meanwhile landed */
	if (vfr.state == VFR_INPROGRESS)
		drop_writes_during_reset();
	rstat_set(VIRTCHNL_VFR_VFACTIVE);
	vfr.state = VFR_IDLE;
	dev_pf->reset_done();
	return true;
}

/* ------------------------------------------------------------- BAR0 watch */

/* VFGEN_RSTAT and VFINT_ICR01 are written by the PF/hardware only. */
static bool read_only_poll(void)
{
	static const uint32_t ro[] = { VFGEN_RSTAT, VFINT_ICR01 };
	bool busy = false;
	char buf[32];

	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		uint32_t v = reg_read(ro[i]);

		if (v == dev_shadow[ro[i] / 4])
			continue;
		sim_trace("reg: %s <- 0x%08x: read-only, ignored", reg_name(ro[i], buf, sizeof(buf)), v);
		reg_write(ro[i], dev_shadow[ro[i] / 4]);
		busy = true;
	}
	return busy;
}

/* Writes to offsets that hold no register: dropped (they read back 0).
 * Scanned only while the device naps, as the whole BAR is 16 K words. */
static void unknown_poll(void)
{
	for (uint32_t off = 0; off < SIM_BAR0_SIZE; off += 4) {
		uint32_t v;

		if (reg_is_known(off) || !(v = reg_read(off)))
			continue;
		sim_trace("reg: 0x%05x <- 0x%08x: no register at this offset, ignored", off, v);
		reg_write(off, 0);
	}
}

/* ------------------------------------------------------------- thread */

static bool dev_step(uint64_t now, uint64_t *wake)
{
	bool busy;

	dev_pf->tick(now);
	if (dev_driver)
		dev_driver->tick(now);
	busy = reset_step(now, wake);
	busy |= read_only_poll();
	if (vfr.state == VFR_INPROGRESS)
		return busy; /* held in reset: the engines do nothing */
	busy |= aq_poll();
	busy |= rss_poll(); /* after the PF's and before the RX engine's turn */
	busy |= queues_poll(now);
	busy |= irq_poll(now, wake);
	return busy;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Idle back-off: spin briefly (a busy driver gets answers within a
 * microsecond), then yield, then sleep 1 us doubling up to 1 ms (an idle
 * device costs ~0.1% of a core); any activity resets it.  A timed event
 * (reset step, ITR) shortens the sleep. */
struct backoff {
	unsigned idle;
	uint64_t nap_ns;
};

#define SPIN_ROUNDS 2000
#define YIELD_ROUNDS 200
#define NAP_MIN_NS 1000ull
#define NAP_MAX_NS 1000000ull
#define UNKNOWN_SCAN_NS 100000000ull /* writes to no register: checked every 100 ms */

static bool backoff_napping(const struct backoff *b)
{
	return b->idle >= SPIN_ROUNDS + YIELD_ROUNDS;
}

static void backoff(struct backoff *b, bool busy, uint64_t now, uint64_t wake)
{
	struct timespec ts;
	uint64_t ns;

	if (busy) {
		b->idle = 0;
		b->nap_ns = NAP_MIN_NS;
		return;
	}
	if (++b->idle < SPIN_ROUNDS) {
		cpu_relax();
		return;
	}
	if (!backoff_napping(b)) {
		sched_yield();
		return;
	}
	ns = b->nap_ns;
	if (wake <= now)
		return;
	if (wake - now < ns)
		ns = wake - now;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)ns;
	nanosleep(&ts, NULL);
	b->nap_ns = b->nap_ns * 2 > NAP_MAX_NS ? NAP_MAX_NS : b->nap_ns * 2;
}

/* The device's load while any queue is enabled: the time from a step to
 * the next counts as busy when the step did work, as idle when it only
 * looked (and spun or slept).  Busy near 100% means the device, not the
 * driver, sets the pace (make bench reports it). */
static void account(uint64_t now, bool busy)
{
	static uint64_t prev_ns;
	static bool prev_busy;

	if (prev_ns && sim_report.queues_enabled)
		*(prev_busy ? &sim_report.device_busy_ns : &sim_report.device_idle_ns) += now - prev_ns;
	prev_ns = now;
	prev_busy = busy;
}

static void *dev_main(void *arg)
{
	struct backoff b = { 0, NAP_MIN_NS };
	uint64_t scanned = 0;

	(void)arg;
	while (!__atomic_load_n(&dev_stop, __ATOMIC_ACQUIRE)) {
		uint64_t now, wake = UINT64_MAX;
		bool busy;

		pthread_mutex_lock(&sim_lock);
		now = sim_now_ns();
		busy = dev_step(now, &wake);
		account(now, busy);
		if (!busy && backoff_napping(&b) && now - scanned >= UNKNOWN_SCAN_NS) {
			unknown_poll();
			scanned = now;
		}
		pthread_mutex_unlock(&sim_lock);
		backoff(&b, busy, now, wake);
	}
	return NULL;
}

/* ------------------------------------------------------------- creation */

static int memfd_bar(const char *name, size_t size, volatile uint32_t **map)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	void *p;

	if (fd < 0 || ftruncate(fd, (off_t)size) < 0 ||
	    (p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		sim_log("cannot create %s: %m", name);
		_exit(2);
	}
	*map = p;
	return fd;
}

/* PCI: MSI-X table entries come out of reset masked (vector control bit 0). */
static void msix_power_on(void)
{
	for (unsigned v = 0; v < dev_num_vectors(); v++)
		msix_bar[v * 4 + 3] = 1;
}

static void dev_create(void)
{
	sigset_t all, old;

	/* A polled BAR shows writes that change a register, not reads: say so
	 * where the trace starts, so nobody takes it for all there is. */
	sim_trace("reg: the device sees a register write only when it changes the value, and no read at all: "
		  "the driver's own log shows those (avf -vv)");
	bar0_fd = memfd_bar("avfsim-bar0", SIM_BAR0_SIZE, &dev_bar0);

	msix_fd = memfd_bar("avfsim-msix", SIM_MSIX_BAR_SIZE, &msix_bar);
	reg_known_build();
	msix_power_on();
	for (unsigned v = 0; v < AVF_MAX_VECTORS; v++)
		vec[v].fd = -1;
	irq_reset();
	reg_write(VFGEN_RSTAT, VIRTCHNL_VFR_VFACTIVE); /* power-on: VF active */
	reg_write(VFINT_ICR0_ENA1, icr0_ena1);          /* as iavf left it; all else 0 */
	rss_init();
	wire_init();
	aq_init();
	queues_init();

	/* The driver's signals belong to the driver's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&dev_thread, NULL, dev_main, NULL) != 0) {
		sim_log("cannot start the device thread");
		_exit(2);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_setname_np(dev_thread, "avfsim-dev");
	if (sim_opts.device_cpu >= 0) {
		cpu_set_t cpus;
		CPU_ZERO(&cpus);
		CPU_SET(sim_opts.device_cpu, &cpus);
		if (pthread_setaffinity_np(dev_thread, sizeof cpus, &cpus))
			sim_log("--device-cpu %d: cannot pin the device thread there", sim_opts.device_cpu);
	}
	dev_thread_running = true;
}

void dev_init(const struct dev_pf_ops *pf)
{
	dev_pf = pf;
	pthread_once(&dev_once, dev_create);
}

void dev_bind_driver(const struct dev_driver_ops *drv)
{
	dev_driver = drv;
}

void dev_remove(uint64_t now_ns)
{
	if (dev_driver)
		dev_driver->remove(now_ns);
}

/* Must be called without sim_lock held (the device thread takes it). */
void dev_shutdown(void)
{
	if (!dev_thread_running)
		return;
	__atomic_store_n(&dev_stop, true, __ATOMIC_RELEASE);
	pthread_join(dev_thread, NULL);
	dev_thread_running = false;
	wire_close();
}

int dev_bar_fd(int bar)
{
	return bar == 0 ? bar0_fd : bar == SIM_MSIX_BAR ? msix_fd : -1;
}

void dev_set_command(uint16_t command)
{
	bool master = command & PCI_COMMAND_MASTER;

	if (master != dev_bus_master)
		sim_trace("PCI COMMAND: bus mastering %s", master ? "on" : "off");
	dev_bus_master = master;
	if (master)
		dma_stall_reported = false;
}
