#!/usr/bin/env python3
"""kdoc2man.py - section 3 manual pages from the kernel-doc comments of the public
headers: one page per documented function, named after it, with the header to
include, the prototype and the comment's text.

usage: kdoc2man.py --out DIR [--version V] HEADER...
"""
import argparse
import os
import re
import sys

# A kernel-doc comment (one line or many) and the declaration under it: a prototype,
# or a static inline function's head.
DOC = re.compile(r"/\*\*((?:(?!\*/).)*)\*/[ \t]*\n([^;{}#/]*?\([^;{}]*?\))\s*[;{]", re.S)
HEAD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\(\)\s*-\s*(.*)$")


def roff(text):
    out = []
    for line in text.split("\n"):
        line = line.replace("\\", "\\\\")
        if line.startswith(".") or line.startswith("'"):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


def pages(path):
    src = open(path, encoding="utf-8").read()
    header = "uproc/" + os.path.basename(path)
    for m in DOC.finditer(src):
        text = m.group(1)
        if "\n" not in text.strip():
            lines = [text.strip()]  # /** name() - summary. */
        else:
            lines = [re.sub(r"^\s*\* ?", "", l) for l in text.split("\n")]
            while lines and not lines[0].strip():
                lines.pop(0)
        first = HEAD.match(lines[0]) if lines else None
        if not first:
            continue
        name, summary = first.group(1), first.group(2)
        proto = " ".join(m.group(2).split())
        if name + "(" not in proto.replace(" (", "("):
            continue
        body, params = [], []
        rest = lines[1:]
        if rest and rest[0].strip() and not rest[0].startswith("@"):
            # the summary runs on: the whole sentence opens the description, and
            # NAME gets its first sentence
            body.append(summary)
            para = [summary]
            for l in rest:
                if not l.strip() or l.startswith("@"):
                    break
                para.append(l.strip())
            joined = " ".join(para)
            cut = re.search(r"[.;:](\s|$)", joined)
            summary = joined[:cut.start()] if cut else joined
        for l in rest:
            pm = re.match(r"^@(\w+):\s*(.*)$", l)
            if pm and len(body) <= 1:
                params.append((pm.group(1), pm.group(2)))
            elif params and len(body) <= 1 and l.startswith(" ") and l.strip():
                params[-1] = (params[-1][0], params[-1][1] + " " + l.strip())
            else:
                body.append(l)
        yield name, summary, proto, header, params, "\n".join(body).strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--version", default="")
    ap.add_argument("headers", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    n = 0
    for h in a.headers:
        for name, summary, proto, header, params, body in pages(h):
            with open(os.path.join(a.out, name + ".3"), "w", encoding="utf-8") as f:
                f.write('.TH %s 3 "" "uproc %s" "uproc library functions"\n' % (name, a.version))
                f.write(".SH NAME\n%s \\- %s\n" % (name, roff(summary)))
                f.write(".SH SYNOPSIS\n.nf\n.B #include <%s>\n.PP\n%s;\n.fi\n" % (header, roff(proto)))
                if params:
                    f.write(".SH ARGUMENTS\n")
                    for p, d in params:
                        f.write(".TP\n.I %s\n%s\n" % (p, roff(d)))
                if body:
                    f.write(".SH DESCRIPTION\n")
                    for para in re.split(r"\n\s*\n", body):
                        f.write(".PP\n%s\n" % roff(para.strip()))
                f.write(".SH SEE ALSO\n.BR uproc (1),\n.BR uprocd (8)\n")
            n += 1
    if n == 0:
        print("kdoc2man: no documented function found", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
