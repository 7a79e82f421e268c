# Shared by the bats suites: run a program on the simulated VF and read what
# the simulator reports.  Sourced from each suite's setup.

TOP=$(cd "$BATS_TEST_DIRNAME" && while [ ! -f avf.h ]; do cd ..; done; pwd)
SIM="$TOP/tests/sim/avfsim"
PCAPTOOL="$TOP/tests/tools/pcaptool"
# AVF_DIR picks the driver build under test: the top level, or build-asan/.
AVF_DIR=${AVF_DIR:-$TOP}
BDF=0000:3b:02.0
VF_MAC=02:00:00:aa:bb:cc
REPORT="$BATS_TEST_TMPDIR/report"
# The sanitizer runtime must come first; the simulator is preloaded before it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0:detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# on_sim [sim options] -- command...: the command on a simulated VF with a
# known MAC, its report in $REPORT.  Bounded, so a hang fails the test.
# $AVF_DEVICE_ID, when set, is the VF's device id (and so its PF: 1889 is
# served by ice) unless the test gives its own --device-id.
on_sim() {
	local dev=()
	[ -n "${AVF_DEVICE_ID:-}" ] && dev=(--device-id "$AVF_DEVICE_ID")
	timeout -s KILL "${SIM_TIMEOUT:-60}" "$SIM" --mac "$VF_MAC" --report "$REPORT" "${dev[@]}" "$@"
}

# report KEY: one value from the last run's --report file.
report() {
	local line
	[ -f "$REPORT" ] || { echo "no report written" >&2; return 1; }
	while IFS= read -r line; do
		[ "${line%%=*}" = "$1" ] && { echo "${line#*=}"; return 0; }
	done <"$REPORT"
	echo "report has no key $1" >&2
	return 1
}

# assert_report KEY VALUE
assert_report() {
	local got
	got=$(report "$1") || return 1
	[ "$got" = "$2" ] || { echo "report: $1=$got, expected $2" >&2; return 1; }
}

# known_capture FILE: the suite's known capture, addressed to $VF_MAC.
known_capture() { "$PCAPTOOL" known "$VF_MAC" "$1"; }

# The frames of the known capture the VF must receive, as hex lines: to its
# MAC (1, 4, 6, 8) and broadcast (2); not 3 (other MAC), 5 (multicast it never
# joined), 7 (longer than its max_pkt_size).
KNOWN_DELIVERED="1 2 4 6 8"
delivered_hex() {
	local n=0 line
	while IFS= read -r line; do
		n=$((n + 1))
		case " $KNOWN_DELIVERED " in *" $n "*) echo "$line" ;; esac
	done < <("$PCAPTOOL" hex "$1")
}

# echoed_hex: hex frames on stdin with the destination MAC set to the source
# and the source to $VF_MAC, which is what an echo must send back.
echoed_hex() {
	local line vf=${VF_MAC//:/}
	while IFS= read -r line; do
		echo "${line:12:12}${vf}${line:24}"
	done
}

# wait_for FILE PATTERN [SECONDS]: until FILE has a line matching PATTERN.
wait_for() {
	local i
	for ((i = 0; i < ${3:-20} * 10; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timed out waiting for '$2' in $1:" >&2
	cat "$1" >&2
	return 1
}

# --- running the driver -----------------------------------------------------

OUT="$BATS_TEST_TMPDIR/out"
ERR="$BATS_TEST_TMPDIR/err"

# avf VARIANT [sim options] -- [avf args]: run a variant to its end, stdout
# in $OUT, stderr in $ERR, exit status in $status.  $AVF_WRAP, when set, is
# a command line the driver runs under (valgrind).
avf() {
	local bin="$AVF_DIR/$1" sim_args=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sim_args+=("$1"); shift; done
	shift
	status=0
	# shellcheck disable=SC2086 # AVF_WRAP is a command line: split it
	on_sim "${sim_args[@]}" -- ${AVF_WRAP:-} "$bin" "$@" >"$OUT" 2>"$ERR" || status=$?
	no_sanitizer_report
}

# avf_bg VARIANT [sim options] -- [avf args]: the same, in the background;
# $BG is the launcher's pid, which is the driver's (avfsim execs it).
avf_bg() {
	local bin="$AVF_DIR/$1" sim_args=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sim_args+=("$1"); shift; done
	shift
	# Emptied here, not by the background job's redirection: a wait_for that
	# ran first would find the previous run's lines.
	: >"$ERR"
	# shellcheck disable=SC2086 # AVF_WRAP is a command line: split it
	"$SIM" --mac "$VF_MAC" --report "$REPORT" "${sim_args[@]}" -- ${AVF_WRAP:-} "$bin" "$@" >"$OUT" 2>>"$ERR" 3>&- &
	BG=$!
}

# stop_bg SIGNAL: signal the background driver, wait (bounded) for its exit.
stop_bg() {
	kill -s "$1" "$BG"
	for _ in $(seq 100); do kill -0 "$BG" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$BG" 2>/dev/null; then
		kill -KILL "$BG"
		echo "the driver did not stop within 10 s of SIG$1" >&2
		cat "$ERR" >&2
		return 1
	fi
	status=0
	wait "$BG" || status=$?
	no_sanitizer_report
}

# kill_bg: for a suite's teardown: a background driver left behind by a
# failed test would hold bats' output open.
kill_bg() { [ -z "${BG:-}" ] || kill -KILL "$BG" 2>/dev/null || true; }

no_sanitizer_report() {
	if grep -qE 'Sanitizer|runtime error:' "$ERR"; then
		cat "$ERR" >&2
		return 1
	fi
}

# The teardown left the VF as the issue asks: queues off, reset, no DMA
# mapping, and the device never touched memory it did not own.
assert_clean_teardown() {
	assert_report queues_enabled 0
	assert_report dma_maps 0
	assert_report iommu_faults 0
	assert_report mdd_events 0
	[ "$(report vf_resets)" -ge 1 ]
}
