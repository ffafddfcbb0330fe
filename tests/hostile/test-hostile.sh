#!/bin/bash
# test-hostile.sh UPROCD UPROC CLIENT HOSTILE_HOST FIRMWARE_DIR [IMAGE...]
# The hostile-firmware suite, fast part. Each image (default: every hostile-*.elf)
# runs three ways:
#   1. under the library (hostile-host attack): beside an echo core on the same loop,
#      which must keep answering; the stop must finish in time;
#   2. under "uproc run" with no input: it must exit by itself (any status but a
#      timeout or a signal);
#   3. under uprocd beside an echo core, each image on a processor of its own:
#      started, left to attack, stopped while the echo core is pinged through an
#      endpoint socket; uprocd must answer SIGTERM at the end.
# And what some families must show: a ring image's broken queue is caught (a crash,
# also for a send buffer returned twice); a firmware that faults at once is a crash
# loop ("the same fault 5 times in a row", with the fault) under the library, "uproc
# run" and uprocd, not a failed start; a core whose table's notifyids were rewritten
# is refused at re-attach.
# Bounds are generous ($WAIT seconds): a stuck host fails them by minutes, a slow
# machine (sanitizers, 8 builds at once) passes. Part 3 needs root and /dev/fuse.
set -u
UPROCD=$1 UPROC=$2 CLIENT=$3 HOST=$4 FWDIR=$5
shift 5
WAIT=${HOSTILE_WAIT:-45}

. "$(dirname "$0")/../daemon/daemon-test-lib.sh"
daemon_test_setup hostile-test

# expect WHAT TEXT PATTERN...: every extended regular expression matches TEXT
expect() {
	local what=$1 text=$2 p
	shift 2
	for p in "$@"; do
		echo "$text" | grep -qE -- "$p" || { fail "$what: no '$p' in: $(echo "$text" | tail -3)"; return; }
	done
	pass "$what"
}

images=("$@")
if [ ${#images[@]} -eq 0 ]; then
	for f in "$FWDIR"/hostile-*.elf; do images+=("$(basename "$f" .elf)"); done
fi
[ -f "$FWDIR/echo.elf" ] || { echo "no $FWDIR/echo.elf"; exit 1; }
has() { [[ " ${images[*]} " == *" $1 "* ]]; }
LOOP_WORDS='crash loop: the same fault 5 times in a row'

# Parts 1 and 2 run side by side (their time is mostly waiting), each into a file.
# ---- 1. the library -----------------------------------------------------------------
library_part() {
	for img in "${images[@]}"; do
		until_crash=
		case $img in hostile-rings-*) until_crash=-c ;; esac
		out=$(timeout $((3 * WAIT)) "$HOST" attack $until_crash -t 1 -b "$WAIT" \
			"$FWDIR/$img.elf" "$FWDIR/echo.elf" 2>&1)
		rc=$?
		[ $rc = 0 ] && pass "library: $(echo "$out" | tail -1)" ||
			fail "library: $img (status $rc): $(echo "$out" | tail -5)"
		case $img in
		hostile-rings-*) expect "library: $img: its broken queue is a crash" "$out" \
			"state crashed, [1-9][0-9]* crashes" "the remote broke vdev0's virtqueue" ;;
		esac
	done
	# With recovery: a fault at once, again and again, is a crash loop, told with its fault.
	if has hostile-faults-at-once; then
		out=$(timeout $((3 * WAIT)) "$HOST" attack -r -t 1 -b "$WAIT" \
			"$FWDIR/hostile-faults-at-once.elf" "$FWDIR/echo.elf" 2>&1)
		expect "library: a fault at once is a crash loop" "$out" "$LOOP_WORDS" \
			"signal 11 \(Segmentation fault\) at rip" "state crashed, 5 crashes"
	fi
	if has hostile-faults-syscall; then
		out=$(timeout $((3 * WAIT)) "$HOST" attack -r -t 1 -b "$WAIT" \
			"$FWDIR/hostile-faults-syscall.elf" "$FWDIR/echo.elf" 2>&1)
		expect "library: a forbidden call at once is a crash loop" "$out" "$LOOP_WORDS" \
			"a forbidden system call" "state crashed, 5 crashes"
	fi
}

# ---- 2. uproc run ---------------------------------------------------------------------
run_part() {
	for img in "${images[@]}"; do
		start=$SECONDS
		# no input: end of input after a second, once the attack is under way; standard
		# output drains slower than a streaming remote fills it (a shell loop reads it)
		sleep 1 | timeout -k 5 "$WAIT" "$UPROC" run --no-trace "$FWDIR/$img.elf" 2>"$T/run.err" |
			while IFS= read -r line; do :; done
		rc=${PIPESTATUS[1]}
		if [ $rc -ge 124 ]; then
			fail "uproc run $img: no exit within ${WAIT}s (status $rc)"
			tail -5 "$T/run.err"
		else
			pass "uproc run $img: exit $rc after $((SECONDS - start))s"
		fi
	done
	if has hostile-faults-at-once; then
		timeout -k 5 "$WAIT" "$UPROC" run --no-trace --recovery enabled \
			"$FWDIR/hostile-faults-at-once.elf" </dev/null >/dev/null 2>"$T/run.err"
		rc=$?
		out=$(cat "$T/run.err")
		[ $rc -lt 124 ] && expect "uproc run: a fault at once is a crash loop (exit $rc)" "$out" \
			"the same fault 5 times in a row" "Segmentation fault" ||
			fail "uproc run --recovery enabled: no exit within ${WAIT}s"
		echo "$out" | grep -q "ended before the firmware ran" &&
			fail "uproc run: a crash told as a failed start: $out"
	fi
}

library_part >"$T/part1" 2>&1 &
P1=$!
run_part >"$T/part2" 2>&1 &
P2=$!
BG_PIDS="$P1 $P2"
wait $P1 $P2
BG_PIDS=
cat "$T/part1" "$T/part2"
PASSES=$((PASSES + $(grep -c '^ok:' "$T/part1" "$T/part2" | awk -F: '{n += $2} END {print n}')))
FAILS=$((FAILS + $(grep -c '^FAIL:' "$T/part1" "$T/part2" | awk -F: '{n += $2} END {print n}')))

# ---- 3. uprocd beside a well-behaved core ---------------------------------------------
if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ]; then
	echo "uprocd part skipped: needs root and /dev/fuse"
	daemon_test_done
	exit
fi
cp "$FWDIR"/echo.elf "$FWDIR"/hostile-*.elf "$T/fw/"
{
	cat <<CONF
[remoteproc echo]
backend = native
firmware = echo.elf
auto_boot = yes
CONF
	# each image on a processor of its own: a crashed one stays crashed (as in
	# Linux, it is recovered, not stopped) without holding up the next
	for img in "${images[@]}"; do
		printf '\n[remoteproc %s]\nbackend = native\nfirmware = %s.elf\nrecovery = disabled\n' \
			"$img" "$img"
	done
	has hostile-faults-at-once &&
		printf '\n[remoteproc loop]\nbackend = native\nfirmware = hostile-faults-at-once.elf\nrecovery = enabled\n'
} | daemon_conf
E=$ROOT/class/remoteproc
start_daemon
wait_for $WAIT grep -qx running "$E/remoteproc0/state" || { fail "the echo core did not come up"; exit 1; }
wait_for $WAIT sh -c "'$UPROC' channels echo | grep -q rpmsg-client-sample" ||
	{ fail "the echo core announced nothing"; exit 1; }
EPT=$(echo_endpoint echo rpmsg-client-sample 0x500) || { fail "no endpoint on the echo core"; exit 1; }
# echo_ok: the well-behaved core answers through uprocd within $WAIT seconds
echo_ok() { [ "$(timeout "$WAIT" "$CLIENT" ept-send "$EPT" "$1" 2>/dev/null)" = "$1" ]; }
echo_ok hello && pass "uprocd: the echo core answers" || fail "uprocd: no echo at the start"
state_of() { "$UPROC" status "$1" 2>/dev/null | sed -n "s/^${2:-state}: *//p"; }

for img in "${images[@]}"; do
	timeout "$WAIT" "$UPROC" start "$img" >/dev/null 2>"$T/start.err" ||
		echo "    (start: $(cat "$T/start.err"))"
	if [ "$img" = hostile-rings-twice ]; then
		# a send for it to return twice: uprocd sends nothing on its own
		wait_for $WAIT sh -c "'$UPROC' channels $img | grep -q rpmsg-client-sample"
		E2=$(echo_endpoint "$img" rpmsg-client-sample 0x600) && "$CLIENT" ept-write "$E2" twice ||
			fail "uprocd: no message to $img"
	fi
	sleep 0.5 # let the attack run
	case $img in
	hostile-rings-*) wait_for $WAIT sh -c "'$UPROC' status $img | grep -q '^crashes: *[1-9]'" ;;
	esac
	echo_ok "during $img" && pass "uprocd: echo answers during $img" ||
		fail "uprocd: echo silent during $img"
	start=$SECONDS
	timeout -k 5 "$WAIT" "$UPROC" stop "$img" >/dev/null 2>&1 &
	STOP=$!
	echo_ok "stopping $img" && pass "uprocd: echo answers while $img stops" ||
		fail "uprocd: echo silent while $img stops"
	wait $STOP
	rc=$?
	state=$(state_of "$img")
	if [ $rc -ge 124 ]; then
		fail "uprocd: uproc stop $img did not finish within ${WAIT}s"
	elif [ "$state" != offline ] && [ "$state" != crashed ]; then
		# a core that crashed by itself stays crashed: then the stop is refused
		fail "uprocd: after stop $img the state is $state"
	else
		pass "uprocd: stop $img in $((SECONDS - start))s (state $state)"
	fi
	case $img in
	hostile-rings-*) crashes=$(state_of "$img" crashes) # (waited for above)
		[ "${crashes:-0}" -ge 1 ] && pass "uprocd: $img's broken queue was a crash ($(state_of "$img" "crash reason"))" ||
			fail "uprocd: $img broke a queue unseen: $("$UPROC" trace "$img" | tail -3)" ;;
	esac
done
echo_ok "at the end" && pass "uprocd: echo answers at the end" || fail "uprocd: echo silent at the end"

# A fault at once with recovery enabled: the crash loop stops recovery and says so.
if has hostile-faults-at-once; then
	timeout "$WAIT" "$UPROC" start loop >/dev/null 2>&1
	if wait_for $WAIT sh -c "'$UPROC' status loop | grep -q '^same fault: *5 times in a row'"; then
		out=$("$UPROC" status loop)
		expect "uprocd: a fault at once is a crash loop" "$out" "^state: *crashed" \
			"^crashes: *5" "^crash reason: *signal 11" "^last error: .*$LOOP_WORDS"
	else
		fail "uprocd: no crash loop: $("$UPROC" status loop | grep -E 'state|crash|error')"
	fi
	echo_ok "after the loop" || fail "uprocd: echo silent after the crash loop"
fi

# Re-attach: a core that rewrote its table's notifyids is refused by the next uprocd
# (it would end attached and unreachable); the echo core is attached and answers.
if has hostile-table-notifyids; then
	timeout "$WAIT" "$UPROC" start hostile-table-notifyids >/dev/null 2>&1
	wait_for "$WAIT" sh -c "'$UPROC' trace hostile-table-notifyids | grep -q 'notifyids rewritten'" ||
		fail "uprocd: the table image did not come up"
	stop_daemon
	start_daemon
	wait_for $WAIT grep -qx attached "$E/remoteproc0/state" ||
		fail "uprocd: the echo core was not attached after the restart"
	state=$(state_of hostile-table-notifyids)
	[ "$state" != attached ] && pass "uprocd: rewritten notifyids refused at re-attach ($state)" ||
		fail "uprocd: attached a core whose notifyids were rewritten"
	EPT=$(echo_endpoint echo rpmsg-client-sample 0x501)
	echo_ok "after re-attach" && pass "uprocd: echo answers after the re-attach" ||
		fail "uprocd: echo silent after the re-attach"
fi
stop_daemon
[ -n "$DAEMON_STATUS" ] && pass "uprocd: SIGTERM honoured"
daemon_test_done
