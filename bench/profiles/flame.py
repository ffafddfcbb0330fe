#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""flame.py - a flame graph (SVG) and a folded-stack summary from `perf script`.

Usage: perf script -i perf.data | bench/profiles/flame.py OUT.svg [TITLE]
Reads perf script's default output of a `perf record -g` profile (a header line
per sample, then one frame per line, innermost first, then a blank line), folds the
samples into stacks (outermost first) and draws each frame as a box whose width is
its share of the samples. Prints the 15 heaviest leaf functions to stdout.
"""
import html
import sys
from collections import Counter


def read_stacks(lines):
    stacks, frames, comm = Counter(), [], None
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if comm is not None:
                stacks[tuple([comm] + frames[::-1])] += 1
            frames, comm = [], None
        elif not line[0].isspace():
            comm = line.split()[0]
        else:
            parts = line.split(None, 1)
            sym = parts[1] if len(parts) > 1 else "?"
            sym = sym.split(" (")[0].split("+0x")[0]
            frames.append(sym)
    if comm is not None:
        stacks[tuple([comm] + frames[::-1])] += 1
    return stacks


def build_tree(stacks):
    root = {"n": 0, "kids": {}}
    for stack, n in stacks.items():
        root["n"] += n
        node = root
        for f in stack:
            node = node["kids"].setdefault(f, {"n": 0, "kids": {}})
            node["n"] += n
    return root


def color(name):
    h = sum(ord(c) for c in name)
    return "rgb(%d,%d,%d)" % (205 + h % 50, 80 + h % 120, 40 + h % 50)


def draw(root, width, row):
    out, total, depth_max = [], root["n"], [0]

    def walk(node, name, x, depth):
        w = node["n"] * width / total
        if w < 0.3:
            return
        depth_max[0] = max(depth_max[0], depth)
        y = depth * row
        label = html.escape("%s (%d samples, %.1f%%)" % (name, node["n"], 100.0 * node["n"] / total))
        text = html.escape(name)[: int(w / 7)]
        out.append('<g><title>%s</title><rect x="%.1f" y="%d" width="%.1f" height="%d" '
                   'fill="%s" rx="2"/><text x="%.1f" y="%d">%s</text></g>'
                   % (label, x, y, w, row - 1, color(name), x + 3, y + row - 5, text))
        cx = x
        for kname, kid in sorted(node["kids"].items()):
            walk(kid, kname, cx, depth + 1)
            cx += kid["n"] * width / total

    walk(root, "all", 0, 0)
    return out, depth_max[0] + 1


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: perf script | flame.py OUT.svg [TITLE]")
    stacks = read_stacks(sys.stdin)
    if not stacks:
        sys.exit("flame.py: no samples on stdin")
    root = build_tree(stacks)
    width, row = 1200, 16
    boxes, depth = draw(root, width, row)
    # Outermost at the bottom, as flame graphs are drawn.
    height = depth * row + 30
    flipped = []
    for b in boxes:
        y0 = int(b.split('y="', 1)[1].split('"', 1)[0])
        ny = height - 10 - row - y0
        b = b.replace('y="%d" width' % y0, 'y="%d" width' % ny, 1)
        b = b.replace('y="%d">' % (y0 + row - 5), 'y="%d">' % (ny + row - 5), 1)
        flipped.append(b)
    title = html.escape(sys.argv[2] if len(sys.argv) > 2 else "perf samples")
    with open(sys.argv[1], "w") as f:
        f.write('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
                'font-family="monospace" font-size="11">\n' % (width, height))
        f.write('<text x="4" y="14" font-size="13">%s (%d samples)</text>\n' % (title, root["n"]))
        f.write("\n".join(flipped))
        f.write("\n</svg>\n")
    leaves = Counter()
    for stack, n in stacks.items():
        leaves[stack[-1]] += n
    for name, n in leaves.most_common(15):
        print("%6.2f%%  %s" % (100.0 * n / root["n"], name))


if __name__ == "__main__":
    main()
