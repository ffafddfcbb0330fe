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
T=$(mktemp -d /tmp/uproc-soak.XXXXXX)
chmod 755 "$T"
DAEMON_PID=
PIDS=

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID"; sleep 2; kill -9 "$DAEMON_PID" 2>/dev/null
	fi
	for f in "$T"/run/native/*.core; do
		[ -f "$f" ] || continue
		pid=$(sed -n 's/^pid //p' "$f")
		[ -n "$pid" ] && grep -q uproc "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid"
	done
	mountpoint -q "$T/root" 2>/dev/null && { fusermount3 -u "$T/root" 2>/dev/null || umount -l "$T/root"; }
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

wait_for() {
	local end=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}
fds_of() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rss_of() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# ---- attack/recover rounds under uprocd ------------------------------------------
attack_rounds() {
	local out=$T/attack.txt
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ]; then
		echo "attack rounds under uprocd: skipped (needs root and /dev/fuse)" >"$out"
		return 0
	fi
	local ROOT=$T/root RUN=$T/run E
	mkdir -p "$T/fw" "$RUN"
	cp "$FW"/echo.elf "$FW"/crash.elf "$FW"/hostile-*.elf "$T/fw/"
	cat >"$T/uprocd.conf" <<CONF
[uprocd]
root = $ROOT
runtime_dir = $RUN

[remoteproc echo]
backend = native
firmware = echo.elf
firmware_path = $T/fw
auto_boot = yes

[remoteproc bad]
backend = native
firmware = crash.elf
firmware_path = $T/fw
recovery = enabled
CONF
	export UPROC_SOCKET=$RUN/uprocd.sock
	"$B/bin/uprocd" -c "$T/uprocd.conf" >"$T/uprocd.log" 2>&1 &
	DAEMON_PID=$!
	E=$ROOT/class/remoteproc
	wait_for $WAIT grep -qx running "$E/remoteproc0/state" &&
		wait_for $WAIT test -f "$RUN/dev/rpmsg_ctrl0" &&
		wait_for $WAIT sh -c "'$B/bin/uproc' channels echo | grep -q rpmsg-client-sample" ||
		{ echo "attack rounds: uprocd did not come up" >"$out"; return 1; }
	local M EPT
	M=$("$B/tests/daemon/uprocd-test-client" ept-create "$RUN/dev/rpmsg_ctrl0" \
		rpmsg-client-sample 0x500 0xffffffff)
	EPT=$ROOT/dev/rpmsg$M
	local fds0 rss0 fails=0 pings=0 slowest=0 attacks=0 recoveries=0 r img t0 ms
	ping_echo() {
		t0=$(date +%s%N)
		[ "$(timeout $WAIT "$B/tests/daemon/uprocd-test-client" ept-send "$EPT" "$1" 2>/dev/null)" = "$1" ] ||
			{ fails=$((fails + 1)); return; }
		ms=$((($(date +%s%N) - t0) / 1000000))
		pings=$((pings + 1))
		[ $ms -gt $slowest ] && slowest=$ms
	}
	ping_echo start
	fds0=$(fds_of $DAEMON_PID) rss0=$(rss_of $DAEMON_PID)
	for ((r = 1; r <= ROUNDS; r++)); do
		for f in "$T"/fw/hostile-*.elf; do
			img=$(basename "$f")
			echo "$img" >"$E/remoteproc1/firmware"
			timeout $WAIT "$B/bin/uproc" start bad >/dev/null 2>&1
			sleep 0.5
			ping_echo "r$r $img"
			timeout $WAIT "$B/bin/uproc" stop bad >/dev/null 2>&1 || {
				[ "$(cat "$E/remoteproc1/state")" = offline ] ||
					{ fails=$((fails + 1)); echo "round $r: stop $img failed" >>"$out.log"; }
			}
			attacks=$((attacks + 1))
		done
		# a crash and its recovery, between the attacks
		echo crash.elf >"$E/remoteproc1/firmware"
		timeout $WAIT "$B/bin/uproc" start bad >/dev/null 2>&1
		echo 1 >"$ROOT/debug/remoteproc/remoteproc1/crash" 2>/dev/null
		if wait_for $WAIT grep -qx running "$E/remoteproc1/state"; then
			recoveries=$((recoveries + 1))
		else
			fails=$((fails + 1))
		fi
		timeout $WAIT "$B/bin/uproc" stop bad >/dev/null 2>&1
		ping_echo "round $r done"
	done
	echo "attack rounds under uprocd: $ROUNDS rounds, $attacks attacks, $recoveries crash" \
		"recoveries, $fails failures; echo core: $pings answers, slowest ${slowest} ms;" \
		"uprocd fds $fds0 -> $(fds_of $DAEMON_PID), RSS $rss0 -> $(rss_of $DAEMON_PID) KiB" >"$out"
	kill -TERM $DAEMON_PID
	wait_for $WAIT sh -c "! kill -0 $DAEMON_PID" || { echo "uprocd ignored SIGTERM" >>"$out"; fails=$((fails + 1)); }
	wait $DAEMON_PID 2>/dev/null
	DAEMON_PID=
	[ $fails = 0 ]
}

start=$(date -u +%FT%TZ)
nice -n 10 "$HOST" crash-cycles "$CYCLES" "$FW/crash.elf" >"$T/crash.txt" 2>&1 &
P1=$!
nice -n 10 "$HOST" flood "$FLOOD_S" "$FW/flood.elf" 64 >"$T/flood.txt" 2>&1 &
P2=$!
PIDS="$P1 $P2"
attack_rounds
s3=$?
wait $P1; s1=$?
wait $P2; s2=$?
PIDS=
{
	echo "uproc soak report, started $start, finished $(date -u +%FT%TZ) on $(nproc) CPUs"
	echo "commit $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null)"
	echo "[crash/recover, library, status $s1] $(tail -1 "$T/crash.txt")"
	echo "[flood ${FLOOD_S}s, library, status $s2] $(tail -1 "$T/flood.txt")"
	echo "[attacks, uprocd, status $s3] $(cat "$T/attack.txt")"
	[ -f "$T/attack.txt.log" ] && cat "$T/attack.txt.log"
} | tee "$REPORT"
[ $s1 = 0 ] && [ $s2 = 0 ] && [ $s3 = 0 ]
