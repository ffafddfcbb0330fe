#!/bin/bash
# soak.sh BUILD_DIR [REPORT] - the long part of the hostile-firmware suite ("make soak").
# Three runs at once, each reporting its figures into REPORT (default
# BUILD_DIR/soak-report.txt):
#   - SOAK_CYCLES (1000) crash/recover cycles of the crash example under the library,
#     the host's fds and RSS at the start and at the end;
#   - a flood from the flood example for SOAK_FLOOD_SECONDS (3600), every message's
#     sequence number checked: messages, losses, reordering, fds and RSS;
#   - SOAK_ATTACK_ROUNDS (20) rounds of every hostile image under uprocd beside an
#     echo core that must keep answering (start, attack, stop; then a crash and a
#     recovery of the crash example), uprocd's fds and RSS at the start and the end.
# Exit status 0 when every run passed.
set -u
B=$(cd "$1" && pwd)
REPORT=${2:-$B/soak-report.txt}
CYCLES=${SOAK_CYCLES:-1000}
FLOOD_S=${SOAK_FLOOD_SECONDS:-3600}
ROUNDS=${SOAK_ATTACK_ROUNDS:-20}
WAIT=60
HOST=$B/tests/hostile/hostile-host
FW=$B/firmware
UPROCD=$B/bin/uprocd UPROC=$B/bin/uproc CLIENT=$B/tests/daemon/uprocd-test-client

. "$(dirname "$0")/../daemon/daemon-test-lib.sh"
daemon_test_setup uproc-soak

# ---- attack/recover rounds under uprocd ------------------------------------------
attack_rounds() {
	local out=$T/attack.txt
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ]; then
		echo "attack rounds under uprocd: skipped (needs root and /dev/fuse)" >"$out"
		return 0
	fi
	local E img f
	local -a imgs=()
	cp "$FW"/echo.elf "$FW"/crash.elf "$FW"/hostile-*.elf "$T/fw/"
	for f in "$T"/fw/hostile-*.elf; do imgs+=("$(basename "$f" .elf)"); done
	{
		cat <<CONF
[remoteproc echo]
backend = native
firmware = echo.elf
auto_boot = yes

[remoteproc crash]
backend = native
firmware = crash.elf
recovery = enabled
CONF
		# each image on a processor of its own, with recovery: a crashed one is
		# recovered before its next round (a crashed processor is not stopped)
		for img in "${imgs[@]}"; do
			printf '\n[remoteproc %s]\nbackend = native\nfirmware = %s.elf\nrecovery = enabled\n' \
				"$img" "$img"
		done
	} | daemon_conf
	E=$ROOT/class/remoteproc
	start_daemon
	local EPT
	wait_for $WAIT grep -qx running "$E/remoteproc0/state" &&
		wait_for $WAIT sh -c "'$UPROC' channels echo | grep -q rpmsg-client-sample" &&
		EPT=$(echo_endpoint echo rpmsg-client-sample 0x500) ||
		{ echo "attack rounds: uprocd did not come up" >"$out"; return 1; }
	local fds0 rss0 fails=0 pings=0 slowest=0 attacks=0 recoveries=0 r t0 ms state
	# (the client waits 10 s for the echo.) A ping that failed or was slow is logged
	# with what the client said, how long uprocd then took to answer a status (its
	# loop's latency, apart from the echo core's) and the load.
	ping_echo() {
		local t1 st got
		t0=$(date +%s%N)
		got=$(timeout $WAIT "$CLIENT" ept-send "$EPT" "$1" 2>&1)
		ms=$((($(date +%s%N) - t0) / 1000000))
		if [ "$got" != "$1" ]; then
			fails=$((fails + 1))
			t1=$(date +%s%N)
			st=$(timeout $WAIT "$UPROC" status echo 2>&1 | sed -n 's/^state: *//p')
			echo "no echo: $1 after $ms ms ($(echo $got | head -c 100); then status in" \
				"$((($(date +%s%N) - t1) / 1000000)) ms, echo ${st:-?}; load" \
				"$(cut -d' ' -f1-3 /proc/loadavg))" >>"$out.log"
			return
		fi
		pings=$((pings + 1))
		[ $ms -gt 10000 ] &&
			echo "slow echo: $1 in $ms ms (load $(cut -d' ' -f1-3 /proc/loadavg))" >>"$out.log"
		[ $ms -gt $slowest ] && slowest=$ms
	}
	state_of() { "$UPROC" status "$1" 2>/dev/null | sed -n 's/^state: *//p'; }
	ping_echo start
	fds0=$(fds_of $DAEMON_PID) rss0=$(rss_of $DAEMON_PID)
	for ((r = 1; r <= ROUNDS; r++)); do
		for img in "${imgs[@]}"; do
			if [ "$(state_of "$img")" = crashed ]; then
				timeout $WAIT "$UPROC" recovery "$img" recover >/dev/null 2>&1
			else
				timeout $WAIT "$UPROC" start "$img" >/dev/null 2>&1
			fi
			sleep 0.5
			ping_echo "r$r $img"
			timeout $WAIT "$UPROC" stop "$img" >/dev/null 2>&1 || {
				state=$(state_of "$img")
				[ "$state" = offline ] || [ "$state" = crashed ] ||
					{ fails=$((fails + 1)); echo "round $r: stop $img: $state" >>"$out.log"; }
			}
			attacks=$((attacks + 1))
		done
		# a crash and its recovery, between the attacks
		timeout $WAIT "$UPROC" start crash >/dev/null 2>&1
		echo 1 >"$ROOT/debug/remoteproc/remoteproc1/crash" 2>/dev/null
		if wait_for $WAIT grep -qx running "$E/remoteproc1/state"; then
			recoveries=$((recoveries + 1))
		else
			fails=$((fails + 1))
		fi
		timeout $WAIT "$UPROC" stop crash >/dev/null 2>&1
		ping_echo "round $r done"
	done
	echo "attack rounds under uprocd: $ROUNDS rounds, $attacks attacks of ${#imgs[@]} images," \
		"$recoveries crash recoveries, $fails failures; echo core: $pings answers, slowest" \
		"${slowest} ms; uprocd fds $fds0 -> $(fds_of $DAEMON_PID), RSS $rss0 -> $(rss_of $DAEMON_PID) KiB" >"$out"
	stop_daemon
	[ -n "$DAEMON_STATUS" ] || { echo "uprocd ignored SIGTERM" >>"$out"; fails=$((fails + 1)); }
	[ $fails = 0 ]
}

start=$(date -u +%FT%TZ)
nice -n 10 "$HOST" crash-cycles "$CYCLES" "$FW/crash.elf" >"$T/crash.txt" 2>&1 &
P1=$!
nice -n 10 "$HOST" flood "$FLOOD_S" "$FW/flood.elf" 64 >"$T/flood.txt" 2>&1 &
P2=$!
BG_PIDS="$P1 $P2"
attack_rounds
s3=$?
wait $P1; s1=$?
wait $P2; s2=$?
BG_PIDS=
{
	echo "uproc soak report, started $start, finished $(date -u +%FT%TZ) on $(nproc) CPUs"
	echo "commit $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null)"
	echo "[crash/recover, library, status $s1] $(tail -1 "$T/crash.txt")"
	echo "[flood ${FLOOD_S}s, library, status $s2] $(tail -1 "$T/flood.txt")"
	echo "[attacks, uprocd, status $s3] $(cat "$T/attack.txt")"
	[ -f "$T/attack.txt.log" ] && cat "$T/attack.txt.log"
} | tee "$REPORT"
[ $s1 = 0 ] && [ $s2 = 0 ] && [ $s3 = 0 ]
