"""Log events through logging.getLogger("teleradyoloji"), Turkish messages, the doctor."""
import json
import logging
import threading
import time
import unittest

import support
from support import DOCTOR_TC, PASSWORD, PATIENT_TC, SandboxTest

import teleradyoloji
from teleradyoloji import Status


class Capture(logging.Handler):
    """Keeps every record; can hold the delivering thread at a gate."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []
        self.cond = threading.Condition()
        self.gate_closed = False
        self.waiting = False

    def emit(self, record):
        with self.cond:
            self.records.append(record)
            self.cond.notify_all()
            while self.gate_closed:
                self.waiting = True
                self.cond.notify_all()
                self.cond.wait()
            self.waiting = False

    def gate(self, closed):
        with self.cond:
            self.gate_closed = closed
            self.cond.notify_all()

    def wait_for(self, predicate, what, timeout=10):
        """Waits (a bound, not a timing) until predicate() holds."""
        with self.cond:
            if not self.cond.wait_for(predicate, timeout):
                raise AssertionError("waited %d s for %s" % (timeout, what))

    def names(self):
        with self.cond:
            return [r.trl_event for r in self.records]

    def wait_event(self, name):
        self.wait_for(lambda: any(r.trl_event == name for r in self.records), name)


def in_order(names, wanted):
    it = iter(names)
    return all(any(n == w for n in it) for w in wanted)


class LoggingTest(SandboxTest):
    def setUp(self):
        super().setUp()
        self.capture = Capture()
        self.logger = logging.getLogger(teleradyoloji.LOGGER_NAME)
        self.logger.addHandler(self.capture)
        self.logger.setLevel(logging.DEBUG)
        self.logger.propagate = False
        self.addCleanup(self.logger.removeHandler, self.capture)
        self.addCleanup(teleradyoloji.disable_logging)
        self.addCleanup(self.capture.gate, False)
        self.secrets = [PASSWORD, DOCTOR_TC, PATIENT_TC]

    def assertNoSecretInEvents(self):
        for r in list(self.capture.records):
            text = r.getMessage() + json.dumps(r.trl_fields, ensure_ascii=False)
            for secret in self.secrets:
                self.assertNotIn(secret, text, "a secret in the %s event" % r.trl_event)

    def test_events_arrive_in_order(self):
        teleradyoloji.enable_logging(logging.DEBUG)
        # A user agent of its own: a connection of its own (clients with
        # equal settings, such as self.client, share theirs).
        with teleradyoloji.Client(**support.settings(prewarm=False, user_agent="log-order-test")) as client:
            self.secrets.append(client.service_token().value)
            client.service_token()
            url = client.viewer_url("ACC-LOG-1", DOCTOR_TC, PATIENT_TC)
            self.secrets += [url, url.split("otac=")[1]]
            self.secrets.append(client.viewer_token(DOCTOR_TC, PATIENT_TC).value)
            client.call("GET", "echo?tc=" + DOCTOR_TC)
        self.capture.wait_event("client.closed")
        names = self.capture.names()
        self.assertTrue(in_order(names, ["client.created", "conn.opened", "token.fetched", "token.cache_hit",
                                         "token.fetched", "otac.issued", "token.cache_hit", "call.done",
                                         "client.closed"]), names)
        fetched = [r for r in self.capture.records if r.trl_event == "token.fetched"]
        self.assertEqual(fetched[1].trl_fields["doctor"], "123******01")
        self.assertEqual(fetched[1].levelno, logging.INFO)
        self.assertIn("token.fetched token fetched from OGN (", fetched[1].getMessage())
        hits = [r for r in self.capture.records if r.trl_event == "token.cache_hit"]
        self.assertEqual(hits[0].levelno, logging.DEBUG)
        self.assertNoSecretInEvents()

    def test_level_follows_logging(self):
        teleradyoloji.enable_logging(logging.WARNING)
        support.fault(target="token", kind="status", status=503, count=1)
        with teleradyoloji.Client(**support.settings(prewarm=False)) as client:
            self.secrets.append(client.service_token().value)
        self.capture.wait_event("http.retry")
        retry = next(r for r in self.capture.records if r.trl_event == "http.retry")
        self.assertEqual((retry.levelno, retry.trl_fields["attempt"], retry.trl_fields["status"]),
                         (logging.WARNING, 1, 503))
        self.assertTrue(all(r.levelno >= logging.WARNING for r in self.capture.records))
        self.assertNoSecretInEvents()

    def test_slow_handler_never_slows_a_call(self):
        """Counted, not timed: every call completes while the handler is blocked."""
        self.secrets.append(self.client.service_token().value)  # cached: each call below is a cache hit
        self.capture.gate(True)
        teleradyoloji.enable_logging(logging.DEBUG)
        self.client.service_token()
        self.capture.wait_for(lambda: self.capture.waiting, "the handler blocked")
        calls = 3000
        done = sum(1 for _ in range(calls) if self.client.service_token().value)
        with self.capture.cond:
            still_blocked, delivered = self.capture.waiting, len(self.capture.records)
        self.assertEqual(done, calls)
        self.assertTrue(still_blocked, "the handler was released before the calls ended")
        self.assertEqual(delivered, 1)
        self.capture.gate(False)

        def accounted():  # every event delivered or reported dropped
            dropped = sum(r.trl_fields["dropped"] for r in self.capture.records if r.trl_event == "log.dropped")
            hits = sum(1 for r in self.capture.records if r.trl_event == "token.cache_hit")
            return dropped + hits >= calls + 1

        self.capture.wait_for(accounted, "every event delivered or counted")
        dropped = [r for r in self.capture.records if r.trl_event == "log.dropped"]
        self.assertEqual(dropped[0].levelno, logging.WARNING)
        self.assertGreaterEqual(sum(r.trl_fields["dropped"] for r in dropped), calls - 1025)

    def test_disable_waits_and_stops(self):
        teleradyoloji.enable_logging(logging.DEBUG)
        self.client.service_token()
        self.capture.wait_event("token.fetched")
        teleradyoloji.disable_logging()
        count = len(self.capture.records)
        for _ in range(20):
            self.client.service_token()
        time.sleep(0.1)
        self.assertEqual(len(self.capture.records), count)


class TurkishTest(SandboxTest):
    def turkish(self, call, cls, *needles):
        with self.assertRaises(cls) as ctx:
            call()
        tr = ctx.exception.message_tr
        self.assertTrue(tr and tr != ctx.exception.message, tr)
        for needle in needles:
            self.assertIn(needle, tr)
        self.assertNoSecret(ctx.exception)
        return ctx.exception

    def test_every_error_has_a_turkish_message(self):
        wrong = support.settings(password="Yanlis-Parola-3!")
        closed = teleradyoloji.Client(**support.settings())
        closed.close()
        cases = [
            (lambda: teleradyoloji.Client(**wrong).service_token(), teleradyoloji.AuthError,
             "e-Nabız şifresi veya kurum kodu hatalı"),
            (lambda: self.client.viewer_url(""), teleradyoloji.InvalidArgumentError, "Tetkik numarası"),
            (lambda: teleradyoloji.Client(**support.settings(pasword="x")), teleradyoloji.ConfigError,
             "bilinmeyen bir anahtar"),
            (lambda: closed.service_token(), teleradyoloji.BadHandleError, "Bağlantı nesnesi"),
            (lambda: self.client.viewer_url("NOT-FOUND"), teleradyoloji.HTTPError, "Tetkik bulunamadı"),
            (lambda: teleradyoloji.Client(**support.settings(ogn_url="http://127.0.0.1:9", retries=0)).service_token(),
             teleradyoloji.NetworkError, "Bakanlık sunucusuna bağlanılamıyor"),
        ]
        for call, cls, needle in cases:
            with self.subTest(cls=cls.__name__):
                self.turkish(call, cls, needle)
        support.fault(target="token", kind="malformed", count=0)
        self.turkish(lambda: teleradyoloji.Client(**support.settings()).service_token(),
                     teleradyoloji.ProtocolError, "anlaşılamayan")
        support.reset()
        support.fault(target="token", kind="latency", delay_ms=1500, count=1)
        self.turkish(lambda: teleradyoloji.Client(**support.settings(timeout_ms=300, retries=0)).service_token(),
                     teleradyoloji.TimeoutError, "zamanında yanıt vermedi")
        # errors the binding makes itself have one too
        err = self.turkish(lambda: self.client.viewer_url("A\x00B"), teleradyoloji.InvalidArgumentError)
        self.assertEqual(err.message_tr, teleradyoloji.errors.STATUS_TR[Status.INVALID_ARGUMENT])

    def test_message_tr_survives_pickling(self):
        import pickle

        with self.assertRaises(teleradyoloji.HTTPError) as ctx:
            self.client.call("GET", "status/503")
        copy = pickle.loads(pickle.dumps(ctx.exception))
        self.assertEqual(copy.message_tr, ctx.exception.message_tr)
        self.assertIn("HTTP 503", copy.message_tr)


class DiagnoseTest(SandboxTest):
    def test_report(self):
        report = self.client.diagnose()
        self.assertTrue(report["ok"], report)
        steps = [s["step"] for s in report["steps"]]
        self.assertEqual(steps[0], "config")
        self.assertEqual(steps[-3:], ["clock", "credentials", "api_call"])
        self.assertNotIn(PASSWORD, json.dumps(report, ensure_ascii=False))
        self.assertEqual(support.stats()["otac_requests"], 0)

    def test_wrong_password(self):
        with teleradyoloji.Client(**support.settings(password="Yanlis-Parola-3!")) as client:
            report = client.diagnose()
        self.assertFalse(report["ok"])
        failed = [s for s in report["steps"] if not s["ok"] and not s.get("skipped")]
        self.assertEqual([(s["step"], s["target"]) for s in failed], [("credentials", "ogn")])
        self.assertIn("e-Nabız", failed[0]["advice_tr"])
        self.assertNotIn("Yanlis-Parola-3!", json.dumps(report, ensure_ascii=False))

    def test_ip_not_registered(self):
        support.configure(block_ip=True)
        report = self.client.diagnose()
        first = next(s for s in report["steps"] if not s["ok"] and not s.get("skipped"))
        self.assertEqual((first["step"], first["target"]), ("http", "ogn"))
        self.assertIn("IP", first["advice"])
        self.assertIn("IP adresi", first["advice_tr"])

    def test_closed_client(self):
        self.client.close()
        with self.assertRaises(teleradyoloji.BadHandleError):
            self.client.diagnose()


if __name__ == "__main__":
    unittest.main()
