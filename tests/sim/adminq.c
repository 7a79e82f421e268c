/* SPDX-License-Identifier: MIT
 *
 * adminq.c - the VF's admin queue (Linux iavf_adminq.c, iavf_adminq_cmd.h): the ATQ, on which the VF posts
 * virtchnl messages for the PF (opcode 0x0801 send_msg_to_pf), and the ARQ,
 * on which the device writes the PF's messages (opcode 0x0802) into buffers
 * the VF posted.
 *
 * Both rings live in host memory and are reached through sim_dma(); every
 * descriptor field, index and length comes from the driver and is checked.
 * The driver's register writes are traced with --trace; the PF traces the
 * decoded messages.
 */
#define _GNU_SOURCE
#include "devmodel.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct aq_regs {
	const char *name;
	uint32_t len, head, tail, bal, bah;
};

static const struct aq_regs atq = { "ATQ", VF_ATQLEN1, VF_ATQH1, VF_ATQT1, VF_ATQBAL1, VF_ATQBAH1 };
static const struct aq_regs arq = { "ARQ", VF_ARQLEN1, VF_ARQH1, VF_ARQT1, VF_ARQBAL1, VF_ARQBAH1 };

/* PF->VF messages waiting for an ARQ descriptor.  Bounded: the PF sends at
 * most a reply per request plus a few events, so a full FIFO means the VF
 * stopped posting ARQ buffers. */
#define ARQ_FIFO_LEN 16

struct arq_msg {
	uint32_t v_opcode;
	int32_t v_retval;
	uint16_t len;
	uint8_t data[AVF_AQ_BUF_SIZE];
};

static struct {
	struct arq_msg msg[ARQ_FIFO_LEN];
	unsigned first, count;
} fifo;

static uint8_t atq_buf[AVF_AQ_BUF_SIZE]; /* the message as the PF gets it */
static uint32_t aq_error_op = UINT32_MAX;  /* --fault aq-error=OPCODE */
static uint32_t arq_error_op = UINT32_MAX; /* --fault arq-error=OPCODE */

/* ------------------------------------------------------------- faults */

/* --fault NAME=OPCODE as a virtchnl opcode; UINT32_MAX when absent. */
static uint32_t opcode_fault(const char *name)
{
	const struct sim_fault *f = sim_fault(name);
	char *end;
	uint32_t op;

	if (!f)
		return UINT32_MAX;
	/* options.c normalises the opcode to a decimal number */
	op = (uint32_t)strtoul(f->value, &end, 10);
	if (!f->value[0] || *end) {
		sim_log("--fault %s=%s: not a virtchnl opcode number", name, f->value);
		_exit(2);
	}
	return op;
}

void aq_init(void)
{
	aq_error_op = opcode_fault("aq-error");
	arq_error_op = opcode_fault("arq-error");
}

void aq_reset(void)
{
	fifo.first = fifo.count = 0;
}

/* ------------------------------------------------------------- registers */

static void trace_reg(uint32_t off, uint32_t val)
{
	char buf[32];
	const char *name = reg_name(off, buf, sizeof(buf));

	if (off == atq.len || off == arq.len)
		sim_trace("reg: %s <- 0x%08x LEN=%u%s%s%s%s", name, val, val & VF_QLEN_LEN_MASK,
			  val & VF_QLEN_ENABLE ? " ENABLE" : "", val & VF_QLEN_VFE ? " VFE" : "",
			  val & VF_QLEN_OVFL ? " OVFL" : "", val & VF_QLEN_CRIT ? " CRIT" : "");
	else if (off == atq.bal || off == atq.bah || off == arq.bal || off == arq.bah)
		sim_trace("reg: %s <- 0x%08x", name, val);
	else
		sim_trace("reg: %s <- %u", name, val);
}

static bool aq_watch(const struct aq_regs *r)
{
	const uint32_t regs[] = { r->len, r->bal, r->bah, r->head, r->tail };
	bool busy = false;
	uint32_t val;

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (reg_written(regs[i], &val)) {
			if (sim_opts.trace)
				trace_reg(regs[i], val);
			busy = true;
		}
	return busy;
}

/* A queue runs when ENABLE and a length are set (iavf_config_asq_regs' order: the base
 * is written after ENABLE, while head == tail, so nothing runs on base 0). */
struct aq_ring {
	uint64_t base;
	uint32_t len, head, tail;
};

static void aq_error(const struct aq_regs *r, uint32_t bit, const char *why, uint32_t idx)
{
	if (reg_read(r->len) & bit)
		return; /* reported already; the driver clears it by rewriting xLEN */
	reg_set_bits(r->len, bit);
	sim_log("admin queue %s: %s (index %u); %s set in %s", r->name, why, idx,
		bit == VF_QLEN_VFE ? "VFE" : bit == VF_QLEN_OVFL ? "OVFL" : "CRIT",
		r == &atq ? "VF_ATQLEN1" : "VF_ARQLEN1");
}

static bool aq_ring_get(const struct aq_regs *r, struct aq_ring *q)
{
	uint32_t len = reg_read(r->len);

	if (!(len & VF_QLEN_ENABLE) || !(len & VF_QLEN_LEN_MASK) || (len & VF_QLEN_CRIT))
		return false;
	q->len = len & VF_QLEN_LEN_MASK;
	q->base = (uint64_t)reg_read(r->bah) << 32 | reg_read(r->bal);
	q->head = reg_read(r->head) & VF_QPTR_MASK;
	q->tail = reg_read(r->tail) & VF_QPTR_MASK;
	/* An index past the ring is the VF's error: flag VFE, do nothing. */
	if (q->head >= q->len || q->tail >= q->len) {
		aq_error(r, VF_QLEN_VFE, q->head >= q->len ? "head beyond the ring length" :
							      "tail beyond the ring length",
			 q->head >= q->len ? q->head : q->tail);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------- ATQ */

/* The command in descriptor d: copy a send_msg_to_pf buffer into atq_buf.
 * Returns the AQ return code (enum iavf_admin_queue_err).  Unknown opcodes get ESRCH ("bad
 * opcode"): what firmware answers is NOT FOUND in the sources. */
static uint16_t atq_command(const struct avf_aq_desc *d, uint16_t *msglen)
{
	const void *buf;

	*msglen = 0;
	if (d->opcode == AVF_AQC_OPC_QUEUE_SHUTDOWN)
		return AVF_AQ_RC_OK;
	if (d->opcode != AVF_AQC_OPC_SEND_MSG_TO_PF)
		return AVF_AQ_RC_ESRCH;
	if (d->cookie_high == aq_error_op) {
		sim_log("fault aq-error: %s written back with ERR/EIO, not passed to the PF",
			dev_pf->op_name(d->cookie_high));
		return AVF_AQ_RC_EIO;
	}
	if (!(d->flags & AVF_AQ_FLAG_BUF) || d->datalen == 0)
		return AVF_AQ_RC_OK; /* a message without payload */
	if (d->datalen > AVF_AQ_BUF_SIZE)
		return AVF_AQ_RC_E2BIG;
	buf = sim_dma((uint64_t)d->addr_high << 32 | d->addr_low, d->datalen, SIM_DMA_READ,
		      "ATQ message buffer");
	if (!buf)
		return AVF_AQ_RC_EFAULT;
	memcpy(atq_buf, buf, d->datalen);
	*msglen = d->datalen;
	return AVF_AQ_RC_OK;
}

/* Execute the descriptor at q->head: read it, run it, write it back
 * (flags |= DD|CMP, +ERR; DD last), advance ATQH, then hand the message to
 * the PF (firmware completes the VF's descriptor when it has copied the
 * message; the PF handles it afterwards).  False on a ring DMA fault. */
static bool atq_execute(struct aq_ring *q)
{
	uint64_t iova = q->base + 32ull * q->head;
	volatile struct avf_aq_desc *slot;
	struct avf_aq_desc d;
	uint16_t rc, msglen, flags;

	slot = sim_dma(iova, sizeof(d), SIM_DMA_READ, "ATQ descriptor read");
	if (!slot)
		return false;
	memcpy(&d, (const void *)slot, sizeof(d));
	rc = atq_command(&d, &msglen);
	slot = sim_dma(iova, sizeof(d), SIM_DMA_WRITE, "ATQ descriptor write-back");
	if (!slot)
		return false;
	slot->retval = rc;
	flags = d.flags | AVF_AQ_FLAG_DD | AVF_AQ_FLAG_CMP | (rc ? AVF_AQ_FLAG_ERR : 0);
	__atomic_store_n(&slot->flags, flags, __ATOMIC_RELEASE);
	q->head = (q->head + 1) % q->len;
	reg_write(atq.head, q->head);
	if (sim_opts.trace)
		sim_trace("reg: VF_ATQH1 -> %u (opcode 0x%04x%s%s, retval %u)", q->head, d.opcode,
			  d.opcode == AVF_AQC_OPC_SEND_MSG_TO_PF ? " " : "",
			  d.opcode == AVF_AQC_OPC_SEND_MSG_TO_PF ? dev_pf->op_name(d.cookie_high) : "", rc);
	if (rc == AVF_AQ_RC_OK && d.opcode == AVF_AQC_OPC_SEND_MSG_TO_PF)
		dev_pf->receive(d.cookie_high, atq_buf, msglen);
	return true;
}

/* ATQT is the doorbell: run every descriptor from ATQH up to ATQT. */
static bool atq_poll(void)
{
	unsigned gen = dev_reset_gen;
	struct aq_ring q;
	bool busy = false;

	if (!aq_ring_get(&atq, &q) || q.head == q.tail || !dev_dma_allowed("admin send queue"))
		return false;
	while (q.head != q.tail) {
		if (!atq_execute(&q)) {
			aq_error(&atq, VF_QLEN_CRIT, "descriptor DMA fault", q.head);
			break;
		}
		busy = true;
		if (gen != dev_reset_gen)
			break; /* the message reset the VF: the queue is gone */
	}
	return busy;
}

/* ------------------------------------------------------------- ARQ */

/* Write m into the posted descriptor at q->head (as iavf_clean_arq_element
 * reads it): payload into the posted buffer, then opcode 0x0802, datalen,
 * retval, cookies, and flags DD|CMP keeping BUF|LB, DD last.  A posted
 * buffer shorter than the message (or none) gets the message truncated to
 * it, with ERR and retval E2BIG: what firmware does is NOT FOUND; this lets
 * the VF see the loss.  False on a descriptor DMA fault. */
static bool arq_put(const struct aq_ring *q, const struct arq_msg *m)
{
	uint64_t iova = q->base + 32ull * q->head;
	volatile struct avf_aq_desc *slot;
	struct avf_aq_desc d;
	uint16_t room, n, rc = AVF_AQ_RC_OK;

	slot = sim_dma(iova, sizeof(d), SIM_DMA_READ, "ARQ descriptor read");
	if (!slot)
		return false;
	memcpy(&d, (const void *)slot, sizeof(d));
	room = d.flags & AVF_AQ_FLAG_BUF ? d.datalen : 0;
	n = m->len;
	if (m->v_opcode == arq_error_op) {
		sim_log("fault arq-error: PF message %s written to the ARQ with ERR/EIO and no data",
			dev_pf->op_name(m->v_opcode));
		n = 0;
		rc = AVF_AQ_RC_EIO;
	}
	if (n > room) {
		sim_log("ARQ descriptor %u: %s message of %u bytes truncated to the %u-byte posted buffer",
			q->head, dev_pf->op_name(m->v_opcode), m->len, room);
		n = room;
		rc = AVF_AQ_RC_E2BIG;
	}
	if (n) {
		void *buf = sim_dma((uint64_t)d.addr_high << 32 | d.addr_low, n, SIM_DMA_WRITE,
				    "ARQ message buffer");

		if (buf)
			memcpy(buf, m->data, n);
		else
			n = 0, rc = AVF_AQ_RC_EFAULT;
	}
	slot = sim_dma(iova, sizeof(d), SIM_DMA_WRITE, "ARQ descriptor write-back");
	if (!slot)
		return false;
	slot->opcode = AVF_AQC_OPC_SEND_MSG_TO_VF;
	slot->datalen = n;
	slot->retval = rc;
	slot->cookie_high = m->v_opcode;
	slot->cookie_low = (uint32_t)m->v_retval;
	__atomic_store_n(&slot->flags,
			 (uint16_t)(AVF_AQ_FLAG_DD | AVF_AQ_FLAG_CMP | (rc ? AVF_AQ_FLAG_ERR : 0) |
				    (d.flags & (AVF_AQ_FLAG_BUF | AVF_AQ_FLAG_LB))),
			 __ATOMIC_RELEASE);
	return true;
}

static bool arq_enabled(void)
{
	return reg_read(arq.len) & VF_QLEN_ENABLE;
}

static void fifo_drop_all(const char *why)
{
	while (fifo.count) {
		sim_log("ARQ %s: PF message %s dropped", why, dev_pf->op_name(fifo.msg[fifo.first].v_opcode));
		fifo.first = (fifo.first + 1) % ARQ_FIFO_LEN;
		fifo.count--;
	}
}

/* Deliver queued messages while the VF has posted descriptors: the device
 * uses descriptors from ARQH up to but not including ARQT. */
static bool arq_deliver(void)
{
	struct aq_ring q;
	bool busy = false;

	if (!fifo.count || !aq_ring_get(&arq, &q) || !dev_dma_allowed("admin receive queue"))
		return false;
	while (fifo.count && q.head != q.tail) {
		const struct arq_msg *m = &fifo.msg[fifo.first];

		if (!arq_put(&q, m)) {
			aq_error(&arq, VF_QLEN_CRIT, "descriptor DMA fault", q.head);
			fifo_drop_all("broken");
			break;
		}
		q.head = (q.head + 1) % q.len;
		reg_write(arq.head, q.head);
		if (sim_opts.trace)
			sim_trace("reg: VF_ARQH1 -> %u (%s, %u bytes, status %d)", q.head,
				  dev_pf->op_name(m->v_opcode), m->len, m->v_retval);
		fifo.first = (fifo.first + 1) % ARQ_FIFO_LEN;
		fifo.count--;
		irq_adminq();
		busy = true;
	}
	return busy;
}

void dev_arq_send(uint32_t v_opcode, int32_t v_retval, const void *msg, uint16_t len)
{
	struct arq_msg *m;

	if (len > AVF_AQ_BUF_SIZE || (len && !msg)) {
		sim_log("PF message %s of %u bytes cannot be sent (max %u)", dev_pf->op_name(v_opcode), len,
			AVF_AQ_BUF_SIZE);
		return;
	}
	/* A disabled ARQ cannot take messages: firmware fails the PF's send. */
	if (!arq_enabled()) {
		sim_log("ARQ disabled: PF message %s dropped", dev_pf->op_name(v_opcode));
		return;
	}
	if (fifo.count == ARQ_FIFO_LEN) {
		aq_error(&arq, VF_QLEN_OVFL, "no posted descriptor and the message backlog is full",
			 reg_read(arq.head) & VF_QPTR_MASK);
		sim_log("ARQ overflow: PF message %s dropped", dev_pf->op_name(v_opcode));
		return;
	}
	m = &fifo.msg[(fifo.first + fifo.count++) % ARQ_FIFO_LEN];
	m->v_opcode = v_opcode;
	m->v_retval = v_retval;
	m->len = len;
	if (len)
		memcpy(m->data, msg, len);
	arq_deliver(); /* at once, as the mailbox does: a reset may follow */
}

/* ADMINQ in VFINT_ICR01 ends when nothing is queued and every descriptor
 * the device wrote was re-posted (ARQT one behind ARQH). */
static void arq_idle_check(void)
{
	uint32_t len = reg_read(arq.len) & VF_QLEN_LEN_MASK;

	if (fifo.count)
		return;
	if (!arq_enabled() || !len ||
	    ((reg_read(arq.tail) & VF_QPTR_MASK) + 1) % len == (reg_read(arq.head) & VF_QPTR_MASK))
		irq_adminq_idle();
}

bool aq_poll(void)
{
	bool busy = aq_watch(&atq);

	busy |= aq_watch(&arq);
	busy |= atq_poll();
	if (fifo.count && !arq_enabled())
		fifo_drop_all("disabled");
	busy |= arq_deliver();
	arq_idle_check();
	return busy;
}
