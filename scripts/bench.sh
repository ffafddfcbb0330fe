#!/bin/sh
# scripts/bench.sh BUILD_DIR [OUT_DIR] - run every benchmark program the build made
# (BUILD_DIR/bench/**/bench-*), each with --json, and write beside each other:
#   OUT_DIR/bench.txt   every program's text, with the machine described
#   OUT_DIR/bench.json  {"machine": {...}, "benches": [each program's JSON object]}
# OUT_DIR defaults to BUILD_DIR/bench-results. A program that fails is reported and
# the others still run; the exit status is 1 if any failed.
set -u
build=${1:?usage: scripts/bench.sh BUILD_DIR [OUT_DIR]}
out=${2:-$build/bench-results}
mkdir -p "$out"
txt=$out/bench.txt
: > "$txt"

{
	echo "uproc benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)," \
	     "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)," \
	     "kernel $(uname -r)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
} | tee -a "$txt"

status=0
progs=$(find "$build/bench" -type f -name 'bench-*' -perm -u+x 2>/dev/null | sort)
for p in $progs; do
	name=$(basename "$p")
	echo "== $name" | tee -a "$txt"
	if ! "$p" --json "$out/$name.json" 2>&1 | tee -a "$txt"; then
		status=1
	fi
	# tee hides the program's status: a missing JSON file says it failed.
	if [ ! -s "$out/$name.json" ]; then
		echo "$name: no JSON summary (failed?)" | tee -a "$txt"
		status=1
	fi
	echo | tee -a "$txt"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$txt"

python3 - "$out" $progs <<'PY'
import json, os, platform, sys
out, progs = sys.argv[1], sys.argv[2:]
cpu = ""
with open("/proc/cpuinfo") as f:
    for line in f:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
with open("/proc/loadavg") as f:
    load = f.read().split()[:3]
summary = {"machine": {"cpus": os.cpu_count(), "model": cpu, "kernel": platform.release(),
                       "load_average_at_end": load},
           "benches": []}
for p in progs:
    name = os.path.basename(p)
    path = os.path.join(out, name + ".json")
    try:
        with open(path) as f:
            b = json.load(f)
    except (OSError, ValueError) as e:
        b = {"bench": name, "error": str(e)}
    b["program"] = name
    summary["benches"].append(b)
with open(os.path.join(out, "bench.json"), "w") as f:
    json.dump(summary, f, indent=1)
    f.write("\n")
PY
echo "summary: $txt and $out/bench.json"
exit $status
