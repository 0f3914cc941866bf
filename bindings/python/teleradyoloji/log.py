"""The library's log events, forwarded to :mod:`logging`.

::

    import logging, teleradyoloji
    logging.basicConfig(level=logging.INFO)
    teleradyoloji.enable_logging()          # events go to logging.getLogger("teleradyoloji")

Each event becomes one record on the ``teleradyoloji`` logger: the message
is ``"<event> <message> (field=value, ...)"``, and the record carries
``trl_event`` (the stable dotted name, e.g. ``"token.fetched"``) and
``trl_fields`` (the event's JSON object as a dict).  Levels map as
ERROR, WARNING, INFO, DEBUG.  No event holds a password, token, OTAC or a
full T.C. identity number.

Events reach the logger from a thread the library owns, never from the
thread that made the call, and never while a call waits: a slow handler
slows no call (when the library's queue of 1024 events is full, events are
dropped and a later ``log.dropped`` record says how many).  Logging is
process-wide.  Handlers must not call the library.
"""
from __future__ import annotations

import atexit
import json
import logging
import threading
from typing import Any, Dict, Optional

from . import _native

__all__ = ["enable_logging", "disable_logging", "LOGGER_NAME",
           "LOG_ERROR", "LOG_WARN", "LOG_INFO", "LOG_DEBUG"]

LOGGER_NAME = "teleradyoloji"

# TRL_LOG_* of teleradyoloji.h
LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG = 1, 2, 3, 4

_TO_PYTHON = {LOG_ERROR: logging.ERROR, LOG_WARN: logging.WARNING,
              LOG_INFO: logging.INFO, LOG_DEBUG: logging.DEBUG}

LOG_FN = _native.LOG_FN  # trl_log_fn

_lock = threading.Lock()
_callback: Optional[Any] = None  # the ctypes callback in use: kept alive here
_logger: Optional[logging.Logger] = None
_exit_hook = False


def _set_log():
    return _native.library().trl_set_log


def _library_level(python_level: int) -> int:
    if python_level <= logging.DEBUG:
        return LOG_DEBUG
    if python_level <= logging.INFO:
        return LOG_INFO
    if python_level <= logging.WARNING:
        return LOG_WARN
    return LOG_ERROR


def _format(event: Dict[str, Any]) -> str:
    fields = ", ".join("%s=%s" % (k, v) for k, v in event.items()
                       if k not in ("event", "level", "message", "time"))
    text = "%s %s" % (event.get("event", "?"), event.get("message", ""))
    return "%s (%s)" % (text, fields) if fields else text


def _deliver(user_data: Any, level: int, event_json: Optional[bytes]) -> None:
    # On the library's delivery thread. Never raise into C.
    try:
        logger = _logger
        if logger is None or not event_json:
            return
        event = json.loads(event_json.decode("utf-8", "replace"))
        py_level = _TO_PYTHON.get(int(level), logging.DEBUG)
        if logger.isEnabledFor(py_level):
            logger.log(py_level, "%s", _format(event),
                       extra={"trl_event": event.get("event"), "trl_fields": event})
    except Exception:  # noqa: BLE001 - a log handler's failure must not reach the library
        pass


def enable_logging(level: Optional[int] = None, logger: Optional[logging.Logger] = None) -> None:
    """Forwards the library's events to ``logger`` (``logging.getLogger("teleradyoloji")``).

    ``level`` is the most detailed :mod:`logging` level wanted (default: the
    logger's effective level at this call); the library then makes no event
    below it.  Calling it again replaces the settings.
    """
    global _callback, _logger, _exit_hook
    target = logger or logging.getLogger(LOGGER_NAME)
    if level is None:
        level = target.getEffectiveLevel()
    with _lock:
        callback = _callback or LOG_FN(_deliver)
        _logger = target
        status = _set_log()(callback, None, _library_level(level))
        if status != 0:
            raise ValueError("trl_set_log failed with status %d" % status)
        _callback = callback
        if not _exit_hook:
            atexit.register(disable_logging)  # before the interpreter goes away
            _exit_hook = True


def disable_logging() -> None:
    """Stops forwarding events. When it returns, no handler runs for the library."""
    global _logger
    with _lock:
        if _callback is None:
            return
        _set_log()(LOG_FN(), None, 0)  # waits for an event being delivered
        _logger = None
