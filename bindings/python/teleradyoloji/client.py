"""The client: tokens, OTACs, viewer URLs and helper-service calls."""
from __future__ import annotations

import json
import os
import threading
from ctypes import c_int32, c_int64, c_void_p
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Optional, Tuple, Type, Union

from . import _native
from ._native import client_t, decode, take, take_bytes
from .errors import ForkedError, InvalidArgumentError, ProtocolError, Status

__all__ = ["Client", "Token"]

# Guards making and closing native clients; a new one in a forked child (a
# thread of the parent may have held it at the fork).
_create_lock = threading.Lock()


def _new_create_lock() -> None:
    global _create_lock
    _create_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_create_lock)


def _text(value: Optional[str], what: str) -> Optional[bytes]:
    """UTF-8 for the C side; None stays NULL."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("%s must be a str, not %s" % (what, type(value).__name__))
    data = value.encode("utf-8")
    if b"\0" in data:  # C would silently cut the text there
        raise InvalidArgumentError("%s contains a NUL character" % what,
                                   code=Status.INVALID_ARGUMENT)
    return data


class Token:
    """An OGN access token and when it expires (timezone-aware, UTC).

    Its ``repr`` never shows the value.
    """

    __slots__ = ("value", "expires_at")

    def __init__(self, value: str, expires_at: datetime) -> None:
        self.value = value
        self.expires_at = expires_at

    def __repr__(self) -> str:
        return "Token(value=<hidden>, expires_at=%r)" % (self.expires_at,)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Token):
            return NotImplemented
        return (self.value, self.expires_at) == (other.value, other.expires_at)

    def __hash__(self) -> int:
        return hash((self.value, self.expires_at))


def _token(value: c_void_p, expires_at_unix: c_int64) -> Token:
    return Token(take(value, "the token") or "",
                 datetime.fromtimestamp(expires_at_unix.value, tz=timezone.utc))


class Client:
    """A connection to OGN, the integration API and the viewer.

    Keyword arguments are the library's config keys: ``institution_code``,
    ``password``, ``application_code`` (required), ``ogn_url``, ``api_url``,
    ``viewer_url``, ``timeout_ms``, ``retries``, ``proxy``, ``ca_file``, … (see
    ``teleradyoloji.h``).  An unknown key raises :class:`ConfigError`.

    One client may be shared by many threads; tokens are cached per client.
    Use it as a context manager or call :meth:`close`.

    The config is checked when the client is made, by the library's own
    rules, but the native client is made lazily, by the first call, in the
    process that makes it: a client made at module level in a gunicorn
    ``--preload`` or Celery prefork master works in every worker, as long as
    the master does not use it.  Until this process has loaded the library,
    the check runs in a short-lived forked child (Linux; elsewhere the
    library is loaded here); ``ImportError`` then says where the library was
    looked for.  A client used before a fork (or any client made in a child
    forked after the library was loaded) raises :class:`ForkedError` there.
    """

    def __init__(self, **config: Any) -> None:
        self._handle = 0
        self._closed = False
        self._generation = _native.fork_generation  # where the native client was made
        self._institution_code = config.get("institution_code")
        try:
            self._config_json = json.dumps(config).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise TypeError("Client settings must be JSON values: %s" % exc) from None
        if _native.is_loaded() or not _native.check_config_elsewhere(config):
            self._handle = self._new_native()  # loaded already: nothing to keep it from

    def _new_native(self) -> int:
        out = client_t()
        _native.library().trl_client_new(self._config_json, out, c_void_p())
        self._generation = _native.fork_generation
        return out.value

    @property
    def _h(self) -> int:
        """The native client, made on first use in the process using it.

        Made by another process (before a fork), it is passed on as is: the
        library answers :class:`ForkedError` there.  Closed: 0, which the
        library answers with :class:`BadHandleError`.
        """
        handle = self._handle
        if handle or self._closed:
            return handle
        with _create_lock:
            if not self._handle and not self._closed:
                self._handle = self._new_native()
            return self._handle

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return "<teleradyoloji.Client institution_code=%r %s>" % (self._institution_code, state)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def close(self) -> None:
        """Frees the client; calls made afterwards raise :class:`BadHandleError`.

        Closing twice is harmless.  Calls already running finish normally.
        In a child forked after the client was made, it only marks the client
        closed: the client belongs to the parent, and the child must not
        touch the library's state (its calls raise :class:`ForkedError`).
        """
        if self._handle and self._generation != _native.fork_generation:
            self._closed = True  # inherited through fork: no lock, no native call
            return
        with _create_lock:
            if self._closed:
                return
            self._closed = True
            handle = self._handle
        if not handle:
            return  # never made: nothing native, nothing loaded
        try:
            _native.library().trl_client_close(handle)
        except ForkedError:
            pass  # forked outside os.fork (no at-fork hook ran): the parent's client

    def service_token(self) -> Token:
        """The token for helper-service calls (cached until shortly before it expires)."""
        token, expires, err = c_void_p(), c_int64(), c_void_p()
        _native.library().trl_service_token(self._h, token, expires, err)
        return _token(token, expires)

    def viewer_token(self, doctor_tc: Optional[str] = None,
                     patient_tc: Optional[str] = None) -> Token:
        """The token for opening the viewer, cached per (doctor, patient).

        ``doctor_tc`` and ``patient_tc`` are T.C. identity numbers; None or
        "" means the field is not sent.
        """
        token, expires, err = c_void_p(), c_int64(), c_void_p()
        _native.library().trl_viewer_token(self._h, _text(doctor_tc, "doctor_tc"),
                                           _text(patient_tc, "patient_tc"), token, expires, err)
        return _token(token, expires)

    def post_otac(self, token: Union[Token, str], accession: str) -> str:
        """Asks for a one-time code (OTAC) for a study, with the caller's token.

        A 401 raises :class:`HTTPError` (``http_status`` 401) and drops that
        token from the cache.  An OTAC is single-use: never cache it.
        """
        value = token.value if isinstance(token, Token) else token
        otac, err = c_void_p(), c_void_p()
        _native.library().trl_post_otac(self._h, _text(value, "token"),
                                        _text(accession, "accession"), otac, err)
        return take(otac, "the OTAC") or ""

    def build_viewer_url(self, otac: str) -> str:
        """The viewer URL for an OTAC (no I/O)."""
        url, err = c_void_p(), c_void_p()
        _native.library().trl_build_viewer_url(self._h, _text(otac, "otac"), url, err)
        return take(url, "the URL") or ""

    def viewer_url(self, accession: str, doctor_tc: Optional[str] = None,
                   patient_tc: Optional[str] = None) -> str:
        """Viewer token -> OTAC -> the URL to open, once, for a study.

        The call most HIS code needs.  The URL holds a one-time code: open
        it once (a new tab or an iframe) and do not log it.
        """
        url, err = c_void_p(), c_void_p()
        _native.library().trl_viewer_url(self._h, _text(accession, "accession"),
                                         _text(doctor_tc, "doctor_tc"),
                                         _text(patient_tc, "patient_tc"), url, err)
        return take(url, "the URL") or ""

    def prefetch_viewer_token(self, doctor_tc: Optional[str] = None,
                              patient_tc: Optional[str] = None) -> None:
        """Hints that a click for (doctor, patient) may come soon, e.g. when
        a worklist row is selected; returns at once.

        The viewer token is fetched in the background unless it is cached,
        so a later :meth:`viewer_url` for the same pair costs one round
        trip.  Raises only for identity numbers :meth:`viewer_url` would
        refuse; a failed fetch is logged, and the later click raises as
        usual.  Per client at most 2 such fetches run and the newest 4 hints
        wait; older hints are dropped.
        """
        err = c_void_p()
        _native.library().trl_prefetch_viewer_token(self._h, _text(doctor_tc, "doctor_tc"),
                                                    _text(patient_tc, "patient_tc"), err)

    def _call(self, method: str, path: str, body: Any) -> Tuple[bytes, int]:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        status, response, length, err = c_int32(), c_void_p(), c_int64(), c_void_p()
        _native.library().trl_call_bytes(self._h, _text(method, "method"), _text(path, "path"),
                                         data, status, response, length, err)
        return take_bytes(response, length.value) or b"", status.value

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """Calls a helper-service method with the service token.

        ``path`` is relative to ``api_url``; ``body`` is any JSON value (None
        sends no body).  Returns the parsed JSON answer (None for an empty
        one).  A non-2xx answer raises :class:`HTTPError` with ``http_status``
        and the server's body in ``response``.  An answer that is not UTF-8
        JSON raises :class:`ProtocolError` (use :meth:`call_bytes` for
        binary answers); nothing is cut at a NUL byte.
        """
        raw, http_status = self._call(method, path, body)
        if not raw:
            return None
        text = decode(raw, "the answer", http_status, "; call_bytes() returns it as bytes")
        try:
            return json.loads(text)
        except ValueError:
            raise ProtocolError("the answer is not JSON", code=Status.PROTOCOL,
                                http_status=http_status, response=text) from None

    def call_bytes(self, method: str, path: str, body: Any = None) -> bytes:
        """:meth:`call` returning the answer's bytes exactly as received.

        For answers that are not JSON text (files, images, bytes that are not
        UTF-8, NUL bytes).  ``body`` is a JSON value, as for :meth:`call`.  A
        non-2xx answer raises :class:`HTTPError` with ``http_status`` and the
        body in ``response`` (as text, undecodable bytes replaced by U+FFFD).
        """
        return self._call(method, path, body)[0]

    def diagnose(self) -> Any:
        """Checks the connection to the Ministry step by step (``trl_diagnose``).

        Returns the report as a dict: ``{"ok": bool, "steps": [{"step",
        "target", "ok", "ms", "message", "message_tr", "advice",
        "advice_tr"}, ...]}`` (see ``teleradyoloji.h``).  Failed checks do
        not raise: they are in the report.  Each network step waits at most
        ``min(timeout_ms, 10 s)``; the hosts are checked in parallel.
        """
        report, err = c_void_p(), c_void_p()
        _native.library().trl_diagnose(self._h, report, err)
        return json.loads(take(report) or "null")
