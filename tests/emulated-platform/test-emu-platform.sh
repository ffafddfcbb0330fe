#!/bin/sh
# test-emu-platform.sh UPROC FIRMWARE PLATFORM - the SDK platform's interrupt
# handlers, hooks and timer on an emulated core (platform_test_fw.c):
#   - messages arrive through the mailbox interrupt (the firmware's hook counts it)
#   - a 300 ms wait ends on time, through the timer interrupt (its hook counts it),
#     also when the caller masked interrupts
#   - a 2 s wait leaves the core's process asleep (almost no CPU)
set -u
uproc=$1 fw=$2 plat=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 passed=0

check() {	# check NAME CONDITION...
	name="$plat: $1"; shift
	if "$@"; then
		passed=$((passed + 1))
	else
		failures=$((failures + 1))
		echo "FAIL: $name" >&2
		sed 's/^/    out: /' "$work/out" >&2 2>/dev/null || true
		sed 's/^/    err: /' "$work/err" >&2 2>/dev/null || true
	fi
}

field() {	# field LINE_NO KEY: the number after KEY= on that output line
	sed -n "${1}p" "$work/out" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

printf 'irqs\nsleep 300\nmasked 300\nirqs\n' |
	timeout 120 "$uproc" run --reply-wait 30000 --channel uproc-platform-test "$fw" \
	>"$work/out" 2>"$work/err"
check "run status" [ $? = 0 ]
check "four answers" [ "$(wc -l <"$work/out")" = 4 ]
check "platform name" grep -q "platform=$plat\$" "$work/out"
m1=$(field 1 mailbox) m4=$(field 4 mailbox)
check "mailbox hook counts the host's kicks ($m1, then $m4)" \
	[ "${m1:-0}" -ge 1 ] && [ "${m4:-0}" -gt "${m1:-0}" ]
for line in 2 3; do
	us=$(sed -n "${line}p" "$work/out" | sed -n 's/^slept \([0-9]*\) .*/\1/p')
	timers=$(field $line timer)
	# On time: not before the deadline; late by at most 10 s on a loaded machine.
	check "wait $line lasted 300 ms (${us:-?} us)" \
		[ "${us:-0}" -ge 300000 ] && [ "${us:-0}" -lt 10300000 ]
	check "wait $line ended by the timer interrupt (${timers:-?})" [ "${timers:-0}" -ge 1 ]
done

# A long wait on the timer: the core's process sleeps.
mkfifo "$work/in"
timeout 60 "$uproc" run --reply-wait 30000 --channel uproc-platform-test "$fw" \
	<"$work/in" >"$work/out" 2>"$work/err" &
runner=$!
exec 3>"$work/in"
pid=
for i in $(seq 1 200); do
	pid=$(sed -n 's/.*on emulated core .* (pid \([0-9]*\)).*/\1/p' "$work/err")
	[ -n "$pid" ] && grep -q "uproc-platform-test" "$work/err" && break
	sleep 0.1
done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }
if [ -n "$pid" ]; then
	echo "sleep 3000" >&3
	sleep 0.5
	t0=$(ticks "$pid")
	sleep 2
	t1=$(ticks "$pid")
	# clock ticks are 10 ms: under 5 % of one CPU over 2 s is fewer than 10 ticks
	check "a core waiting on its timer uses no CPU ($((t1 - t0)) ticks in 2 s)" \
		[ $((t1 - t0)) -lt 10 ]
else
	check "core started" false
fi
exec 3>&-
wait "$runner"
check "long wait answered" grep -q "^slept " "$work/out"

echo "$plat: $passed passed, $failures failed"
[ "$failures" = 0 ]
