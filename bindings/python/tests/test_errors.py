"""Every error class, provoked against the sandbox; no secret in any message."""
import builtins
import socket
import time
import unittest

import support
from support import PASSWORD, SandboxTest

import teleradyoloji
from teleradyoloji import Status


class ErrorsTest(SandboxTest):
    def check(self, err, cls, status, *secrets):
        self.assertIsInstance(err, cls)
        self.assertIsInstance(err, teleradyoloji.TeleradyolojiError)
        self.assertIs(err.code, status)
        self.assertEqual(err.name, "TRL_E_" + status.name)
        self.assertTrue(err.message)
        self.assertIsInstance(err.retryable, bool)
        self.assertNoSecret(err, *secrets)

    def test_auth_wrong_password(self):
        wrong = "Yanlis-Parola-99!"
        with teleradyoloji.Client(**support.settings(password=wrong)) as client:
            with self.assertRaises(teleradyoloji.AuthError) as ctx:
                client.viewer_url("ACC-1")
        err = ctx.exception
        self.check(err, teleradyoloji.AuthError, Status.AUTH, wrong)
        self.assertEqual(err.http_status, 400)
        self.assertEqual(err.server_error, "invalid_grant")
        self.assertFalse(err.retryable)
        self.assertEqual(support.stats()["last_token_form"]["Password"], "<wrong>")

    def test_http_not_found_accession(self):
        with self.assertRaises(teleradyoloji.HTTPError) as ctx:
            self.client.viewer_url("NOT-FOUND")
        self.check(ctx.exception, teleradyoloji.HTTPError, Status.HTTP)
        self.assertIn("Tetkik bulunamadı", ctx.exception.server_error_description)

    def test_http_status_from_call(self):
        with self.assertRaises(teleradyoloji.HTTPError) as ctx:
            self.client.call("GET", "status/404")
        err = ctx.exception
        self.check(err, teleradyoloji.HTTPError, Status.HTTP, self.client.service_token().value)
        self.assertEqual(err.http_status, 404)
        self.assertIn("status 404", err.response)

    def test_http_status_from_call_bytes(self):
        with self.assertRaises(teleradyoloji.HTTPError) as ctx:
            self.client.call_bytes("GET", "status/404")
        self.check(ctx.exception, teleradyoloji.HTTPError, Status.HTTP)
        self.assertEqual(ctx.exception.http_status, 404)
        self.assertIn("status 404", ctx.exception.response)

    def test_call_on_a_binary_answer_is_a_protocol_error(self):
        # Not UnicodeDecodeError, not a string cut at the NUL.
        with self.assertRaises(teleradyoloji.ProtocolError) as ctx:
            self.client.call("GET", "binary")
        err = ctx.exception
        self.check(err, teleradyoloji.ProtocolError, Status.PROTOCOL)
        self.assertNotIsInstance(err, UnicodeError)
        self.assertEqual(err.http_status, 200)
        self.assertIn("not UTF-8", err.message)
        self.assertIn("offset 5", err.message)  # past the NUL: the whole body was read
        self.assertIn("call_bytes", err.message)

    def test_http_401_for_revoked_caller_token(self):
        token = self.client.viewer_token(support.DOCTOR_TC)
        support.revoke()
        with self.assertRaises(teleradyoloji.HTTPError) as ctx:
            self.client.post_otac(token, "ACC-1")
        self.check(ctx.exception, teleradyoloji.HTTPError, Status.HTTP, token.value)
        self.assertEqual(ctx.exception.http_status, 401)
        # the revoked token was dropped from the cache: a fresh one comes next
        self.assertNotEqual(self.client.viewer_token(support.DOCTOR_TC).value, token.value)

    def test_network_closed_port(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        closed = "http://127.0.0.1:%d" % port
        with teleradyoloji.Client(**support.settings(ogn_url=closed, retries=0)) as client:
            with self.assertRaises(teleradyoloji.NetworkError) as ctx:
                client.service_token()
        self.check(ctx.exception, teleradyoloji.NetworkError, Status.NETWORK)

    def test_timeout_is_also_builtin_timeout(self):
        support.fault(target="otac", kind="latency", delay_ms=3000, count=1)
        with teleradyoloji.Client(**support.settings(timeout_ms=300, retries=0)) as client:
            client.viewer_token()  # the token is fetched in time
            start = time.monotonic()
            with self.assertRaises(builtins.TimeoutError) as ctx:
                client.viewer_url("ACC-1")
            self.assertLess(time.monotonic() - start, 2.0)
        self.check(ctx.exception, teleradyoloji.TimeoutError, Status.TIMEOUT)

    def test_protocol_malformed_answer(self):
        support.fault(target="otac", kind="malformed", count=0)
        with self.assertRaises(teleradyoloji.ProtocolError) as ctx:
            self.client.viewer_url("ACC-1")
        self.check(ctx.exception, teleradyoloji.ProtocolError, Status.PROTOCOL)

    def test_protocol_non_json_from_call(self):
        support.fault(target="api", kind="malformed", count=0)
        with self.assertRaises(teleradyoloji.ProtocolError):
            self.client.call("GET", "echo")

    def test_config_errors(self):
        cases = [
            dict(support.settings(), pasword=PASSWORD),  # unknown key
            {k: v for k, v in support.settings().items() if k != "password"},
            support.settings(api_url="http://teleradyoloji.invalid/api"),  # http to non-loopback
            support.settings(ogn_url="::not a url::"),
        ]
        for config in cases:
            with self.assertRaises(teleradyoloji.ConfigError) as ctx:
                teleradyoloji.Client(**config)
            self.check(ctx.exception, teleradyoloji.ConfigError, Status.CONFIG)
            self.assertIsInstance(ctx.exception, ValueError)

    def test_config_not_json(self):
        with self.assertRaises(TypeError) as ctx:
            teleradyoloji.Client(**support.settings(timeout_ms=object()))
        self.assertNotIn(PASSWORD, str(ctx.exception))

    def test_invalid_arguments(self):
        calls = [
            lambda: self.client.viewer_url(""),
            lambda: self.client.post_otac(self.client.viewer_token(), ""),
            lambda: self.client.post_otac("", "ACC-1"),
            lambda: self.client.build_viewer_url("not an otac!"),
            lambda: self.client.build_viewer_url(""),
            lambda: self.client.call("GET", "http://127.0.0.1:1/steal"),
            lambda: self.client.call("GET", "echo/../../connect/token"),
            lambda: self.client.viewer_url("ACC\x00-1"),  # C would cut it at the NUL
        ]
        for i, call in enumerate(calls):
            with self.subTest(case=i), self.assertRaises(teleradyoloji.InvalidArgumentError) as ctx:
                call()
            self.check(ctx.exception, teleradyoloji.InvalidArgumentError, Status.INVALID_ARGUMENT)
            self.assertIsInstance(ctx.exception, ValueError)
        self.assertEqual(support.stats()["otac_requests"], 0)

    def test_wrong_types(self):
        with self.assertRaises(TypeError):
            self.client.viewer_url(b"ACC-1")
        with self.assertRaises(TypeError):
            self.client.viewer_url(12345)

    def test_bad_handle_after_close(self):
        self.client.close()
        for call in (self.client.service_token, self.client.viewer_token,
                     lambda: self.client.viewer_url("ACC-1"),
                     lambda: self.client.build_viewer_url("abc"),
                     lambda: self.client.call("GET", "echo")):
            with self.assertRaises(teleradyoloji.BadHandleError) as ctx:
                call()
            self.check(ctx.exception, teleradyoloji.BadHandleError, Status.BAD_HANDLE)

    def test_status_mirrors_library_names(self):
        from teleradyoloji import _native

        for status in Status:
            expected = "TRL_OK" if status is Status.OK else "TRL_E_" + status.name
            self.assertEqual(_native.lib.trl_status_name(status).decode(), expected)
        self.assertEqual(_native.lib.trl_status_name(1000).decode(), "TRL_E_UNKNOWN")

    def test_error_pickles(self):
        import pickle

        with self.assertRaises(teleradyoloji.HTTPError) as ctx:
            self.client.call("GET", "status/409")
        copy = pickle.loads(pickle.dumps(ctx.exception))
        self.assertIs(type(copy), teleradyoloji.HTTPError)
        self.assertEqual((copy.http_status, copy.code, str(copy)),
                         (409, Status.HTTP, str(ctx.exception)))


if __name__ == "__main__":
    unittest.main()
