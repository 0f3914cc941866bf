#!/usr/bin/env python3
"""diff.py A B: where two builds of one artifact differ, member by member.

Zips (the Windows zip, wheels, nupkg) and .tar.gz: members only in one, or
whose time, mode, owner or bytes differ (with the first differing offset);
nested archives are opened too. Any other file: the first differing offset.
"""
import hashlib
import io
import sys
import tarfile
import zipfile

shown = 0


def say(line):
    """Prints up to 12 lines: the first differences are the ones to read."""
    global shown
    shown += 1
    if shown <= 12:
        print(line)
    elif shown == 13:
        print("...")


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "first differing byte at offset %d (0x%x)" % (i, i)
    return "one is a prefix of the other (%d vs %d bytes)" % (len(a), len(b))


def members(data):
    """name -> (metadata, bytes), or None when data is no archive."""
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {i.filename: ((i.date_time, oct(i.external_attr >> 16), i.create_system), z.read(i))
                    for i in z.infolist()}
    if data[:2] == b"\x1f\x8b":
        out = {}
        with tarfile.open(fileobj=io.BytesIO(data)) as t:
            for m in t.getmembers():
                f = t.extractfile(m) if m.isfile() else None
                out[m.name] = ((m.mtime, oct(m.mode), m.uid, m.gid, m.uname, m.gname, m.linkname),
                               f.read() if f else b"")
        return out
    return None


def compare(name, a, b, depth=0):
    pad = "  " * depth
    if a == b:
        return
    ma, mb = members(a), members(b)
    if ma is None or mb is None:
        say("%s%s: %s" % (pad, name, first_diff(a, b)))
        return
    if list(ma) != list(mb):
        say("%s%s: member order or names differ" % (pad, name))
        for n in sorted(set(ma) ^ set(mb)):
            say("%s  only in %s: %s" % (pad, "A" if n in ma else "B", n))
    for n in ma:
        if n not in mb:
            continue
        (meta_a, da), (meta_b, db) = ma[n], mb[n]
        if meta_a != meta_b:
            say("%s%s: %s: metadata %s vs %s" % (pad, name, n, meta_a, meta_b))
        if da != db:
            say("%s%s: %s: contents differ (sha256 %s vs %s)" % (
                pad, name, n, hashlib.sha256(da).hexdigest()[:16], hashlib.sha256(db).hexdigest()[:16]))
            compare(n, da, db, depth + 1)
    if ma == mb:
        say("%s%s: same members; the container differs: %s" % (pad, name, first_diff(a, b)))


def main():
    with open(sys.argv[1], "rb") as fa, open(sys.argv[2], "rb") as fb:
        compare(sys.argv[1].rsplit("/", 1)[-1], fa.read(), fb.read())


if __name__ == "__main__":
    main()
