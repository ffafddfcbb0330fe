# run-lib.sh - sourced by the live-debugging tests of tests/emulated.
# start_run KIND ELF [OPTION...]: "uproc run OPTION... ELF" in the background, its
# input a fifo held open as fd 3, its output in $work/out and $work/err; waits for
# the firmware's channel, then sets runner (uproc run's pid) and pid (the pid of the
# core, KIND native or emulated). Needs $uproc, $work and fail().
start_run() {
	kind=$1 elf=$2
	shift 2
	mkfifo "$work/in"
	"$uproc" run "$@" "$elf" <"$work/in" >"$work/out" 2>"$work/err" &
	runner=$!
	exec 3>"$work/in"
	for i in $(seq 1 300); do
		grep -q 'joined channel' "$work/err" && break
		sleep 0.1
	done
	pid=$(sed -n "s/.*on $kind core .* (pid \\([0-9]*\\)).*/\\1/p" "$work/err")
	[ -n "$pid" ] || fail "the core did not start"
}

# end_run: wait (up to a minute) for "uproc run" to end by itself; sets rc to its
# exit status.
end_run() {
	for i in $(seq 1 600); do
		kill -0 "$runner" 2>/dev/null || break
		sleep 0.1
	done
	wait "$runner"
	rc=$? runner=
}
