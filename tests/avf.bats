#!/usr/bin/env bats
# The driver, all four variants, on the simulated VF.  tests/run runs this
# file twice: with the normal builds, and with AVF_DIR=build-asan (the same
# variants built with -fsanitize=address,undefined).

setup() {
	load lib
	IN="$BATS_TEST_TMPDIR/in.pcap"
	known_capture "$IN"
}

teardown() { kill_bg; }

# --- command line ---------------------------------------------------------

@test "usage errors: one line and the usage, exit 2, no VFIO call" {
	for args in "" "3b:02" "0000:3b:02.0.1" "0000:3b:02.8" "0000:3b:20.0" "zz:02.0" "0000:3b:02.0x" \
		"-c 0 $BDF" "-c -1 $BDF" "-c 1x $BDF" "-c" "-t not-a-uuid $BDF" "-q $BDF" "$BDF $BDF" \
		"-w /nonexistent/dir/x.pcap $BDF"; do
		rm -f "$REPORT"
		# shellcheck disable=SC2086
		avf avf -- $args
		[ "$status" -eq 2 ] || { echo "'$args': status $status"; cat "$ERR"; return 1; }
		[ "$(wc -l <"$ERR")" -eq 2 ] || { echo "'$args':"; cat "$ERR"; return 1; }
		grep -q '^usage: ' "$ERR"
		[ ! -e "$REPORT" ] || { echo "'$args' touched VFIO"; return 1; }
	done
}

@test "-h prints the usage and the build's mode, exit 0" {
	run "$AVF_DIR/avf-poll-echo" -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: "* ]]
	[[ "$output" == *"echo, busy polling"* ]]
}

# --- bring-up -------------------------------------------------------------

@test "bring-up: the banner matches the simulated VF's configuration, all four variants" {
	for v in avf avf-poll avf-echo avf-poll-echo; do
		avf "$v" --bdf 0000:5e:0a.1 --device-id 0x1889 --iommu-group 7 --queue-pairs 2 --vectors 3 \
			--rx "$IN" -- -c 1 5e:0a.1
		[ "$status" -eq 0 ] || { echo "$v: status $status"; cat "$ERR"; return 1; }
		grep -qE '^avf: 0000:5e:0a.1 is up, [0-9]+ ms after start$' "$ERR"
		grep -q '^  device     8086:1889 Ethernet Adaptive Virtual Function$' "$ERR"
		grep -q '^  iommu      group 7, VFIO type1v2' "$ERR"
		grep -q '^  virtchnl   1\.1$' "$ERR"
		grep -qE '^  caps       L2( .*)? ADV_LINK_SPEED' "$ERR"
		grep -qE '^  vsi        [0-9]+: 2 queue pairs \(using 1\), 3 MSI-X vectors' "$ERR"
		grep -q "^  mac        $VF_MAC\$" "$ERR"
		grep -qE '^  link       up, [1-9][0-9]* Mbit/s$' "$ERR"
	done
}

@test "bring-up: no MAC from the PF: a random locally administered one, said so" {
	# Only the broadcast frame of the known capture reaches a MAC nobody knew.
	status=0
	timeout -s KILL 60 "$SIM" --report "$REPORT" --rx "$IN" -- "$AVF_DIR/avf" -c 1 "$BDF" >"$OUT" 2>"$ERR" ||
		status=$?
	[ "$status" -eq 0 ]
	no_sanitizer_report
	grep -q ' > ff:ff:ff:ff:ff:ff, ethertype 0x0806' "$OUT"
	mac=$(sed -n 's/^  mac        \([0-9a-f:]*\) (random, locally administered)$/\1/p' "$ERR")
	[ -n "$mac" ]
	first=$((16#${mac%%:*}))
	[ $((first & 2)) -eq 2 ] && [ $((first & 1)) -eq 0 ]
	grep -q "assigned no MAC" "$ERR"
}

# --- dump -----------------------------------------------------------------

@test "dump: the known capture frame for frame, filtered frames absent (MSI-X and POLL)" {
	delivered_hex "$IN" >"$BATS_TEST_TMPDIR/want"
	for v in avf avf-poll; do
		avf "$v" --rx "$IN" -- -c 5 "$BDF"
		[ "$status" -eq 0 ] || { echo "$v: status $status"; cat "$ERR"; return 1; }
		"$PCAPTOOL" undump <"$OUT" >"$BATS_TEST_TMPDIR/got"
		diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		# Header lines: number, length, source > destination, ethertype, summary
		grep -q '^#1 len 60: 02:00:00:00:00:01 > 02:00:00:aa:bb:cc, ethertype 0x0800, IPv4 10.0.0.1 > 10.0.0.2 UDP$' "$OUT"
		grep -q '^#2 len 60: .* > ff:ff:ff:ff:ff:ff, ethertype 0x0806, ARP request 10.0.0.1 > 10.0.0.2$' "$OUT"
		grep -q '^#3 len 86: .*ethertype 0x86dd, IPv6 fe80::1 > fe80::2 ICMPv6$' "$OUT"
		assert_report rx_delivered 5
		[ "$(report rx_filtered)" -ge 2 ]
		assert_report rx_dropped_oversize 1
		grep -q '^  rx_frames: 5$' "$ERR"
	done
}

@test "dump: the hex lines are byte-identical to hexdump -C" {
	command -v hexdump >/dev/null || skip "hexdump (bsdextrautils) is not installed"
	avf avf --rx "$IN" -- -c 1 "$BDF"
	[ "$status" -eq 0 ]
	delivered_hex "$IN" | head -1 | { read -r h; for ((i = 0; i < ${#h}; i += 2)); do printf "\\x${h:i:2}"; done; } |
		hexdump -C >"$BATS_TEST_TMPDIR/want"
	sed -n '2,$p' "$OUT" | diff "$BATS_TEST_TMPDIR/want" -
}

@test "-w: the capture holds the delivered frames byte for byte" {
	for v in avf avf-poll avf-echo avf-poll-echo; do
		avf "$v" --rx "$IN" -- -c 5 -w "$BATS_TEST_TMPDIR/w.pcap" "$BDF"
		[ "$status" -eq 0 ] || { echo "$v: status $status"; cat "$ERR"; return 1; }
		diff <(delivered_hex "$IN") <("$PCAPTOOL" hex "$BATS_TEST_TMPDIR/w.pcap")
	done
}

# --- echo -----------------------------------------------------------------

@test "echo: every frame back, MACs rewritten, nothing else changed (MSI-X and POLL)" {
	for v in avf-echo avf-poll-echo; do
		rm -f "$BATS_TEST_TMPDIR/tx.pcap"
		avf "$v" --rx "$IN" --tx "$BATS_TEST_TMPDIR/tx.pcap" -- -c 5 "$BDF"
		[ "$status" -eq 0 ] || { echo "$v: status $status"; cat "$ERR"; return 1; }
		diff <(delivered_hex "$IN" | echoed_hex) <("$PCAPTOOL" hex "$BATS_TEST_TMPDIR/tx.pcap")
		assert_report tx_frames 5
		assert_report tx_spoofed 0
		grep -q '^  tx_frames: 5$' "$ERR"
		grep -q '^  tx_unicast: 5$' "$ERR" # the PF's count: the broadcast ARP is answered unicast too
	done
}

# A PF that will not stop stripping (the status fault refuses
# DISABLE_VLAN_STRIPPING): each tag arrives in the RX descriptor's L2TAG1 and
# must leave again through the TX descriptor's IL2TAG1, which the simulated
# device inserts after the MACs: the capture equals the input echoed, one
# insertion per tagged frame.  ice prunes VLANs 100 and 200, which the VF did
# not add (ice_vf_rebuild_host_vlan_cfg): there only the untagged frames and
# the priority tags (VID 0) come and go.
@test "echo: tags the PF stripped leave again with the frame (TX descriptor IL2TAG1)" {
	local vlan="$BATS_TEST_TMPDIR/vlan.pcap" tx="$BATS_TEST_TMPDIR/tx.pcap" want="$BATS_TEST_TMPDIR/want"
	"$PCAPTOOL" vlan "$VF_MAC" "$vlan"
	"$PCAPTOOL" hex "$vlan" >"$want"
	if [ "${AVF_DEVICE_ID:-}" = 0x1889 ]; then
		"$PCAPTOOL" hex "$vlan" | grep -vE '^.{24}8100(0064|00c8)' >"$want"
	fi
	for v in avf-echo avf-poll-echo; do
		rm -f "$tx"
		avf "$v" --fault status=disable_vlan_stripping --rx "$vlan" --tx "$tx" -- -c "$(wc -l <"$want")" "$BDF"
		[ "$status" -eq 0 ] || { echo "$v: status $status"; cat "$ERR"; return 1; }
		grep -q "the PF strips VLAN tags" "$ERR"
		diff <(echoed_hex <"$want") <("$PCAPTOOL" hex "$tx")
		assert_report tx_frames "$(wc -l <"$want")"
		assert_report tx_vlan_inserted "$(grep -cE '^.{24}8100' "$want")"
	done
}

@test "echo: a stream of generated frames, each one answered or counted as dropped" {
	for v in avf-echo avf-poll-echo; do
		avf "$v" --gen 200000 -- -c 200000 "$BDF"
		[ "$status" -eq 0 ] || { echo "$v: status $status"; cat "$ERR"; return 1; }
		assert_report rx_delivered 200000
		sent=$(sed -n 's/^  tx_frames: //p' "$ERR")
		dropped=$(sed -n 's/^  tx_dropped_ring_full: //p' "$ERR")
		[ $((sent + dropped)) -eq 200000 ] || { echo "$v: sent $sent + dropped $dropped"; return 1; }
		assert_report tx_frames "$sent"
		[ "$sent" -gt 150000 ]
		assert_report tx_spoofed 0
		assert_report mdd_events 0
	done
}

@test "echo: the rate line once a second, ixy style" {
	avf_bg avf-poll-echo --gen 1000000000 --rx-rate 100000 -- "$BDF"
	wait_for "$ERR" "^\[$BDF\] RX: [0-9]* Mbit/s [0-9.]* Mpps | TX: [0-9]* Mbit/s [0-9.]* Mpps$" 5
	stop_bg INT
	[ "$status" -eq 0 ]
}

# --- interrupts and polling -----------------------------------------------

@test "MSI-X build sleeps: interrupts delivered, CPU time far below wall time while idle" {
	avf_bg avf --rx "$IN" -- "$BDF"
	wait_for "$ERR" "is up"
	wait_for "$OUT" "^#5 "
	sleep 2
	stop_bg INT
	[ "$status" -eq 0 ]
	[ "$(report irqs_vector1)" -ge 1 ]
	[ "$(report irqs_vector0)" -ge 1 ]
	# "avf: cpu 1.234 ms over 2.345 s wall for ...": under 5% of one core
	line=$(grep "^avf: cpu " "$ERR")
	[[ "$line" =~ ^avf:\ cpu\ ([0-9]+)\.([0-9]{3})\ ms\ over\ ([0-9]+)\.([0-9]{3})\ s\ wall\ for\ 5\ frames ]]
	cpu_us=$((10#${BASH_REMATCH[1]} * 1000 + 10#${BASH_REMATCH[2]}))
	wall_us=$(((10#${BASH_REMATCH[3]} * 1000 + 10#${BASH_REMATCH[4]}) * 1000))
	[ $((cpu_us * 20)) -lt "$wall_us" ] || { echo "$line"; return 1; }
}

@test "POLL build at -O2 receives (descriptor reads are not hoisted out of the loop)" {
	cc -std=c11 -O2 -DPOLL -o "$BATS_TEST_TMPDIR/avf-poll-O2" "$TOP/avf.c"
	status=0
	on_sim --rx "$IN" -- "$BATS_TEST_TMPDIR/avf-poll-O2" -c 5 "$BDF" >"$OUT" 2>"$ERR" || status=$?
	[ "$status" -eq 0 ]
	[ "$(grep -c '^#' "$OUT")" -eq 5 ]
	assert_report irqs_vector1 0
}

@test "POLL echo reports its polls: how many found frames, at most a burst each" {
	local polls each
	avf avf-poll-echo --gen 100000 -- -c 100000 "$BDF"
	[ "$status" -eq 0 ]
	[[ "$(grep '^avf: [0-9]* polls' "$ERR")" =~ ^avf:\ ([0-9]+)\ polls,\ [0-9.]+%\ found\ frames,\ ([0-9]+)\.[0-9]\ frames\ each$ ]]
	polls=${BASH_REMATCH[1]} each=${BASH_REMATCH[2]}
	# 100000 frames in bursts of at most 32 (AVF_BURST) take at least 3125 polls
	[ "$polls" -ge 3125 ] && [ "$each" -ge 1 ] && [ "$each" -le 32 ]
	# the MSI-X build does not poll, and says nothing of polls
	avf avf-echo --gen 1000 -- -c 1000 "$BDF"
	[ "$status" -eq 0 ] && ! grep -q ' polls, ' "$ERR"
}

# --- stopping -------------------------------------------------------------

@test "-c stops cleanly with status 0 and a clean teardown" {
	for v in avf avf-poll avf-echo avf-poll-echo; do
		avf "$v" --rx "$IN" -- -c 2 "$BDF"
		[ "$status" -eq 0 ] || { echo "$v: status $status"; cat "$ERR"; return 1; }
		[ "$(report rx_delivered)" -ge 2 ]
		assert_clean_teardown
	done
}

@test "SIGINT mid-traffic: queues disabled, VF reset, no DMA mapping left, no IOMMU fault" {
	for v in avf avf-poll avf-echo avf-poll-echo; do
		avf_bg "$v" --gen 1000000000 --rx-rate 20000 -- "$BDF"
		wait_for "$ERR" "is up"
		sleep 0.5
		stop_bg INT
		[ "$status" -eq 0 ] || { echo "$v: status $status"; cat "$ERR"; return 1; }
		[ "$(report rx_delivered)" -gt 0 ]
		assert_clean_teardown
	done
}

@test "SIGTERM during bring-up releases what was set up" {
	for v in avf avf-echo; do
		avf_bg "$v" --link-delay 3000 -- "$BDF"
		sleep 1
		stop_bg TERM
		[ "$status" -eq 0 ] || { echo "$v: status $status"; cat "$ERR"; return 1; }
		grep -q "during bring-up" "$ERR"
		assert_clean_teardown
	done
}

# --- what the PF set up before avf came ----------------------------------
# Real PFs act unasked: RSS spreads flows over every granted queue pair,
# i40e strips VLAN tags, the device writes descriptors back a cache line at a
# time.  The simulated VF does the same; avf must undo or use each of them.

@test "RSS: hundreds of flows arrive whole, all four variants, on 154c and 1889" {
	flows="$BATS_TEST_TMPDIR/flows.pcap"
	"$PCAPTOOL" flows "$VF_MAC" 400 "$flows"
	"$PCAPTOOL" hex "$flows" >"$BATS_TEST_TMPDIR/want"
	for id in 0x154c 0x1889; do
		for v in avf avf-poll avf-echo avf-poll-echo; do
			avf "$v" --device-id "$id" --no-spoofchk --rx "$flows" -- -c 400 -w "$BATS_TEST_TMPDIR/got.pcap" "$BDF"
			[ "$status" -eq 0 ] || { echo "$v on $id: status $status"; cat "$ERR"; return 1; }
			"$PCAPTOOL" hex "$BATS_TEST_TMPDIR/got.pcap" | diff "$BATS_TEST_TMPDIR/want" - ||
				{ echo "$v on $id"; return 1; }
			grep -q '^  rss        every LUT entry -> queue 0' "$ERR"
			assert_report rx_delivered 400
		done
	done
}

@test "RSS: generated flows over 16 granted queue pairs all reach avf (--lut iavf and zero)" {
	for lut in iavf zero; do
		for v in avf-echo avf-poll-echo; do
			avf "$v" --queue-pairs 16 --lut "$lut" --gen 3000:64:500 -- -c 3000 "$BDF"
			[ "$status" -eq 0 ] || { echo "$v --lut $lut: status $status"; cat "$ERR"; return 1; }
			grep -q '^  rx_frames: 3000$' "$ERR"
			assert_report rx_delivered 3000
			assert_clean_teardown
		done
	done
}

@test "VLAN: tagged frames reach the dump, the capture and the echo with their tags, all four variants" {
	local trust=() want
	tagged="$BATS_TEST_TMPDIR/vlan.pcap"
	"$PCAPTOOL" vlan "$VF_MAC" "$tagged"
	"$PCAPTOOL" hex "$tagged" >"$BATS_TEST_TMPDIR/all"
	# ice prunes the VLANs a VF did not add (ice_vf_rebuild_host_vlan_cfg): only
	# the untagged and VLAN 0 frames arrive, unless the VF is trusted and
	# promiscuous (the dump variants ask for promiscuous mode, echo does not)
	grep -vE '^.{24}8100(0064|00c8)' "$BATS_TEST_TMPDIR/all" >"$BATS_TEST_TMPDIR/pruned"
	[ "${AVF_DEVICE_ID:-}" = 0x1889 ] && trust=(--trust)
	for v in avf avf-poll avf-echo avf-poll-echo; do
		want="$BATS_TEST_TMPDIR/all"
		[[ -n "${trust[*]}" && $v == *echo ]] && want="$BATS_TEST_TMPDIR/pruned"
		avf "$v" "${trust[@]}" --no-spoofchk --rx "$tagged" --tx "$BATS_TEST_TMPDIR/tx.pcap" -- -c "$(wc -l <"$want")" \
			-w "$BATS_TEST_TMPDIR/got.pcap" "$BDF"
		[ "$status" -eq 0 ] || { echo "$v: status $status"; cat "$ERR"; return 1; }
		"$PCAPTOOL" hex "$BATS_TEST_TMPDIR/got.pcap" | diff "$want" - || { echo "$v: -w"; return 1; }
		assert_report rx_filtered "$(($(wc -l <"$BATS_TEST_TMPDIR/all") - $(wc -l <"$want")))"
		grep -q '^  vlan       tags kept on received frames (DISABLE_VLAN_STRIPPING)' "$ERR"
		case $v in
		*echo) "$PCAPTOOL" hex "$BATS_TEST_TMPDIR/tx.pcap" | diff <(echoed_hex <"$want") - ||
			{ echo "$v: the echoes"; return 1; } ;;
		*) "$PCAPTOOL" undump <"$OUT" | diff "$want" - || { echo "$v: the dump"; return 1; } ;;
		esac
	done
}

@test "write-back: a lone frame and sparse traffic arrive in every variant, on 154c, 37cd and 1889" {
	one="$BATS_TEST_TMPDIR/one.pcap"
	"$PCAPTOOL" flows "$VF_MAC" 1 "$one"
	for id in 0x154c 0x37cd 0x1889; do
		for v in avf avf-poll avf-echo avf-poll-echo; do
			SIM_TIMEOUT=20 avf "$v" --device-id "$id" --rx "$one" -- -c 1 "$BDF"
			[ "$status" -eq 0 ] || { echo "$v on $id, one frame: status $status"; cat "$ERR"; return 1; }
			# 25 frames, one every 10 ms: every one of them alone in its cache line for a while.
			SIM_TIMEOUT=20 avf "$v" --device-id "$id" --gen 25 --rx-rate 100 -- -c 25 "$BDF"
			[ "$status" -eq 0 ] || { echo "$v on $id, sparse: status $status"; cat "$ERR"; return 1; }
			grep -q '^  rx_frames: 25$' "$ERR"
			grep -q '^  write-back ' "$ERR"
		done
	done
}

@test "teardown leaves VFINT_ICR0_ENA1 as iavf does: the PF's reset does not wait for it" {
	for v in avf avf-poll; do
		avf "$v" --rx "$IN" -- -c 5 "$BDF"
		[ "$status" -eq 0 ]
		! grep -q 'never finished' "$ERR" || { echo "$v"; cat "$ERR"; return 1; }
	done
}

# --- the learner's trace --------------------------------------------------

@test "the README's trace command, as printed: ends by itself, shows aq_init's writes in order, every message, write-backs" {
	[[ "$AVF_DIR" != *build-asan* ]] || skip "the README's command runs the normal build"
	cmd=$(grep -- '--trace -- ./avf-echo -vv' "$TOP/README.md" | head -1)
	[ -n "$cmd" ]
	status=0
	(cd "$TOP" && timeout -s KILL 30 bash -c "$cmd") >"$OUT" 2>"$ERR" || status=$?
	[ "$status" -eq 0 ] || { echo "status $status"; tail -20 "$ERR"; return 1; }
	# aq_init's register writes, in program order, as avf logs them
	want="VF_ATQH1 VF_ATQT1 VF_ATQLEN1 VF_ATQBAL1 VF_ATQBAH1 VF_ARQH1 VF_ARQT1 VF_ARQLEN1 VF_ARQBAL1 VF_ARQBAH1 VF_ARQT1"
	got=$(sed -n '/^avf: step aq_init$/,/^avf: step vc_version$/p' "$ERR" | sed -n 's/^avf: mmio wr \([A-Z0-9_]*\) .*/\1/p' |
		head -11 | tr '\n' ' ')
	[ "$got" = "$want " ] || { echo "aq_init wrote: $got"; return 1; }
	# every message avf sends, from both sides: avf's -> and the PF's <- and ->
	for op in VERSION GET_VF_RESOURCES CONFIG_VSI_QUEUES CONFIG_IRQ_MAP CONFIG_RSS_LUT DISABLE_VLAN_STRIPPING \
		ADD_ETH_ADDR GET_STATS ENABLE_QUEUES DISABLE_QUEUES; do
		grep -q "^avf: -> $op, " "$ERR" || { echo "avf's $op missing"; return 1; }
		grep -q "^avfsim: pf: <- VIRTCHNL_OP_$op" "$ERR" || { echo "the PF's view of $op missing"; return 1; }
		grep -q "^avfsim: pf: -> VIRTCHNL_OP_$op" "$ERR" || { echo "the PF's reply to $op missing"; return 1; }
	done
	grep -q '^avf: -> RESET_VF, 0 bytes$' "$ERR"
	grep -q '^avfsim: RX queue 0: descriptor [0-9]* written back, DD EOF, length [0-9]*$' "$ERR"
	grep -q '^avfsim: TX queue 0: descriptor [0-9]* written back, DTYPE DESC_DONE' "$ERR"
	grep -q '^avf: teardown, in the reverse order of bring-up$' "$ERR"
}
