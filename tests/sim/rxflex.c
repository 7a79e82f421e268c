/* SPDX-License-Identifier: MIT
 *
 * rxflex.c - the E810's flexible RX descriptor write-back, for a queue the
 * PF programmed with a flexible RXDID (ice_vc_cfg_qs_msg writes the VF's
 * rxdid into QRXFLXP_CNTXT when RX_FLEX_DESC was negotiated).
 *
 * The RX engine (queues.c) describes every frame in the legacy 32-byte
 * write-back's two first qwords; a flexible queue gets the same facts in
 * the 32-byte flexible layout instead.  One profile is modelled: RXDID 22,
 * "Comms package, OVS" (DPDK iavf_rxtx.h struct
 * iavf_32b_rx_flex_desc_comms_ovs, IAVF_RXDID_COMMS_OVS_1), the one DPDK's
 * iavf asks for by default (iavf_proto_xtr_type_to_rxdid):
 *
 *   qword 0: rxdid, umbcast (bits 14-15), ptype (16-25), pkt_len (32-45)
 *   qword 1: status_error0 (DD, EOF, L3L4P, RXE, RSS_VALID, L2TAG1P),
 *            l2tag1 (16-31), flow id (32-63, all ones: no flow director)
 *   qword 2: 0
 *   qword 3: the RSS hash (0-31)
 *
 * DD stays bit 0 of qword 1, as in the legacy layout, so the engine's
 * write order (qword 1 last) holds for both.
 */
#define _GNU_SOURCE
#include "devmodel.h"

#define FLEX_QW0_UMBCAST_SHIFT 14
#define FLEX_QW0_PTYPE_SHIFT 16
#define FLEX_PTYPE_MASK 0x3FFull
#define FLEX_QW0_LEN_SHIFT 32
#define FLEX_LEN_MASK 0x3FFFull
/* status_error0 bits (iavf_rxtx.h IAVF_RX_FLEX_DESC_STATUS0_*_S) */
#define FLEX_S0_DD (1ull << 0)
#define FLEX_S0_EOF (1ull << 1)
#define FLEX_S0_L3L4P (1ull << 3)
#define FLEX_S0_RXE (1ull << 10)
#define FLEX_S0_RSS_VALID (1ull << 12)
#define FLEX_S0_L2TAG1P (1ull << 13)
#define FLEX_QW1_L2TAG1_SHIFT 16
#define FLEX_QW1_FLOW_ID_SHIFT 32
#define FLEX_NO_FLOW_ID 0xFFFFFFFFull
#define LEGACY_QW0_L2TAG1_MASK 0xFFFFull

void rxflex_convert(uint64_t qw[4])
{
	uint64_t l0 = qw[0], l1 = qw[1];
	uint64_t s0 = 0;
	uint64_t umb = (l1 & AVF_RXD_QW1_STATUS_UMBCAST_MASK) >> AVF_RXD_QW1_STATUS_UMBCAST_SHIFT;
	uint64_t ptype = (l1 & AVF_RXD_QW1_PTYPE_MASK) >> AVF_RXD_QW1_PTYPE_SHIFT;
	uint64_t len = (l1 & AVF_RXD_QW1_LENGTH_PBUF_MASK) >> AVF_RXD_QW1_LENGTH_PBUF_SHIFT;
	bool hashed = ((l1 & AVF_RXD_QW1_STATUS_FLTSTAT_MASK) >> AVF_RXD_QW1_STATUS_FLTSTAT_SHIFT) ==
		      AVF_RX_DESC_FLTSTAT_RSS_HASH;

	if (l1 & AVF_RXD_QW1_STATUS_DD)
		s0 |= FLEX_S0_DD;
	if (l1 & AVF_RXD_QW1_STATUS_EOF)
		s0 |= FLEX_S0_EOF;
	if (l1 & AVF_RXD_QW1_STATUS_L3L4P)
		s0 |= FLEX_S0_L3L4P;
	if (l1 & AVF_RX_DESC_ERROR_RXE << AVF_RXD_QW1_ERROR_SHIFT)
		s0 |= FLEX_S0_RXE;
	if (l1 & AVF_RXD_QW1_STATUS_L2TAG1P)
		s0 |= FLEX_S0_L2TAG1P;
	if (hashed)
		s0 |= FLEX_S0_RSS_VALID;
	qw[0] = SIM_RXDID_FLEX_COMMS_OVS | umb << FLEX_QW0_UMBCAST_SHIFT | (ptype & FLEX_PTYPE_MASK) << FLEX_QW0_PTYPE_SHIFT |
		(len & FLEX_LEN_MASK) << FLEX_QW0_LEN_SHIFT;
	qw[1] = s0 | ((l0 & AVF_RXD_QW0_L2TAG1_MASK) >> AVF_RXD_QW0_L2TAG1_SHIFT & LEGACY_QW0_L2TAG1_MASK)
			     << FLEX_QW1_L2TAG1_SHIFT |
		FLEX_NO_FLOW_ID << FLEX_QW1_FLOW_ID_SHIFT;
	qw[2] = 0;
	qw[3] = hashed ? l0 >> AVF_RXD_QW0_RSS_SHIFT : 0;
}
