/* SPDX-License-Identifier: MIT
 *
 * pf.h - private interface between the parts of the PF model:
 *
 *   pf.c          dispatcher, VF state, length checks, replies and events,
 *                 link, VERSION, GET_VF_RESOURCES, resets, faults
 *   pf-queues.c   CONFIG_VSI_QUEUES, CONFIG_IRQ_MAP, ENABLE/DISABLE_QUEUES,
 *                 GET_STATS, RSS
 *   pf-filters.c  the VSI's switch filters: MAC, VLAN, promiscuous mode,
 *                 pf_rx_accept() and pf_tx_allowed()
 *   pf-vlan.c     VLAN v2 (ice's ice_vc_*_v2_msg)
 *   pf-i40e.c     what Linux i40e does differently (struct pf_personality)
 *   pf-ice.c      what Linux ice does differently
 *
 * Everything runs in the device thread with sim_lock held (sim.h).
 */
#ifndef AVFSIM_PF_H
#define AVFSIM_PF_H

#include "sim.h"

/* Status numbers old i40e sends besides virtchnl's own (older kernels'
 * i40e_status.h: its I40E_ERR_* numbers equal the virtchnl/iavf_status
 * ones; -EPERM is sent as a plain errno even by old kernels).  Newer kernels
 * send -EINVAL (-22) where we send ERR_PARAM (-5) and INVALID_MAC_ADDR
 * (-10). */
#define PF_STATUS_EPERM (-1)
#define PF_STATUS_INVALID_MAC_ADDR (-10)

#define PF_MS 1000000ull

/* i40e's VF states as the dispatcher sees them (i40e_virtchnl_pf.h,
 * enum i40e_vf_states). */
enum pf_state { PF_RESET, PF_INIT, PF_ACTIVE };

/* The one VF this PF serves. */
struct pf_vf {
	bool ready;
	enum pf_state state;
	struct virtchnl_version_info ver; /* the VF's VERSION; 0.0 until sent */
	uint32_t driver_caps;             /* GET_VF_RESOURCES: what the VF asked */
	uint32_t granted;                 /* what GET_VF_RESOURCES granted */
	unsigned num_qp;                  /* the VSI's queue pairs */
	unsigned req_qp;                  /* REQUEST_QUEUES: kept across resets */
	uint32_t txq_len[AVF_MAX_QUEUES]; /* configured ring lengths, 0 = none */
	uint32_t rxq_len[AVF_MAX_QUEUES];
	uint64_t start_ns;                /* the port came up (--link-delay base) */
	bool link_sent;                   /* a LINK_CHANGE was sent (since the VFLR) */
	bool port_seen;                   /* the port's link when it was sent */
	uint32_t qs_ena;                  /* enabled queues: RX bits 0-15, TX 16-31 */
	bool enabled_once;                /* first ENABLE_QUEUES succeeded ... */
	uint64_t enabled_ns;              /* ... at this time (timed faults) */
	bool after_version;               /* a VERSION was handled (unsolicited=) */
	bool closed;                      /* PF_DRIVER_CLOSE sent: PF gone */
	bool link_after_reset;            /* LINK_CHANGE once the reset is done */
	bool reset_due;                   /* i40e_sync_vfr_reset is waiting ... */
	uint64_t reset_ns;                /* ... until this time */
	bool vflr_due;                   /* a VFLR the PF has yet to handle (ice) */
};
extern struct pf_vf pf_vf;

/* What the host's administrator set for the VF (ip link set <pf> vf 0 ...):
 * --mac, --trust and --no-spoofchk at start, then --host actions (host.c). */
struct pf_admin {
	uint8_t mac[6];      /* i40e's pf_set_mac when not zero */
	bool trust;
	bool spoofchk;
	uint16_t port_vlan;  /* the VSI's pvid; 0 none */
	int link;            /* enum sim_host_link: forced up/down or auto */
};
extern struct pf_admin pf_admin;

/* A line the PF driver puts in the host's kernel log, logged as
 * "avfsim: dmesg: <pf_pers->name> <PF bdf>: what". */
void pf_dmesg(const char *what);

/* Entry points for host.c (the host's administrator): a VF reset the PF
 * announces with RESET_IMPENDING (i40e_vc_reset_vf(vf, true)); a PF reset
 * (RESET_IMPENDING, then the VF held in reset hold_ns without i40e's
 * ICR0_ENA1 handshake: i40e_reset_all_vfs(pf, true)); the link forced or
 * back to auto (i40e_ndo_set_vf_link_state). */
void pf_host_vf_reset(const char *why);
void pf_host_pf_reset(uint64_t hold_ns);
void pf_host_link(int link);
/* i40e's is_disabled_from_host: link=down on a PF whose link= resets the VF
 * (pf_host_rules.link_resets); ENABLE_QUEUES is refused until up or auto. */
bool pf_disabled_from_host(void);

/* First use: parse the faults, allocate the VSI.  Idempotent. */
void pf_ready(void);

/* Reply to a VF request.  detail is printf-style: the decoded payload for a
 * success (traced with --trace), the reason for an error (always logged, as
 * i40e's dev_err lands in the host's dmesg). */
void pf_reply(uint32_t op, int32_t status, const void *data, uint16_t len,
	      const char *detail, ...) __attribute__((format(printf, 5, 6)));
/* A SUCCESS reply without payload. */
void pf_ok(uint32_t op);
/* Trace an incoming message, decoded ("pf: <- NAME ..."). */
void pf_trace_in(uint32_t op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Configuration needs the VF ACTIVE and, when vsi_id >= 0, the VF's own
 * VSI id (I40E_VF_STATE_ACTIVE, i40e_vc_isvalid_vsi_id).  pf_check: false
 * with the reason in why.  pf_allowed: on failure replies ERR_PARAM with the
 * reason and returns false. */
bool pf_check(int vsi_id, char *why, size_t n);
bool pf_allowed(uint32_t op, int vsi_id);
/* LINK_CHANGE event saying up or down (i40e_vc_notify_vf_link_state,
 * ice_vc_notify_vf_link_state). */
void pf_link_event(bool up);
/* The link state the PF tells the VF now (pf_personality.link_needs_queues). */
bool pf_vf_link_up(void);

/* A growing one-line trace text (long decoded messages). */
struct pf_line {
	char s[2048];
	size_t n;
};
void pf_line_add(struct pf_line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "xx:xx:xx:xx:xx:xx" */
void pf_mac_str(char out[18], const uint8_t mac[6]);

/* ---------------------------------------------------------------- personality
 *
 * What differs between the PF drivers behind a VF, as data and small
 * functions: pf-i40e.c (Linux i40e, 700 Series VFs 154c/1571/37cd) and
 * pf-ice.c (Linux ice, E810 VF 1889).  The shared code (pf.c, pf-queues.c,
 * pf-filters.c) asks pf_pers and never tests which PF it is.  --pf chooses;
 * the default follows the device id (sim_opts.pf). */

/* `ip link set <pf> vf 0 ...` behind each PF (the ndo_set_vf_* functions):
 * host.c does what is shared and asks these for the rest. */
struct pf_host_rules {
	/* The commands (bit 1 << enum sim_host_action) that first wait for a
	 * VF in reset, up to wait_ms, and fail if it stays there. */
	uint32_t wait_actions;
	unsigned wait_ms;
	/* Logged when they give up: the command's error, and the PF's dmesg
	 * line (NULL: it logs none). */
	const char *wait_errno;
	const char *wait_dmesg;
	/* mac= to the MAC the VF already has does nothing, before any wait. */
	bool mac_same_is_noop;
	/* link=auto|up resets the VF (announced) and link=down stops its
	 * queues; false: each only sends LINK_CHANGE with the VF's new view. */
	bool link_resets;
	/* The dmesg lines, after the "<pf> <bdf>: " prefix: mac= before its
	 * reset ("Setting MAC <mac>" and mac_set_tail; mac_removed for
	 * 00:00:00:00:00:00), mac= after it (NULL: none); vlan= before its
	 * reset ("Setting VLAN <vid>" and vlan_set_tail; vlan_cleared for 0,
	 * NULL: none). */
	const char *mac_set_tail;
	const char *mac_removed;
	const char *mac_after;
	const char *vlan_set_tail;
	const char *vlan_cleared;
};

struct pf_personality {
	const char *name;         /* "i40e", "ice": the dmesg prefix too */
	uint16_t vsi_id;          /* vsi_res[0].vsi_id, the only one accepted */
	uint16_t resources_len;   /* GET_VF_RESOURCES reply bytes */
	uint32_t caps_v10;        /* driver_caps assumed for a 1.0 VF */
	/* The VF's capability request -> the grant (vf_cap_flags). */
	uint32_t (*grant)(uint32_t req);
	/* Opcode allow-list: false -> ERR_NOT_SUPPORTED before anything else
	 * is looked at.  NULL: every opcode goes on to the length check. */
	bool (*op_allowed)(uint32_t op);
	/* Of the opcodes the model handles, those the PF's dispatcher has a
	 * case for; false -> ERR_NOT_SUPPORTED after the length check, as for
	 * an opcode without a handler.  NULL: all of them. */
	bool (*implements)(uint32_t op);
	/* The per-pair ring rules of CONFIG_VSI_QUEUES beyond the shared ones
	 * (queue and VSI ids, 128-byte alignment); false with the reason. */
	bool (*qpair_ok)(const struct virtchnl_queue_pair_info *p, char *why, size_t n);
	/* CONFIG_IRQ_MAP: vector 0 (the misc/admin vector) may carry queues. */
	bool queues_on_vector0;
	/* LINK_CHANGE says down until one of the VF's queues is enabled. */
	bool link_needs_queues;
	/* Every VSI (re)build: write the VF's RSS registers (HENA, and for a
	 * PF that rebuilds them, key and LUT). */
	void (*rss_reset)(void);
	/* The hash set GET_RSS_HENA_CAPS reports. */
	uint64_t (*hena_caps)(void);
	/* Received VLAN tags stripped on a new VSI. */
	bool vlan_strip;
	/* GET_VF_RESOURCES sets stripping on if VLAN (v1) was granted, off
	 * otherwise. */
	bool strip_follows_grant;
	/* Received tags of VLANs the VF did not add are dropped (pruning). */
	bool vlan_prune;
	/* GET_SUPPORTED_RXDIDS' answer (a PF that implements it). */
	uint64_t supported_rxdids;
	/* The RX write-back format the PF programs for a queue (RXDID). */
	uint8_t (*rx_format)(const struct virtchnl_rxq_info *r);
	/* Before a reset of an active VF, wait for VFINT_ICR0_ENA1.ADMINQ. */
	bool sync_vfr_reset;
	/* ADD_VLAN turns stripping on. */
	bool vlan_add_strips;
	/* GET_VF_RESOURCES forgets a learnt default MAC unless the VF asked
	 * for USO (an admin's MAC is always reported). */
	bool default_mac_needs_uso;
	/* A VFLR is handled later, in the PF's service task: RSTAT stays
	 * VFR_INPROGRESS this long, then the PF zeroes the mailbox lengths and
	 * rebuilds the VSI.  0: at once, with the FLR. */
	uint64_t vflr_rebuild_ns;
	/* What the host's administrator's commands do (host.c). */
	const struct pf_host_rules *host;
	/* GET_OFFLOAD_VLAN_V2_CAPS: fill in what the PF supports now (a PF
	 * that implements VLAN v2; NULL for one that does not). */
	void (*vlan_v2_caps)(struct virtchnl_vlan_caps *caps);
};
extern const struct pf_personality pf_i40e, pf_ice;
/* The one in force, chosen at pf_ready(). */
extern const struct pf_personality *pf_pers;

/* Four bytes per register, byte lanes little-endian (pf-queues.c). */
void pf_write_bytes(uint32_t reg0, const uint8_t *b, unsigned n);
void pf_write_hena(uint64_t hena);

/* pf-queues.c */
/* A new VSI: no queue configured. */
void pf_queues_alloc(void);
void pf_config_vsi_queues(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_config_irq_map(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_enable_queues(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_disable_queues(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_get_stats(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_config_rss_key(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_config_rss_lut(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_get_rss_hena_caps(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_set_rss_hena(uint32_t op, const uint8_t *msg, uint16_t len);
/* Stop every queue of the VSI (link=down). */
void pf_queues_stop(void);
void pf_get_supported_rxdids(uint32_t op, const uint8_t *msg, uint16_t len);

/* pf-filters.c */
/* (Re)allocate the VSI's filters (i40e_alloc_vsi_res): broadcast plus the
 * default MAC; promiscuous mode off, no VLANs.  forget: also drop a learned
 * default MAC (FLR and first use), keeping only the admin's --mac. */
void pf_filters_alloc(bool forget);
/* The default MAC GET_VF_RESOURCES reports for a VF that asked driver_caps. */
void pf_filters_default_mac(uint32_t driver_caps, uint8_t mac[6]);
void pf_add_eth_addr(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_del_eth_addr(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_add_vlan(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_del_vlan(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_config_promisc(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_vlan_stripping(uint32_t op, const uint8_t *msg, uint16_t len);
/* i40e_ndo_set_vf_mac before its reset: every filter of the VSI deleted,
 * mac the VF's default MAC from the next VSI on. */
void pf_filters_host_mac(const uint8_t mac[6]);
/* mac is the VSI's default MAC now. */
bool pf_filters_is_default_mac(const uint8_t mac[6]);
/* Stripping on or off, as the PF sets it without a message. */
void pf_filters_strip(bool on);
/* One VLAN filter (1..4095; 0 is ignored) added or deleted, and how many
 * the VSI holds. */
void pf_filters_vlan(uint16_t id, bool add);
unsigned pf_filters_num_vlan(void);

/* pf-vlan.c: VLAN v2 (ice_vc_*_v2_msg) */
void pf_get_offload_vlan_v2_caps(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_add_del_vlan_v2(uint32_t op, const uint8_t *msg, uint16_t len);
void pf_vlan_setting_v2(uint32_t op, const uint8_t *msg, uint16_t len);

#endif /* AVFSIM_PF_H */
