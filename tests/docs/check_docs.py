#!/usr/bin/env python3
"""check_docs.py [ROOT]: README.md and docs/**/*.md stay true.

- every relative link [x](path#anchor) resolves to an existing file, and an
  anchor to a heading of that Markdown file (GitHub's slugs, Turkish letters
  kept);
- a code block right after "<!-- alıntı: PATH -->" is a verbatim excerpt of
  PATH (consecutive lines), so quoted examples never rot.
Standard library only; exits 1 listing every problem.
"""
import os
import re
import sys
import unicodedata

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
EXCERPT = re.compile(r"^<!--\s*alıntı:\s*(\S+)\s*-->\s*$")
FENCE = re.compile(r"^(```|~~~)")


def slug(text):
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"`|\*\*|__", "", text).lower()
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in " -_" or cat[0] in "LNM":
            out.append("-" if ch == " " else ch)
    return "".join(out)


def blocks(lines):
    """(marker path or None, start line, block lines) of each fenced block."""
    i, prev = 0, ""
    while i < len(lines):
        if FENCE.match(lines[i]):
            start, body = i, []
            i += 1
            while i < len(lines) and not FENCE.match(lines[i]):
                body.append(lines[i])
                i += 1
            m = EXCERPT.match(prev)
            yield (m.group(1) if m else None), start + 1, body
            prev = ""
        elif lines[i].strip():
            prev = lines[i]
        i += 1


def prose(lines):
    """The lines outside fenced blocks."""
    inside = False
    for n, line in enumerate(lines, 1):
        if FENCE.match(line):
            inside = not inside
        elif not inside:
            yield n, line


def anchors(path, cache={}):
    if path not in cache:
        seen, found = {}, set()
        with open(path, encoding="utf-8") as f:
            for _, line in prose(f.read().splitlines()):
                m = HEADING.match(line)
                if m:
                    s = slug(m.group(2))
                    n = seen.get(s, 0)
                    seen[s] = n + 1
                    found.add(s if n == 0 else "%s-%d" % (s, n))
        cache[path] = found
    return cache[path]


def check(root, doc, problems):
    rel = os.path.relpath(doc, root)
    with open(doc, encoding="utf-8") as f:
        lines = f.read().splitlines()
    for n, line in prose(lines):
        for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # http:, mailto:: not checked (no network)
            path, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
            if not os.path.exists(dest):
                problems.append("%s:%d: %s: no such file" % (rel, n, target))
            elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
                problems.append("%s:%d: %s: no heading with that anchor" % (rel, n, target))
    for source, start, body in blocks(lines):
        if source is None:
            continue
        src = os.path.join(root, source)
        if not os.path.isfile(src):
            problems.append("%s:%d: excerpt of %s: no such file" % (rel, start, source))
            continue
        with open(src, encoding="utf-8") as f:
            text = f.read().splitlines()
        k = len(body)
        if not body or not any(text[j:j + k] == body for j in range(len(text) - k + 1)):
            problems.append("%s:%d: the block is no longer a verbatim excerpt of %s" % (rel, start, source))


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    docs = [os.path.join(root, "README.md")]
    for d, _, files in os.walk(os.path.join(root, "docs")):
        docs += [os.path.join(d, f) for f in sorted(files) if f.endswith(".md")]
    problems = []
    for doc in sorted(docs):
        check(root, doc, problems)
    for p in problems:
        print(p)
    print("check_docs: %d files, %d problems" % (len(docs), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
