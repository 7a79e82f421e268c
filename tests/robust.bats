#!/usr/bin/env bats
# avf under bad input, a hostile PF and a faulty device (issue 4), on the
# simulated VF: one test per case, each checking the message (what failed,
# the value seen, the fix), the exit status and the simulator's report.
# tests/run runs this file twice, like avf.bats: with the normal builds and
# with AVF_DIR=build-asan.  Some tests run in one pass only: the 20 s
# reset-stuck wait and valgrind in the normal pass, the randomized run (which
# always uses the sanitizer builds) in the sanitizer pass.
#
# The randomized run prints each failing seed.  Replay one with
#   tests/sim/avfsim --mac 02:00:00:aa:bb:cc --gen 8 --fault fuzz=SEED:10 -- \
#       build-asan/VARIANT -c 3 0000:3b:02.0
# (VARIANT is printed with the seed; add --trace to see every message.)

setup() {
	load lib
	IN="$BATS_TEST_TMPDIR/in.pcap"
	known_capture "$IN"
}

teardown() {
	kill_bg
	[ -z "${SMALL_FS:-}" ] || umount "$SMALL_FS" 2>/dev/null || true
}

# err_has REGEX...: each extended regex matches a line of the driver's stderr.
err_has() {
	local re
	for re in "$@"; do
		grep -qE -- "$re" "$ERR" || { echo "stderr lacks /$re/:" >&2; cat "$ERR" >&2; return 1; }
	done
}

# expect STATUS: the run's exit status.
expect() { [ "$status" -eq "$1" ] || { echo "exit status $status, expected $1:" >&2; cat "$ERR" >&2; return 1; }; }

# Nothing left behind: no DMA mapping, the device never touched memory it
# did not own, the queues off.  (A run that never opened the device writes
# no report, which is cleaner still.)
assert_released() {
	[ -f "$REPORT" ] || return 0
	assert_report dma_maps 0
	assert_report iommu_faults 0
	assert_report queues_enabled 0
	assert_report mdd_events 0
}

# --- usage errors: one line naming the problem, the usage, exit 2, no VFIO call

# usage_case MESSAGE_REGEX ARGS...: one bad command line.
usage_case() {
	local re=$1
	shift
	rm -f "$REPORT"
	avf avf -- "$@"
	expect 2
	[ "$(wc -l <"$ERR")" -eq 2 ] || { echo "'$*': not two lines:"; cat "$ERR"; return 1; }
	err_has "^avf: $re" '^usage: .*avf \[-c COUNT\] \[-w FILE.pcap\] \[-v\] \[-t VF_TOKEN\] \[-h\] <bdf>$'
	[ ! -e "$REPORT" ] || { echo "'$*' opened the device"; return 1; }
}

@test "usage: no PCI address" {
	usage_case "the VF's PCI address is missing, e.g. 0000:3b:02.0"
	usage_case "the VF's PCI address is missing" -v
}

@test "usage: an empty PCI address" {
	usage_case "'' is not a PCI address: use dddd:bb:dd.f or bb:dd.f" ""
}

@test "usage: a short PCI address" {
	usage_case "'3b:02' is not a PCI address: use dddd:bb:dd.f or bb:dd.f" 3b:02
	usage_case "'0000:3b:2.0' is not a PCI address" 0000:3b:2.0
	usage_case "'b:02.0' is not a PCI address" b:02.0
}

@test "usage: a long PCI address" {
	usage_case "'0000:3b:02.0.1' is not a PCI address" 0000:3b:02.0.1
	usage_case "'00000:3b:02.0' is not a PCI address" 00000:3b:02.0
	usage_case "'0000:03b:02.0' is not a PCI address" 0000:03b:02.0
}

@test "usage: a PCI address with non-hex digits" {
	usage_case "'zz:02.0' is not a PCI address" zz:02.0
	usage_case "'0000:3b:0g.0' is not a PCI address" 0000:3b:0g.0
	usage_case "'-3b:02.0'|unknown option -3" -3b:02.0
}

@test "usage: a PCI address out of range (device > 1f, function > 7)" {
	usage_case "'0000:3b:20.0' is not a PCI address: .*device up to 1f, function up to 7" 0000:3b:20.0
	usage_case "'3b:02.8' is not a PCI address: .*function up to 7" 3b:02.8
}

@test "usage: a PCI address with trailing garbage" {
	usage_case "'0000:3b:02.0x' is not a PCI address" 0000:3b:02.0x
	usage_case "'3b:02.0 ' is not a PCI address" "3b:02.0 "
	usage_case "one PCI address only, not also '3b:02.1'" 3b:02.0 3b:02.1
}

@test "usage: an unknown option" {
	usage_case "unknown option -q; -h lists the options" -q "$BDF"
	usage_case "unknown option --; -h lists the options|unknown option -" --count=1 "$BDF"
}

@test "usage: an option without its value" {
	usage_case "option -c needs a value" "$BDF" -c
	usage_case "option -w needs a value" "$BDF" -w
	usage_case "option -t needs a value" "$BDF" -t
}

@test "usage: -c 0, -c -1, -c 1x and other bad counts" {
	for c in 0 -1 1x "" " 1" +1 0x10 99999999999999999999999; do
		usage_case "-c needs a positive integer, not '$c'" -c "$c" "$BDF" || { echo "-c '$c'"; return 1; }
	done
}

@test "usage: an unwritable -w path" {
	usage_case "cannot write '/nonexistent/dir/x.pcap' \(No such file or directory\): give -w a writable path" \
		-w /nonexistent/dir/x.pcap "$BDF"
	usage_case "cannot write '$BATS_TEST_TMPDIR' \(Is a directory\)" -w "$BATS_TEST_TMPDIR" "$BDF"
	usage_case "cannot write '' " -w "" "$BDF"
}

@test "usage: a malformed VF token" {
	for t in not-a-uuid 2ab74924-c335-45f4-9b16-8569e5b0825 2ab74924-c335-45f4-9b16-8569e5b082588 \
		2ab74924c33545f49b168569e5b08258 2ab74924-c335-45f4-9b16-8569e5b0825g ""; do
		usage_case "-t needs the VF token, a UUID \(8-4-4-4-12 hex digits\), not '$t'" -t "$t" "$BDF" ||
			{ echo "-t '$t'"; return 1; }
	done
}

# --- host setup: one message each, with the fix, exit 1


@test "host: the device is absent" {
	avf avf --bdf 0000:3b:02.1 -- 3b:02.0
	expect 1
	err_has '^avf: no PCI device 0000:3b:02.0 \(No such file or directory\): check the address with lspci -D; for a network interface, ethtool -i IF shows it as bus-info$'
	assert_released
}

@test "host: no iommu_group (IOMMU off)" {
	avf avf --fault no-iommu-group -- "$BDF"
	expect 1
	err_has "^avf: $BDF has no iommu_group: the IOMMU is off.*intel_iommu=on iommu=pt.*no-IOMMU mode"
	assert_released
}

@test "host: not bound to vfio-pci: the three commands" {
	avf avf --fault not-vfio-pci -- "$BDF"
	expect 1
	err_has "^avf: $BDF is not bound to vfio-pci \(its driver: iavf\); as root:" '^  modprobe vfio-pci$' \
		"^  echo $BDF > /sys/bus/pci/devices/$BDF/driver/unbind$" \
		"^  echo vfio-pci > /sys/bus/pci/devices/$BDF/driver_override$" \
		"^  echo $BDF > /sys/bus/pci/drivers_probe$"
	assert_released
}

@test "host: group not viable: its devices listed, the culprit and its driver marked" {
	avf avf --fault group-not-viable -- "$BDF"
	expect 1
	err_has '^avf: IOMMU group 42 is not viable: each of its devices must be bound to vfio-pci or to no driver' \
		"^  $BDF  vfio-pci$" '^  0000:3b:00.0  i40e   <- unbind it, or bind it to vfio-pci$'
	assert_released
}

@test "host: group busy" {
	avf avf --fault group-busy -- "$BDF"
	expect 1
	err_has '^avf: IOMMU group 42 is busy: another program holds /dev/vfio/42 \(DPDK, QEMU, another avf\?\)$'
	assert_released
}

@test "host: permission denied" {
	avf avf --fault permission-denied -- "$BDF"
	expect 1
	err_has '^avf: no permission to open /dev/vfio/42: run as root, or chown \$USER /dev/vfio/42$'
	assert_released
}

@test "host: memlock too small: the limit, the bytes wanted, prlimit" {
	avf avf --fault memlock=64K -- "$BDF"
	expect 1
	err_has '^avf: VFIO_IOMMU_MAP_DMA of 4194304 bytes failed: the locked-memory limit is 65536 bytes, and VFIO counts the pages it pins against it; raise it for your shell \(sudo prlimit --pid \$\$ --memlock=unlimited\) or run avf as root$'
	assert_released
}

@test "host: memlock of exactly the DMA region is enough: VFIO's pins are charged once, avf does not mlock too" {
	# The kernel charges mlock() and VFIO's pinning to the same locked_vm;
	# the simulator does too, so a driver that did both would need 8 MiB.
	avf avf --gen 3 --fault memlock=4M -- -c 3 "$BDF"
	expect 0
	[ "$(grep -c '^#' "$OUT")" -eq 3 ]
	assert_clean_teardown
}

@test "host: out of file descriptors (ulimit -n 5): the limit named, not modprobe" {
	local status=0
	# bats' own descriptors closed first: the limit counts the highest fd.
	(for fd in $(ls /proc/self/fd); do [ "$fd" -le 2 ] || eval "exec $fd>&-"; done
	 ulimit -n 5 && exec "$SIM" --mac "$VF_MAC" --report "$REPORT" -- "$AVF_DIR/avf" "$BDF") >"$OUT" 2>"$ERR" ||
		status=$?
	expect 1
	err_has '^avf: cannot open /dev/vfio/vfio \(Too many open files\): close files or raise the open-file limit \(ulimit -n\)$'
	if grep modprobe "$ERR"; then return 1; fi
}

@test "host: a PF's address, bound to i40e, to ice or to vfio-pci: where its VFs are, no unbind recipe, no VFIO call" {
	pf=0000:3b:00.0
	for args in "--device-id 0x1572:i40e" "--device-id 0x1592:ice" \
		"--device-id 0x1572 --fault vf-token=2ab74924-c335-45f4-9b16-8569e5b08258:vfio-pci"; do
		rm -f "$REPORT"
		# shellcheck disable=SC2086 # the simulator's options, split
		avf avf --bdf "$pf" ${args%:*} --trace -- "$pf"
		expect 1
		err_has "^avf: $pf is a PF \(8086:15[79]2, ${args##*:}\), not a VF: avf drives one of its VFs, here: 0000:3b:02\.0 0000:3b:02\.1$"
		! grep -qE 'unbind|driver_override|^avfsim: vfio:' "$ERR" || { cat "$ERR"; return 1; }
		[ ! -e "$REPORT" ] || { echo "$args: avf opened VFIO"; return 1; }
	done
}

@test "host: not an AVF device id and not a PF (8086:1234)" {
	avf avf --device-id 0x1234 -- "$BDF"
	expect 1
	err_has "^avf: $BDF is 8086:1234 \(vfio-pci\), not an Intel AVF VF \(8086:1889, 154c, 1571 or 37cd\): give avf the address of a VF$"
	assert_released
}

@test "host: VF token required, wrong, right" {
	local token=2ab74924-c335-45f4-9b16-8569e5b08258
	avf avf --fault vf-token=$token -- "$BDF"
	expect 1
	err_has "^avf: $BDF: the PF is bound to vfio-pci: pass its VF token with -t$"
	assert_released
	avf avf --fault vf-token=$token -- -t 00000000-0000-0000-0000-000000000000 "$BDF"
	expect 1
	err_has "^avf: $BDF: VF token rejected: pass the token the PF's vfio-pci was given$"
	assert_released
	avf avf --fault vf-token=$token --rx "$IN" -- -t "${token^^}" -c 1 "$BDF"
	expect 0
	# A token for a VF whose PF is not bound to vfio-pci: EINVAL from the kernel.
	avf avf --rx "$IN" -- -t $token -c 1 "$BDF"
	expect 1
	err_has "^avf: $BDF: -t gave a VF token, but this VF takes none \(its PF is not bound to vfio-pci\): run without -t$"
	assert_released
}

# --- the PF misbehaves ------------------------------------------------------

# in_parallel NAME SIM_FAULT...: one run per fault, all at once (a silent PF
# costs a 2 s wait each); NAME's stdout/stderr/report/status land in
# $BATS_TEST_TMPDIR/NAME.{out,err,report,status}.  Then `use NAME` points
# $OUT, $ERR, $REPORT and $status at one of them.
in_parallel() {
	local bin=$1 name fault
	shift
	for fault in "$@"; do
		name=${fault//[^a-z0-9_]/_}
		(
			REPORT="$BATS_TEST_TMPDIR/$name.report" OUT="$BATS_TEST_TMPDIR/$name.out" ERR="$BATS_TEST_TMPDIR/$name.err"
			avf "$bin" --gen 3 --fault "$fault" -- -c 3 "$BDF" || true
			echo "$status" >"$BATS_TEST_TMPDIR/$name.status"
		) 3>&- &
	done
	wait
}
use() {
	local name=${1//[^a-z0-9_]/_}
	REPORT="$BATS_TEST_TMPDIR/$name.report" OUT="$BATS_TEST_TMPDIR/$name.out" ERR="$BATS_TEST_TMPDIR/$name.err"
	status=$(cat "$BATS_TEST_TMPDIR/$name.status")
	no_sanitizer_report
}

@test "PF silent on each message: a bounded wait, the opcode named; optional ones degrade" {
	in_parallel avf pf-silent=version pf-silent=get_vf_resources pf-silent=config_vsi_queues \
		pf-silent=config_irq_map pf-silent=enable_queues pf-silent=add_eth_addr \
		pf-silent=config_promiscuous_mode pf-silent=get_stats pf-silent=disable_queues pf-silent=reset_vf pf-silent
	for op in VERSION GET_VF_RESOURCES CONFIG_VSI_QUEUES CONFIG_IRQ_MAP ENABLE_QUEUES; do
		use "pf-silent=${op,,}"
		expect 1
		err_has "^avf: no reply to $op from the PF in 2000 ms \(ATQLEN 0x[0-9a-f]+, ARQLEN 0x[0-9a-f]+\); check the host's dmesg for i40e/ice$"
		if grep -q "is up" "$ERR"; then echo "$op: came up"; return 1; fi
		assert_released
		[ "$(report vf_resets)" -ge 1 ]
	done
	# Optional: the host set the MAC (its filter exists), promiscuous mode, the counters.
	for op in ADD_ETH_ADDR CONFIG_PROMISCUOUS_MODE GET_STATS; do
		use "pf-silent=${op,,}"
		expect 0
		err_has "^avf: no reply to $op from the PF in 2000 ms" '; continuing$' "^avf: $BDF is up, " '^  rx_frames: 3$'
		assert_released
	done
	use pf-silent=get_stats
	if grep -q "PF counters" "$ERR"; then cat "$ERR"; return 1; fi
	# At teardown: the VF is reset all the same; without RESET_VF, by VFIO (FLR).
	use pf-silent=disable_queues
	expect 0
	err_has '^avf: no reply to DISABLE_QUEUES from the PF in 2000 ms'
	assert_released
	use pf-silent=reset_vf
	expect 0
	err_has '^avf: the PF did not act on RESET_VF in 2500 ms: resetting the VF through VFIO instead$'
	assert_released
	use pf-silent
	expect 1
	err_has '^avf: no reply to VERSION from the PF in 2000 ms' '^avf: the PF did not act on RESET_VF'
	assert_released
}

@test "PF silent on ADD_ETH_ADDR for a MAC avf chose: a clean stop" {
	status=0
	on_sim_nomac() { timeout -s KILL 60 "$SIM" --report "$REPORT" "$@"; }
	on_sim_nomac --fault pf-silent=add_eth_addr -- "$AVF_DIR/avf" -c 1 "$BDF" >"$OUT" 2>"$ERR" || status=$?
	no_sanitizer_report
	expect 1
	err_has '^avf: the PF assigned no MAC: using .* \(random, locally administered\)' \
		'^avf: no reply to ADD_ETH_ADDR from the PF in 2000 ms'
	assert_released
}

@test "PF version 2.0 and 1.0: both versions shown" {
	for v in 2.0 1.0; do
		avf avf --fault version=$v -- "$BDF"
		expect 1
		err_has "^avf: the PF speaks virtchnl $v, avf speaks 1.1: update the host's i40e/ice driver$"
		assert_released
	done
}

@test "PF error status on each message: decoded by name; required stop, optional degrade" {
	local case op st name
	for case in version:-5:ERR_PARAM get_vf_resources:-53:ERR_ADMIN_QUEUE_ERROR \
		config_vsi_queues:-64:ERR_NOT_SUPPORTED config_irq_map:-22:"Invalid argument" \
		enable_queues:-18:ERR_NO_MEMORY; do
		IFS=: read -r op st name <<<"$case"
		avf avf --gen 3 --fault status=$op:$st -- -c 3 "$BDF"
		expect 1
		err_has "^avf: the PF refused ${op^^}: status $name \($st\); check the host's dmesg for i40e/ice$"
		assert_released
	done
	for case in add_eth_addr:-1:"Operation not permitted" config_promiscuous_mode:-5:ERR_PARAM \
		get_stats:-38:ERR_OPCODE_MISMATCH disable_queues:-40:ERR_INVALID_VF_ID; do
		IFS=: read -r op st name <<<"$case"
		avf avf --gen 3 --fault status=$op:$st -- -c 3 "$BDF"
		expect 0
		err_has "^avf: the PF refused ${op^^}: status $name \($st\)" '^  rx_frames: 3$'
		assert_released
	done
	avf avf --gen 3 --fault status=config_promiscuous_mode -- -c 3 "$BDF"
	err_has '^avf: no promiscuous mode: only frames for this MAC, broadcast and multicast arrive; continuing$'
	# A MAC avf chose itself needs its filter: the refusal stops it, with the fix.
	status=0
	timeout -s KILL 60 "$SIM" --report "$REPORT" --fault status=add_eth_addr:-1 -- "$AVF_DIR/avf" "$BDF" \
		>"$OUT" 2>"$ERR" || status=$?
	no_sanitizer_report
	expect 1
	err_has '^avf: the host does not let this VF use [0-9a-f:]{17}: set its MAC \(ip link set <pf> vf <n> mac <mac>\) or trust it'
	assert_released
}

@test "PF replies with the wrong opcode: skipped, then no reply to the right one" {
	in_parallel avf wrong-opcode=version wrong-opcode=get_vf_resources
	use wrong-opcode=version
	expect 1
	err_has '^avf: unexpected reply to RESET_VF \(status SUCCESS \(0\), 8 bytes\): skipped$' \
		'^avf: no reply to VERSION from the PF in 2000 ms'
	assert_released
	use wrong-opcode=get_vf_resources
	expect 1
	err_has '^avf: unexpected reply to CONFIG_TX_QUEUE|^avf: unexpected reply to opcode 4 ' \
		'^avf: no reply to GET_VF_RESOURCES from the PF in 2000 ms'
	assert_released
}

@test "PF replies too long and too short: the lengths shown" {
	avf avf --fault reply-long=version -- "$BDF"
	expect 1
	err_has "^avf: the PF's reply to VERSION has 12 bytes, expected 8: does the host's i40e/ice speak virtchnl 1.1\?$"
	assert_released
	avf avf --fault reply-short=version -- "$BDF"
	expect 1
	err_has "^avf: the PF's reply to VERSION has 4 bytes, expected 8"
	avf avf --fault reply-long=config_irq_map -- "$BDF"
	expect 1
	err_has "^avf: the PF's reply to CONFIG_IRQ_MAP has 4 bytes, expected 0"
	assert_released
	avf avf --gen 3 --fault reply-short=get_stats -- -c 3 "$BDF"
	expect 0
	err_has "^avf: the PF's reply to GET_STATS has 92 bytes, expected 96" "^avf: the PF's counters will not be shown; continuing$"
	assert_released
}

@test "PF sends an unsolicited reply: skipped, or taken and checked" {
	avf avf --gen 3 --fault unsolicited=enable_queues -- -c 3 "$BDF"
	expect 0
	err_has '^avf: unexpected reply to ENABLE_QUEUES \(status SUCCESS \(0\), 0 bytes\): skipped$' '^  rx_frames: 3$'
	assert_released
	# One with the opcode awaited cannot be told from the reply: its length gives it away.
	avf avf --fault unsolicited=get_vf_resources -- "$BDF"
	expect 1
	err_has "^avf: the PF's reply to GET_VF_RESOURCES has 0 bytes, expected at least 36"
	assert_released
}

@test "PF events interleaved with replies: LINK_CHANGE after GET_VF_RESOURCES and ENABLE_QUEUES" {
	avf avf --gen 3 -- -v -c 3 "$BDF"
	expect 0
	# The event after GET_VF_RESOURCES is read once its reply is parsed, the
	# one after ENABLE_QUEUES while link_wait waits; neither is taken for a reply.
	[ "$(grep -c '^avf: link up, 40000 Mbit/s$' "$ERR")" -ge 2 ]
	err_has '^avf: <- GET_VF_RESOURCES: SUCCESS \(0\), 52 bytes$' '^avf: <- ENABLE_QUEUES: SUCCESS \(0\), 0 bytes$'
	if grep -q "unexpected" "$ERR"; then cat "$ERR"; return 1; fi
}

@test "PF resources: no VSI, no SR-IOV VSI, no queue pair" {
	avf avf --fault resources=num_vsis:0 -- "$BDF"
	expect 1
	err_has '^avf: the GET_VF_RESOURCES reply lists 0 VSIs in 52 bytes: at least one is needed, 16 bytes each after 20; check the host'"'"'s i40e/ice$'
	assert_released
	avf avf --fault resources=vsi_type:0 -- "$BDF"
	expect 1
	err_has '^avf: none of the PF'"'"'s 1 VSIs is an SR-IOV VSI \(type 6; the first has type 0\)'
	assert_released
	avf avf --fault resources=num_queue_pairs:0 -- "$BDF"
	expect 1
	err_has '^avf: the PF granted no queue pair \(VF 0, VSI 4\): the host has none left for this VF'
	avf avf --fault resources=vsi_queue_pairs:0 -- "$BDF"
	expect 1
	err_has '^avf: the PF granted no queue pair \(VF 4, VSI 0\)'
	assert_released
}

@test "PF resources: sizes past the reply (VSIs that do not fit in it)" {
	for n in 3 200 65535; do
		avf avf --fault resources=num_vsis:$n -- "$BDF"
		expect 1
		err_has "^avf: the GET_VF_RESOURCES reply lists $n VSIs in 52 bytes: at least one is needed"
		assert_released
	done
}

@test "PF resources: one vector is too few for MSI-X, and the POLL build still works" {
	avf avf --fault resources=max_vectors:1 -- "$BDF"
	expect 1
	err_has '^avf: the PF granted 1 MSI-X vectors, the MSI-X build needs 2: use avf-poll$'
	assert_released
	avf avf-poll --rx "$IN" --fault resources=max_vectors:1 -- -c 5 "$BDF"
	expect 0
	err_has '^  vsi        18: 4 queue pairs \(using 1\), 1 MSI-X vectors \(using 1\)$'
	[ "$(grep -c '^#' "$OUT")" -eq 5 ]
	assert_clean_teardown
}

@test "admin queue: an ATQ descriptor written back with ERR: retval shown, optional ones degrade" {
	avf avf --fault aq-error=version -- "$BDF"
	expect 1
	err_has "^avf: admin queue: the firmware rejected VERSION: retval 5 \(AVF_AQ_RC_\*\); check the host's dmesg for i40e/ice$"
	assert_released
	avf avf --gen 3 --fault aq-error=get_stats -- -c 3 "$BDF"
	expect 0
	err_has "^avf: admin queue: the firmware rejected GET_STATS: retval 5 " "^avf: the PF's counters will not be shown; continuing$"
	assert_released
}

@test "admin queue: a PF message written to the ARQ with ERR is dropped, named by slot and retval" {
	avf avf --fault arq-error=version -- "$BDF"
	expect 1
	err_has "^avf: ARQ descriptor 0 completed with ERR \(retval 5\): dropped$" "^avf: no reply to VERSION from the PF in "
	assert_released
}

@test "a VF reset that never completes: RSTAT decoded, the time waited (20 s, normal pass only)" {
	[[ "$AVF_DIR" != *build-asan* ]] || skip "the 20 s wait runs once, in the normal pass"
	avf avf --fault reset-stuck -- "$BDF"
	expect 1
	err_has "^avf: the VF reset did not complete in 20000 ms: VFGEN_RSTAT 0 \(INPROGRESS: the PF never finished\); check the host's dmesg for i40e/ice messages about this VF$"
	assert_released
}

# --- the device misbehaves --------------------------------------------------

# rx_fault FAULT COUNT: --gen 6 with the fault on the 2nd frame, -c COUNT:
# the frames after it arrive, in order, each one whole.
rx_fault() {
	avf avf --gen 6 --fault "$1" -- -c "$2" "$BDF"
	expect 0
	[ "$(grep -c '^#' "$OUT")" -eq "$2" ]
	grep -q "^#$2 len 64: 02:a5:f0:00:00:01 > $VF_MAC, ethertype 0x0800, IPv4 192.0.2.1 > 192.0.2.2 UDP$" "$OUT"
	assert_report rx_delivered 6
	assert_clean_teardown
}

@test "RX write-back with length 0: dropped and counted, the next frames received" {
	rx_fault rx-zero-len=2 5
	err_has '^avf: RX descriptor 1 dropped, length not within its buffer: status_error_len 0x[0-9a-f]+ \(length 0\); further bad descriptors are only counted$' \
		'^  rx_dropped_bad_desc: 1 \(no_eof 0, hw_error 0, bad_length 1, stray_dd 0\)$'
}

@test "RX write-back with a length past the buffer: dropped and counted, never read" {
	rx_fault rx-oversize-len=2 5
	err_has '^avf: RX descriptor 1 dropped, length not within its buffer: .*\(length 16383\)' \
		'^  rx_dropped_bad_desc: 1 \(no_eof 0, hw_error 0, bad_length 1, stray_dd 0\)$'
}

@test "RX write-back without EOF: the frame and its continuation dropped, counted" {
	# Without EOF the device says the frame goes on in the next descriptor:
	# frames 2 and 3 are one bad frame to the driver.
	rx_fault rx-no-eof=2 4
	err_has '^avf: RX descriptor 1 dropped, part of a frame without EOF' \
		'^  rx_dropped_bad_desc: 2 \(no_eof 2, hw_error 0, bad_length 0, stray_dd 0\)$'
}

@test "RX write-back with error bits: dropped and counted" {
	rx_fault rx-error=2 5
	err_has '^avf: RX descriptor 1 dropped, error bits set' \
		'^  rx_dropped_bad_desc: 1 \(no_eof 0, hw_error 1, bad_length 0, stray_dd 0\)$'
}

@test "RX DD on a descriptor avf did not post: ignored and counted" {
	rx_fault rx-stray-dd=2 6
	# The device writes DD at its tail: slot 504, avf posts tails in multiples of 8.
	err_has '^avf: RX descriptor 504 dropped, DD on a slot avf had not posted' \
		'^  rx_dropped_bad_desc: 1 \(no_eof 0, hw_error 0, bad_length 0, stray_dd 1\)$' '^  rx_frames: 6$'
}

@test "TX DESC_DONE on a slot avf did not wait for: ignored and counted" {
	for v in avf-echo avf-poll-echo; do
		# A trickle, so the stray lands half a ring ahead, not where avf is writing.
		avf "$v" --gen 300 --rx-rate 20000 --fault tx-stray-wb=1 -- -c 300 "$BDF"
		expect 0
		err_has '^  tx_stray_done_ignored: [1-9][0-9]*$'
		sent=$(sed -n 's/^  tx_frames: //p' "$ERR")
		dropped=$(sed -n 's/^  tx_dropped_ring_full: //p' "$ERR")
		[ $((sent + dropped)) -eq 300 ]
		assert_report tx_frames "$sent"
		assert_clean_teardown
	done
}

# recovered VARIANT: the run reached -c 3000 across one VF reset, recovered
# from, with nothing left behind.
recovered() {
	expect 0 || { echo "$1"; return 1; }
	err_has '^avf: the VF is up again after 1 reset; what the PF changed:$' '^  rx_frames: 3000$' '^  vf_resets: 1$'
	assert_report iommu_faults 0
	assert_report mdd_events 0
	assert_report dma_maps 0
	assert_report tx_spoofed 0
	[ "$(report vf_resets)" -ge 2 ] # the PF's, and avf's own at exit
}

@test "RESET_IMPENDING mid-traffic: avf recovers and carries on, all four variants" {
	for v in avf avf-poll avf-echo avf-poll-echo; do
		avf "$v" --gen 9000 --rx-rate 2000 --fault reset-impending=300 -- -c 3000 "$BDF"
		err_has '^avf: the PF is resetting the VF \(RESET_IMPENDING, severity 255\): avf brings it up again once'
		recovered "$v"
		case $v in *echo) [ "$(grep -c '^  tx_frames: ' "$ERR")" -eq 1 ] ;; esac
	done
}

@test "a VF reset that never completes while avf runs: a clear message, exit 1 (20 s, normal pass only)" {
	[[ "$AVF_DIR" != *build-asan* ]] || skip "the 20 s wait runs once, in the normal pass"
	avf avf-poll --gen 1000000 --rx-rate 1000 --fault reset-impending=300 --fault reset-stuck-from=1 -- "$BDF"
	expect 1
	err_has "^avf: the VF reset did not complete in 20000 ms \(VFGEN_RSTAT INPROGRESS: the PF never finished\): stopping; check the host's dmesg"
	assert_released
}

@test "SIGINT while a VF reset is being recovered from: a clean stop" {

	for v in avf avf-poll; do
		# Every event is lost (arq-error=event): the reset is found by the
		# disabled admin queue, and the recovery's link wait lasts 5 s.
		avf_bg "$v" --gen 1000000000 --rx-rate 1000 --fault arq-error=event --fault reset-impending=300 -- "$BDF"
		wait_for "$ERR" '^avf: the VF was reset without notice' 10
		sleep 0.5
		stop_bg INT
		expect 0
		err_has '^avf: Interrupt during bring-up: stopping$'
		assert_released
	done
}

@test "PF_DRIVER_CLOSE mid-run: a clean stop at once, with a message, exit 1" {
	for v in avf-poll avf-echo; do
		avf "$v" --gen 1000000000 --rx-rate 1000 --fault pf-close=300 -- "$BDF"
		expect 1
		err_has '^avf: the PF driver is closing \(PF_DRIVER_CLOSE, severity 255\): the VF goes away with it; stopping'
		assert_released
	done
}


@test "link flap: printed, and frames arrive again once the link is back" {
	for v in avf avf-poll; do
		avf_bg "$v" --gen 1000000000 --rx-rate 2000 --fault link-flap=300 -- "$BDF"
		wait_for "$ERR" '^avf: link down, 0 Mbit/s$' 10
		wait_for "$ERR" '^avf: link up, 40000 Mbit/s$' 10
		before=$(grep -c '^#' "$OUT")
		sleep 0.5
		[ "$(grep -c '^#' "$OUT")" -gt "$before" ] || { echo "$v: nothing after the link came back"; return 1; }
		stop_bg INT
		expect 0
		assert_clean_teardown
	done
}

# --- signals: at every bring-up stage and mid-traffic ------------------------

# signal_at STEP SIGNAL [sim options]: -v prints "step NAME" as each bring-up
# step starts; the sim options make that step wait (a silent PF, a stuck
# reset, a late link), and the signal lands inside it.
signal_at() {
	local step=$1 sig=$2
	shift 2
	avf_bg avf "$@" -- -v "$BDF"
	wait_for "$ERR" "^avf: step $step$" 10
	sleep 0.2
	stop_bg "$sig"
	expect 0
	err_has "^avf: (Interrupt|Terminated) during bring-up: stopping$"
	[ "$(grep '^avf: step ' "$ERR" | tail -1)" = "avf: step $step" ] || { cat "$ERR"; return 1; }
	assert_released
}

@test "SIGINT/SIGTERM during the VF reset (a reset that never completes)" {
	for sig in INT TERM; do signal_at vf_reset "$sig" --fault reset-stuck; done
}

@test "SIGINT/SIGTERM during each virtchnl step of bring-up: released, VF reset" {
	for step in vc_version:version vc_get_vf_resources:get_vf_resources \
		vc_config_vsi_queues:config_vsi_queues vc_config_irq_map:config_irq_map vc_add_eth_addr:add_eth_addr \
		vc_config_promiscuous_mode:config_promiscuous_mode stats_baseline:get_stats \
		vc_enable_queues:enable_queues; do
		for sig in INT TERM; do
			signal_at "${step%%:*}" "$sig" --fault pf-silent="${step#*:}" || { echo "$step SIG$sig"; return 1; }
			[ "$(report vf_resets)" -ge 1 ] || { echo "$step SIG$sig: no VF reset"; return 1; }
		done
	done
}

@test "SIGINT/SIGTERM while waiting for the link" {
	for sig in INT TERM; do
		signal_at link_wait "$sig" --link-delay 5000
		assert_clean_teardown
	done
}

@test "SIGINT/SIGTERM mid-traffic, all four variants: DMA unmapped after the device is quiet" {
	for v in avf avf-poll avf-echo avf-poll-echo; do
		for sig in INT TERM; do
			avf_bg "$v" --gen 1000000000 --rx-rate 100000 -- "$BDF"
			wait_for "$ERR" "is up"
			sleep 0.3
			stop_bg "$sig"
			expect 0
			[ "$(report rx_delivered)" -gt 0 ]
			assert_clean_teardown
			assert_report bus_master_blocked 0
		done
	done
}

# --- stopping when asked, whatever the output does (issue 14) ----------------

@test "signals to the launcher reach the driver, its status comes back: plain, --trace, env, a script, valgrind" {
	# avfsim execs the command: its pid is the driver's (or the wrapper's,
	# which execs or, like valgrind, runs the driver in that same process).
	local script="$BATS_TEST_TMPDIR/run.sh" how
	printf '#!/bin/sh\nexec "$@"\n' >"$script"
	chmod +x "$script"
	for how in plain --trace env "$script" valgrind; do
		local wrap="" opt=()
		case $how in
		--trace) opt=(--trace) ;;
		env) wrap=env ;;
		"$script") wrap=$script ;;
		valgrind)
			[[ "$AVF_DIR" != *build-asan* ]] && command -v valgrind >/dev/null || continue
			wrap="valgrind -q --fair-sched=yes" ;;
		esac
		AVF_WRAP=$wrap avf_bg avf "${opt[@]}" --gen 1000000000 --rx-rate 1000 -- "$BDF"
		wait_for "$ERR" "is up" 30
		stop_bg TERM || { echo "$how"; return 1; }
		expect 0
		err_has '^avf: Terminated: stopping$' '^avf: driver counters$'
		assert_clean_teardown
	done
	# The driver's own exit status, through the launcher.
	avf avf --fault permission-denied -- "$BDF"
	expect 1
}

@test "SIGTERM under saturating traffic of every size, all four variants: a stop within one loop turn" {
	for v in avf avf-poll avf-echo avf-poll-echo; do
		for size in 60 1024 1514; do
			OUT=/dev/null avf_bg "$v" --gen 1000000000:$size -- "$BDF"
			wait_for "$ERR" "is up"
			sleep 0.3
			stop_bg TERM || { echo "$v, $size-byte frames"; return 1; }
			expect 0
			err_has '^avf: Terminated: stopping$'
			assert_clean_teardown
		done
	done
}

@test "stdout or -w to a pipe whose reader stopped reading: SIGINT/SIGTERM still stop it, cleanly" {
	local fifo="$BATS_TEST_TMPDIR/fifo" reader
	mkfifo "$fifo"
	for v in avf avf-poll avf-echo avf-poll-echo; do
		for sig in INT TERM; do
			# The reader opens the pipe and never reads: the pipe fills.
			sleep 1000 <"$fifo" 3>&- &
			reader=$!
			if [[ $v == *echo ]]; then
				avf_bg "$v" --gen 1000000000 -- -w "$fifo" "$BDF"
			else
				OUT=$fifo avf_bg "$v" --gen 1000000000 -- "$BDF"
			fi
			wait_for "$ERR" "is up"
			sleep 0.5
			stop_bg "$sig" || { kill "$reader"; echo "$v SIG$sig"; return 1; }
			kill "$reader"
			expect 0
			err_has '^avf: (Interrupt|Terminated): stopping$' '^avf: driver counters$'
			assert_clean_teardown
		done
	done
}

@test "avf | head -1, SIGHUP, SIGQUIT, SIGPIPE: a clean stop, teardown and counters, exit 0" {
	for v in avf avf-poll; do
		timeout -s KILL 30 "$SIM" --mac "$VF_MAC" --report "$REPORT" --gen 1000000000 -- "$AVF_DIR/$v" "$BDF" \
			2>"$ERR" | head -1 >"$OUT"
		status=${PIPESTATUS[0]}
		no_sanitizer_report
		expect 0
		[ "$(wc -l <"$OUT")" -eq 1 ]
		err_has '^avf: Broken pipe: stopping$' '^avf: driver counters$' '^  rx_unicast: [1-9]'
		assert_clean_teardown
	done
	for v in avf avf-poll-echo; do
		for sig in HUP:Hangup QUIT:Quit PIPE:'Broken pipe'; do
			avf_bg "$v" --gen 1000000000 --rx-rate 100000 -- "$BDF"
			wait_for "$ERR" "is up"
			stop_bg "${sig%%:*}"
			expect 0
			err_has "^avf: ${sig#*:}: stopping$" '^avf: driver counters$'
			assert_clean_teardown
		done
	done
}

@test "write errors: stdout and -w to /dev/full, -w on a full filesystem: stopped at the first, named, exit 1" {
	# 100000 frames would take a whole run: the first failed write ends it.
	OUT=/dev/full avf avf --gen 100000 -- -c 100000 "$BDF"
	expect 1
	err_has '^avf: writing the dump to stdout failed: No space left on device; stopping'
	[ "$(sed -n 's/^  rx_frames: //p' "$ERR")" -lt 100000 ]
	assert_clean_teardown
	avf avf-echo --gen 100000 -- -c 100000 -w /dev/full "$BDF"
	expect 1
	err_has '^avf: writing the capture to /dev/full failed: No space left on device; stopping'
	[ "$(sed -n 's/^  rx_frames: //p' "$ERR")" -lt 100000 ]
	assert_clean_teardown
	SMALL_FS="$BATS_TEST_TMPDIR/small"
	mkdir "$SMALL_FS"
	mount -t tmpfs -o size=64k avf-test "$SMALL_FS" 2>/dev/null || skip "cannot mount a tmpfs (not root?)"
	avf avf-poll --gen 100000 -- -c 100000 -w "$SMALL_FS/capture.pcap" "$BDF"
	expect 1
	err_has "^avf: writing the capture to $SMALL_FS/capture.pcap failed: No space left on device; stopping"
	[ "$(sed -n 's/^  rx_frames: //p' "$ERR")" -lt 100000 ]
	assert_clean_teardown
}

@test "a TX queue stopped by an MDD in free-running echo: on the rate line, a message, exit 1 (as with -c)" {
	for v in avf-echo avf-poll-echo; do
		avf "$v" --gen 1000000000 --fault tx-mdd=1000 -- "$BDF"
		expect 1
		assert_report mdd_events 1
		err_has ', TX queue stopped$' \
			'^avf: the device did not send back the last [0-9]+ frames in [0-9]+ ms: is the TX queue stopped\? check the host.s dmesg for MDD$'
		assert_report queues_enabled 0
		assert_report dma_maps 0
		assert_report iommu_faults 0
	done
}

@test "tx_frames counts what the device reported sent: after SIGINT mid-traffic never more than the wire's" {
	for v in avf-echo avf-poll-echo; do
		avf_bg "$v" --gen 1000000000 -- "$BDF"
		wait_for "$ERR" "is up"
		sleep 0.5
		stop_bg INT
		expect 0
		# The device may have sent part of the batch it was on when the
		# queue was disabled, without writing it back: sent <= wire <= queued.
		sent=$(sed -n 's/^  tx_frames: //p' "$ERR")
		queued=$(sed -n 's/^  tx_queued: //p' "$ERR")
		wire=$(report tx_frames)
		err_has "^  tx_unicast: $wire\$"
		[ "$sent" -gt 0 ] && [ "$sent" -le "$wire" ] && [ "$wire" -le "$queued" ] ||
			{ echo "$v: tx_frames $sent, on the wire $wire, queued $queued"; return 1; }
		assert_clean_teardown
	done
}

@test "a VF reset nobody announced, during the link wait: noticed there, recovered from, no junk from the ARQ" {
	# The RESET_IMPENDING event and every LINK_CHANGE are lost (ERR in the
	# ARQ): the link wait sees only the admin queue going down; the
	# recovery's own link wait then runs out (5 s) and frames flow anyway.
	for v in avf avf-poll-echo; do
		avf "$v" --gen 20000 --rx-rate 1000 --fault arq-error=event --fault reset-impending=300 -- -c 3 "$BDF"
		expect 0
		err_has '^avf: the VF was reset without notice \(ATQLEN 0, ARQLEN 0\): avf brings it up again once the reset is done$' \
			'^avf: the VF is up again after 1 reset' '^  rx_frames: 3$'
		# "is up" only once the VF is, after the recovery
		[ "$(grep -n 'is up,' "$ERR" | cut -d: -f1)" -gt "$(grep -n 'is up again after' "$ERR" | cut -d: -f1)" ]
		if grep -E 'AQ opcode' "$ERR"; then return 1; fi
		assert_released
	done
}


@test "closed stdin, stdout or stderr: opened on /dev/null first; the dump and capture go where they should" {
	local cap="$BATS_TEST_TMPDIR/cap.pcap" status=0
	on_sim --gen 5 -- "$AVF_DIR/avf" -c 5 "$BDF" >&- 2>"$ERR" || status=$?
	no_sanitizer_report
	expect 0
	assert_clean_teardown
	status=0
	on_sim --gen 5 -- "$AVF_DIR/avf" -c 5 -w "$cap" "$BDF" >&- 2>"$ERR" || status=$?
	no_sanitizer_report
	expect 0
	[ "$("$PCAPTOOL" hex "$cap" | wc -l)" -eq 5 ]
	assert_clean_teardown
	status=0
	on_sim --gen 5 -- "$AVF_DIR/avf" -c 5 "$BDF" <&- 2>&- >"$OUT" || status=$?
	expect 0
	[ "$(grep -c '^#' "$OUT")" -eq 5 ]
	assert_clean_teardown
}

# --- the randomized run -----------------------------------------------------

@test "randomized: 300 seeds of fuzzed PF messages and RX write-backs, sanitizer builds" {
	[[ "$AVF_DIR" == *build-asan* ]] || skip "runs once, in the sanitizer pass"
	local dir="$BATS_TEST_TMPDIR/fuzz" variants=(avf avf-poll avf-echo avf-poll-echo)
	mkdir -p "$dir"
	# One run: tiny (8 frames, -c 3), SIGINT at 4 s if -c is never reached
	# (fuzzed frames are dropped), SIGKILL 10 s later counts as a hang.
	fuzz_one() {
		local seed=$1 v=$2 d="$dir/$1" status=0
		mkdir -p "$d"
		timeout --preserve-status -k 10 -s INT 4 "$SIM" --mac "$VF_MAC" --report "$d/report" --gen 8 \
			--fault "fuzz=$seed:10" -- "$TOP/build-asan/$v" -c 3 "$BDF" >"$d/out" 2>"$d/err" || status=$?
		if grep -qE 'Sanitizer|runtime error:' "$d/err"; then echo "seed $seed $v: sanitizer report"
		elif [ "$status" -gt 1 ]; then echo "seed $seed $v: exit status $status (crash or hang)"
		elif [ "$status" -eq 1 ] && ! grep -q '^avf: ' "$d/err"; then echo "seed $seed $v: exit 1 without a message"
		elif ! grep -qx 'iommu_faults=0' "$d/report" 2>/dev/null; then echo "seed $seed $v: IOMMU fault or no report"
		elif ! grep -qx 'dma_maps=0' "$d/report"; then echo "seed $seed $v: DMA mapping left"
		else echo "ok $status"
		fi
	}
	export -f fuzz_one
	export dir SIM VF_MAC TOP BDF
	for seed in $(seq 1 300); do echo "$seed ${variants[seed % 4]}"; done |
		xargs -P 4 -L 1 bash -c 'fuzz_one "$0" "$1"' >"$dir/verdicts"
	[ "$(wc -l <"$dir/verdicts")" -eq 300 ]
	if grep -v '^ok ' "$dir/verdicts"; then
		echo "replay: tests/sim/avfsim --mac $VF_MAC --gen 8 --fault fuzz=SEED:10 -- build-asan/VARIANT -c 3 $BDF"
		return 1
	fi
	# Both outcomes happen: the run is not trivially all-pass or all-fail.
	grep -q '^ok 0$' "$dir/verdicts"
	grep -q '^ok 1$' "$dir/verdicts"
}

# --- valgrind: a few representative runs of the normal -O2 build ------------

# under_valgrind VARIANT [sim options] -- [avf args]
under_valgrind() {
	AVF_WRAP="valgrind -q --fair-sched=yes --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
		avf "$@"
	if [ "$status" -eq 99 ] || grep -q '^==[0-9]*==' "$ERR"; then cat "$ERR"; return 1; fi
}

@test "valgrind: bring-up and dump, a refused message, bad RX descriptors in echo, a silent PF" {
	[[ "$AVF_DIR" != *build-asan* ]] || skip "valgrind runs the normal build, in the normal pass"
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	under_valgrind avf --rx "$IN" -- -c 5 "$BDF"
	expect 0
	[ "$(grep -c '^#' "$OUT")" -eq 5 ]
	under_valgrind avf --fault status=config_vsi_queues -- "$BDF"
	expect 1
	# The MSI-X build: valgrind runs one thread at a time, and a busy-polling
	# driver would starve the simulated device of it.
	under_valgrind avf-echo --gen 40 --fault rx-oversize-len=3 -- -c 39 "$BDF"
	expect 0
	under_valgrind avf-poll --gen 3 --fault pf-silent=get_stats -- -c 3 "$BDF"
	expect 0
	assert_clean_teardown
}

# --- the host acts on a running VF (--host MS:ACTION, as i40e does it) ------

# host_action VARIANT ACTION...: -c 3000 of generated traffic (2000 frames/s)
# across the actions, each 300 ms after the queues are enabled, then more.
host_action() {
	local v=$1 args=()
	shift
	for action in "$@"; do args+=(--host "$action"); done
	avf "$v" --gen 60000 --rx-rate 2000 "${args[@]}" -- -c 3000 "$BDF"
}

@test "host: a new MAC (ip link set <pf> vf 0 mac): recovered, said, echo answers from it, all four variants" {
	for v in avf avf-poll avf-echo avf-poll-echo; do
		host_action "$v" 300:mac=02:00:00:aa:bb:dd
		recovered "$v"
		err_has '^avf:   mac        02:00:00:aa:bb:cc -> 02:00:00:aa:bb:dd$'
	done
	# the echoes after the reset come from the new MAC, none spoofed
	avf avf-poll-echo --gen 60000 --rx-rate 2000 --host 300:mac=02:00:00:aa:bb:dd --tx "$BATS_TEST_TMPDIR/tx.pcap" -- \
		-c 3000 "$BDF"
	recovered avf-poll-echo
	[ "$("$PCAPTOOL" hex "$BATS_TEST_TMPDIR/tx.pcap" | tail -1 | cut -c13-24)" = 020000aabbdd ]
}

@test "host: trust on and a PF reset: recovered, all four variants" {
	for v in avf avf-poll avf-echo avf-poll-echo; do
		for action in 300:trust=on 300:pf-reset; do
			host_action "$v" "$action"
			recovered "$v $action"
		done
	done
}

@test "host: spoofchk off: no reset, nothing to recover; link down then up: printed, recovered, frames again" {
	for v in avf-echo avf-poll-echo; do
		host_action "$v" 300:spoofchk=off
		expect 0
		err_has '^  rx_frames: 3000$' '^  vf_resets: 0$'
		host_action "$v" 300:link=down 700:link=up
		recovered "$v"
		err_has '^avf: link down, 0 Mbit/s'
	done
}

@test "host: a port VLAN: recovered, the VLAN capability gone and max MTU 4 bytes lower, said; removed again" {
	for v in avf avf-poll-echo; do
		# Untagged traffic does not reach a VF behind a port VLAN: vlan=0 gives it back.
		host_action "$v" 300:vlan=100 1300:vlan=0
		expect 0 || { echo "$v"; return 1; }
		err_has '^avf:   caps       no longer granted: VLAN$' '^avf:   max mtu    9728 -> 9724$' \
			'^avf:   caps       newly granted: VLAN$' '^avf:   max mtu    9724 -> 9728$' '^  rx_frames: 3000$'
		assert_report iommu_faults 0
		assert_report dma_maps 0
	done
}

@test "host: a second action during the recovery: started over, recovered" {
	for v in avf avf-poll-echo; do
		host_action "$v" 300:pf-reset 320:trust=on
		expect 0 || { echo "$v"; return 1; }
		err_has '^avf: the VF is up again after [12] resets?; what the PF changed:$' '^  rx_frames: 3000$'
		assert_report iommu_faults 0
		assert_report dma_maps 0
	done
}

@test "host: resets in a loop: stopped with a message, exit 1" {
	avf avf-poll --gen 1000000 --rx-rate 1000 --host 300:pf-reset --host 700:pf-reset --host 1100:pf-reset \
		--host 1500:pf-reset --host 1900:pf-reset --host 2300:pf-reset --host 2700:pf-reset -- "$BDF"
	expect 1
	err_has '^avf: the PF reset the VF 6 times, each within 2000 ms of the last: stopping'
	assert_released
}

@test "host: the VF removed (sriov_numvfs 0): vfio-pci's request honoured within a second, all four variants" {
	for v in avf avf-poll avf-echo avf-poll-echo; do
		avf_bg "$v" --gen 1000000000 --rx-rate 1000 --host 300:vf-remove -- "$BDF"
		wait_for "$ERR" '^avf: vfio-pci asks for 0000:3b:02.0 back' 10
		for _ in $(seq 10); do kill -0 "$BG" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$BG" 2>/dev/null; then echo "$v still holds the VF a second later"; return 1; fi
		status=0
		wait "$BG" || status=$?
		expect 1
		assert_report host_vf_removed 1
		assert_report dma_maps 0
		assert_report iommu_faults 0
	done
}

# --- the same actions behind Linux ice (8086:1889, ice_sriov.c's ice_set_vf_*) --

@test "host on ice: mac=, trust=on, pf-reset: recovered; the echoes come from the new MAC, none spoofed" {
	for v in avf avf-poll-echo; do
		for action in 300:mac=02:00:00:aa:bb:dd 300:trust=on 300:pf-reset; do
			AVF_DEVICE_ID=0x1889 host_action "$v" "$action"
			recovered "$v $action"
		done
	done
	AVF_DEVICE_ID=0x1889 avf avf-poll-echo --gen 60000 --rx-rate 2000 --host 300:mac=02:00:00:aa:bb:dd \
		--tx "$BATS_TEST_TMPDIR/tx.pcap" -- -c 3000 "$BDF"
	recovered avf-poll-echo
	err_has '^avf:   mac        02:00:00:aa:bb:cc -> 02:00:00:aa:bb:dd$'
	[ "$("$PCAPTOOL" hex "$BATS_TEST_TMPDIR/tx.pcap" | tail -1 | cut -c13-24)" = 020000aabbdd ]
}

@test "host on ice: link down then up only reports the link (no reset), spoofchk off changes nothing avf sees" {
	for v in avf-echo avf-poll-echo; do
		AVF_DEVICE_ID=0x1889 host_action "$v" 300:link=down 700:link=up
		expect 0 || { echo "$v"; return 1; }
		err_has '^avf: link down, 0 Mbit/s' '^avf: link up, 40000 Mbit/s' '^  rx_frames: 3000$' '^  vf_resets: 0$'
		assert_report host_vf_resets 0
		assert_report iommu_faults 0
		assert_report dma_maps 0
		assert_report tx_spoofed 0
		AVF_DEVICE_ID=0x1889 host_action "$v" 300:spoofchk=off
		expect 0
		err_has '^  rx_frames: 3000$' '^  vf_resets: 0$'
	done
}

@test "host on ice: a port VLAN and back: recovered each time, the VLAN capability and max MTU follow" {
	for v in avf avf-poll-echo; do
		AVF_DEVICE_ID=0x1889 host_action "$v" 300:vlan=100 1300:vlan=0
		expect 0 || { echo "$v"; return 1; }
		err_has '^avf:   caps       no longer granted: VLAN$' '^avf:   max mtu    9728 -> 9724$' \
			'^avf:   caps       newly granted: VLAN$' '^avf:   max mtu    9724 -> 9728$' '^  rx_frames: 3000$'
		assert_report host_vf_resets 2
		assert_report iommu_faults 0
		assert_report dma_maps 0
	done
}
