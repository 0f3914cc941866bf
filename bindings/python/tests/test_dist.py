"""The artifacts of `make python-wheel` besides the one test_wheel.py installs:
the manylinux tag checked by auditwheel, the Windows wheels opened and their
DLLs' bitness read from the PE header, and the sdist installed into fresh
venvs, with Go (it builds the library) and without (it refuses clearly).

Run by `make test-python`, which provides auditwheel and the build backend's
wheels from a cache (TRL_AUDITWHEEL, TRL_PYTHON_BUILD_WHEELS) and the
Makefile's version (TRL_VERSION).
"""
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile

import support
from test_wheel import SCRIPT

PE_MACHINE = {"win_amd64": 0x8664, "win32": 0x014C}
PE_MAGIC = {"win_amd64": 0x20B, "win32": 0x10B}  # PE32+ / PE32


def need_env(name):
    value = os.environ.get(name)
    if not value:
        raise AssertionError("%s is not set: run these tests with make test-python" % name)
    return value


def dist_dir():
    return os.environ.get("TRL_PYTHON_WHEEL_DIR", os.path.join(support.REPO, "build", "python", "dist"))


def one(pattern):
    found = glob.glob(os.path.join(dist_dir(), pattern))
    if len(found) != 1:
        raise AssertionError("expected one %s in %s, found %r: run make python-wheel"
                             % (pattern, dist_dir(), found))
    return found[0]


def wheel_info(path):
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        info = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
        tags = [line.split(": ", 1)[1] for line in z.read(info).decode().splitlines()
                if line.startswith("Tag: ")]
        purelib = "Root-Is-Purelib: false" not in z.read(info).decode()
        version = re.search(r"^Version: (\S+)$", z.read(meta).decode(), re.M).group(1)
        init = z.read("teleradyoloji/__init__.py").decode()
    return names, tags, purelib, version, init


def pe_header(data):
    """(machine, optional-header magic, is a DLL) of a PE image."""
    if data[:2] != b"MZ":
        raise AssertionError("not a PE file (no MZ)")
    offset = struct.unpack_from("<I", data, 0x3C)[0]
    if data[offset:offset + 4] != b"PE\0\0":
        raise AssertionError("not a PE file (no PE signature)")
    machine, _, _, _, _, _, characteristics = struct.unpack_from("<HHIIIHH", data, offset + 4)
    magic = struct.unpack_from("<H", data, offset + 24)[0]
    return machine, magic, bool(characteristics & 0x2000)


def fresh_venv(tmp):
    venv = os.path.join(tmp, "venv")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "TELERADYOLOJI_LIBRARY", "PYTHONHOME", "GOFLAGS")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return venv, os.path.join(venv, "bin", "python"), env


class LinuxWheelTest(unittest.TestCase):
    def test_auditwheel_says_manylinux_2_17_or_older(self):
        wheel = one("teleradyoloji-*-manylinux_2_17_x86_64.*.whl")
        proc = subprocess.run([need_env("TRL_AUDITWHEEL"), "show", wheel], capture_output=True,
                              text=True, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        text = " ".join(proc.stdout.split())
        found = re.search(r'consistent with the following platform tag: "manylinux_2_(\d+)_x86_64"', text)
        self.assertTrue(found, text)
        self.assertLessEqual(int(found.group(1)), 17, text)
        # Only glibc's own libraries, never one the wheel would have to bundle
        # (auditwheel says "no external shared libraries", or lists just the
        # system-provided ones whose symbol versions set the tag).
        external = re.search(r"references external versioned symbols in these system-provided "
                             r"shared libraries: (.*?) This constrains", text)
        if external:
            libs = set(re.findall(r"(lib[a-z0-9_.+-]+\.so\.\d+) with versions", external.group(1)))
            self.assertLessEqual(libs, {"libc.so.6", "libdl.so.2", "libpthread.so.0", "libresolv.so.2",
                                        "libm.so.6", "librt.so.1"}, text)
        else:
            self.assertIn("requires no external shared libraries", text)

    def test_tags_version_and_contents(self):
        wheel = one("teleradyoloji-*-manylinux_2_17_x86_64.*.whl")
        names, tags, purelib, version, init = wheel_info(wheel)
        self.assertEqual(tags, ["py3-none-manylinux_2_17_x86_64", "py3-none-manylinux2014_x86_64"])
        self.assertFalse(purelib)
        self.assertEqual(version, need_env("TRL_VERSION"))
        self.assertIn('__version__ = "%s"' % version, init)
        self.assertEqual([n for n in names if n.startswith("teleradyoloji/lib")],
                         ["teleradyoloji/libteleradyoloji.so"])
        self.assertFalse([n for n in names if n.endswith(".dll")])
        has_license_files(self, names)


def has_license_files(test, names):
    """The wheel's .dist-info carries LICENSE and NOTICE (setuptools: licenses/ or the top)."""
    for name in ("LICENSE", "NOTICE"):
        test.assertTrue([n for n in names if ".dist-info/" in n and n.endswith("/" + name)], (name, names))


class WindowsWheelTest(unittest.TestCase):
    def check(self, platform):
        wheel = one("teleradyoloji-*-py3-none-%s.whl" % platform)
        names, tags, purelib, version, init = wheel_info(wheel)
        self.assertEqual(tags, ["py3-none-" + platform])
        self.assertFalse(purelib)
        self.assertEqual(version, need_env("TRL_VERSION"))
        self.assertIn('__version__ = "%s"' % version, init)
        for name in ("teleradyoloji/__init__.py", "teleradyoloji/_native.py", "teleradyoloji/py.typed",
                     "teleradyoloji/teleradyoloji.dll", "teleradyoloji/teleradyoloji-core.dll"):
            self.assertIn(name, names)
        self.assertFalse([n for n in names if n.endswith((".so", ".dylib", ".h", ".lib", ".def"))], names)
        for dll in ("teleradyoloji/teleradyoloji.dll", "teleradyoloji/teleradyoloji-core.dll"):
            with zipfile.ZipFile(wheel) as z:
                machine, magic, is_dll = pe_header(z.read(dll))
            self.assertEqual(machine, PE_MACHINE[platform], "%s %s: machine 0x%x" % (platform, dll, machine))
            self.assertEqual(magic, PE_MAGIC[platform])
            self.assertTrue(is_dll)
        has_license_files(self, names)

    def test_win_amd64_has_the_x64_dll(self):
        self.check("win_amd64")

    def test_win32_has_the_x86_dll(self):
        self.check("win32")


class SdistTest(unittest.TestCase):
    def sdist(self):
        return one("teleradyoloji-*.tar.gz")

    def test_contents(self):
        with tarfile.open(self.sdist()) as t:
            names = [n.split("/", 1)[1] for n in t.getnames() if "/" in n]
        for name in ("VERSION", "setup.py", "pyproject.toml", "teleradyoloji/_native.py",
                     "native/go.mod", "native/go.sum", "native/vendor/modules.txt",
                     "native/export/shim.c", "native/export/exports.map",
                     "native/include/teleradyoloji.h", "native/core/version.go", "LICENSE", "NOTICE"):
            self.assertIn(name, names)
        self.assertFalse([n for n in names if n.endswith(("_test.go", ".so", ".dll", ".syso"))])

    def test_installs_with_go_and_builds_the_library(self):
        support.reset()
        with tempfile.TemporaryDirectory() as tmp:
            venv, python, env = fresh_venv(tmp)
            proc = subprocess.run(
                [python, "-m", "pip", "install", "-q", "--no-index",
                 "--find-links", need_env("TRL_PYTHON_BUILD_WHEELS"), self.sdist()],
                env=env, capture_output=True, text=True, timeout=900)
            self.assertEqual(proc.returncode, 0, proc.stdout[-3000:] + proc.stderr[-3000:])
            elsewhere = os.path.join(tmp, "elsewhere")
            os.mkdir(elsewhere)
            proc = subprocess.run([python, "-c", SCRIPT, json.dumps(support.settings())],
                                  cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
            seen = json.loads(proc.stdout)
            self.assertTrue(os.path.realpath(seen["library"]).startswith(os.path.realpath(venv)),
                            seen["library"])
            self.assertEqual(seen["version"], need_env("TRL_VERSION"))
            self.assertEqual(seen["viewer"], support.sandbox_url() + "/viewer/")
        self.assertEqual(support.stats()["otac_requests"], 1)

    def test_without_go_fails_at_install_and_installs_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            venv, python, env = fresh_venv(tmp)
            env["PATH"] = os.pathsep.join([os.path.join(venv, "bin"), "/usr/bin", "/bin"])
            self.assertIsNone(shutil.which("go", path=env["PATH"]), "go is in /usr/bin or /bin here")
            proc = subprocess.run(
                [python, "-m", "pip", "install", "--no-index",
                 "--find-links", need_env("TRL_PYTHON_BUILD_WHEELS"), self.sdist()],
                env=env, capture_output=True, text=True, timeout=600)
            output = proc.stdout + proc.stderr
            self.assertNotEqual(proc.returncode, 0, output[-3000:])
            self.assertIn("teleradyoloji: cannot build the native library from source: "
                          "`go` was not found on PATH", output)
            self.assertIn("pip install --only-binary=:all: teleradyoloji", output)
            proc = subprocess.run([python, "-c", "import teleradyoloji"], cwd=tmp, env=env,
                                  capture_output=True, text=True, timeout=60)
            self.assertIn("No module named 'teleradyoloji'", proc.stderr)


if __name__ == "__main__":
    unittest.main()
