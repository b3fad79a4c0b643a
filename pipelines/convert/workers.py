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
from collections.abc import Callable
from typing import IO, Any

_DONE = object()

#: A worker's first lines: block the modules named after ``sys.argv[1]`` (importing
#: one raises ImportError), register each parent package of ``sys.argv[1]`` bare (its
#: search path only, its ``__init__`` not run), import the module, run its worker_main.
_BOOT = """
import importlib, importlib.util, sys, types
module = sys.argv[1]
blocked = set(sys.argv[2:])
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"{name} is not imported by this worker", name=name)
sys.meta_path.insert(0, Block())
parts = module.split(".")
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
