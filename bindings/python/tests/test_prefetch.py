"""Client.prefetch_viewer_token: a hint, then a click that costs one postOTAC."""
import logging
import time

import support
from support import DOCTOR_TC, PASSWORD, PATIENT_TC, SandboxTest
from test_logging import Capture

import teleradyoloji


def wait_stat(key, want, timeout=10):
    """Waits (a bound, not a timing) until the sandbox's counter reaches want."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if support.stats()[key] >= want:
            return
        time.sleep(0.005)
    raise AssertionError("waited %d s for %s >= %d" % (timeout, key, want))


class PrefetchTest(SandboxTest):
    def test_click_after_hint_costs_one_request(self):
        self.assertIsNone(self.client.prefetch_viewer_token(DOCTOR_TC, PATIENT_TC))
        wait_stat("token_requests", 1)
        support.reset()
        url = self.client.viewer_url("ACC-PREFETCH", DOCTOR_TC, PATIENT_TC)
        self.assertIn("#/viewpatient?otac=", url)
        s = support.stats()
        self.assertEqual((s["token_requests"], s["otac_requests"]), (0, 1))

    def test_burst_is_bounded(self):
        support.fault(target="token", kind="hold", count=2)
        rows = ["500000%05d" % i for i in range(100)]
        for row in rows:
            self.client.prefetch_viewer_token(DOCTOR_TC, row)
        wait_stat("token_requests", 2)
        support.control("/_sandbox/release")
        wait_stat("token_requests", 4)
        before = support.stats()["otac_requests"]
        for row in rows[-4:]:  # the newest rows: cached, or joined while in flight
            self.client.viewer_url("ACC-ROW", DOCTOR_TC, row)
        s = support.stats()
        self.assertTrue(4 <= s["token_requests"] <= 6, s["token_requests"])
        self.assertEqual(s["otac_requests"], before + 4)

    def test_bad_identity_number_raises(self):
        with self.assertRaises(teleradyoloji.InvalidArgumentError):
            self.client.prefetch_viewer_token("1\n2", PATIENT_TC)

    def test_failed_prefetch_is_logged_not_raised(self):
        capture = Capture()
        logger = logging.getLogger(teleradyoloji.LOGGER_NAME)
        logger.addHandler(capture)
        logger.setLevel(logging.DEBUG)
        self.addCleanup(logger.removeHandler, capture)
        self.addCleanup(teleradyoloji.disable_logging)
        teleradyoloji.enable_logging(logging.DEBUG)
        with teleradyoloji.Client(**support.settings(password="Yanlis-Parola-1")) as client:
            client.prefetch_viewer_token(DOCTOR_TC, PATIENT_TC)  # does not raise
            capture.wait_for(lambda: any(r.trl_event == "token.refused" and r.trl_fields.get("ahead") == "prefetch"
                                         for r in capture.records), "the refused prefetch in the log")
            with self.assertRaises(teleradyoloji.AuthError):
                client.viewer_url("ACC", DOCTOR_TC, PATIENT_TC)
        for r in list(capture.records):
            text = r.getMessage() + str(r.trl_fields)
            for secret in (PASSWORD, "Yanlis-Parola-1", DOCTOR_TC, PATIENT_TC):
                self.assertNotIn(secret, text)
