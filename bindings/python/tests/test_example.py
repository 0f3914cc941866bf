"""examples/python/open_study.py against the sandbox."""
import os
import subprocess
import sys
import unittest

import support

EXAMPLE = os.path.join(support.REPO, "examples", "python", "open_study.py")


def run_example(*args, **env_changes):
    env = dict(os.environ, PYTHONPATH=support.BINDING)
    env.pop("TRL_SANDBOX_URL", None)
    env.update(env_changes)
    return subprocess.run([sys.executable, EXAMPLE] + list(args), env=env,
                          capture_output=True, text=True, timeout=60)


class ExampleTest(unittest.TestCase):
    def setUp(self):
        support.reset()

    def test_prints_a_url_that_opens_the_study(self):
        proc = run_example("--sandbox", support.sandbox_url(), "--doctor-tc", support.DOCTOR_TC,
                           "--print", support.TURKISH_ACCESSION)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        url = proc.stdout.strip()
        self.assertEqual(support.open_viewer(url), (200, {"ok": True, "accession": support.TURKISH_ACCESSION}))
        self.assertEqual(support.stats()["tokens_by_key"], {support.DOCTOR_TC + "|": 1})

    def test_sandbox_from_environment(self):
        proc = run_example("--print", "ACC-ENV", TRL_SANDBOX_URL=support.sandbox_url())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(support.open_viewer(proc.stdout.strip())[0], 200)

    def test_error_is_reported_without_secrets(self):
        proc = run_example("--sandbox", support.sandbox_url(), "--print", "NOT-FOUND")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("TRL_E_HTTP", proc.stderr)
        self.assertNotIn(support.PASSWORD, proc.stderr + proc.stdout)
        self.assertEqual(proc.stdout, "")


if __name__ == "__main__":
    unittest.main()
