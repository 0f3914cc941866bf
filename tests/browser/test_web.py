"""examples/web in headless Chromium against the sandbox: the guide's step c.

Each test clicks the example page's buttons with real mouse events, reads
what the viewer shows, and checks that the backend's output never holds a
viewer URL, an OTAC, the password or an identity number. The page is opened
as http://localhost:PORT and the sandbox's viewer is http://127.0.0.1:PORT,
two different sites, as a hospital's HIS and the Ministry's viewer are.
Screenshots go to $TRL_BROWSER_OUT (build/browser).
"""
import json
import os
import re
import subprocess
import sys
import unittest
import urllib.error
import urllib.request

import cdp

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.environ.get("TRL_BROWSER_OUT", os.path.join(REPO, "build", "browser"))
CHROMIUM = os.environ.get("TRL_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "Gizli-Parola-2026!"
IDENTITY_NUMBERS = ("12345678901", "98765432109", "98765432110", "98765432111", "98765432112")
WAIT = 30  # seconds: a generous bound for anything to show up; polls end sooner

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
sandbox = backend = browser = None
page_url = backend_log = None


def http(url, body=None, content_type="application/json", method=None):
    """(status, headers, parsed JSON body or text)."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    req = urllib.request.Request(url, data=data, method=method or ("POST" if data is not None else "GET"),
                                 headers={"Content-Type": content_type} if data is not None else {})
    try:
        resp = _opener.open(req, timeout=WAIT)
    except urllib.error.HTTPError as err:
        resp = err
    with resp:
        raw = resp.read().decode()
        try:
            return resp.status, resp.headers, json.loads(raw)
        except ValueError:
            return resp.status, resp.headers, raw


def control(path, body=None):
    return http(sandbox + "/_sandbox/" + path, body if body is not None else b"")[2]


def stats():
    return http(sandbox + "/_sandbox/stats")[2]


def read_log():
    with open(backend_log, encoding="utf-8", errors="replace") as f:
        return f.read()


def setUpModule():
    global sandbox, backend, browser, page_url, backend_log
    sandbox = os.environ.get("TRL_SANDBOX_URL", "").rstrip("/")
    if not sandbox:
        raise RuntimeError("TRL_SANDBOX_URL is not set: run under scripts/with-sandbox.sh")
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError("%s is missing: apt-get install chromium" % CHROMIUM)
    os.makedirs(OUT, exist_ok=True)
    backend_log = os.path.join(OUT, "backend.log")
    with open(backend_log, "wb") as log:  # its stdout and stderr, all it ever prints
        backend = subprocess.Popen([sys.executable, "-u", os.path.join(REPO, "examples", "web", "server.py"),
                                    "--port", "0", "--sandbox", sandbox],
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    def address():
        if backend.poll() is not None:
            raise RuntimeError("the example backend exited:\n" + read_log())
        return re.search(r"http://localhost:\d+/", read_log())
    match = cdp.poll(address, WAIT, what="the example backend's address")
    page_url = match.group(0)
    browser = cdp.Browser(CHROMIUM, log_path=os.path.join(OUT, "chromium.log"))


def tearDownModule():
    if browser:
        browser.close()
    if backend:
        backend.terminate()
        try:
            backend.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            backend.kill()
            backend.wait()


# The library's message_tr for the 503 the tests inject.
SERVER_TROUBLE = ("Bakanlık sunucusunda geçici bir sorun var (HTTP 503): biraz sonra yeniden deneyin. "
                  "Sunucunun açıklaması: sandbox fault 503")

class WebHISTest(unittest.TestCase):
    def setUp(self):
        control("reset")
        self.tabs = []
        self.urls = []  # every viewer URL handed out in this test

    def tearDown(self):
        control("reset")
        for tab in self.tabs:
            tab.close()
        # The backend's output: the request lines, never a URL or a secret.
        log = read_log()
        for url in self.urls:
            self.assertNotIn(url, log)
            self.assertNotIn(url.rsplit("otac=", 1)[-1], log)
        for secret in (PASSWORD, "otac=", "viewpatient") + IDENTITY_NUMBERS:
            self.assertNotIn(secret, log)

    # -- helpers -------------------------------------------------------

    def open_page(self):
        tab = browser.new_tab(page_url)
        self.tabs.append(tab)
        tab.poll(lambda: tab.evaluate("document.body && document.body.dataset.ready"), WAIT, what="the study list")
        return tab

    def button(self, study, which):
        return 'tr[data-study="%s"] button:nth-of-type(%d)' % (study, {"tab": 1, "iframe": 2}[which])

    def popup(self, opener, since):
        """The tab the page opened (window.open) after event index since."""
        ev = browser.wait_event(lambda e: e["method"] == "Target.targetCreated"
                                and e["params"]["targetInfo"]["type"] == "page"
                                and e["params"]["targetInfo"].get("openerId") == opener.target_id,
                                timeout=WAIT, start=since)
        self.assertIsNotNone(ev, "the page opened no tab")
        tab = browser.attach(ev["params"]["targetInfo"]["targetId"])
        self.tabs.append(tab)
        return tab

    def no_popup(self, opener, since):
        return browser.wait_event(lambda e: e["method"] == "Target.targetCreated"
                                  and e["params"]["targetInfo"].get("openerId") == opener.target_id,
                                  timeout=0, start=since) is None

    def viewer_status(self, tab, want):
        """Waits until the viewer in tab says want; returns the tab's URL."""
        tab.poll(lambda: tab.text("#status") == want, WAIT, what="the viewer to say %r" % want)
        url = tab.url()
        self.urls.append(url)
        self.assertTrue(url.startswith(sandbox + "/viewer/#/viewpatient?otac="), url)
        return url

    def frame_status(self, tab, want):
        tab.poll(lambda: want in tab.frame_texts("#status"), WAIT,
                 what="the iframe's viewer to say %r" % want)

    def iframe_src(self, tab):
        return tab.evaluate("(function(){var f=document.querySelector('#frame-box iframe');return f?f.src:null})()")

    def shot(self, tab, name):
        tab.screenshot(os.path.join(OUT, name))

    # -- the two buttons -------------------------------------------------

    def test_new_tab_shows_the_study_once_and_a_reload_is_refused(self):
        page = self.open_page()
        since = browser.mark()
        page.click(self.button(1, "tab"))
        tab = self.popup(page, since)
        url = self.viewer_status(tab, "Tetkik açıldı: ACC-2026-0001")
        self.assertIs(tab.evaluate("window.opener"), None, "the viewer can reach the HIS page")
        self.assertEqual(page.text("#message"), "")
        self.shot(tab, "new-tab.png")
        tab.reload()
        tab.poll(lambda: tab.text("#status") == "Hata 410: OTAC daha önce kullanıldı", WAIT,
                 what="the one-time error after a reload")
        self.assertEqual(tab.url(), url)
        self.shot(tab, "new-tab-reload.png")
        st = stats()
        self.assertEqual((st["otac_requests"], st["viewer_opens"]), (1, 1))

    def test_iframe_shows_the_study_with_a_fresh_code_per_click(self):
        page = self.open_page()
        self.assertTrue(page.evaluate("document.getElementById('notice').hidden"))
        since = browser.mark()
        page.click(self.button(2, "iframe"))
        self.frame_status(page, "Tetkik açıldı: ACC-2026-0002")
        first = self.iframe_src(page)
        self.urls.append(first)
        self.shot(page, "iframe.png")
        page.click(self.button(2, "iframe"))
        page.poll(lambda: stats()["viewer_opens"] == 2 and self.iframe_src(page) != first, WAIT,
                  what="a second iframe with a new code")
        self.frame_status(page, "Tetkik açıldı: ACC-2026-0002")
        self.urls.append(self.iframe_src(page))
        self.assertNotEqual(first.rsplit("otac=", 1)[1], self.urls[-1].rsplit("otac=", 1)[1])
        self.assertTrue(self.no_popup(page, since), "the iframe button opened a tab")
        self.assertEqual(stats()["otac_requests"], 2)

    def test_a_focused_row_is_prefetched_so_its_click_costs_one_postotac(self):
        page = self.open_page()
        page.evaluate("document.querySelector('tr[data-study=\"4\"]').focus()")
        page.poll(lambda: stats()["token_requests"] == 1, WAIT, what="the focused row's token request")
        control("reset")  # tokens stay valid; the counters start again
        since = browser.mark()
        page.click(self.button(4, "tab"))
        tab = self.popup(page, since)
        self.viewer_status(tab, "Tetkik açıldı: ACC-2026-0004")
        st = stats()
        self.assertEqual((st["token_requests"], st["otac_requests"]), (0, 1))

    # -- a viewer that refuses frames --------------------------------------

    def test_iframe_refused_opens_a_new_tab_and_says_why(self):
        control("config", {"forbid_framing": True})
        page = self.open_page()
        self.assertFalse(page.evaluate("document.getElementById('notice').hidden"),
                         "the page does not say that the viewer refuses frames")
        since = browser.mark()
        page.click(self.button(3, "iframe"))
        tab = self.popup(page, since)
        self.viewer_status(tab, "Tetkik açıldı: ACC-2026-0003")
        page.poll(lambda: "yeni sekmede açıldı" in page.text("#message"), WAIT, what="the explanation")
        self.assertIsNone(self.iframe_src(page))
        self.shot(page, "iframe-refused.png")
        self.shot(tab, "iframe-refused-tab.png")

    def test_chromium_refuses_the_framed_viewer_and_the_code_stays_unused(self):
        # What a page that ignores the refusal gets: Chromium shows an error
        # in the frame and never runs the viewer, so the code is still good.
        control("config", {"forbid_framing": True})
        page = self.open_page()
        status, _, body = http(page_url + "api/viewer-url", {"study": "1"})
        self.assertEqual(status, 200, body)
        url = body["url"]
        self.urls.append(url)
        page.evaluate("(function(){var f=document.createElement('iframe');f.id='viewer';"
                      "f.onload=function(){document.body.dataset.framed='1'};f.src=%s;"
                      "document.getElementById('frame-box').replaceChildren(f)})()" % json.dumps(url))
        page.poll(lambda: page.evaluate("document.body.dataset.framed"), WAIT, what="the frame's load event")
        self.assertNotIn("Tetkik açıldı: ACC-2026-0001", page.frame_texts("#status"))
        self.assertEqual(stats()["viewer_opens"], 0)
        self.shot(page, "iframe-blocked.png")
        tab = browser.new_tab(url)
        self.tabs.append(tab)
        self.viewer_status(tab, "Tetkik açıldı: ACC-2026-0001")

    # -- popup blockers and errors ---------------------------------------

    def test_slow_ministry_still_opens_the_tab_where_opening_late_is_blocked(self):
        # Chromium lets a click open a window for 5 s; the Ministry takes 6.
        control("faults", {"target": "otac", "kind": "latency", "delay_ms": 6000, "count": 0})
        page = self.open_page()
        page.evaluate("""(function () {  // the naive pattern: window.open once the URL is there
          var b = document.createElement('button'); b.id = 'naive'; b.textContent = 'naive';
          b.onclick = function () { viewerUrl('1').then(function (url) {
            document.body.dataset.naive = window.open(url, '_blank') ? 'opened' : 'blocked'; }); };
          document.body.prepend(b); })()""")
        since = browser.mark()
        page.click("#naive")
        self.assertEqual(page.poll(lambda: page.evaluate("document.body.dataset.naive"), WAIT,
                                   what="the naive handler"), "blocked")
        self.assertTrue(self.no_popup(page, since))
        page.click(self.button(1, "tab"))
        tab = self.popup(page, since)
        self.viewer_status(tab, "Tetkik açıldı: ACC-2026-0001")
        self.assertEqual(stats()["viewer_opens"], 1)

    # The library's message_tr for a 503 from the Ministry, shown as it is.
    def test_an_error_closes_the_tab_and_shows_a_turkish_message(self):
        control("faults", {"target": "otac", "kind": "status", "status": 503, "count": 0})
        page = self.open_page()
        since = browser.mark()
        page.click(self.button(1, "tab"))
        tab = self.popup(page, since)
        closed = browser.wait_event(lambda e: e["method"] == "Target.targetDestroyed"
                                    and e["params"]["targetId"] == tab.target_id, timeout=WAIT, start=since)
        self.assertIsNotNone(closed, "the empty tab stayed open")
        self.assertEqual(page.text("#message"), SERVER_TROUBLE)
        self.assertEqual(page.evaluate("document.getElementById('message').className"), "error")
        page.click(self.button(2, "iframe"))
        page.poll(lambda: page.evaluate("document.getElementById('message').textContent") == SERVER_TROUBLE,
                  WAIT, what="the iframe button's error")
        self.assertIsNone(self.iframe_src(page))
        self.shot(page, "error.png")

    # -- the backend's answers -------------------------------------------

    def test_backend_sends_no_store_and_no_referrer_and_refuses_what_it_should(self):
        status, headers, body = http(page_url + "api/viewer-url", {"study": "2"})
        self.assertEqual(status, 200, body)
        self.urls.append(body["url"])
        self.assertTrue(body["url"].startswith(sandbox + "/viewer/#/viewpatient?otac="))
        for path, got in (("api/viewer-url", headers), ("", http(page_url)[1])):
            self.assertEqual(got["Cache-Control"], "no-store", path)
            self.assertEqual(got["Referrer-Policy"], "no-referrer", path)
        cases = [
            (http(page_url + "api/viewer-url", {"study": "99"}), 404, "Tetkik bulunamadı"),
            (http(page_url + "api/viewer-url", b'{"study":"1"}', "text/plain"), 415, "İstek JSON olmalı"),
            (http(page_url + "api/viewer-url"), 404, "Sayfa bulunamadı"),  # GET never mints a code
        ]
        for (status, headers, body), want_status, want in cases:
            self.assertEqual((status, body), (want_status, {"error": want}))
            self.assertEqual(headers["Cache-Control"], "no-store")
        control("faults", {"target": "otac", "kind": "status", "status": 503, "count": 0})
        status, headers, body = http(page_url + "api/viewer-url", {"study": "1"})
        self.assertEqual((status, body), (502, {"error": SERVER_TROUBLE}))
        self.assertEqual(headers["Referrer-Policy"], "no-referrer")
        self.assertEqual(stats()["viewer_opens"], 0)


if __name__ == "__main__":
    unittest.main()
