# readme-cleanup.sh - sourced by test-readme.sh's script inside its namespace: a
# bounded wait, and the cleanup that stops what README's blocks started (the
# processors, uprocd, any core left) before the namespace and its mounts go.

# readme_wait_for SECONDS PATH: until PATH exists
readme_wait_for() {
	local end=$((SECONDS + $1))
	until [ -e "$2" ]; do
		[ $SECONDS -ge $end ] && { echo "no $2 after $1 s"; return 1; }
		sleep 0.2
	done
}

readme_cleanup() {
	local rc=$? s p f
	set +e
	for s in /run/uproc/class/remoteproc/remoteproc*/state; do
		[ -e "$s" ] && timeout 10 sh -c "echo stop > $s" 2>/dev/null
	done
	for p in ${BACKGROUND_PIDS:-}; do
		pkill -TERM -P "$p" 2>/dev/null
		kill -TERM "$p" 2>/dev/null
	done
	for p in ${BACKGROUND_PIDS:-}; do
		for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	done
	# a core a failed run left: the registry names it
	for f in /run/uprocd/native/*.core; do
		[ -f "$f" ] || continue
		p=$(sed -n 's/^pid //p' "$f")
		[ -n "$p" ] && kill -9 "$p" 2>/dev/null
	done
	mountpoint -q /run/uproc 2>/dev/null && fusermount3 -u /run/uproc 2>/dev/null
	exit $rc
}
