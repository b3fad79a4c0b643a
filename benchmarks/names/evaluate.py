"""``make eval``: how well free-text scrubbing protects people it has never seen.

Prints (and writes to ``benchmarks/results/eval-names.json``):

* **name-token recall**: the share of planted name words (held-out names) that
  do not survive scrubbing, overall, per origin, per written form and per
  style, on two corpora built differently: :mod:`benchmarks.names.corpus`
  (Faker, Mimesis and hand-listed names in complaints, FOI requests, case
  notes and letters) and :mod:`benchmarks.names.corpus_other` (Census and
  ``nam_dict`` names in logs, minutes, grievances, e-mails, care notes and
  reported speech), so a rule fitted to one shows on the other, and a third,
  :mod:`benchmarks.names.corpus_third` (birth-register and Ukrainian names in
  repair logs, ombudsman decisions, MPs' letters, chat, witness statements,
  appeals, transcripts and court reports; clean text full of towns, streets,
  organisations and events named after people), written after both and never
  tuned on; a fourth and a fifth, :mod:`benchmarks.names.corpus_fourth` and
  :mod:`benchmarks.names.corpus_fifth`, written blind and frozen before they
  were first scored (both were tuned on afterwards), and a sixth,
  :mod:`benchmarks.names.corpus_sixth`, written and frozen the same way and
  scored blind before any change: the honest measure, of which only the
  aggregate figures are printed or stored (no examples, no per-group recall),
  so that nobody tunes on it by reading them; and a seventh,
  :mod:`benchmarks.names.corpus_seventh` (Home Office-style case notes,
  interviews, custody logs, e-mail threads and chat with transliterated and
  English-word names), frozen and scored before the scrubber changes of
  session 12; and an eighth, :mod:`benchmarks.names.corpus_eighth` (clinic
  letters, ward handovers, employment tribunals, court registers, written
  parliamentary questions, SEND reviews, strategy meetings, helpline calls,
  housing panels and OCR'd letters with hard line breaks; names of nineteen
  origins written for it from no package), frozen and scored blind before the
  scrubber changes of session 13;
* **over-redaction**: the share of the clean corpus's words that scrubbing
  removed;
* **typed identifiers**: recall per type on ``tests/fixtures/redaction/corpus.json``;
* **the verifier**: how many scrubbed records that still hold a planted name
  it blocks, and how many clean records it blocks (false alarms).

Targets: recall >= 99.5 %, over-redaction <= 2 %, typed identifiers 100 %.
Figures are reported, met or not; nothing here tunes anything.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from benchmarks.names import (
    corpus,
    corpus_eighth,
    corpus_fifth,
    corpus_fourth,
    corpus_other,
    corpus_seventh,
    corpus_sixth,
    corpus_third,
)

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
TYPED = ROOT / "tests" / "fixtures" / "redaction" / "corpus.json"
RECALL_TARGET = 0.995
OVER_TARGET = 0.02
console = Console(width=120)


def _survives(token: str, text: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(token)}(?![^\W_])", text) is not None


def _scrub(texts: list[str]) -> list[str]:
    from pipelines.redaction.scrub import Scrubber

    return Scrubber().scrub_series(pd.Series(texts, dtype="string")).tolist()


def _verifier_flags(texts: list[str]) -> dict[int, tuple[str, str]]:
    """{0-based row: (finding, candidate)} for the rows the verifier's name checks block:
    its rule scan, then the statistical model on the rows the rules pass (as the gate)."""
    from pipelines.redaction import ner, verify_names

    found = verify_names.suspects(pd.Series(texts, dtype="string"), [])
    rest = [i for i in range(len(texts)) if i not in found]
    for k, span in ner.flagged([texts[i] for i in rest]).items():
        found[rest[k]] = (ner.FINDING, span)
    return found


#: {key in the result: (corpus module, aggregates only)}, in the order they are run.
CORPORA = {
    "first": (corpus, False), "other": (corpus_other, False), "third": (corpus_third, False),
    "fourth": (corpus_fourth, False), "fifth": (corpus_fifth, False),
    "seventh": (corpus_seventh, False), "eighth": (corpus_eighth, False),
    "sixth": (corpus_sixth, True),
}


def evaluate(n_planted: int, n_clean: int, only: list[str] | None = None) -> dict:
    """The corpora named in ``only`` (all by default): the first's figures at the top
    level, each other's under its key in :data:`CORPORA` (the blind sixth's: aggregates
    only)."""
    started = time.perf_counter()
    out: dict = {}
    for key, (module, blind) in CORPORA.items():
        if only is not None and key not in only:
            continue
        r = _measure(module.planted(n_planted), module.clean(n_clean))
        r = _blind(r) if blind else r
        if key == "first":
            out = r | out
        else:
            out[key] = r
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return out


def _measure(planted: list, clean: list[str]) -> dict:
    out = _scrub([p.text for p in planted])
    total: Counter[str] = Counter()
    leaked: Counter[str] = Counter()
    leaked_rows = set()
    for i, (rec, text) in enumerate(zip(planted, out, strict=True)):
        for token, origin, form in rec.tokens:
            keys = ("all", f"origin:{origin}", f"form:{form}", f"style:{rec.style}")
            total.update(keys)
            if _survives(token, text):
                leaked.update(keys)
                leaked_rows.add(i)
    clean_out = _scrub(clean)
    words = sum(len(t.split()) for t in clean)
    kept = sum(len(t.split()) - t.count("[NAME]") for t in clean_out)
    removed = words - kept
    typed = json.loads(TYPED.read_text(encoding="utf-8"))["planted"]
    typed_out = _scrub([c["text"] for c in typed])
    typed_total: Counter[str] = Counter()
    typed_found: Counter[str] = Counter()
    for case, text in zip(typed, typed_out, strict=True):
        typed_total[case["type"]] += 1
        if case["secret"].lower() not in text.lower():
            typed_found[case["type"]] += 1
    verifier = None
    try:
        flagged = _verifier_flags(out)
        clean_flagged = _verifier_flags(clean_out)
        verifier = {
            "records_with_a_leak": len(leaked_rows),
            "of_which_blocked": len(leaked_rows & set(flagged)),
            "clean_records": len(clean_out),
            "clean_records_blocked": len(clean_flagged),
            # what a statistician releasing the clean corpus would have to look at and
            # declare in allow_terms: the distinct candidates behind the false alarms
            "clean_distinct_candidates": len({c for _, c in clean_flagged.values()}),
            "scrubbed_planted_records_blocked": len(flagged),
        }
    except ImportError:
        pass
    recall = {k: 1 - leaked[k] / total[k] for k in total}
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "planted_records": len(planted), "planted_name_tokens": total["all"],
        "leaked_name_tokens": leaked["all"], "name_token_recall": recall["all"],
        "recall_target": RECALL_TARGET, "meets_recall": recall["all"] >= RECALL_TARGET,
        "clean_records": len(clean), "clean_words": words, "clean_words_removed": removed,
        "over_redaction": removed / words, "over_redaction_target": OVER_TARGET,
        "meets_over_redaction": removed / words <= OVER_TARGET,
        "recall_by": {k: {"tokens": total[k], "leaked": leaked[k], "recall": recall[k]}
                      for k in sorted(total) if k != "all"},
        "typed_identifiers": {t: {"planted": typed_total[t], "removed": typed_found[t]}
                              for t in sorted(typed_total)},
        "typed_recall": sum(typed_found.values()) / sum(typed_total.values()),
        "verifier": verifier,
        "examples_leaked": _leak_examples(planted, out),
        "examples_over_redacted": [t for t in clean_out if "[NAME]" in t][:15],
    }


def _blind(r: dict) -> dict:
    """The figures of a corpus kept blind: totals only, nothing that shows which
    names or words the detectors miss (a rule written after reading those would
    make it one more tuned corpus)."""
    return {k: v for k, v in r.items()
            if k not in ("recall_by", "examples_leaked", "examples_over_redacted")}


def _leak_examples(planted: list, out: list[str], k: int = 15) -> list[str]:
    """Scrubbed texts that still hold a planted name (synthetic names: safe to print)."""
    found = []
    for rec, text in zip(planted, out, strict=True):
        if any(_survives(t, text) for t, _, _ in rec.tokens):
            found.append(text)
        if len(found) >= k:
            break
    return found


TITLES = {
    "first": "first corpus: complaints, FOI, case notes, letters",
    "other": "second corpus: logs, minutes, grievances, e-mails, care notes, speech",
    "third": "third corpus: repairs, ombudsman, MPs, chat, statements, appeals, "
             "transcripts, court reports",
    "fourth": "fourth corpus, written blind and frozen before it was scored "
              "(tuned on afterwards): referrals, letters, tribunals, PALS, appeals, "
              "objections, probation, voicemail, accident book, rotas, forms, e-mail",
    "fifth": "fifth corpus, written blind and frozen before it was scored: "
             "appeals, coroner, licensing, HR, homelessness, incidents, MPs, GPs, "
             "registrars, chronologies, FOI reviews, minutes, calls, "
             "texts, letters (tuned on since 3 December 2026)",
    "seventh": "seventh corpus, Home Office style, frozen and scored before the "
               "session-12 changes: case notes, interviews, custody logs, e-mail, chat, "
               "detention, NRM, appeals, matching records",
    "eighth": "eighth corpus, frozen and scored blind before the session-13 changes: "
              "clinic letters, ward handovers, tribunals, court registers, written "
              "questions, SEND reviews, strategy meetings, helpline calls, housing "
              "panels, OCR'd letters",
    "sixth": "sixth corpus, written blind and frozen, scored before any change "
             "(the honest measure; totals only): custody, tribunals, adoption panels, "
             "moderation, voicemail, OCR'd forms, tables, e-mail threads",
}


def show(r: dict, verbose: bool = False) -> None:
    for key, (_, blind) in CORPORA.items():
        part = r if key == "first" else r.get(key)
        if part and "name_token_recall" in part:
            _show(part, TITLES[key], verbose and not blind)


def _show(r: dict, title: str, verbose: bool) -> None:
    t = Table(title=f"Person names in free text (held-out names), {title}", show_lines=False)
    for col in ("measure", "value", "target", "met"):
        t.add_column(col)
    t.add_row("name-token recall", f"{r['name_token_recall']:.2%} "
              f"({r['leaked_name_tokens']} of {r['planted_name_tokens']} leaked)",
              f">= {RECALL_TARGET:.1%}", "yes" if r["meets_recall"] else "NO")
    t.add_row("over-redaction (clean words removed)",
              f"{r['over_redaction']:.2%} ({r['clean_words_removed']} of {r['clean_words']})",
              f"<= {OVER_TARGET:.0%}", "yes" if r["meets_over_redaction"] else "NO")
    t.add_row("typed identifiers recall", f"{r['typed_recall']:.1%}", "100%",
              "yes" if r["typed_recall"] == 1 else "NO")
    v = r.get("verifier")
    if v:
        t.add_row("verifier: leaking records blocked",
                  f"{v['of_which_blocked']} of {v['records_with_a_leak']}", "all", "")
        t.add_row("verifier: clean records blocked (false alarms)",
                  f"{v['clean_records_blocked']} of {v['clean_records']} "
                  f"({v['clean_distinct_candidates']} distinct terms to allow)", "few", "")
    console.print(t)
    if "recall_by" not in r:
        return
    by = Table(title="Recall by origin, form and style")
    for col in ("group", "tokens", "leaked", "recall"):
        by.add_column(col)
    groups: dict[str, list] = defaultdict(list)
    for k, v2 in r["recall_by"].items():
        groups[k.split(":")[0]].append((k, v2))
    for _, rows in sorted(groups.items()):
        for k, v2 in rows:
            by.add_row(k, str(v2["tokens"]), str(v2["leaked"]), f"{v2['recall']:.2%}")
    console.print(by)
    if verbose:
        console.print("[bold]examples still holding a planted name[/]")
        for e in r["examples_leaked"]:
            console.print("  " + e.replace("\n", " / "))
        console.print("[bold]clean examples with something removed[/]")
        for e in r["examples_over_redacted"]:
            console.print("  " + e)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--planted", type=int, default=2400)
    parser.add_argument("--clean", type=int, default=1200)
    parser.add_argument("-v", "--verbose", action="store_true", help="print examples")
    parser.add_argument("--corpora", default=",".join(CORPORA),
                        help=f"comma-separated, of {', '.join(CORPORA)} (default: all)")
    args = parser.parse_args(argv)
    only = args.corpora.split(",")
    if unknown := set(only) - set(CORPORA):
        parser.error(f"unknown corpora: {', '.join(sorted(unknown))}")
    r = evaluate(args.planted, args.clean, only)
    show(r, args.verbose)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "eval-names.json").write_text(json.dumps(r, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
