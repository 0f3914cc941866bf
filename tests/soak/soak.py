"""make soak: the C, Python and Mono hosts at once against one sandbox that
injects a rotating mix of faults; see tests/soak/README.md.

    python3 tests/soak/soak.py MINUTES BUILD_DIR

Fails (exit 1) on a crash, a hang, a crossed answer (an OTAC issued for
another accession, an echo of another call), an untyped or unexpected error,
a secret in an error or log event, or RSS, open descriptors or threads of a
host still growing after warm-up (the slope fitted over the samples).
"""
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# What faults may cause, as the library types them; anything else fails.
EXPECTED_ERRORS = {"TRL_E_HTTP", "TRL_E_NETWORK", "TRL_E_TIMEOUT", "TRL_E_PROTOCOL"}

# The rotation: each phase runs PHASE_S seconds after a sandbox reset.
PHASE_S = 10
PHASES = [
    ("calm", []),
    ("slow answers", [{"target": "any", "kind": "latency", "delay_ms": 300, "count": 0}]),
    # The library retries what it may (a 503 means the server did not act):
    # count 0 (until the next reset) makes some calls fail for good.
    ("5xx", [{"target": "otac", "kind": "status", "status": 503, "count": 60},
             {"target": "api", "kind": "status", "status": 502, "count": 0},
             {"target": "token", "kind": "html", "count": 5}]),
    ("429", [{"target": "api", "kind": "status", "status": 429, "retry_after_s": 1, "count": 30}]),
    ("resets", [{"target": "any", "kind": "reset", "count": 60}]),
    ("closes", [{"target": "any", "kind": "close", "count": 15},
                {"target": "any", "kind": "answer_close", "count": 30}]),
]
TOKEN_EXPIRY_S = 30   # every token issued so far is revoked this often
DROP_S = 7            # every open connection closed (close_notify) this often
SAMPLE_S = 2
IDLE_TIMEOUT_MS = 3000  # the sandbox closes idle connections too (close_notify)


class Sandbox:
    def __init__(self, build, tmp):
        self.ca = os.path.join(tmp, "ca.pem")
        self.proc = subprocess.Popen(
            [os.path.join(build, "teleradyoloji-sandbox"), "--port", "0", "--tls-ca", self.ca,
             "--idle-timeout-ms", str(IDLE_TIMEOUT_MS)],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        self.url = self.proc.stdout.readline().strip().rstrip("/")
        if not self.url.startswith("https://"):
            raise SystemExit("soak: the sandbox printed no URL")
        self.ctx = ssl.create_default_context(cafile=self.ca)
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPSHandler(context=self.ctx))

    def control(self, what, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        req = urllib.request.Request(self.url + "/_sandbox/" + what, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
        with self.opener.open(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def blackhole():
    """A loopback address whose connects are never answered: a backlog of 0,
    its one queued connection never accepted (the kernel drops later SYNs)."""
    ln = socket.socket()
    ln.bind(("127.0.0.1", 0))
    ln.listen(0)
    filler = socket.create_connection(ln.getsockname())
    return "http://127.0.0.1:%d" % ln.getsockname()[1], (ln, filler)


class Host:
    """One host process, its output lines and its resource samples."""

    def __init__(self, name, argv, env):
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, text=True, bufsize=1)
        self.lock = threading.Lock()
        self.urls = []          # (accession, url) not yet checked
        self.clicks = 0
        self.errors = {}        # "op NAME" -> n
        self.wrong = []         # X lines and untyped/unexpected errors
        self.doctor = {}
        self.summary = None
        self.last_click = time.monotonic()
        self.longest_gap = 0.0
        self.samples = []       # (t, rss_kib, fds, threads)
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for line in self.proc.stdout:
            kind, _, rest = line.rstrip("\n").partition(" ")
            with self.lock:
                if kind == "U":
                    acc, _, url = rest.partition(" ")
                    self.urls.append((acc, url))
                    self.clicks += 1
                    now = time.monotonic()
                    self.longest_gap = max(self.longest_gap, now - self.last_click)
                    self.last_click = now
                elif kind == "E":
                    self.errors[rest] = self.errors.get(rest, 0) + 1
                    if rest.split(" ")[-1] not in EXPECTED_ERRORS:
                        self.wrong.append("error " + rest)
                elif kind == "D":
                    self.doctor[rest] = self.doctor.get(rest, 0) + 1
                elif kind == "S":
                    self.summary = dict(kv.split("=") for kv in rest.split())
                else:
                    self.wrong.append(line.strip()[:200])

    def take_urls(self):
        with self.lock:
            urls, self.urls = self.urls, []
        return urls

    def sample(self, t):
        pid = self.proc.pid
        try:
            status = open("/proc/%d/status" % pid).read()
            fds = len(os.listdir("/proc/%d/fd" % pid))
        except OSError:
            return
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        rss = int(fields["VmRSS"].split()[0])
        threads = int(fields["Threads"])
        self.samples.append((t, rss, fds, threads))


def otac_of(url):
    fragment = urllib.parse.urlsplit(url).fragment  # /viewpatient?otac=...
    return urllib.parse.parse_qs(fragment.split("?", 1)[1])["otac"][0]


def theil_sen(points):
    """The median of the pairwise slopes: robust against a noisy sample."""
    slopes = []
    step = max(1, len(points) // 60)
    pts = points[::step]
    for i in range(len(pts)):
        for j in range(i + 1, len(pts)):
            dt = pts[j][0] - pts[i][0]
            if dt > 0:
                slopes.append((pts[j][1] - pts[i][1]) / dt)
    slopes.sort()
    return slopes[len(slopes) // 2] if slopes else 0.0


def flat(host, warmup_s):
    """(problems, figures): each metric's growth over the measured window,
    from the fitted slope, against an allowance."""
    problems, figures = [], []
    if not host.samples:
        return ["no samples"], figures
    t0 = host.samples[0][0]
    kept = [s for s in host.samples if s[0] - t0 >= warmup_s]
    if len(kept) < 10:
        return ["only %d samples after warm-up" % len(kept)], figures
    window = kept[-1][0] - kept[0][0]
    for index, name, unit, allow in ((1, "rss", "KiB", lambda m: 8192 + 0.05 * m),
                                     (2, "fds", "", lambda m: 8 + 0.1 * m),  # connections come and go
                                     (3, "threads", "", lambda m: 3 + 0.05 * m)):
        values = sorted(s[index] for s in kept)
        median = values[len(values) // 2]
        slope = theil_sen([(s[0], s[index]) for s in kept])
        growth = slope * window
        figures.append("%s %d..%d%s (median %d), fitted growth %+.0f%s over %.0f s (%+.1f%s/h)"
                       % (name, values[0], values[-1], unit, median, growth, unit, window, slope * 3600, unit))
        if growth > allow(median):
            problems.append("%s grows: %+.0f%s over %.0f s after warm-up (allowed %.0f)"
                            % (name, growth, unit, window, allow(median)))
    return problems, figures


def main():
    minutes = float(sys.argv[1])
    build = os.path.abspath(sys.argv[2])
    tmp = os.path.join(build, "soak")
    os.makedirs(tmp, exist_ok=True)
    sandbox = Sandbox(build, tmp)
    hole_url, hole_keep = blackhole()
    lib_dir = build
    env = dict(os.environ, LD_LIBRARY_PATH=lib_dir + (":" + os.environ["LD_LIBRARY_PATH"]
                                                      if os.environ.get("LD_LIBRARY_PATH") else ""),
               PYTHONPATH=os.path.join(REPO, "bindings", "python"),
               TELERADYOLOJI_LIBRARY=os.path.join(build, "libteleradyoloji.so"))
    args = [sandbox.url, sandbox.ca, hole_url]
    hosts = [
        Host("C", [os.path.join(tmp, "soak_host")] + args, env),
        Host("Python", [sys.executable, os.path.join(HERE, "host.py")] + args, env),
        Host("Mono", ["mono", "--debug", os.path.join(tmp, "SoakHost.exe")] + args, env),
    ]
    print("soak: %.1f min, hosts C, Python, Mono (16 threads each), sandbox %s, blackhole %s"
          % (minutes, sandbox.url, hole_url), flush=True)
    start = time.monotonic()
    end = start + minutes * 60
    checked = {"checked": 0, "crossed": 0, "unknown": 0}
    failures = []

    def check_urls():
        for h in hosts:
            urls = h.take_urls()
            for i in range(0, len(urls), 2000):
                batch = [{"otac": otac_of(u), "accession": a} for a, u in urls[i:i + 2000]]
                r = sandbox.control("check_otacs", batch)
                for k in checked:
                    checked[k] += r[k]

    phase, next_phase, next_revoke, next_drop, next_sample, next_check = 0, start, start + TOKEN_EXPIRY_S, \
        start + DROP_S, start, start
    while time.monotonic() < end:
        now = time.monotonic()
        for h in hosts:
            if h.proc.poll() is not None:
                failures.append("%s host ended early (exit %s)" % (h.name, h.proc.returncode))
        if failures:
            break
        if now >= next_phase:
            name, faults = PHASES[phase % len(PHASES)]
            sandbox.control("reset")
            if faults:
                sandbox.control("faults", faults)
            phase += 1
            next_phase = now + PHASE_S
        if now >= next_revoke:
            sandbox.control("revoke")
            next_revoke = now + TOKEN_EXPIRY_S
        if now >= next_drop:
            sandbox.control("drop_connections")
            next_drop = now + DROP_S
        if now >= next_sample:
            for h in hosts:
                h.sample(now - start)
            next_sample = now + SAMPLE_S
        if now >= next_check:
            check_urls()
            next_check = now + 5
        time.sleep(0.2)

    sandbox.control("reset")  # no faults while the hosts stop
    for h in hosts:
        try:
            h.proc.stdin.close()
        except OSError:
            pass
    stop_by = time.monotonic() + 120  # a bound for a hang, not a timing
    for h in hosts:
        try:
            h.proc.wait(timeout=max(1, stop_by - time.monotonic()))
        except subprocess.TimeoutExpired:
            failures.append("%s host hangs: still running 120 s after its stdin closed" % h.name)
            h.proc.kill()
            h.proc.wait()
        h.reader.join(timeout=30)
    check_urls()

    warmup = max(30.0, minutes * 60 / 3)
    for h in hosts:
        s = h.summary or {}
        print("\n%s host: exit %s, %d clicks, %s calls, %s clients made and closed, doctor %s, %s log events"
              % (h.name, h.proc.returncode, h.clicks, s.get("calls"), s.get("made"), h.doctor, s.get("log_events")))
        print("  errors: %s" % (json.dumps(h.errors, sort_keys=True) if h.errors else "none"))
        print("  longest wait between two clicks: %.1f s" % h.longest_gap)
        problems, figures = flat(h, warmup)
        for f in figures:
            print("  " + f)
        if h.proc.returncode != 0:
            failures.append("%s host exit %s" % (h.name, h.proc.returncode))
        if h.summary is None:
            failures.append("%s host printed no summary" % h.name)
        if s.get("leaks", "0") != "0":
            failures.append("%s host: a secret in %s log events" % (h.name, s.get("leaks")))
        if not h.doctor or set(h.doctor) != {"TRL_OK"}:
            failures.append("%s host: doctor runs %s" % (h.name, h.doctor))
        if h.longest_gap > 60:
            failures.append("%s host: no click for %.0f s" % (h.name, h.longest_gap))
        failures += ["%s host: %s" % (h.name, w) for w in h.wrong[:20]]
        failures += ["%s host: %s" % (h.name, p) for p in problems]
    clicks = sum(h.clicks for h in hosts)
    print("\nOTACs checked against their accession: %(checked)d, crossed %(crossed)d, unknown %(unknown)d" % checked)
    if checked["crossed"] or checked["unknown"] or checked["checked"] != clicks:
        failures.append("OTACs: %d clicks, %r" % (clicks, checked))
    with open(os.path.join(tmp, "samples.json"), "w") as f:
        json.dump({h.name: h.samples for h in hosts}, f)
    sandbox.stop()
    hole_keep[1].close()
    hole_keep[0].close()
    if failures:
        print("\nsoak: FAILED\n  " + "\n  ".join(failures))
        return 1
    print("\nsoak: passed (%.1f min)" % minutes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
