"""A real gunicorn (from PyPI) serving a WSGI app that makes its Client at
module level, with --preload: the master imports the app (and checks the
config) without loading the library, and every worker makes its native
client on first use (issue 19, finding 5).  An app that *uses* the client in
the master before the fork keeps the clear ForkedError in the workers.

gunicorn is installed once into a venv kept in ~/.cache/teleradyoloji (never
a dependency of the package).
"""
import concurrent.futures
import fcntl
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
import urllib.request

import support

GUNICORN_PIN = "gunicorn==27.0.1"
CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                     "teleradyoloji", GUNICORN_PIN.replace("==", "-"))

APP = textwrap.dedent("""
    import json, os
    import teleradyoloji
    from teleradyoloji import _native

    client = teleradyoloji.Client(**json.loads(os.environ["TRL_APP_CONFIG"]))
    if os.environ.get("TRL_APP_USE_IN_MASTER"):
        client.viewer_url("ACC-MASTER")
    MASTER_LOADED = _native.is_loaded()

    def app(environ, start_response):
        accession = environ["PATH_INFO"].strip("/")
        try:
            answer = {"url": client.viewer_url(accession, "12345678901")}
        except teleradyoloji.TeleradyolojiError as exc:
            answer = {"error": type(exc).__name__, "message": exc.message}
        answer.update(pid=os.getpid(), master_loaded=MASTER_LOADED)
        body = json.dumps(answer).encode()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    """)

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def gunicorn():
    """The gunicorn executable, installed on first use (a lock keeps
    parallel test runs from installing it twice at once)."""
    exe = os.path.join(CACHE, "venv", "bin", "gunicorn")
    ready = os.path.join(CACHE, ".ready")
    os.makedirs(CACHE, exist_ok=True)
    with open(os.path.join(CACHE, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(ready):
            env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
            subprocess.run([sys.executable, "-m", "venv", "--clear", os.path.join(CACHE, "venv")], check=True)
            subprocess.run([os.path.join(CACHE, "venv", "bin", "pip"), "install", "-q", GUNICORN_PIN],
                           check=True, env=env)
            open(ready, "w").close()
    return exe


class GunicornPreloadTest(unittest.TestCase):
    def setUp(self):
        support.reset()

    def serve(self, **env):
        """Starts gunicorn --preload -w 4 --threads 4 on the app; returns its base URL."""
        tmp = tempfile.mkdtemp()
        with open(os.path.join(tmp, "preload_app.py"), "w") as f:
            f.write(APP)
        log = open(os.path.join(tmp, "gunicorn.log"), "w+")
        self.addCleanup(log.close)
        full_env = dict(os.environ, PYTHONPATH=os.pathsep.join([tmp, support.BINDING]),
                        TRL_APP_CONFIG=json.dumps(support.settings()), **env)
        proc = subprocess.Popen([gunicorn(), "--preload", "-w", "4", "--threads", "4",
                                 "-b", "127.0.0.1:0", "--graceful-timeout", "5", "preload_app:app"],
                                cwd=tmp, env=full_env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)

        def stop():
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.addCleanup(stop)
        # Waits on its log: the address, then 4 booted workers (a bound for a
        # hang, not a timing).
        for _ in range(1200):
            log.seek(0)
            text = log.read()
            m = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
            if m and len(re.findall(r"Booting worker", text)) >= 4:
                return m.group(1)
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        self.fail("gunicorn did not start:\n" + text[-3000:])

    def get_all(self, base, n):
        def one(i):
            with _opener.open("%s/ACC-GUNI-%d" % (base, i), timeout=60) as resp:
                return json.loads(resp.read())
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            return list(pool.map(one, range(n)))

    def test_client_made_at_module_level_works_in_every_worker(self):
        base = self.serve()
        answers = self.get_all(base, 200)
        good = 0
        for i, answer in enumerate(answers):
            if "url" in answer:
                status, opened = support.open_viewer(answer["url"])
                good += status == 200 and opened["accession"] == "ACC-GUNI-%d" % i
        errors = sorted({a.get("error", "") for a in answers} - {""})
        print("\n  gunicorn --preload -w 4 --threads 4: %d/200 requests succeeded, %d workers, errors %s"
              % (good, len({a["pid"] for a in answers}), errors), file=sys.stderr)
        self.assertEqual(good, 200, errors)
        self.assertFalse(any(a["master_loaded"] for a in answers), "the master loaded the library")
        self.assertEqual(support.stats()["otac_requests"], 200)

    def test_client_used_in_the_master_raises_forked_error(self):
        base = self.serve(TRL_APP_USE_IN_MASTER="1")
        answers = self.get_all(base, 20)
        self.assertEqual({a.get("error") for a in answers}, {"ForkedError"}, answers[:2])
        self.assertTrue(all("fork" in a["message"] and a["master_loaded"] for a in answers))
        self.assertEqual(support.stats()["otac_requests"], 1)  # the master's own


if __name__ == "__main__":
    unittest.main()
