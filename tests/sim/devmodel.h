/* SPDX-License-Identifier: MIT
 *
 * devmodel.h - what the device model's own files (device.c, adminq.c,
 * queues.c) share: BAR0 access with write detection, interrupt causes, fault
 * values and each engine's hooks.  Nothing outside the device model uses it;
 * the simulator's public interface is sim.h.
 */
#ifndef AVFSIM_DEVMODEL_H
#define AVFSIM_DEVMODEL_H

#include "sim.h"

/* ------------------------------------------------------------- BAR0 access
 *
 * The driver's stores land in the memfd the device polls; the device cannot
 * see reads.  dev_shadow[] holds the value each register had when the device
 * last looked at it or wrote it, so a register that differs from its shadow
 * was written by the driver. */
extern uint32_t dev_shadow[SIM_BAR0_SIZE / 4];

static inline uint32_t reg_read(uint32_t off)
{
	return __atomic_load_n(&dev_bar0[off / 4], __ATOMIC_ACQUIRE);
}

/* A device-side update (head pointers, status bits). */
static inline void reg_write(uint32_t off, uint32_t val)
{
	dev_shadow[off / 4] = val;
	__atomic_store_n(&dev_bar0[off / 4], val, __ATOMIC_RELEASE);
}

/* Did the driver write `off` since the device last looked?  *val = value. */
static inline bool reg_written(uint32_t off, uint32_t *val)
{
	uint32_t v = reg_read(off);

	*val = v;
	if (v == dev_shadow[off / 4])
		return false;
	dev_shadow[off / 4] = v;
	return true;
}

/* Replace `expect` by `val` unless the driver wrote in between. */
static inline bool reg_cas(uint32_t off, uint32_t expect, uint32_t val)
{
	if (!__atomic_compare_exchange_n(&dev_bar0[off / 4], &expect, val, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return false;
	dev_shadow[off / 4] = val;
	return true;
}

/* Set status bits (ATQLEN/ARQLEN errors) without losing a concurrent driver
 * write: the shadow keeps the old value for the other bits, so a driver
 * write that races with this one is still seen as a write. */
static inline void reg_set_bits(uint32_t off, uint32_t bits)
{
	__atomic_fetch_or(&dev_bar0[off / 4], bits, __ATOMIC_ACQ_REL);
	dev_shadow[off / 4] |= bits;
}

/* Name of the register at `off` for traces ("QRX_TAIL1(3)"), NULL if none. */
const char *reg_name(uint32_t off, char *buf, size_t len);

/* ------------------------------------------------------------- device state */

/* Bumped by every reset (VFR or FLR): an engine that called out to the PF
 * compares it to learn that its registers and state were wiped meanwhile. */
extern unsigned dev_reset_gen;

/* The PF that owns the device (dev_init): every call up to it goes here. */
extern const struct dev_pf_ops *dev_pf;

/* True when the device may master the bus; otherwise the DMA engines stall
 * (no PCIe requests without COMMAND.MASTER), and the first stall is logged
 * and counted in sim_report.bus_master_blocked. */
bool dev_dma_allowed(const char *what);

/* --fault NAME=N as a number; 0 when absent.  Exits on a malformed value. */
uint64_t dev_fault_count(const char *name);

/* --trace for events that may happen millions of times: the first few per
 * second are traced, the rest counted and summarised once a second. */
struct trace_limit {
	uint64_t window_ns;
	uint32_t shown;
	uint64_t hidden;
};
bool trace_allow(struct trace_limit *tl, const char *what);

/* ------------------------------------------------------------- interrupts */

/* An ARQ message was written: VFINT_ICR01.ADMINQ, vector 0 if enabled. */
void irq_adminq(void);
/* Everything the driver posted on the ARQ was returned: ADMINQ cause ends. */
void irq_adminq_idle(void);
/* An RX write-back or TX RS write-back on queue q: its mapped vector. */
void irq_queue(unsigned q, bool tx);

/* ------------------------------------------------------------- engines */

void aq_init(void);
bool aq_poll(void);        /* true when it did something */
void aq_reset(void);       /* forget pending ARQ messages */

/* rss.c: RSS (VFQF_HENA/HKEY/HLUT) */
void rss_init(void);       /* power-on: key and LUT as --lut says */
bool rss_poll(void);       /* follow the registers; true if the driver wrote one */
/* The value a VF reset or FLR leaves in BAR0 word `off` (key and LUT survive). */
uint32_t rss_reg_after_reset(uint32_t off);
/* The queue for a received frame; true with *hash set if it was hashed
 * (its PCTYPE enabled in HENA), false for queue 0 unhashed. */
bool rss_classify(const uint8_t *frame, uint32_t len, unsigned *queue, uint32_t *hash);

/* rxflex.c: the flexible RX descriptor write-back (E810, RX_FLEX_DESC) */
/* A legacy write-back (qw[0], qw[1], the rest 0) rewritten as RXDID 22's. */
void rxflex_convert(uint64_t qw[4]);

void queues_init(void);
bool queues_poll(uint64_t now_ns);
void queues_reset(void);   /* all queues disabled and forgotten */
/* Write back every completed descriptor of queue q, the partial last line
 * included: its vector fired, its WB_ON_ITR ITR expired or software
 * triggered it. */
void queues_writeback_rx(unsigned q);
void queues_writeback_tx(unsigned q);

/* ------------------------------------------------------------- TSO (tso.c) */

struct tso {
	uint32_t l3, l4, hdr; /* offsets of the IP and L4 headers, length of all headers */
	uint32_t len;         /* TSO_LEN: payload bytes after the headers */
	uint32_t mss;
};
/* The first segment needing more than 8 buffers (headers + its payload),
 * with that count in *bufs, or -1.  bsz: the packet's n buffer sizes. */
int tso_check(const struct tso *t, const uint32_t *bsz, unsigned n, unsigned *bufs);
/* Cut the gathered packet into MSS-sized frames (IP lengths and id, TCP
 * sequence and flags adjusted; checksums as given) and send() each. */
void tso_segment(const struct tso *t, const uint8_t *pkt, void (*send)(const uint8_t *, uint32_t));

#endif /* AVFSIM_DEVMODEL_H */
