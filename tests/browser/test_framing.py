"""examples/web/server.py's framing_allowed: what a browser would do with the
viewer in an iframe, from the viewer page's headers (no browser needed)."""
import email.message
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "web"))
import server  # noqa: E402

VIEWER = "https://viewer.example"
PAGE = "https://his.example"


def headers(*pairs):
    msg = email.message.Message()
    for name, value in pairs:
        msg[name] = value
    return msg


class FramingTest(unittest.TestCase):
    def allowed(self, *pairs, page=PAGE):
        return server.framing_allowed(headers(*pairs), VIEWER, page)

    def test_no_headers_allow(self):
        self.assertTrue(self.allowed())

    def test_x_frame_options(self):
        self.assertFalse(self.allowed(("X-Frame-Options", "DENY")))
        self.assertFalse(self.allowed(("X-Frame-Options", "sameorigin")))
        self.assertTrue(self.allowed(("X-Frame-Options", "SAMEORIGIN"), page=VIEWER))

    def test_frame_ancestors(self):
        csp = "Content-Security-Policy"
        self.assertFalse(self.allowed((csp, "frame-ancestors 'none'")))
        self.assertFalse(self.allowed((csp, "default-src 'self'; frame-ancestors 'self'")))
        self.assertTrue(self.allowed((csp, "frame-ancestors 'self'"), page=VIEWER))
        self.assertTrue(self.allowed((csp, "frame-ancestors *")))
        self.assertTrue(self.allowed((csp, "frame-ancestors https://his.example/")))
        self.assertFalse(self.allowed((csp, "frame-ancestors https://*.example")))  # unsure: new tab
        self.assertFalse(self.allowed((csp, "frame-ancestors *"), (csp, "frame-ancestors 'none'")))

    def test_frame_ancestors_wins_over_x_frame_options(self):
        self.assertTrue(self.allowed(("Content-Security-Policy", "frame-ancestors https://his.example"),
                                     ("X-Frame-Options", "DENY")))
        self.assertFalse(self.allowed(("Content-Security-Policy", "frame-ancestors 'none'"),
                                      ("X-Frame-Options", "ALLOWALL")))


if __name__ == "__main__":
    unittest.main()
