"""Time and peak memory of a piece of work, for the benchmark table.

Peak memory is the highest resident set size seen while the work ran, minus
the size before it started, sampled every few milliseconds on a thread: what
the machine actually had to provide, including memory held by C extensions
that tracemalloc cannot see.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psutil


@dataclass
class Measurement:
    seconds: float
    peak_mb: float
    result: Any = None
    #: CPU seconds of this process meanwhile (on a loaded machine, less than ``seconds``)
    cpu_seconds: float = 0.0


def measure(fn: Callable[[], Any], interval: float = 0.005) -> Measurement:
    proc = psutil.Process()
    baseline = proc.memory_info().rss
    peak = baseline
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, proc.memory_info().rss)
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        result = fn()
    finally:
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        done.set()
        sampler.join()
    peak = max(peak, proc.memory_info().rss)
    return Measurement(seconds=seconds, peak_mb=(peak - baseline) / 2**20, result=result,
                       cpu_seconds=cpu)
