#!/bin/sh
# run-fuzz.sh TARGET CORPUS SECONDS
# A bounded libFuzzer run over a scratch copy of the seed corpus (the seeds in the
# source tree are never modified). Fails if the fuzzer finds a crash, leak or hang.
set -eu
target=$1 corpus=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
[ -d "$corpus" ] && cp -r "$corpus"/. "$work/corpus/" 2>/dev/null || true
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work/corpus" 2>"$work/log" || {
	tail -60 "$work/log" >&2
	for f in "$work"/artifacts/*; do
		[ -f "$f" ] && { echo "crashing input (base64):" >&2; base64 "$f" | head -40 >&2; }
	done
	exit 1
}
grep -E "stat::number_of_executed_units|stat::new_units_added" "$work/log" || true
