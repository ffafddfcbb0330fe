#!/bin/bash
# test-uprocd.sh UPROCD UPROC CLIENT FIRMWARE_DIR
# End to end: uprocd from a test configuration in a temporary directory (its tree
# mounted inside it), driven with shell redirections, cat, the uproc command, the
# endpoint and control device files, a tty (and picocom), back-pressure on a tty and a
# console (a frozen core runs out of buffers; nothing is lost), a client holding
# shutdown-on-release, a restart that must attach, --stop-on-exit (the next uprocd
# boots afresh and restores no endpoint of the earlier run), refused firmware paths and
# writes by users without permission. Cleans up on every exit, failed or not: no
# helper, uprocd or core process is left running, no tree left mounted, no file
# left behind. Every wait is for a condition, bounded by $WAIT seconds (generous:
# a sanitizer build on a loaded 2-core machine is slow, and the bound only costs
# time when something fails).
set -u
UPROCD=$1 UPROC=$2 CLIENT=$3 FWDIR=$4
GROUP=4242

. "$(dirname "$0")/daemon-test-lib.sh"
need_fuse	# and root for setpriv
need_firmware echo tty
daemon_test_setup uprocd-test

# stop_daemon (daemon-test-lib.sh), and uprocd must exit cleanly
stop_daemon_clean() {
	stop_daemon
	[ "$DAEMON_STATUS" = 0 ] && pass "uprocd exited cleanly" ||
		fail "uprocd exited with status $DAEMON_STATUS"
}

# expect_write WORDS FILE ERRTEXT: "echo WORDS > FILE" must fail with ERRTEXT
expect_write_error() {
	local out
	out=$(bash -c "echo $1 > $2" 2>&1) && { fail "echo $1 > $2 succeeded"; return; }
	case "$out" in *"$3"*) pass "echo $1 > ${2#$ROOT/}: $3";;
		*) fail "echo $1 > $2: '$out', expected '$3'";; esac
}

expect_cat() {
	local got
	got=$(cat "$1" 2>&1)
	[ "$got" = "$2" ] && pass "cat ${1#$ROOT/} = $2" || fail "cat $1 = '$got', expected '$2'"
}

# ---- setup ------------------------------------------------------------------
mkdir -p "$T/fw/sub"
for f in "$FWDIR"/*.elf; do cp "$f" "$T/fw/"; done
cp "$FWDIR/echo.elf" "$T/secret.elf"
ln -s ../secret.elf "$T/fw/evil.elf"
ln -s /etc/passwd "$T/fw/abs.elf"
ln -s ../echo.elf "$T/fw/sub/inside.elf"   # a link that stays inside

cat >"$CONF" <<CONF
[uprocd]
root = $ROOT
runtime_dir = $RUN
group = $GROUP

[remoteproc echo]
backend = native
firmware = echo.elf
firmware_path = $T/fw
recovery = disabled
# endpoints live from CREATE_EPT to DESTROY_EPT and keep what arrives while
# closed: the restart below loses no message (Linux's lifetime, the default, is
# test-uprocd-linux.py's)
rpmsg_queue_closed = 64

[remoteproc tty]
backend = native
firmware = tty.elf
firmware_path = $T/fw
auto_boot = yes

[remoteproc con]
backend = native
firmware = console.elf
firmware_path = $T/fw
CONF

log "uproc without a daemon says what to do"
out=$("$UPROC" list 2>&1) && fail "uproc list worked without uprocd"
case "$out" in *"uprocd is not running (no socket at $RUN/uprocd.sock)"*"uprocd -c FILE"*)
	pass "error: $out";; *) fail "unhelpful error: $out";; esac

log "start uprocd"
start_daemon
E=$ROOT/class/remoteproc/remoteproc0
D=$ROOT/debug/remoteproc/remoteproc0
expect_cat "$E/name" echo
expect_cat "$E/state" offline
expect_cat "$E/firmware" echo.elf
expect_cat "$E/recovery" disabled
expect_cat "$E/coredump" disabled
expect_cat "$D/name" echo
expect_cat "$ROOT/class/remoteproc/remoteproc1/name" tty
wait_for $WAIT grep -qx running "$ROOT/class/remoteproc/remoteproc1/state" &&
	pass "auto_boot: tty running" || fail "tty not auto-booted"
ls -l "$ROOT/class/remoteproc/remoteproc0" | grep -q "rw-rw-r-- 1 root $GROUP.* state" &&
	pass "state is rw-rw-r-- root:$GROUP" || { fail "modes"; ls -l "$E"; }

log "the tree with shell redirections"
echo start > "$E/state" && pass "echo start > state" || fail "echo start > state"
expect_cat "$E/state" running
echo start > "$E/state" && pass "start on running: one more power reference" || fail "start on running"
echo stop > "$E/state"; expect_cat "$E/state" running
expect_write_error bogus "$E/state" "Invalid argument"
expect_write_error detach "$E/state" "Invalid argument"
expect_write_error echo.elf "$E/firmware" "Device or resource busy"
printf 'stop' > "$E/state" && pass "stop without a newline" || fail "printf stop > state"
expect_cat "$E/state" offline
expect_write_error stop "$E/state" "Invalid argument"
echo enabled > "$E/recovery"; expect_cat "$E/recovery" enabled
echo disabled > "$D/recovery"; expect_cat "$E/recovery" disabled
echo inline > "$E/coredump"; expect_cat "$D/coredump" inline
echo disabled > "$E/coredump"
expect_write_error sometimes "$E/coredump" "Invalid argument"
expect_write_error maybe "$E/recovery" "Invalid argument"
expect_write_error x "$D/crash" "Invalid argument"

log "firmware names resolve only inside the firmware directories"
expect_write_error ../secret.elf "$E/firmware" "Permission denied"
expect_write_error "$T/secret.elf" "$E/firmware" "Permission denied"
expect_write_error /etc/passwd "$E/firmware" "Permission denied"
expect_write_error evil.elf "$E/firmware" "Permission denied"
expect_write_error abs.elf "$E/firmware" "Permission denied"
expect_write_error sub/../../secret.elf "$E/firmware" "Permission denied"
echo none.elf > "$E/firmware" && pass "a missing name is accepted while offline (Linux)" ||
	fail "echo none.elf > firmware"
expect_cat "$E/firmware" none.elf
expect_write_error start "$E/state" "No such file"
expect_cat "$E/state" offline
expect_write_error "''" "$E/firmware" "Invalid argument"
echo sub/inside.elf > "$E/firmware"; expect_cat "$E/firmware" sub/inside.elf
echo "$T/fw/echo.elf" > "$E/firmware"; expect_cat "$E/firmware" "$T/fw/echo.elf"
echo echo.elf > "$E/firmware"; expect_cat "$E/firmware" echo.elf
out=$("$UPROC" firmware echo ../secret.elf 2>&1)
case "$out" in *"outside the firmware directories"*) pass "uproc firmware: $out";;
	*) fail "uproc firmware ../secret.elf: $out";; esac

log "writes by users without permission are refused"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_member() { setpriv --reuid=65534 --regid=65534 --groups=$GROUP "$@"; }
got=$(as_nobody cat "$E/state" 2>&1)
[ "$got" = offline ] && pass "nobody reads state" || fail "nobody cat state: $got"
out=$(as_nobody sh -c "echo start > $E/state" 2>&1) && fail "nobody started a core"
case "$out" in *"Permission denied"*) pass "nobody: $out";; *) fail "nobody write: $out";; esac
as_nobody sh -c "echo 2 > $D/crash" 2>/dev/null && fail "nobody crashed a core"
expect_cat "$E/state" offline
out=$(as_nobody "$UPROC" start echo 2>&1) && fail "nobody started via uproc"
case "$out" in *"only root"*) pass "uproc as nobody: $out";; *) fail "uproc as nobody: $out";; esac
out=$(as_nobody "$UPROC" list 2>&1) && pass "nobody may list" || fail "nobody list: $out"
as_member sh -c "echo start > $E/state" && pass "a member of group $GROUP starts it" ||
	fail "group member could not write"
expect_cat "$E/state" running
as_member sh -c "echo stop > $E/state"
expect_cat "$E/state" offline

log "the uproc command"
"$UPROC" list | grep -q "remoteproc0 *echo *offline *echo.elf" && pass "uproc list" ||
	fail "uproc list: $("$UPROC" list 2>&1)"
"$UPROC" start echo >/dev/null; expect_cat "$E/state" running
out=$("$UPROC" start echo 2>&1) && fail "second start worked"
case "$out" in *"already running"*"uproc stop echo"*) pass "$out";; *) fail "$out";; esac
"$UPROC" status echo | grep -q "state: *running" && pass "uproc status" || fail "status"
"$UPROC" coredump echo bogus 2>&1 | grep -q "disabled, enabled, inline" && pass "coredump words"
"$UPROC" recovery echo enabled >/dev/null; expect_cat "$E/recovery" enabled
"$UPROC" stop echo >/dev/null; expect_cat "$E/state" offline
out=$("$UPROC" status nosuch 2>&1); case "$out" in *"no processor 'nosuch'"*) pass "$out";;
	*) fail "$out";; esac

log "a client that dies mid-command changes nothing"
"$UPROC" start echo >/dev/null
# the first 10 bytes of a "stop echo" frame, then the client is gone
printf '\001\000\004\000\000\000\000\000\006\000' |
	timeout 5 "$CLIENT" raw-stream "$UPROC_SOCKET" 2>/dev/null
sleep 0.3
expect_cat "$E/state" running
"$UPROC" list >/dev/null && pass "uprocd still serves" || fail "uprocd gone"

log "an endpoint device"
wait_for $WAIT ctrl_of echo && CTRL=$(ctrl_of echo) && pass "control device $CTRL" ||
	fail "no rpmsg_ctrl for echo"
# the channel the remote announced is listed, nothing here serving it yet
wait_for $WAIT sh -c "'$UPROC' channels echo | grep -q '^channel rpmsg-client-sample  remote 0x[0-9a-f]*  not served$'" &&
	pass "uproc channels: the remote's channel, not served" ||
	fail "remote channel not listed: $("$UPROC" channels echo 2>&1)"
M=$("$CLIENT" ept-create "$CTRL" rpmsg-client-sample 0x500 0xffffffff)
[ -f "$RUN/dev/rpmsg$M" ] && pass "endpoint rpmsg$M" || fail "endpoint: $M"
got=$("$CLIENT" ept-send "$ROOT/dev/rpmsg$M" hello "second message")
[ "$got" = "$(printf 'hello\nsecond message')" ] && pass "echoed: $got" || fail "echo: '$got'"
got=$("$CLIENT" ept-burst "$ROOT/dev/rpmsg$M" 3000)
[ "$got" = "3000 3000" ] && pass "3000 messages echoed in order (flow control)" ||
	fail "burst: $got"
"$UPROC" channels echo | grep -q "rpmsg$M" && pass "uproc channels" || fail "channels"
"$UPROC" channels echo | grep -q "^channel rpmsg-client-sample  remote 0x[0-9a-f]*  served by rpmsg$M$" &&
	pass "uproc channels: the remote's channel served by rpmsg$M" ||
	fail "remote channel not served: $("$UPROC" channels echo 2>&1)"
timeout $WAIT "$UPROC" trace echo -f > "$T/follow" 2>&1 &
FOLLOW=$!
BG_PIDS="$BG_PIDS $FOLLOW"
wait_for $WAIT grep -q "echo firmware: starting" "$T/follow" && pass "uproc trace -f" ||
	fail "trace -f: $(head -3 "$T/follow")"
kill $FOLLOW 2>/dev/null
wait $FOLLOW 2>/dev/null
"$UPROC" trace echo | grep -q "echo firmware: starting" && pass "uproc trace" ||
	fail "trace: $("$UPROC" trace echo 2>&1 | head -3)"
grep -q "echo firmware: starting" "$D/trace0" && pass "debug trace0" || fail "trace0"
grep -q "Entry 1 is of type vdev" "$D/resource_table" && pass "resource_table" ||
	fail "resource_table: $(head -3 "$D/resource_table" 2>&1)"
grep -q "Carveout memory entry" "$D/carveout_memories" && pass "carveout_memories" ||
	fail "carveout_memories: $(head -3 "$D/carveout_memories" 2>&1)"
M3=$("$CLIENT" ept-create "$CTRL" rpmsg-client-sample 0x700 0xffffffff)
got=$("$CLIENT" ept-destroy "$RUN/dev/rpmsg$M3")
[ "$got" = 0 ] && [ ! -e "$RUN/dev/rpmsg$M3" ] && pass "RPMSG_DESTROY_EPT_IOCTL: rpmsg$M3 gone" ||
	fail "DESTROY_EPT: $got"
got=$("$CLIENT" dev-create "$CTRL" rpmsg-tty 0x800 0xffffffff)
[ "$got" = 0 ] && wait_for $WAIT sh -c "'$UPROC' channels echo | grep -q 'rpmsg-tty  src 0x800'" &&
	pass "CREATE_DEV rpmsg-tty: a local channel with a tty" || fail "CREATE_DEV: $got"
got=$("$CLIENT" dev-release "$CTRL" rpmsg-tty 0x800)
[ "$got" = 0 ] && ! "$UPROC" channels echo | grep -q 'src 0x800' &&
	pass "RELEASE_DEV" || fail "RELEASE_DEV: $got"
"$CLIENT" ept-wait-hup "$RUN/dev/rpmsg$M" $WAIT > "$T/hup" &
HUP=$!
BG_PIDS="$BG_PIDS $HUP"
wait_for $WAIT sh -c "'$UPROC' channels echo | grep -q 'rpmsg$M .*(open)'" ||
	fail "ept-wait-hup did not connect"
echo stop > "$E/state"
wait $HUP
grep -q "hup epipe" "$T/hup" && pass "EPIPE when the channel goes" || fail "hup: $(cat "$T/hup")"
[ -e "$RUN/dev/rpmsg$M" ] && fail "rpmsg$M still there" || pass "rpmsg$M removed"

log "a tty: case-inverted reply"
TTY=$ROOT/dev/ttyRPMSG0
wait_for $WAIT test -e "$TTY" && pass "ttyRPMSG0 -> $(readlink "$TTY")" || fail "no ttyRPMSG0"
got=$("$CLIENT" tty "$TTY" "Hello World")
[ "$got" = "hELLO wORLD" ] && pass "tty: $got" || fail "tty: '$got'"
# picocom runs until the answer is there (it would exit by itself after -x ms)
timeout $WAIT picocom -q -b 115200 --noreset --nolock -t "Picocom Here" -x $((WAIT * 1000)) \
	"$TTY" </dev/null >"$T/picocom" 2>&1 &
PICOCOM=$!
BG_PIDS="$BG_PIDS $PICOCOM"
wait_for $WAIT grep -q "pICOCOM hERE" "$T/picocom" && pass "picocom: $(cat "$T/picocom")" ||
	fail "picocom: '$(cat "$T/picocom")'"
kill $PICOCOM 2>/dev/null
wait $PICOCOM 2>/dev/null
long=$(head -c 1200 /dev/zero | tr '\0' 'a')
got=$("$CLIENT" tty "$TTY" "$long")
[ "$got" = "$(echo "$long" | tr a A)" ] && pass "1200 bytes through the tty (split at the MTU)" ||
	fail "long tty write: ${#got} bytes back"

if [ -f "$T/fw/console.elf" ]; then
	log "a virtio console as a tty"
	echo start > "$ROOT/class/remoteproc/remoteproc2/state"
	wait_for $WAIT test -e "$ROOT/dev/hvc0" && pass "hvc0 -> $(readlink "$ROOT/dev/hvc0")" ||
		fail "no hvc0"
	got=$("$CLIENT" tty "$ROOT/dev/hvc0" "Virtio Console")
	[ "$got" = "vIRTIO cONSOLE" ] && pass "console: $got" || fail "console: '$got'"
	out=$("$UPROC" console con </dev/null 2>&1) && pass "uproc console con (stdin closed)" ||
		fail "uproc console: $out"
	echo stop > "$ROOT/class/remoteproc/remoteproc2/state"
	wait_for $WAIT test ! -e "$ROOT/dev/hvc0" && pass "hvc0 removed" || fail "hvc0 left"
fi

log "shutdown on release"
"$CLIENT" cdev "$RUN/dev/remoteproc0" start "set_shutdown_on_release 1" get_shutdown_on_release --hold > "$T/cdev" &
CDEV=$!
BG_PIDS="$BG_PIDS $CDEV"
wait_for $WAIT grep -q holding "$T/cdev"
[ "$(head -3 "$T/cdev" | tr '\n' ' ')" = "0 0 1 " ] && pass "cdev replies" || fail "cdev: $(cat "$T/cdev")"
expect_cat "$E/state" running
kill -9 $CDEV
wait $CDEV 2>/dev/null
wait_for $WAIT grep -qx offline "$E/state" && pass "client killed: core stopped" ||
	fail "core still $(cat "$E/state")"

log "restart: running cores are attached, not rebooted, no message lost"
echo start > "$E/state"
PID=$("$UPROC" status echo | sed -n 's/^pid: *//p')
wait_for $WAIT ctrl_of echo && CTRL=$(ctrl_of echo) || fail "no rpmsg_ctrl after start"
M=$("$CLIENT" ept-create "$CTRL" rpmsg-client-sample 0x600 0xffffffff)
# One answer first: the core is up and the endpoint has its destination (its
# channel's address, from the core's announcement).
got=$("$CLIENT" ept-send "$RUN/dev/rpmsg$M" ping)
[ "$got" = ping ] && pass "rpmsg$M talks before the restart" || fail "before restart: '$got'"
# The core is frozen while the messages go out (ept-write returns once uprocd has
# sent them: the rings have room) and uprocd exits; it answers while no uprocd runs, so its answers
# wait in the rings for the next uprocd.
kill -STOP "$PID"
"$CLIENT" ept-write "$RUN/dev/rpmsg$M" one two three || fail "ept-write"
stop_daemon_clean
kill -CONT "$PID"
sleep 0.5 # time to answer while no uprocd runs (answers that come later are fine too)
if alive "$PID"; then pass "core $PID survives uprocd"
else fail "core '$PID' gone with uprocd"; fi
start_daemon
expect_cat "$E/state" attached
PID2=$("$UPROC" status echo | sed -n 's/^pid: *//p')
[ "$PID" = "$PID2" ] && pass "same core process $PID" || fail "core $PID -> $PID2"
wait_for $WAIT test -f "$RUN/dev/rpmsg$M" && pass "rpmsg$M re-created" || fail "rpmsg$M not back"
got=$("$CLIENT" ept-read "$RUN/dev/rpmsg$M" 3 | tr '\n' ' ')
[ "$got" = "one two three " ] && pass "no message lost: $got" || fail "after restart: '$got'"
got=$("$CLIENT" ept-send "$RUN/dev/rpmsg$M" again)
[ "$got" = again ] && pass "talks after attach" || fail "after attach: '$got'"

log "an endpoint made before the remote announces its channel waits for it"
# Frozen across a restart, the core has not yet announced its channels again to
# the new uprocd (it does when it sees a new host): an endpoint created by name now
# has no destination, and its first message waits for the announcement.
kill -STOP "$PID"
stop_daemon_clean
start_daemon -v
expect_cat "$E/state" attached
wait_for $WAIT ctrl_of echo && CTRL=$(ctrl_of echo)
M2=$("$CLIENT" ept-create "$CTRL" rpmsg-client-sample 0xffffffff 0xffffffff)
"$CLIENT" ept-send "$RUN/dev/rpmsg$M2" early > "$T/early" &
EARLY=$!
BG_PIDS="$BG_PIDS $EARLY"
wait_for $WAIT grep -q "rpmsg$M2: waiting for the remote to announce" "$LOG" &&
	pass "rpmsg$M2: the message waits" || fail "rpmsg$M2: no wait for the announcement"
kill -CONT "$PID"
wait $EARLY
[ "$(cat "$T/early")" = early ] && pass "sent once announced: early" ||
	fail "before the announcement: '$(cat "$T/early")'"
grep -q "remoteproc0: the remote announced channel 'rpmsg-client-sample'" "$LOG" &&
	pass "the announcement reached uprocd through the channel hook" ||
	fail "no channel hook seen in the log"
echo start > "$E/state" && pass "start on attached: one more power reference" || fail "start on attached"
echo stop > "$E/state"; expect_cat "$E/state" attached
"$UPROC" detach echo >/dev/null; expect_cat "$E/state" detached
alive "$PID" && pass "detached core $PID still runs" || fail "detach killed the core"
echo start > "$E/state"; expect_cat "$E/state" attached
echo detach > "$E/state"; expect_cat "$E/state" detached
echo start > "$E/state"
echo stop > "$E/state"
expect_cat "$E/state" offline
wait_for $WAIT sh -c "! { [ -r /proc/$PID/stat ] && ! grep -q ') Z' /proc/$PID/stat; }" &&
	pass "stopped core is gone" || fail "core $PID still runs after stop"

log "back-pressure: a remote without free buffers holds the writer, nothing is lost"
# (uprocd runs with -v: it logs the first time a tty finds no free buffer.) A frozen
# core takes nothing: 1-byte writes, a message and a tx buffer each, use up its
# buffers, the tty waits (its master unread), and goes on when buffers come back.
# The echo of what waits is less than a pty holds, so nothing is dropped on the
# way back even before the client reads it.
TTY=$ROOT/dev/ttyRPMSG0
TPID=$("$UPROC" status tty | sed -n 's/^pid: *//p')
wait_for $WAIT test -e "$TTY" || fail "no ttyRPMSG0"
kill -STOP "$TPID"
"$CLIENT" tty-stream "$TTY" 1500 1500 1 1 > "$T/drip" &
DRIP=$!
BG_PIDS="$BG_PIDS $DRIP"
wait_for $WAIT grep -q "ttyRPMSG0: the remote has no free buffer: waiting" "$LOG" &&
	pass "ttyRPMSG0 waits for a free buffer" || fail "ttyRPMSG0 never ran out of buffers"
kill -CONT "$TPID"
wait $DRIP
[ "$(cat "$T/drip")" = "1500 1500" ] && pass "ttyRPMSG0 went on when buffers came back" ||
	fail "ttyRPMSG0 after the wait: $(cat "$T/drip") of 1500 bytes back, in order"
# Then 256 KB as fast as they go, 8 KB ahead of the echo (less than the pty holds).
got=$("$CLIENT" tty-stream "$TTY" 262144 8192)
[ "$got" = "262144 262144" ] && pass "256 KB through ttyRPMSG0, echoed in order" ||
	fail "ttyRPMSG0 stream: $got"
if [ -f "$T/fw/console.elf" ]; then
	C=$ROOT/class/remoteproc/remoteproc2
	echo start > "$C/state"
	wait_for $WAIT test -e "$ROOT/dev/hvc0" || fail "no hvc0"
	CPID=$("$UPROC" status con | sed -n 's/^pid: *//p')
	kill -STOP "$CPID"
	"$CLIENT" tty-stream "$ROOT/dev/hvc0" 600 600 1 2 > "$T/drip" &
	DRIP=$!
	BG_PIDS="$BG_PIDS $DRIP"
	wait_for $WAIT grep -q "hvc0: the remote has no free buffer: waiting" "$LOG" &&
		pass "hvc0 waits for a free buffer" || fail "hvc0 never ran out of buffers"
	kill -CONT "$CPID"
	wait $DRIP
	[ "$(cat "$T/drip")" = "600 600" ] && pass "hvc0 went on when buffers came back" ||
		fail "hvc0 after the wait: $(cat "$T/drip") of 600 bytes back, in order"
	got=$("$CLIENT" tty-stream "$ROOT/dev/hvc0" 262144 8192)
	[ "$got" = "262144 262144" ] && pass "256 KB through hvc0, echoed in order" ||
		fail "hvc0 stream: $got"
	echo stop > "$C/state"
	wait_for $WAIT test ! -e "$ROOT/dev/hvc0" || fail "hvc0 left"
fi

log "uprocd killed with SIGKILL: the next one clears the stale tree and attaches"
TPID=$("$UPROC" status tty | sed -n 's/^pid: *//p')
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
out=$(UPROC_SOCKET=$ROOT/uprocd.sock "$UPROC" list 2>&1)
case "$out" in *"has died and left its tree mounted"*) pass "uproc: $out";;
	*) fail "stale tree: $out";; esac
start_daemon
expect_cat "$ROOT/class/remoteproc/remoteproc1/state" attached
[ "$("$UPROC" status tty | sed -n 's/^pid: *//p')" = "$TPID" ] && pass "tty core $TPID kept" ||
	fail "tty core changed"
wait_for $WAIT test -e "$ROOT/dev/ttyRPMSG0"
got=$("$CLIENT" tty "$ROOT/dev/ttyRPMSG0" "After Kill")
[ "$got" = "aFTER kILL" ] && pass "tty restored: $got" || fail "tty after restart: '$got'"

log "crash, coredump, recovery"
echo enabled > "$E/coredump"
echo start > "$E/state"
echo 2 > "$D/crash" && pass "echo 2 > crash" || fail "echo 2 > crash"
wait_for $WAIT grep -qx crashed "$E/state" && pass "crashed (recovery disabled)" || fail "state $(cat "$E/state")"
expect_write_error inline "$E/coredump" "Device or resource busy"
echo recover > "$E/recovery"
wait_for $WAIT grep -qx running "$E/state" && pass "recovered" || fail "not recovered: $(cat "$E/state")"
DC=$(ls "$ROOT/class/devcoredump" 2>/dev/null | head -1)
if [ -n "$DC" ]; then
	head -c 4 "$ROOT/class/devcoredump/$DC/data" | grep -q ELF && pass "$DC/data is an ELF core" ||
		fail "dump not ELF"
	[ "$(readlink "$ROOT/class/devcoredump/$DC/failing_device")" = ../../remoteproc/remoteproc0 ] &&
		pass "failing_device" || fail "failing_device"
	echo 1 > "$ROOT/class/devcoredump/$DC/data"
	[ -e "$ROOT/class/devcoredump/$DC" ] && fail "$DC still there" || pass "$DC freed by a write"
else
	fail "no devcoredump after recovery"
fi
log "an inline dump holds recovery until it is read"
echo inline > "$E/coredump"
echo enabled > "$E/recovery"
echo 1 > "$D/crash"
wait_for $WAIT sh -c "ls $ROOT/class/devcoredump | grep -q devcd" && pass "inline dump offered" ||
	fail "no inline dump"
# stopped, waiting for the dump, as Linux shows it (and still so a moment later)
wait_for $WAIT grep -qx offline "$E/state"
sleep 0.5
expect_cat "$E/state" offline
DC=$(ls "$ROOT/class/devcoredump" | head -1)
cp "$ROOT/class/devcoredump/$DC/data" "$T/core" 2>/dev/null
head -c 4 "$T/core" | grep -q ELF && pass "read the inline dump ($(stat -c %s "$T/core") bytes)" ||
	fail "inline dump unreadable"
wait_for $WAIT grep -qx running "$E/state" && pass "recovery went on once the dump was read" ||
	fail "still $(cat "$E/state") after reading the dump"
echo disabled > "$E/coredump"
echo stop > "$E/state"

log "uprocd --stop-on-exit stops the cores, attached ones too"
TPID=$("$UPROC" status tty | sed -n 's/^pid: *//p')
stop_daemon_clean
alive "$TPID" && pass "tty core $TPID left running" || fail "tty core '$TPID' gone with uprocd"
start_daemon --stop-on-exit
expect_cat "$ROOT/class/remoteproc/remoteproc1/state" attached
echo start > "$E/state"; expect_cat "$E/state" running
EPID=$("$UPROC" status echo | sed -n 's/^pid: *//p')
# an endpoint device that lives on with nobody holding it (rpmsg_queue_closed), and
# the tty core's ttyRPMSG0: what a detach would save for the next uprocd
wait_for $WAIT ctrl_of echo && M=$("$CLIENT" ept-create "$(ctrl_of echo)" rpmsg-client-sample 0x650 0xffffffff) &&
	[ "$("$CLIENT" ept-send "$RUN/dev/rpmsg$M" kept)" = kept ] && pass "rpmsg$M on echo" ||
	fail "no endpoint on echo before the stop"
wait_for $WAIT test -e "$ROOT/dev/ttyRPMSG0" || fail "no ttyRPMSG0 before the stop"

log "stop uprocd"
# a program holding a file of the tree open does not keep uprocd from exiting
(exec 3< "$E/state"; exec sleep 60) &
HOLDER=$!
BG_PIDS="$BG_PIDS $HOLDER"
wait_for $WAIT sh -c "[ \"\$(readlink /proc/$HOLDER/fd/3)\" = '$E/state' ]" ||
	fail "the holder did not open $E/state"
stop_daemon_clean
mountpoint -q "$ROOT" && fail "tree still mounted" || pass "tree unmounted"
[ -e "$RUN/uprocd.sock" ] && fail "socket left behind" || pass "socket removed"
[ -z "$(core_pids)" ] && ! alive "$TPID" && ! alive "$EPID" &&
	pass "cores $TPID (attached) and $EPID (running) stopped" ||
	fail "cores left running: $(core_pids)"

log "after --stop-on-exit the next uprocd boots its cores afresh, with nothing of the earlier run's"
# endpoint devices of the cores' earlier run (rpmsgM) must not come back
ept_devs() { ls "$ROOT/dev" 2>/dev/null | grep -E '^rpmsg[0-9]+$' | tr '\n' ' '; }
from=$(($(wc -l <"$LOG") + 1))
start_daemon
wait_for $WAIT sh -c "'$UPROC' channels tty | grep -q '^channel rpmsg-tty .*served by ttyRPMSG'" ||
	fail "tty: rpmsg-tty not served after a fresh boot: $("$UPROC" channels tty 2>&1)"
echo start > "$E/state"
wait_for $WAIT ctrl_of echo || fail "echo: no control device after a fresh boot"
[ -z "$(ept_devs)" ] && pass "no endpoint device restored" || fail "endpoint devices restored: $(ept_devs)"
# (the attach above logged its restore: the same words would show one here)
head -n "$from" "$LOG" | grep -q "of the running core's vdev0 restored" ||
	fail "no restore logged at the attach: the check below would see none either"
tail -n +"$from" "$LOG" | grep -q restored && fail "a fresh boot restored: $(tail -n +"$from" "$LOG" | grep restored)" ||
	pass "nothing restored on a fresh boot"
M=$("$CLIENT" ept-create "$(ctrl_of echo)" rpmsg-client-sample 0x650 0xffffffff) &&
	[ "$("$CLIENT" ept-send "$RUN/dev/rpmsg$M" again)" = again ] && pass "a new rpmsg$M on echo talks" ||
	fail "no new endpoint on echo"
echo stop > "$E/state"
stop_daemon_clean

daemon_test_done
