"""How fast free-text scrubbing and the verifier's name scan run on distinct text.

``uv run python -m benchmarks.names.speed [--rows 100k]``. The rows are
FOI-like free text in which almost every row is different: both evaluation
corpora's planted and clean records, with a distinct reference number in
each, so nothing is fast only because a column repeats itself (the cost of
the name rules grows with the number of distinct candidates, not of rows).
Times the production entry points, :class:`~pipelines.redaction.scrub.Scrubber`
(every typed identifier and names) and
:func:`~pipelines.redaction.verify_names.scan_column`, after a warm-up that
loads the lexicon and the verifier's model. Prints rows/s with the load
average: the machine is shared, so figures taken under load say so.
"""

from __future__ import annotations

import argparse
import os
import random
import time

import pandas as pd

from benchmarks.extracts import parse_rows
from benchmarks.names import corpus, corpus_other


def distinct_texts(rows: int, seed: int = 31) -> pd.Series:
    """``rows`` FOI-like texts, nearly all distinct (two thirds hold planted names)."""
    rng = random.Random(seed)
    quarter = rows // 4
    texts = [p.text for p in corpus.planted(quarter, seed=seed)]
    texts += [p.text for p in corpus_other.planted(quarter, seed=seed + 1)]
    texts += corpus.clean(quarter, seed=seed + 2)
    texts += corpus_other.clean(rows - 3 * quarter, seed=seed + 3)
    rng.shuffle(texts)
    return pd.Series([f"{t} Ref {rng.randint(10_000, 99_999_999)}." for t in texts],
                     dtype="string")


def measure(rows: int) -> dict:
    from pipelines.redaction import verify_names
    from pipelines.redaction.scrub import Scrubber

    texts = distinct_texts(rows)
    Scrubber().scrub_series(texts.head(200))  # lexicon, model and regexes loaded
    verify_names.scan_column(texts.head(200), [])
    started = time.perf_counter()
    out = Scrubber().scrub_series(texts)
    scrub_s = time.perf_counter() - started
    started = time.perf_counter()
    flagged = verify_names.scan_column(out, [])
    verify_s = time.perf_counter() - started
    return {"rows": rows, "distinct": int(texts.nunique()),
            "scrub_seconds": round(scrub_s, 2), "scrub_rows_per_s": round(rows / scrub_s),
            "verify_seconds": round(verify_s, 2), "verify_rows_per_s": round(rows / verify_s),
            "verify_rows_flagged": len(flagged),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", default="100k")
    args = parser.parse_args(argv)
    r = measure(parse_rows(args.rows))
    print(f"{r['rows']:,} rows ({r['distinct']:,} distinct): scrub {r['scrub_rows_per_s']:,} "
          f"rows/s ({r['scrub_seconds']} s), verifier name scan {r['verify_rows_per_s']:,} "
          f"rows/s ({r['verify_seconds']} s); load average {r['load_average']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
