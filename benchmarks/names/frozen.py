"""The frozen file of a blind corpus: read once, rebuilt byte for byte.

The fourth, fifth and sixth corpora are committed as gzip JSON before they
are first scored, so that nobody can change them after seeing their figures.
They share this one format (sorted keys, no gzip timestamp), so anyone can
rebuild a corpus from its named wheels and check it is byte-identical to the
committed file.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@cache
def load(path: Path) -> dict:
    """The committed corpus at ``path`` (read once per process)."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def planted(path: Path, make: Callable[[str, str, list[tuple]], T], n: int) -> list[T]:
    """The first ``n`` committed planted records of the corpus at ``path``, each made
    by ``make(style, text, tokens)`` (the corpus module's own record class)."""
    return [make(r["style"], r["text"], [tuple(t) for t in r["tokens"]])
            for r in load(path)["planted"][:n]]


def clean(path: Path, n: int) -> list[str]:
    """The first ``n`` committed clean records of the corpus at ``path``."""
    return list(load(path)["clean"][:n])


def rebuild(path: Path, build: Callable[[Path], dict], argv: list[str] | None, *,
            description: str, source_help: str) -> int:
    """The ``--build SOURCE`` command: write the corpus ``build`` makes, and print its hash."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--build", type=Path, required=True, help=source_help)
    args = parser.parse_args(argv)
    write(path, build(args.build))
    return 0


def rebuild_from_code(path: Path, build: Callable[[], dict], argv: list[str] | None, *,
                      description: str) -> int:
    """The ``--build`` command of a corpus whose names are written in its own module
    (no wheel to read them from)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--build", action="store_true", required=True)
    parser.parse_args(argv)
    write(path, build())
    return 0


def write(path: Path, data: dict) -> None:
    """Write ``data`` in the one frozen format (sorted keys, no gzip timestamp) and print
    its hash, to compare with the committed file's."""
    raw = json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True).encode()
    path.write_bytes(gzip.compress(raw, mtime=0))
    print(f"{path.name}: {len(data['planted'])} planted, {len(data['clean'])} clean, "
          f"sha256 {hashlib.sha256(raw).hexdigest()[:16]}")
