"""One client shared by many threads: one token fetch per key, calls in parallel."""
import threading
import time
import unittest

import support
import teleradyoloji
from support import PATIENT_TC, TURKISH_ACCESSION, SandboxTest

THREADS = 16
DOCTORS = ["1000000000%d" % i for i in range(4)]


def run_threads(count, work):
    """Runs work(i) on count threads started together; returns results, re-raises errors."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def body(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as exc:  # noqa: B902 - reported to the test
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if errors:
        raise errors[0]
    return results


class ThreadsTest(SandboxTest):
    def test_one_token_fetch_per_key(self):
        # Slow token answers keep every thread waiting on the same fetches.
        support.fault(target="token", kind="latency", delay_ms=300, count=0)

        def work(i):
            urls = [self.client.viewer_url("%s-%d-%d" % (TURKISH_ACCESSION, i, n),
                                           DOCTORS[i % len(DOCTORS)], PATIENT_TC)
                    for n in range(5)]
            return urls, self.client.service_token().value

        results = run_threads(THREADS, work)
        urls = [u for r in results for u in r[0]]
        self.assertEqual(len(set(urls)), THREADS * 5)  # a fresh OTAC per call
        self.assertEqual(len({r[1] for r in results}), 1)  # one service token
        stats = support.stats()
        expected = {d + "|" + PATIENT_TC: 1 for d in DOCTORS}
        expected["|"] = 1
        self.assertEqual(stats["tokens_by_key"], expected)
        self.assertEqual(stats["otac_requests"], THREADS * 5)
        for i in (0, THREADS - 1):
            self.assertEqual(support.open_viewer(results[i][0][0])[0], 200)

    def test_calls_run_in_parallel(self):
        # The GIL is released inside the library: 8 slow calls overlap.
        self.client.viewer_token()
        support.fault(target="otac", kind="latency", delay_ms=500, count=8)
        start = time.monotonic()
        urls = run_threads(8, lambda i: self.client.viewer_url("ACC-%d" % i))
        elapsed = time.monotonic() - start
        self.assertEqual(len(set(urls)), 8)
        self.assertLess(elapsed, 2.0, "8 calls of 0.5 s took %.2f s: not parallel" % elapsed)

    def test_close_while_others_call(self):
        client = teleradyoloji.Client(**support.settings())
        client.viewer_token()

        def work(i):
            if i == 0:
                client.close()
                return "closed"
            outcomes = set()
            for _ in range(20):
                try:
                    client.build_viewer_url("abc")
                    outcomes.add("ok")
                except teleradyoloji.BadHandleError:
                    outcomes.add("bad handle")
            return outcomes

        results = run_threads(8, work)
        self.assertEqual(results[0], "closed")
        for outcome in results[1:]:
            self.assertTrue(outcome <= {"ok", "bad handle"})
        with self.assertRaises(teleradyoloji.BadHandleError):
            client.build_viewer_url("abc")


if __name__ == "__main__":
    unittest.main()
