"""Runs the Python binding's tests; the last line is "N passed, M failed".

    python3 bindings/python/tests/run.py [-v] [pattern]

TRL_PYTHON_EXCLUDE=test_a,test_b leaves those modules out (make test-floor:
test_dist, whose sdist build needs a newer setuptools than Debian 11 has).
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def _tests(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _tests(item)
        else:
            yield item


def main():
    verbose = "-v" in sys.argv[1:]
    args = [a for a in sys.argv[1:] if a != "-v"]
    pattern = args[0] if args else "test_*.py"
    sys.path.insert(0, HERE)
    suite = unittest.defaultTestLoader.discover(HERE, pattern=pattern, top_level_dir=HERE)
    exclude = set(filter(None, os.environ.get("TRL_PYTHON_EXCLUDE", "").split(",")))
    if exclude:
        suite = unittest.TestSuite(
            module for module in suite
            if not any(test.id().split(".")[0] in exclude for test in _tests(module)))
        print("left out: %s" % ", ".join(sorted(exclude)))
    result = unittest.TextTestRunner(verbosity=2 if verbose else 1, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    sys.stdout.flush()
    print(line)
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
