"""A few worker processes fed tasks over pipes, for the CPU-bound verification work.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: its ``spawn`` and
``forkserver`` children re-import the parent's ``__main__`` script (for
``fivestar`` that is the CLI, Dagster and pandas: seconds per worker), and
``fork`` is unsafe in a process that runs threads (Dagster, rich progress).
These workers are fresh interpreters that import only the module that does
the work (its parent packages' ``__init__`` files are *not* run: the
conversion package's pulls in pandas and rdflib, a second of start-up the
worker does not need) and call its ``worker_main()``, which calls
:func:`serve`. They inherit nothing but the environment given.

Protocol: the parent pickles one *setup* object, then tasks, to the worker's
stdin; the worker calls ``handler(setup, task)`` for each and, when stdin
closes, pickles the list of results to stdout. Tasks go to whichever worker
is free (one feeder thread per worker, a bounded queue in front), so memory
stays at a few tasks in flight whatever the size of the input. Only our own
processes ever read these pickles.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

_DONE = object()

#: A worker's first lines: block the modules named after ``sys.argv[1]`` (importing
#: one raises ImportError), register each parent package of ``sys.argv[1]`` and of this
#: module bare (its search path only, its ``__init__`` not run), import the module, run
#: its worker_main.
_BOOT = """
import importlib, importlib.util, sys, types
module = sys.argv[1]
blocked = set(sys.argv[2:])
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"{name} is not imported by this worker", name=name)
sys.meta_path.insert(0, Block())
for target in (module, "pipelines.convert.workers"):  # serve() and serve_one() live there
    parts = target.split(".")
    for i in range(1, len(parts)):
        name = ".".join(parts[:i])
        if name not in sys.modules:
            spec = importlib.util.find_spec(name)
            pkg = types.ModuleType(name)
            pkg.__path__ = list(spec.submodule_search_locations)
            pkg.__spec__ = spec
            sys.modules[name] = pkg
importlib.import_module(module).worker_main()
"""


class WorkerError(RuntimeError):
    """A worker process failed; its last lines of stderr are in the message."""


class Workers:
    """``n`` processes running ``module.worker_main()`` (which must call :func:`serve`)."""

    def __init__(self, module: str, n: int, in_flight: int = 2,
                 env: dict[str, str] | None = None, block: tuple[str, ...] = ()) -> None:
        """``block``: modules the worker must not import (optional integrations of a
        library that would otherwise load them, such as pyarrow's of pandas)."""
        self._procs: list[subprocess.Popen[bytes]] = []
        self._errs: list[IO[bytes]] = []
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(1, in_flight * n))
        self._threads: list[threading.Thread] = []
        self._failure: list[BaseException] = []
        self._setup_sent = threading.Event()
        self._setup: Any = None
        for _ in range(n):
            err = tempfile.TemporaryFile()  # noqa: SIM115 (closed in finish)
            proc = subprocess.Popen([sys.executable, "-c", _BOOT, module, *block],
                                    stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=err,
                                    env={**os.environ, **(env or {})})
            self._procs.append(proc)
            self._errs.append(err)

    def setup(self, value: Any) -> None:
        """Send the setup object to every worker and start feeding tasks."""
        self._setup = value
        for proc in self._procs:
            t = threading.Thread(target=self._feed, args=(proc,), daemon=True)
            t.start()
            self._threads.append(t)

    def _feed(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None
        try:
            pickle.dump(self._setup, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            while (task := self._queue.get()) is not _DONE:
                if self._failure:
                    continue
                pickle.dump(task, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # a broken pipe: the worker died; reported in finish
            self._failure.append(exc)
            while self._queue.get() is not _DONE:  # keep draining so submit never blocks
                pass
        finally:
            with contextlib.suppress(OSError):
                proc.stdin.close()

    def submit(self, task: Any) -> None:
        """Queue a task (blocks while enough are in flight)."""
        if not self._threads:
            raise RuntimeError("setup() first")
        self._queue.put(task)

    def finish(self) -> list[Any]:
        """Close the inputs, wait, and return every worker's results (in worker order)."""
        for _ in self._threads:
            self._queue.put(_DONE)
        results: list[Any] = []
        problems: list[str] = []
        for proc, err in zip(self._procs, self._errs, strict=True):
            assert proc.stdout is not None
            try:
                data = proc.stdout.read()
            finally:
                proc.stdout.close()
            code = proc.wait()
            if code == 0 and data:
                results.extend(pickle.loads(data))  # noqa: S301 (our own worker)
            else:
                err.seek(0)
                tail = err.read()[-2000:].decode("utf-8", "replace").strip()
                problems.append(f"exit code {code}: {tail.splitlines()[-1] if tail else ''}")
            err.close()
        for t in self._threads:
            t.join()
        if problems:
            raise WorkerError("verification worker failed: " + "; ".join(problems))
        return results

    def close(self) -> None:
        """Stop every worker (after an error in the parent)."""
        self._failure.append(RuntimeError("closed"))
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        for _ in self._threads:  # feeders drain until they see their end marker
            self._queue.put(_DONE)
        for t in self._threads:
            t.join()
        for err in self._errs:
            err.close()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is not None:
            self.close()


def reap(procs: Sequence[tuple[subprocess.Popen[bytes], IO[bytes], Any]],
         threads: Sequence[threading.Thread]) -> None:
    """Join the threads that fed and read the workers, then wait for each worker and
    close its pipes (its stderr file last), so no process or descriptor outlives a run."""
    for t in threads:
        t.join()
    for proc, err, _ in procs:
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        err.close()

def serve(handler: Callable[[Any, Any], Any]) -> None:
    """The worker side: read setup and tasks from stdin, write results to stdout."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    setup = pickle.load(stdin)  # noqa: S301 (from our own parent)
    results = []
    while True:
        try:
            task = pickle.load(stdin)  # noqa: S301
        except EOFError:
            break
        results.append(handler(setup, task))
    pickle.dump(results, stdout, protocol=pickle.HIGHEST_PROTOCOL)
    stdout.flush()


# -- a share of the tasks, the caller working too ----------------------------------


@dataclass(frozen=True)
class TaskFailed:
    """What a worker of :func:`share` sends back when its handler raised: the
    exception's type and where, never its message (which may quote the data)."""

    kind: str
    where: str


def share(module: str, setup: Any, tasks: Sequence[Any], local: Callable[[Any], Any] | None, *,
          workers: int, env: dict[str, str] | None = None,
          block: tuple[str, ...] = ()) -> list[Any]:
    """Every task's result, in task order; the calling thread works through the tasks
    with ``local(task)`` while up to ``workers`` processes running
    ``module.worker_main()`` (which must call :func:`serve_one`) take the others.

    Why the caller works too: it has everything imported already, so on two cores
    one worker doubles the throughput while the worker's start-up (its imports)
    overlaps the caller's first task. Each process takes the next task only when it
    is free (a worker once it has started), so a slow start costs no idle time at
    the end. No worker is started for a single task. With ``local=None`` the workers
    do every task (at least one is started). Nothing a worker writes to
    stderr is passed on (it may quote the data): a failure names the exception's type
    and place, or the worker's exit code. Any failure fails the whole call.
    """
    results: list[Any] = [None] * len(tasks)
    pending = iter(enumerate(tasks))
    lock = threading.Lock()
    failure: list[BaseException] = []
    #: set once the caller has run out of tasks: a worker still starting is not needed
    closing = threading.Event()

    def claim() -> tuple[int, Any] | None:
        with lock:
            return None if failure else next(pending, None)

    def drive(proc: subprocess.Popen[bytes], err: IO[bytes], ready: threading.Event) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        holding = False
        try:
            pickle.load(proc.stdout)  # noqa: S301 (our own worker: "ready", imports done)
            ready.set()
            pickle.dump(setup, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            while (item := claim()) is not None:
                holding = True
                i, task = item
                pickle.dump(task, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                proc.stdin.flush()
                result = pickle.load(proc.stdout)  # noqa: S301
                if isinstance(result, TaskFailed):
                    raise WorkerError(f"worker task failed: {result.kind} at {result.where}")
                results[i] = result
                holding = False
        except BaseException as exc:
            if closing.is_set() and not holding:
                return  # stopped before it took a task: nothing was lost
            if not isinstance(exc, WorkerError):
                proc.poll()
                err.seek(0)
                last = err.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
                kind = last[-1].split(":", 1)[0] if last else ""
                exc = WorkerError(f"worker failed (exit code {proc.returncode}) {kind}".strip())
            with lock:
                failure.append(exc)
        finally:
            with contextlib.suppress(OSError):
                proc.stdin.close()

    n = max(0, min(workers, len(tasks) - 1)) if local is not None else \
        min(max(1, workers), len(tasks))
    procs: list[tuple[subprocess.Popen[bytes], IO[bytes], threading.Event]] = []
    threads: list[threading.Thread] = []
    try:
        for _ in range(n):
            err = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
            proc = subprocess.Popen([sys.executable, "-c", _BOOT, module, *block],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                    env={**os.environ, **(env or {})})
            ready = threading.Event()
            procs.append((proc, err, ready))
            t = threading.Thread(target=drive, args=(proc, err, ready), daemon=True)
            t.start()
            threads.append(t)
        while local is not None and (item := claim()) is not None:
            i, task = item
            try:
                results[i] = local(task)
            except BaseException as exc:
                with lock:
                    failure.append(exc)
                raise
        if local is not None:  # every task is taken: a worker still starting has none
            closing.set()
            for proc, _, ready in procs:
                if not ready.is_set():
                    proc.kill()
    finally:
        if failure:  # stop the workers at once: their results are not wanted
            for proc, _, _ in procs:
                if proc.poll() is None:
                    proc.kill()
        reap(procs, threads)
    if failure:
        raise failure[0]
    return results


def serve_one(handler: Callable[[Any, Any], Any]) -> None:
    """The worker side of :func:`share`: say it is ready, read the setup, then answer
    each task as it comes (``handler(setup, task)``) until stdin closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a library's print() must not corrupt the results
    pickle.dump(None, stdout)
    stdout.flush()
    setup = pickle.load(stdin)  # noqa: S301 (from our own parent)
    while True:
        try:
            task = pickle.load(stdin)  # noqa: S301
        except EOFError:
            return
        try:
            result = handler(setup, task)
        except Exception as exc:  # reported by type and place only (see share)
            tb = exc.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            where = (f"{os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
                     if tb is not None else "?")
            result = TaskFailed(type(exc).__name__, where)
        pickle.dump(result, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()
