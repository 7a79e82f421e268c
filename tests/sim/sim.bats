#!/usr/bin/env bats
# The simulated VF on its own, independent of avf.c: its probes drive it
# through the raw VFIO, register and virtchnl interfaces and check what the
# kernel, the silicon and the PF (Linux i40e or ice, --pf) would do.

setup() {
	load ../lib
	PROBE="$TOP/tests/sim/probe"
}

# probe_ok [sim options] -- PROBE CHECK...: the probe ran, every check passed.
probe_ok() {
	run on_sim "$@"
	if [ "$status" -ne 0 ] || [[ "$output" == *FAIL* ]]; then
		echo "$output"
		return 1
	fi
	[[ "$output" == *"ok "* ]] || { echo "no check ran: $output"; return 1; }
}

# --- launcher -------------------------------------------------------------

@test "launcher: --help lists every option" {
	run "$SIM" --help
	[ "$status" -eq 0 ]
	for o in --bdf --device-id --rx --tx --gen --rx-rate --mac --trust --no-spoofchk \
		--link-delay --vectors --queue-pairs --lut --trace --report --host --fault --pf; do
		[[ "$output" == *"$o"* ]] || { echo "missing $o"; return 1; }
	done
}

@test "launcher: bad options are one-line errors with exit 2" {
	for bad in "--gen x" "--gen 1:64:0" "--gen 1:64:16385" "--lut random" "--mac 01:02" "--vectors 99" \
		"--queue-pairs 0" "--bdf zz" \
		"--fault no-such-fault" "--fault status=bogus_op" "--device-id 0xfffff" "--frobnicate" \
		"--host 100" "--host x:pf-reset" "--host 100:reboot" "--host 100:trust=yes" "--host 100:vlan=4096" \
		"--host 100:link=enable" "--host 100:mac=01:00:5e:00:00:01"; do
		run "$SIM" $bad -- true
		[ "$status" -eq 2 ] || { echo "$bad: status $status"; return 1; }
		[[ "${lines[0]}" == avfsim:* ]] || { echo "$bad: ${lines[0]}"; return 1; }
	done
}

@test "launcher: a missing --rx capture is a clear error" {
	run on_sim --rx /nonexistent.pcap -- "$PROBE" vfio
	[ "$status" -ne 0 ]
	[[ "$output" == *"/nonexistent.pcap"* ]]
}

# --- VFIO and sysfs emulation ---------------------------------------------

@test "vfio: container, group, device ioctls and their errnos" {
	probe_ok -- "$PROBE" vfio
}

@test "vfio: the same through the _FILE_OFFSET_BITS=64 and _FORTIFY_SOURCE entry points" {
	cc -std=c11 -O2 -D_FORTIFY_SOURCE=2 -D_FILE_OFFSET_BITS=64 -o "$BATS_TEST_TMPDIR/probe64" \
		"$TOP/tests/sim/probe.c"
	probe_ok -- "$BATS_TEST_TMPDIR/probe64" vfio
	probe_ok -- "$BATS_TEST_TMPDIR/probe64" sysfs
}

@test "sysfs: device files, links and SYSFS_PCI_DEVICES" {
	probe_ok -- "$PROBE" sysfs
	run on_sim -- readlink /sys/bus/pci/devices/$BDF/iommu_group
	[ "$output" = "../../kernel/iommu_groups/42" ]
	run on_sim --device-id 0x1889 -- cat /sys/bus/pci/devices/$BDF/device
	[ "$output" = "0x1889" ]
}

@test "vfio: without the launcher the library passes everything through" {
	run env LD_PRELOAD="$TOP/tests/sim/libavfsim.so" "$PROBE" inert
	[ "$status" -eq 0 ]
	[[ "$output" != *FAIL* ]]
}

@test "vfio: the preloaded library exports only libc names, never its own helpers" {
	local libc own
	libc=$(nm -D --defined-only "$("${CC:-cc}" -print-file-name=libc.so.6)" | awk '{ sub(/@.*/, "", $3); print $3 }' | sort -u)
	own=$(nm -D --defined-only "$TOP/tests/sim/libavfsim.so" | awk '{ print $3 }' | sort -u)
	[ -n "$own" ] && [[ "$own" == *ioctl* ]]
	# what the library exports that libc does not: would shadow the program's own symbols
	run comm -23 <(echo "$own") <(echo "$libc")
	[ "$status" -eq 0 ] && [ -z "$output" ]
}

@test "vfio faults: no iommu_group, not vfio-pci, not viable, busy, permission" {
	for f in no-iommu-group not-vfio-pci group-not-viable group-busy permission-denied; do
		probe_ok --fault "$f" -- "$PROBE" "$f" || { echo "fault $f"; return 1; }
	done
}

@test "vfio faults: RLIMIT_MEMLOCK and the VF token" {
	probe_ok --fault memlock=1048576 -- "$PROBE" memlock 1048576
	probe_ok --fault vf-token=4e2a8f3c-1d5b-4c6e-9a7f-0b1c2d3e4f50 -- \
		"$PROBE" vf-token 4e2a8f3c-1d5b-4c6e-9a7f-0b1c2d3e4f50
}

# --- device model ---------------------------------------------------------

@test "device: VF reset RSTAT 0 -> 2 (never 1), admin queue torn down; FLR" {
	probe_ok -- "$TOP/tests/sim/probe-dev" reset
	assert_report vf_resets 1
}

@test "device: admin queue write-back, ATQH, ARQ delivery, one-slot gap, vector 0" {
	probe_ok -- "$TOP/tests/sim/probe-dev" adminq
	[ "$(report irqs_vector0)" -gt 0 ]
}

@test "device: RX write-back, multi-descriptor frames, TX RS write-back, MDD" {
	known_capture "$BATS_TEST_TMPDIR/in.pcap"
	probe_ok --rx "$BATS_TEST_TMPDIR/in.pcap" --tx "$BATS_TEST_TMPDIR/out.pcap" -- \
		"$TOP/tests/sim/probe-dev" datapath
	[ "$(report mdd_events)" -ge 1 ]
	[ "$(report iommu_faults)" -eq 0 ]
	[ "$(report rx_filtered)" -ge 1 ]
	[ -s "$BATS_TEST_TMPDIR/out.pcap" ]
}

@test "device: write-back per 64-byte line; a partial line on interrupt, SWINT_TRIG or WB_ON_ITR" {
	probe_ok --gen 7 -- "$TOP/tests/sim/probe-dev" writeback
	assert_report rx_delivered 6
	assert_report tx_frames 6
	assert_report irqs_vector1 2
}

# With --trace too: struct txq's trace limiters lie right after the pending
# write-backs, so a device that kept more than a line's worth pending (as
# tx_complete did before it bounded them) overwrote one, the tracer rewrote
# it and the forced write-back then used it as a descriptor index.
@test "device: TX packets that go round the ring and end in their first line: write-backs bounded by a line" {
	for trace in "" --trace; do
		probe_ok $trace --tx "$BATS_TEST_TMPDIR/out.pcap" -- "$TOP/tests/sim/probe-dev" tx-wrap ||
			{ echo "run ${trace:-without --trace}"; return 1; }
		[ -n "$(expected tx_frames)" ]
		assert_report tx_frames "$(expected tx_frames)"
		assert_report mdd_events 0
		assert_report iommu_faults 0
		# every segment and frame on the wire
		[ "$("$PCAPTOOL" hex "$BATS_TEST_TMPDIR/out.pcap" | wc -l)" -eq "$(expected tx_frames)" ]
	done
}

@test "device: TSO MDD counts buffers per MSS-sized segment; legal TSO packets go out segmented" {
	probe_ok --tx "$BATS_TEST_TMPDIR/out.pcap" -- "$TOP/tests/sim/probe-dev" tso
	assert_report tx_frames 3
	assert_report mdd_events 1
	[[ "$output" == *"TSO segment 0 spans 11 buffers with its headers (at most 8)"* ]]
	# three segments of 1000 bytes of payload, IPv4 total length 1040, ids 0 1 2
	[ "$("$PCAPTOOL" hex "$BATS_TEST_TMPDIR/out.pcap" | cut -c29-44 | tr '\n' ' ')" = \
		"4500041000000000 4500041000010000 4500041000020000 " ]
}

@test "device: the generator delivers every frame in order to a consumer that keeps up" {
	probe_ok --gen 2000000 -- "$TOP/tests/sim/probe-dev" genrate
	assert_report rx_delivered 2000000
	assert_report rx_dropped_no_desc 0
	# the device worked while frames flowed, then idled through the
	# consumer's last 500 ms of polling
	[ "$(report device_busy_ns)" -gt 0 ]
	[ "$(report device_idle_ns)" -ge 400000000 ]
}

# expected KEY: the value of the probe's "expect KEY N" line in $output.
expected() { sed -n "s/^expect $1 //p" <<<"$output"; }

@test "device: RSS defaults (--lut iavf, zero), HENA after a reset, hash and queue per flow, a queue not enabled" {
	"$PCAPTOOL" rss "$VF_MAC" "$BATS_TEST_TMPDIR/rss.pcap"
	for lut in iavf zero; do
		probe_ok --lut $lut --rx "$BATS_TEST_TMPDIR/rss.pcap" -- "$TOP/tests/sim/probe-dev" rss
		[ -n "$(expected rx_dropped_queue_off)" ]
		assert_report rx_dropped_queue_off "$(expected rx_dropped_queue_off)"
		[ "$(report rx_delivered)" -gt 0 ]
	done
	# the X722's expanded default hash set
	probe_ok --device-id 37cd --rx "$BATS_TEST_TMPDIR/rss.pcap" -- "$TOP/tests/sim/probe-dev" rss
}

@test "device: RSS through the registers (RSS_REG): only TCP hashed, the rest on queue 0" {
	"$PCAPTOOL" rss "$VF_MAC" "$BATS_TEST_TMPDIR/rss.pcap"
	probe_ok --rx "$BATS_TEST_TMPDIR/rss.pcap" -- "$TOP/tests/sim/probe-dev" rss-reg
	assert_report rx_dropped_queue_off 0
}

@test "device: generated flows spread over the queues; a driver that enables queue 0 alone loses the rest" {
	probe_ok --gen 1000 -- "$TOP/tests/sim/probe-dev" spread
	assert_report rx_delivered 1000
	assert_report rx_delivered "$(expected rx_delivered)"
	assert_report rx_dropped_queue_off 0
	probe_ok --gen 1000 -- "$TOP/tests/sim/probe-dev" spread-q0
	assert_report rx_delivered "$(expected rx_delivered)"
	[ "$(report rx_dropped_queue_off)" -gt 0 ]
	[ $(($(report rx_delivered) + $(report rx_dropped_queue_off))) -eq 1000 ]
	# one flow: one queue; --lut zero: queue 0 for every flow
	probe_ok --gen 1000:64:1 --lut zero -- "$TOP/tests/sim/probe-dev" spread-q0
	assert_report rx_delivered 1000
}

@test "device: VLAN tags stripped into L2TAG1 by default, kept after DISABLE_VLAN_STRIPPING, filtered after ADD_VLAN" {
	"$PCAPTOOL" vlan "$VF_MAC" "$BATS_TEST_TMPDIR/vlan.pcap"
	probe_ok --rx "$BATS_TEST_TMPDIR/vlan.pcap" -- "$TOP/tests/sim/probe-dev" vlan
	[ "$(expected rx_filtered)" -gt 0 ]
	assert_report rx_filtered "$(expected rx_filtered)"
	assert_report rx_delivered 11
}

# --- PF model -------------------------------------------------------------

# probe-pf's rules per PF are in its struct pf_rules, each naming the i40e or
# ice function it follows.
@test "pf: state machine, exact lengths, queue rules, RSS, stats, reset: i40e and ice" {
	local pf c
	for pf in i40e ice; do
		for c in state lengths queues rss stats reset; do
			probe_ok --pf "$pf" -- "$TOP/tests/sim/probe-pf" "$c" || { echo "$pf: check $c"; return 1; }
		done
		[[ "$output" == *"ok "* ]]
		[ "$(report virtchnl_errors)" -gt 0 ]
	done
}

@test "pf: ice: allow-list, 36-byte resources, ICE_VF_VSI_ID, link down until queues, vector 0, LUT rebuilt" {
	probe_ok --device-id 1889 -- "$TOP/tests/sim/probe-pf" state
	[[ "$output" == *"the PF is ice"* ]]
	[[ "$output" == *"GET_RSS_HENA_CAPS without RSS_PF -> ERR_NOT_SUPPORTED"* ]]
	[[ "$output" == *"36-byte reply"* ]]
	[[ "$output" == *"LINK_CHANGE down after GET_VF_RESOURCES"* ]]
	[[ "$output" == *"rxdid 2 without RX_FLEX_DESC -> SUCCESS"* ]]
	probe_ok --device-id 1889 -- "$TOP/tests/sim/probe-pf" queues
	[[ "$output" == *"vector 0 <- queue 0 -> ERR_PARAM (ice_vc_cfg_irq_map_msg)"* ]]
	[[ "$output" == *"rxdid 22 with RX_FLEX_DESC -> SUCCESS"* ]]
	probe_ok --device-id 1889 -- "$TOP/tests/sim/probe-pf" rss
	[[ "$output" == *"i % queue pairs again (ice_vsi_cfg_rss_lut_key)"* ]]
	probe_ok --device-id 1889 --pf i40e -- "$TOP/tests/sim/probe-pf" state
	[[ "$output" == *"the PF is i40e"* ]]
}

@test "pf: VLAN v2: ice grants and serves it in single VLAN mode (ice_virtchnl.c), i40e refuses its opcodes" {
	probe_ok --pf ice -- "$TOP/tests/sim/probe-pf" vlan2
	[[ "$output" == *"VLAN|VLAN_V2 asked -> VLAN_V2 only"* ]]
	[[ "$output" == *"max_filters 8"* ]]
	probe_ok --pf ice --trust -- "$TOP/tests/sim/probe-pf" vlan2
	[[ "$output" == *"max_filters 4096"* ]]
	probe_ok --pf i40e -- "$TOP/tests/sim/probe-pf" vlan2
	[[ "$output" == *"i40e: VLAN v2 opcodes -> ERR_NOT_SUPPORTED"* ]]
}

@test "pf: grants per device id and PF: WB_ON_ITR, RSS_PCTYPE_V2, ENCAP_CSUM on 37cd only (i40e); all asked for on ice" {
	local args
	for args in "154c" "1571" "37cd" "1889" "1889 --pf i40e" "154c --pf ice"; do
		# shellcheck disable=SC2086 # the PF option is a separate word
		probe_ok --device-id $args -- "$TOP/tests/sim/probe-pf" grants || { echo "device $args"; return 1; }
	done
}

@test "pf: VFINT_ICR0_ENA1 handshake before a VF reset: wait and host log when ADMINQ is clear" {
	probe_ok -- "$TOP/tests/sim/probe-pf" handshake
	[[ "$output" == *"avfsim: dmesg: i40e 0000:3b:00.0: Reset VF 0 never finished"* ]]
	[ "$(grep -c 'Reset VF 0 never finished' <<<"$output")" -eq 1 ]
	assert_report vfr_sync_waits 1
	assert_report vfr_never_finished 1
	assert_report vf_resets 2
	# ice_trigger_vf_reset resets at once
	probe_ok --pf ice -- "$TOP/tests/sim/probe-pf" handshake
	assert_report vfr_sync_waits 0
	assert_report vf_resets 2
}

@test "pf: no-descriptor drops in rx_discards and their class; counters zero after a VF reset" {
	# --lut zero: every frame for queue 0, the one queue the probe enables
	probe_ok --lut zero --gen 50 --rx-rate 1000 -- "$TOP/tests/sim/probe-pf" counters
	assert_report rx_dropped_no_desc 50
	assert_report vfr_never_finished 0
}

@test "pf: MAC filters and promiscuous mode, untrusted, trusted and PF-set MAC" {
	probe_ok -- "$TOP/tests/sim/probe-pf" filters
	probe_ok --trust -- "$TOP/tests/sim/probe-pf" filters
	probe_ok --mac 02:00:00:00:00:42 -- "$TOP/tests/sim/probe-pf" filters
	probe_ok --trust --mac 02:00:00:00:00:42 -- "$TOP/tests/sim/probe-pf" filters
}

@test "pf: link comes up after --link-delay" {
	probe_ok --link-delay 300 -- "$TOP/tests/sim/probe-pf" link-delay
	# ice: down while no queue is enabled (ice_is_vf_link_up)
	probe_ok --pf ice --link-delay 300 -- "$TOP/tests/sim/probe-pf" link-delay
	[[ "$output" == *"LINK_CHANGE up after ENABLE_QUEUES"* ]]
}

@test "pf faults: each one does what tests/sim/README.md says" {
	local f
	while read -r check fault; do
		probe_ok --fault "$fault" -- "$TOP/tests/sim/probe-pf" "$check" || { echo "$check"; return 1; }
	done <<-EOF
		fault-silent pf-silent=get_stats
		fault-silent-all pf-silent
		fault-version version=2.0
		fault-status status=get_stats:-53
		fault-wrong-opcode wrong-opcode=version
		fault-reply-long reply-long=version
		fault-reply-short reply-short=get_vf_resources
		fault-unsolicited unsolicited=get_stats
		fault-reset-impending reset-impending=100
		fault-pf-close pf-close=100
		fault-link-down link-down
		fault-link-flap link-flap=100
		fault-resources resources=vsi_id:7
	EOF
}

@test "fuzz: one seed replays the same corruptions of PF messages and RX write-backs" {
	known_capture "$BATS_TEST_TMPDIR/in.pcap"
	for seed in 1 1 3; do
		# The probe's checks fail on corrupted input: only the simulator's log counts.
		on_sim --rx "$BATS_TEST_TMPDIR/in.pcap" --fault fuzz=$seed:50 -- "$TOP/tests/sim/probe-dev" datapath \
			2>&1 | grep 'fault fuzz' >"$BATS_TEST_TMPDIR/fuzz.$seed" || true
		grep -q '^avfsim: pf: fault fuzz: VIRTCHNL_OP_' "$BATS_TEST_TMPDIR/fuzz.$seed"
		grep -q '^avfsim: fault fuzz: frame [0-9]* written with ' "$BATS_TEST_TMPDIR/fuzz.$seed"
		cp "$BATS_TEST_TMPDIR/fuzz.$seed" "$BATS_TEST_TMPDIR/fuzz.$seed.$((n = ${n:-0} + 1))"
	done
	diff "$BATS_TEST_TMPDIR/fuzz.1.1" "$BATS_TEST_TMPDIR/fuzz.1.2"
	! diff -q "$BATS_TEST_TMPDIR/fuzz.1.2" "$BATS_TEST_TMPDIR/fuzz.3.3"
	run "$SIM" --fault fuzz=1:0 -- true
	[ "$status" -eq 2 ] && [[ "$output" == *"RATE a percentage 1..100"* ]]
}

# --- the host's administrator (--host, host.c) ------------------------------

@test "host: mac= sets the default MAC: RESET_IMPENDING, reset, i40e's log, the old MAC refused" {
	probe_ok --mac 02:00:00:00:00:01 --host 100:mac=02:00:00:00:00:02 -- "$TOP/tests/sim/probe-pf" host-mac
	[[ "$output" == *"avfsim: host: 100 ms after ENABLE_QUEUES: mac=02:00:00:00:00:02"* ]]
	[[ "$output" == *"avfsim: dmesg: i40e 0000:3b:00.0: Setting MAC 02:00:00:00:00:02 on VF 0"* ]]
	[[ "$output" == *"Bring down and up the VF interface to make this change effective."* ]]
	assert_report host_actions 1
	assert_report host_vf_resets 1
	assert_report vf_resets 1
}

@test "host: trust=on resets the VF, which then may hold more filters" {
	probe_ok --host 100:trust=on -- "$TOP/tests/sim/probe-pf" host-trust
	[[ "$output" == *"avfsim: dmesg: i40e 0000:3b:00.0: VF 0 is now trusted"* ]]
	assert_report host_vf_resets 1
}

@test "host: spoofchk=off changes no state the VF sees: no event, no reset" {
	probe_ok --host 100:spoofchk=off -- "$TOP/tests/sim/probe-pf" host-spoofchk
	assert_report host_actions 1
	assert_report host_vf_resets 0
	assert_report vf_resets 0
}

@test "host: link=down stops the queues without a reset; link=up resets the VF" {
	probe_ok --host 100:link=down --host 400:link=up -- "$TOP/tests/sim/probe-pf" host-link
	[[ "$output" == *"Admin has disabled VF 0, will not enable queues"* ]]
	assert_report host_actions 2
	assert_report host_vf_resets 1
}

@test "host: vlan= takes the VLAN offload away and lowers max_mtu by 4; vlan=0 gives them back" {
	probe_ok --host 100:vlan=100 --host 400:vlan=0 -- "$TOP/tests/sim/probe-pf" host-vlan
	[[ "$output" == *"avfsim: dmesg: i40e 0000:3b:00.0: Setting VLAN 100, QOS 0x0 on VF 0"* ]]
	assert_report host_vf_resets 2
}

@test "host: pf-reset announces itself, resets the VF without the ICR0_ENA1 wait" {
	probe_ok --host 100:pf-reset -- "$TOP/tests/sim/probe-pf" host-pf-reset
	assert_report host_vf_resets 1
	assert_report vfr_sync_waits 0
	assert_report vfr_never_finished 0
}

@test "host: an action i40e refuses during a reset waits for it, then resets unannounced" {
	probe_ok --host 100:trust=on --host 100:mac=02:00:00:00:00:02 -- "$TOP/tests/sim/probe-pf" host-wait
	[[ "$output" == *"avfsim: ARQ disabled: PF message VIRTCHNL_OP_EVENT dropped"* ]] || { echo "$output"; return 1; }
	assert_report host_vf_resets 2
	assert_report vf_resets 2
}

@test "host: a command that meets a reset which never ends: i40e gives up after 300 ms, ice after 800 ms" {
	local args=(--fault reset-stuck-from=1 --host 100:trust=on --host 100:mac=02:00:00:00:00:02)
	probe_ok "${args[@]}" -- "$TOP/tests/sim/probe-pf" host-stuck
	[[ "$output" == *"avfsim: host: mac=02:00:00:00:00:02 failed (-EAGAIN): the VF stayed in reset for 300 ms"* ]]
	[[ "$output" == *"avfsim: dmesg: i40e 0000:3b:00.0: VF 0 still in reset. Try again."* ]]
	assert_report host_vf_resets 1
	# ice_check_vf_ready_for_cfg: 40 x 20 ms, then -EINVAL (ICE_VF_STATE_DIS), no log line
	probe_ok --pf ice "${args[@]}" -- "$TOP/tests/sim/probe-pf" host-stuck
	[[ "$output" == *"avfsim: host: mac=02:00:00:00:00:02 failed (-EINVAL): the VF stayed in reset for 800 ms"* ]]
	if [[ "$output" == *"in reset. Try again"* ]]; then return 1; fi
	assert_report host_vf_resets 1
}

@test "host on ice: ice_set_vf_mac/_trust/_port_vlan reset announced with ice's lines; link and spoofchk reset nothing" {
	probe_ok --pf ice --mac 02:00:00:00:00:01 --host 100:mac=02:00:00:00:00:02 -- "$TOP/tests/sim/probe-pf" host-mac
	[[ "$output" == *"avfsim: dmesg: ice 0000:3b:00.0: Setting MAC 02:00:00:00:00:02 on VF 0. VF driver will be reinitialized"* ]]
	if [[ "$output" == *"Bring down and up"* ]]; then return 1; fi
	assert_report host_vf_resets 1
	probe_ok --pf ice --host 100:trust=on -- "$TOP/tests/sim/probe-pf" host-trust
	[[ "$output" == *"avfsim: dmesg: ice 0000:3b:00.0: VF 0 is now trusted"* ]]
	assert_report host_vf_resets 1
	probe_ok --pf ice --host 100:vlan=100 --host 400:vlan=0 -- "$TOP/tests/sim/probe-pf" host-vlan
	[[ "$output" == *"avfsim: dmesg: ice 0000:3b:00.0: Setting VLAN 100, QoS 0, TPID 0x8100 on VF 0"* ]]
	[[ "$output" == *"avfsim: dmesg: ice 0000:3b:00.0: Clearing port VLAN on VF 0"* ]]
	assert_report host_vf_resets 2
	# a VF that asked VLAN v2 keeps it under a port VLAN, with nothing offered
	probe_ok --pf ice --host 100:vlan=100 -- "$TOP/tests/sim/probe-pf" host-vlan2
	probe_ok --pf ice --host 100:spoofchk=off -- "$TOP/tests/sim/probe-pf" host-spoofchk
	assert_report vf_resets 0
	# ice_set_vf_link_state: LINK_CHANGE down then up, the queues untouched
	probe_ok --pf ice --host 100:link=down --host 400:link=up -- "$TOP/tests/sim/probe-pf" host-link
	if [[ "$output" == *"Admin has disabled VF 0"* ]]; then return 1; fi
	assert_report host_actions 2
	assert_report host_vf_resets 0
	assert_report vf_resets 0
	probe_ok --pf ice --host 100:pf-reset -- "$TOP/tests/sim/probe-pf" host-pf-reset
	assert_report host_vf_resets 1
	# ice_set_vf_mac: the MAC the VF has already is no change, no reset
	probe_ok --pf ice --mac 02:00:00:00:00:01 --host 100:mac=02:00:00:00:00:01 -- "$TOP/tests/sim/probe-pf" host-spoofchk
	[[ "$output" == *"the VF's MAC is 02:00:00:00:00:01 already: ice does nothing"* ]]
	assert_report vf_resets 0
}

@test "resets per PF: RESET_VF before GET_VF_RESOURCES resets on both; i40e rebuilds at the VFLR, ice later, clearing the mailbox" {
	probe_ok -- "$TOP/tests/sim/probe-pf" reset-rules
	probe_ok --pf ice -- "$TOP/tests/sim/probe-pf" reset-rules
}

@test "host: vf-remove signals the REQ eventfd every 10 s (or warns), refuses new opens, completes on release" {
	probe_ok --host 100:vf-remove -- "$TOP/tests/sim/probe-pf" host-vf-remove
	[[ "$output" == *"avfsim: dmesg: vfio-pci 0000:3b:02.0: Relaying device request to user (#0)"* ]]
	[[ "$output" == *"avfsim: host: vf-remove: the VF was released after 1 device request(s)"* ]]
	assert_report host_device_requests 1
	assert_report host_vf_removed 1
	probe_ok --host 100:vf-remove -- "$TOP/tests/sim/probe-pf" host-vf-remove-hold
	assert_report host_device_requests 2
	[ "$(grep -c 'Relaying device request' <<<"$output")" -eq 1 ] # every tenth is logged
	probe_ok --host 100:vf-remove -- "$TOP/tests/sim/probe-pf" host-vf-remove-noreq
	[[ "$output" == *"No device request channel registered, blocked until released by user"* ]]
	assert_report host_device_requests 0
	assert_report host_vf_removed 1
}

# --- report and trace -----------------------------------------------------

@test "report: every key the issue names is written at exit" {
	probe_ok -- "$TOP/tests/sim/probe-dev" adminq
	for k in iommu_faults mdd_events vf_resets queues_enabled dma_maps irqs_vector0 irqs_vector1 \
		rx_delivered rx_filtered rx_dropped_no_desc rx_dropped_queue_off tx_frames tx_spoofed virtchnl_errors \
		host_actions host_vf_resets host_device_requests host_vf_removed last_link_state; do
		report "$k" >/dev/null || return 1
	done
}

@test "trace: register writes and the virtchnl conversation, decoded" {
	run on_sim --trace -- "$TOP/tests/sim/probe-pf" state
	[ "$status" -eq 0 ]
	[[ "$output" == *"VFIO_IOMMU_MAP_DMA"* ]]
	[[ "$output" == *"VF_ATQLEN1"* ]]
	[[ "$output" == *"VIRTCHNL_OP_VERSION"* ]]
	[[ "$output" == *"VIRTCHNL_OP_GET_VF_RESOURCES"* ]]
	[[ "$output" == *"LINK_CHANGE"* ]]
}

# --- layers ---------------------------------------------------------------

# calls_up FILES... -- NAMES: no file names a function or variable of the
# layers NAMES (prefixes) outside a comment line; prints what it finds.
calls_up() {
	local files=() found
	while [ "$1" != -- ]; do files+=("$TOP/tests/sim/$1"); shift; done
	shift
	found=$(grep -nE "(^|[^.a-z_])($(IFS='|'; echo "$*"))_[a-z0-9_]+" "${files[@]}" | grep -vE ':[0-9]+:\s*(/?\*|//)' || true)
	[ -z "$found" ] || { echo "$found"; return 1; }
}

@test "layers: each calls only the layers below it (README, How the layers talk)" {
	# the device reaches the PF and its driver only through struct dev_pf_ops / dev_driver_ops
	calls_up device.c adminq.c queues.c rss.c tso.c rxflex.c devmodel.h -- pf host vfio sim_machine
	calls_up pf.c pf-queues.c pf-filters.c pf-vlan.c pf-i40e.c pf-ice.c pf.h -- host vfio sim_machine
	calls_up host.c -- vfio sim_machine
	calls_up wire.c -- dev pf host vfio sim_machine
	calls_up iommu.c -- dev pf host sim_machine
}
