"""AsyncClient: the client's network calls as coroutines, for asyncio apps.

Why a small pool of threads, and not one thread per call or a callback ABI:
the library's calls are synchronous (ABI v1: each blocks its thread until
the answer, with the GIL released), and a completion-callback ABI would be
an ABI change.  So every awaitable method runs the blocking call on one of
at most ``max_threads`` daemon threads and hands the answer back to the
event loop (``loop.call_soon_threadsafe``, through ``run_in_executor``).
The loop never blocks, and a thousand concurrent awaits need ``max_threads``
threads, not a thousand: at most ``max_threads`` calls are in the library at
once, the rest wait in the queue without blocking the loop.  A warm click is
one round trip, so 16 threads serve 16 / RTT clicks a second (320/s at
50 ms); the library bounds its connections per host anyway.

Daemon threads, not ``ThreadPoolExecutor``'s: Python joins those at exit
after running every queued call, so a slow network would hang exit.
"""
from __future__ import annotations

import asyncio
import functools
import os
import queue
import threading
import weakref
from concurrent.futures import Executor, Future
from types import TracebackType
from typing import Any, Callable, Optional, Type, TypeVar, Union

from . import _native
from .client import Client, Token

__all__ = ["AsyncClient", "DEFAULT_MAX_THREADS"]

DEFAULT_MAX_THREADS = 16
T = TypeVar("T")


def _work(jobs: "queue.SimpleQueue[Any]") -> None:
    """A worker thread: runs jobs until a None (holds no reference to its pool)."""
    while True:
        job = jobs.get()
        if job is None:
            return
        future, fn, args, idle = job
        if future.set_running_or_notify_cancel():  # False: cancelled while queued, never run
            try:
                result = fn(*args)
            except BaseException as exc:  # noqa: B902 - handed to the awaiting task
                future.set_exception(exc)
            else:
                future.set_result(result)
        del job, future, fn, args
        idle()
        del idle  # holds the pool: let it be collected while this thread waits


class _Threads(Executor):
    """At most ``size`` daemon threads, started when calls wait, sharing one queue."""

    def __init__(self, size: int, name: str) -> None:
        self.size = size
        self.name = name
        self.generation = _native.fork_generation  # threads do not survive fork
        self._jobs: "queue.SimpleQueue[Any]" = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._started = 0
        self._idle = 0
        self._shut = False
        weakref.finalize(self, _stop, self._jobs, size)  # unused and unreferenced: threads end

    def _one_idle(self) -> None:
        with self._lock:
            self._idle += 1

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> "Future[T]":
        if kwargs:
            fn = functools.partial(fn, **kwargs)
        future: "Future[T]" = Future()
        with self._lock:
            if self._shut:
                raise RuntimeError("teleradyoloji: the AsyncClient is closed")
            self._jobs.put((future, fn, args, self._one_idle))
            if self._idle:
                self._idle -= 1  # an idle thread takes it
            elif self._started < self.size:
                self._started += 1
                threading.Thread(target=_work, args=(self._jobs,), daemon=True,
                                 name="%s-%d" % (self.name, self._started)).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Threads end once the calls queued so far are done (never waited for)."""
        with self._lock:
            if self._shut:
                return
            self._shut = True
        _stop(self._jobs, self._started)


def _stop(jobs: "queue.SimpleQueue[Any]", threads: int) -> None:
    for _ in range(threads):
        jobs.put(None)  # after the calls queued so far


_shared: Optional[_Threads] = None
_shared_lock = threading.Lock()


def _shared_threads() -> _Threads:
    """The process's pool for clients without their own ``max_threads``."""
    global _shared
    pool = _shared
    if pool is None or pool.generation != _native.fork_generation:
        with _shared_lock:
            if _shared is None or _shared.generation != _native.fork_generation:
                _shared = _Threads(DEFAULT_MAX_THREADS, "teleradyoloji-shared")
            pool = _shared
    return pool


def _new_shared_lock() -> None:
    global _shared_lock
    _shared_lock = threading.Lock()  # a parent's thread may have held it at the fork


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_shared_lock)


class AsyncClient:
    """:class:`Client` for asyncio: ``await`` its network calls.

    ::

        async with teleradyoloji.AsyncClient(institution_code="1234567", password="...",
                                             application_code="...") as client:
            url = await client.viewer_url("ACC123", doctor_tc="12345678901")

    Keyword arguments are :class:`Client`'s, plus ``max_threads``: how many
    calls may be in the library at once.  Without it the client shares the
    process's pool of ``DEFAULT_MAX_THREADS`` (16) threads with every other
    AsyncClient (one process serving many institutions needs no more);
    with it the client gets a pool of its own, ended by :meth:`aclose`.
    Threads start only when calls wait for one.  Calls beyond the limit
    wait in a queue; the event loop never blocks.

    Cancelling a task that awaits a call raises ``CancelledError`` in it at
    once.  A call still in the queue is dropped, never sent; one already in
    the library runs to its end on its thread (at most ``timeout_ms``) and
    its answer is discarded (an OTAC so fetched is never used).

    Fork: as :class:`Client` (the native client and the threads are made
    by the first call, in the process that makes it).  At exit, threads
    still in a call do not keep the interpreter from ending.
    """

    def __init__(self, *, max_threads: Optional[int] = None, **config: Any) -> None:
        if max_threads is not None and (not isinstance(max_threads, int) or max_threads < 1):
            raise ValueError("max_threads must be a positive int")
        self._max_threads = max_threads
        self._threads: Optional[_Threads] = None
        self._client = Client(**config)

    def __repr__(self) -> str:
        return repr(self._client).replace("teleradyoloji.Client", "teleradyoloji.AsyncClient", 1)

    def _pool(self) -> _Threads:
        if self._max_threads is None:
            return _shared_threads()
        pool = self._threads
        if pool is None or pool.generation != _native.fork_generation:
            pool = self._threads = _Threads(self._max_threads, "teleradyoloji-async")
        return pool

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool(), fn, *args)

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                        tb: Optional[TracebackType]) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Frees the client (as :meth:`Client.close`): later calls raise
        :class:`BadHandleError`; calls in the library finish normally.
        Closing twice is harmless."""
        self._client.close()  # no I/O: never blocks the loop
        pool, self._threads = self._threads, None
        if pool is not None:
            pool.shutdown(wait=False)

    async def service_token(self) -> Token:
        """:meth:`Client.service_token`."""
        return await self._run(self._client.service_token)

    async def viewer_token(self, doctor_tc: Optional[str] = None,
                           patient_tc: Optional[str] = None) -> Token:
        """:meth:`Client.viewer_token`."""
        return await self._run(self._client.viewer_token, doctor_tc, patient_tc)

    async def post_otac(self, token: Union[Token, str], accession: str) -> str:
        """:meth:`Client.post_otac`."""
        return await self._run(self._client.post_otac, token, accession)

    def build_viewer_url(self, otac: str) -> str:
        """:meth:`Client.build_viewer_url`: no I/O, so not awaited (as httpx's
        ``build_request``)."""
        return self._client.build_viewer_url(otac)

    async def viewer_url(self, accession: str, doctor_tc: Optional[str] = None,
                         patient_tc: Optional[str] = None) -> str:
        """:meth:`Client.viewer_url`: the URL to open, once, for a study."""
        return await self._run(self._client.viewer_url, accession, doctor_tc, patient_tc)

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        """:meth:`Client.call`."""
        return await self._run(self._client.call, method, path, body)

    async def call_bytes(self, method: str, path: str, body: Any = None) -> bytes:
        """:meth:`Client.call_bytes`."""
        return await self._run(self._client.call_bytes, method, path, body)

    async def diagnose(self) -> Any:
        """:meth:`Client.diagnose`."""
        return await self._run(self._client.diagnose)
