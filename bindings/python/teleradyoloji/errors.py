"""Status codes and exceptions of the teleradyoloji library.

Every failing call raises a :class:`TeleradyolojiError` subclass chosen by
its status.  Messages come from the library, which never puts a password,
token or OTAC in them.
"""
from __future__ import annotations

import builtins
import enum
from typing import Any, Dict, Optional, Type, Union

__all__ = [
    "Status",
    "TeleradyolojiError",
    "InvalidArgumentError",
    "ConfigError",
    "BadHandleError",
    "AuthError",
    "HTTPError",
    "NetworkError",
    "TimeoutError",
    "ProtocolError",
    "InternalError",
    "ForkedError",
]


class Status(enum.IntEnum):
    """The ABI's status codes (``TRL_OK``, ``TRL_E_*``); only ever appended."""

    OK = 0
    INVALID_ARGUMENT = 1
    CONFIG = 2
    BAD_HANDLE = 3
    AUTH = 4
    HTTP = 5
    NETWORK = 6
    TIMEOUT = 7
    PROTOCOL = 8
    INTERNAL = 9
    FORKED = 10


class TeleradyolojiError(Exception):
    """A call to the library failed.

    Attributes:
        code: the :class:`Status` (a plain ``int`` for a code newer than
            this binding).
        name: the status name, e.g. ``"TRL_E_AUTH"``.
        message: what went wrong, in words.
        http_status: the HTTP status when one was received, else ``None``.
        server_error: the server's OAuth ``error`` (e.g. ``"invalid_grant"``).
        server_error_description: the server's ``error_description``.
        retryable: whether trying again later may succeed.
        response: for :meth:`Client.call`, the server's body on a non-2xx
            answer, else ``None``.
        message_tr: the message in plain Turkish, for the person at the HIS
            ("e-Nabız şifresi veya kurum kodu hatalı", ...); never empty.
    """

    def __init__(
        self,
        message: str,
        *,
        code: Union[Status, int] = Status.INTERNAL,
        name: str = "",
        http_status: Optional[int] = None,
        server_error: Optional[str] = None,
        server_error_description: Optional[str] = None,
        retryable: bool = False,
        response: Optional[str] = None,
    ) -> None:
        # One positional argument only: the OSError base of TimeoutError
        # would read two as (errno, strerror).
        Exception.__init__(self, message)
        self.code = code
        self.name = name or "TRL_E_" + getattr(code, "name", "UNKNOWN")
        self.message = message
        self.http_status = http_status
        self.server_error = server_error
        self.server_error_description = server_error_description
        self.retryable = retryable
        self.response = response

    def __str__(self) -> str:
        text = "%s: %s" % (self.name, self.message)
        if self.http_status is not None:
            text += " (HTTP %d)" % self.http_status
        return text

    def __repr__(self) -> str:
        parts = ["code=%s" % int(self.code), "message=%r" % self.message]
        for attr in ("http_status", "server_error", "server_error_description"):
            value = getattr(self, attr)
            if value is not None:
                parts.append("%s=%r" % (attr, value))
        parts.append("retryable=%r" % self.retryable)
        return "%s(%s)" % (type(self).__name__, ", ".join(parts))

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))

    @property
    def message_tr(self) -> str:
        """The message in plain Turkish (the library's ``message_tr``)."""
        text = self.__dict__.get("_message_tr")
        if text:
            return str(text)
        try:
            return STATUS_TR[int(self.code)]
        except (KeyError, TypeError, ValueError):
            return "Bilinmeyen bir hata oluştu (kod %s)." % (self.code,)


def _rebuild(cls: Type[TeleradyolojiError], message: str, state: Dict[str, Any]) -> TeleradyolojiError:
    err = cls(message)
    err.__dict__.update(state)
    return err


class InvalidArgumentError(TeleradyolojiError, ValueError):
    """An argument was empty or invalid (``TRL_E_INVALID_ARGUMENT``)."""


class ConfigError(TeleradyolojiError, ValueError):
    """The client's settings were rejected (``TRL_E_CONFIG``)."""


class BadHandleError(TeleradyolojiError):
    """The client is closed (``TRL_E_BAD_HANDLE``)."""


class AuthError(TeleradyolojiError):
    """OGN refused the credentials (``TRL_E_AUTH``); never retried."""


class HTTPError(TeleradyolojiError):
    """Any other non-2xx answer, or a 2xx whose body says failure (``TRL_E_HTTP``)."""


class NetworkError(TeleradyolojiError):
    """DNS, connect, TLS, proxy or connection reset (``TRL_E_NETWORK``)."""


class TimeoutError(TeleradyolojiError, builtins.TimeoutError):  # noqa: A001
    """``timeout_ms`` ran out (``TRL_E_TIMEOUT``); also the built-in ``TimeoutError``."""


class ProtocolError(TeleradyolojiError):
    """A response that cannot be understood (``TRL_E_PROTOCOL``)."""


class InternalError(TeleradyolojiError):
    """A bug in the library (``TRL_E_INTERNAL``)."""


class ForkedError(TeleradyolojiError):
    """Called in a child forked (without exec) after the library was loaded
    (``TRL_E_FORKED``): the library's Go runtime does not survive ``fork()``.

    Load the library only in the process that uses it: create clients after
    the fork, start workers with ``spawn``/``forkserver``, and do not create a
    client in a gunicorn ``--preload`` or Celery prefork master.
    """


_BY_CODE: Dict[int, Type[TeleradyolojiError]] = {
    Status.INVALID_ARGUMENT: InvalidArgumentError,
    Status.CONFIG: ConfigError,
    Status.BAD_HANDLE: BadHandleError,
    Status.AUTH: AuthError,
    Status.HTTP: HTTPError,
    Status.NETWORK: NetworkError,
    Status.TIMEOUT: TimeoutError,
    Status.PROTOCOL: ProtocolError,
    Status.INTERNAL: InternalError,
    Status.FORKED: ForkedError,
}


# The Turkish text of each status, for errors the binding makes itself (the
# library's own errors carry a more precise "message_tr").
STATUS_TR: Dict[int, str] = {
    0: "İşlem başarılı.",
    1: "Kütüphaneye geçersiz bir değer verildi (program hatası): HBYS firmasına bildirin.",
    2: "Bağlantı ayarları hatalı: HBYS firmasına veya bilgi işlem birimine bildirin.",
    3: "Bağlantı nesnesi kapatılmış veya geçersiz (program hatası): HBYS firmasına bildirin.",
    4: "e-Nabız şifresi veya kurum kodu hatalı: OGN giriş bilgilerini kabul etmedi.",
    5: "Bakanlık sunucusu isteği kabul etmedi.",
    6: "Bakanlık sunucusuna ulaşılamıyor: ağ bağlantısını, güvenlik duvarını ve vekil sunucu (proxy) ayarını kontrol edin.",
    7: "Bakanlık sunucusu zamanında yanıt vermedi: ağ bağlantısını kontrol edip yeniden deneyin.",
    8: "Bakanlık sunucusundan anlaşılamayan bir yanıt geldi.",
    9: "Kütüphanede beklenmeyen bir hata oluştu: HBYS firmasına bildirin.",
    10: "Kütüphane, yüklendikten sonra çatallanmış (fork) bir süreçte çağrıldı ve orada çalışamaz (program hatası): HBYS firmasına bildirin.",
}


def error_for(status: int, detail: Dict[str, Any], response: Optional[str] = None) -> TeleradyolojiError:
    """The exception for a status and the library's error JSON object."""
    try:
        code: Union[Status, int] = Status(status)
    except ValueError:
        code = status
    cls = _BY_CODE.get(status, TeleradyolojiError)
    http_status = detail.get("http_status")
    err = cls(
        str(detail.get("message") or "status %d" % status),
        code=code,
        name=str(detail.get("name") or ""),
        http_status=int(http_status) if http_status is not None else None,
        server_error=detail.get("server_error"),
        server_error_description=detail.get("server_error_description"),
        retryable=bool(detail.get("retryable", False)),
        response=response,
    )
    if detail.get("message_tr"):
        err.__dict__["_message_tr"] = str(detail["message_tr"])
    return err
