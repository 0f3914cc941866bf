#!/usr/bin/env python3
"""check.py VERSION DIST: the layout of every artifact make dist wrote.

- dist/ holds exactly the artifacts and SHA256SUMS, which verifies;
- every archive member has the commit's time (SOURCE_DATE_EPOCH) and every
  artifact carries the license files;
- the Windows zip: x64/ and x86/ each hold the DLL pair, .lib, .def, doctor
  and sandbox, PE32+ x86-64 resp. PE32 i386, no link time; the .def lists the
  header's functions; each .lib links a small C program with MinGW, which
  then imports trl_version from teleradyoloji.dll;
- the Linux tarball: make install's tree (header, .so.VERSION, .so.1 and .so
  links, .pc), the doctor; a C program links with it and prints VERSION;
- the wheels: RECORD true, their native library, auditwheel sees the
  manylinux tag; the sdist; the nupkg (when mk/nuget.mk makes one);
- the SBOM: CycloneDX JSON naming go.mod's modules at their versions and the
  Go toolchain, with no time stamp or serial number.
- README.txt's steps under wine64: the zip's sandbox.exe and a MinGW build
  of examples/c/viewer_url.c with the zip's x64 files get a viewer URL.
Environment: SOURCE_DATE_EPOCH, TRL_AUDITWHEEL, TRL_WINE (wine64) and
WINEPREFIX (with mk/windows.mk's ProcessPrng shim), NUPKG (may be empty).
"""
import base64
import hashlib
import io
import json
import os
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL test-dist: " + what)
    return cond


def ok(what):
    print("ok   " + what)


def repo_files(top):
    """The files under the repository's TOP, relative to REPO (git's view)."""
    out = subprocess.run(["git", "-C", REPO, "ls-files", "--", top], check=True,
                         capture_output=True, text=True).stdout
    return sorted(out.split())


def header_functions():
    with open(os.path.join(REPO, "include", "teleradyoloji.h")) as f:
        return re.findall(r"TRL_CALL\s+\**\s*(trl_[a-z_]+)\s*\(", f.read())


def pe_info(data):
    """(machine, optional header magic, time stamp, is a DLL) of a PE file."""
    off = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[off:off + 4] == b"PE\0\0"
    machine, _, stamp = struct.unpack_from("<HHI", data, off + 4)
    characteristics = struct.unpack_from("<H", data, off + 22)[0]
    magic = struct.unpack_from("<H", data, off + 24)[0]
    return machine, magic, stamp, bool(characteristics & 0x2000)


PE_ARCH = {"x64": (0x8664, 0x20B), "x86": (0x14C, 0x10B)}
MINGW = {"x64": "x86_64-w64-mingw32", "x86": "i686-w64-mingw32"}


def check_windows_zip(path, version, date_time, tmp):
    top = "teleradyoloji-%s-windows/" % version
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        expected = {"README.txt", "BENIOKU.txt", "CHANGELOG.md", "LICENSE", "NOTICE",
                    "include/teleradyoloji.h", "delphi/Teleradyoloji.pas"}
        expected |= set(repo_files("LICENSES")) | set(repo_files("examples"))
        expected |= set(repo_files("docs/tr"))
        for arch in PE_ARCH:
            expected |= {"%s/%s" % (arch, f) for f in (
                "teleradyoloji.dll", "teleradyoloji-core.dll", "teleradyoloji.lib", "teleradyoloji.def",
                "teleradyoloji.exe", "teleradyoloji-sandbox.exe")}
        got = {n[len(top):] for n in names if n.startswith(top)}
        check(len(got) == len(names), "windows zip: members outside %s" % top)
        check(got == expected, "windows zip: members differ from the layout: extra %s, missing %s"
              % (sorted(got - expected), sorted(expected - got)))
        check(names == sorted(names), "windows zip: members not sorted")
        check(all(i.date_time == date_time for i in infos), "windows zip: a member time is not SOURCE_DATE_EPOCH")
        for arch, (machine, magic) in PE_ARCH.items():
            for f in ("teleradyoloji.dll", "teleradyoloji-core.dll", "teleradyoloji.exe", "teleradyoloji-sandbox.exe"):
                name = top + arch + "/" + f
                if name not in names:
                    continue
                m, mg, stamp, dll = pe_info(z.read(name))
                check((m, mg) == (machine, magic), "%s: PE machine 0x%x, magic 0x%x" % (name, m, mg))
                check(stamp == 0, "%s: PE time stamp %d (a link time is left in)" % (name, stamp))
                check(dll == f.endswith(".dll"), "%s: DLL flag %s" % (name, dll))
            if top + arch + "/teleradyoloji.def" in names:
                lines = z.read(top + arch + "/teleradyoloji.def").decode().split()
                check(lines[:3] == ["LIBRARY", "teleradyoloji.dll", "EXPORTS"] and lines[3:] == header_functions(),
                      "%s/teleradyoloji.def does not list the header's functions" % arch)
        z.extractall(tmp)
    ok("windows zip: %d members, x64 PE32+ x86-64 and x86 PE32 i386 (DLLs, doctor, sandbox), "
       "no PE time stamp, .def = header's %d functions" % (len(names), len(header_functions())))

    # Each import library links a C program with MinGW; it imports from the front DLL.
    root = os.path.join(tmp, top)
    prog = os.path.join(tmp, "uses_lib.c")
    with open(prog, "w") as f:
        f.write('#include <stdio.h>\n#include "teleradyoloji.h"\n'
                'int main(void) { printf("%s\\n", trl_version()); return trl_abi_version() != TRL_ABI_VERSION; }\n')
    for arch, tool in MINGW.items():
        exe = os.path.join(tmp, "uses_lib_%s.exe" % arch)
        r = subprocess.run([tool + "-gcc", "-std=c11", "-Wall", "-Werror", "-I", os.path.join(root, "include"),
                            "-o", exe, prog, os.path.join(root, arch, "teleradyoloji.lib")],
                           capture_output=True, text=True)
        if not check(r.returncode == 0, "%s/teleradyoloji.lib does not link with %s-gcc: %s" % (arch, tool, r.stderr)):
            continue
        dump = subprocess.run([tool + "-objdump", "-p", exe], check=True, capture_output=True, text=True).stdout
        imports = dump.split("DLL Name: teleradyoloji.dll", 1)
        check(len(imports) == 2 and "trl_version" in imports[1].split("DLL Name:", 1)[0],
              "%s: the program does not import trl_version from teleradyoloji.dll" % arch)
        m, _, _, _ = pe_info(open(exe, "rb").read())
        check(m == PE_ARCH[arch][0], "%s: the program's machine is 0x%x" % (arch, m))
    ok("windows zip: x64/ and x86/ teleradyoloji.lib link a C program with MinGW (imports from teleradyoloji.dll)")
    check_zip_to_study(root, tmp)


def check_zip_to_study(root, tmp):
    """README.txt's steps under wine64: the zip's sandbox, examples/c built
    with the zip's x64 .lib beside the DLL pair, a viewer URL from it."""
    wine = [os.environ["TRL_WINE"]]
    app = os.path.join(tmp, "app")
    os.makedirs(app)
    subprocess.run(["x86_64-w64-mingw32-gcc", "-std=c11", "-I", root + "include", "-o", app + "/viewer_url.exe",
                    root + "examples/c/viewer_url.c", root + "x64/teleradyoloji.lib"], check=True)
    for f in ("teleradyoloji.dll", "teleradyoloji-core.dll"):
        with open(root + "x64/" + f, "rb") as src, open(os.path.join(app, f), "wb") as dst:
            dst.write(src.read())
    env = dict(os.environ, WINEDEBUG="-all")
    sandbox = subprocess.Popen(wine + [root + "x64/teleradyoloji-sandbox.exe", "--port", "0"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base = sandbox.stdout.readline().strip()
        if not check(base.startswith("http://127.0.0.1:"), "x64/teleradyoloji-sandbox.exe under wine64 printed %r" % base):
            return
        r = subprocess.run(wine + ["./viewer_url.exe", base, "ACC-2026-0001"], cwd=app, env=env,
                           capture_output=True, text=True, timeout=300)
        url = r.stdout.strip()
        check(r.returncode == 0 and url.startswith(base + "/viewer/#/viewpatient?otac="),
              "examples/c/viewer_url.exe under wine64 against the zip's sandbox: status %d, %r %r"
              % (r.returncode, url.split("otac=")[0], r.stderr.strip()))
    finally:
        sandbox.kill()
        sandbox.wait()
    ok("windows zip, README.txt's steps under wine64: x64/teleradyoloji-sandbox.exe serves, examples/c/viewer_url.c "
       "built with x64/teleradyoloji.lib gets a viewer URL from it")


def check_linux_tarball(path, version, epoch, tmp):
    top = "teleradyoloji-%s-linux-x86_64" % version
    with tarfile.open(path) as t:
        members = t.getmembers()
        byname = {m.name: m for m in members}
        files = {m.name[len(top) + 1:] for m in members if m.isfile()}
        expected = {"bin/teleradyoloji", "include/teleradyoloji.h", "lib/libteleradyoloji.so." + version,
                    "lib/pkgconfig/teleradyoloji.pc"}
        expected |= {"share/doc/teleradyoloji/" + f for f in ["LICENSE", "NOTICE", "CHANGELOG.md"] + repo_files("LICENSES")}
        check(files == expected, "linux tarball: files differ from the layout: extra %s, missing %s"
              % (sorted(files - expected), sorted(expected - files)))
        for link, target in (("libteleradyoloji.so.1", "libteleradyoloji.so." + version),
                             ("libteleradyoloji.so", "libteleradyoloji.so.1")):
            m = byname.get(top + "/lib/" + link)
            check(m is not None and m.issym() and m.linkname == target, "linux tarball: lib/%s is no link to %s" % (link, target))
        check(all(m.mtime == epoch and m.uid == 0 and m.gid == 0 for m in members),
              "linux tarball: a member's time is not SOURCE_DATE_EPOCH or its owner not 0")
        check([m.name for m in members] == sorted(m.name for m in members), "linux tarball: members not sorted")
        so = t.extractfile(top + "/lib/libteleradyoloji.so." + version).read()
        check(so[:4] == b"\x7fELF" and struct.unpack_from("<H", so, 18)[0] == 62, "linux tarball: the .so is no x86-64 ELF")
        pc = t.extractfile(top + "/lib/pkgconfig/teleradyoloji.pc").read().decode()
        check("Version: %s\n" % version in pc, "linux tarball: teleradyoloji.pc is not version " + version)
        t.extractall(tmp, filter="tar") if hasattr(tarfile, "data_filter") else t.extractall(tmp)
    root = os.path.join(tmp, top)
    prog, exe = os.path.join(tmp, "uses_so.c"), os.path.join(tmp, "uses_so")
    with open(prog, "w") as f:
        f.write('#include <stdio.h>\n#include "teleradyoloji.h"\nint main(void) { puts(trl_version()); return 0; }\n')
    subprocess.run(["cc", "-std=c11", "-I", root + "/include", "-o", exe, prog, "-L", root + "/lib", "-lteleradyoloji"], check=True)
    out = subprocess.run([exe], env=dict(os.environ, LD_LIBRARY_PATH=root + "/lib"),
                         capture_output=True, text=True).stdout.strip()
    check(out == version, "linux tarball: a program linked with it prints trl_version() %r" % out)
    doc = subprocess.run([root + "/bin/teleradyoloji", "help"], capture_output=True, text=True).stdout
    check(version in doc, "linux tarball: bin/teleradyoloji help does not name " + version)
    ok("linux tarball: %d members, make install's tree, .so.1/.so links, .pc %s; a C program prints %s; the doctor runs"
       % (len(members), version, out))


def check_record(z, what):
    record = [n for n in z.namelist() if n.endswith(".dist-info/RECORD")]
    if not check(len(record) == 1, what + ": no RECORD"):
        return
    seen = set()
    for line in z.read(record[0]).decode().splitlines():
        name, digest, _ = line.rsplit(",", 2)
        seen.add(name)
        if name == record[0]:
            continue
        want = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(z.read(name)).digest()).rstrip(b"=").decode()
        check(digest == want, "%s: RECORD's hash of %s is wrong" % (what, name))
    check(seen == set(z.namelist()), what + ": RECORD does not list every member")


def check_python(dist, version, date_time, epoch, tmp):
    tags = {"manylinux_2_17_x86_64.manylinux2014_x86_64": ["libteleradyoloji.so"],
            "win_amd64": ["teleradyoloji.dll", "teleradyoloji-core.dll"],
            "win32": ["teleradyoloji.dll", "teleradyoloji-core.dll"]}
    for tag, libs in tags.items():
        name = "teleradyoloji-%s-py3-none-%s.whl" % (version, tag)
        with zipfile.ZipFile(os.path.join(dist, name)) as z:
            names = z.namelist()
            info = "teleradyoloji-%s.dist-info/" % version
            for f in ["LICENSE", "NOTICE"]:
                check(info + f in names, "%s: no %s" % (name, f))
            for lib in libs:
                check("teleradyoloji/" + lib in names, "%s: no teleradyoloji/%s" % (name, lib))
                if lib.endswith(".dll") and "teleradyoloji/" + lib in names:
                    m = pe_info(z.read("teleradyoloji/" + lib))[0]
                    check(m == PE_ARCH["x64" if tag == "win_amd64" else "x86"][0], "%s: %s machine 0x%x" % (name, lib, m))
            check("Tag: py3-none-%s\n" % tag.split(".")[0] in z.read(info + "WHEEL").decode(), name + ": WHEEL tag")
            check(all(i.date_time == date_time for i in z.infolist()), name + ": a member time is not SOURCE_DATE_EPOCH")
            check_record(z, name)
    wheel = os.path.join(dist, "teleradyoloji-%s-py3-none-%s.whl" % (version, "manylinux_2_17_x86_64.manylinux2014_x86_64"))
    shown = subprocess.run([os.environ["TRL_AUDITWHEEL"], "show", wheel], capture_output=True, text=True)
    check(shown.returncode == 0 and '"manylinux_2_17_x86_64"' in shown.stdout.replace("\n", " "),
          "auditwheel show does not see manylinux_2_17_x86_64: " + shown.stdout + shown.stderr)
    sdist = os.path.join(dist, "teleradyoloji-%s.tar.gz" % version)
    with tarfile.open(sdist) as t:
        names = t.getnames()
        top = "teleradyoloji-%s/" % version
        for f in ["PKG-INFO", "LICENSE", "NOTICE", "native/go.mod", "native/include/teleradyoloji.h"]:
            check(top + f in names, "sdist: no " + f)
        check("Version: %s\n" % version in t.extractfile(top + "PKG-INFO").read().decode(), "sdist: PKG-INFO version")
        check(all(m.mtime == epoch and m.uid == 0 for m in t.getmembers()), "sdist: a member time or owner is not fixed")
    ok("wheels (manylinux_2_17 by auditwheel, win_amd64, win32): native libraries, LICENSE/NOTICE, RECORD true; sdist")


def check_nupkg(path, date_time):
    with zipfile.ZipFile(path) as z:
        base = {n.rsplit("/", 1)[-1] for n in z.namelist()}
        check({"LICENSE", "NOTICE"} <= base or {"LICENSE.txt", "NOTICE.txt"} <= base, "nupkg: no LICENSE and NOTICE")
        check(all(i.date_time == date_time for i in z.infolist()), "nupkg: a member time is not SOURCE_DATE_EPOCH")
    ok("nupkg: license files, fixed times")


def check_sbom(path, version):
    with open(path) as f:
        bom = json.load(f)
    check(bom.get("bomFormat") == "CycloneDX", "SBOM: bomFormat is not CycloneDX")
    check("serialNumber" not in bom and "timestamp" not in bom.get("metadata", {}), "SBOM: has a serial number or time stamp")
    main = bom["metadata"]["component"]
    check((main["name"], main["version"]) == ("github.com/teleradyoloji/teleradyoloji", "v" + version),
          "SBOM: the main component is %s@%s" % (main["name"], main["version"]))
    have = {(c["name"], c["version"]) for c in bom.get("components", [])}
    with open(os.path.join(REPO, "go.mod")) as f:
        required = re.findall(r"^\s+(\S+) (v\S+)", f.read(), re.M)
    for mod in required:
        check(mod in have, "SBOM: no component %s@%s (go.mod)" % mod)
    goversion = subprocess.run(["go", "env", "GOVERSION"], check=True, capture_output=True, text=True).stdout.strip()
    check(("std", goversion) in have, "SBOM: no component std@" + goversion)
    ok("SBOM: CycloneDX %s, %d components: go.mod's %d modules and std@%s" % (
        bom.get("specVersion"), len(have), len(required), goversion))


def main():
    version, dist = sys.argv[1], sys.argv[2]
    epoch = int(os.environ["SOURCE_DATE_EPOCH"])
    t = time.gmtime(max(epoch, 315532800))
    date_time = t[:5] + (t[5] // 2 * 2,)  # a zip's times: 1980 on, even seconds
    nupkg = os.path.basename(os.environ.get("NUPKG", ""))
    artifacts = ["teleradyoloji-%s-windows.zip" % version, "teleradyoloji-%s-linux-x86_64.tar.gz" % version,
                 "teleradyoloji-%s.tar.gz" % version, "teleradyoloji-%s.cdx.json" % version] + [
        "teleradyoloji-%s-py3-none-%s.whl" % (version, t)
        for t in ("manylinux_2_17_x86_64.manylinux2014_x86_64", "win_amd64", "win32")] + ([nupkg] if nupkg else [])
    present = sorted(os.listdir(dist))
    if not check(present == sorted(artifacts + ["SHA256SUMS"]), "dist/ holds %s, expected %s" % (present, sorted(artifacts + ["SHA256SUMS"]))):
        sys.exit(1)
    sums = {}
    with open(os.path.join(dist, "SHA256SUMS")) as f:
        for line in f:
            digest, name = line.split()
            sums[name] = digest
    check(sorted(sums) == sorted(artifacts), "SHA256SUMS lists %s" % sorted(sums))
    for name, digest in sums.items():
        with open(os.path.join(dist, name), "rb") as f:
            check(hashlib.sha256(f.read()).hexdigest() == digest, "SHA256SUMS: %s does not verify" % name)
    ok("SHA256SUMS verifies %d artifacts" % len(sums))
    with tempfile.TemporaryDirectory() as tmp:
        check_windows_zip(os.path.join(dist, artifacts[0]), version, date_time, os.path.join(tmp, "win"))
        check_linux_tarball(os.path.join(dist, artifacts[1]), version, epoch, os.path.join(tmp, "linux"))
    check_python(dist, version, date_time, epoch, None)
    if nupkg:
        check_nupkg(os.path.join(dist, nupkg), date_time)
    else:
        print("note test-dist: no NUPKG (mk/nuget.mk not merged): dist has no nupkg")
    check_sbom(os.path.join(dist, artifacts[3]), version)
    if failures:
        sys.exit("test-dist: %d failure(s)" % len(failures))
    print("test-dist: every artifact's layout is right")


if __name__ == "__main__":
    main()
