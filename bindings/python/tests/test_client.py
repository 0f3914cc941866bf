"""Every Client method against the sandbox."""
import json
import re
import time
import unittest
from datetime import datetime, timedelta, timezone

import support
from support import DOCTOR_TC, PATIENT_TC, TURKISH_ACCESSION, SandboxTest

import teleradyoloji

OTAC = re.compile(r"^[A-Za-z0-9_-]{43}$")


class VersionTest(unittest.TestCase):
    def test_version(self):
        self.assertRegex(teleradyoloji.version(), r"^\d+\.\d+\.\d+")


class TokenTest(SandboxTest):
    def test_service_token_is_cached_and_expires_in_utc(self):
        before = time.time()
        token = self.client.service_token()
        self.assertIsInstance(token.value, str)
        self.assertTrue(token.value)
        self.assertIs(token.expires_at.tzinfo, timezone.utc)
        expected = before + 3600  # the sandbox's expires_in
        self.assertAlmostEqual(token.expires_at.timestamp(), expected, delta=5)
        self.assertEqual(self.client.service_token(), token)
        s = support.stats()
        self.assertEqual(s["service_token_requests"], 1)
        self.assertEqual(s["tokens_by_key"], {"|": 1})

    def test_expires_at_follows_expires_in(self):
        support.configure(expires_in=120)
        token = self.client.service_token()
        now = datetime.now(timezone.utc)
        self.assertLess(abs(token.expires_at - (now + timedelta(seconds=120))), timedelta(seconds=5))

    def test_viewer_token_per_doctor_and_patient(self):
        service = self.client.service_token()
        viewer = self.client.viewer_token(DOCTOR_TC, PATIENT_TC)
        self.assertNotEqual(viewer.value, service.value)
        self.assertEqual(self.client.viewer_token(doctor_tc=DOCTOR_TC, patient_tc=PATIENT_TC), viewer)
        anonymous = self.client.viewer_token()
        self.assertNotEqual(anonymous.value, viewer.value)
        s = support.stats()
        self.assertEqual(s["tokens_by_key"], {"|": 2, DOCTOR_TC + "|" + PATIENT_TC: 1})
        self.assertEqual(s["viewer_token_requests"], 1)  # those sending a doctor or patient

    def test_token_repr_hides_value(self):
        token = self.client.viewer_token(DOCTOR_TC)
        for text in (repr(token), str(token), repr(self.client), str(self.client)):
            self.assertNotIn(token.value, text)
            self.assertNotIn(support.PASSWORD, text)
        self.assertIn("expires_at", repr(token))


class ViewerTest(SandboxTest):
    def test_post_otac_then_build_viewer_url(self):
        token = self.client.viewer_token(DOCTOR_TC)
        otac = self.client.post_otac(token, "ACC-1")
        self.assertRegex(otac, OTAC)
        request = support.stats()["last_otac_request"]
        self.assertEqual(json.loads(request["body"]), {"AccessionNumber": "ACC-1"})
        self.assertEqual(request["authorization"], "Bearer")
        url = self.client.build_viewer_url(otac)
        self.assertEqual(url, support.sandbox_url() + "/viewer/#/viewpatient?otac=" + otac)
        self.assertEqual(support.open_viewer(url), (200, {"ok": True, "accession": "ACC-1"}))

    def test_post_otac_takes_token_value(self):
        token = self.client.service_token()
        self.assertRegex(self.client.post_otac(token.value, "ACC-2"), OTAC)

    def test_build_viewer_url_percent_encodes(self):
        url = self.client.build_viewer_url("a+b/c=~d")
        self.assertTrue(url.endswith("#/viewpatient?otac=a%2Bb%2Fc%3D~d"), url)

    def test_viewer_url_opens_once(self):
        url = self.client.viewer_url("ACC-3", doctor_tc=DOCTOR_TC, patient_tc=PATIENT_TC)
        self.assertTrue(url.startswith(support.sandbox_url() + "/viewer/#/viewpatient?otac="))
        self.assertEqual(support.open_viewer(url), (200, {"ok": True, "accession": "ACC-3"}))
        self.assertEqual(support.open_viewer(url)[0], 410)
        self.assertEqual(support.stats()["tokens_by_key"], {DOCTOR_TC + "|" + PATIENT_TC: 1})

    def test_turkish_accession(self):
        url = self.client.viewer_url(TURKISH_ACCESSION, DOCTOR_TC)
        body = json.loads(support.stats()["last_otac_request"]["body"])
        self.assertEqual(body, {"AccessionNumber": TURKISH_ACCESSION})
        self.assertEqual(support.open_viewer(url), (200, {"ok": True, "accession": TURKISH_ACCESSION}))
        otac = self.client.post_otac(self.client.viewer_token(DOCTOR_TC), "Çekim-ŞÜĞ-ı-2")
        self.assertEqual(support.open_viewer(self.client.build_viewer_url(otac))[1]["accession"],
                         "Çekim-ŞÜĞ-ı-2")

    def test_turkish_doctor_field_passes_as_given(self):
        self.client.viewer_token("Doktor-Öğüt")
        self.assertIn("Doktor-Öğüt|", support.stats()["tokens_by_key"])


class CallTest(SandboxTest):
    def test_get_with_query(self):
        answer = self.client.call("GET", "echo/x?a=1")
        self.assertEqual(answer["method"], "GET")
        self.assertEqual(answer["path"], "/echo/x")
        self.assertEqual(answer["query"], "a=1")
        self.assertIsNone(answer["body"])
        self.assertEqual(answer["token_kind"], "service")

    def test_post_json_body_round_trips(self):
        body = {"Ad": "Çağrı Öztürk", "Tetkikler": [TURKISH_ACCESSION, 2], "Acil": True}
        answer = self.client.call("POST", "/echo/kayit", body)
        self.assertEqual(answer["method"], "POST")
        self.assertEqual(answer["body"], body)
        last = support.stats()["last_api_request"]
        self.assertTrue(last["content_type"].startswith("application/json"))

    def test_put_and_delete(self):
        self.assertEqual(self.client.call("PUT", "echo", [1, 2])["body"], [1, 2])
        self.assertEqual(self.client.call("DELETE", "echo/3")["method"], "DELETE")

    def test_head_returns_none(self):
        self.assertIsNone(self.client.call("HEAD", "echo"))

    def test_call_bytes_gives_the_exact_bytes(self):
        # A NUL and bytes that are not UTF-8: nothing cut, nothing decoded.
        self.assertEqual(self.client.call_bytes("GET", "binary"), b"AB\x00CD\xff\xfeEF")
        self.assertEqual(self.client.call_bytes("HEAD", "echo"), b"")

    def test_call_bytes_json_body(self):
        body = {"Ad": "Çağrı", "n": [1, 2]}
        raw = self.client.call_bytes("POST", "echo/bytes", body)
        self.assertIsInstance(raw, bytes)
        self.assertEqual(json.loads(raw.decode("utf-8"))["body"], body)


class LifetimeTest(unittest.TestCase):
    def setUp(self):
        support.reset()

    def test_context_manager_closes(self):
        with teleradyoloji.Client(**support.settings()) as client:
            self.assertIn("open", repr(client))
            client.viewer_url("ACC-4")
        self.assertIn("closed", repr(client))
        with self.assertRaises(teleradyoloji.BadHandleError):
            client.viewer_url("ACC-4")

    def test_close_twice_is_harmless(self):
        client = teleradyoloji.Client(**support.settings())
        client.close()
        client.close()

    def test_multiprocessing_spawn(self):
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(2) as pool:
            urls = pool.starmap(support.viewer_url_in_child,
                                [(support.sandbox_url(), "ACC-P%d" % i) for i in range(2)])
        self.assertEqual([support.open_viewer(u)[1]["accession"] for u in urls], ["ACC-P0", "ACC-P1"])

    def test_many_clients(self):
        for _ in range(200):
            teleradyoloji.Client(**support.settings()).close()
        with teleradyoloji.Client(**support.settings()) as client:
            self.assertTrue(client.build_viewer_url("abc"))


if __name__ == "__main__":
    unittest.main()
