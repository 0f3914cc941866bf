"""check.py VERSION BUILD_DIR PYTHON_DIST_DIR PC_FILE NUGET_VERSION: the one version number
of the Makefile is the one in every artifact. Prints "ok ..." per artifact; exits 1 on any
disagreement.

  the .so       trl_version() (loaded with ctypes), its file name libteleradyoloji.so.VERSION
                and its soname libteleradyoloji.so.MAJOR
  the .pc       Version:
  the DLLs      both version resources: FILEVERSION/PRODUCTVERSION (VERSION.0) and the
                FileVersion/ProductVersion strings
  Python        each wheel's and the sdist's file name, METADATA/PKG-INFO Version, and the
                __version__ inside
  NuGet         the .csproj's Version (Teleradyoloji.Version.props, evaluated by xbuild)
"""
import ctypes
import glob
import os
import re
import struct
import subprocess
import sys
import tarfile
import zipfile

version, build, dist, pc_file, nuget = sys.argv[1:6]
failures = []


def check(what, got):
    if got == version:
        print("ok   %-58s %s" % (what, got))
    else:
        print("FAIL %-58s %r, not %r" % (what, got, version))
        failures.append(what)


# The .so
so = os.path.join(build, "libteleradyoloji.so")
lib = ctypes.CDLL(os.path.abspath(so))
lib.trl_version.restype = ctypes.c_char_p
check("trl_version() of %s" % so, lib.trl_version().decode())
real = os.path.basename(os.path.realpath(so))
check("file name of the .so (%s)" % real, real[len("libteleradyoloji.so."):])
dump = subprocess.run(["objdump", "-p", os.path.realpath(so)], stdout=subprocess.PIPE,
                      universal_newlines=True, check=True).stdout
soname = re.search(r"^\s*SONAME\s+(\S+)$", dump, re.M).group(1)
major = version.split(".")[0]
check("soname major (%s)" % soname, version if soname == "libteleradyoloji.so." + major else soname)

# The .pc
with open(pc_file) as f:
    check("teleradyoloji.pc Version:", re.search(r"^Version: (\S+)$", f.read(), re.M).group(1))


# The DLLs' version resources
def utf16(s):
    return s.encode("utf-16-le")


def resource_string(data, key):
    at = data.find(utf16(key) + b"\0\0")
    if at < 0:
        return None
    at += len(utf16(key)) + 2
    while data[at:at + 2] == b"\0\0":
        at += 2
    end = at
    while data[end:end + 2] != b"\0\0":
        end += 2
    return data[at:end].decode("utf-16-le")


for arch, name in [(a, n) for a in ("amd64", "386") for n in ("teleradyoloji.dll", "teleradyoloji-core.dll")]:
    dll = os.path.join(build, "windows-" + arch, name)
    with open(dll, "rb") as f:
        data = f.read()
    info = data.find(utf16("VS_VERSION_INFO"))
    fixed = data.find(struct.pack("<I", 0xFEEF04BD), info)
    if info < 0 or fixed < 0:
        check(dll + " version resource", None)
        continue
    fms, fls, pms, pls = struct.unpack_from("<IIII", data, fixed + 8)
    as_text = lambda ms, ls: "%d.%d.%d" % (ms >> 16, ms & 0xFFFF, ls >> 16) if ls & 0xFFFF == 0 else "?"
    check("%s FILEVERSION" % dll, as_text(fms, fls))
    check("%s PRODUCTVERSION" % dll, as_text(pms, pls))
    check("%s \"FileVersion\"" % dll, resource_string(data, "FileVersion"))
    check("%s \"ProductVersion\"" % dll, resource_string(data, "ProductVersion"))

# Python
wheels = sorted(glob.glob(os.path.join(dist, "teleradyoloji-*.whl")))
if len(wheels) != 3:
    failures.append("wheels")
    print("FAIL expected 3 wheels in %s, found %r" % (dist, wheels))
for wheel in wheels:
    name = os.path.basename(wheel)
    check("%s: file name" % name, name.split("-")[1])
    with zipfile.ZipFile(wheel) as z:
        meta = z.read("teleradyoloji-%s.dist-info/METADATA" % name.split("-")[1]).decode()
        init = z.read("teleradyoloji/__init__.py").decode()
    check("%s: METADATA" % name, re.search(r"^Version: (\S+)$", meta, re.M).group(1))
    check("%s: __version__" % name, re.search(r'^__version__ = "([^"]+)"', init, re.M).group(1))
sdists = glob.glob(os.path.join(dist, "teleradyoloji-*.tar.gz"))
for sdist in sdists:
    name = os.path.basename(sdist)
    check("%s: file name" % name, name[len("teleradyoloji-"):-len(".tar.gz")])
    with tarfile.open(sdist) as t:
        top = t.getnames()[0].split("/")[0]
        pkg_info = t.extractfile(top + "/PKG-INFO").read().decode()
        stamped = t.extractfile(top + "/VERSION").read().decode().strip()
    check("%s: PKG-INFO" % name, re.search(r"^Version: (\S+)$", pkg_info, re.M).group(1))
    check("%s: VERSION" % name, stamped)
if len(sdists) != 1:
    failures.append("sdist")
    print("FAIL expected one sdist in %s, found %r" % (dist, sdists))

# NuGet
check("NuGet package Version (Teleradyoloji.csproj via xbuild)", nuget)

if failures:
    print("test-version: %d disagree" % len(failures))
    sys.exit(1)
print("test-version: every artifact says %s" % version)
