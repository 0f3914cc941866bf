"""Test helpers: the sandbox, its control endpoints, and client settings.

The sandbox is TRL_SANDBOX_URL when set (scripts/with-sandbox.sh), else one
started here from build/teleradyoloji-sandbox for this process.
"""
import atexit
import json
import os
import subprocess
import sys
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
BINDING = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(BINDING))
sys.path.insert(0, BINDING)

PASSWORD = "Gizli-Parola-2026!"
TURKISH_ACCESSION = "İŞÇĞÜÖ-ığüşçö-1"
DOCTOR_TC = "12345678901"
PATIENT_TC = "98765432109"

# Loopback only: never through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_base = None


def sandbox_url():
    """The sandbox's base URL, without a trailing slash."""
    global _base
    if _base:
        return _base
    env = os.environ.get("TRL_SANDBOX_URL")
    if env:
        _base = env.rstrip("/")
        return _base
    binary = os.environ.get("TRL_SANDBOX_BIN", os.path.join(REPO, "build", "teleradyoloji-sandbox"))
    proc = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    atexit.register(lambda: (proc.terminate(), proc.wait()))
    line = proc.stdout.readline().decode().strip()
    if not line.startswith("http"):
        raise RuntimeError("the sandbox %s printed no URL" % binary)
    _base = line.rstrip("/")
    return _base


def control(path, body=None, method="POST"):
    """Calls a /_sandbox/ control endpoint; returns its parsed JSON (or None)."""
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    req = urllib.request.Request(sandbox_url() + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with _opener.open(req, timeout=10) as resp:
        raw = resp.read()
    return json.loads(raw) if raw.strip() else None


def reset():
    control("/_sandbox/reset")


def stats():
    return control("/_sandbox/stats", method="GET")


def fault(**kw):
    control("/_sandbox/faults", kw)


def configure(**kw):
    control("/_sandbox/config", kw)


def revoke():
    control("/_sandbox/revoke")


def open_viewer(url):
    """Opens a viewer URL as the viewer page does: (HTTP status, JSON answer)."""
    fragment = urllib.parse.urlsplit(url).fragment  # /viewpatient?otac=...
    otac = urllib.parse.parse_qs(fragment.split("?", 1)[1])["otac"][0]
    req = urllib.request.Request(sandbox_url() + "/viewer/api/open?otac=" + urllib.parse.quote(otac, safe=""))
    try:
        with _opener.open(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None


def viewer_url_in_child(base, accession):
    """Run in a spawned child process: a viewer URL for accession, via its own client."""
    global _base
    _base = base
    import teleradyoloji

    with teleradyoloji.Client(**settings()) as client:
        return client.viewer_url(accession)


def settings(**overrides):
    """Client keyword arguments for the sandbox."""
    base = sandbox_url()
    config = dict(institution_code="1234567", password=PASSWORD, application_code="SANDBOX-HIS",
                  ogn_url=base, api_url=base + "/integrationapi", viewer_url=base + "/viewer/")
    config.update(overrides)
    return config


class SandboxTest(unittest.TestCase):
    """Resets the sandbox and opens a client (self.client) for each test."""

    def setUp(self):
        import teleradyoloji

        reset()
        self.client = teleradyoloji.Client(**settings())
        self.addCleanup(self.client.close)

    def assertNoSecret(self, obj, *secrets):
        """Neither the password nor any of secrets shows in str/repr/args of obj."""
        import teleradyoloji

        if isinstance(obj, teleradyoloji.TeleradyolojiError):
            self.assertTrue(obj.message_tr, "no Turkish message in %r" % (obj,))
        texts = [str(obj), repr(obj)] + [str(a) for a in getattr(obj, "args", ())]
        texts += [str(v) for v in getattr(obj, "__dict__", {}).values()]
        for secret in (PASSWORD,) + secrets:
            for text in texts:
                self.assertNotIn(secret, text, "a secret leaked into %s" % type(obj).__name__)
