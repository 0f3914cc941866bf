#!/usr/bin/env python3
"""dist-zip.py: zip files that are the same bytes whenever their contents are.

  dist-zip.py make OUT DIR   zips the files under DIR (sorted paths, no
                             directory entries) into OUT
  dist-zip.py fix ZIP...     rewrites each zip in place: same members in the
                             same order, same contents (a wheel's RECORD stays
                             true), only times and modes made fixed

Every member gets the time SOURCE_DATE_EPOCH (UTC; the commit's time) and the
mode 0644, or 0755 when its owner could execute it; compression is deflate,
level 9. Standard library only.
"""
import os
import sys
import time
import zipfile


def fixed_time():
    epoch = int(os.environ["SOURCE_DATE_EPOCH"])
    t = time.gmtime(max(epoch, 315532800))  # zip cannot say before 1980
    return t[:5] + (t[5] // 2 * 2,)  # nor odd seconds


def info(name, date_time, executable):
    zi = zipfile.ZipInfo(name, date_time)
    zi.create_system = 3  # unix, so that the mode below is read
    zi.external_attr = (0o100755 if executable else 0o100644) << 16
    zi.compress_type = zipfile.ZIP_DEFLATED
    return zi


def write(out, members, date_time):
    """members: (name, bytes, executable) in the order to write them."""
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data, executable in members:
            z.writestr(info(name, date_time, executable), data, compresslevel=9)
    os.replace(tmp, out)


def make(out, top):
    members = []
    for root, dirs, files in os.walk(top):
        dirs.sort()
        for f in files:
            path = os.path.join(root, f)
            with open(path, "rb") as fh:
                data = fh.read()
            members.append((os.path.relpath(path, top).replace(os.sep, "/"), data,
                            bool(os.stat(path).st_mode & 0o100)))
    members.sort(key=lambda m: m[0])
    write(out, members, fixed_time())


def fix(path):
    with zipfile.ZipFile(path) as z:
        members = [(zi.filename, z.read(zi), bool((zi.external_attr >> 16) & 0o100))
                   for zi in z.infolist() if not zi.is_dir()]
    write(path, members, fixed_time())


def main(argv):
    if len(argv) == 4 and argv[1] == "make":
        make(argv[2], argv[3])
    elif len(argv) >= 3 and argv[1] == "fix":
        for p in argv[2:]:
            fix(p)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
