# daemon-test-lib.sh - sourced by the end-to-end tests of uprocd and of the uproc
# command line: the setup every such test makes (daemon_test_setup), reporting,
# bounded waits, and a cleanup that leaves no helper, uprocd or core process
# running, no tree mounted and no file behind. The hostile-firmware suite
# (tests/hostile) uses it too.
#
# A test names its programs (UPROCD, UPROC, CLIENT, FWDIR) and its needs
# (need_fuse, need_commands, need_firmware: each skips the test with status 77),
# then calls daemon_test_setup; it ends with daemon_test_done as its last command.

# ---- setup ----------------------------------------------------------------------
skip() { echo "SKIP: $*"; exit 77; }
# need_fuse: root and /dev/fuse (uprocd mounts its tree)
need_fuse() {
	[ "$(id -u)" = 0 ] || skip "needs root (FUSE mount)"
	[ -c /dev/fuse ] || skip "no /dev/fuse"
}
# need_commands CMD...: each on PATH
need_commands() {
	local c
	for c in "$@"; do command -v "$c" >/dev/null || skip "no $c"; done
}
# need_firmware NAME...: each $FWDIR/NAME.elf built
need_firmware() {
	local f
	for f in "$@"; do [ -f "$FWDIR/$f.elf" ] || skip "no $FWDIR/$f.elf"; done
}

# daemon_test_setup NAME: the test's temporary directory T (/tmp/NAME.XXXXXX, with
# $T/fw and the runtime directory made) and uprocd's paths in it: ROOT (its tree),
# RUN, CONF, LOG; UPROC_SOCKET exported to uprocd's socket; WAIT (every wait's
# bound in seconds: 30 unless the test set it), DAEMON_PID, BG_PIDS, FAILS and
# PASSES; a cleanup on every exit (the test's own test_cleanup first, when it
# defines one) and an exit on SIGINT and SIGTERM.
daemon_test_setup() {
	T=$(mktemp -d "/tmp/$1.XXXXXX") || exit 1
	chmod 755 "$T"
	ROOT=$T/root RUN=$T/run CONF=$T/uprocd.conf LOG=$T/uprocd.log
	WAIT=${WAIT:-30}
	DAEMON_PID= BG_PIDS= FAILS=0 PASSES=0
	export UPROC_SOCKET=$RUN/uprocd.sock
	trap daemon_test_exit EXIT
	trap 'exit 1' INT TERM
	mkdir -p "$T/fw" "$RUN"
}
daemon_test_exit() {
	declare -F test_cleanup >/dev/null && test_cleanup
	daemon_cleanup
}

# copy_firmware NAME...: $FWDIR/NAME.elf into $T/fw
copy_firmware() {
	local f
	for f in "$@"; do cp "$FWDIR/$f.elf" "$T/fw/" || exit 1; done
}

# daemon_conf: $CONF written: a [uprocd] section (the test's ROOT and RUN, firmware
# from $T/fw), then the sections on stdin
daemon_conf() {
	{
		printf '[uprocd]\nroot = %s\nruntime_dir = %s\nfirmware_path = %s\n\n' \
			"$ROOT" "$RUN" "$T/fw"
		cat
	} >"$CONF"
}

# daemon_test_done: the closing line; the test's status (0 when nothing failed)
daemon_test_done() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}

# ---- reporting and state ----------------------------------------------------------
log() { echo "--- $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; PASSES=$((PASSES + 1)); }
# state_is DEV STATE: remoteproc DEV (remoteprocN) is in STATE
state_is() { grep -qx "$2" "$ROOT/class/remoteproc/$1/state" 2>/dev/null; }
# alive PID: the process exists and is not a zombie
alive() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }

# core_pids: the cores in uprocd's registry that still run (pid and start time
# as recorded, so a recycled pid is never taken for a core)
core_pids() {
	local f pid st
	for f in "$RUN"/native/*.core; do
		[ -f "$f" ] || continue
		pid=$(sed -n 's/^pid //p' "$f")
		st=$(sed -n 's/^start_time //p' "$f")
		[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || continue
		[ "$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f20)" = "$st" ] && echo "$pid"
	done
}

# ctrl_of NAME: the rpmsg control device of processor NAME's first rpmsg vdev
# (<dev>/rpmsg_ctrlN, N numbered as Linux numbers them: the lowest free one when
# its bus came up), from "uproc channels --json"; fails while it has none
ctrl_of() {
	local p
	p=$("$UPROC" channels "$1" --json 2>/dev/null | python3 -c "import json, sys
d = json.load(sys.stdin)
print(next(c['path'] for c in d['channels'] if c['kind'] == 'control'))" 2>/dev/null) &&
		[ -e "$p" ] && echo "$p"
}

# until_gone SECONDS PID: wait for PID to end; 1 if it is still there
until_gone() {
	local end=$((SECONDS + $1))
	while kill -0 "$2" 2>/dev/null; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

# daemon_cleanup: stop what the test left, unmount, print the log if it failed
daemon_cleanup() {
	local p
	for p in $BG_PIDS; do kill -9 "$p" 2>/dev/null; done
	# a core the test froze must be able to stop
	for p in $(core_pids); do kill -CONT "$p" 2>/dev/null; done
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		for s in "$ROOT"/class/remoteproc/remoteproc*/state; do
			[ -e "$s" ] && timeout 10 sh -c "echo stop > $s" 2>/dev/null
		done
		kill -TERM "$DAEMON_PID"
		until_gone $WAIT "$DAEMON_PID" || kill -9 "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
	fi
	# cores a failed test left running: a last uprocd attaches and stops them
	if [ -n "$(core_pids)" ]; then
		timeout $((2 * WAIT)) "$UPROCD" -c "$CONF" --stop-on-exit >>"$LOG" 2>&1 &
		p=$!
		wait_for $WAIT env UPROC_SOCKET="$RUN/uprocd.sock" "$UPROC" list # once attached
		kill -TERM $p 2>/dev/null
		wait $p 2>/dev/null
	fi
	# and if even that failed, the cores go the hard way
	for p in $(core_pids); do kill -9 "$p" 2>/dev/null; done
	for p in $BG_PIDS; do wait "$p" 2>/dev/null; done
	mountpoint -q "$ROOT" 2>/dev/null && { fusermount3 -u "$ROOT" 2>/dev/null || umount -l "$ROOT"; }
	if [ $FAILS -ne 0 ]; then
		echo "=== uprocd log"; tail -60 "$LOG"
	fi
	rm -rf "$T"
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds, for SECONDS at most
wait_for() {
	local end=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

# start_daemon [ARGS...]: uprocd on $CONF, up once remoteproc0 is in its tree
start_daemon() {
	"$UPROCD" -c "$CONF" "$@" >>"$LOG" 2>&1 &
	DAEMON_PID=$!
	wait_for $WAIT test -e "$ROOT/class/remoteproc/remoteproc0/state" ||
		{ fail "uprocd did not come up"; exit 1; }
}

# stop_daemon: SIGTERM to uprocd, which must end within $WAIT seconds (else a
# failure, and SIGKILL); its exit status in DAEMON_STATUS
stop_daemon() {
	DAEMON_STATUS=
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM "$DAEMON_PID"
	if ! until_gone $WAIT "$DAEMON_PID"; then
		fail "uprocd ignored SIGTERM for ${WAIT}s"
		kill -9 "$DAEMON_PID"
	fi
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_STATUS=$?
	DAEMON_PID=
}

# echo_endpoint PROC CHANNEL ADDR: an endpoint on processor PROC's channel CHANNEL
# (its control device there within $WAIT seconds); prints its /dev/rpmsgM path
echo_endpoint() {
	local m
	wait_for $WAIT ctrl_of "$1" || return 1
	m=$("$CLIENT" ept-create "$(ctrl_of "$1")" "$2" "$3" 0xffffffff) || return 1
	echo "$ROOT/dev/rpmsg$m"
}

# fds_of PID, rss_of PID: open fds, resident KiB
fds_of() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rss_of() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
