/* SPDX-License-Identifier: MIT
 *
 * avf.h - the hardware of an Intel Adaptive Virtual Function as a VF driver
 * sees it: PCI identity, the BAR0 register map and bit fields, the admin-queue
 * descriptor, and the TX/RX descriptor layouts.
 *
 * Register and field names follow Intel's so they can be looked up in Linux
 * drivers/net/ethernet/intel/iavf/ (iavf_register.h, iavf_adminq_cmd.h,
 * iavf_type.h, iavf_devids.h, iavf.h) or in DPDK's copy of those headers
 * (drivers/common/iavf/); i40e/i40e_register.h has the bit fields the iavf
 * headers leave out.  All registers are 32-bit little-endian in BAR0.
 */
#ifndef AVF_H
#define AVF_H

#include <stdint.h>

/* PCI identity (iavf_devids.h).  Drivers match on vendor + device only. */
#define AVF_PCI_VENDOR_INTEL 0x8086
#define AVF_DEV_ID_VF 0x154C           /* 700 Series VF (X710/XL710/XXV710) */
#define AVF_DEV_ID_VF_HV 0x1571        /* 700 Series VF, Hyper-V */
#define AVF_DEV_ID_X722_VF 0x37CD      /* X722 VF */
#define AVF_DEV_ID_ADAPTIVE_VF 0x1889  /* Adaptive VF (E810 and later) */

/* BAR0 register offsets (iavf_register.h, same names with an IAVF_ prefix) */
#define QTX_TAIL1(q) (0x00000 + 4 * (q))
#define QRX_TAIL1(q) (0x02000 + 4 * (q))
#define VFINT_ITRN1(i, n) (0x02800 + 64 * (i) + 4 * (n)) /* ITR i of vector n+1 */
#define VFINT_DYN_CTLN1(n) (0x03800 + 4 * (n))           /* vector n+1 */
#define VFINT_ICR01 0x04800
#define VFINT_ITR01(i) (0x04C00 + 4 * (i))
#define VFINT_ICR0_ENA1 0x05000
#define VFINT_STAT_CTL01 0x05400
#define VFINT_DYN_CTL01 0x05C00
#define VF_ARQBAH1 0x06000
#define VF_ATQH1 0x06400
#define VF_ATQLEN1 0x06800
#define VF_ARQBAL1 0x06C00
#define VF_ARQT1 0x07000
#define VF_ARQH1 0x07400
#define VF_ATQBAH1 0x07800
#define VF_ATQBAL1 0x07C00
#define VF_ARQLEN1 0x08000
#define VF_ATQT1 0x08400
#define VFGEN_RSTAT 0x08800
#define VFQF_HENA(i) (0x0C400 + 4 * (i))  /* i = 0..1 */
#define VFQF_HKEY(i) (0x0CC00 + 4 * (i))  /* i = 0..12 */
#define VFQF_HLUT(i) (0x0D000 + 4 * (i))  /* i = 0..15 */
#define AVF_RSS_LUT_REGS 16          /* VFQF_HLUT(0..15): four one-byte entries each */
#define AVF_RSS_LUT_REG_QUEUE_0 0u   /* all four entries -> queue 0 */
/* VFQF_HLUT entries: one byte lane each, 4 bits used (i40e_register.h,
 * I40E_VFQF_HLUT_LUT0_MASK 0xF); hash bits index the 64 entries. */
#define VFQF_HLUT_LUT_MASK 0xFu

#define AVF_MAX_QUEUES 16       /* QTX_TAIL1/QRX_TAIL1 index range */
#define AVF_MAX_VECTORS 17      /* vector 0 + VFINT_DYN_CTLN1(0..15) on i40e */
#define AVF_ITR_INDEXES 3

/* The registers by name, for logs (the driver's -vv, the simulator's
 * --trace): AVF_REGS(X) calls X(name) for each single register,
 * AVF_REG_ARRAYS(X) X(name, count) for each array of 32-bit registers. */
#define AVF_REGS(X) X(VFINT_ICR01) X(VFINT_ICR0_ENA1) X(VFINT_STAT_CTL01) X(VFINT_DYN_CTL01) X(VF_ARQBAH1) \
	X(VF_ATQH1) X(VF_ATQLEN1) X(VF_ARQBAL1) X(VF_ARQT1) X(VF_ARQH1) X(VF_ATQBAH1) X(VF_ATQBAL1) X(VF_ARQLEN1) \
	X(VF_ATQT1) X(VFGEN_RSTAT)
#define AVF_REG_ARRAYS(X) X(QTX_TAIL1, AVF_MAX_QUEUES) X(QRX_TAIL1, AVF_MAX_QUEUES) \
	X(VFINT_DYN_CTLN1, AVF_MAX_VECTORS - 1) X(VFINT_ITR01, AVF_ITR_INDEXES) X(VFQF_HENA, 2) \
	X(VFQF_HKEY, AVF_RSS_KEY_REGS) X(VFQF_HLUT, AVF_RSS_LUT_REGS)
#define AVF_RSS_KEY_REGS 13          /* VFQF_HKEY(0..12): the 52-byte key */


/* ATQLEN1 / ARQLEN1 (LEN: i40e_register.h I40E_VF_ATQLEN1_ATQLEN_MASK) */
#define VF_QLEN_LEN_MASK 0x000003FFu
#define VF_QLEN_VFE 0x10000000u
#define VF_QLEN_OVFL 0x20000000u
#define VF_QLEN_CRIT 0x40000000u
#define VF_QLEN_ENABLE 0x80000000u
#define VF_QLEN_ERRORS (VF_QLEN_VFE | VF_QLEN_OVFL | VF_QLEN_CRIT)
/* ATQH1/ATQT1/ARQH1/ARQT1 */
#define VF_QPTR_MASK 0x000003FFu
/* Reads of a register while the VF is in hardware reset. */
#define AVF_REG_IN_RESET 0xDEADBEEFu
#define AVF_REG_ABSENT 0xFFFFFFFFu

/* QTX_TAIL1 / QRX_TAIL1 */
#define QTAIL_MASK 0x00001FFFu
/* E810 ignores the low 3 bits of QRX_TAIL (ice_txrx.c, ice_release_rx_desc:
 * "only bump tail on multiples of 8"): RX tails are written rounded down. */
#define AVF_RX_TAIL_MULTIPLE 8

/* VFGEN_RSTAT: VFR_STATE, written by the PF (enum virtchnl_vfr_states) */
#define VFGEN_RSTAT_VFR_STATE_MASK 0x3u
#define VIRTCHNL_VFR_INPROGRESS 0
#define VIRTCHNL_VFR_COMPLETED 1
#define VIRTCHNL_VFR_VFACTIVE 2

/* VFINT_DYN_CTL01 and VFINT_DYN_CTLN1(n) share this layout */
#define VFINT_DYN_CTL_INTENA 0x00000001u
#define VFINT_DYN_CTL_CLEARPBA 0x00000002u
#define VFINT_DYN_CTL_SWINT_TRIG 0x00000004u
#define VFINT_DYN_CTL_ITR_INDX_SHIFT 3
#define VFINT_DYN_CTL_ITR_INDX_MASK 0x00000018u
#define VFINT_DYN_CTL_ITR_NONE 3 /* "no ITR update" index */
#define VFINT_DYN_CTL_INTERVAL_SHIFT 5
#define VFINT_DYN_CTL_INTERVAL_MASK 0x0001FFE0u
#define VFINT_DYN_CTL_SW_ITR_INDX_ENA 0x01000000u
#define VFINT_DYN_CTL_SW_ITR_INDX_MASK 0x06000000u
#define VFINT_DYN_CTL_WB_ON_ITR 0x40000000u
#define VFINT_DYN_CTL_INTENA_MSK 0x80000000u

/* VFINT_ICR01 and VFINT_ICR0_ENA1 */
#define VFINT_ICR01_INTEVENT 0x00000001u
#define VFINT_ICR01_QUEUE_0 0x00000002u
#define VFINT_ICR01_LINK_STAT_CHANGE 0x02000000u
#define VFINT_ICR01_ADMINQ 0x40000000u
#define VFINT_ICR01_SWINT 0x80000000u
#define VFINT_ICR0_ENA1_LINK_STAT_CHANGE 0x02000000u
#define VFINT_ICR0_ENA1_ADMINQ 0x40000000u

/* VFINT_ITR01 / VFINT_ITRN1: interval in 2 us units */
#define VFINT_ITR_INTERVAL_MASK 0x00000FFFu
#define VFINT_ITR_USEC_PER_UNIT 2

/* Admin queue descriptor (32 bytes, little-endian): iavf_adminq_cmd.h,
 * struct iavf_aq_desc (struct libie_aq_desc in newer kernels) */
struct avf_aq_desc {
	uint16_t flags;
	uint16_t opcode;
	uint16_t datalen;
	uint16_t retval;
	uint32_t cookie_high; /* virtchnl opcode */
	uint32_t cookie_low;  /* virtchnl status */
	uint32_t param0;
	uint32_t param1;
	uint32_t addr_high;
	uint32_t addr_low;
};
_Static_assert(sizeof(struct avf_aq_desc) == 32, "avf_aq_desc");

/* Descriptor flags (iavf_adminq_cmd.h IAVF_AQ_FLAG_*) */
#define AVF_AQ_FLAG_DD 0x0001u
#define AVF_AQ_FLAG_CMP 0x0002u
#define AVF_AQ_FLAG_ERR 0x0004u
#define AVF_AQ_FLAG_VFE 0x0008u
#define AVF_AQ_FLAG_LB 0x0200u
#define AVF_AQ_FLAG_RD 0x0400u
#define AVF_AQ_FLAG_VFC 0x0800u
#define AVF_AQ_FLAG_BUF 0x1000u
#define AVF_AQ_FLAG_SI 0x2000u
#define AVF_AQ_FLAG_EI 0x4000u
#define AVF_AQ_FLAG_FE 0x8000u

/* Admin queue opcodes a VF uses (iavf_adminq_cmd.h enum iavf_admin_queue_opc) */
#define AVF_AQC_OPC_GET_VERSION 0x0001
#define AVF_AQC_OPC_DRIVER_VERSION 0x0002
#define AVF_AQC_OPC_QUEUE_SHUTDOWN 0x0003
#define AVF_AQC_OPC_SEND_MSG_TO_PF 0x0801
#define AVF_AQC_OPC_SEND_MSG_TO_VF 0x0802
#define AVF_AQC_QUEUE_SHUTDOWN_UNLOADING 0x1u /* param0 bit 0 */

/* Admin queue return codes in the descriptor's retval (iavf_adminq_cmd.h
 * enum iavf_admin_queue_err) */
enum avf_admin_queue_err {
	AVF_AQ_RC_OK = 0,
	AVF_AQ_RC_EPERM = 1,
	AVF_AQ_RC_ENOENT = 2,
	AVF_AQ_RC_ESRCH = 3,
	AVF_AQ_RC_EINTR = 4,
	AVF_AQ_RC_EIO = 5,
	AVF_AQ_RC_ENXIO = 6,
	AVF_AQ_RC_E2BIG = 7,
	AVF_AQ_RC_EAGAIN = 8,
	AVF_AQ_RC_ENOMEM = 9,
	AVF_AQ_RC_EACCES = 10,
	AVF_AQ_RC_EFAULT = 11,
	AVF_AQ_RC_EBUSY = 12,
	AVF_AQ_RC_EEXIST = 13,
	AVF_AQ_RC_EINVAL = 14,
	AVF_AQ_RC_ENOTTY = 15,
	AVF_AQ_RC_ENOSPC = 16,
	AVF_AQ_RC_ENOSYS = 17,
	AVF_AQ_RC_ERANGE = 18,
};

/* Admin queue sizes: iavf.h IAVF_AQ_LEN and IAVF_MAX_AQ_BUF_SIZE,
 * iavf_adminq.h IAVF_AQ_LARGE_BUF and IAVF_ADMINQ_DESC_ALIGNMENT */
#define AVF_AQ_LEN 32             /* descriptors in ATQ and ARQ */
#define AVF_AQ_BUF_SIZE 4096      /* indirect buffer per descriptor */
#define AVF_AQ_LARGE_BUF 512      /* buffers larger than this need FLAG_LB */
#define AVF_AQ_ALIGN 4096         /* ring and buffer alignment */

/* TX data descriptor (16 bytes): iavf_type.h, struct iavf_tx_desc */
struct avf_tx_desc {
	uint64_t buffer_addr;
	uint64_t cmd_type_offset_bsz;
};
_Static_assert(sizeof(struct avf_tx_desc) == 16, "avf_tx_desc");

#define AVF_TXD_QW1_DTYPE_MASK 0xFull
#define AVF_TX_DESC_DTYPE_DATA 0x0ull
#define AVF_TX_DESC_DTYPE_CONTEXT 0x1ull
#define AVF_TX_DESC_DTYPE_DESC_DONE 0xFull
#define AVF_TXD_QW1_CMD_SHIFT 4
#define AVF_TXD_QW1_CMD_MASK (0x3FFull << AVF_TXD_QW1_CMD_SHIFT)
#define AVF_TX_DESC_CMD_EOP 0x001ull
#define AVF_TX_DESC_CMD_RS 0x002ull
#define AVF_TX_DESC_CMD_ICRC 0x004ull
#define AVF_TX_DESC_CMD_IL2TAG1 0x008ull
#define AVF_TX_DESC_CMD_DUMMY 0x010ull
#define AVF_TXD_QW1_OFFSET_SHIFT 16
#define AVF_TXD_QW1_OFFSET_MASK (0x3FFFFull << AVF_TXD_QW1_OFFSET_SHIFT)
#define AVF_TX_DESC_LENGTH_MACLEN_SHIFT 0 /* within OFFSET, 2-byte words */
#define AVF_TXD_QW1_TX_BUF_SZ_SHIFT 34
#define AVF_TXD_QW1_TX_BUF_SZ_MASK (0x3FFFull << AVF_TXD_QW1_TX_BUF_SZ_SHIFT)
#define AVF_TXD_QW1_L2TAG1_SHIFT 48
/* Offsets of the first data descriptor of a packet (OFFSET field): IPLEN
 * and L4LEN in 4-byte words (iavf_type.h, IAVF_TX_DESC_LENGTH_*_SHIFT). */
#define AVF_TX_DESC_LENGTH_MACLEN_MASK 0x7Fu
#define AVF_TX_DESC_LENGTH_IPLEN_SHIFT 7
#define AVF_TX_DESC_LENGTH_IPLEN_MASK 0x7Fu
#define AVF_TX_DESC_LENGTH_L4_LEN_SHIFT 14
#define AVF_TX_DESC_LENGTH_L4_LEN_MASK 0xFu
/* TX context descriptor, qword 1 (iavf_type.h, IAVF_TXD_CTX_QW1_*): CMD
 * bit TSO, the TSO payload length (headers excluded) and the MSS. */
#define AVF_TXD_CTX_QW1_CMD_SHIFT 4
#define AVF_TX_CTX_DESC_TSO 0x01ull
#define AVF_TXD_CTX_QW1_TSO_LEN_SHIFT 30
#define AVF_TXD_CTX_QW1_TSO_LEN_MASK (0x3FFFFull << AVF_TXD_CTX_QW1_TSO_LEN_SHIFT)
#define AVF_TXD_CTX_QW1_MSS_SHIFT 50
#define AVF_TXD_CTX_QW1_MSS_MASK (0x3FFFull << AVF_TXD_CTX_QW1_MSS_SHIFT)
#define AVF_MAX_DATA_PER_TXD 16383u
#define AVF_MAX_BUFFER_TXD 8      /* descriptors per frame */
#define AVF_MIN_TX_LEN 17         /* shorter frames must be padded */

/* 32-byte RX descriptor (iavf_type.h, union iavf_32byte_rx_desc).  Read
 * format: qword[0] = pkt_addr, qword[1] = hdr_addr (its bit 0 is where DD
 * lands, so it must be 0); write-back: qword[1] = status_error_len, the rest
 * as the union's wb member. */
struct avf_rx_desc {
	uint64_t qword[4];
};
_Static_assert(sizeof(struct avf_rx_desc) == 32, "avf_rx_desc");

#define AVF_RXD_QW1_STATUS_DD 0x1ull
#define AVF_RXD_QW1_STATUS_EOF 0x2ull
#define AVF_RXD_QW1_STATUS_L2TAG1P 0x4ull
#define AVF_RXD_QW1_STATUS_L3L4P 0x8ull
#define AVF_RXD_QW1_STATUS_CRCP 0x10ull
#define AVF_RXD_QW1_STATUS_UMBCAST_SHIFT 9
#define AVF_RXD_QW1_STATUS_UMBCAST_MASK (0x3ull << AVF_RXD_QW1_STATUS_UMBCAST_SHIFT)
#define AVF_RX_UMBCAST_UNICAST 0
#define AVF_RX_UMBCAST_MULTICAST 1
#define AVF_RX_UMBCAST_BROADCAST 2
#define AVF_RXD_QW1_STATUS_FLTSTAT_SHIFT 12
/* FLTSTAT: what qword 0 bits 32..63 hold; 3 = the RSS hash (iavf_type.h,
 * IAVF_RX_DESC_FLTSTAT_RSS_HASH; DPDK iavf_rxtx.c reads it as hash.rss). */
#define AVF_RXD_QW1_STATUS_FLTSTAT_MASK (0x3ull << AVF_RXD_QW1_STATUS_FLTSTAT_SHIFT)
#define AVF_RX_DESC_FLTSTAT_RSS_HASH 0x3ull
/* Write-back qword 0: the stripped VLAN tag (valid with L2TAG1P) and the
 * 32-bit RSS hash (iavf_type.h, union iavf_32byte_rx_desc wb.qword0). */
#define AVF_RXD_QW0_L2TAG1_SHIFT 16
#define AVF_RXD_QW0_L2TAG1_MASK (0xFFFFull << AVF_RXD_QW0_L2TAG1_SHIFT)
#define AVF_RXD_QW0_RSS_SHIFT 32
#define AVF_RXD_QW1_STATUS_MASK 0x7FFFFull
#define AVF_RXD_QW1_ERROR_SHIFT 19
#define AVF_RXD_QW1_ERROR_MASK (0xFFull << AVF_RXD_QW1_ERROR_SHIFT)
#define AVF_RX_DESC_ERROR_RXE 0x01ull      /* within ERROR */
#define AVF_RX_DESC_ERROR_OVERSIZE 0x40ull
#define AVF_RXD_QW1_PTYPE_SHIFT 30
#define AVF_RXD_QW1_PTYPE_MASK (0xFFull << AVF_RXD_QW1_PTYPE_SHIFT)
#define AVF_RXD_QW1_LENGTH_PBUF_SHIFT 38
#define AVF_RXD_QW1_LENGTH_PBUF_MASK (0x3FFFull << AVF_RXD_QW1_LENGTH_PBUF_SHIFT)

/* Packet types the legacy write-back reports (DPDK's ptype table) */
#define AVF_PTYPE_L2 1
#define AVF_PTYPE_ARP 11
#define AVF_PTYPE_IPV4_FRAG 22
#define AVF_PTYPE_IPV4 23
#define AVF_PTYPE_IPV4_UDP 24
#define AVF_PTYPE_IPV4_TCP 26
#define AVF_PTYPE_IPV4_SCTP 27
#define AVF_PTYPE_IPV4_ICMP 28
#define AVF_PTYPE_IPV6_FRAG 88
#define AVF_PTYPE_IPV6 89
#define AVF_PTYPE_IPV6_UDP 90
#define AVF_PTYPE_IPV6_TCP 92
#define AVF_PTYPE_IPV6_SCTP 93
#define AVF_PTYPE_IPV6_ICMP 94

/* Packet classifier types: bit numbers of VFQF_HENA (kernel iavf_type.h,
 * enum iavf_filter_pctype; i40e_type.h I40E_FILTER_PCTYPE_*).  The
 * UNICAST/MULTICAST UDP and TCP_SYN_NO_ACK types exist on X722 only. */
#define AVF_FILTER_PCTYPE_NONF_UNICAST_IPV4_UDP 29
#define AVF_FILTER_PCTYPE_NONF_MULTICAST_IPV4_UDP 30
#define AVF_FILTER_PCTYPE_NONF_IPV4_UDP 31
#define AVF_FILTER_PCTYPE_NONF_IPV4_TCP_SYN_NO_ACK 32
#define AVF_FILTER_PCTYPE_NONF_IPV4_TCP 33
#define AVF_FILTER_PCTYPE_NONF_IPV4_SCTP 34
#define AVF_FILTER_PCTYPE_NONF_IPV4_OTHER 35
#define AVF_FILTER_PCTYPE_FRAG_IPV4 36
#define AVF_FILTER_PCTYPE_NONF_UNICAST_IPV6_UDP 39
#define AVF_FILTER_PCTYPE_NONF_MULTICAST_IPV6_UDP 40
#define AVF_FILTER_PCTYPE_NONF_IPV6_UDP 41
#define AVF_FILTER_PCTYPE_NONF_IPV6_TCP_SYN_NO_ACK 42
#define AVF_FILTER_PCTYPE_NONF_IPV6_TCP 43
#define AVF_FILTER_PCTYPE_NONF_IPV6_SCTP 44
#define AVF_FILTER_PCTYPE_NONF_IPV6_OTHER 45
#define AVF_FILTER_PCTYPE_FRAG_IPV6 46
#define AVF_FILTER_PCTYPE_L2_PAYLOAD 63

/* Ring limits: kernel iavf's (iavf.h IAVF_MIN_TXD, IAVF_MAX_TXD,
 * IAVF_REQ_DESCRIPTOR_MULTIPLE), stricter than the PF's */
#define AVF_MIN_RING_LEN 64
#define AVF_MAX_RING_LEN 4096
#define AVF_RING_MULTIPLE 32
#define AVF_MAX_FRAME 9728        /* IAVF_MAX_RXBUFFER: largest frame */

/* Reset waits used by the kernel driver (iavf.h IAVF_RESET_WAIT_MS,
 * IAVF_RESET_WAIT_COMPLETE_COUNT; iavf_main.c iavf_reset_task) */
#define AVF_RESET_WAIT_MS 10
#define AVF_RESET_WAIT_COUNT 2000

/* ========================================================================
 * Driver state (avf.c): the sizes the driver chose and the one struct that
 * holds everything it set up, so teardown can release exactly that.
 * ====================================================================== */
#include <stdbool.h>
#include <stdio.h>
#include "virtchnl.h"

/* One queue pair (queue 0).  MSI-X vector 0 takes the "other" causes (admin
 * queue, link), vector 1 the queue pair, as iavf (iavf.h NONQ_VECS); ITR
 * indexes as iavf_txrx.h IAVF_RX_ITR and IAVF_TX_ITR. */
#define AVF_QUEUE_ID 0
#define AVF_QUEUE_PAIRS 1
#define AVF_MISC_VECTOR 0
#define AVF_QUEUE_VECTOR 1
#define AVF_MSIX_VECTORS 2
#define AVF_RX_ITR 0
#define AVF_TX_ITR 1
/* A polling build gets its write-backs as DPDK's iavf_config_rx_queues_irqs
 * does without RX interrupts: WB_ON_ITR on the queue's vector with a 2-unit
 * (4 us) interval, or, without WB_ON_ITR, the queues on vector 0 with INTENA
 * and the default 32 us ITR (IAVF_QUEUE_ITR_INTERVAL_DEFAULT). */
#define AVF_WB_ON_ITR_INTERVAL 2
#define AVF_POLL_ITR_US 32
#define AVF_VLAN_HLEN 4           /* an 802.1Q tag: TPID + TCI */

/* Rings (multiples of 32 within 64..4096, as iavf.h; powers of two here so
 * ring indexes wrap with a mask) and buffers (a multiple of 128: the PF
 * programs databuffer_size >> 7, i40e_virtchnl_pf.c i40e_config_vsi_rx_queue). */
#define AVF_RX_RING_LEN 512
#define AVF_TX_RING_LEN 512
#define AVF_RX_BUF_SIZE 2048
/* Echo moves RX buffers onto the TX ring; with one buffer per RX slot plus
 * one per TX slot, refilling the RX ring can never run out. */
#define AVF_NUM_BUFS (AVF_RX_RING_LEN + AVF_TX_RING_LEN)
#ifndef AVF_BURST                 /* -DAVF_BURST=N: make bench's batching curve */
#define AVF_BURST 32              /* RX descriptors per tail write */
#endif

/* GET_VF_RESOURCES request: plain L2, link speed in Mbps, and what avf needs
 * to undo the PF's defaults (i40e_vc_get_vf_resources_msg grants only what
 * is asked and the hardware has): RSS_PF to point the LUT at queue 0, VLAN to
 * turn i40e's tag stripping off, WB_ON_ITR so a polling build sees lone frames. */
#define AVF_VF_CAPS (VIRTCHNL_VF_OFFLOAD_L2 | VIRTCHNL_VF_CAP_ADV_LINK_SPEED | VIRTCHNL_VF_OFFLOAD_RSS_PF | \
		     VIRTCHNL_VF_OFFLOAD_VLAN | VIRTCHNL_VF_OFFLOAD_WB_ON_ITR)
/* Largest PCI device and function numbers of a bus address */
#define AVF_PCI_MAX_DEVICE 0x1f
#define AVF_PCI_MAX_FUNCTION 7
/* First octet of a MAC: I/G and U/L bits */
#define AVF_MAC_MULTICAST 0x01
#define AVF_MAC_LOCAL_ADMIN 0x02

/* DMA: all rings and buffers in one 4 MiB region (two hugepages: the 1024
 * buffers alone take 2 MiB), mapped at a fixed IOVA below 4 GiB and clear of
 * the x86 MSI window at 0xFEE00000. */
#define AVF_DMA_SIZE (4u << 20)
#define AVF_DMA_ALIGN 4096
#define AVF_IOVA_BASE 0x10000000ull
#define AVF_BAR0_MIN_SIZE (VFGEN_RSTAT + 4) /* highest register avf.c touches */

/* -v messages and their key fields, -vv also every register access */
#define AVF_VERBOSE_MMIO 2

/* Bounded waits */
#define AVF_ASQ_TIMEOUT_MS 250     /* IAVF_ASQ_CMD_TIMEOUT, iavf_adminq.h */
#define AVF_AQ_POLL_US 50          /* as iavf_adminq.c iavf_asq_send_command polls */
#define AVF_VC_TIMEOUT_MS 2000     /* as DPDK waits: iavf_vchnl.c MAX_TRY_TIMES x ASQ_DELAY_MS */
#define AVF_RESET_DETECT_MS 2500   /* RESET_VF seen: IAVF_RESET_WAIT_DETECTED_COUNT x 5 ms */
#define AVF_LINK_WAIT_MS 5000
#define AVF_POLL_SERVICE_EVERY 1024 /* POLL: admin queue check every N loops */
#define AVF_NOTE_MAX 1024          /* longest message line (the longest, with paths, is ~500) */
#define AVF_TICK_MS 1000           /* rate line, watchdog */
#define AVF_DRAIN_POLL_MS 1        /* MSI-X: -c reached, TX completions due */
#define AVF_TX_DRAIN_MS 1000       /* -c reached: how long echoes may take to complete */
/* Recovery from VF resets the PF makes: a reset that comes within
 * AVF_RESET_LOOP_MS of the last one counts as a loop, and that many in a
 * row end the run: the host is resetting the VF faster than it can run. */
#define AVF_RESET_LOOP_MS 2000
#define AVF_RESETS_IN_A_ROW_MAX 5
#define AVF_REQ_EVENT AVF_MSIX_VECTORS /* epoll tag of the device request */

#define AVF_STOP_ALARM_S 1         /* after a stop signal: the longest a write may block */

/* Ethernet on the wire: preamble + SFD + inter-frame gap, and the FCS the
 * device strips from the length it reports. */
#define AVF_WIRE_OVERHEAD 20
#define AVF_ETH_FCS_LEN 4

/* -w: libpcap file format 2.4, microsecond timestamps */
#define AVF_PCAP_MAGIC 0xa1b2c3d4u
#define AVF_PCAP_VERSION_MAJOR 2
#define AVF_PCAP_VERSION_MINOR 4
#define AVF_PCAP_SNAPLEN 65535
#define AVF_PCAP_LINKTYPE_ETHERNET 1
#define AVF_PCAP_BUFFER (1u << 20) /* stdio buffer: a write(2) per MiB */
struct avf_pcap_file_header {
	uint32_t magic;
	uint16_t version_major;
	uint16_t version_minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};
struct avf_pcap_record_header {
	uint32_t ts_sec;
	uint32_t ts_usec;
	uint32_t incl_len;
	uint32_t orig_len;
};

/* Dump: `hexdump -C` lines */
#define AVF_HEXDUMP_LINE 16
#define AVF_HEXDUMP_GROUP 8
/* stdout's buffer holds a burst's dump: its header, hex and length lines are
 * each under AVF_DUMP_LINE_MAX bytes, so one write(2) per burst. */
#define AVF_DUMP_LINE_MAX 256
#define AVF_DUMP_FRAME_MAX ((AVF_RX_BUF_SIZE / AVF_HEXDUMP_LINE + 2) * AVF_DUMP_LINE_MAX)
#define AVF_STDOUT_BUFFER (AVF_BURST * AVF_DUMP_FRAME_MAX)

#define AVF_NSEC_PER_SEC 1000000000ull
#define AVF_NSEC_PER_MSEC 1000000ull
#define AVF_NSEC_PER_USEC 1000ull
#define AVF_USEC_PER_MSEC 1000u
#define AVF_USEC_PER_SEC 1000000u
#define AVF_MAX_ERRNO 4095 /* a negative status down to -4095 is an errno (Linux's MAX_ERRNO) */
#define AVF_BITS_PER_MBIT 1e6
#define AVF_FRAMES_PER_MFRAME 1e6
#define AVF_PERCENT 100.0
#define AVF_COST_MIN_FRAMES 1000 /* fewer: no per-frame cost at exit */


/* Why the run ends; AVF_STOP_PF and AVF_STOP_ERROR exit with status 1. */
enum avf_stop {
	AVF_RUNNING,
	AVF_STOP_COUNT,  /* -c COUNT reached */
	AVF_STOP_SIGNAL, /* SIGINT, SIGTERM */
	AVF_STOP_PF,     /* RESET_IMPENDING, PF_DRIVER_CLOSE, VF reset seen */
	AVF_STOP_ERROR,
};

struct avf_counters {
	uint64_t rx_frames, rx_bytes;
	uint64_t rx_no_eof, rx_hw_error, rx_bad_length; /* bad descriptors */
	uint64_t rx_stray_dd;           /* DD on a descriptor avf had not posted */
	uint64_t tx_queued;             /* echoes put on the TX ring */
	uint64_t tx_frames, tx_bytes;   /* of them, those the device completed: sent */
	uint64_t tx_ring_full;
	uint64_t tx_lost_reset;         /* on the ring when the PF reset the VF: never sent */

	uint64_t tx_stray_done;         /* DESC_DONE on a descriptor not awaited */
	uint64_t polls, empty_polls;    /* POLL: RX bursts tried, and those that found no frame */
};

struct avf {
	/* command line */
	char bdf[16];
	uint64_t count;                 /* 0: no -c */
	const char *token;              /* -t */
	const char *pcap_path;          /* -w */
	FILE *pcap;
	unsigned verbose;              /* -v: 1 messages, 2 also registers */

	/* VFIO */
	int container, group, device;
	int group_num;
	bool type1v2;
	uint32_t device_flags;          /* VFIO_DEVICE_FLAGS_* */
	uint64_t config_offset;
	uint16_t device_id;
	uint16_t command;               /* PCI COMMAND before avf changed it */
	bool command_set;
	volatile uint8_t *bar0;
	uint64_t bar0_offset;
	size_t bar0_size;
	uint32_t msix_count;             /* MSI-X vectors vfio-pci offers */

	/* DMA region */
	uint8_t *dma;
	size_t dma_used;
	bool hugepage, dma_mapped;

	/* Admin queue */
	volatile struct avf_aq_desc *atq, *arq;
	uint64_t atq_iova, arq_iova;
	uint8_t *atq_buf, *arq_bufs;    /* one message out, AVF_AQ_LEN in */
	uint64_t atq_buf_iova, arq_bufs_iova;
	uint16_t atq_next, arq_next;
	bool aq_up;
	bool vf_lost;                   /* PF reset or closed it: no more virtchnl */
	bool reset_pending;             /* the PF reset the VF: vf_recover is due */
	unsigned resets;                /* VF resets recovered from */
	unsigned resets_in_a_row;       /* each within AVF_RESET_LOOP_MS of the last */
	uint64_t last_reset_ns;
	struct {                        /* the virtchnl request in flight */
		uint32_t op;            /* VIRTCHNL_OP_UNKNOWN: none */
		bool done;
		int32_t status;
		uint16_t len;
	} wait;
	union {                         /* its reply */
		struct virtchnl_version_info version;
		struct virtchnl_vf_resource res;
		struct virtchnl_eth_stats stats;
		uint8_t raw[AVF_AQ_BUF_SIZE];
	} reply;

	/* What the PF granted (VERSION and GET_VF_RESOURCES replies) */
	struct virtchnl_version_info pf_version;
	uint32_t caps;
	uint16_t vsi_id, num_queue_pairs, max_vectors, max_mtu;
	uint8_t mac[6];
	bool mac_random;
	uint8_t random_mac[6];          /* kept across VF resets */
	bool link_up;
	uint32_t link_mbps;
	uint32_t rss_lut_size;          /* LUT entries (CONFIG_RSS_LUT) */
	const char *rss_done;           /* what avf did to the PF's RSS, for the banner */
	bool vlan_stripped;             /* the PF strips tags: avf puts them back */
	uint16_t queue_vector;          /* the vector the queue pair is mapped to */
	bool queues_enabled;
	bool have_stats_base;
	struct virtchnl_eth_stats stats_base;

	/* Rings */
	volatile struct avf_rx_desc *rx_ring;
	volatile struct avf_tx_desc *tx_ring;
	uint64_t rx_ring_iova, tx_ring_iova;
	uint8_t *bufs;
	uint64_t bufs_iova;
	uint16_t rx_next;                          /* next descriptor to check */
	uint16_t rx_tail;                          /* slots up to here are the device's */
	uint16_t rx_buf[AVF_RX_RING_LEN];          /* buffer posted in each slot */
	bool rx_drop_to_eof;                       /* inside a bad multi-descriptor frame */
	bool rx_warned;
	uint16_t tx_next, tx_clean;                /* tail; oldest not yet done */
	uint16_t tx_buf[AVF_TX_RING_LEN];
	uint16_t tx_len[AVF_TX_RING_LEN];          /* frame length in each slot, for tx_bytes */
	uint16_t tx_batch_end[AVF_TX_RING_LEN];    /* batch start -> its RS slot */
	uint16_t free_buf[AVF_NUM_BUFS];
	uint16_t nfree;
	uint8_t vlan_frame[AVF_RX_BUF_SIZE + AVF_VLAN_HLEN]; /* a frame with its tag put back */

	/* Interrupts (MSI-X build) */
	int efd[AVF_MSIX_VECTORS];
	int req_efd;                    /* vfio-pci's device request */
	int epfd;
	bool irqs_set;

	/* The run */
	enum avf_stop stop;
	bool running, teardown;
	bool write_failed;                         /* stdout or -w: exit 1 */
	struct avf_counters cnt, last;             /* last: at the previous tick */
	uint64_t exec_ns, tick_ns, start_ns, start_cpu_ns;
	uint64_t drain_end_ns;                     /* -c reached: echoes must complete by then */
};

#endif /* AVF_H */
