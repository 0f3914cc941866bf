"""Runs the browser tests (test_*.py here); the last line is "N passed, M failed".

    scripts/with-sandbox.sh python3 tests/browser/run.py [-v] [pattern]

Needs Debian's chromium (/usr/bin/chromium, or TRL_CHROMIUM) and
build/libteleradyoloji.so; `make test-browser` sees to both.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    verbose = "-v" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a != "-v"]
    pattern = args[0] if args else "test_*.py"
    sys.path.insert(0, HERE)
    suite = unittest.defaultTestLoader.discover(HERE, pattern=pattern, top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=2 if verbose else 1, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    sys.stdout.flush()
    # A skip is a failure here: nothing in this suite may be left out.
    print("%d passed, %d failed" % (passed, failed + skipped))
    return 0 if failed == 0 and skipped == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
