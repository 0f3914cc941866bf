"""Loads libteleradyoloji and declares its C functions (ABI version 1).

The only module that touches the raw ABI.  The library contains a Go
runtime: it is loaded once, by absolute path, and never unloaded.  ctypes
releases the GIL for every call, so threads run in the library in parallel.

Loading is lazy: importing the package loads nothing; the first real use
(``library()``: the first ``Client(...)``, ``version()``, or reading ``lib``,
``library_path`` or ``abi_version`` here) does.  A gunicorn ``--preload`` or
Celery prefork master may therefore import the package: its forked workers
load the library themselves on first use and work normally.  A child forked
after the library *was* loaded gets :class:`ForkedError` from every call
(the library answers it without entering its Go runtime).
"""
from __future__ import annotations

import ctypes
import json
import signal
import os
import sys
import threading
import time
from ctypes import POINTER, c_char_p, c_int32, c_int64, c_void_p
from typing import Any, List, Optional, Tuple

from .errors import ProtocolError, Status, error_for

SUPPORTED_ABI_VERSIONS = (1,)

if sys.platform == "win32":
    LIBRARY_NAME = "teleradyoloji.dll"
elif sys.platform == "darwin":
    LIBRARY_NAME = "libteleradyoloji.dylib"
else:
    LIBRARY_NAME = "libteleradyoloji.so"

# typedef uintptr_t trl_client;
client_t = ctypes.c_uint64 if ctypes.sizeof(c_void_p) == 8 else ctypes.c_uint32

TRL_E_FORKED = 10


def candidates() -> List[Tuple[str, str]]:
    """Where the library is looked for, in order, as (reason, path).

    The library packaged beside this module (the wheel's), then the file named
    by TELERADYOLOJI_LIBRARY, then a checkout's build/ (only when this package
    sits in one), then the system's search path: a bare name left to the
    dynamic loader (LD_LIBRARY_PATH, ld.so.cache, /usr/lib…; on Windows the
    program's folder, System32 and os.add_dll_directory() folders, not PATH).
    """
    here = os.path.dirname(os.path.abspath(__file__))
    found = [("packaged", os.path.join(here, LIBRARY_NAME))]
    env = os.environ.get("TELERADYOLOJI_LIBRARY")
    if env:
        found.append(("TELERADYOLOJI_LIBRARY", os.path.abspath(env)))
    checkout = os.path.normpath(os.path.join(here, "..", "..", ".."))
    if os.path.isfile(os.path.join(checkout, "include", "teleradyoloji.h")):
        found.append(("the checkout's build/", os.path.join(checkout, "build", LIBRARY_NAME)))
    if sys.platform.startswith("linux"):
        system = "libteleradyoloji.so.1"  # the soname: what a runtime package installs
    else:
        system = LIBRARY_NAME
    found.append(("the system search path", system))
    return found


def _open() -> Tuple[ctypes.CDLL, str]:
    if sys.platform == "win32":
        # Go 1.21+ needs ProcessPrng (bcryptprimitives.dll, Windows 10 / Server
        # 2016): without it, loading the DLL ends the whole process. Look first.
        try:
            ctypes.WinDLL("bcryptprimitives.dll").ProcessPrng  # type: ignore[attr-defined]
        except (OSError, AttributeError):
            raise ImportError(
                "teleradyoloji: cannot load the native library: this Windows has no ProcessPrng "
                "in bcryptprimitives.dll; the library needs Windows 10 / Server 2016 or later "
                "(loading it here would end the process) / Windows 10 veya \u00fcst\u00fc gerekir") from None
    tried = []
    for reason, path in candidates():
        if os.path.dirname(path) and not os.path.isfile(path):
            tried.append("%s (%s): not found" % (path, reason))
            continue
        try:
            return ctypes.CDLL(path), path  # cdecl on every platform
        except OSError as exc:
            tried.append("%s (%s): %s" % (path, reason, exc))
    text = "\n".join(tried)
    hints = []
    if "GLIBC_" in text:
        hints.append("A library needs a newer C library (glibc) than this system has: use the "
                     "manylinux wheel's, which needs GLIBC_2.17 at most (RHEL/CentOS 7+, "
                     "Debian 10+, Ubuntu 18.04+).")
    if "wrong ELF class" in text or "WinError 193" in text:
        hints.append("A library is for another architecture (32- vs 64-bit) than this Python "
                     "(%d-bit)." % (8 * ctypes.sizeof(c_void_p)))
    hints.append("Install the wheel for this platform, or set TELERADYOLOJI_LIBRARY to the "
                 "library's full path.")
    raise ImportError(
        "teleradyoloji: cannot load the native library %s; tried, in order:\n  %s\n%s"
        % (LIBRARY_NAME, "\n  ".join(tried), "\n".join(hints))
    )


# ---- library-owned memory ------------------------------------------------

def take_bytes(ptr: c_void_p, length: Optional[int] = None) -> Optional[bytes]:
    """Copies a library-owned buffer (``length`` bytes, else up to its NUL)
    and frees it, whatever happens.  None for NULL."""
    address = ptr.value
    if not address:
        return None
    ptr.value = None
    try:
        if length is None:
            return ctypes.string_at(address)
        return ctypes.string_at(address, length)
    finally:
        _lib.trl_free(address)  # loaded: the library handed out this pointer


def decode(data: bytes, what: str, http_status: Optional[int] = None, hint: str = "") -> str:
    """Strict UTF-8; bytes that are not raise :class:`ProtocolError`."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            "%s is not UTF-8 text (byte 0x%02x at offset %d)%s"
            % (what, data[exc.start], exc.start, hint),
            code=Status.PROTOCOL, http_status=http_status) from None


def take(ptr: c_void_p, what: str = "the library's answer") -> Optional[str]:
    """Copies a library-owned string to ``str`` and frees it at once.

    The memory is freed before decoding; text that is not UTF-8 raises
    :class:`ProtocolError` (never ``UnicodeDecodeError``)."""
    data = take_bytes(ptr)
    return None if data is None else decode(data, what)


def _raise(status: int, err: c_void_p, response: Optional[bytes] = None) -> None:
    # An error must never turn into another error: undecodable bytes are replaced.
    raw = take_bytes(err)
    text = raw.decode("utf-8", "replace") if raw else None
    try:
        detail = json.loads(text) if text else {}
        if not isinstance(detail, dict):
            raise ValueError
    except ValueError:
        detail = {"message": text}
    body = response.decode("utf-8", "replace") if response is not None else None
    raise error_for(status, detail, body)


def _check(status: int, func: Any, args: Tuple[Any, ...]) -> int:
    """errcheck: status != TRL_OK raises; ``char **err`` is the last argument."""
    if status != 0:
        _raise(status, args[-1])
    return status


def _check_call_bytes(status: int, func: Any, args: Tuple[Any, ...]) -> int:
    """errcheck for trl_call_bytes: on TRL_E_HTTP the response body is filled too.
    Both library buffers are freed before anything can raise."""
    if status != 0:
        try:
            response = take_bytes(args[-3], args[-2].value)
        except BaseException:
            take_bytes(args[-1])
            raise
        _raise(status, args[-1], response)
    return status


def _check_close(status: int, func: Any, args: Tuple[Any, ...]) -> int:
    """errcheck for trl_client_close, which has no ``err`` parameter."""
    if status != 0:
        if status == TRL_E_FORKED:
            message = ("this process was forked (without exec) after the library was loaded: "
                       "the client belongs to the parent")
        else:
            message = "the client is already closed or unknown"
        raise error_for(status, {"message": message})
    return status


_str_out = POINTER(c_void_p)  # char ** : returned strings stay c_void_p, freed by take()

# typedef void (TRL_CALL *trl_log_fn)(void *user_data, int32_t level, const char *event_json);
LOG_FN = ctypes.CFUNCTYPE(None, c_void_p, c_int32, c_char_p)

# (name, argtypes, restype, errcheck), applied once at load.
PROTOTYPES = [
    ("trl_abi_version", [], c_int32, None),
    ("trl_version", [], c_char_p, None),  # static
    ("trl_status_name", [c_int32], c_char_p, None),  # static
    ("trl_free", [c_void_p], None, None),
    ("trl_client_new", [c_char_p, POINTER(client_t), _str_out], c_int32, _check),
    ("trl_client_close", [client_t], c_int32, _check_close),
    ("trl_set_log", [LOG_FN, c_void_p, c_int32], c_int32, None),  # see log.py
    ("trl_diagnose", [client_t, _str_out, _str_out], c_int32, _check),
    ("trl_service_token", [client_t, _str_out, POINTER(c_int64), _str_out], c_int32, _check),
    ("trl_viewer_token",
     [client_t, c_char_p, c_char_p, _str_out, POINTER(c_int64), _str_out], c_int32, _check),
    ("trl_post_otac", [client_t, c_char_p, c_char_p, _str_out, _str_out], c_int32, _check),
    ("trl_build_viewer_url", [client_t, c_char_p, _str_out, _str_out], c_int32, _check),
    ("trl_viewer_url",
     [client_t, c_char_p, c_char_p, c_char_p, _str_out, _str_out], c_int32, _check),
    # trl_call cuts its answer at a NUL byte: the binding uses trl_call_bytes only.
    ("trl_call",
     [client_t, c_char_p, c_char_p, c_char_p, POINTER(c_int32), _str_out, _str_out],
     c_int32, None),
    ("trl_call_bytes",
     [client_t, c_char_p, c_char_p, c_char_p, POINTER(c_int32), _str_out, POINTER(c_int64),
      _str_out],
     c_int32, _check_call_bytes),
    ("trl_prefetch_viewer_token", [client_t, c_char_p, c_char_p, _str_out], c_int32, _check),
]


def _load() -> Tuple[ctypes.CDLL, str, int]:
    handle, path = _open()
    for name, argtypes, restype, errcheck in PROTOTYPES:
        try:
            func = getattr(handle, name)
        except AttributeError:
            raise ImportError(
                "teleradyoloji: %s has no %s: the library and this binding are of "
                "different versions" % (path, name)
            ) from None
        func.argtypes = argtypes
        func.restype = restype
        if errcheck is not None:
            func.errcheck = errcheck
        if name == "trl_abi_version":
            abi = func()
            if abi not in SUPPORTED_ABI_VERSIONS:
                raise ImportError(
                    "teleradyoloji: %s has ABI version %d; this binding supports %s"
                    % (path, abi, ", ".join(map(str, SUPPORTED_ABI_VERSIONS)))
                )
    return handle, path, abi


# ---- lazy loading and fork -------------------------------------------------

_lib: Optional[ctypes.CDLL] = None
_library_path: Optional[str] = None
_abi_version: Optional[int] = None
_load_lock = threading.Lock()

# Bumped in every child forked by os.fork (also multiprocessing's "fork"):
# a Client made under another generation was inherited from the parent.
fork_generation = 0
# Whether this process is a child forked after the library was loaded.
forked_after_load = False


def library() -> ctypes.CDLL:
    """The loaded library; loads it on first use (ImportError when it cannot)."""
    lib = _lib
    if lib is not None:
        return lib
    return _load_once()


def _load_once() -> ctypes.CDLL:
    global _lib, _library_path, _abi_version
    with _load_lock:
        if _lib is None:
            handle, path, abi = _load()
            _library_path, _abi_version = path, abi
            _lib = handle  # published last
        return _lib


def is_loaded() -> bool:
    """Whether this process has loaded the native library (no side effect)."""
    return _lib is not None


def __getattr__(name: str) -> Any:
    # lib, library_path and abi_version load the library on first access.
    if name == "lib":
        return library()
    if name == "library_path":
        library()
        return _library_path
    if name == "abi_version":
        library()
        return _abi_version
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


# ---- config checks without loading the library here --------------------

CONFIG_CHECK_TIMEOUT_S = 10.0


def check_config_elsewhere(config: dict) -> bool:
    """Checks a client config with the library's own rules (trl_client_new,
    no warm-up) in a short-lived forked child, so that this process stays
    free of the Go runtime and may still fork workers that use the library.

    Raises what ``trl_client_new`` would (:class:`ConfigError`, or
    ``ImportError`` when the library cannot be loaded).  Returns False when
    the check could not run there (no fork on this platform, or fork refused,
    e.g. in a sub-interpreter, or no answer within CONFIG_CHECK_TIMEOUT_S):
    the caller then checks here.  The child does
    no I/O and ends with ``os._exit``; the answer comes back pickled through a
    pipe, so a SIGCHLD handler reaping the child does not lose it.
    """
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    if isinstance(config.get("prewarm", False), bool):
        config = dict(config, prewarm=False)  # no connection from the child
    data = json.dumps(config).encode("utf-8")
    import pickle
    import warnings

    r, w = os.pipe()
    try:
        with warnings.catch_warnings():  # Python 3.12+: fork() with threads running
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except (OSError, RuntimeError):
        os.close(r)
        os.close(w)
        return False
    if pid == 0:  # the child: check, answer, _exit whatever happens
        try:
            os.close(r)
            answer: Any = None
            try:
                out = client_t()
                library().trl_client_new(data, out, c_void_p())
                _lib.trl_client_close(out.value)  # type: ignore[union-attr]
            except (ImportError, Exception) as exc:
                answer = exc
            try:
                raw = pickle.dumps(answer)
            except Exception:
                raw = pickle.dumps(RuntimeError("teleradyoloji: the config check failed (%s)"
                                                % type(answer).__name__))
            with os.fdopen(w, "wb") as f:
                f.write(raw)
        finally:
            os._exit(0)
    os.close(w)
    import select

    # A child forked from a process whose other threads held a lock (a
    # logging handler's, say) can hang: never wait for it longer than this,
    # then check here as the caller would without fork.
    raw = b""
    with os.fdopen(r, "rb", buffering=0) as f:
        deadline = time.monotonic() + CONFIG_CHECK_TIMEOUT_S
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([f], [], [], left)[0]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
                raw = None
                break
            chunk = f.read(65536)
            if not chunk:
                break
            raw += chunk
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # reaped by the application's SIGCHLD handler
    if raw is None:
        return False
    if not raw:
        raise RuntimeError("teleradyoloji: the config check's child process ended without an answer")
    answer = pickle.loads(raw)
    if answer is not None:
        raise answer
    return True


def _before_fork() -> None:
    _load_lock.acquire()  # no fork while the library is half loaded


def _after_fork_in_parent() -> None:
    _load_lock.release()


def _after_fork_in_child() -> None:
    global _load_lock, fork_generation, forked_after_load
    _load_lock = threading.Lock()
    fork_generation += 1
    if _lib is not None:
        forked_after_load = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                        after_in_child=_after_fork_in_child)
