#!/usr/bin/env python3
"""extract.py README OUTDIR - write README's blocks marked for testing to OUTDIR.

A block is marked by the line before its opening fence:
    <!-- readme-test -->                     run it (sh: bash, python: python3)
    <!-- readme-test: FILE -->               it must equal FILE of the repository
    <!-- readme-test: lines of FILE -->      each of its lines must be one of FILE's
    <!-- readme-test: background until P --> run it in the background; go on once
                                             path P exists
Writes NN.LANG (the block) and NN.how (the marker's argument, and the README line)
for each, in order. Exits 1 when there is none, or a marker has no block under it.
"""
import os
import re
import sys

MARK = re.compile(r"^<!-- readme-test(?::\s*(.*?))?\s*-->\s*$")
FENCE = re.compile(r"^```(\w*)\s*$")


def main():
    readme, out = sys.argv[1], sys.argv[2]
    lines = open(readme, encoding="utf-8").read().split("\n")
    os.makedirs(out, exist_ok=True)
    n = 0
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        if not m:
            i += 1
            continue
        f = FENCE.match(lines[i + 1]) if i + 1 < len(lines) else None
        if not f or not f.group(1):
            print("README line %d: a readme-test marker with no fenced block" % (i + 1),
                  file=sys.stderr)
            return 1
        end = i + 2
        while end < len(lines) and lines[end] != "```":
            end += 1
        n += 1
        base = os.path.join(out, "%02d" % n)
        with open(base + "." + f.group(1), "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines[i + 2:end]) + "\n")
        with open(base + ".how", "w", encoding="utf-8") as fh:
            fh.write("%s\n%d\n" % (m.group(1) or "run", i + 3))
        i = end + 1
    if n == 0:
        print("no block marked readme-test in %s" % readme, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
