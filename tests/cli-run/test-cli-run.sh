#!/bin/sh
# test-cli-run.sh UPROC FIRMWARE_DIR - "uproc run" as a person uses it.
set -u
uproc=$1 fw=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 passed=0

n_err=0
keep_err() { n_err=$((n_err + 1)); cp "$work/err" "$work/$n_err.err" 2>/dev/null || true; }

check() {	# check NAME CONDITION...
	name=$1; shift
	keep_err
	if "$@"; then
		passed=$((passed + 1))
	else
		failures=$((failures + 1))
		echo "FAIL: $name" >&2
		sed 's/^/    /' "$work/err" >&2 2>/dev/null || true
	fi
}

# The issue's own example: a piped string comes back case-inverted.
printf 'Hello\n' | timeout 30 "$uproc" run "$fw/tty.elf" >"$work/out" 2>"$work/err"
status=$?
check "tty exit status" [ "$status" = 0 ]
check "tty case inversion" [ "$(cat "$work/out")" = "hELLO" ]
check "trace lines shown" grep -q '^\[trace\] tty firmware: starting' "$work/err"

# Several lines, in order, and a line longer than the MTU split, not truncated.
long=$(head -c 1200 /dev/zero | tr '\0' 'a')
printf 'One\ntWO\n%s\nlast LINE\n' "$long" |
	timeout 30 "$uproc" run --no-trace "$fw/tty.elf" >"$work/out" 2>"$work/err"
check "many lines status" [ $? = 0 ]
upper=$(printf '%s' "$long" | tr 'a' 'A')
printf 'oNE\nTwo\n%s\nLAST line\n' "$upper" >"$work/want"
check "many lines in order, long line whole" cmp -s "$work/out" "$work/want"
check "no trace with --no-trace" sh -c "! grep -q '^\[trace\]' '$work/err'"

# The same over a virtio console vdev.
printf 'Console Works\n' | timeout 30 "$uproc" run "$fw/console.elf" >"$work/out" 2>"$work/err"
check "console status" [ $? = 0 ]
check "console case inversion" [ "$(cat "$work/out")" = "cONSOLE wORKS" ]

# A stream far larger than the rings (about 270 KB), as fast as it can go: nothing is
# lost or reordered, over the rpmsg tty and over the console (both wait for their
# transmit-ready hooks when the remote is behind).
head -c 200000 /dev/urandom | base64 -w 300 >"$work/big"
tr 'a-zA-Z' 'A-Za-z' <"$work/big" >"$work/big.want"
for ex in tty console; do
	timeout 60 "$uproc" run --no-trace --reply-wait 0 "$fw/$ex.elf" <"$work/big" \
		>"$work/big.out" 2>"$work/err"
	check "$ex stream status" [ $? = 0 ]
	check "$ex stream whole and in order" cmp -s "$work/big.out" "$work/big.want"
	cat "$work/big" | timeout 60 "$uproc" run --no-trace --reply-wait 0 "$fw/$ex.elf" \
		>"$work/big.out" 2>"$work/err"
	check "$ex piped stream whole and in order" cmp -s "$work/big.out" "$work/big.want"
done

# The echo sample.
printf 'ping me\n' | timeout 30 "$uproc" run --channel rpmsg-client-sample "$fw/echo.elf" \
	>"$work/out" 2>"$work/err"
check "echo status" [ $? = 0 ]
check "echo answer" [ "$(cat "$work/out")" = "ping me" ]

# A crash with recovery disabled ends the run with status 3 and says why.
printf 'ping\nsegv\n' | timeout 30 "$uproc" run "$fw/crash.elf" >"$work/out" 2>"$work/err"
check "crash status 3" [ $? = 3 ]
check "crash explained" grep -q 'the core crashed: Segmentation fault' "$work/err"

# A forbidden system call: killed by the sandbox, reported as such.
printf 'syscall\n' | timeout 30 "$uproc" run "$fw/crash.elf" >"$work/out" 2>"$work/err"
check "forbidden syscall status 3" [ $? = 3 ]
check "forbidden syscall explained" grep -q 'forbidden system call' "$work/err"

# Recovery enabled: a coredump is saved, the core comes back and answers again.
mkdir -p "$work/dumps"
printf 'ping\nsegv\nping\n' | timeout 30 "$uproc" run --recovery enabled --dump-dir "$work/dumps" \
	"$fw/crash.elf" >"$work/out" 2>"$work/err"
check "recovery status" [ $? = 0 ]
check "answers before and after the crash" [ "$(cat "$work/out")" = "$(printf 'pong\npong')" ]
check "recovered" grep -q 'recovered: the core runs again' "$work/err"
core=$(ls "$work"/dumps/*.core 2>/dev/null | head -1)
check "coredump saved" [ -s "$core" ]
check "coredump is an ELF core" sh -c "head -c 18 '$core' | od -An -tx1 | tr -d ' \n' | grep -q '^7f454c46020101.*0400'"

# Bad usage and a firmware that is not there.
timeout 10 "$uproc" run >/dev/null 2>"$work/err"
check "usage status 2" [ $? = 2 ]
timeout 10 "$uproc" run "$work/missing.elf" </dev/null >/dev/null 2>"$work/err"
check "missing firmware status 1" [ $? = 1 ]
check "missing firmware explained" grep -q 'missing.elf' "$work/err"

# A directory, a FIFO: refused at once (a FIFO with no writer would block a read).
timeout 10 "$uproc" run "$work" </dev/null >/dev/null 2>"$work/err"
check "run DIR status 1" [ $? = 1 ]
check "run DIR: Is a directory" grep -q 'Is a directory' "$work/err"
mkfifo "$work/fifo"
timeout 10 "$uproc" run "$work/fifo" </dev/null >/dev/null 2>"$work/err"
check "run FIFO refused (status 1, no hang)" [ $? = 1 ]
check "run FIFO explained" grep -q 'not a regular file' "$work/err"
timeout 10 "$uproc" inspect "$work" >/dev/null 2>"$work/err"
check "inspect DIR status 1" [ $? = 1 ]
check "inspect DIR: Is a directory" grep -q 'Is a directory' "$work/err"
timeout 10 "$uproc" inspect "$work/fifo" >/dev/null 2>"$work/err"
check "inspect FIFO refused (status 1, no hang)" [ $? = 1 ]
timeout 10 "$uproc" inspect /dev/zero >/dev/null 2>"$work/err"
check "inspect a device refused" grep -q 'not a regular file' "$work/err"

# Options are validated.
for opt in "--cpu abc" "--cpu -1" "--cpu 100000" "--reply-wait -5" "--reply-wait 1x"; do
	timeout 10 "$uproc" run $opt "$fw/tty.elf" </dev/null >/dev/null 2>"$work/err"
	check "run $opt: usage error" [ $? = 2 ]
	check "run $opt explained" grep -q 'takes a number from' "$work/err"
done

# A firmware without the channels looked for: the run says at once which it has.
start=$(date +%s)
timeout 30 "$uproc" run --channel rpmsg-nosuch "$fw/echo.elf" </dev/null >/dev/null 2>"$work/err"
status=$? elapsed=$(( $(date +%s) - start ))
check "no wanted channel: status 1" [ "$status" = 1 ]
check "no wanted channel: names what it announced" \
	grep -q 'announced 1 channel ("rpmsg-client-sample") but none of those looked for ("rpmsg-nosuch")' "$work/err"
check "no wanted channel: said before the 10 s channel timeout (${elapsed} s)" [ "$elapsed" -lt 9 ]

# Nothing left behind: every core a run booted is gone when the run is.
pids=$(cat "$work"/*.err 2>/dev/null | sed -n 's/.*on native core .* (pid \([0-9]*\)).*/\1/p')
alive=""
for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
check "no core left running" [ -z "$alive" -a -n "$pids" ]

echo "$passed passed, $failures failed"
[ "$failures" = 0 ]
