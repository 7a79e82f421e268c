#!/usr/bin/env bash
# make bench: avf's echo throughput on the simulated VF, beside DPDK's testpmd
# (net_iavf, macswap, one forwarding core) on the same simulated VF when it
# is installed, the simulator's own ceiling, and avf's batching curve.
# Never part of make test: it measures, it asserts nothing.
#
#   make bench                          RUNS=5 FRAMES=4000000
#   RUNS=3 FRAMES=2000000 tests/bench.sh
#
# The driver (or testpmd's forwarding lcore) runs on CPU 0, the simulated
# device's thread on CPU 1 (--device-cpu 1): neither steals the other's core,
# as real silicon would not.  Each figure is the median of RUNS runs.  Output:
# a table on stdout, and one machine-readable line per result:
#   bench name=... size=... mpps=... gbps=... ns_per_frame=... up_ms=... peak_rss_kib=...
# mpps counts frames echoed per second; gbps is the line rate they make
# (+24 bytes a frame: preamble, inter-frame gap, FCS); ns_per_frame is the
# driver thread's CPU time per frame; up_ms is exec to link up; device_busy_pct
# is the share of the run the simulated device spent working (the report's
# device_busy_ns over busy + idle): near 100, the device set the pace, and
# the driver could have gone faster.
set -u
cd "$(dirname "$0")/.." || exit 2
RUNS=${RUNS:-5}
FRAMES=${FRAMES:-4000000}
BDF=0000:3b:02.0
MAC=02:00:00:aa:bb:cc
WIRE_OVERHEAD=24
tmp=$(mktemp -d)
SIM=(tests/sim/avfsim --device-cpu 1 --mac "$MAC" --report "$tmp/report")
trap 'rm -rf "$tmp"' EXIT

[ "$(nproc)" -ge 2 ] || { echo "bench: needs 2 CPUs, one for the driver and one for the device"; exit 1; }
make -s avf-echo avf-poll-echo sim >/dev/null || exit 1

# median N: the median of column N of the rows on stdin.
median() { cut -d' ' -f"$1" | sort -g | sed -n "$(((RUNS + 1) / 2))p"; }
# milli X.YYY: X.YYY as an integer number of thousandths.
milli() { local i=${1%.*} f=${1#*.}000; echo $((10#$i * 1000 + 10#${f:0:3})); }
# thousandths N: N/1000 printed with three decimals.
thousandths() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# device_busy [WINDOW_NS]: the device's busy share of the last run, in
# percent: of the time queues were enabled, or of WINDOW_NS (testpmd keeps
# its queues enabled before and after the traffic).
device_busy() {
	awk -F= -v w="${1:-0}" '$1 == "device_busy_ns" { b = $2 } $1 == "device_idle_ns" { i = $2 }
		END { t = w > 0 ? w : b + i; p = t ? int(100 * b / t) : 0; print (p > 100 ? 100 : p) }' "$tmp/report"
}

# avf_run BIN SIZE: one echo run of FRAMES generated frames.
# Prints "mpps ns_per_frame up_ms rss_kib device_busy_pct full_polls_pct
# frames_per_poll" (the last two "-" for a build that does not poll).
avf_run() {
	local line up
	taskset -c 0 "${SIM[@]}" --gen "$FRAMES:$2" -- "$1" -c "$FRAMES" "$BDF" >/dev/null 2>"$tmp/err" ||
		{ echo "bench: $1 failed:" >&2; tail -3 "$tmp/err" >&2; return 1; }
	up=$(sed -n 's/^avf: .* is up, \([0-9]*\) ms after start$/\1/p' "$tmp/err")
	line=$(grep '^avf: cpu ' "$tmp/err")
	[[ "$line" =~ \ ([0-9.]+)\ Mpps,\ ([0-9.]+)\ ns\ of\ cpu\ per\ frame\;\ peak\ RSS\ ([0-9]+)\ KiB$ ]] ||
		{ echo "bench: $1 printed no cost line" >&2; return 1; }
	local cost="${BASH_REMATCH[1]} ${BASH_REMATCH[2]} $up ${BASH_REMATCH[3]} $(device_busy)"
	line=$(grep '^avf: [0-9]* polls, ' "$tmp/err")
	if [[ "$line" =~ ,\ ([0-9.]+)%\ found\ frames,\ ([0-9.]+)\ frames\ each$ ]]; then
		echo "$cost ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
	else
		echo "$cost - -"
	fi
}

# testpmd_run SIZE: the same workload through testpmd, interactive, its
# commands on a fifo; a full TX ring waits (retry) as avf's does not need
# to.  Rate: frames sent over the time from `start` until the port has
# received all FRAMES and sent no more for 100 ms (port statistics polled
# every 20 ms); CPU: the forwarding lcore's utime+stime over that time, per
# frame sent;
# RSS: VmHWM at the end.
testpmd_run() {
	local cmd="$tmp/cmd" log="$tmp/testpmd.log" pid t0 t_up t_start t_end tid ticks0 ticks1 tx rx rss
	local last=-1 still=0 deadline=$((SECONDS + 120))
	rm -f "$cmd" && mkfifo "$cmd"
	t0=$(date +%s%N)
	"${SIM[@]}" --gen "$FRAMES:$1" -- stdbuf -oL dpdk-testpmd --no-huge -m 512 --no-shconf --no-telemetry \
		-l 0,1 --main-lcore 1 -a "$BDF" -- -i --total-num-mbufs=16384 --no-flush-rx \
		<"$cmd" >"$log" 2>&1 &
	pid=$!
	exec 7>"$cmd"
	until grep -q 'testpmd> ' "$log"; do
		kill -0 "$pid" 2>/dev/null || { echo "bench: testpmd died:" >&2; tail -5 "$log" >&2; return 1; }
		sleep 0.01
	done
	t_up=$(date +%s%N)
	tid=$(grep -l '^rte-worker-0$' /proc/"$pid"/task/*/comm 2>/dev/null | head -1 | cut -d/ -f5)
	[ -n "$tid" ] || { echo "bench: no forwarding lcore thread in testpmd" >&2; exec 7>&-; kill "$pid"; return 1; }
	ticks0=$(cut -d' ' -f14,15 /proc/"$pid"/task/"$tid"/stat | tr ' ' '+')
	printf '%s\n' "set fwd macswap retry" "set burst tx delay 10 retry 1000" start >&7
	t_start=$(date +%s%N)
	while [ $SECONDS -lt $deadline ]; do
		echo "show port stats 0" >&7
		sleep 0.02
		tx=$(grep -o 'TX-packets: *[0-9]*' "$log" | tail -1) rx=$(grep -o 'RX-packets: *[0-9]*' "$log" | tail -1)
		tx=${tx##* } rx=${rx##* }
		if [ "${tx:-0}" -ne "$last" ]; then # still sending: the run ends here for now
			last=${tx:-0} still=0 t_end=$(date +%s%N)
			ticks1=$(cut -d' ' -f14,15 /proc/"$pid"/task/"$tid"/stat | tr ' ' '+')
			continue
		fi
		[ "${rx:-0}" -ge "$FRAMES" ] && still=$((still + 1)) && [ $still -ge 5 ] && break
		kill -0 "$pid" 2>/dev/null || { echo "bench: testpmd died" >&2; return 1; }
	done
	[ $SECONDS -lt $deadline ] || { echo "bench: testpmd did not finish in 120 s" >&2; kill "$pid"; return 1; }
	rss=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB$/\1/p' /proc/"$pid"/status)
	printf '%s\n' stop quit >&7
	exec 7>&-
	wait "$pid"
	local us=$(((t_end - t_start) / 1000)) cpu_ns=$(((ticks1 - ticks0) * 1000000000 / $(getconf CLK_TCK)))
	echo "$(thousandths $((last * 1000 / us))) $(thousandths $((cpu_ns * 1000 / last))) $(((t_up - t0) / 1000000)) $rss $(device_busy $((t_end - t_start)))"
}

# result NAME SIZE [CEILING_MPPS]: the medians of the runs on stdin, as a
# table row and a bench line; a note when within 10% of the ceiling.
result() {
	local rows m n up rss busy polls g note=""
	rows=$(cat)
	[ "$(wc -l <<<"$rows")" -eq "$RUNS" ] || { echo "bench: $1 at $2 B: a run failed"; exit 1; }
	m=$(median 1 <<<"$rows")
	n=$(median 2 <<<"$rows")
	up=$(median 3 <<<"$rows")
	rss=$(median 4 <<<"$rows")
	busy=$(median 5 <<<"$rows")
	polls=$(median 6 <<<"$rows")
	[[ "$polls" =~ ^[0-9] ]] && polls=" full_polls_pct=$polls frames_per_poll=$(median 7 <<<"$rows")" || polls=""
	g=$(thousandths $(($(milli "$m") * ($2 + WIRE_OVERHEAD) * 8 / 1000)))
	if [ -n "${3:-}" ] && [ $(($(milli "$m") * 10)) -ge $(($(milli "$3") * 9)) ]; then
		note="  within 10% of the ceiling"
	fi
	printf '%-14s %5s B %9s Mpps %8s Gbit/s %9s ns %7s ms %9s KiB %8s%%%s\n' "$1" "$2" "$m" "$g" "$n" "$up" "$rss" \
		"$busy" "$note"
	echo "bench name=$1 size=$2 frames=$FRAMES runs=$RUNS mpps=$m gbps=$g ns_per_frame=$n up_ms=$up peak_rss_kib=$rss" \
		"device_busy_pct=$busy$polls" >>"$tmp/lines"
	eval "mpps_${1//[^a-z0-9]/_}_$2=$m"
}

runs() { for ((r = 0; r < RUNS; r++)); do "$@" || exit 1; done; }
header() {
	printf '%-14s %7s %14s %15s %12s %10s %13s %9s\n' name size rate "line rate" "cpu/frame" "to link up" "peak RSS" \
		"dev busy"
}

echo "make bench: $FRAMES frames a run, median of $RUNS runs; driver on CPU 0, device thread on CPU 1"
echo
# The batching curve comes first: its best burst is the driver doing the
# least per frame, and that run is the simulator's ceiling.
echo "Batching curve: avf-poll-echo at 64 B, built with -DAVF_BURST=N"
echo "(polls with frames: the share of avf's polls that found any; the rest is headroom)"
printf '%6s %10s %14s %12s %18s %14s\n' burst Mpps "ns/frame cpu" "device busy" "polls with frames" "frames/poll"
best=0 best_burst=32
for b in 1 2 4 8 16 32 64 128 256; do
	cc -std=c11 -O2 -DPOLL -DECHO -DAVF_BURST="$b" -o "$tmp/avf-b$b" avf.c || exit 1
	rows=$(runs avf_run "$tmp/avf-b$b" 64)
	m=$(median 1 <<<"$rows")
	n=$(median 2 <<<"$rows")
	busy=$(median 5 <<<"$rows")
	full=$(median 6 <<<"$rows")
	per=$(median 7 <<<"$rows")
	printf '%6s %10s %14s %11s%% %17s%% %14s\n' "$b" "$m" "$n" "$busy" "$full" "$per"
	echo "bench name=batch_$b size=64 frames=$FRAMES runs=$RUNS mpps=$m ns_per_frame=$n device_busy_pct=$busy" \
		"full_polls_pct=$full frames_per_poll=$per" >>"$tmp/lines"
	[ "$(milli "$m")" -gt "$best" ] && best=$(milli "$m") best_burst=$b
done

echo
echo "The simulator's ceiling: its generator against avf-poll-echo at the best burst ($best_burst)"
header
declare -A ceiling
for size in 64 1518; do
	result ceiling "$size" < <(runs avf_run "$tmp/avf-b$best_burst" "$size")
	ceiling[$size]=$(eval echo "\$mpps_ceiling_$size")
done

echo
echo "avf echo (burst 32)"
header
for v in avf-poll-echo avf-echo; do
	for size in 64 1518; do
		result "$v" "$size" "${ceiling[$size]}" < <(runs avf_run "./$v" "$size")
	done
done

echo
if command -v dpdk-testpmd >/dev/null; then
	echo "DPDK testpmd 22.11 (net_iavf, macswap, one forwarding lcore, burst 32) on the same simulated VF"
	header
	for size in 64 1518; do
		result testpmd "$size" "${ceiling[$size]}" < <(runs testpmd_run "$size")
		a=$(milli "$(eval echo "\$mpps_avf_poll_echo_$size")")
		t=$(milli "$(eval echo "\$mpps_testpmd_$size")")
		echo "  avf-poll-echo / testpmd throughput at $size B: $(thousandths $((a * 1000 / t)))"
		echo "bench name=ratio_avf_poll_echo_to_testpmd size=$size ratio=$(thousandths $((a * 1000 / t)))" >>"$tmp/lines"
	done
else
	echo "testpmd: skipped, dpdk-testpmd is not installed (apt-get install dpdk-dev; DPDK is optional)"
fi

echo
echo "device busy: the share of the run the simulated device spent working.  Near 100%, or within 10% of"
echo "the ceiling, the device set the pace: the driver was waiting for it, not the other way round."
echo
cat "$tmp/lines"
