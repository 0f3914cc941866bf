"""Library-owned strings (results and error JSON) are freed at once.

The library mallocs every string it hands out; glibc's mallinfo2 (mallinfo
before glibc 2.33) shows
whether the C heap grows over many calls.
"""
import ctypes
import ctypes.util
import unittest

from support import SandboxTest

import teleradyoloji

CALLS = 50000


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]


class MallInfo(ctypes.Structure):
    _fields_ = [(name, ctypes.c_int) for name, _ in MallInfo2._fields_]


def c_heap_in_use():
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    if hasattr(libc, "mallinfo2"):
        libc.mallinfo2.restype = MallInfo2
        return libc.mallinfo2().uordblks
    # glibc before 2.33 (make test-floor's Debian 11): int fields, enough here.
    libc.mallinfo.restype = MallInfo
    return libc.mallinfo().uordblks


class MemoryTest(SandboxTest):
    def grows(self, call):
        for _ in range(1000):
            call()
        before = c_heap_in_use()
        for _ in range(CALLS):
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


if __name__ == "__main__":
    unittest.main()
