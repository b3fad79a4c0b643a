"""Benchmark plug-ins, one module per stage, each exposing ``run(rows, workdir) -> list[dict]``."""
