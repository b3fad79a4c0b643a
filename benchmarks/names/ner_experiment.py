"""The statistical NER experiment (issue 9): where does the small spaCy model help?

``make eval-ner`` (``python -m benchmarks.names.ner_experiment --corpus fourth``).
The model is :mod:`pipelines.redaction.ner`'s (trained by ``make setup``).
:func:`measure` scores one evaluation corpus three ways and prints only
aggregate figures (never a text, a name or a leak): the scrubber with the
verifier's rule scan alone (``shipped``: what shipped before the model joined
the verifier); the rule scan with the model as a second opinion (a record is
blocked if the model reads a person in its scrubbed text that the allow-lists
do not explain: what the ``redaction_verified`` gate now does, in ``allow``
mode); and the scrubber with the model as an extra detector (what it reads as
a person becomes ``[NAME]``: measured, not used). The README says what was
found.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence

import pandas as pd

from pipelines.redaction.ner import (
    Explainer,
    model,
    model_dir,
    persons,
    train,
    unexplained,
)

MODES = ("allow", "context")


def replace_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with every span replaced by ``[NAME]`` (spans do not overlap)."""
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + "[NAME]" + text[b:]
    return text


def measure(corpus: str) -> dict:
    """Aggregate figures of the three set-ups on one corpus (see the module docstring)."""
    from benchmarks.names import corpus_fifth, corpus_fourth, corpus_sixth
    from benchmarks.names import evaluate as ev
    from pipelines.redaction import verify_names

    mod = {"fourth": corpus_fourth, "fifth": corpus_fifth, "sixth": corpus_sixth}[corpus]
    planted, clean = mod.planted(2400), mod.clean(1200)
    nlp = model()

    def leaks(out: list[str]) -> tuple[int, int, set[int]]:
        total = leaked = 0
        rows = set()
        for i, (rec, text) in enumerate(zip(planted, out, strict=True)):
            for token, _, _ in rec.tokens:
                total += 1
                if ev._survives(token, text):
                    leaked += 1
                    rows.add(i)
        return total, leaked, rows

    def removed(out: list[str]) -> int:
        return sum(len(t.split()) for t in clean) - sum(
            len(t.split()) - t.count("[NAME]") for t in out)

    def blocked(out: list[str]) -> set[int]:
        return set(verify_names.suspects(pd.Series(out, dtype="string"), []))

    words = sum(len(t.split()) for t in clean)
    out, clean_out = ev._scrub([p.text for p in planted]), ev._scrub(clean)
    total, leaked, rows = leaks(out)
    base_p, base_c = blocked(out), blocked(clean_out)
    started, cpu = time.perf_counter(), time.process_time()
    sp_p, sp_c = persons(out, nlp), persons(clean_out, nlp)
    ner_s = (time.perf_counter() - started, time.process_time() - cpu)
    r: dict = {"corpus": corpus, "records": len(out) + len(clean_out),
               "ner_seconds": round(ner_s[0], 2), "ner_cpu_seconds": round(ner_s[1], 2),
               "shipped": {"recall": 1 - leaked / total, "leaked": leaked, "tokens": total,
                           "over_redaction": removed(clean_out) / words,
                           "leaking_records": len(rows), "blocked": len(rows & base_p),
                           "false_alarms": len(base_c)}}
    for mode in MODES:
        explain = Explainer(mode)
        un_p = unexplained(out, sp_p, explain)
        un_c = unexplained(clean_out, sp_c, explain)
        ner_p = {i for i, s in enumerate(un_p) if s}
        ner_c = {i for i, s in enumerate(un_c) if s}
        r[f"verifier+ner:{mode}"] = {"blocked": len(rows & (base_p | ner_p)),
                                     "false_alarms": len(base_c | ner_c),
                                     "ner_alone_blocked": len(rows & ner_p),
                                     "ner_alone_false_alarms": len(ner_c)}
        out2 = [replace_spans(t, s) for t, s in zip(out, un_p, strict=True)]
        clean2 = [replace_spans(t, s) for t, s in zip(clean_out, un_c, strict=True)]
        total2, leaked2, rows2 = leaks(out2)
        r[f"scrubber+ner:{mode}"] = {"recall": 1 - leaked2 / total2, "leaked": leaked2,
                                     "over_redaction": removed(clean2) / words,
                                     "leaking_records": len(rows2),
                                     "blocked": len(rows2 & blocked(out2)),
                                     "false_alarms": len(blocked(clean2))}
    r["load_average"] = [round(x, 2) for x in os.getloadavg()]
    r["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", choices=("fourth", "fifth", "sixth"), default="fourth")
    args = parser.parse_args(argv)
    started, cpu = time.perf_counter(), time.process_time()
    if not model_dir().exists():
        train(model_dir())
        print(f"ner: trained {model_dir()} in {time.perf_counter() - started:.0f} s "
              f"({time.process_time() - cpu:.0f} s CPU)")
    print(json.dumps(measure(args.corpus), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
