"""Library-owned strings (results and error JSON) are freed at once, also
when they are not UTF-8 and the call raises.

The library mallocs every string it hands out; glibc's mallinfo2 (mallinfo
before glibc 2.33) shows
whether the C heap grows over many calls.
"""
import ctypes
import ctypes.util
import unittest

from support import SandboxTest

import teleradyoloji
from teleradyoloji import _native

CALLS = 50000
NETWORK_CALLS = 10000  # each a round trip to the sandbox


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]


class MallInfo(ctypes.Structure):
    _fields_ = [(name, ctypes.c_int) for name, _ in MallInfo2._fields_]


_libc = ctypes.CDLL(ctypes.util.find_library("c"))
_libc.malloc.restype = ctypes.c_void_p
_libc.malloc.argtypes = [ctypes.c_size_t]


def c_heap_in_use():
    if hasattr(_libc, "mallinfo2"):
        _libc.mallinfo2.restype = MallInfo2
        return _libc.mallinfo2().uordblks
    # glibc before 2.33 (make test-floor's Debian 11): int fields, enough here.
    _libc.mallinfo.restype = MallInfo
    return _libc.mallinfo().uordblks


def library_string(data):
    """A malloc'd, NUL-terminated copy of data, as the library hands out
    (trl_free is the C runtime's free)."""
    address = _libc.malloc(len(data) + 1)
    ctypes.memmove(address, data + b"\0", len(data) + 1)
    return ctypes.c_void_p(address)


class MemoryTest(SandboxTest):
    def grows(self, call, calls=CALLS):
        for _ in range(1000):
            call()
        before = c_heap_in_use()
        for _ in range(calls):
            call()
        return c_heap_in_use() - before

    def test_results_are_freed(self):
        otac = "a" * 200  # each URL leaked would be > 200 bytes
        growth = self.grows(lambda: self.client.build_viewer_url(otac))
        self.assertLess(growth, CALLS * 200 // 10, "C heap grew by %d bytes" % growth)

    def test_error_json_is_freed(self):
        def fail():
            try:
                self.client.build_viewer_url("not an otac!")
            except teleradyoloji.InvalidArgumentError:
                pass

        growth = self.grows(fail)
        self.assertLess(growth, CALLS * 60 // 10, "C heap grew by %d bytes" % growth)


    def test_binary_answers_are_freed(self):
        # A 9-byte body leaked per call would be a 32-byte chunk each.
        def text_call():
            try:
                self.client.call("GET", "binary")
            except teleradyoloji.ProtocolError:
                pass

        for call in (text_call, lambda: self.client.call_bytes("GET", "binary")):
            growth = self.grows(call, NETWORK_CALLS)
            self.assertLess(growth, NETWORK_CALLS * 32 // 4, "C heap grew by %d bytes" % growth)

    def test_undecodable_error_and_body_are_freed_and_raised(self):
        # The hostile review's case: an error JSON and an HTTP body that are
        # not UTF-8.  Both buffers are freed, and the error is the library's
        # (HTTPError), not UnicodeDecodeError.
        body = b"AB\x00CD\xff\xfe" * 20
        error = b'{"code":5,"name":"TRL_E_HTTP","message":"bad \xff\xfe gateway","http_status":502}'
        seen = []

        def fail():
            args = (0, b"GET", b"x", None, ctypes.c_int32(502), library_string(body),
                    ctypes.c_int64(len(body)), library_string(error))
            try:
                _native._check_call_bytes(5, None, args)
            except teleradyoloji.HTTPError as exc:
                seen.append(exc)
            if len(seen) > 1:
                seen.pop()
            if args[5].value or args[7].value:
                raise AssertionError("a library pointer was not taken")

        growth = self.grows(fail)
        self.assertLess(growth, CALLS * 100 // 10, "C heap grew by %d bytes" % growth)
        err = seen[0]
        self.assertEqual((err.http_status, err.message), (502, "bad \ufffd\ufffd gateway"))
        self.assertEqual(err.response, body.decode("utf-8", "replace"))

    def test_undecodable_result_is_freed_and_a_protocol_error(self):
        def fail():
            try:
                _native.take(library_string(b"token-\xff" * 10), "the token")
            except teleradyoloji.ProtocolError:
                pass

        growth = self.grows(fail)
        self.assertLess(growth, CALLS * 70 // 10, "C heap grew by %d bytes" % growth)
        with self.assertRaises(teleradyoloji.ProtocolError) as ctx:
            _native.take(library_string(b"x\xc3"), "the token")
        self.assertEqual(ctx.exception.message, "the token is not UTF-8 text (byte 0xc3 at offset 1)")


if __name__ == "__main__":
    unittest.main()
