#!/bin/bash
# test-hostile.sh UPROCD UPROC CLIENT HOSTILE_HOST FIRMWARE_DIR [IMAGE...]
# The hostile-firmware suite, fast part. Each image (default: every hostile-*.elf)
# runs three ways:
#   1. under the library (hostile-host attack): beside an echo core on the same loop,
#      which must keep answering; the stop must finish in time;
#   2. under "uproc run" with no input: it must exit by itself (any status but a
#      timeout or a signal);
#   3. under uprocd beside an echo core: started, pinged through an endpoint socket,
#      stopped while the echo core is pinged; uprocd must answer SIGTERM at the end.
# Bounds are generous ($WAIT seconds): a stuck host fails them by minutes, a slow
# machine (sanitizers, 8 builds at once) passes. Part 3 needs root and /dev/fuse.
set -u
UPROCD=$1 UPROC=$2 CLIENT=$3 HOST=$4 FWDIR=$5
shift 5
WAIT=${HOSTILE_WAIT:-45}
FAILS=0 PASSES=0
T=$(mktemp -d /tmp/hostile-test.XXXXXX)
chmod 755 "$T"
DAEMON_PID=

log() { echo "--- $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; PASSES=$((PASSES + 1)); }

wait_for() {	# wait_for SECONDS COMMAND...
	local end=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}
until_gone() {	# until_gone SECONDS PID
	local end=$((SECONDS + $1))
	while kill -0 "$2" 2>/dev/null; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

cleanup() {
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID"
		until_gone 10 "$DAEMON_PID" || kill -9 "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
	fi
	# cores the daemon left behind (it leaves them running on exit by design)
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

images=("$@")
if [ ${#images[@]} -eq 0 ]; then
	for f in "$FWDIR"/hostile-*.elf; do images+=("$(basename "$f" .elf)"); done
fi
[ -f "$FWDIR/echo.elf" ] || { echo "no $FWDIR/echo.elf"; exit 1; }

# ---- 1. the library -----------------------------------------------------------------
for img in "${images[@]}"; do
	out=$(timeout $((3 * WAIT)) "$HOST" attack -t 2 -b "$WAIT" "$FWDIR/$img.elf" \
		"$FWDIR/echo.elf" 2>&1)
	rc=$?
	[ $rc = 0 ] && pass "library: $(echo "$out" | tail -1)" ||
		fail "library: $img (status $rc): $(echo "$out" | tail -5)"
done

# ---- 2. uproc run ---------------------------------------------------------------------
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

# ---- 3. uprocd beside a well-behaved core ---------------------------------------------
if [ "$(id -u)" != 0 ] || [ ! -c /dev/fuse ]; then
	echo "uprocd part skipped: needs root and /dev/fuse"
	echo "$PASSES passed, $FAILS failed"
	[ $FAILS = 0 ]
	exit
fi
ROOT=$T/root RUN=$T/run
mkdir -p "$T/fw" "$RUN"
cp "$FWDIR"/echo.elf "$FWDIR"/hostile-*.elf "$T/fw/"
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
firmware = echo.elf
firmware_path = $T/fw
recovery = disabled
CONF
export UPROC_SOCKET=$RUN/uprocd.sock
"$UPROCD" -c "$T/uprocd.conf" >"$T/uprocd.log" 2>&1 &
DAEMON_PID=$!
E=$ROOT/class/remoteproc
wait_for $WAIT grep -qx running "$E/remoteproc0/state" || { fail "uprocd did not come up"; exit 1; }
wait_for $WAIT test -f "$RUN/dev/rpmsg_ctrl0" || { fail "no rpmsg_ctrl0"; exit 1; }
wait_for $WAIT sh -c "'$UPROC' channels echo | grep -q rpmsg-client-sample" ||
	{ fail "the echo core announced nothing"; exit 1; }
M=$("$CLIENT" ept-create "$RUN/dev/rpmsg_ctrl0" rpmsg-client-sample 0x500 0xffffffff)
EPT=$ROOT/dev/rpmsg$M
# echo_ok: the well-behaved core answers through uprocd within $WAIT seconds
echo_ok() { [ "$(timeout "$WAIT" "$CLIENT" ept-send "$EPT" "$1" 2>/dev/null)" = "$1" ]; }
echo_ok hello && pass "uprocd: the echo core answers" || fail "uprocd: no echo at the start"

for img in "${images[@]}"; do
	echo "$img.elf" >"$E/remoteproc1/firmware"
	timeout "$WAIT" "$UPROC" start bad >/dev/null 2>"$T/start.err" ||
		echo "    (start: $(cat "$T/start.err"))"
	sleep 1 # let the attack run
	echo_ok "during $img" && pass "uprocd: echo answers during $img" ||
		fail "uprocd: echo silent during $img"
	start=$SECONDS
	timeout -k 5 "$WAIT" "$UPROC" stop bad >/dev/null 2>&1 &
	STOP=$!
	echo_ok "stopping $img" && pass "uprocd: echo answers while $img stops" ||
		fail "uprocd: echo silent while $img stops"
	wait $STOP
	rc=$?
	state=$(cat "$E/remoteproc1/state")
	if [ $rc -ge 124 ]; then
		fail "uprocd: uproc stop $img did not finish within ${WAIT}s"
	elif [ "$state" != offline ] && [ "$state" != crashed ]; then
		# a core that crashed by itself may already be offline: a stop then fails
		fail "uprocd: after stop $img the state is $state"
	else
		pass "uprocd: stop $img in $((SECONDS - start))s (state $state)"
	fi
	[ "$state" = crashed ] && timeout "$WAIT" "$UPROC" stop bad >/dev/null 2>&1
done

echo_ok "at the end" && pass "uprocd: echo answers at the end" || fail "uprocd: echo silent at the end"

# Re-attach: a core that rewrote its table's notifyids is refused by the next uprocd
# (it would end attached and unreachable); the echo core is attached and answers.
if [ -f "$T/fw/hostile-table-notifyids.elf" ]; then
	echo hostile-table-notifyids.elf >"$E/remoteproc1/firmware"
	timeout "$WAIT" "$UPROC" start bad >/dev/null 2>&1
	wait_for "$WAIT" sh -c "'$UPROC' trace bad | grep -q 'notifyids rewritten'" ||
		fail "uprocd: the table image did not come up"
	kill -TERM "$DAEMON_PID"
	until_gone "$WAIT" "$DAEMON_PID" || kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	"$UPROCD" -c "$T/uprocd.conf" >>"$T/uprocd.log" 2>&1 &
	DAEMON_PID=$!
	wait_for $WAIT grep -qx attached "$E/remoteproc0/state" ||
		fail "uprocd: the echo core was not attached after the restart"
	state=$(cat "$E/remoteproc1/state" 2>&1)
	[ "$state" != attached ] && pass "uprocd: rewritten notifyids refused at re-attach ($state)" ||
		fail "uprocd: attached a core whose notifyids were rewritten"
	wait_for $WAIT test -f "$RUN/dev/rpmsg_ctrl0" &&
		M=$("$CLIENT" ept-create "$RUN/dev/rpmsg_ctrl0" rpmsg-client-sample 0x501 0xffffffff)
	EPT=$ROOT/dev/rpmsg$M
	echo_ok "after re-attach" && pass "uprocd: echo answers after the re-attach" ||
		fail "uprocd: echo silent after the re-attach"
fi
kill -TERM "$DAEMON_PID"
if until_gone "$WAIT" "$DAEMON_PID"; then
	pass "uprocd: SIGTERM honoured"
else
	fail "uprocd: ignored SIGTERM for ${WAIT}s"
	kill -9 "$DAEMON_PID"
fi
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
[ $FAILS = 0 ] || { echo "=== uprocd log"; tail -40 "$T/uprocd.log"; }
echo "$PASSES passed, $FAILS failed"
[ $FAILS = 0 ]
