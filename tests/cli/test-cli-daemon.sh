#!/bin/bash
# test-cli-daemon.sh UPROCD UPROC CLIENT FIRMWARE_DIR
# The uproc command line against a real uprocd (its tree mounted in a temporary
# directory): --json parsed and checked against the tree, --version, help, usage
# errors, settings read back, firmware --list, an event stream that sees a real
# crash (a null-pointer store) and its recovery as they happen, the coredump saved
# with --save, uproc top in a tmux pane showing moving rates, the kernel backend
# driving uprocd's kernel-shaped tree as a sysfs root, 4,096 hostile channel names
# (escaped everywhere, status and list fast), and streams (console, trace -f) that
# fail loudly when their source goes away. Every wait is for a condition, bounded
# by $WAIT seconds. Cleans up on every exit.
set -u
UPROCD=$1 UPROC=$2 CLIENT=$3 FWDIR=$4
TMUX_SOCK=uproc-cli-test-$$

. "$(dirname "$0")/../daemon/daemon-test-lib.sh"
need_fuse
need_commands python3
need_firmware echo tty crash cli-names
daemon_test_setup uproc-cli-test
test_cleanup() { tmux -L "$TMUX_SOCK" kill-server 2>/dev/null; }

# json EXPR: evaluate a Python expression over the JSON document on stdin (as d)
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

copy_firmware echo tty crash cli-names
cat >"$CONF" <<CONF
[uprocd]
root = $ROOT
runtime_dir = $RUN

[remoteproc echo]
firmware = echo.elf
firmware_path = $T/fw

[remoteproc tty]
firmware = tty.elf
firmware_path = $T/fw
auto_boot = yes

[remoteproc crash]
firmware = crash.elf
firmware_path = $T/fw
recovery = enabled
coredump = enabled

[remoteproc names]
firmware = cli-names.elf
firmware_path = $T/fw
CONF
SOCK=$RUN/uprocd.sock
unset UPROC_SOCKET

log "without uprocd: what to do next"
out=$("$UPROC" --socket "$SOCK" list 2>&1); rc=$?
[ $rc = 1 ] && case "$out" in *"uprocd is not running (no socket at $SOCK)"*"--sysfs"*)
	pass "no uprocd: $out";; *) fail "no uprocd: $out";; esac || fail "no uprocd: status $rc"

log "version, help, usage errors"
"$UPROC" --version | grep -Eq '^uproc [0-9]+\.[0-9]+\.[0-9]+ ' && pass "uproc --version" ||
	fail "uproc --version: $("$UPROC" --version 2>&1)"
"$UPROCD" --version | grep -Eq '^uprocd [0-9]+\.[0-9]+\.[0-9]+ ' && pass "uprocd --version" ||
	fail "uprocd --version"
for c in list status start stop firmware recovery coredump trace channels console events top; do
	h1=$("$UPROC" help $c 2>&1) && h2=$("$UPROC" $c --help 2>&1) &&
		[ "$h1" = "$h2" ] && case "$h1" in "usage: uproc $c"*) true;; *) false;; esac ||
		fail "help $c: '$h1' / '$h2'"
done
pass "uproc help CMD = uproc CMD --help, for every subcommand"
"$UPROC" help run | grep -q -- "--recovery" && pass "uproc help run" || fail "help run"
usage_error() {
	local out rc
	out=$("$UPROC" "$@" 2>&1); rc=$?
	[ $rc = 2 ] && case "$out" in *usage:*|*"uproc help"*) true;; *) false;; esac &&
		pass "usage error: uproc $*" || fail "uproc $*: status $rc: $out"
}
usage_error status
usage_error list --bogus
usage_error status a b
usage_error trace echo --nope
usage_error top -d abc
usage_error coredump echo --save
usage_error firmware echo x.elf --list
usage_error help nosuch
usage_error nosuch

log "start uprocd; --socket and UPROC_SOCKET"
start_daemon
wait_for $WAIT grep -qx running "$ROOT/class/remoteproc/remoteproc1/state" ||
	fail "tty not auto-booted"
a=$("$UPROC" --socket "$SOCK" list) && b=$(UPROC_SOCKET=$SOCK "$UPROC" list) &&
	c=$(UPROC_SOCKET=/nonexistent "$UPROC" list --socket="$SOCK") && [ "$a" = "$b" ] && [ "$a" = "$c" ] &&
	pass "--socket PATH, --socket=PATH (over UPROC_SOCKET) and UPROC_SOCKET agree" ||
	fail "--socket: '$a' / '$b' / '$c'"
export UPROC_SOCKET=$SOCK
# the tty core's channel announced and its tty made, its first trace line written
wait_for $WAIT sh -c "'$UPROC' channels tty | grep -q '^channel rpmsg-tty .*served by'" ||
	fail "tty: rpmsg-tty not served: $("$UPROC" channels tty 2>&1)"
wait_for $WAIT sh -c "'$UPROC' trace tty | grep -q 'tty firmware: starting'" ||
	fail "tty: no trace: $("$UPROC" trace tty 2>&1)"

log "--json: parsed, and the same as the tree"
"$UPROC" list --json > "$T/list.json" || fail "list --json"
got=$(json "' '.join(p['name']+'='+p['state']+'='+p['backend'] for p in d['processors'])" < "$T/list.json")
[ "$got" = "echo=offline=native tty=running=native crash=offline=native names=offline=native" ] &&
	pass "list --json: $got" || fail "list --json: $got"
for i in 0 1 2 3; do
	n=$(cat "$ROOT/class/remoteproc/remoteproc$i/name")
	s=$(cat "$ROOT/class/remoteproc/remoteproc$i/state")
	j=$(json "[p['state'] for p in d['processors'] if p['device']=='remoteproc$i'][0]" < "$T/list.json")
	[ "$j" = "$s" ] || fail "list --json: remoteproc$i $j, tree says $s"
	"$UPROC" status "$n" --json > "$T/st.json" || fail "status $n --json"
	[ "$(json "d['name']+' '+d['state']+' '+d['recovery']+' '+d['coredump']" < "$T/st.json")" = \
	  "$n $s $(cat "$ROOT/class/remoteproc/remoteproc$i/recovery") $(cat "$ROOT/class/remoteproc/remoteproc$i/coredump")" ] ||
		fail "status $n --json: $(cat "$T/st.json")"
done
pass "list --json and status --json match the tree"
TPID=$("$UPROC" status tty | sed -n 's/^pid: *//p')
"$UPROC" status tty --json > "$T/st.json"
[ -n "$TPID" ] && [ "$(json "d['pid']" < "$T/st.json")" = "$TPID" ] &&
	[ "$(json "d['firmware_path']==['$T/fw'] and d['cpu_ms']>=0 and d['crashes']==0" < "$T/st.json")" = True ] &&
	pass "status --json: pid $TPID, firmware_path, cpu_ms" || fail "status --json: $(cat "$T/st.json")"
got=$("$UPROC" channels tty --json | json "[(c['kind'],c['name']) for c in d['channels'] if c['kind'] in ('tty','remote')]")
[ "$got" = "[('tty', 'rpmsg-tty'), ('remote', 'rpmsg-tty')]" ] && pass "channels --json: $got" ||
	fail "channels --json: $got"
"$UPROC" trace tty --json > "$T/trace.json"
python3 - "$T/trace.json" <<'PY' && pass "trace --json: one object per line" || fail "trace --json: $(head -3 "$T/trace.json")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines and all(l["processor"] == "tty" and l["trace"] == 0 for l in lines)
assert any("tty firmware: starting" in l["line"] for l in lines)
PY

if command -v jq >/dev/null; then	# the README's example, as written
	got=$(uproc() { "$UPROC" "$@"; }; uproc list --json | jq -r '.processors[] | .name + " " + .state' | tr '\n' ,)
	[ "$got" = "echo offline,tty running,crash offline,names offline," ] &&
		pass "README: uproc list --json | jq: $got" || fail "README jq example: $got"
fi

log "settings read back without a value; firmware --list"
[ "$("$UPROC" recovery echo)" = "echo: recovery $(cat "$ROOT/class/remoteproc/remoteproc0/recovery")" ] &&
	pass "uproc recovery echo: $("$UPROC" recovery echo)" || fail "recovery echo: $("$UPROC" recovery echo 2>&1)"
[ "$("$UPROC" coredump crash)" = "crash: coredump enabled" ] && pass "uproc coredump crash" ||
	fail "coredump crash: $("$UPROC" coredump crash 2>&1)"
[ "$("$UPROC" firmware tty)" = "tty: firmware tty.elf" ] && pass "uproc firmware tty" ||
	fail "firmware tty: $("$UPROC" firmware tty 2>&1)"
out=$("$UPROC" firmware echo --list)
case "$out" in "# $T/fw"*"cli-names.elf"*"echo.elf  (current)"*"tty.elf"*) pass "firmware --list";;
	*) fail "firmware --list: $out";; esac

log "events: a real crash and its recovery, as they happen"
"$UPROC" events > "$T/events" 2> "$T/events.err" &
EV=$!; BG_PIDS="$BG_PIDS $EV"
# the stream is live once it shows an event: echo started and stopped until it does
events_live() {
	"$UPROC" start echo >/dev/null && "$UPROC" stop echo >/dev/null
	grep -q '"processor":"echo","device":"remoteproc0","event":"stop"' "$T/events"
}
wait_for $WAIT events_live || fail "events: no stream: $(cat "$T/events" "$T/events.err")"
"$UPROC" coredump crash --save "$T/none.core" 2>"$T/err" && fail "a coredump before any crash"
grep -q "has no coredump" "$T/err" && pass "no coredump yet: $(cat "$T/err")" || fail "$(cat "$T/err")"
"$UPROC" start crash >/dev/null || fail "start crash"
wait_for $WAIT grep -q '"event":"boot"' "$T/events" && pass "event: boot" ||
	fail "no boot event: $(cat "$T/events" "$T/events.err")"
wait_for $WAIT grep -q '"event":"channel-up","channel":"rpmsg-crash"' "$T/events" &&
	pass "event: channel-up rpmsg-crash" || fail "no channel-up event: $(cat "$T/events")"
CTRL=$("$UPROC" channels crash --json | json "[c['path'] for c in d['channels'] if c['kind']=='control'][0]")
M=$("$CLIENT" ept-create "$CTRL" rpmsg-crash 0x600 0xffffffff)
[ "$("$CLIENT" ept-send "$RUN/dev/rpmsg$M" ping)" = pong ] || fail "crash firmware does not answer ping"
"$CLIENT" ept-write "$RUN/dev/rpmsg$M" segv
wait_for $WAIT grep -q '"event":"crash"' "$T/events" || fail "no crash event: $(cat "$T/events")"
wait_for $WAIT grep -q '"event":"recovery"' "$T/events" || fail "no recovery event: $(cat "$T/events")"
python3 - "$T/events" <<'PY' && pass "events: $(grep -o '"event":"[a-z-]*"' "$T/events" | cut -d'"' -f4 | tr '\n' ' ')" || fail "events: $(cat "$T/events")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
mine = [e for e in ev if e["processor"] == "crash"]
kinds = [e["event"] for e in mine]
c = kinds.index("crash")
assert kinds.index("boot") < c < kinds.index("recovery"), kinds
crash = mine[c]
assert crash["crashes"] == 1 and crash["recovery"] == "enabled", crash
assert "signal 11" in crash["reason"] or "mmu" in crash["reason"], crash["reason"]
assert mine[kinds.index("recovery")]["recoveries"] == 1
assert all(isinstance(e["time"], float) for e in ev)
PY
kill "$EV" 2>/dev/null; wait "$EV" 2>/dev/null
"$UPROC" coredump crash --save "$T/crash.core" 2>"$T/err" || fail "coredump --save: $(cat "$T/err")"
python3 - "$T/crash.core" <<'PY' && pass "coredump --save: $(cat "$T/err")" || fail "saved coredump is no ELF core"
import sys
b = open(sys.argv[1], "rb").read()
assert b[:4] == b"\x7fELF" and int.from_bytes(b[16:18], "little") == 4  # ET_CORE
PY
if command -v gdb >/dev/null; then
	gdb -batch -ex "bt 1" "$T/fw/crash.elf" "$T/crash.core" 2>/dev/null | grep -q "^#0" &&
		pass "gdb reads the saved core" || fail "gdb cannot read the saved core"
fi
"$UPROC" status crash | grep -q "^recoveries: *1$" && pass "status: recoveries 1" ||
	fail "status crash: $("$UPROC" status crash)"

log "a crashed processor: the messages say what to do next"
"$UPROC" recovery echo disabled >/dev/null
"$UPROC" start echo >/dev/null
echo 2 > "$ROOT/debug/remoteproc/remoteproc0/crash"
wait_for $WAIT grep -qx crashed "$ROOT/class/remoteproc/remoteproc0/state" || fail "echo did not crash"
"$UPROC" status echo | grep -q "^next: *recover it: uproc recovery echo recover" &&
	pass "status: $("$UPROC" status echo | grep '^next:')" || fail "status crashed: $("$UPROC" status echo)"
out=$("$UPROC" start echo 2>&1) && fail "start of a crashed processor worked"
case "$out" in *"has crashed ("*"recover it with: uproc recovery echo recover"*) pass "$out";;
	*) fail "start crashed: $out";; esac
out=$("$UPROC" stop echo 2>&1) && fail "stop of a crashed processor worked"
case "$out" in *"uproc recovery echo recover"*) pass "$out";; *) fail "stop crashed: $out";; esac
"$UPROC" recovery echo recover >/dev/null
wait_for $WAIT grep -qx running "$ROOT/class/remoteproc/remoteproc0/state" &&
	pass "uproc recovery echo recover: running" || fail "echo not recovered"
"$UPROC" stop echo >/dev/null

log "top: a live view in a terminal (tmux), rates moving"
"$UPROC" start echo >/dev/null
CTRL=$(export UPROC_SOCKET=$SOCK; wait_for $WAIT ctrl_of echo && ctrl_of echo)
E=$("$CLIENT" ept-create "$CTRL" rpmsg-client-sample 0x701 0xffffffff)
( while :; do "$CLIENT" ept-burst "$RUN/dev/rpmsg$E" 2000 >/dev/null 2>&1 || sleep 0.1; done ) &
BURST=$!; BG_PIDS="$BG_PIDS $BURST"
tmux -L "$TMUX_SOCK" new-session -d -s top -x 160 -y 50 \
	"env UPROC_SOCKET=$SOCK $UPROC top -d 0.5; echo \"top exited \$?\" > $T/top.rc; sleep 60"
screen() { tmux -L "$TMUX_SOCK" capture-pane -p -t top; }
# a row for the echo endpoint with a non-zero received-messages rate
moving() { screen | grep -Eq "^ +rpmsg$E +rpmsg-client-sample +[1-9][0-9]*k? "; }
wait_for $WAIT moving && pass "top shows echo's endpoint receiving" || fail "top: $(screen)"
s=$(screen)
for n in echo tty crash names; do
	echo "$s" | grep -Eq "^$n +remoteproc[0-9] +[a-z]+ +native " || fail "top: no row for $n"
done
echo "$s" | grep -q "uproc top - .* - 4 processors - q quits" && pass "top: header, 4 processors" ||
	fail "top: $s"
first=$(screen | grep -E "^ +rpmsg$E ")
wait_for $WAIT sh -c "[ \"\$(tmux -L $TMUX_SOCK capture-pane -p -t top | grep -E '^ +rpmsg$E ')\" != '$first' ]" &&
	pass "top refreshes in place: the rates change" || fail "top did not refresh"
tmux -L "$TMUX_SOCK" send-keys -t top q
wait_for $WAIT test -s "$T/top.rc" && [ "$(cat "$T/top.rc")" = "top exited 0" ] &&
	pass "q quits top (status 0)" || fail "top after q: $(cat "$T/top.rc" 2>&1)"
tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
kill "$BURST" 2>/dev/null; wait "$BURST" 2>/dev/null

log "4,096 channels with hostile names: escaped everywhere, status and list fast"
"$UPROC" start names >/dev/null || fail "start names"
wait_for $WAIT sh -c "'$UPROC' trace names | grep -q 'hostile channels announced'" ||
	fail "names firmware did not announce"
count() { "$UPROC" channels names --json | json "sum(1 for c in d['channels'] if c['kind']=='remote' and (c['name'] or '').startswith('\xff'))"; }
wait_for $WAIT sh -c "[ \$(\"$UPROC\" channels names --json | python3 -c \"import json,sys; print(sum(1 for c in json.load(sys.stdin)['channels'] if c['kind']=='remote'))\") -ge 4000 ]" ||
	fail "fewer than 4000 channels seen"
n=$(count)
start=$(date +%s%N)
timeout 10 "$UPROC" status names > "$T/status" || fail "status names: no answer within 10 s"
timeout 10 "$UPROC" list > /dev/null || fail "list: no answer within 10 s"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
lines=$(grep -c '^channel ' "$T/status")
[ "$lines" -ge 4000 ] && pass "status and list with $n hostile channels: $ms ms ($lines channel lines)" ||
	fail "status names: $lines channel lines"
LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f-\xff]' "$T/status" && fail "raw control or 0xff bytes in status"
grep -Fq 'channel \xff\x1b[2J"\\\x0a\x090042  remote 0x102a  not served' "$T/status" &&
	pass "text escapes: $(grep -F '0042' "$T/status")" || fail "status text: $(grep -m2 '^channel' "$T/status")"
"$UPROC" channels names | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f-\xff]' && fail "raw bytes in channels"
"$UPROC" channels names --json | LC_ALL=C grep -q $'[\x01-\x1f\x7f-\xff]' && fail "raw bytes in JSON"
"$UPROC" channels names --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = {c["name"] for c in d["channels"] if c["kind"] == "remote"}
want = "\xff\x1b[2J\"\\\n\t0042"
assert want in names, sorted(names)[:3]
assert all(len(n.encode("latin-1")) <= 31 for n in names)' && pass "JSON names decode to the remote's bytes" ||
	fail "JSON names"
"$UPROC" status names --json | python3 -c 'import json,sys; json.load(sys.stdin)' &&
	pass "status --json with 4,096 channels parses" || fail "status --json names"
"$UPROC" stop names >/dev/null

log "the kernel backend: uprocd's tree as the sysfs root"
K="$UPROC --sysfs $ROOT"
got=$(env -u UPROC_SOCKET $K list | awk 'NR>1 {print $2"="$3}' | tr '\n' ' ')
[ "$got" = "echo=running tty=running crash=running names=offline " ] && pass "--sysfs list: $got" ||
	fail "--sysfs list: $got"
$K list --json | json "[p['backend'] for p in d['processors']]" | grep -q "'linux'" &&
	pass "--sysfs list --json" || fail "--sysfs list --json"
$K stop echo | grep -q "echo: offline" && [ "$(cat "$ROOT/class/remoteproc/remoteproc0/state")" = offline ] &&
	pass "--sysfs stop echo" || fail "--sysfs stop echo"
out=$($K stop echo 2>&1) && fail "second stop worked"
case "$out" in *"only a running or attached processor can be stopped"*) pass "--sysfs: $out";;
	*) fail "--sysfs stop twice: $out";; esac
$K firmware echo tty.elf >/dev/null && [ "$(cat "$ROOT/class/remoteproc/remoteproc0/firmware")" = tty.elf ] &&
	pass "--sysfs firmware echo tty.elf" || fail "--sysfs firmware"
[ "$($K firmware echo)" = "echo: firmware tty.elf" ] || fail "--sysfs firmware read"
$K firmware echo echo.elf >/dev/null
$K start echo | grep -q "echo: running" && pass "--sysfs start echo" || fail "--sysfs start echo"
out=$($K firmware echo tty.elf 2>&1) && fail "firmware change while running"
case "$out" in *"stop it before changing its firmware"*) pass "--sysfs: $out";; *) fail "$out";; esac
[ "$($K recovery crash)" = "crash: recovery enabled" ] && pass "--sysfs recovery crash" ||
	fail "--sysfs recovery: $($K recovery crash 2>&1)"
$K coredump echo inline >/dev/null && [ "$(cat "$ROOT/class/remoteproc/remoteproc0/coredump")" = inline ] &&
	pass "--sysfs coredump echo inline" || fail "--sysfs coredump"
$K coredump echo disabled >/dev/null
$K trace tty | grep -q "tty firmware: starting" && pass "--sysfs trace tty" || fail "--sysfs trace"
$K trace tty --json | json "d['line']" 2>/dev/null | head -1 | grep -q . || true
$K status tty | grep -q "^state: *running" && pass "--sysfs status" || fail "--sysfs status: $($K status tty 2>&1)"
$K coredump crash --save "$T/k.core" 2>/dev/null && cmp -s "$T/k.core" "$T/crash.core" &&
	pass "--sysfs coredump --save: the same dump" || fail "--sysfs coredump --save"
# console: the tty firmware answers case-inverted
{ printf 'Hello Board\n'; wait_for $WAIT grep -q 'hELLO bOARD' "$T/con.out"; } |
	timeout $((WAIT + 5)) $K console tty > "$T/con.out" 2>"$T/con.err"
grep -q 'hELLO bOARD' "$T/con.out" && pass "--sysfs console tty: $(tr -d '\r' < "$T/con.out" | head -1)" ||
	fail "--sysfs console: $(cat "$T/con.out" "$T/con.err")"

log "console and trace -f fail loudly when their source goes away"
mkfifo "$T/hold"
sleep 600 > "$T/hold" &
HOLD=$!; BG_PIDS="$BG_PIDS $HOLD"
"$UPROC" console tty < "$T/hold" > /dev/null 2> "$T/con.err" &
CON=$!; BG_PIDS="$BG_PIDS $CON"
wait_for $WAIT sh -c "ls -l /proc/$CON/fd 2>/dev/null | grep -q /dev/pts/" || fail "console did not open its tty"
"$UPROC" stop tty >/dev/null
until_gone $WAIT $CON || fail "console still running after its processor stopped"
wait $CON; rc=$?
[ $rc = 1 ] && grep -q "the console went away" "$T/con.err" && pass "console: status 1, $(tr -d '\r\n' < "$T/con.err")" ||
	fail "console after stop: status $rc: $(cat "$T/con.err")"
kill "$HOLD"; wait "$HOLD" 2>/dev/null
"$UPROC" start tty >/dev/null
"$UPROC" trace crash -f > /dev/null 2> "$T/tf.err" &
TF=$!; BG_PIDS="$BG_PIDS $TF"
"$UPROC" events > /dev/null 2> "$T/ev.err" &
EV=$!; BG_PIDS="$BG_PIDS $EV"
wait_for $WAIT sh -c "ls -l /proc/$TF/fd /proc/$EV/fd 2>/dev/null | grep -c socket: | grep -qx 2"
kill -TERM "$DAEMON_PID"; until_gone $WAIT "$DAEMON_PID"; wait "$DAEMON_PID"; rc=$?; DAEMON_PID=
[ $rc = 0 ] && ! grep -Eq 'Sanitizer|runtime error' "$LOG" && pass "uprocd exited cleanly" ||
	fail "uprocd exited with status $rc: $(grep -E -m3 'Sanitizer|runtime error' "$LOG")"
until_gone $WAIT $TF || fail "trace -f still running after uprocd ended"
wait $TF; rc=$?
[ $rc = 1 ] && grep -q "uprocd went away" "$T/tf.err" && pass "trace -f: status 1, $(cat "$T/tf.err")" ||
	fail "trace -f after uprocd ended: status $rc: $(cat "$T/tf.err")"
until_gone $WAIT $EV || fail "events still running after uprocd ended"
wait $EV; rc=$?
[ $rc = 1 ] && grep -q "uprocd went away" "$T/ev.err" && pass "events: status 1" ||
	fail "events after uprocd ended: status $rc: $(cat "$T/ev.err")"

echo
daemon_test_done
