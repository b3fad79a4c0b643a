"""Redaction of a record table's frames on every core, written in frame order.

The field rules read one record at a time (:mod:`pipelines.redaction.fields`), so
each frame of the source can be redacted in any process. The calling process
reads the frames (a couple ahead), redacts some itself and hands the others to
worker processes (fresh interpreters importing only this module and what it
uses, as the verifiers' workers do: :mod:`pipelines.convert.workers`); whichever
process is free takes the next frame read. A worker sends back only the new
values of the fields the rules change; this process puts each frame together from
its own copy (Arrow lays out a column that went through a pipe differently, and
the stored bytes would show it). Results come back in frame order, and the frames'
reports are added up in that order (:func:`~pipelines.redaction.fields.add_report`):
the stored table and the report are byte for byte what one process redacting the
frames in turn gives (unit-tested with scrub, pseudonym, generalise and conditional
rules). Memory stays at a few frames whatever the size of the table:
frames are read only while fewer than ``ahead`` wait and fewer than
``ahead + workers + 1`` are unwritten.

A frame a rule refuses (a field missing, no key for a pseudonym) comes back as its
value-free problems, reported for the first such frame in frame order, as the
serial pass would. Any other failure of a worker fails the run, named by the
exception's type and place only (its message may quote the data).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import pandas as pd

from pipelines.convert.workers import _BOOT, TaskFailed, WorkerError, reap, serve_one
from pipelines.errors import FivestarError
from pipelines.redaction.fields import FieldRedactor, add_report

#: What a frame's redaction gives back: ("ok", the changed fields' new values, the
#: frame's report) or ("refused", the rule's problems, None).
Outcome = tuple[str, Any, Any]


def workers() -> int:
    """Worker processes besides the caller: ``FIVESTAR_REDACT_WORKERS`` (processes in
    all) less one, or one per CPU but one."""
    env = os.environ.get("FIVESTAR_REDACT_WORKERS")
    total = max(1, int(env)) if env and env.isdigit() else max(1, os.cpu_count() or 1)
    return total - 1


def _outcome(fields: FieldRedactor, df: pd.DataFrame) -> Outcome:
    try:
        changed, part = fields.changes(df)
    except FivestarError as exc:  # the rules' own problems name fields, never values
        return ("refused", exc.problems, None)
    return ("ok", changed, part)


def redact(frames: Iterable[pd.DataFrame], fields: FieldRedactor, *,
           processes: int | None = None, caller: bool = True,
           ) -> Iterator[tuple[pd.Index, pd.DataFrame | FivestarError]]:
    """Each frame redacted, in frame order, as ``(its index, the redacted frame)``, or
    ``(its index, the error)`` for a frame the rules refuse (the caller raises it, so
    no later frame is written). ``fields.report`` has every yielded frame's counts.
    ``processes``: worker processes besides this one (default :func:`workers`);
    ``caller=False``: the workers redact every frame (this process only reads and
    writes), as the tests need to be sure a worker's frames are compared."""
    n = workers() if processes is None else processes
    results: Iterable[tuple[pd.DataFrame, Outcome]]
    if n == 0:
        results = ((df, _outcome(fields, df)) for df in frames)
    else:
        results = _Stream(__name__, (fields.spec, fields.key), n).run(
            frames, (lambda df: _outcome(fields, df)) if caller else None)
    with contextlib.closing(iter(results)) as outcomes:
        for df, (kind, value, part) in outcomes:
            if kind == "refused":
                yield df.index, FivestarError(list(value))
                return
            add_report(fields.report, part)
            yield df.index, fields.assemble(df, value)


class _Stream:
    """``n`` worker processes and the calling thread working through tasks read lazily,
    results given back in task order (see the module's docstring)."""

    def __init__(self, module: str, setup: Any, n: int, ahead: int | None = None) -> None:
        self.module, self.setup, self.n = module, setup, n
        self.ahead = ahead or n + 1  # one for the caller to take, one waiting per worker
        self.cond = threading.Condition()
        self.queue: deque[tuple[int, Any]] = deque()
        self.results: dict[int, Any] = {}
        self.failure: list[BaseException] = []
        self.read_all = False
        self.closing = threading.Event()  # every task is taken: a worker still starting has none

    def run(self, tasks: Iterable[Any], local: Callable[[Any], Any] | None) -> Iterator[Any]:
        """Every ``(task, its result)`` in task order; ``local=None``: only the workers
        work. Each task is held here until its result is given back."""
        procs: list[tuple[subprocess.Popen[bytes], IO[bytes], threading.Event]] = []
        threads: list[threading.Thread] = []
        finished = False
        try:
            for _ in range(self.n):
                err = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
                proc = subprocess.Popen([sys.executable, "-c", _BOOT, self.module],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=err, env=dict(os.environ))
                ready = threading.Event()
                procs.append((proc, err, ready))
                t = threading.Thread(target=self._drive, args=(proc, err, ready), daemon=True)
                t.start()
                threads.append(t)
            yield from self._serve(iter(tasks), local, procs)
            finished = True
        finally:
            with self.cond:
                self.read_all = True
                if not finished:
                    self.failure.append(RuntimeError("closed"))
                self.cond.notify_all()
            self.closing.set()
            for proc, _, ready in procs:  # after a failure or an early close nothing is
                if (not finished or not ready.is_set()) and proc.poll() is None:  # wanted
                    proc.kill()
            reap(procs, threads)

    def _serve(self, tasks: Iterator[Any], local: Callable[[Any], Any] | None,
               procs: list[tuple[subprocess.Popen[bytes], IO[bytes], threading.Event]],
               ) -> Iterator[Any]:
        cond, end = self.cond, object()
        read = written = 0

        def may_read() -> bool:  # under the lock
            return (not self.read_all and len(self.queue) < self.ahead
                    and read - written < self.ahead + self.n + 1)

        def moved() -> bool:  # under the lock: something for this thread to do
            return written in self.results or bool(self.failure) or may_read()

        while True:
            with cond:
                if self.failure:
                    raise self.failure[0]
                result = self.results.pop(written, end)
                reading = may_read()
                item = self.queue.popleft() if (
                    result is end and not reading and self.queue and local is not None) else None
                done = self.read_all and not self.queue
            if result is not end:
                yield result
                written += 1
            elif reading:
                task = next(tasks, end)
                with cond:
                    if task is end:
                        self.read_all = True
                    else:
                        self.queue.append((read, task))
                        read += 1
                    cond.notify_all()
            elif item is not None:
                assert local is not None
                outcome = local(item[1])
                with cond:
                    self.results[item[0]] = (item[1], outcome)
            elif done and written == read:
                return
            else:
                if done:  # every task is taken: a worker still starting is not needed
                    self.closing.set()
                    for proc, _, ready in procs:
                        if not ready.is_set() and proc.poll() is None:
                            proc.kill()
                with cond:  # the next result to write is a worker's
                    cond.wait_for(moved)

    def _drive(self, proc: subprocess.Popen[bytes], err: IO[bytes],
               ready: threading.Event) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        cond, holding = self.cond, False
        try:
            pickle.load(proc.stdout)  # noqa: S301 (our own worker: "ready", imports done)
            ready.set()
            pickle.dump(self.setup, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            while True:
                with cond:
                    cond.wait_for(lambda: bool(self.queue or self.read_all or self.failure))
                    if self.failure or not self.queue:
                        return
                    i, task = self.queue.popleft()
                    holding = True
                    cond.notify_all()
                pickle.dump(task, proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                proc.stdin.flush()
                result = pickle.load(proc.stdout)  # noqa: S301
                if isinstance(result, TaskFailed):
                    raise WorkerError(f"redaction worker failed: {result.kind} at "
                                      f"{result.where}")
                with cond:
                    self.results[i] = (task, result)
                    holding = False
                    cond.notify_all()
        except BaseException as exc:
            if self.closing.is_set() and not holding:
                return  # stopped before it took a task, or after the last: nothing was lost
            if not isinstance(exc, WorkerError):
                proc.poll()
                err.seek(0)
                last = err.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
                kind = last[-1].split(":", 1)[0] if last else ""
                exc = WorkerError(f"redaction worker failed (exit code {proc.returncode}) "
                                  f"{kind}".strip())
            with cond:
                self.failure.append(exc)
                cond.notify_all()
        finally:
            with contextlib.suppress(OSError):
                proc.stdin.close()


_redactor: FieldRedactor | None = None


def _handle(setup: tuple[Any, bytes | None], df: pd.DataFrame) -> Outcome:
    global _redactor  # one per worker: its allow-list is built once
    if _redactor is None:
        spec, key = setup
        _redactor = FieldRedactor(spec, key)
    return _outcome(_redactor, df)


def worker_main() -> None:
    """Entry point of a worker process (see :mod:`pipelines.convert.workers`)."""
    serve_one(_handle)
