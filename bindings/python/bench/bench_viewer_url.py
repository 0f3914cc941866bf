#!/usr/bin/env python3
"""Benchmark: Client.viewer_url against plain Python, and build_viewer_url.

    scripts/with-sandbox.sh python3 bindings/python/bench/bench_viewer_url.py [--seconds 3]

Against the local sandbox (TRL_SANDBOX_URL or --sandbox), in one run:
viewer_url calls per second through the binding versus a plain-Python
implementation of the same two-step flow (http.client keep-alive and its own
token cache), on 1 thread and on 8 threads; then the cost of a pure call,
build_viewer_url, in µs.  Targets (issue #5): >= 2x on 1 thread, >= 4x on 8
threads, build_viewer_url < 5 µs.  Prints figures only (no URL, token or OTAC).
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import teleradyoloji  # noqa: E402

DOCTOR_TC = "12345678901"
ACCESSION = "BENCH-İŞÇ-1"


class PlainClient:
    """The same flow in plain Python: viewer token (cached) -> postOTAC -> URL."""

    def __init__(self, base, institution_code, password, application_code):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.viewer = base + "/viewer/"
        self.credentials = dict(UserName=institution_code, Password=password,
                                ApplicationCode=application_code,
                                client_id="ogn.sbys.api", grant_type="client_sbys")
        self.tokens = {}  # (doctor, patient) -> (token, expires at)
        self.fetch_lock = threading.Lock()
        self.local = threading.local()  # one keep-alive connection per thread

    def request(self, method, path, body, headers):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        conn.request(method, path, body, headers)
        resp = conn.getresponse()
        data = resp.read()
        if resp.status // 100 != 2:
            raise RuntimeError("HTTP %d on %s" % (resp.status, path))
        return data

    def viewer_token(self, doctor_tc, patient_tc):
        key = (doctor_tc or "", patient_tc or "")
        hit = self.tokens.get(key)
        if hit and hit[1] - 60 > time.time():
            return hit[0]
        with self.fetch_lock:  # one fetch at a time
            hit = self.tokens.get(key)
            if hit and hit[1] - 60 > time.time():
                return hit[0]
            form = dict(self.credentials)
            if doctor_tc:
                form["DoctorIdentityNumber"] = doctor_tc
            if patient_tc:
                form["PatientIdentityNumber"] = patient_tc
            start = time.time()
            answer = json.loads(self.request(
                "POST", "/connect/token", urllib.parse.urlencode(form),
                {"Content-Type": "application/x-www-form-urlencoded"}))
            token = answer["access_token"]
            self.tokens[key] = (token, start + float(answer.get("expires_in") or 300))
            return token

    def viewer_url(self, accession, doctor_tc=None, patient_tc=None):
        token = self.viewer_token(doctor_tc, patient_tc)
        body = json.dumps({"AccessionNumber": accession}).encode("utf-8")
        answer = json.loads(self.request(
            "POST", "/integrationapi/postOTAC", body,
            {"Authorization": "Bearer " + token, "Content-Type": "application/json"}))
        if not answer.get("IsSuccess"):
            raise RuntimeError(answer.get("Message"))
        return self.viewer + "#/viewpatient?otac=" + urllib.parse.quote(answer["Data"], safe="-._~")


def calls_per_second(viewer_url, threads, seconds):
    """Runs viewer_url on `threads` threads for `seconds`; total calls per second."""
    viewer_url(ACCESSION, DOCTOR_TC)  # warm: token cached, connections open
    counts = [0] * threads
    barrier = threading.Barrier(threads + 1)
    stop = threading.Event()

    def work(i):
        barrier.wait()
        n = 0
        while not stop.is_set():
            viewer_url(ACCESSION, DOCTOR_TC)
            n += 1
        counts[i] = n

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in pool:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


def micros_per_call(func, arg, calls):
    for _ in range(1000):
        func(arg)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            func(arg)
        best = min(best, (time.perf_counter() - start) / calls * 1e6)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sandbox", default=os.environ.get("TRL_SANDBOX_URL"))
    parser.add_argument("--seconds", type=float, default=1.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternate measurements; best kept")
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if not args.sandbox:
        sys.exit("bench: no sandbox: pass --sandbox URL or run under scripts/with-sandbox.sh")
    base = args.sandbox.rstrip("/")
    creds = ("1234567", "Gizli-Parola-2026!", "SANDBOX-HIS")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    opener.open(urllib.request.Request(base + "/_sandbox/reset", data=b"", method="POST")).read()

    print("teleradyoloji %s, Python %s, best of %d x %.1f s, sandbox %s"
          % (teleradyoloji.version(), sys.version.split()[0], args.rounds, args.seconds, base))
    client = teleradyoloji.Client(institution_code=creds[0], password=creds[1],
                                  application_code=creds[2], ogn_url=base,
                                  api_url=base + "/integrationapi", viewer_url=base + "/viewer/")
    plain = PlainClient(base, *creds)
    ok = True
    for threads, target in ((1, 2.0), (args.threads, 4.0)):
        binding_rate = plain_rate = 0.0
        for _ in range(args.rounds):
            binding_rate = max(binding_rate, calls_per_second(client.viewer_url, threads, args.seconds))
            plain_rate = max(plain_rate, calls_per_second(plain.viewer_url, threads, args.seconds))
        ratio = binding_rate / plain_rate
        ok &= ratio >= target
        print("viewer_url, %d thread%s: binding %7.0f/s, plain Python %7.0f/s, ratio %.2fx (target >= %.0fx)%s"
              % (threads, "" if threads == 1 else "s", binding_rate, plain_rate, ratio, target,
                 "" if ratio >= target else "  MISSED"))

    otac = "Q2FsxW3n0mVb7yUq-Tk9ZpL4a_RcD8eHjN1oGiXsYfA"
    us = micros_per_call(client.build_viewer_url, otac, 100000)
    ok &= us < 5
    print("build_viewer_url: %.2f µs per call (target < 5 µs)%s" % (us, "" if us < 5 else "  MISSED"))
    client.close()
    print("targets %s" % ("met" if ok else "missed"))


if __name__ == "__main__":
    main()
