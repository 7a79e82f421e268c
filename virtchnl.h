/* SPDX-License-Identifier: MIT
 *
 * virtchnl.h - the PF<->VF protocol of Intel's Adaptive Virtual Function.
 *
 * virtchnl messages travel in the indirect buffers of admin-queue descriptors
 * (see avf.h): the VF posts opcode VIRTCHNL_OP_* in cookie_high on its ATQ, the
 * PF answers on the VF's ARQ with the same opcode in cookie_high and a status
 * (enum virtchnl_status_code) in cookie_low.  All fields are little-endian.
 *
 * Names, numbers and layouts are those of Linux include/linux/avf/virtchnl.h
 * (DPDK has a copy: drivers/common/iavf/virtchnl.h).  Variable-length
 * messages use the legacy one-element trailing arrays: their sizeof() is the
 * size the PF checks against (virtchnl_vc_validate_vf_msg in that header),
 * e.g. a CONFIG_VSI_QUEUES message for n pairs is sizeof(...) + n * 64 bytes.
 */
#ifndef VIRTCHNL_H
#define VIRTCHNL_H

#include <stdint.h>

/* Protocol version */
#define VIRTCHNL_VERSION_MAJOR 1
#define VIRTCHNL_VERSION_MINOR 1
#define VIRTCHNL_VERSION_MINOR_NO_VF_CAPS 0

/* Status codes, carried in the descriptor's cookie_low */
enum virtchnl_status_code {
	VIRTCHNL_STATUS_SUCCESS = 0,
	VIRTCHNL_STATUS_ERR_PARAM = -5,
	VIRTCHNL_STATUS_ERR_NO_MEMORY = -18,
	VIRTCHNL_STATUS_ERR_OPCODE_MISMATCH = -38,
	VIRTCHNL_STATUS_ERR_CQP_COMPL_ERROR = -39,
	VIRTCHNL_STATUS_ERR_INVALID_VF_ID = -40,
	VIRTCHNL_STATUS_ERR_ADMIN_QUEUE_ERROR = -53,
	VIRTCHNL_STATUS_ERR_NOT_SUPPORTED = -64,
};

/* Opcodes, carried in the descriptor's cookie_high */
enum virtchnl_ops {
	VIRTCHNL_OP_UNKNOWN = 0,
	VIRTCHNL_OP_VERSION = 1,
	VIRTCHNL_OP_RESET_VF = 2,
	VIRTCHNL_OP_GET_VF_RESOURCES = 3,
	VIRTCHNL_OP_CONFIG_TX_QUEUE = 4,
	VIRTCHNL_OP_CONFIG_RX_QUEUE = 5,
	VIRTCHNL_OP_CONFIG_VSI_QUEUES = 6,
	VIRTCHNL_OP_CONFIG_IRQ_MAP = 7,
	VIRTCHNL_OP_ENABLE_QUEUES = 8,
	VIRTCHNL_OP_DISABLE_QUEUES = 9,
	VIRTCHNL_OP_ADD_ETH_ADDR = 10,
	VIRTCHNL_OP_DEL_ETH_ADDR = 11,
	VIRTCHNL_OP_ADD_VLAN = 12,
	VIRTCHNL_OP_DEL_VLAN = 13,
	VIRTCHNL_OP_CONFIG_PROMISCUOUS_MODE = 14,
	VIRTCHNL_OP_GET_STATS = 15,
	VIRTCHNL_OP_RSVD = 16,
	VIRTCHNL_OP_EVENT = 17,
	VIRTCHNL_OP_CONFIG_RSS_HFUNC = 18,
	VIRTCHNL_OP_CONFIG_RSS_KEY = 23,
	VIRTCHNL_OP_CONFIG_RSS_LUT = 24,
	VIRTCHNL_OP_GET_RSS_HENA_CAPS = 25,
	VIRTCHNL_OP_SET_RSS_HENA = 26,
	VIRTCHNL_OP_ENABLE_VLAN_STRIPPING = 27,
	VIRTCHNL_OP_DISABLE_VLAN_STRIPPING = 28,
	VIRTCHNL_OP_REQUEST_QUEUES = 29,
	VIRTCHNL_OP_ENABLE_CHANNELS = 30,
	VIRTCHNL_OP_DISABLE_CHANNELS = 31,
	VIRTCHNL_OP_ADD_CLOUD_FILTER = 32,
	VIRTCHNL_OP_DEL_CLOUD_FILTER = 33,
	VIRTCHNL_OP_GET_SUPPORTED_RXDIDS = 44,
	VIRTCHNL_OP_ADD_RSS_CFG = 45,
	VIRTCHNL_OP_DEL_RSS_CFG = 46,
	VIRTCHNL_OP_ADD_FDIR_FILTER = 47,
	VIRTCHNL_OP_DEL_FDIR_FILTER = 48,
	VIRTCHNL_OP_GET_MAX_RSS_QREGION = 50,
	VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS = 51,
	VIRTCHNL_OP_ADD_VLAN_V2 = 52,
	VIRTCHNL_OP_DEL_VLAN_V2 = 53,
	VIRTCHNL_OP_ENABLE_VLAN_STRIPPING_V2 = 54,
	VIRTCHNL_OP_DISABLE_VLAN_STRIPPING_V2 = 55,
	VIRTCHNL_OP_ENABLE_VLAN_INSERTION_V2 = 56,
	VIRTCHNL_OP_DISABLE_VLAN_INSERTION_V2 = 57,
	VIRTCHNL_OP_1588_PTP_GET_CAPS = 60,
	VIRTCHNL_OP_1588_PTP_GET_TIME = 61,
	VIRTCHNL_OP_GET_QOS_CAPS = 66,
	VIRTCHNL_OP_CONFIG_QUEUE_BW = 112,
	VIRTCHNL_OP_CONFIG_QUANTA = 113,
};

/* Capability flags (GET_VF_RESOURCES request and vf_cap_flags) */
#define VIRTCHNL_VF_OFFLOAD_L2 0x00000001u
#define VIRTCHNL_VF_OFFLOAD_IWARP 0x00000002u
#define VIRTCHNL_VF_OFFLOAD_RSVD 0x00000004u
#define VIRTCHNL_VF_OFFLOAD_RSS_AQ 0x00000008u
#define VIRTCHNL_VF_OFFLOAD_RSS_REG 0x00000010u
#define VIRTCHNL_VF_OFFLOAD_WB_ON_ITR 0x00000020u
#define VIRTCHNL_VF_OFFLOAD_REQ_QUEUES 0x00000040u
#define VIRTCHNL_VF_CAP_ADV_LINK_SPEED 0x00000080u
#define VIRTCHNL_VF_OFFLOAD_INLINE_IPSEC_CRYPTO 0x00000100u
#define VIRTCHNL_VF_LARGE_NUM_QPAIRS 0x00000200u
#define VIRTCHNL_VF_OFFLOAD_CRC 0x00000400u
#define VIRTCHNL_VF_OFFLOAD_TC_U32 0x00000800u
#define VIRTCHNL_VF_OFFLOAD_QGRPS 0x00001000u
#define VIRTCHNL_VF_OFFLOAD_FLOW_STEER_TO_QGRP 0x00002000u
#define VIRTCHNL_VF_OFFLOAD_FSUB_PF 0x00004000u
#define VIRTCHNL_VF_OFFLOAD_VLAN_V2 0x00008000u
#define VIRTCHNL_VF_OFFLOAD_VLAN 0x00010000u
#define VIRTCHNL_VF_OFFLOAD_RX_POLLING 0x00020000u
#define VIRTCHNL_VF_OFFLOAD_RSS_PCTYPE_V2 0x00040000u
#define VIRTCHNL_VF_OFFLOAD_RSS_PF 0x00080000u
#define VIRTCHNL_VF_OFFLOAD_ENCAP 0x00100000u
#define VIRTCHNL_VF_OFFLOAD_ENCAP_CSUM 0x00200000u
#define VIRTCHNL_VF_OFFLOAD_RX_ENCAP_CSUM 0x00400000u
#define VIRTCHNL_VF_OFFLOAD_ADQ 0x00800000u
#define VIRTCHNL_VF_OFFLOAD_ADQ_V2 0x01000000u
#define VIRTCHNL_VF_OFFLOAD_USO 0x02000000u
#define VIRTCHNL_VF_OFFLOAD_RX_FLEX_DESC 0x04000000u
#define VIRTCHNL_VF_OFFLOAD_ADV_RSS_PF 0x08000000u
#define VIRTCHNL_VF_OFFLOAD_FDIR_PF 0x10000000u
#define VIRTCHNL_VF_OFFLOAD_QOS 0x20000000u
#define VIRTCHNL_VF_CAP_DCF 0x40000000u
#define VIRTCHNL_VF_CAP_PTP 0x80000000u

/* vsi_res[].vsi_type */
enum virtchnl_vsi_type {
	VIRTCHNL_VSI_TYPE_INVALID = 0,
	VIRTCHNL_VSI_SRIOV = 6,
};

/* Legacy link speed: a bit per speed, used unless CAP_ADV_LINK_SPEED was granted. */
enum virtchnl_link_speed {
	VIRTCHNL_LINK_SPEED_UNKNOWN = 0,
	VIRTCHNL_LINK_SPEED_2_5GB = 0x01,
	VIRTCHNL_LINK_SPEED_100MB = 0x02,
	VIRTCHNL_LINK_SPEED_1GB = 0x04,
	VIRTCHNL_LINK_SPEED_10GB = 0x08,
	VIRTCHNL_LINK_SPEED_40GB = 0x10,
	VIRTCHNL_LINK_SPEED_20GB = 0x20,
	VIRTCHNL_LINK_SPEED_25GB = 0x40,
	VIRTCHNL_LINK_SPEED_5GB = 0x80,
};

enum virtchnl_event_codes {
	VIRTCHNL_EVENT_UNKNOWN = 0,
	VIRTCHNL_EVENT_LINK_CHANGE = 1,
	VIRTCHNL_EVENT_RESET_IMPENDING = 2,
	VIRTCHNL_EVENT_PF_DRIVER_CLOSE = 3,
};

#define PF_EVENT_SEVERITY_INFO 0
#define PF_EVENT_SEVERITY_CERTAIN_DOOM 255

/* Promiscuous flags; broadcast is always accepted. */
#define FLAG_VF_UNICAST_PROMISC 0x0001
#define FLAG_VF_MULTICAST_PROMISC 0x0002

/* virtchnl_ether_addr.type */
#define VIRTCHNL_ETHER_ADDR_LEGACY 0
#define VIRTCHNL_ETHER_ADDR_PRIMARY 1
#define VIRTCHNL_ETHER_ADDR_EXTRA 2

/* RX descriptor formats (rxq_info.rxdid): 1 is the legacy 32-byte one. */
#define VIRTCHNL_RXDID_1_32B_BASE 1

/* Message structures.  Sizes are asserted against virtchnl.h's
 * VIRTCHNL_CHECK_STRUCT_LEN where it has one (in Linux, the *_LEGACY_SIZEOF
 * value where the struct ends in an array). */

struct virtchnl_version_info {
	uint32_t major;
	uint32_t minor;
};
_Static_assert(sizeof(struct virtchnl_version_info) == 8, "virtchnl_version_info");

struct virtchnl_vsi_resource {
	uint16_t vsi_id;
	uint16_t num_queue_pairs;
	int32_t vsi_type; /* enum virtchnl_vsi_type */
	uint16_t qset_handle;
	uint8_t default_mac_addr[6];
};
_Static_assert(sizeof(struct virtchnl_vsi_resource) == 16, "virtchnl_vsi_resource");

struct virtchnl_vf_resource {
	uint16_t num_vsis;
	uint16_t num_queue_pairs;
	uint16_t max_vectors;
	uint16_t max_mtu;
	uint32_t vf_cap_flags;
	uint32_t rss_key_size;
	uint32_t rss_lut_size;
	struct virtchnl_vsi_resource vsi_res[1];
};
_Static_assert(sizeof(struct virtchnl_vf_resource) == 36, "virtchnl_vf_resource");
/* The fixed part before vsi_res[]: a reply for n VSIs holds at least this + 16n. */
#define VIRTCHNL_VF_RESOURCE_HDR_LEN 20

struct virtchnl_txq_info {
	uint16_t vsi_id;
	uint16_t queue_id;
	uint16_t ring_len;
	uint16_t headwb_enabled; /* deprecated */
	uint64_t dma_ring_addr;
	uint64_t dma_headwb_addr; /* deprecated */
};
_Static_assert(sizeof(struct virtchnl_txq_info) == 24, "virtchnl_txq_info");

struct virtchnl_rxq_info {
	uint16_t vsi_id;
	uint16_t queue_id;
	uint32_t ring_len;
	uint16_t hdr_size;
	uint16_t splithdr_enabled; /* deprecated */
	uint32_t databuffer_size;
	uint32_t max_pkt_size;
	uint8_t crc_disable;
	uint8_t rxdid;
	uint8_t flags;
	uint8_t pad1;
	uint64_t dma_ring_addr;
	int32_t rx_split_pos; /* deprecated */
	uint32_t pad2;
};
_Static_assert(sizeof(struct virtchnl_rxq_info) == 40, "virtchnl_rxq_info");

struct virtchnl_queue_pair_info {
	struct virtchnl_txq_info txq;
	struct virtchnl_rxq_info rxq;
};
_Static_assert(sizeof(struct virtchnl_queue_pair_info) == 64, "virtchnl_queue_pair_info");

struct virtchnl_vsi_queue_config_info {
	uint16_t vsi_id;
	uint16_t num_queue_pairs;
	uint32_t pad;
	struct virtchnl_queue_pair_info qpair[1];
};
_Static_assert(sizeof(struct virtchnl_vsi_queue_config_info) == 72, "virtchnl_vsi_queue_config_info");

struct virtchnl_vf_res_request {
	uint16_t num_queue_pairs;
};
_Static_assert(sizeof(struct virtchnl_vf_res_request) == 2, "virtchnl_vf_res_request");

struct virtchnl_vector_map {
	uint16_t vsi_id;
	uint16_t vector_id;
	uint16_t rxq_map;
	uint16_t txq_map;
	uint16_t rxitr_idx;
	uint16_t txitr_idx;
};
_Static_assert(sizeof(struct virtchnl_vector_map) == 12, "virtchnl_vector_map");

struct virtchnl_irq_map_info {
	uint16_t num_vectors;
	struct virtchnl_vector_map vecmap[1];
};
_Static_assert(sizeof(struct virtchnl_irq_map_info) == 14, "virtchnl_irq_map_info");

struct virtchnl_queue_select {
	uint16_t vsi_id;
	uint16_t pad;
	uint32_t rx_queues; /* bitmap */
	uint32_t tx_queues; /* bitmap */
};
_Static_assert(sizeof(struct virtchnl_queue_select) == 12, "virtchnl_queue_select");

struct virtchnl_ether_addr {
	uint8_t addr[6];
	uint8_t type;
	uint8_t pad;
};
_Static_assert(sizeof(struct virtchnl_ether_addr) == 8, "virtchnl_ether_addr");

struct virtchnl_ether_addr_list {
	uint16_t vsi_id;
	uint16_t num_elements;
	struct virtchnl_ether_addr list[1];
};
_Static_assert(sizeof(struct virtchnl_ether_addr_list) == 12, "virtchnl_ether_addr_list");

struct virtchnl_vlan_filter_list {
	uint16_t vsi_id;
	uint16_t num_elements;
	uint16_t vlan_id[1];
};
_Static_assert(sizeof(struct virtchnl_vlan_filter_list) == 6, "virtchnl_vlan_filter_list");

struct virtchnl_promisc_info {
	uint16_t vsi_id;
	uint16_t flags;
};
_Static_assert(sizeof(struct virtchnl_promisc_info) == 4, "virtchnl_promisc_info");

/* GET_STATS reply; the names are the ones `ethtool -S` shows for a VF. */
struct virtchnl_eth_stats {
	uint64_t rx_bytes;
	uint64_t rx_unicast;
	uint64_t rx_multicast;
	uint64_t rx_broadcast;
	uint64_t rx_discards;
	uint64_t rx_unknown_protocol;
	uint64_t tx_bytes;
	uint64_t tx_unicast;
	uint64_t tx_multicast;
	uint64_t tx_broadcast;
	uint64_t tx_discards;
	uint64_t tx_errors;
};
_Static_assert(sizeof(struct virtchnl_eth_stats) == 96, "virtchnl_eth_stats");

struct virtchnl_pf_event {
	int32_t event; /* enum virtchnl_event_codes */
	union {
		struct {
			uint32_t link_speed; /* enum virtchnl_link_speed */
			uint8_t link_status;
			uint8_t pad[3];
		} link_event;
		struct {
			uint32_t link_speed; /* Mbps */
			uint8_t link_status;
			uint8_t pad[3];
		} link_event_adv;
	} event_data;
	int32_t severity;
};
_Static_assert(sizeof(struct virtchnl_pf_event) == 16, "virtchnl_pf_event");

struct virtchnl_rss_key {
	uint16_t vsi_id;
	uint16_t key_len;
	uint8_t key[1];
};
_Static_assert(sizeof(struct virtchnl_rss_key) == 6, "virtchnl_rss_key");

struct virtchnl_rss_lut {
	uint16_t vsi_id;
	uint16_t lut_entries;
	uint8_t lut[1];
};
_Static_assert(sizeof(struct virtchnl_rss_lut) == 6, "virtchnl_rss_lut");

struct virtchnl_rss_hena {
	uint64_t hena;
};
_Static_assert(sizeof(struct virtchnl_rss_hena) == 8, "virtchnl_rss_hena");

struct virtchnl_rss_hfunc {
	uint16_t vsi_id;
	uint16_t rss_algorithm;
	uint32_t reserved;
};
_Static_assert(sizeof(struct virtchnl_rss_hfunc) == 8, "virtchnl_rss_hfunc");

struct virtchnl_supported_rxdids {
	uint64_t supported_rxdids;
};
_Static_assert(sizeof(struct virtchnl_supported_rxdids) == 8, "virtchnl_supported_rxdids");

/* VLAN v2 (VIRTCHNL_VF_OFFLOAD_VLAN_V2): GET_OFFLOAD_VLAN_V2_CAPS tells the VF
 * what the PF supports, as bits of enum virtchnl_vlan_support for each of
 * filtering, stripping and insertion, for the outer and the inner tag.  "Inner"
 * alone means the outermost or only tag (a PF in single VLAN mode). */
#define VIRTCHNL_VLAN_UNSUPPORTED 0u
#define VIRTCHNL_VLAN_ETHERTYPE_8100 0x00000001u
#define VIRTCHNL_VLAN_ETHERTYPE_88A8 0x00000002u
#define VIRTCHNL_VLAN_ETHERTYPE_9100 0x00000004u
#define VIRTCHNL_VLAN_TAG_LOCATION_L2TAG1 0x00000100u   /* RX/TX descriptor L2TAG1 */
#define VIRTCHNL_VLAN_TAG_LOCATION_L2TAG2 0x00000200u   /* TX context descriptor L2TAG2 */
#define VIRTCHNL_VLAN_TAG_LOCATION_L2TAG2_2 0x00000400u /* RX descriptor L2TAG2_2 */
#define VIRTCHNL_VLAN_PRIO 0x01000000u                  /* filters may match PCP bits */
#define VIRTCHNL_VLAN_FILTER_MASK 0x10000000u           /* filters may carry a tci_mask */
#define VIRTCHNL_VLAN_ETHERTYPE_AND 0x20000000u         /* several ethertypes at once */
#define VIRTCHNL_VLAN_ETHERTYPE_XOR 0x40000000u         /* one ethertype of several */
#define VIRTCHNL_VLAN_TOGGLE 0x80000000u                /* the VF may switch it */

/* virtchnl_vlan_offload_caps.ethertype_match */
#define VIRTCHNL_ETHERTYPE_STRIPPING_MATCHES_INSERTION 0
#define VIRTCHNL_ETHERTYPE_MATCH_NOT_REQUIRED 1

struct virtchnl_vlan_supported_caps {
	uint32_t outer;
	uint32_t inner;
};
_Static_assert(sizeof(struct virtchnl_vlan_supported_caps) == 8, "virtchnl_vlan_supported_caps");

struct virtchnl_vlan_filtering_caps {
	struct virtchnl_vlan_supported_caps filtering_support;
	uint32_t ethertype_init;
	uint16_t max_filters; /* filters the VF may hold at once */
	uint8_t pad[2];
};
_Static_assert(sizeof(struct virtchnl_vlan_filtering_caps) == 16, "virtchnl_vlan_filtering_caps");

struct virtchnl_vlan_offload_caps {
	struct virtchnl_vlan_supported_caps stripping_support;
	struct virtchnl_vlan_supported_caps insertion_support;
	uint32_t ethertype_init;
	uint8_t ethertype_match;
	uint8_t pad[3];
};
_Static_assert(sizeof(struct virtchnl_vlan_offload_caps) == 24, "virtchnl_vlan_offload_caps");

/* GET_OFFLOAD_VLAN_V2_CAPS reply (the request has no payload). */
struct virtchnl_vlan_caps {
	struct virtchnl_vlan_filtering_caps filtering;
	struct virtchnl_vlan_offload_caps offloads;
};
_Static_assert(sizeof(struct virtchnl_vlan_caps) == 40, "virtchnl_vlan_caps");

struct virtchnl_vlan {
	uint16_t tci;      /* PCP in bits 15..13, VID in 11..0 */
	uint16_t tci_mask; /* only with VIRTCHNL_VLAN_FILTER_MASK */
	uint16_t tpid;     /* the tag's ethertype itself (0x8100), not a VIRTCHNL_VLAN_* bit */
	uint8_t pad[2];
};
_Static_assert(sizeof(struct virtchnl_vlan) == 8, "virtchnl_vlan");

/* Note the order: inner first. */
struct virtchnl_vlan_filter {
	struct virtchnl_vlan inner;
	struct virtchnl_vlan outer;
	uint8_t pad[16];
};
_Static_assert(sizeof(struct virtchnl_vlan_filter) == 32, "virtchnl_vlan_filter");

/* ADD_VLAN_V2 / DEL_VLAN_V2: 8 + 32n bytes (the legacy sizeof, 40, for n = 1). */
struct virtchnl_vlan_filter_list_v2 {
	uint16_t vport_id;
	uint16_t num_elements;
	uint8_t pad[4];
	struct virtchnl_vlan_filter filters[1];
};
_Static_assert(sizeof(struct virtchnl_vlan_filter_list_v2) == 40, "virtchnl_vlan_filter_list_v2");

/* ENABLE/DISABLE_VLAN_STRIPPING_V2 and ENABLE/DISABLE_VLAN_INSERTION_V2:
 * the ethertypes (VIRTCHNL_VLAN_ETHERTYPE_* bits) to switch, per tag. */
struct virtchnl_vlan_setting {
	uint32_t outer_ethertype_setting;
	uint32_t inner_ethertype_setting;
	uint16_t vport_id;
	uint8_t pad[6];
};
_Static_assert(sizeof(struct virtchnl_vlan_setting) == 16, "virtchnl_vlan_setting");

/* PF limits that shape what a VF may ask for (i40e: i40e_virtchnl_pf.c,
 * i40e_vc_config_queues_msg and i40e_config_vsi_{tx,rx}_queue; i40e.h). */
#define VIRTCHNL_MAX_QUEUE_PAIRS 16       /* I40E_MAX_VF_QUEUES */
#define VIRTCHNL_RSS_KEY_SIZE 52          /* (PFQF_HKEY_MAX_INDEX + 1) * 4 */
#define VIRTCHNL_RSS_LUT_SIZE 64          /* (VFQF_HLUT1_MAX_INDEX + 1) * 4 */
#define VIRTCHNL_MAX_RX_BUFFER 16256      /* 16 KiB - 128: databuffer_size limit */
#define VIRTCHNL_RX_BUFFER_ALIGN 128      /* databuffer_size is programmed >> 7 */
#define VIRTCHNL_MIN_PKT_SIZE 64          /* 64 <= max_pkt_size < 16384 */
#define VIRTCHNL_MAX_PKT_SIZE 16384
#define VIRTCHNL_RING_BASE_ALIGN 128      /* rings are programmed as addr / 128 */
#define VIRTCHNL_TX_RING_MULTIPLE 8
#define VIRTCHNL_RX_RING_MULTIPLE 32
#define VIRTCHNL_MAX_RING_LEN 8160        /* I40E_MAX_NUM_DESCRIPTORS_XL710 */
#define VIRTCHNL_MAX_MAC_UNTRUSTED 18     /* I40E_VC_MAX_MAC_ADDR_PER_VF */
#define VIRTCHNL_MAX_VLAN_UNTRUSTED 16

#endif /* VIRTCHNL_H */
