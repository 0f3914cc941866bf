"""teleradyoloji: open studies in the Turkish Ministry of Health's
teleradiology viewer and call the Teletip integration API, through OGN.

A thin ctypes wrapper over ``libteleradyoloji`` (ABI v1)::

    import teleradyoloji
    with teleradyoloji.Client(institution_code="1234567", password="...",
                              application_code="...") as client:
        url = client.viewer_url("ACC123", doctor_tc="12345678901")

The library is taken from ``TELERADYOLOJI_LIBRARY`` when set, else from next
to this package, else from the checkout's ``build/``.  Importing the package
loads nothing: the first ``Client(...)`` or ``version()`` loads the library
(an ``ImportError`` there lists the paths tried), and it stays loaded for the
life of the process.

Fork
----
The library contains a Go runtime, which does not survive ``fork()`` without
exec.  In a child forked after the library was loaded, every call raises
:class:`ForkedError` at once (the child never touches the parent's
connections and never hangs); ``close()`` of a client inherited from the
parent does nothing there and raises nothing; the parent is unaffected.
What to do:

* a gunicorn ``--preload`` or Celery prefork master may import
  ``teleradyoloji`` and make its clients at module level (the config is
  checked at once, but the native client is made by the first call, in the
  worker); it must not *use* a client or call ``version()`` before forking;
* ``multiprocessing``: use the ``spawn`` (or ``forkserver``) start method,
  or make the clients inside the workers.

``teleradyoloji.enable_logging()`` forwards the library's log events to
``logging.getLogger("teleradyoloji")``; every error has ``message_tr``, its
message in Turkish; ``Client.diagnose()`` checks the connection step by step.

asyncio apps use ``AsyncClient`` (``async with``, ``await client.viewer_url(...)``);
see its docstring for the threads it uses and what cancelling a call does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _native, errors
from .client import Client, Token
from .log import LOGGER_NAME, disable_logging, enable_logging
from .errors import (
    AuthError,
    BadHandleError,
    ConfigError,
    ForkedError,
    HTTPError,
    InternalError,
    InvalidArgumentError,
    NetworkError,
    ProtocolError,
    Status,
    TeleradyolojiError,
    TimeoutError,
)

__version__ = "0.0.0.dev0"  # a checkout; make python-wheel stamps the Makefile's VERSION

if TYPE_CHECKING:
    from .async_client import AsyncClient

__all__ = ["Client", "AsyncClient", "Token", "version", "enable_logging", "disable_logging", "LOGGER_NAME"] + errors.__all__


def version() -> str:
    """The library's version, e.g. "1.0.0" (loads the library on first use)."""
    return (_native.library().trl_version() or b"").decode("utf-8", "replace")


def __getattr__(name: str) -> Any:
    # AsyncClient imports asyncio (tens of ms): only for those who use it.
    if name == "AsyncClient":
        from .async_client import AsyncClient

        return AsyncClient
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
