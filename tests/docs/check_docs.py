#!/usr/bin/env python3
"""check_docs.py [ROOT]: README.md and docs/**/*.md stay true.

- every relative link [x](path#anchor) resolves to an existing file, and an
  anchor to a heading of that Markdown file (GitHub's slugs, Turkish letters
  kept), also when the link's text spans lines;
- a code block right after "<!-- alıntı: PATH -->" is a verbatim excerpt of
  PATH (consecutive lines), so quoted examples never rot;
- in every other file of the tree (code comments, scripts, error messages,
  tests, the bindings' READMEs; not build/, .git/ nor this checker's own
  fixtures in tests/docs/), a path docs/….md, a FILE.md#anchor and a
  README "Section" reference still name an existing file, heading and
  README section.
Standard library only; exits 1 listing every problem.
"""
import os
import re
import sys
import unicodedata

LINK = re.compile(r"!?\[(?:[^\]\n]|\n(?![ \t]*\n))*\]\(([^)\s]+)\)")
# In other files: docs/x.md or x.md#anchor (a path from the root or the file's
# folder), and README "Section" / README's "Section" / README ("Section").
SOURCE_REF = re.compile(r"(?<![\w/.$\\-])((?:\.\./)*(?:[\w.-]+/)*[\w.-]+\.md)(?:#([\w-]+))?")
README_SECTION = re.compile(r"\bREADME(?:\.md)?(?:'s)?,? \(?\"([^\"]+)\"")
SKIP_DIRS = {".git", "build", "dist", "__pycache__", "node_modules"}
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
    text = [""] * len(lines)
    for n, line in prose(lines):
        text[n - 1] = re.sub(r"`[^`]*`", lambda m: " " * len(m.group()), line)
    text = "\n".join(text)
    for m in LINK.finditer(text):
        target, n = m.group(1), text.count("\n", 0, m.start()) + 1
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


def check_refs(root, path, problems):
    """The references to the docs in a file that is not one of them."""
    with open(path, "rb") as f:
        data = f.read(1 << 20)
    if b"\0" in data:
        return  # not text
    rel = os.path.relpath(path, root)
    for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        for m in SOURCE_REF.finditer(line):
            ref, anchor = m.group(1), m.group(2)
            if not (ref.startswith("docs/") or anchor):
                continue
            dest = [p for p in (os.path.join(root, ref), os.path.join(os.path.dirname(path), ref)) if os.path.isfile(p)]
            if not dest:
                problems.append("%s:%d: %s: no such file" % (rel, n, ref))
            elif anchor and anchor not in anchors(os.path.normpath(dest[0])):
                problems.append("%s:%d: %s#%s: no heading with that anchor" % (rel, n, ref, anchor))
        for section in README_SECTION.findall(line):
            readme = os.path.join(root, "README.md")
            if slug(section) not in anchors(readme):
                problems.append('%s:%d: README "%s": no such section in README.md' % (rel, n, section))


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    docs = [os.path.join(root, "README.md")]
    for d, _, files in os.walk(os.path.join(root, "docs")):
        docs += [os.path.join(d, f) for f in sorted(files) if f.endswith(".md")]
    problems = []
    for doc in sorted(docs):
        check(root, doc, problems)
    checked = set(docs) | {os.path.join(root, "tests", "docs", f) for f in ("check_docs.py", "test_check_docs.py")}
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS)
        for f in sorted(files):
            if os.path.join(d, f) not in checked:
                check_refs(root, os.path.join(d, f), problems)
    for p in problems:
        print(p)
    print("check_docs: %d files, %d problems" % (len(docs), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
