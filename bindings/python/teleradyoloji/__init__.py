"""teleradyoloji: open studies in the Turkish Ministry of Health's
teleradiology viewer and call the Teletip integration API, through OGN.

A thin ctypes wrapper over ``libteleradyoloji`` (ABI v1)::

    import teleradyoloji
    with teleradyoloji.Client(institution_code="1234567", password="...",
                              application_code="...") as client:
        url = client.viewer_url("ACC123", doctor_tc="12345678901")

The library is taken from ``TELERADYOLOJI_LIBRARY`` when set, else from next
to this package, else from the checkout's ``build/``; it stays loaded for the
life of the process.  With ``multiprocessing``, use the "spawn" start method.

``teleradyoloji.enable_logging()`` forwards the library's log events to
``logging.getLogger("teleradyoloji")``; every error has ``message_tr``, its
message in Turkish; ``Client.diagnose()`` checks the connection step by step.
"""
from __future__ import annotations

from . import _native, errors
from .client import Client, Token
from .log import LOGGER_NAME, disable_logging, enable_logging
from .errors import (
    AuthError,
    BadHandleError,
    ConfigError,
    HTTPError,
    InternalError,
    InvalidArgumentError,
    NetworkError,
    ProtocolError,
    Status,
    TeleradyolojiError,
    TimeoutError,
)

__version__ = "1.0.0"

__all__ = ["Client", "Token", "version", "enable_logging", "disable_logging", "LOGGER_NAME"] + errors.__all__


def version() -> str:
    """The loaded library's version, e.g. "1.0.0"."""
    return (_native.lib.trl_version() or b"").decode("utf-8")
