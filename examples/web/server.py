#!/usr/bin/env python3
"""The smallest web HIS: a study list whose buttons open the teleradiology
viewer in a new tab or in an iframe (the guide's step c).

    server.py [--port 8765] [--host 127.0.0.1] [--sandbox URL]

The library runs here, in the backend, with the institution's credentials;
the browser only ever receives one viewer URL per click, which holds a
one-time code (OTAC).  That URL is never logged or cached, and is sent with
``Cache-Control: no-store`` and ``Referrer-Policy: no-referrer``.

Against the local sandbox: ``make demo-web``, or
``scripts/with-sandbox.sh python3 examples/web/server.py`` after ``make build``.
Against the Ministry, the credentials come from the environment
(TRL_INSTITUTION_CODE, TRL_PASSWORD, TRL_APPLICATION_CODE), as in
examples/python/open_study.py.  Standard library only.
"""
import argparse
import json
import os
import signal
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    import teleradyoloji
except ModuleNotFoundError:  # run from a checkout without PYTHONPATH
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "..", "bindings", "python"))
    import teleradyoloji

HERE = os.path.dirname(os.path.abspath(__file__))
MINISTRY_VIEWER = "https://teleradyoloji.saglik.gov.tr/viewer/"

# A real HIS reads these from its database, and the doctor from the signed-in
# session; the browser names only a study id, never an identity number.
DOCTOR_TC = "12345678901"
STUDIES = {
    "1": dict(accession="ACC-2026-0001", title="Akciğer grafisi (PA)", patient="Ayşe Yılmaz",
              patient_tc="98765432109", date="2026-03-02"),
    "2": dict(accession="ACC-2026-0002", title="Beyin MR", patient="Mehmet Öztürk",
              patient_tc="98765432110", date="2026-03-02"),
    "3": dict(accession="ACC-2026-0003", title="Toraks BT", patient="Şükrü Çelik",
              patient_tc="98765432111", date="2026-03-01"),
    "4": dict(accession="ACC-2026-0004", title="Batın USG", patient="Gülşen Ağaoğlu",
              patient_tc="98765432112", date="2026-03-01"),
}

def turkish_message(err):
    # The library's own Turkish message (plain words for the user; never a
    # secret).  The error's other details are for the log, not the page.
    return err.message_tr or "Görüntüleyici açılamadı"


def settings(sandbox):
    """Client settings: the sandbox's, or the Ministry's from the environment."""
    if sandbox:
        base = sandbox.rstrip("/")
        return dict(institution_code="1234567", password="Gizli-Parola-2026!",
                    application_code="SANDBOX-HIS", ogn_url=base,
                    api_url=base + "/integrationapi", viewer_url=base + "/viewer/")
    try:
        return dict(institution_code=os.environ["TRL_INSTITUTION_CODE"],
                    password=os.environ["TRL_PASSWORD"],
                    application_code=os.environ["TRL_APPLICATION_CODE"])
    except KeyError as missing:
        sys.exit("server.py: set %s (or use --sandbox URL)" % missing)


def origin(url):
    scheme, _, rest = url.partition("://")
    return scheme.lower() + "://" + rest.split("/", 1)[0].lower()


def framing_allowed(headers, viewer_origin, page_origin):
    """Whether a browser shows the viewer in an iframe on page_origin, from the
    viewer page's headers.  CSP frame-ancestors wins over X-Frame-Options.
    Only *, 'self' and exact origins count as allowing: anything else (say a
    wildcard host) answers False, and the page then uses a new tab, which
    always works."""
    verdict = None
    for policy in headers.get_all("Content-Security-Policy") or []:
        for directive in policy.split(";"):
            name, _, value = directive.strip().partition(" ")
            if name.lower() != "frame-ancestors":
                continue
            sources = value.split()
            ok = any(s == "*" or (s == "'self'" and page_origin == viewer_origin)
                     or s.rstrip("/").lower() == page_origin for s in sources)
            verdict = ok if verdict is None else verdict and ok  # every policy must allow
    if verdict is not None:
        return verdict
    xfo = (headers.get("X-Frame-Options") or "").strip().upper()
    if xfo == "DENY":
        return False
    if xfo == "SAMEORIGIN":
        return page_origin == viewer_origin
    return True


class Handler(BaseHTTPRequestHandler):
    client = None  # one teleradyoloji.Client, shared by all threads
    viewer_base = MINISTRY_VIEWER
    server_version = "his-ornek"
    sys_version = ""

    def do_GET(self):
        if self.path == "/":
            with open(os.path.join(HERE, "index.html"), "rb") as f:
                self.send(200, f.read(), "text/html; charset=utf-8")
        elif self.path == "/api/studies":
            studies = [dict(id=k, accession=s["accession"], title=s["title"], patient=s["patient"],
                            date=s["date"]) for k, s in STUDIES.items()]
            self.send_json(200, dict(studies=studies, viewer_allows_framing=self.viewer_framing()))
        else:
            self.send_json(404, dict(error="Sayfa bulunamadı"))

    def do_POST(self):
        # POST, not GET: every call mints a one-time code, so nothing may
        # prefetch, cache or replay it.  Requiring JSON also keeps other
        # sites' plain forms out (a real HIS checks its session here too).
        if self.path not in ("/api/viewer-url", "/api/prefetch"):
            return self.send_json(404, dict(error="Sayfa bulunamadı"))
        if self.headers.get_content_type() != "application/json":
            return self.send_json(415, dict(error="İstek JSON olmalı"))
        try:
            length = int(self.headers.get("Content-Length") or 0)
            study = STUDIES.get(str(json.loads(self.rfile.read(min(length, 4096)))["study"]))
        except (ValueError, KeyError, TypeError):
            study = None
        if study is None:
            return self.send_json(404, dict(error="Tetkik bulunamadı"))
        if self.path == "/api/prefetch":
            # A row was selected: the library fetches its viewer token in the
            # background, so the click then costs one round trip.  Returns at
            # once; a failed fetch only goes to the library's log.
            self.client.prefetch_viewer_token(DOCTOR_TC, study["patient_tc"])
            return self.send_json(200, dict(ok=True))
        try:
            url = self.client.viewer_url(study["accession"], DOCTOR_TC, study["patient_tc"])
        except teleradyoloji.TeleradyolojiError as err:
            # The library's messages never hold a password, token or OTAC.
            self.log_message("viewer_url %s: %s", study["accession"], err)
            return self.send_json(502, dict(error=turkish_message(err)))
        self.send_json(200, dict(url=url))  # into the answer only: never logged, never kept

    def viewer_framing(self):
        """Asks the viewer whether it may be framed by this page: True, False,
        or None when it cannot be reached (the page then tries the iframe).
        A GET of the viewer's page, without any code, at each page load; a
        busy HIS would keep the answer for a few minutes."""
        page_origin = "http://" + (self.headers.get("Host") or "").lower()
        try:
            opener = urllib.request.build_opener()
            with opener.open(urllib.request.Request(self.viewer_base), timeout=5) as resp:
                return framing_allowed(resp.headers, origin(self.viewer_base), page_origin)
        except (OSError, ValueError) as exc:
            self.log_message("viewer framing check: %s", exc)
            return None

    def send_json(self, status, body):
        self.send(status, json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")        # no copy of a viewer URL on disk or in a proxy
        self.send_header("Referrer-Policy", "no-referrer")   # the viewer never learns this page's address
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        # The request line (method and path) and the status; bodies, where
        # the URL travels, are never logged.
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))


def main():
    parser = argparse.ArgumentParser(description="A minimal web HIS page for the teleradiology viewer.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port; default 8765)")
    parser.add_argument("--sandbox", default=os.environ.get("TRL_SANDBOX_URL"),
                        help="base URL of the local sandbox (default: $TRL_SANDBOX_URL)")
    args = parser.parse_args()

    config = settings(args.sandbox)
    Handler.viewer_base = config.get("viewer_url", MINISTRY_VIEWER)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with teleradyoloji.Client(**config) as client:
        Handler.client = client
        httpd = ThreadingHTTPServer((args.host, args.port), Handler)
        host = "localhost" if args.host in ("127.0.0.1", "::1") else args.host
        # localhost, while the sandbox's viewer is 127.0.0.1: two sites, as a
        # hospital's HIS and the Ministry's viewer are.
        print("HIS örnek sayfası: http://%s:%d/  (durdurmak için Ctrl-C)" % (host, httpd.server_port),
              flush=True)
        if args.sandbox:
            print("Sandbox: %s  (iframe'i reddetmesi için: curl -X POST -d '{\"forbid_framing\":true}' "
                  "%s/_sandbox/config)" % (args.sandbox.rstrip("/"), args.sandbox.rstrip("/")), flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()


if __name__ == "__main__":
    main()
