#!/usr/bin/env bats
# Interop: DPDK's net_iavf, a driver we did not write, on the simulated VF.
# Debian's dpdk-testpmd (22.11, package dpdk-dev) brings the port up, and in
# macswap mode sends every received frame back; the simulator's report and
# capture must agree with what testpmd says it did.  DPDK is not a project
# dependency: without dpdk-testpmd every test is skipped, with the reason.
# How and why, option by option: tests/sim/README.md, "Running DPDK on the
# simulated VF".

setup() {
	load lib
	command -v dpdk-testpmd >/dev/null ||
		skip "dpdk-testpmd not installed (apt-get install dpdk-dev); DPDK is optional"
	IN="$BATS_TEST_TMPDIR/in.pcap"
	OUT="$BATS_TEST_TMPDIR/out.pcap"
	LOG="$BATS_TEST_TMPDIR/testpmd.log"
	CMD="$BATS_TEST_TMPDIR/cmd"
	PMD_ARGS=() # more testpmd options
	EAL_ARGS=() # more EAL options
}

# testpmd_start SECONDS [sim options]: testpmd on the simulated VF (bounded
# by SECONDS), interactive, reading its commands from the fifo $CMD on fd 7,
# its pid in $pid; back once its prompt shows (the port started, its link
# up), or 1 with its log's tail.
testpmd_start() {
	local limit=$1 deadline
	shift
	rm -f "$CMD" && mkfifo "$CMD"
	# testpmd maps all of -m at once: fine for root, which holds CAP_IPC_LOCK.
	# stdbuf: testpmd's statistics are stdio, block-buffered into a file.
	SIM_TIMEOUT=$limit on_sim "$@" -- \
		stdbuf -oL dpdk-testpmd --no-huge -m 512 -l 0-1 -a "$BDF" \
		--no-shconf --no-telemetry "${EAL_ARGS[@]}" -- \
		-i --total-num-mbufs=16384 --no-flush-rx "${PMD_ARGS[@]}" \
		<"$CMD" >"$LOG" 2>&1 3>&- &
	pid=$!
	exec 7>"$CMD"
	deadline=$((SECONDS + 30))
	until grep -q 'testpmd> ' "$LOG"; do
		if ! kill -0 "$pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
			exec 7>&-
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" || true
			echo "no testpmd prompt:" >&2
			tail -40 "$LOG" >&2
			return 1
		fi
		sleep 0.1
	done
}

# testpmd EXPECT [sim options]: testpmd on the simulated VF, interactive, its
# commands written to a fifo: wait for the prompt (port started, link up),
# the commands in PMD_CMDS (if any), `start` macswap forwarding (with retry:
# a full TX ring waits instead of dropping), poll the port's statistics until
# EXPECT frames went out (sent or refused by the PF), `stop`, print the
# statistics one last time, `quit`.  PMD_ARGS: more testpmd options.
# Output in $LOG, exit status in $status.  Every step is bounded.
testpmd() {
	local expect=$1 pid deadline tx err
	shift
	testpmd_start 60 "$@" || return 1
	[ -z "${PMD_CMDS:-}" ] || printf '%s\n' "${PMD_CMDS[@]}" >&7
	printf '%s\n' "set fwd macswap retry" "set burst tx delay 10 retry 1000" start >&7
	deadline=$((SECONDS + 30))
	while [ $SECONDS -lt $deadline ]; do
		echo "show port stats 0" >&7
		sleep 0.2
		tx=$(nic_stat TX-packets) err=$(nic_stat TX-errors)
		[ $((tx + err)) -ge "$expect" ] && break
	done
	testpmd_quit
}

# testpmd_quit: the last statistics, quit, and testpmd's exit (status in
# $status): it must say Bye.
testpmd_quit() {
	printf '%s\n' stop "show port stats 0" quit >&7
	exec 7>&-
	status=0
	wait "$pid" || status=$?
	if [ "$status" -ne 0 ] || ! grep -q '^Bye' "$LOG"; then
		echo "testpmd exited with $status:" >&2
		tail -40 "$LOG" >&2
		return 1
	fi
}

# assert_spread QUEUES N: testpmd's verbose lines show at least N frames,
# each on the queue its RSS hash picks (the LUT net_iavf programs, entry
# i = i % QUEUES: queue = hash % QUEUES), and every queue got some.
assert_spread() {
	local queues=$1 n=$2 hash q
	grep -o 'RSS hash=0x[0-9a-f]* - RSS queue=0x[0-9a-f]*' "$LOG" >"$BATS_TEST_TMPDIR/rss"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/rss")" -ge "$n" ]
	while read -r _ hash _ _ q; do
		[ $((${hash#hash=} % queues)) -eq $((${q#queue=})) ] || { echo "hash ${hash#hash=} on queue ${q#queue=}"; return 1; }
	done <"$BATS_TEST_TMPDIR/rss"
	for ((q = 0; q < queues; q++)); do
		grep -q "RSS queue=0x$q\$" "$BATS_TEST_TMPDIR/rss" || { echo "nothing on queue $q"; return 1; }
	done
}

# nic_stat NAME: NAME's value in the last "NIC statistics" testpmd printed
# (RX-packets, RX-missed, RX-errors, TX-packets, TX-errors); 0 before any.
nic_stat() {
	local v
	v=$(grep -o "$1: *[0-9]*" "$LOG" 2>/dev/null | tail -1)
	echo "${v##* }" | sed 's/^$/0/'
}

# The hex frames on stdin with destination and source MAC exchanged.
macswapped_hex() {
	local line
	while IFS= read -r line; do
		echo "${line:12:12}${line:0:12}${line:24}"
	done
}

# The known capture forwarded: the frames the VF may receive come back,
# MACs swapped, in order (with SORTED=1 in any order: RSS spreads them over
# queues that testpmd forwards one after the other); no IOMMU fault, no MDD
# event; testpmd's counters are the simulated PF's.
assert_forwarded_known() {
	assert_report iommu_faults 0
	assert_report mdd_events 0
	assert_report last_link_state up
	assert_report rx_delivered 5
	assert_report tx_frames 5
	[ "$(nic_stat RX-packets)" = 5 ] || { echo "testpmd RX-packets $(nic_stat RX-packets)"; return 1; }
	[ "$(nic_stat TX-packets)" = 5 ] || { echo "testpmd TX-packets $(nic_stat TX-packets)"; return 1; }
	if [ "${SORTED:-0}" = 1 ]; then
		diff <(delivered_hex "$IN" | macswapped_hex | sort) <("$PCAPTOOL" hex "$OUT" | sort)
	else
		diff <(delivered_hex "$IN" | macswapped_hex) <("$PCAPTOOL" hex "$OUT")
	fi
}

@test "dpdk: testpmd brings up 8086:154c, macswaps the known capture back, exits cleanly" {
	known_capture "$IN"
	# --no-spoofchk: the broadcast frame comes back from ff:ff:ff:ff:ff:ff,
	# which the PF's anti-spoof check would drop (next test).
	testpmd 5 --no-spoofchk --rx "$IN" --tx "$OUT"
	grep -q 'Probe PCI driver: net_iavf (8086:154c)' "$LOG"
	assert_forwarded_known
}

@test "dpdk: 8086:1889 is probed by net_ice_dcf first, then net_iavf forwards" {
	known_capture "$IN"
	testpmd 5 --device-id 0x1889 --no-spoofchk --rx "$IN" --tx "$OUT"
	grep -q 'Probe PCI driver: net_ice_dcf (8086:1889)' "$LOG"
	grep -q 'Probe PCI driver: net_iavf (8086:1889)' "$LOG"
	# DCF closed the device and group; net_iavf set the IOMMU up again.
	assert_report dma_maps_total 2
	assert_forwarded_known
}

@test "dpdk: on 8086:1889 (ice) net_iavf negotiates flexible descriptors (RXDID 22) and receives flows on two queues" {
	local n=1000 q
	PMD_ARGS=(--rxq=2 --txq=2)
	PMD_CMDS=("set verbose 1")
	EAL_ARGS=(--log-level='pmd.net.iavf.*:debug')
	testpmd $n --device-id 0x1889 --gen $n --link-delay 5000
	# ice grants RX_FLEX_DESC and answers GET_SUPPORTED_RXDIDS; net_iavf asks
	# for its default profile, 22 (Comms OVS), on each queue
	grep -q 'request RXDID\[22\] in Queue\[0\]' "$LOG"
	grep -q 'request RXDID\[22\] in Queue\[1\]' "$LOG"
	assert_report rx_delivered $n
	assert_report rx_dropped_queue_off 0
	assert_report mdd_events 0
	[ "$(nic_stat RX-packets)" = $n ] || { echo "testpmd RX-packets $(nic_stat RX-packets)"; return 1; }
	# the hash comes from the flexible write-back (qword 3): queue = hash % 2
	assert_spread 2 $n
}

@test "dpdk: --rxq=8 on 4 granted pairs: REQUEST_QUEUES, the VF reset, 8 pairs, forwards" {
	known_capture "$IN"
	# iavf_queues_req_reset: REQUEST_QUEUES, RESET_IMPENDING, then the reset
	# must start at once (i40e_vc_reset_vf) or net_iavf re-inits too early.
	# net_iavf enables its queues one ENABLE_QUEUES each (iavf_start_queues):
	# the link comes up once all eight are, or RSS sends the first frames to
	# queues not yet enabled, where the hardware drops them.
	PMD_ARGS=(--rxq=8 --txq=8)
	testpmd 5 --no-spoofchk --rx "$IN" --tx "$OUT" --link-delay 5000
	if grep 'vf reset failed\|Fail to configure port' "$LOG"; then return 1; fi

	[ "$(report vf_resets)" -ge 1 ]
	SORTED=1 assert_forwarded_known
}


@test "dpdk: the PF's spoof check drops the reply sent from a broadcast source" {
	known_capture "$IN"
	testpmd 5 --rx "$IN" --tx "$OUT"
	assert_report iommu_faults 0
	assert_report mdd_events 0
	assert_report tx_frames 4
	assert_report tx_spoofed 1
	# iavf: oerrors = tx_errors + tx_discards, and the PF counted a discard.
	[ "$(nic_stat TX-packets)" = 4 ] && [ "$(nic_stat TX-errors)" = 1 ]
	diff <(delivered_hex "$IN" | macswapped_hex | grep -v '^.\{12\}ffffffffffff') \
		<("$PCAPTOOL" hex "$OUT")
}

@test "dpdk: 3 million generated frames forwarded; testpmd's counters agree with the sim's" {
	local n=3000000
	testpmd $n --gen $n
	assert_report iommu_faults 0
	assert_report mdd_events 0
	assert_report rx_delivered $n
	assert_report rx_dropped_no_desc 0
	assert_report tx_frames $n
	assert_report tx_spoofed 0
	[ "$(nic_stat RX-packets)" = $n ] || { echo "testpmd RX-packets $(nic_stat RX-packets)"; return 1; }
	[ "$(nic_stat RX-missed)" = 0 ]
	[ "$(nic_stat TX-packets)" = $n ] || { echo "testpmd TX-packets $(nic_stat TX-packets)"; return 1; }
	[ "$(nic_stat TX-errors)" = 0 ]
}

@test "dpdk: --rxq=4 receives generated flows on all four queues, each where its RSS hash says" {
	local n=2000 q
	# The link comes up once testpmd has enabled all four queues (one
	# ENABLE_QUEUES each): no frame meets a queue not yet enabled.
	PMD_ARGS=(--rxq=4 --txq=4)
	PMD_CMDS=("set verbose 1")
	testpmd $n --gen $n --link-delay 5000
	assert_report rx_delivered $n
	assert_report rx_dropped_queue_off 0
	[ "$(nic_stat RX-packets)" = $n ] || { echo "testpmd RX-packets $(nic_stat RX-packets)"; return 1; }
	# net_iavf (iavf_init_rss) fills the LUT with entry i = i % 4, so the
	# queue is the hash mod 4; testpmd's verbose lines print both.
	assert_spread 4 $n
}

@test "dpdk: after rx_vlan add 100, frames of VLAN 200 no longer arrive" {
	"$PCAPTOOL" vlan "$VF_MAC" "$IN"
	# the port starts after the filter is in place, so every frame meets it
	PMD_ARGS=(--disable-device-start)
	PMD_CMDS=("vlan set filter on 0" "rx_vlan add 100 0" "port start 0")
	testpmd 9 --rx "$IN" --tx "$OUT"
	assert_report rx_filtered 3
	assert_report rx_delivered 9
	[ "$(nic_stat RX-packets)" = 9 ] || { echo "testpmd RX-packets $(nic_stat RX-packets)"; return 1; }
}

# ice grants VLAN_V2 to net_iavf, which asks for it (ice_vc_get_vlan_caps):
# the filter then goes in as ADD_VLAN_V2 (iavf_add_del_vlan_v2) and the
# stripping setting as DISABLE_VLAN_STRIPPING_V2 (iavf_config_vlan_strip_v2),
# both after GET_OFFLOAD_VLAN_V2_CAPS; the sim's --trace shows them.
@test "dpdk: on 8086:1889 (ice) net_iavf uses VLAN v2, and rx_vlan add 100 still filters VLAN 200" {
	"$PCAPTOOL" vlan "$VF_MAC" "$IN"
	PMD_ARGS=(--disable-device-start)
	PMD_CMDS=("vlan set filter on 0" "rx_vlan add 100 0" "port start 0")
	testpmd 9 --device-id 0x1889 --trace --rx "$IN" --tx "$OUT"
	grep -q 'pf: -> VIRTCHNL_OP_GET_VF_RESOURCES SUCCESS .*VLAN_V2' "$LOG"
	grep -q 'pf: -> VIRTCHNL_OP_GET_OFFLOAD_VLAN_V2_CAPS SUCCESS' "$LOG"
	grep -q 'pf: -> VIRTCHNL_OP_ADD_VLAN_V2 SUCCESS' "$LOG"
	! grep -q 'pf: <- VIRTCHNL_OP_ADD_VLAN ' "$LOG"
	assert_report rx_filtered 3
	assert_report rx_delivered 9
	[ "$(nic_stat RX-packets)" = 9 ] || { echo "testpmd RX-packets $(nic_stat RX-packets)"; return 1; }
}

# --- the host acts on the running VF (--host, tests/sim/host.c) ------------
# net_iavf 22.11 learns of a PF-initiated reset from RESET_IMPENDING and
# posts RTE_ETH_EVENT_INTR_RESET ("Port 0: reset event"); recovering is the
# application's job (rte_eth_dev_reset): testpmd's `port stop`, `port
# reset`, `port start`.  It reads PF messages from an interrupt only when
# WB_ON_ITR is granted (iavf_dev_init: otherwise a 50 ms alarm polls
# VFINT_ICR01, which the VF reset has cleared by then), so these run on
# 8086:1889, where the simulated PF (ice) grants WB_ON_ITR, with ice's host
# rules (ice_set_vf_*); HOST_DEV=0x37cd runs one on i40e's X722 VF, which
# i40e grants WB_ON_ITR too.

# testpmd_host RESETS EXPECT [sim options]: testpmd forwarding generated
# traffic while the host acts; each "reset event" is answered with stop,
# port stop, port reset, port start, start.  Done when RESETS were answered,
# the port's counters (the VSI's, zero again after each reset) show EXPECT
# frames sent or refused since the last one, and the log matches UNTIL (if
# set).  Output in $LOG.
testpmd_host() {
	local resets=$1 expect=$2 pid deadline seen handled=0
	shift 2
	testpmd_start 90 --device-id "${HOST_DEV:-0x1889}" "$@" || return 1
	printf '%s\n' "set fwd macswap retry" start >&7
	deadline=$((SECONDS + 60))
	while [ $SECONDS -lt $deadline ]; do
		seen=$(grep -c 'Port 0: reset event' "$LOG" || true)
		if [ "$seen" -gt "$handled" ]; then
			handled=$seen
			printf '%s\n' stop "port stop 0" "port reset 0" "port start 0" start >&7
		fi
		echo "show port stats 0" >&7
		sleep 0.2
		[ "$handled" -ge "$resets" ] && [ $(($(nic_stat TX-packets) + $(nic_stat TX-errors))) -ge "$expect" ] &&
			{ [ -z "${UNTIL:-}" ] || grep -q "$UNTIL" "$LOG"; } && break
	done
	testpmd_quit
}

# After testpmd_host: RESETS reset events answered, frames forwarded after
# the last, no IOMMU fault or MDD event.
assert_recovered() {
	[ "$(grep -c 'Port 0: reset event' "$LOG")" -eq "$1" ] || { grep 'reset event' "$LOG"; return 1; }
	[ "$(nic_stat TX-packets)" -ge 1000 ] || { echo "TX-packets after the reset: $(nic_stat TX-packets)"; return 1; }
	assert_report iommu_faults 0
	assert_report mdd_events 0
	assert_report host_vf_resets "$1"
}

@test "dpdk host: trust=on mid-traffic: RESET_IMPENDING, testpmd resets the port and forwards again" {
	testpmd_host 1 1000 --gen 120000 --rx-rate 4000 --host 500:trust=on
	assert_recovered 1
	assert_report vf_resets 1
}

@test "dpdk host: mac= mid-traffic: after the reset net_iavf takes the MAC the host set" {
	# The generator's peer follows the new MAC (wire_gen_follow_mac): the
	# frames after the reset reach the VF only at its new address.
	testpmd_host 1 1000 --gen 120000 --rx-rate 4000 --host 500:mac=02:00:00:aa:bb:dd
	assert_recovered 1
	grep -q 'Port 0: 02:00:00:AA:BB:DD' "$LOG"
	assert_report rx_filtered 0
	assert_report tx_spoofed 0
}

@test "dpdk host: link=down then up on ice: LINK_CHANGE only, no reset, forwarding never stops for good" {
	# ice_set_vf_link_state: ice_vc_notify_vf_link_state and nothing more
	testpmd_host 0 8000 --gen 120000 --rx-rate 4000 \
		--host 500:link=down --host 1500:link=up
	assert_recovered 0
	[ "$(grep -c 'Port 0: link state change event' "$LOG")" -ge 2 ]
	assert_report vf_resets 0
}

@test "dpdk host: link=down stops traffic without a reset; link=up resets, testpmd recovers (i40e, 8086:37cd)" {
	# i40e_ndo_set_vf_link_state; X722 (37cd) is the i40e VF granted WB_ON_ITR
	HOST_DEV=0x37cd testpmd_host 1 1000 --gen 120000 --rx-rate 4000 --host 500:link=down --host 1500:link=up
	assert_recovered 1
	[ "$(grep -c 'Port 0: link state change event' "$LOG")" -ge 3 ]
}

@test "dpdk host: vlan=100 takes untagged traffic away (filtered), vlan=0 brings it back" {
	testpmd_host 2 1000 --gen 120000 --rx-rate 4000 --host 500:vlan=100 --host 2500:vlan=0
	assert_recovered 2
	[ "$(report rx_filtered)" -gt 0 ]
}

@test "dpdk host: pf-reset mid-traffic: testpmd resets the port and forwards again" {
	testpmd_host 1 1000 --gen 120000 --rx-rate 4000 --host 500:pf-reset
	assert_recovered 1
	assert_report vfr_sync_waits 0
}

@test "dpdk host: spoofchk=on mid-traffic: no reset, the PF drops the replies from a broadcast source" {
	testpmd_host 0 6000 --mac 00:00:00:00:00:00 --no-spoofchk --gen 8000 --rx-rate 4000 --host 500:spoofchk=on
	if grep -q "reset event" "$LOG"; then return 1; fi
	assert_report vf_resets 0
	# Sent before the action, refused after it (testpmd's TX-errors).
	[ "$(report tx_frames)" -gt 0 ]
	[ "$(report tx_spoofed)" -gt 0 ]
	[ "$(nic_stat TX-errors)" = "$(report tx_spoofed)" ]
}

@test "dpdk host: vf-remove: with --hot-plug testpmd detaches the port on the device request" {
	PMD_ARGS=(--hot-plug)
	UNTIL='Device is detached' testpmd_host 0 1 --gen 120000 --rx-rate 4000 --host 500:vf-remove
	grep -q 'Relaying device request to user (#0)' "$LOG"
	grep -q 'Device is detached' "$LOG"
	assert_report host_device_requests 1
	assert_report host_vf_removed 1
}
