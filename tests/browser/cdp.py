"""A small Chrome DevTools Protocol driver over --remote-debugging-pipe.

Why this and not Playwright: it needs nothing but Debian's chromium and the
Python standard library (no npm, no package cache to keep offline, no tool
that could try to download a browser), it opens no debugging port, and the
few commands the browser test needs (open a tab, click, read text, reload,
screenshot) are a hundred lines. Chromium reads NUL-terminated JSON commands
on fd 3 and writes NUL-terminated JSON answers and events on fd 4.
"""
import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

# DESIGN.md pitfall 13: headless Chromium as root on a closed network.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-default-browser-check", "--disable-dev-shm-usage", "--hide-scrollbars",
    "--window-size=960,640", "--remote-debugging-pipe",
]


class CDPError(Exception):
    pass


class Browser:
    """A headless Chromium process and its DevTools pipe."""

    def __init__(self, executable="/usr/bin/chromium", log_path=None):
        self.profile = tempfile.mkdtemp(prefix="trl-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The browser expects the pipe on fds 3 and 4: move both ends above 10
        # (so neither already sits on 3 or 4), then let bash put them there
        # (dash cannot name fds above 9).
        hi_r = _dup_high(to_browser_r)
        hi_w = _dup_high(from_browser_w)
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)
        self.log = open(log_path or os.devnull, "wb")
        cmd = ["bash", "-c", 'exec 3<&%d 4>&%d %d<&- %d>&-; exec "$@"' % (hi_r, hi_w, hi_r, hi_w), "bash",
               executable] + FLAGS + ["--user-data-dir=" + self.profile, "about:blank"]
        self.proc = subprocess.Popen(cmd, pass_fds=(hi_r, hi_w), stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        os.close(hi_r)
        os.close(hi_w)
        self._next_id = 0
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self._answers = {}
        self.events = []  # every event received, in order: {"method", "params", "sessionId"?}
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.send("Target.setDiscoverTargets", {"discover": True}, timeout=60)

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                with self._cond:
                    if "id" in msg:
                        self._answers[msg["id"]] = msg
                    else:
                        self.events.append(msg)
                    self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def send(self, method, params=None, session=None, timeout=30):
        """Sends a command and waits for its answer; CDPError on an error answer."""
        with self._lock:
            self._next_id += 1
            msg_id = self._next_id
            msg = {"id": msg_id, "method": method, "params": params or {}}
            if session:
                msg["sessionId"] = session
            os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._cond:
            while msg_id not in self._answers:
                left = deadline - time.monotonic()
                if self._closed:
                    raise CDPError("the browser closed its pipe (%s)" % method)
                if left <= 0:
                    raise CDPError("no answer to %s in %ss" % (method, timeout))
                self._cond.wait(left)
            answer = self._answers.pop(msg_id)
        if "error" in answer:
            raise CDPError("%s: %s" % (method, answer["error"].get("message")))
        return answer.get("result", {})

    def wait_event(self, match, timeout=30, start=0):
        """The first event from index start on for which match(event) is true."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for ev in self.events[start:]:
                    if match(ev):
                        return ev
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    return None
                self._cond.wait(left)

    def mark(self):
        """An index into events: wait_event(start=mark()) sees only later ones."""
        with self._cond:
            return len(self.events)

    def new_tab(self, url):
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        return self.attach(target)

    def attach(self, target_id):
        session = self.send("Target.attachToTarget", {"targetId": target_id, "flatten": True})["sessionId"]
        tab = Tab(self, target_id, session)
        tab.send("Page.enable")
        tab.send("Runtime.enable")
        # Frames from another site run in their own process (site isolation):
        # attach to them too, so that their text can be read.
        tab.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": False,
                                          "flatten": True})
        return tab

    def targets(self, kind="page"):
        infos = self.send("Target.getTargets")["targetInfos"]
        return [t for t in infos if t["type"] == kind]

    def close(self):
        """Closes the browser and every process it started, then its profile."""
        if self.proc.poll() is None:
            try:
                self.send("Browser.close", timeout=10)
            except (CDPError, OSError):
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        # Its helpers (zygote, renderers) share its process group, which we created.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=15)
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        self._reader.join(timeout=5)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class Tab:
    """A page target, through its flat session."""

    def __init__(self, browser, target_id, session):
        self.browser, self.target_id, self.session = browser, target_id, session

    def send(self, method, params=None, timeout=30):
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def evaluate(self, expression, session=None, context_id=None):
        params = {"expression": expression, "returnByValue": True}
        if context_id is not None:
            params["contextId"] = context_id
        result = self.browser.send("Runtime.evaluate", params, session=session or self.session)
        if "exceptionDetails" in result:
            raise CDPError("evaluate %r: %s" % (expression, result["exceptionDetails"].get("text")))
        return result["result"].get("value")

    def poll(self, fn, timeout=30, what="a condition"):
        return poll(fn, timeout, what)

    def text(self, selector):
        return self.evaluate("(function(){var e=document.querySelector(%s);return e?e.textContent:null})()"
                             % json.dumps(selector))

    def click(self, selector):
        """A real mouse click (press and release) at the element's centre: the
        page gets a user activation, as from a person."""
        box = self.evaluate("(function(){var e=document.querySelector(%s);if(!e)return null;"
                            "e.scrollIntoView({block:'center'});var r=e.getBoundingClientRect();"
                            "return [r.left+r.width/2,r.top+r.height/2]})()" % json.dumps(selector))
        if not box:
            raise AssertionError("nothing to click at %s" % selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box[0], "y": box[1],
                                                   "button": "left" if kind != "mouseMoved" else "none",
                                                   "clickCount": 1 if kind != "mouseMoved" else 0})

    def url(self):
        return self.evaluate("location.href")

    def reload(self):
        self.send("Page.reload", {"ignoreCache": True})

    def frame_texts(self, selector):
        """textContent of selector in each child frame of the page, newest
        first: frames from another site run in their own process and are
        reached through their auto-attached iframe target; same-site frames
        through an isolated world in this page."""
        expr = ("(function(){var e=document.querySelector(%s);return e?e.textContent:null})()"
                % json.dumps(selector))
        sessions, gone = [], set()
        with self.browser._cond:
            for ev in self.browser.events:
                if ev.get("sessionId") != self.session:
                    continue
                if ev["method"] == "Target.attachedToTarget" and ev["params"]["targetInfo"]["type"] == "iframe":
                    sessions.append(ev["params"]["sessionId"])
                elif ev["method"] == "Target.detachedFromTarget":
                    gone.add(ev["params"]["sessionId"])
        texts = []
        for session in reversed(sessions):
            if session not in gone:
                texts.append(self.evaluate(expr, session=session))
        for child in self.send("Page.getFrameTree")["frameTree"].get("childFrames", []):
            world = self.send("Page.createIsolatedWorld", {"frameId": child["frame"]["id"]})
            texts.append(self.evaluate(expr, context_id=world["executionContextId"]))
        return texts

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.browser.send("Target.closeTarget", {"targetId": self.target_id})
        except CDPError:
            pass


def poll(fn, timeout=30, what="a condition", interval=0.1):
    """Calls fn() until it returns something truthy, and returns that; an
    AssertionError naming what (and fn's last answer) after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            last = fn()
            if last:
                return last
        except CDPError as exc:
            last = exc
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %ss waiting for %s; last: %r" % (timeout, what, last))
        time.sleep(interval)


def _dup_high(fd):
    import fcntl
    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
