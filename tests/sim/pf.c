/* SPDX-License-Identifier: MIT
 *
 * pf.c - the PF driver's side of virtchnl: what Linux i40e and ice do with
 * the messages a VF posts (i40e_virtchnl_pf.c, ice_virtchnl.c), plus the
 * faults a test can inject.  Where the two PFs differ, pf_pers (pf-i40e.c,
 * pf-ice.c) says how.
 *
 * Every message is untrusted input: its length is checked against the
 * virtchnl validator's rule (virtchnl.h, virtchnl_vc_validate_vf_msg)
 * before any field is read, and fields are copied out with memcpy (the
 * buffer has no alignment guarantee).
 *
 * Numbering: errors use old i40e's numbers (the virtchnl ones, -5 ERR_PARAM
 * etc.; pf.h).  Kernels since the 2023 "i40e: use int" conversion send
 * negative errnos instead (-EINVAL -22 ...); drivers only test "== 0".
 *
 * The MAC/VLAN/promiscuous filters and the switch are in pf-filters.c.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf.h"

#define PF_QSET_HANDLE 5
/* Link speed of the simulated port: an XL710 40 GbE port, whatever the
 * device id (the event format, not the number, is what drivers must get right). */
#define PF_LINK_MBPS 40000
#define PF_LINK_LEGACY VIRTCHNL_LINK_SPEED_40GB
/* An 802.1Q tag (VLAN_HLEN). */
#define PF_VLAN_HLEN 4


struct pf_vf pf_vf;
struct pf_admin pf_admin;
const struct pf_personality *pf_pers = &pf_i40e;
static const char *const state_name[] = { "RESET", "INIT", "ACTIVE" };

/* A GET_VF_RESOURCES that arrived while the VF was still in reset: i40e
 * (i40e_sync_vf_state) waits up to 20 x 10-20 ms for INIT before it fails. */
#define PF_SYNC_WAIT_MS 300
static struct {
	bool waiting;
	uint8_t msg[4];
	uint16_t len;
	uint64_t deadline;
} res_wait;

/* ---------------------------------------------------------------- faults */

enum pf_fault_id {
	F_SILENT, F_VERSION, F_STATUS, F_WRONG_OPCODE, F_REPLY_LONG, F_REPLY_SHORT,
	F_UNSOLICITED, F_RESET_IMPENDING, F_PF_CLOSE, F_LINK_DOWN, F_LINK_FLAP,
	F_RESOURCES, F_COUNT
};
static const char *const fault_name[F_COUNT] = {
	"pf-silent", "version", "status", "wrong-opcode", "reply-long", "reply-short",
	"unsolicited", "reset-impending", "pf-close", "link-down", "link-flap",
	"resources",
};
static struct pf_fault {
	bool on, logged, done;
	bool any_op;    /* pf-silent without =OPCODE */
	uint32_t op;    /* OPCODE-valued faults */
	long long a, b; /* MS, STATUS, VALUE; version MAJOR, MINOR */
	uint64_t at;    /* link-flap: when the link goes down */
	int field;      /* resources=FIELD, an index into res_field[] */
} fault[F_COUNT];

/* The GET_VF_RESOURCES fields resources=FIELD:VALUE may override. */
enum { R_NUM_VSIS, R_VSI_TYPE, R_NUM_QUEUE_PAIRS, R_MAX_VECTORS, R_MAX_MTU, R_VSI_QUEUE_PAIRS,
       R_VSI_ID, R_COUNT };
static const char *const res_field[R_COUNT] = {
	"num_vsis", "vsi_type", "num_queue_pairs", "max_vectors", "max_mtu", "vsi_queue_pairs", "vsi_id",
};

static bool fault_hit(enum pf_fault_id id, uint32_t op)
{
	return fault[id].on && (fault[id].any_op || fault[id].op == op);
}

/* Log a fault the first time it takes effect. */
static void fault_note(enum pf_fault_id id, const char *what)
{
	const char *v = sim_fault(fault_name[id])->value;

	if (fault[id].logged)
		return;
	fault[id].logged = true;
	sim_log("pf: fault %s%s%s: %s", fault_name[id], *v ? "=" : "", v, what);
}

/* ---------------------------------------------------------------- opcodes */

/* The length rule of virtchnl.h's virtchnl_vc_validate_vf_msg.  ARRAY: the
 * message must be at least `min` bytes, then exactly base + count * elem,
 * count read at count_off (2 or 4 bytes). */
enum pf_len_kind { LEN_INVALID, LEN_FIXED, LEN_ARRAY, LEN_CAPS };
struct pf_len {
	enum pf_len_kind kind;
	uint16_t base, min, elem;
	uint8_t count_off, count_size;
	bool need_count; /* zero elements is an error */
};
#define INVALID { .kind = LEN_INVALID }
#define CAPS { .kind = LEN_CAPS }
#define FIXED(n) { .kind = LEN_FIXED, .base = (n) }
#define ARRAY(mn, off, size, b, el, need) \
	{ .kind = LEN_ARRAY, .base = (b), .min = (mn), .elem = (el), .count_off = (off), \
	  .count_size = (size), .need_count = (need) }

typedef void pf_handler(uint32_t op, const uint8_t *msg, uint16_t len);
static pf_handler pf_version, pf_reset_vf, pf_get_vf_resources, pf_request_queues;

/* Every opcode of virtchnl.h.  LEN_INVALID: virtchnl's validator rejects it
 * (EVENT, UNKNOWN, DPDK-only numbers) -> ERR_PARAM, as i40e replies.  A valid
 * length but no handler: i40e's "unsupported opcode" default case, which
 * replies I40E_ERR_NOT_IMPLEMENTED (-60; -EOPNOTSUPP -95 in newer kernels).
 * We send virtchnl's ERR_NOT_SUPPORTED (-64) there: the virtchnl code for it,
 * what ice sends, and the one DPDK maps to -ENOTSUP. */
#define OP(o) VIRTCHNL_OP_##o, "VIRTCHNL_OP_" #o
static const struct pf_op {
	uint32_t op;
	const char *name;
	struct pf_len len;
	pf_handler *handle;
} ops[] = {
	{ OP(UNKNOWN), INVALID, NULL },
	{ OP(VERSION), FIXED(8), pf_version },
	{ OP(RESET_VF), FIXED(0), pf_reset_vf },
	{ OP(GET_VF_RESOURCES), CAPS, pf_get_vf_resources },
	{ OP(CONFIG_TX_QUEUE), FIXED(24), NULL },
	{ OP(CONFIG_RX_QUEUE), FIXED(40), NULL },
	{ OP(CONFIG_VSI_QUEUES), ARRAY(72, 2, 2, 72, 64, true), pf_config_vsi_queues },
	{ OP(CONFIG_IRQ_MAP), ARRAY(14, 0, 2, 14, 12, true), pf_config_irq_map },
	{ OP(ENABLE_QUEUES), FIXED(12), pf_enable_queues },
	{ OP(DISABLE_QUEUES), FIXED(12), pf_disable_queues },
	{ OP(ADD_ETH_ADDR), ARRAY(12, 2, 2, 12, 8, true), pf_add_eth_addr },
	{ OP(DEL_ETH_ADDR), ARRAY(12, 2, 2, 12, 8, true), pf_del_eth_addr },
	{ OP(ADD_VLAN), ARRAY(6, 2, 2, 6, 2, true), pf_add_vlan },
	{ OP(DEL_VLAN), ARRAY(6, 2, 2, 6, 2, true), pf_del_vlan },
	{ OP(CONFIG_PROMISCUOUS_MODE), FIXED(4), pf_config_promisc },
	{ OP(GET_STATS), FIXED(12), pf_get_stats },
	{ OP(RSVD), INVALID, NULL },
	{ OP(EVENT), INVALID, NULL },
	/* i40e has no RSS_HFUNC (ice does): Toeplitz only. */
	{ OP(CONFIG_RSS_HFUNC), FIXED(8), NULL },
	/* 5 + n: the legacy struct's 1-byte phantom element is not counted. */
	{ OP(CONFIG_RSS_KEY), ARRAY(6, 2, 2, 5, 1, false), pf_config_rss_key },
	{ OP(CONFIG_RSS_LUT), ARRAY(6, 2, 2, 5, 1, false), pf_config_rss_lut },
	{ OP(GET_RSS_HENA_CAPS), FIXED(0), pf_get_rss_hena_caps },
	{ OP(SET_RSS_HENA), FIXED(8), pf_set_rss_hena },
	{ OP(ENABLE_VLAN_STRIPPING), FIXED(0), pf_vlan_stripping },
	{ OP(DISABLE_VLAN_STRIPPING), FIXED(0), pf_vlan_stripping },
	{ OP(REQUEST_QUEUES), FIXED(2), pf_request_queues },
	/* ADQ (channels, cloud filters) is not modelled and never granted. */
	{ OP(ENABLE_CHANNELS), ARRAY(24, 0, 4, 8, 16, true), NULL },
	{ OP(DISABLE_CHANNELS), FIXED(0), NULL },
	{ OP(ADD_CLOUD_FILTER), FIXED(272), NULL },
	{ OP(DEL_CLOUD_FILTER), FIXED(272), NULL },
	/* The rest belong to capabilities i40e never grants. */
	{ OP(GET_SUPPORTED_RXDIDS), FIXED(0), pf_get_supported_rxdids },
	{ OP(ADD_RSS_CFG), FIXED(2444), NULL },
	{ OP(DEL_RSS_CFG), FIXED(2444), NULL },
	{ OP(ADD_FDIR_FILTER), FIXED(2616), NULL },
	{ OP(DEL_FDIR_FILTER), FIXED(12), NULL },
	{ OP(GET_MAX_RSS_QREGION), INVALID, NULL }, /* DPDK-only number */
	{ OP(GET_OFFLOAD_VLAN_V2_CAPS), FIXED(0), pf_get_offload_vlan_v2_caps },
	{ OP(ADD_VLAN_V2), ARRAY(40, 2, 2, 8, 32, true), pf_add_del_vlan_v2 },
	{ OP(DEL_VLAN_V2), ARRAY(40, 2, 2, 8, 32, true), pf_add_del_vlan_v2 },
	{ OP(ENABLE_VLAN_STRIPPING_V2), FIXED(16), pf_vlan_setting_v2 },
	{ OP(DISABLE_VLAN_STRIPPING_V2), FIXED(16), pf_vlan_setting_v2 },
	{ OP(ENABLE_VLAN_INSERTION_V2), FIXED(16), pf_vlan_setting_v2 },
	{ OP(DISABLE_VLAN_INSERTION_V2), FIXED(16), pf_vlan_setting_v2 },
	{ OP(1588_PTP_GET_CAPS), FIXED(48), NULL },
	{ OP(1588_PTP_GET_TIME), FIXED(16), NULL },
	{ OP(GET_QOS_CAPS), FIXED(0), NULL },
	{ OP(CONFIG_QUEUE_BW), ARRAY(16, 2, 2, 4, 12, true), NULL },
	{ OP(CONFIG_QUANTA), FIXED(12), NULL },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static const struct pf_op *op_find(uint32_t op)
{
	for (size_t i = 0; i < NOPS; i++)
		if (ops[i].op == op)
			return &ops[i];
	return NULL;
}

const char *pf_op_name(uint32_t v_opcode)
{
	const struct pf_op *o = op_find(v_opcode);
	return o ? o->name : "unknown";
}

/* virtchnl.h's VIRTCHNL_VF_OFFLOAD_* capability names, bit by bit, for the
 * trace. */
static const char *const cap_name[32] = {
	"L2", "IWARP", "RSVD", "RSS_AQ", "RSS_REG", "WB_ON_ITR", "REQ_QUEUES",
	"ADV_LINK_SPEED", "INLINE_IPSEC_CRYPTO", "LARGE_NUM_QPAIRS", "CRC", "TC_U32",
	"QGRPS", "FLOW_STEER_TO_QGRP", "FSUB_PF", "VLAN_V2", "VLAN", "RX_POLLING",
	"RSS_PCTYPE_V2", "RSS_PF", "ENCAP", "ENCAP_CSUM", "RX_ENCAP_CSUM", "ADQ",
	"ADQ_V2", "USO", "RX_FLEX_DESC", "ADV_RSS_PF", "FDIR_PF", "QOS", "DCF", "PTP",
};

static void caps_str(struct pf_line *l, uint32_t caps)
{
	pf_line_add(l, "caps=0x%08x", caps);
	for (unsigned i = 0; i < 32; i++)
		if (caps & (1u << i))
			pf_line_add(l, "%s%s", caps & ((1u << i) - 1) ? "|" : " ", cap_name[i]);
}

static const char *status_name(int32_t s)
{
	switch (s) {
	case VIRTCHNL_STATUS_SUCCESS: return "SUCCESS";
	case VIRTCHNL_STATUS_ERR_PARAM: return "ERR_PARAM (-5)";
	case VIRTCHNL_STATUS_ERR_NOT_SUPPORTED: return "ERR_NOT_SUPPORTED (-64)";
	case PF_STATUS_EPERM: return "EPERM (-1)";
	case PF_STATUS_INVALID_MAC_ADDR: return "INVALID_MAC_ADDR (-10)";
	default: {
		static char buf[24];
		snprintf(buf, sizeof(buf), "status %d", (int)s);
		return buf;
	}
	}
}

/* A fault's OPCODE: options.c has already turned names into numbers
 * ("config_irq_map" -> "7"); s is n characters long. */
static bool parse_op(const char *s, size_t n, uint32_t *op)
{
	char buf[16];
	char *end;
	unsigned long v;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtoul(buf, &end, 10);
	*op = (uint32_t)v;
	return *end == '\0' && v <= UINT32_MAX;
}

/* Parse one fault's VALUE; false if it makes no sense (then it is ignored). */
static bool fault_parse(enum pf_fault_id id, const char *v)
{
	struct pf_fault *f = &fault[id];
	const char *colon = strchr(v, ':');
	char *end;

	switch (id) {
	case F_SILENT:
		f->any_op = !*v;
		return f->any_op || parse_op(v, strlen(v), &f->op);
	case F_VERSION:
		f->a = strtoll(v, &end, 10);
		if (*end != '.')
			return false;
		f->b = strtoll(end + 1, &end, 10);
		return *end == '\0';
	case F_STATUS:
		f->a = VIRTCHNL_STATUS_ERR_PARAM;
		if (!colon)
			return parse_op(v, strlen(v), &f->op);
		f->a = strtoll(colon + 1, &end, 0);
		return parse_op(v, (size_t)(colon - v), &f->op) && *end == '\0' && colon[1];
	case F_WRONG_OPCODE:
	case F_REPLY_LONG:
	case F_REPLY_SHORT:
	case F_UNSOLICITED:
		return parse_op(v, strlen(v), &f->op);
	case F_RESET_IMPENDING:
	case F_PF_CLOSE:
	case F_LINK_FLAP:
		f->a = strtoll(v, &end, 10);
		return *v && *end == '\0' && f->a >= 0;
	case F_LINK_DOWN:
		return true;
	case F_RESOURCES:
		if (!colon)
			return false;
		for (f->field = 0; f->field < R_COUNT; f->field++)
			if (strlen(res_field[f->field]) == (size_t)(colon - v) &&
			    !strncmp(v, res_field[f->field], (size_t)(colon - v)))
				break;
		f->a = strtoll(colon + 1, &end, 0);
		return f->field < R_COUNT && colon[1] && *end == '\0';
	case F_COUNT:
		break;
	}
	return false;
}

static void faults_parse(void)
{
	for (int id = 0; id < F_COUNT; id++) {
		const struct sim_fault *sf = sim_fault(fault_name[id]);
		if (!sf)
			continue;
		fault[id].on = fault_parse(id, sf->value);
		if (!fault[id].on)
			sim_log("pf: fault %s=%s not understood, ignored", sf->name, sf->value);
	}
}

/* ---------------------------------------------------------------- tracing */

void pf_line_add(struct pf_line *l, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (l->n >= sizeof(l->s) - 1)
		return;
	va_start(ap, fmt);
	r = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (r > 0)
		l->n += (size_t)r < sizeof(l->s) - l->n ? (size_t)r : sizeof(l->s) - l->n - 1;
}

void pf_mac_str(char out[18], const uint8_t m[6])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void pf_trace_in(uint32_t op, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (!sim_opts.trace)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sim_trace("pf: <- %s%s%s", pf_op_name(op), *buf ? " " : "", buf);
}

/* ---------------------------------------------------------------- replies */

/* fuzz=SEED[:RATE]: RATE% of the messages to the VF, replies and events
 * alike, get one random corruption: the status, the length (shorter, or
 * longer with zeros, up to the ARQ buffer), a payload byte, or the opcode. */
#define PF_FUZZ_SALT 0x5046 /* "PF" */
#define PF_FUZZ_MAX_GROW 64
static struct sim_fuzz fuzz;

static void pf_fuzz_send(uint32_t op, int32_t status, const void *data, uint16_t len)
{
	static uint8_t buf[AVF_AQ_BUF_SIZE];
	static const int32_t statuses[] = { VIRTCHNL_STATUS_ERR_PARAM, VIRTCHNL_STATUS_ERR_NOT_SUPPORTED,
					    VIRTCHNL_STATUS_ERR_ADMIN_QUEUE_ERROR, -22, 1, INT32_MIN };
	uint64_t r;
	uint16_t n;

	if (!sim_fuzz_hit(&fuzz)) {
		dev_arq_send(op, status, data, len);
		return;
	}
	r = sim_fuzz_next(&fuzz);
	memset(buf, 0, sizeof(buf));
	if (len)
		memcpy(buf, data, len);
	switch (r % 4) {
	case 0:
		status = statuses[(r >> 8) % (sizeof(statuses) / sizeof(statuses[0]))];
		sim_log("pf: fault fuzz: %s status %d", pf_op_name(op), (int)status);
		break;
	case 1:
		n = (uint16_t)((r >> 8) % ((unsigned)len + PF_FUZZ_MAX_GROW + 1));
		n = n > AVF_AQ_BUF_SIZE ? AVF_AQ_BUF_SIZE : n;
		sim_log("pf: fault fuzz: %s %u bytes, not %u", pf_op_name(op), n, len);
		len = n;
		break;
	case 2:
		if (len) {
			n = (uint16_t)((r >> 8) % len);
			buf[n] = (uint8_t)(r >> 40);
			sim_log("pf: fault fuzz: %s byte %u = 0x%02x", pf_op_name(op), n, buf[n]);
		}
		break;
	default:
		sim_log("pf: fault fuzz: %s sent as opcode %u", pf_op_name(op), (unsigned)((r >> 8) % 32));
		op = (uint32_t)((r >> 8) % 32);
		break;
	}
	dev_arq_send(op, status, buf, len);
}

/* Put a message on the VF's ARQ, shaped by the reply faults. */
static void pf_send(uint32_t op, int32_t status, const void *data, uint16_t len)
{
	static uint8_t buf[AVF_AQ_BUF_SIZE + 4];
	uint32_t sent_op = op;

	if (fault_hit(F_WRONG_OPCODE, op)) {
		sent_op = op + 1;
		fault_note(F_WRONG_OPCODE, "reply carries the next opcode");
	}
	if (fault_hit(F_REPLY_LONG, op) && len <= AVF_AQ_BUF_SIZE) {
		if (len)
			memcpy(buf, data, len);
		memset(buf + len, 0, 4);
		data = buf;
		len += 4;
		fault_note(F_REPLY_LONG, "reply 4 bytes too long");
	} else if (fault_hit(F_REPLY_SHORT, op)) {
		len = len >= 4 ? len - 4 : 0;
		fault_note(F_REPLY_SHORT, "reply 4 bytes too short");
	}
	pf_fuzz_send(sent_op, status, data, len);
}

void pf_reply(uint32_t op, int32_t status, const void *data, uint16_t len, const char *detail, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, detail);
	vsnprintf(buf, sizeof(buf), detail, ap);
	va_end(ap);
	if (status != VIRTCHNL_STATUS_SUCCESS) {
		sim_report.virtchnl_errors++;
		sim_log("pf: -> %s %s: %s", pf_op_name(op), status_name(status), buf);
	} else {
		sim_trace("pf: -> %s SUCCESS%s%s", pf_op_name(op), *buf ? " " : "", buf);
	}
	pf_send(op, status, data, len);
}

static void pf_event(const struct virtchnl_pf_event *e, const char *what)
{
	sim_trace("pf: -> EVENT %s", what);
	pf_fuzz_send(VIRTCHNL_OP_EVENT, VIRTCHNL_STATUS_SUCCESS, e, sizeof(*e));
}

static bool link_up_at(uint64_t now);

/* i40e_vc_notify_vf_link_state: LINK_CHANGE in the format the VF asked
 * for: Mbps when it requested CAP_ADV_LINK_SPEED (i40e tests the request,
 * not the grant), else the legacy speed bit.  A down link reports speed 0
 * (unknown). */
void pf_link_event(bool up)
{
	struct virtchnl_pf_event e = {
		.event = VIRTCHNL_EVENT_LINK_CHANGE,
		.severity = PF_EVENT_SEVERITY_INFO,
	};
	char what[64];

	if (pf_vf.driver_caps & VIRTCHNL_VF_CAP_ADV_LINK_SPEED) {
		e.event_data.link_event_adv.link_speed = up ? PF_LINK_MBPS : 0;
		e.event_data.link_event_adv.link_status = up;
	} else {
		e.event_data.link_event.link_speed = up ? PF_LINK_LEGACY : VIRTCHNL_LINK_SPEED_UNKNOWN;
		e.event_data.link_event.link_status = up;
	}
	snprintf(what, sizeof(what), "LINK_CHANGE %s %u Mbps%s", up ? "up" : "down",
		 up ? PF_LINK_MBPS : 0,
		 pf_vf.driver_caps & VIRTCHNL_VF_CAP_ADV_LINK_SPEED ? "" : " (legacy speed enum)");
	pf_event(&e, what);
	if (fault[F_LINK_DOWN].on)
		fault_note(F_LINK_DOWN, "LINK_CHANGE says down");
	pf_vf.link_sent = true;
	pf_vf.port_seen = link_up_at(sim_now_ns());
	sim_report.last_link_state = up;
}

/* The PF is function 0 of the VF's bus ("dddd:bb:00.0"). */
void pf_dmesg(const char *what)
{
	sim_log("dmesg: %s %.8s00.0: %s", pf_pers->name, sim_opts.bdf, what);
}

/* A PF-side event with severity CERTAIN_DOOM (RESET_IMPENDING, PF_DRIVER_CLOSE). */
static void pf_doom_event(int32_t code, const char *what)
{
	struct virtchnl_pf_event e = {
		.event = code,
		.severity = PF_EVENT_SEVERITY_CERTAIN_DOOM,
	};
	pf_event(&e, what);
}

/* ---------------------------------------------------------------- link */

/* The port's link at `now` (what the wire needs to deliver): the port comes
 * up --link-delay ms after the simulator started; faults can hold it down
 * or flap it. */
static bool link_up_at(uint64_t now)
{
	const struct pf_fault *flap = &fault[F_LINK_FLAP];

	if (fault[F_LINK_DOWN].on || pf_vf.closed)
		return false;
	if (now - pf_vf.start_ns < sim_opts.link_delay_ms * PF_MS)
		return false;
	return !(flap->done && now >= flap->at && now - flap->at < (uint64_t)flap->a * PF_MS);
}

bool pf_link_up(void)
{
	pf_ready();
	return link_up_at(sim_now_ns());
}

/* The link as the PF tells the VF: ice (ice_is_vf_link_up) says down while
 * none of the VF's queues is enabled; then the host's forced state
 * (i40e_vc_notify_vf_link_state, ice_is_vf_link_up: link_forced, link_up),
 * else the port's. */
static bool vf_link_up_at(uint64_t now)
{
	if (pf_pers->link_needs_queues && !pf_vf.qs_ena)
		return false;
	if (pf_admin.link != SIM_HOST_LINK_AUTO)
		return pf_admin.link == SIM_HOST_LINK_UP;
	return link_up_at(now);
}

bool pf_vf_link_up(void)
{
	pf_ready();
	return vf_link_up_at(sim_now_ns());
}

/* ---------------------------------------------------------------- state */

/* The VF state (and VSI id, if >= 0) a configuration message needs: each
 * i40e handler tests I40E_VF_STATE_ACTIVE and i40e_vc_isvalid_vsi_id. */
bool pf_check(int vsi_id, char *why, size_t n)
{
	if (pf_vf.state != PF_ACTIVE)
		snprintf(why, n, "VF is %s, not ACTIVE: GET_VF_RESOURCES must come first", state_name[pf_vf.state]);
	else if (vsi_id >= 0 && vsi_id != pf_pers->vsi_id)
		snprintf(why, n, "vsi_id %d is not this VF's (%u)", vsi_id, pf_pers->vsi_id);
	else
		return true;
	return false;
}

bool pf_allowed(uint32_t op, int vsi_id)
{
	char why[96];

	if (pf_check(vsi_id, why, sizeof(why)))
		return true;
	pf_reply(op, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0, "%s", why);
	return false;
}

void pf_ok(uint32_t op)
{
	pf_reply(op, VIRTCHNL_STATUS_SUCCESS, NULL, 0, "%s", "");
}

/* i40e_cleanup_reset_vf: (re)allocate the VSI after a reset. */
/* i40e_free_vf_res releases the VSI and i40e_alloc_vsi_res creates another:
 * its statistics start from zero (i40e_update_eth_stats reloads the offsets). */
static void pf_vsi_alloc(bool forget)
{
	pf_vf.state = PF_INIT;
	memset(&dev_vsi_stats, 0, sizeof(dev_vsi_stats));
	pf_vf.num_qp = pf_vf.req_qp ? pf_vf.req_qp : sim_opts.queue_pairs;
	pf_queues_alloc();
	pf_filters_alloc(forget);
}

void pf_ready(void)
{
	if (pf_vf.ready)
		return;
	pf_vf.ready = true;
	pf_pers = sim_opts.pf == SIM_PF_ICE ? &pf_ice : &pf_i40e;
	pf_vf.start_ns = sim_now_ns();
	memcpy(pf_admin.mac, sim_opts.mac, sizeof(pf_admin.mac));
	pf_admin.trust = sim_opts.trust;
	pf_admin.spoofchk = !sim_opts.no_spoofchk;
	faults_parse();
	sim_fuzz_init(&fuzz, PF_FUZZ_SALT);
	pf_vsi_alloc(true);
}

/* A reset the VF asked for (RESET_VF) or the PF decided (doom: i40e_vc_reset_vf
 * with notify first sends RESET_IMPENDING).  No reply; the device calls
 * pf_reset_done().  The event is in the VF's ARQ before the reset tears the
 * queue down (dev_arq_send delivers at once, as the firmware completes the
 * PF's send before i40e goes on), and the reset follows at once: no message
 * is handled and RSTAT leaves VFACTIVE before the VF can act on the event.
 *
 * i40e_trigger_vf_reset (not for a VFLR): when the VF was active and its
 * VFINT_ICR0_ENA1.ADMINQ is clear, i40e_sync_vfr_reset polls that bit
 * I40E_VFR_WAIT_COUNT (100) times, 100-200 us apart, before the reset, and
 * logs "Reset VF %d never finished" if it stays clear.  Both the VF's
 * RESET_VF and the PF's own resets go through it (i40e_vc_reset_vf). */
#define PF_VFR_WAIT_COUNT 100
#define PF_VFR_WAIT_US 150 /* the midpoint of usleep_range(100, 200) */

static void pf_trigger_reset(void)
{
	if (pf_vf.reset_due)
		return; /* one is coming: i40e_reset_vf's RESETTING bit */
	if (pf_vf.state == PF_RESET || !pf_pers->sync_vfr_reset || dev_icr0_adminq_enabled()) {
		pf_vf.state = PF_RESET;
		dev_vf_reset();
		return;
	}
	pf_vf.state = PF_RESET;
	pf_vf.reset_due = true;
	pf_vf.reset_ns = sim_now_ns() + (uint64_t)PF_VFR_WAIT_COUNT * PF_VFR_WAIT_US * 1000;
	sim_report.vfr_sync_waits++;
	sim_trace("pf: VFINT_ICR0_ENA1.ADMINQ is clear: waiting up to %u x %u us for it "
		  "(i40e_sync_vfr_reset)", PF_VFR_WAIT_COUNT, PF_VFR_WAIT_US);
}

/* pf_tick: the handshake ends when the VF sets ADMINQ again, or times out. */
static void pf_sync_vfr_reset(uint64_t now)
{
	if (!dev_icr0_adminq_enabled()) {
		if (now < pf_vf.reset_ns)
			return;
		sim_report.vfr_never_finished++;
		pf_dmesg("Reset VF 0 never finished");
	}
	pf_vf.reset_due = false;
	dev_vf_reset();
}

static void pf_start_reset(bool doom, const char *why)
{
	sim_trace("pf: VF reset (%s)", why);
	if (doom)
		pf_doom_event(VIRTCHNL_EVENT_RESET_IMPENDING, "RESET_IMPENDING CERTAIN_DOOM");
	pf_trigger_reset();
}

/* The host's administrator resets the VF: i40e_vc_reset_vf(vf, true), which
 * announces it (i40e_vc_notify_vf_reset: only to a VF in INIT or ACTIVE)
 * and resets through the same path as RESET_VF. */
void pf_host_vf_reset(const char *why)
{
	if (pf_vf.state == PF_RESET) {
		sim_trace("pf: %s: the VF is in reset already (i40e_reset_vf: RESETTING)", why);
		return;
	}
	sim_report.host_vf_resets++;
	pf_start_reset(true, why);
}

/* A PF reset: i40e_prep_for_reset tells every VF (i40e_vc_notify_reset),
 * the PF resets, and i40e_rebuild ends with i40e_reset_all_vfs(pf, true):
 * the hardware reset the VFs with the PF, so there is no VFRTRIG and no
 * ICR0_ENA1 handshake, and RSTAT stays VFR_INPROGRESS until the PF is
 * rebuilt. */
void pf_host_pf_reset(uint64_t hold_ns)
{
	sim_report.host_vf_resets++;
	sim_trace("pf: PF reset: every VF is told, then reset with the PF");
	if (pf_vf.state != PF_RESET)
		pf_doom_event(VIRTCHNL_EVENT_RESET_IMPENDING, "RESET_IMPENDING CERTAIN_DOOM");
	pf_vf.reset_due = false;
	pf_vf.state = PF_RESET;
	dev_vf_reset_for(hold_ns);
}

/* i40e_ndo_set_vf_link_state: auto and up clear is_disabled_from_host and
 * reset the VF (announced), the new state sent after the reset; down sends
 * LINK_CHANGE down at once and stops the VF's queues, with no reset.
 * ice_set_vf_link_state (pf_pers->host->link_resets false) only calls
 * ice_vc_notify_vf_link_state: the VF's new view, no reset, queues on. */
void pf_host_link(int link)
{
	pf_admin.link = link;
	if (!pf_pers->host->link_resets) {
		pf_link_event(pf_vf_link_up());
		return;
	}
	if (link == SIM_HOST_LINK_DOWN) {
		pf_link_event(false);
		pf_queues_stop();
		return;
	}
	pf_vf.link_after_reset = true;
	pf_host_vf_reset("the host set the link state");
}

bool pf_disabled_from_host(void)
{
	return pf_pers->host->link_resets && pf_admin.link == SIM_HOST_LINK_DOWN;
}

static void pf_vflr_rebuild(void);

void pf_reset_done(void)
{
	pf_ready();
	/* ice_reset_vf(ICE_VF_RESET_VFLR) from the service task:
	 * ice_trigger_vf_reset's clear_mbx_register first, whatever the VF
	 * driver enabled meanwhile */
	if (pf_vf.vflr_due) {
		pf_vf.vflr_due = false;
		dev_mbx_clear();
		pf_vflr_rebuild();
		return;
	}
	pf_vsi_alloc(false);
	sim_trace("pf: VF reset done: VSI %u reallocated with %u queue pairs, VF state INIT",
		  pf_pers->vsi_id, pf_vf.num_qp);
	/* i40e_ndo_set_vf_link_state sends the new link state once its reset
	 * returns: the VF's ARQ is not enabled again yet, so it is lost. */
	if (pf_vf.link_after_reset) {
		pf_vf.link_after_reset = false;
		pf_link_event(pf_vf_link_up());
	}
	if (res_wait.waiting) {
		res_wait.waiting = false;
		pf_get_vf_resources(VIRTCHNL_OP_GET_VF_RESOURCES, res_wait.msg, res_wait.len);
	}
}

/* A VFLR rebuilds the VF like a VF reset; the VF's negotiated version and
 * what it learnt go too, so the next driver starts from scratch.
 * REQUEST_QUEUES' count stays (i40e and ice keep num_req_queues until the
 * VFs are freed). */
static void pf_vflr_rebuild(void)
{
	pf_vf.reset_due = false;
	pf_vf.link_after_reset = false;
	res_wait.waiting = false;
	memset(&pf_vf.ver, 0, sizeof(pf_vf.ver));
	pf_vf.driver_caps = 0;
	pf_vf.link_sent = false;
	pf_vf.after_version = false;
	pf_vsi_alloc(true);
	sim_trace("pf: function-level reset: VF state INIT, version forgotten");
}

/* The FLR itself is the device's (dev_flr).  i40e rebuilds the VF with it;
 * ice (pf_pers->vflr_rebuild_ns) later, in its service task: meanwhile the
 * VF keeps the state it had in the PF's eyes, and pf_reset_done() finishes
 * the job. */
uint64_t pf_flr(void)
{
	pf_ready();
	if (!pf_pers->vflr_rebuild_ns) {
		pf_vflr_rebuild();
		return 0;
	}
	pf_vf.vflr_due = true;
	sim_trace("pf: VFLR: %s rebuilds the VF in its service task, %llu ms from now", pf_pers->name,
		  (unsigned long long)(pf_pers->vflr_rebuild_ns / PF_MS));
	return pf_pers->vflr_rebuild_ns;
}

/* ---------------------------------------------------------------- dispatcher */

static bool vf_is_v11(void)
{
	return pf_vf.ver.major == 1 && pf_vf.ver.minor == 1;
}

/* The exact length virtchnl_vc_validate_vf_msg() (virtchnl.h) expects;
 * false and *expected when the message does not have it. */
static bool len_ok(const struct pf_len *r, const uint8_t *msg, uint16_t len, uint64_t *expected)
{
	uint32_t count = 0;

	switch (r->kind) {
	case LEN_FIXED:
		*expected = r->base;
		return len == r->base;
	case LEN_CAPS: /* a u32 of capabilities from a 1.1 VF, nothing from 1.0 */
		*expected = vf_is_v11() ? 4 : 0;
		return len == *expected;
	case LEN_ARRAY:
		*expected = r->min;
		if (len < r->min)
			return false;
		memcpy(&count, msg + r->count_off, r->count_size);
		*expected = r->base + (uint64_t)count * r->elem;
		return len == *expected && (count || !r->need_count);
	case LEN_INVALID:
		break;
	}
	return false;
}

/* unsolicited=OPCODE: an extra reply nobody asked for, right before the
 * reply to the first message after VERSION. */
static void pf_unsolicited(void)
{
	struct pf_fault *f = &fault[F_UNSOLICITED];

	if (!f->on || f->done || !pf_vf.after_version)
		return;
	f->done = true;
	fault_note(F_UNSOLICITED, "extra reply sent");
	sim_trace("pf: -> %s SUCCESS (unsolicited, fault)", pf_op_name(f->op));
	dev_arq_send(f->op, VIRTCHNL_STATUS_SUCCESS, NULL, 0);
}

void pf_receive(uint32_t v_opcode, const uint8_t *msg, uint16_t len)
{
	const struct pf_op *o = op_find(v_opcode);
	uint64_t expected = 0;

	pf_ready();
	sim_report.virtchnl_msgs++;
	if (pf_vf.closed || fault_hit(F_SILENT, v_opcode)) {
		pf_trace_in(v_opcode, "(%u bytes) dropped: %s", len,
			    pf_vf.closed ? "the PF driver closed" : "fault pf-silent");
		if (!pf_vf.closed)
			fault_note(F_SILENT, "message dropped, no reply");
		return;
	}
	pf_unsolicited();
	if (fault_hit(F_STATUS, v_opcode)) {
		pf_trace_in(v_opcode, "(%u bytes) not applied: fault status", len);
		fault_note(F_STATUS, "reply carries the fault's status, message not applied");
		sim_trace("pf: -> %s %s (fault)", pf_op_name(v_opcode), status_name((int32_t)fault[F_STATUS].a));
		pf_send(v_opcode, (int32_t)fault[F_STATUS].a, NULL, 0);
		return;
	}
	if (pf_pers->op_allowed && !pf_pers->op_allowed(v_opcode)) {
		pf_trace_in(v_opcode, "(opcode %u, %u bytes)", v_opcode, len);
		pf_reply(v_opcode, VIRTCHNL_STATUS_ERR_NOT_SUPPORTED, NULL, 0,
			 "opcode %u is not in the VF's allow-list in state %s (ice_vc_is_opcode_allowed)",
			 v_opcode, state_name[pf_vf.state]);
	} else if (!o || o->len.kind == LEN_INVALID) {
		pf_trace_in(v_opcode, "(opcode %u, %u bytes)", v_opcode, len);
		pf_reply(v_opcode, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0,
			 "opcode %u is not a VF request virtchnl accepts", v_opcode);
	} else if (!len_ok(&o->len, msg, len, &expected)) {
		pf_trace_in(v_opcode, "(%u bytes)", len);
		pf_reply(v_opcode, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0,
			 "message is %u bytes, virtchnl expects %llu%s", len,
			 (unsigned long long)expected,
			 o->len.need_count && len == expected ? " and at least one element" : "");
	} else if (!o->handle || (pf_pers->implements && !pf_pers->implements(v_opcode))) {
		pf_trace_in(v_opcode, "(%u bytes)", len);
		pf_reply(v_opcode, VIRTCHNL_STATUS_ERR_NOT_SUPPORTED, NULL, 0,
			 "%s does not implement it (capability never granted)", pf_pers->name);
	} else {
		o->handle(v_opcode, msg, len);
	}
}

/* ---------------------------------------------------------------- handlers */

/* i40e_vc_get_version_msg: {1,1}, or {1,0} to a 1.0 VF; the VF's version
 * is stored. */
static void pf_version(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_version_info r = { VIRTCHNL_VERSION_MAJOR, VIRTCHNL_VERSION_MINOR };

	(void)len;
	memcpy(&pf_vf.ver, msg, sizeof(pf_vf.ver));
	pf_trace_in(op, "%u.%u", pf_vf.ver.major, pf_vf.ver.minor);
	if (pf_vf.ver.major == 1 && pf_vf.ver.minor == VIRTCHNL_VERSION_MINOR_NO_VF_CAPS)
		r.minor = VIRTCHNL_VERSION_MINOR_NO_VF_CAPS;
	if (fault[F_VERSION].on) {
		r.major = (uint32_t)fault[F_VERSION].a;
		r.minor = (uint32_t)fault[F_VERSION].b;
		fault_note(F_VERSION, "VERSION reply altered");
	}
	pf_vf.after_version = true;
	pf_reply(op, VIRTCHNL_STATUS_SUCCESS, &r, sizeof(r), "%u.%u", r.major, r.minor);
}

/* No reply either way.  i40e_vc_reset_vf_msg resets a VF with
 * I40E_VF_STATE_ACTIVE, which i40e_trigger_vf_reset clears and
 * i40e_cleanup_reset_vf sets again once the VSI is rebuilt;
 * ice_vc_reset_vf_msg one with ICE_VF_STATE_INIT, cleared and set likewise
 * (ice_trigger_vf_reset, ice_vf_set_initialized).  Both: any VF not in
 * reset, INIT or ACTIVE here; one in reset is not reset again. */
static void pf_reset_vf(uint32_t op, const uint8_t *msg, uint16_t len)
{
	(void)msg;
	(void)len;
	if (pf_vf.state == PF_RESET) {
		sim_log("pf: RESET_VF from a VF in reset ignored (%s_vc_reset_vf_msg)", pf_pers->name);
		return;
	}
	pf_trace_in(op, "(no reply: the PF resets the VF)");
	pf_start_reset(false, "RESET_VF");
}

/* resources=FIELD:VALUE overrides one field of the reply (the PF itself
 * keeps its real values). */
static void resources_fault(struct virtchnl_vf_resource *r)
{
	const struct pf_fault *f = &fault[F_RESOURCES];
	struct virtchnl_vsi_resource *v = &r->vsi_res[0];

	if (!f->on)
		return;
	switch (f->field) {
	case R_NUM_VSIS: r->num_vsis = (uint16_t)f->a; break;
	case R_VSI_TYPE: v->vsi_type = (int32_t)f->a; break;
	case R_NUM_QUEUE_PAIRS: r->num_queue_pairs = (uint16_t)f->a; break;
	case R_MAX_VECTORS: r->max_vectors = (uint16_t)f->a; break;
	case R_MAX_MTU: r->max_mtu = (uint16_t)f->a; break;
	case R_VSI_QUEUE_PAIRS: v->num_queue_pairs = (uint16_t)f->a; break;
	case R_VSI_ID: v->vsi_id = (uint16_t)f->a; break;
	}
	fault_note(F_RESOURCES, "GET_VF_RESOURCES reply altered");
}

static void pf_get_vf_resources(uint32_t op, const uint8_t *msg, uint16_t len)
{
	/* room for i40e's legacy 16 bytes after the one vsi_res; the reply is
	 * pf_pers->resources_len long (52 i40e, 36 ice) */
	struct {
		struct virtchnl_vf_resource r;
		struct virtchnl_vsi_resource pad;
	} res;
	struct virtchnl_vf_resource *r = &res.r;
	struct pf_line l = { .n = 0 };
	char mac[18];

	if (pf_vf.state == PF_RESET) {
		res_wait.waiting = true;
		memcpy(res_wait.msg, msg, len);
		res_wait.len = len;
		res_wait.deadline = sim_now_ns() + PF_SYNC_WAIT_MS * PF_MS;
		pf_trace_in(op, "(waits for the VF reset to finish)");
		return;
	}
	/* a 1.0 VF cannot say what it wants: the PF assumes caps_v10 */
	pf_vf.driver_caps = pf_pers->caps_v10;
	if (len == sizeof(uint32_t))
		memcpy(&pf_vf.driver_caps, msg, sizeof(uint32_t));
	caps_str(&l, pf_vf.driver_caps);
	pf_trace_in(op, "%s", l.s);
	memset(&res, 0, sizeof(res));
	r->num_vsis = 1;
	r->num_queue_pairs = (uint16_t)pf_vf.num_qp;
	r->max_vectors = (uint16_t)sim_opts.vectors;
	/* "max_mtu" is the port's max frame size (9728 on 700 Series), minus
	 * the 4-byte tag with a port VLAN (i40e_vc_get_max_frame_size). */
	r->max_mtu = AVF_MAX_FRAME;
	if (pf_admin.port_vlan)
		r->max_mtu -= PF_VLAN_HLEN;
	r->vf_cap_flags = pf_pers->grant(pf_vf.driver_caps);
	/* i40e_vc_get_vf_resources_msg: no VLAN offload with a port VLAN (the
	 * VSI's pvid set by the host). */
	if (pf_admin.port_vlan)
		r->vf_cap_flags &= ~VIRTCHNL_VF_OFFLOAD_VLAN;
	pf_vf.granted = r->vf_cap_flags;
	r->rss_key_size = VIRTCHNL_RSS_KEY_SIZE;
	r->rss_lut_size = VIRTCHNL_RSS_LUT_SIZE;
	r->vsi_res[0].vsi_id = pf_pers->vsi_id;
	r->vsi_res[0].num_queue_pairs = (uint16_t)pf_vf.num_qp;
	r->vsi_res[0].vsi_type = VIRTCHNL_VSI_SRIOV;
	r->vsi_res[0].qset_handle = PF_QSET_HANDLE;
	pf_filters_default_mac(pf_vf.driver_caps, r->vsi_res[0].default_mac_addr);
	resources_fault(r);
	pf_vf.state = PF_ACTIVE;
	if (pf_pers->strip_follows_grant)
		pf_filters_strip(pf_vf.granted & VIRTCHNL_VF_OFFLOAD_VLAN);

	l.n = 0;
	caps_str(&l, r->vf_cap_flags);
	pf_mac_str(mac, r->vsi_res[0].default_mac_addr);
	pf_reply(op, VIRTCHNL_STATUS_SUCCESS, &res, pf_pers->resources_len,
		 "num_vsis=%u vsi=%u type=%d qp=%u vectors=%u max_mtu=%u rss_key=%u rss_lut=%u mac=%s %s",
		 r->num_vsis, r->vsi_res[0].vsi_id, (int)r->vsi_res[0].vsi_type,
		 r->vsi_res[0].num_queue_pairs, r->max_vectors, r->max_mtu, r->rss_key_size,
		 r->rss_lut_size, mac, l.s);
	pf_link_event(pf_vf_link_up());
}

/* i40e_vc_request_queues_msg: more than 16 -> the reply names 16;
 * otherwise no reply: the PF resets the VF (RESET_IMPENDING first) and
 * reallocates the VSI with the new count (0 = back to the default).  The
 * simulated PF always has the queues, so i40e's "only N left" answer never
 * happens. */
static void pf_request_queues(uint32_t op, const uint8_t *msg, uint16_t len)
{
	struct virtchnl_vf_res_request r;

	(void)len;
	memcpy(&r, msg, sizeof(r));
	pf_trace_in(op, "num_queue_pairs=%u", r.num_queue_pairs);
	if (!pf_allowed(op, -1))
		return;
	if (r.num_queue_pairs > VIRTCHNL_MAX_QUEUE_PAIRS) {
		r.num_queue_pairs = VIRTCHNL_MAX_QUEUE_PAIRS;
		pf_reply(op, VIRTCHNL_STATUS_SUCCESS, &r, sizeof(r), "num_queue_pairs=16 (the most a VF may have)");
		return;
	}
	pf_vf.req_qp = r.num_queue_pairs;
	pf_start_reset(true, "REQUEST_QUEUES granted");
}

/* ---------------------------------------------------------------- time */

/* Timed faults run MS ms after the first successful ENABLE_QUEUES, once. */
static bool fault_due(enum pf_fault_id id, uint64_t now)
{
	struct pf_fault *f = &fault[id];

	if (!f->on || f->done || !pf_vf.enabled_once || now - pf_vf.enabled_ns < (uint64_t)f->a * PF_MS)
		return false;
	f->done = true;
	return true;
}

void pf_tick(uint64_t now_ns)
{
	struct pf_fault *flap = &fault[F_LINK_FLAP];

	pf_ready();
	if (pf_vf.closed)
		return;
	if (pf_vf.reset_due)
		pf_sync_vfr_reset(now_ns);
	if (res_wait.waiting && now_ns >= res_wait.deadline) {
		res_wait.waiting = false;
		pf_reply(VIRTCHNL_OP_GET_VF_RESOURCES, VIRTCHNL_STATUS_ERR_PARAM, NULL, 0,
			 "the VF stayed in reset for %d ms", PF_SYNC_WAIT_MS);
	}
	if (fault_due(F_RESET_IMPENDING, now_ns)) {
		fault_note(F_RESET_IMPENDING, "RESET_IMPENDING sent, VF reset");
		pf_start_reset(true, "fault reset-impending");
	}
	if (fault_due(F_PF_CLOSE, now_ns)) {
		fault_note(F_PF_CLOSE, "PF_DRIVER_CLOSE sent; the PF no longer answers");
		pf_doom_event(VIRTCHNL_EVENT_PF_DRIVER_CLOSE, "PF_DRIVER_CLOSE CERTAIN_DOOM");
		pf_vf.closed = true;
		return;
	}
	/* link-flap: arm once the link is up with queues enabled */
	if (flap->on && !flap->done && pf_vf.enabled_once && link_up_at(now_ns)) {
		flap->done = true;
		flap->at = now_ns + (uint64_t)flap->a * PF_MS;
		fault_note(F_LINK_FLAP, "link goes down for MS ms, once");
	}
	/* Tell an ACTIVE VF (one that has heard about the link) when the port's
	 * link changes (i40e_vc_notify_link_state, ice_vc_notify_link_state),
	 * in the VF's view of it. */
	if (pf_vf.state == PF_ACTIVE && pf_vf.link_sent && link_up_at(now_ns) != pf_vf.port_seen)
		pf_link_event(vf_link_up_at(now_ns));
}
