"""The Python host of make soak (tests/soak/soak.py drives it); the same
work and the same output lines as host.c:

    python3 host.py BASE_URL CA_FILE BLACKHOLE_URL
"""
import json
import logging
import sys
import threading
import time

import teleradyoloji

THREADS = 16
PASSWORD = "Gizli-Parola-2026!"

base_url, ca_file, hole_url = sys.argv[1:4]
config = dict(institution_code="1234567", password=PASSWORD, application_code="SANDBOX-HIS",
              ogn_url=base_url, api_url=base_url + "/integrationapi", viewer_url=base_url + "/viewer/",
              ca_file=ca_file, timeout_ms=10000, prewarm=True)
stopping = threading.Event()
out_lock = threading.Lock()
counts = dict(clicks=0, calls=0, errors=0, made=0, doctors=0, log_events=0, leaks=0)


def say(*words):
    with out_lock:
        sys.stdout.write(" ".join(words) + "\n")
        sys.stdout.flush()


def count(key, n=1):
    with out_lock:
        counts[key] += n


class Counter(logging.Handler):
    def emit(self, record):
        count("log_events")
        if PASSWORD in record.getMessage() or PASSWORD in json.dumps(getattr(record, "trl_fields", {}), ensure_ascii=False):
            count("leaks")


def failed(op, exc):
    count("errors")
    if PASSWORD in str(exc) or PASSWORD in repr(exc):
        say("X", op, "secret-in-error")
    if isinstance(exc, teleradyoloji.TeleradyolojiError):
        say("E", op, exc.name or "TRL_E_UNKNOWN")
    else:
        say("E", op, "untyped:" + type(exc).__name__)


def make_and_close(n):
    # idle_timeout_s 5: see README.md (what a closed client keeps).
    with teleradyoloji.Client(**dict(config, ogn_url=hole_url, api_url=hole_url, idle_timeout_s=5)):
        pass
    with teleradyoloji.Client(**dict(config, idle_timeout_s=5)) as client:
        acc = "SOAK-PY-NEW-%d" % n
        try:
            say("U", acc, client.viewer_url(acc, "12345678901"))
        except Exception as exc:
            failed("viewer_url", exc)
    count("made", 2)


def worker(shared, ident):
    next_doctor = time.monotonic() + 60
    n = 0
    while not stopping.is_set():
        acc = "SOAK-PY-%d-%d" % (ident, n)
        try:
            say("U", acc, shared.viewer_url(acc, "12345678901", "1000000%04d" % ((ident * 7 + n) % 50)))
            count("clicks")
        except Exception as exc:
            failed("viewer_url", exc)
        path = "echo/py-%d-%d" % (ident, n)
        try:
            answer = shared.call("GET", path)
            count("calls")
            if not isinstance(answer, dict) or answer.get("path") != "/" + path:
                say("X", "call", "crossed")
        except Exception as exc:
            failed("call", exc)
        if ident == 0 and n % 10 == 0:
            try:
                make_and_close(n)
            except Exception as exc:
                failed("new", exc)
        if ident == 1 and time.monotonic() >= next_doctor:
            try:
                shared.diagnose()
                say("D", "TRL_OK")
            except Exception as exc:
                say("D", getattr(exc, "name", "untyped"))
            count("doctors")
            next_doctor = time.monotonic() + 60
        n += 1
        time.sleep(0.15)


def main():
    logger = logging.getLogger(teleradyoloji.LOGGER_NAME)
    logger.addHandler(Counter())
    logger.propagate = False
    logger.setLevel(logging.INFO)
    teleradyoloji.enable_logging(logging.INFO)
    shared = teleradyoloji.Client(**config)
    threads = [threading.Thread(target=worker, args=(shared, i)) for i in range(THREADS)]
    for t in threads:
        t.start()
    sys.stdin.read()
    stopping.set()
    for t in threads:
        t.join()
    shared.close()
    teleradyoloji.disable_logging()
    say("S", " ".join("%s=%d" % kv for kv in counts.items()))


if __name__ == "__main__":
    main()
