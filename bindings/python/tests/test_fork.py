"""fork() without exec (DESIGN.md pitfall 9), as gunicorn --preload, Celery
prefork and multiprocessing's "fork" do it.

A child forked after the library was loaded gets ForkedError from every call,
at once, and never reaches the sandbox; close() there raises nothing; the
parent goes on working.  A parent that only imported the package (nothing is
loaded then) forks workers that use the library normally.  Each scenario runs
in a fresh interpreter under a timeout, and every forked child arms an alarm,
so a hang fails the test instead of blocking the suite.
"""
import os
import pickle
import subprocess
import sys
import textwrap
import unittest

import support

import teleradyoloji
from teleradyoloji import Status, errors

TIMEOUT = 120

# Shared by the scripts: the sandbox helpers, and a child's way to report.
PRELUDE = textwrap.dedent("""
    import os, signal, sys, threading, time, traceback
    import support
    import teleradyoloji
    from teleradyoloji import Status, _native

    def in_child(body):
        # Runs body() in a forked child and ends it: exit 0 when body returns
        # True; SIGALRM (20 s) kills a child that hangs.
        signal.alarm(20)
        code = 1
        try:
            code = 0 if body() else 1
        except BaseException:
            traceback.print_exc()
            code = 2
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def wait_all(pids):
        # "exit N" or "signal N" per child, in order.
        out = []
        for pid in pids:
            _, status = os.waitpid(pid, 0)
            if os.WIFSIGNALED(status):
                out.append("signal %d" % os.WTERMSIG(status))
            else:
                out.append("exit %d" % os.WEXITSTATUS(status))
        return out
    """)


def run_script(body):
    """Runs PRELUDE + body in a fresh interpreter; (returncode, stdout lines, stderr)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([support.HERE, support.BINDING]),
               TRL_SANDBOX_URL=support.sandbox_url())
    # -u: no stdout buffer a forked child could inherit and print again.
    proc = subprocess.run([sys.executable, "-u", "-c", PRELUDE + textwrap.dedent(body)], env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)
    return proc.returncode, proc.stdout.splitlines(), proc.stderr


class ForkedErrorTest(unittest.TestCase):
    def test_status_10_is_forked_error(self):
        self.assertEqual(int(Status.FORKED), 10)
        err = errors.error_for(10, {"code": 10, "name": "TRL_E_FORKED", "retryable": False,
                                    "message": "this process was forked"})
        self.assertIs(type(err), teleradyoloji.ForkedError)
        self.assertIsInstance(err, teleradyoloji.TeleradyolojiError)
        self.assertIs(err.code, Status.FORKED)
        self.assertEqual(str(err), "TRL_E_FORKED: this process was forked")
        self.assertFalse(err.retryable)
        copy = pickle.loads(pickle.dumps(err))
        self.assertIs(type(copy), teleradyoloji.ForkedError)
        self.assertEqual(copy.code, Status.FORKED)


class ForkTest(unittest.TestCase):
    def setUp(self):
        support.reset()

    def test_children_of_a_threaded_parent_get_forked_error(self):
        # A parent calling from 3 threads forks 10 children; each calls from 4
        # threads (and every other method once): ForkedError at once, exit 0.
        code, out, err = run_script("""
            client = teleradyoloji.Client(**support.settings())
            client.viewer_url("ACC-FORK-PARENT", support.DOCTOR_TC)
            version = teleradyoloji.version()
            counts = {"ok": 0}
            failures = []
            lock = threading.Lock()
            stop = threading.Event()

            def parent_worker():
                while not stop.is_set():
                    try:
                        client.viewer_url("ACC-FORK-PARENT", support.DOCTOR_TC)
                        with lock:
                            counts["ok"] += 1
                    except Exception as exc:
                        failures.append(repr(exc))

            def forked(call, limit=2.0):
                start = time.monotonic()
                try:
                    call()
                except teleradyoloji.ForkedError as exc:
                    took = time.monotonic() - start
                    good = (exc.code is Status.FORKED and exc.name == "TRL_E_FORKED"
                            and "fork" in exc.message and not exc.retryable and took < limit
                            and support.PASSWORD not in str(exc))
                    if not good:
                        print("bad ForkedError %r after %.2f s" % (exc, took), file=sys.stderr)
                    return good
                except BaseException as exc:
                    print("expected ForkedError, got %r" % exc, file=sys.stderr)
                    return False
                print("expected ForkedError, the call succeeded", file=sys.stderr)
                return False

            def child():
                results = [False] * 4
                def child_worker(i):
                    results[i] = forked(lambda: client.viewer_url("ACC-FORK-CHILD"))
                threads = [threading.Thread(target=child_worker, args=(i,)) for i in range(4)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                good = all(results)
                for call in (client.service_token, client.viewer_token,
                             lambda: client.post_otac("token", "ACC-FORK-CHILD"),
                             lambda: client.build_viewer_url("abc"),
                             lambda: client.call("GET", "echo"),
                             lambda: client.call_bytes("GET", "binary"),
                             lambda: teleradyoloji.Client(**support.settings())):
                    good = forked(call) and good
                good = good and teleradyoloji.version() == version
                client.close()          # the parent's client: nothing native, no error
                client.close()
                client.__del__()
                return good and "closed" in repr(client)

            workers = [threading.Thread(target=parent_worker) for _ in range(3)]
            for w in workers:
                w.start()
            pids = []
            for _ in range(10):
                pid = os.fork()
                if pid == 0:
                    in_child(child)
                pids.append(pid)
                time.sleep(0.02)
            outcomes = wait_all(pids)
            stop.set()
            for w in workers:
                w.join()
            print(" ".join(sorted(set(outcomes))))
            print(len(failures), counts["ok"] > 0)
            print(support.stats()["otac_requests"] == counts["ok"] + 1)
            client.viewer_url("ACC-FORK-PARENT")   # the parent still works
            client.close()
            print("parent done")
            """)
        self.assertEqual(code, 0, err)
        self.assertEqual(out, ["exit 0", "0 True", "True", "parent done"], err)

    def test_fork_outside_os_fork(self):
        # fork() called from C (no at-fork hook of Python runs): the library's
        # own answer still comes through, and close() still raises nothing.
        code, out, err = run_script("""
            import ctypes

            client = teleradyoloji.Client(**support.settings())
            client.viewer_url("ACC-CFORK-PARENT")
            libc = ctypes.PyDLL(None)   # PyDLL keeps the GIL across fork()

            def child():
                try:
                    client.viewer_url("ACC-CFORK-CHILD")
                    return False
                except teleradyoloji.ForkedError:
                    pass
                client.close()
                return _native.fork_generation == 0 and "closed" in repr(client)

            pid = libc.fork()
            if pid == 0:
                in_child(child)
            print(" ".join(wait_all([pid])))
            print(client.viewer_url("ACC-CFORK-PARENT").startswith(support.sandbox_url()))
            print("otac requests:", support.stats()["otac_requests"])
            """)
        self.assertEqual(code, 0, err)
        self.assertEqual(out, ["exit 0", "True", "otac requests: 2"], err)

    def test_preload_parent_imports_only_workers_use_the_library(self):
        # gunicorn --preload: the master imports the application (and so this
        # package) before forking workers; the workers make their own clients.
        code, out, err = run_script("""
            def mapped():
                with open("/proc/self/maps") as f:
                    return _native.LIBRARY_NAME in f.read()

            print("master loaded:", _native.is_loaded() or mapped())

            def worker(n):
                def body():
                    with teleradyoloji.Client(**support.settings()) as client:
                        url = client.viewer_url("ACC-PRELOAD-%d" % n, support.DOCTOR_TC)
                    status, answer = support.open_viewer(url)
                    return status == 200 and answer["accession"] == "ACC-PRELOAD-%d" % n
                return body

            pids = []
            for n in range(2):
                pid = os.fork()
                if pid == 0:
                    in_child(worker(n))
                pids.append(pid)
            print(" ".join(wait_all(pids)))
            print("master loaded:", _native.is_loaded() or mapped())
            print("otac requests:", support.stats()["otac_requests"])
            """)
        self.assertEqual(code, 0, err)
        self.assertEqual(out, ["master loaded: False", "exit 0 exit 0", "master loaded: False",
                               "otac requests: 2"], err)

    def test_multiprocessing_fork_after_load_raises_in_the_worker(self):
        # multiprocessing's "fork" from a parent using the library: the worker's
        # call fails with ForkedError (pickled back), nothing hangs.
        code, out, err = run_script("""
            import multiprocessing

            client = teleradyoloji.Client(**support.settings())
            client.viewer_url("ACC-MP-PARENT")

            with multiprocessing.get_context("fork").Pool(2) as pool:
                result = pool.apply_async(support.viewer_url_in_child,
                                          (support.sandbox_url(), "ACC-MP-FORK"))
                try:
                    result.get(timeout=60)
                    print("no error")
                except teleradyoloji.ForkedError as exc:
                    print(type(exc).__name__, exc.code is Status.FORKED)
            print(client.viewer_url("ACC-MP-PARENT").startswith(support.sandbox_url()))
            print("otac requests:", support.stats()["otac_requests"])
            """)
        self.assertEqual(code, 0, err)
        self.assertEqual(out, ["ForkedError True", "True", "otac requests: 2"], err)

    def test_multiprocessing_spawn_from_a_parent_using_the_library(self):
        code, out, err = run_script("""
            import multiprocessing

            client = teleradyoloji.Client(**support.settings())
            client.viewer_url("ACC-SPAWN-PARENT")

            if __name__ == "__main__":
                with multiprocessing.get_context("spawn").Pool(2) as pool:
                    urls = pool.starmap_async(
                        support.viewer_url_in_child,
                        [(support.sandbox_url(), "ACC-SPAWN-%d" % i) for i in range(2)]).get(timeout=60)
                print([support.open_viewer(u)[1]["accession"] for u in urls])
                print(client.viewer_url("ACC-SPAWN-PARENT").startswith(support.sandbox_url()))
            """)
        self.assertEqual(code, 0, err)
        self.assertEqual(out, ["['ACC-SPAWN-0', 'ACC-SPAWN-1']", "True"], err)


if __name__ == "__main__":
    unittest.main()
