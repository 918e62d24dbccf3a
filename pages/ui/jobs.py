"""Work that outlives one script run: a daemon thread whose results pages poll and redraw."""
from __future__ import annotations

import atexit
import threading
import time

from .errors import log_exception


class JobStopped(BaseException):
    """Raised inside a background job when the process is shutting down (not an error)."""


class BackgroundJob:
    """``fn(report)`` running once in a daemon thread; pages poll ``items``/``done`` and redraw.

    ``report(item)`` records one result and raises :class:`JobStopped` once the process is
    exiting, so the thread ends between two pieces of work instead of being killed inside torch
    (which aborts the interpreter). Keep one per process with ``st.cache_resource``; the thread
    never calls Streamlit.

    Example:
        >>> job = BackgroundJob("squares", lambda report: [report(i * i) for i in range(3)], total=3)
        >>> job.wait(5), job.items
        (True, [0, 1, 4])
    """

    _running: "set[BackgroundJob]" = set()

    def __init__(self, name: str, fn, total: int):
        self.name, self.total, self.items = name, max(int(total), 1), []
        self.done, self.failed, self.seconds = False, False, None
        self._stop = threading.Event()
        self._t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._run, args=(fn,), daemon=True,
                                        name=f"metarec-{name}")
        BackgroundJob._running.add(self)
        self._thread.start()

    def report(self, item) -> None:
        """Record one result (called from the job's thread)."""
        self.items.append(item)
        self.check()

    def check(self) -> None:
        """Raise :class:`JobStopped` when the job should end now."""
        if self._stop.is_set():
            raise JobStopped

    def _run(self, fn) -> None:
        try:
            fn(self.report)
        except JobStopped:
            pass
        except Exception:
            log_exception(f"background job {self.name}")
            self.failed = True
        finally:
            self.seconds = time.perf_counter() - self._t0
            self.done = True
            BackgroundJob._running.discard(self)

    @property
    def elapsed(self) -> float:
        """Seconds since the job started (its whole run once it is done)."""
        return self.seconds if self.seconds is not None else time.perf_counter() - self._t0

    @property
    def fraction(self) -> float:
        """The share of ``total`` reported so far, at most 1."""
        return min(len(self.items) / self.total, 1.0)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until done (tests and scripts only; a page polls instead)."""
        self._thread.join(timeout)
        return self.done

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the job to end at its next report, and wait for it."""
        self._stop.set()
        self._thread.join(timeout)

    @classmethod
    def stop_all(cls) -> None:
        """Stop every running job (at interpreter exit)."""
        for job in list(cls._running):
            job.stop()


atexit.register(BackgroundJob.stop_all)
