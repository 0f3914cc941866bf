"""Loads libteleradyoloji and declares its C functions (ABI version 1).

The only module that touches the raw ABI.  The library contains a Go
runtime: it is loaded once, by absolute path, and never unloaded.  ctypes
releases the GIL for every call, so threads run in the library in parallel.
"""
from __future__ import annotations

import ctypes
import json
import os
import sys
from ctypes import POINTER, c_char_p, c_int32, c_int64, c_void_p
from typing import Any, List, Optional, Tuple

from .errors import error_for

SUPPORTED_ABI_VERSIONS = (1,)

if sys.platform == "win32":
    LIBRARY_NAME = "teleradyoloji.dll"
elif sys.platform == "darwin":
    LIBRARY_NAME = "libteleradyoloji.dylib"
else:
    LIBRARY_NAME = "libteleradyoloji.so"

# typedef uintptr_t trl_client;
client_t = ctypes.c_uint64 if ctypes.sizeof(c_void_p) == 8 else ctypes.c_uint32


def candidates() -> List[Tuple[str, str]]:
    """Where the library is looked for, in order, as (reason, path)."""
    env = os.environ.get("TELERADYOLOJI_LIBRARY")
    if env:
        return [("TELERADYOLOJI_LIBRARY", os.path.abspath(env))]
    here = os.path.dirname(os.path.abspath(__file__))
    checkout = os.path.normpath(os.path.join(here, "..", "..", "..", "build"))
    return [
        ("next to the package", os.path.join(here, LIBRARY_NAME)),
        ("the checkout's build/", os.path.join(checkout, LIBRARY_NAME)),
    ]


def _open() -> Tuple[ctypes.CDLL, str]:
    tried = []
    for reason, path in candidates():
        if not os.path.isfile(path):
            tried.append("%s (%s): not found" % (path, reason))
            continue
        try:
            return ctypes.CDLL(path), path  # cdecl on every platform
        except OSError as exc:
            tried.append("%s (%s): %s" % (path, reason, exc))
    raise ImportError(
        "teleradyoloji: cannot load the native library %s; tried:\n  %s\n"
        "Set TELERADYOLOJI_LIBRARY to its full path." % (LIBRARY_NAME, "\n  ".join(tried))
    )


def take(ptr: c_void_p) -> Optional[str]:
    """Copies a library-owned string to ``str`` and frees it at once."""
    address = ptr.value
    if not address:
        return None
    ptr.value = None
    try:
        return ctypes.string_at(address).decode("utf-8")
    finally:
        lib.trl_free(address)


def _raise(status: int, err: c_void_p, response: Optional[str] = None) -> None:
    text = take(err)
    try:
        detail = json.loads(text) if text else {}
    except ValueError:
        detail = {"message": text}
    raise error_for(status, detail, response)


def _check(status: int, func: Any, args: Tuple[Any, ...]) -> int:
    """errcheck: status != TRL_OK raises; ``char **err`` is the last argument."""
    if status != 0:
        _raise(status, args[-1])
    return status


def _check_call(status: int, func: Any, args: Tuple[Any, ...]) -> int:
    """errcheck for trl_call: on TRL_E_HTTP the response body is filled too."""
    if status != 0:
        _raise(status, args[-1], take(args[-2]))
    return status


def _check_close(status: int, func: Any, args: Tuple[Any, ...]) -> int:
    """errcheck for trl_client_close, which has no ``err`` parameter."""
    if status != 0:
        raise error_for(status, {"message": "the client is already closed or unknown"})
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
    ("trl_call",
     [client_t, c_char_p, c_char_p, c_char_p, POINTER(c_int32), _str_out, _str_out],
     c_int32, _check_call),
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


lib, library_path, abi_version = _load()
