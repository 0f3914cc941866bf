"""The Linux wheel from `make python-wheel` (manylinux_2_17_x86_64),
installed into a fresh venv and used from another directory, with the
library it bundles. test_dist.py checks the other artifacts."""
import glob
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest
import zipfile

import support
from teleradyoloji._native import LIBRARY_NAME

SCRIPT = textwrap.dedent("""
    import json, os, sys
    import teleradyoloji
    from teleradyoloji import _native
    with teleradyoloji.Client(**json.loads(sys.argv[1])) as client:
        url = client.viewer_url("WHEEL-Ğ-1")
    print(json.dumps({
        "package": teleradyoloji.__file__,
        "library": _native.library_path,
        "prefix": sys.prefix,
        "typed": os.path.isfile(os.path.join(os.path.dirname(teleradyoloji.__file__), "py.typed")),
        "version": teleradyoloji.version(),
        "viewer": url.split("#")[0],
    }))
    """)


def find_wheel():
    directory = os.environ.get("TRL_PYTHON_WHEEL_DIR", os.path.join(support.REPO, "build", "python", "dist"))
    wheels = glob.glob(os.path.join(directory, "teleradyoloji-*-manylinux_2_17_x86_64.*.whl"))
    if len(wheels) != 1:
        raise AssertionError("expected one wheel in %s, found %r: run make python-wheel" % (directory, wheels))
    return wheels[0]


class WheelTest(unittest.TestCase):
    def test_platform_wheel_bundles_library(self):
        wheel = find_wheel()
        self.assertNotIn("-none-any", wheel)
        self.assertIn("-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", os.path.basename(wheel))
        names = zipfile.ZipFile(wheel).namelist()
        for name in ("teleradyoloji/__init__.py", "teleradyoloji/py.typed",
                     "teleradyoloji/" + LIBRARY_NAME):
            self.assertIn(name, names)

    def test_installs_into_fresh_venv(self):
        wheel = find_wheel()
        support.reset()
        with tempfile.TemporaryDirectory() as tmp:
            venv = os.path.join(tmp, "venv")
            subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
            python = os.path.join(venv, "bin", "python")
            env = {k: v for k, v in os.environ.items()
                   if k not in ("PYTHONPATH", "TELERADYOLOJI_LIBRARY", "PYTHONHOME")}
            env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
            subprocess.run([python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", wheel],
                           check=True, env=env, timeout=300)
            elsewhere = os.path.join(tmp, "elsewhere")
            os.mkdir(elsewhere)
            proc = subprocess.run([python, "-c", SCRIPT, json.dumps(support.settings())],
                                  cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
            seen = json.loads(proc.stdout)
            venv_real = os.path.realpath(venv)
            self.assertTrue(os.path.realpath(seen["package"]).startswith(venv_real), seen["package"])
            self.assertEqual(os.path.dirname(os.path.realpath(seen["library"])),
                             os.path.dirname(os.path.realpath(seen["package"])))
            self.assertTrue(seen["typed"])
            self.assertEqual(seen["viewer"], support.sandbox_url() + "/viewer/")
        self.assertEqual(support.stats()["otac_requests"], 1)


if __name__ == "__main__":
    unittest.main()
