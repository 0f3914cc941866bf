"""Builds the teleradyoloji wheels and sdist; the metadata is in pyproject.toml.

The package is pure Python (ctypes) around one native library, so a wheel is
tagged py3-none-<platform>: any CPython 3.8+ on that platform can use it.

- `make python-wheel` stages the package with its library already beside it
  and names the platform in TRL_WHEEL_PLATFORM
  (manylinux_2_17_x86_64.manylinux2014_x86_64, win_amd64, win32).
- The sdist carries the library's Go sources in native/ (modules vendored).
  Building a wheel from it compiles the library with Go and a C compiler,
  offline, and tags the wheel for this machine (e.g. linux_x86_64). Without
  them the build stops with a message saying what is missing: pip then
  installs nothing, rather than a package that cannot import.
- The version is the Makefile's VERSION: from the file VERSION beside this one
  (staged copies and the sdist), else from the checkout's Makefile.
"""
import os
import re
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_DIR = os.path.join(HERE, "teleradyoloji")
LIBRARIES = ("libteleradyoloji.so", "teleradyoloji.dll", "libteleradyoloji.dylib")
MODULE = "github.com/teleradyoloji/teleradyoloji"


def version():
    path = os.path.join(HERE, "VERSION")
    if os.path.isfile(path):
        with open(path) as f:
            return f.read().strip()
    makefile = os.path.join(HERE, "..", "..", "Makefile")
    with open(makefile) as f:
        found = re.search(r"^VERSION\s*:=\s*(\S+)", f.read(), re.M)
    if not found:
        raise SystemExit("teleradyoloji: no VERSION := line in %s" % makefile)
    return found.group(1)


def go_sources():
    """The Go module to build from: the sdist's native/, else the checkout."""
    for candidate in (os.path.join(HERE, "native"), os.path.join(HERE, "..", "..")):
        if os.path.isfile(os.path.join(candidate, "go.mod")) and os.path.isdir(
                os.path.join(candidate, "export")):
            return os.path.abspath(candidate)
    return None


def fail(why):
    raise SystemExit(
        "\n"
        "teleradyoloji: cannot build the native library from source: %s\n"
        "This source distribution compiles libteleradyoloji from its Go sources and needs\n"
        "Go %s or later (`go` on PATH) and a C compiler (gcc, or mingw-w64 gcc on Windows).\n"
        "Install them and try again, or install a binary wheel instead (manylinux_2_17_x86_64,\n"
        "win_amd64, win32): pip install --only-binary=:all: teleradyoloji\n" % (why, go_minimum()))


def go_minimum():
    source = go_sources()
    if source:
        with open(os.path.join(source, "go.mod")) as f:
            found = re.search(r"^go\s+(\S+)", f.read(), re.M)
        if found:
            return found.group(1)
    return "1.26"


def as_tuple(text):
    return tuple(int(n) for n in re.findall(r"\d+", text)[:3])


def build_native():
    """Compiles the library next to the package unless one is already there."""
    if any(os.path.isfile(os.path.join(PACKAGE_DIR, name)) for name in LIBRARIES):
        return  # staged by make python-wheel
    source = go_sources()
    if source is None:
        fail("neither a library beside the package nor the Go sources (native/) are here")
    go = shutil.which("go")
    if go is None:
        fail("`go` was not found on PATH")
    env = dict(os.environ, GOTOOLCHAIN="local", GOPROXY="off", CGO_ENABLED="1", GOFLAGS="")
    if os.path.isdir(os.path.join(source, "vendor")):
        env["GOFLAGS"] = "-mod=vendor"
    have = subprocess.run([go, "env", "GOVERSION"], env=env, stdout=subprocess.PIPE,
                          universal_newlines=True).stdout.strip()
    if as_tuple(have) < as_tuple(go_minimum()):
        fail("this Go is %s" % (have or "of an unknown version"))
    ldflags = "-s -w -X %s/core.Version=%s" % (MODULE, version())
    if sys.platform == "win32":
        name = "teleradyoloji.dll"
        ldflags += " -extldflags '-static-libgcc -Wl,--export-all-symbols -Wl,--exclude-all-symbols'"
    elif sys.platform == "darwin":
        name = "libteleradyoloji.dylib"
    else:
        name = "libteleradyoloji.so"
        ldflags += " -extldflags '-Wl,--version-script=%s -Wl,-soname,libteleradyoloji.so.%s'" % (
            os.path.join(source, "export", "exports.map"), version().split(".")[0])
    out = os.path.join(PACKAGE_DIR, name)
    command = [go, "build", "-trimpath", "-buildmode=c-shared", "-ldflags", ldflags, "-o", out, "./export"]
    print("teleradyoloji: building %s with %s (%s)" % (name, go, have), flush=True)
    proc = subprocess.run(command, cwd=source, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout)
        fail("`go build` failed (its output is above)")
    header = os.path.splitext(out)[0] + ".h"  # cgo's generated header; the package needs none
    if os.path.isfile(header):
        os.remove(header)


class BuildPy(build_py):
    def run(self):
        build_native()
        super().run()


class BinaryDistribution(Distribution):
    """Holds a native library: files go to the wheel's root (platlib)."""

    def has_ext_modules(self):
        return True


cmdclass = {"build_py": BuildPy}
try:
    from wheel.bdist_wheel import bdist_wheel
except ImportError:  # setuptools 70.1+ has its own
    try:
        from setuptools.command.bdist_wheel import bdist_wheel
    except ImportError:
        bdist_wheel = None
if bdist_wheel is not None:
    class PlatformWheel(bdist_wheel):
        def get_tag(self):
            platform = os.environ.get("TRL_WHEEL_PLATFORM") or super().get_tag()[2]
            return ("py3", "none", platform)

    cmdclass["bdist_wheel"] = PlatformWheel

setup(version=version(), distclass=BinaryDistribution, cmdclass=cmdclass)
