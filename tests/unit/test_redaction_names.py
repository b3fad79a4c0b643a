"""Person names in free text: held-out names never reach a public file; the verifier blocks.

Every name planted here comes from the held-out split
(:mod:`pipelines.redaction.holdout`), which no list the scrubber or the
verifier uses contains, so these tests see what unseen data would.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.names import corpus
from fivestar_dev import synthetic_conversion as T
from pipelines.convert import convert
from pipelines.redaction import redact, verify
from pipelines.redaction.holdout import fold, held_out
from pipelines.redaction.lexicon import load as load_lexicon
from pipelines.spec import DatasetSpec
from pipelines.spec.redaction import RedactionRules

NAMES = corpus.held_out_names()
FIRST = sorted({n for o in NAMES.values() for n in o["first"] if len(fold(n)) >= 3})
LAST = sorted({n for o in NAMES.values() for n in o["last"] if len(fold(n)) >= 3})
DIACRITIC = [n for n in FIRST + LAST if n != n.encode("ascii", "ignore").decode()]

#: Person contexts the promise covers: a name after a relation, a title, a greeting,
#: before a speech verb, in a sign-off, as a third party.
CONTEXTS = [
    "I am writing about the detention of her brother {full} at the port.",
    "Complaint from {full} about the delay; nobody answered.",
    "Spoke to Mr {last} by phone about the appeal.",
    "Dear {full}, thank you for your letter.",
    "Case note: {full} said the landlord changed the locks.",
    "Yours sincerely, {full}",
    "My son {first} was refused entry on 3 May.",
    "Please send all emails about {full} since 2021.",
    "The caseworker, Dr {last}, did not reply.",
    "MY DAUGHTER {caps} WAS DETAINED",
]
FILLER = ["The office in Leeds closed early.", "Please provide the figures for 2023.",
          "We received 1,024 requests in May.", "The Home Office replied within 20 days."]


def _person(draw) -> tuple[str, str, list[str]]:
    """(first, last, tokens) with apostrophes, hyphens, diacritics and Gaelic forms mixed in."""
    first = draw(st.sampled_from(FIRST + DIACRITIC))
    last = draw(st.sampled_from(LAST))
    shape = draw(st.sampled_from(["plain", "o-apostrophe", "al-hyphen", "double", "ni"]))
    if shape == "o-apostrophe":
        last = f"O'{last}"
    elif shape == "al-hyphen":
        last = f"Al-{last}"
    elif shape == "double":
        last = f"{last}-{draw(st.sampled_from(LAST))}"
    elif shape == "ni":
        last = f"Ní {last}"
    return first, last, [first, *last.split(" ")]


@st.composite
def planted_texts(draw) -> tuple[str, list[str]]:
    first, last, tokens = _person(draw)
    template = draw(st.sampled_from(CONTEXTS))
    full = f"{first} {last}"
    text = template.format(full=full, last=last, first=first, caps=full.upper())
    if "{caps}" in template:
        tokens = [t.upper() for t in tokens]
    elif "{first}" in template:
        tokens = [first]
    elif "{full}" not in template:
        tokens = last.split(" ")
    before = draw(st.sampled_from(FILLER))
    after = draw(st.sampled_from(FILLER))
    # name particles on their own ("de", "van", "Ní") identify nobody
    tokens = [t for t in tokens if fold(t) not in ("ni", "o", "al") and not (
        t.islower() and len(t) <= 3)]
    return f"{before} {text} {after}", tokens


def _spec_scrubbing_description() -> DatasetSpec:
    spec = T.records_spec()
    return spec.model_copy(update={"redaction": RedactionRules.model_validate({"fields": {
        "description": {"rule": "scrub"},
        "transaction_id": {"rule": "keep", "reason": "reference"},
        "supplier_name": {"rule": "keep", "reason": "organisations"},
        "supplier_postcode": {"rule": "keep", "reason": "postcode districts"},
    }})})


def _public_text(out: Path) -> str:
    """Every public text file, gzip ones (the N-Triples) decompressed."""
    texts = []
    for p in sorted(out.rglob("*")):
        name = p.name.removesuffix(".gz")
        if p.is_file() and Path(name).suffix in (".csv", ".ttl", ".nt", ".jsonld", ".json"):
            data = p.read_bytes()
            texts.append((gzip.decompress(data) if p.suffix == ".gz" else data)
                         .decode("utf-8", errors="replace"))
    return "\n".join(texts)


def _survives(token: str, text: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(token)}(?![^\W_])", text) is not None


def test_planted_names_are_all_held_out_and_unknown_to_the_gazetteer():
    lex = load_lexicon()
    assert FIRST and LAST and DIACRITIC
    for name in FIRST + LAST:
        assert held_out(name)
        assert fold(name) not in lex.first_names | lex.surnames


def test_evaluation_corpus_has_four_styles_and_2000_records():
    records = corpus.planted(2000)
    assert len(records) == 2000
    assert {r.style for r in records} == {"complaint", "foi", "case note", "correspondence"}
    assert all(r.tokens for r in records)
    assert len({o for r in records for _, o, _ in r.tokens}) >= 12  # many origins
    assert len(corpus.clean(300)) == 300


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(planted_texts(), min_size=12, max_size=12))
def test_held_out_names_never_reach_a_public_file(batch, tmp_path_factory):
    """Names nobody tuned on, in person contexts: gone from CSV, N-Triples, Turtle, JSON-LD."""
    spec = _spec_scrubbing_description()
    df = T.records_frame(len(batch))
    df["description"] = pd.array([t for t, _ in batch], dtype="string")
    result = redact(df, spec, None)
    problems = verify(result.df, spec)
    assert problems == [], [result.df["description"].iloc[p.location.row - 1] for p in problems]
    out = tmp_path_factory.mktemp("release")
    convert(result.df, spec, out, T.PROVENANCE)
    public = _public_text(out)
    assert any(out.rglob("*.nt.gz")) and any(out.rglob("*.ttl")) and any(out.rglob("*.csv"))
    baseline = _baseline_public_text(spec, len(batch), tmp_path_factory)
    for text, tokens in batch:
        for token in tokens:
            if _survives(token, baseline):
                continue  # a word the files hold anyway ("Agent" is a PROV class)
            assert not _survives(token, public), f"a planted name survived in: {text!r}"


def _baseline_public_text(spec: DatasetSpec, n: int, tmp_path_factory) -> str:
    """The public files of the same release with no free text at all."""
    df = T.records_frame(n)
    df["description"] = pd.array(["x"] * n, dtype="string")
    out = tmp_path_factory.mktemp("baseline")
    convert(redact(df, spec, None).df, spec, out, T.PROVENANCE)
    return _public_text(out)


def test_verifier_blocks_a_spec_that_scrubs_only_typed_identifiers():
    """Names in a field scrubbed for emails and phones only: blocked, row and field named."""
    spec = T.records_spec()
    spec = spec.model_copy(update={"redaction": RedactionRules.model_validate({"fields": {
        "description": {"rule": "scrub", "types": ["EMAIL", "PHONE"]},
        "transaction_id": {"rule": "keep", "reason": "reference"},
        "supplier_name": {"rule": "keep", "reason": "organisations"},
        "supplier_postcode": {"rule": "keep", "reason": "postcode districts"},
    }})})
    df = T.records_frame(4)
    secret = f"{FIRST[7]} {LAST[11]}"
    df["description"] = pd.array([
        "Office chairs for the Leeds site.",
        f"Refund to her brother {secret}, email x@example.com.",
        "Consultancy, phase 2.",
        f"Interpreting for {secret} at the hearing.",
    ], dtype="string")
    result = redact(df, spec, None)
    problems = [p for p in verify(result.df, spec) if p.code == "personal-data-name"]
    assert {(p.location.row, p.location.field) for p in problems} == {(2, "description"),
                                                                       (4, "description")}
    for p in problems:  # never the value
        assert FIRST[7] not in str(p) and LAST[11] not in str(p)


def test_allow_terms_release_a_legitimate_proper_noun():
    spec = T.records_spec()
    rules = {"fields": {"description": {"rule": "scrub"},
                        "transaction_id": {"rule": "keep", "reason": "reference"},
                        "supplier_name": {"rule": "keep", "reason": "organisations"},
                        "supplier_postcode": {"rule": "keep", "reason": "districts"}}}
    df = T.records_frame(2)
    df["description"] = pd.array(["Cleaning at Quarrendon Depot for Yelvertoft Trust.",
                                  "Office chairs."], dtype="string")
    plain = redact(df, spec.model_copy(update={"redaction": RedactionRules.model_validate(rules)}),
                   None)
    assert "[NAME]" in plain.df["description"].iloc[0]
    allowed = spec.model_copy(update={"redaction": RedactionRules.model_validate({
        **rules, "allow_terms": ["Quarrendon Depot", "Yelvertoft Trust"]})})
    kept = redact(df, allowed, None)
    assert kept.df["description"].iloc[0] == df["description"].iloc[0]
    assert verify(kept.df, allowed) == []
    report = kept.report.fields["description"]
    assert report.proper_nouns_kept["dataset allow_terms or schema enum"] >= 1


@pytest.mark.parametrize(("text", "expected"), [
    ("I am writing about her brother Kwabena Asante.", "I am writing about her brother [NAME]."),
    ("Mr O'Brien and Dr Ní Bhriain attended.", "Mr [NAME] and Dr [NAME] attended."),
    ("MY SON ŁUKASZ KOWALCZYK WAS DETAINED", "MY SON [NAME] WAS DETAINED"),
    ("Complaint from Siobhán Al-Rashid about Croydon.", "Complaint from [NAME] about Croydon."),
    ("Yours sincerely,\nAoife Murphy", "Yours sincerely,\n[NAME]"),
    ("The Department for Education replied in May.",
     "The Department for Education replied in May."),
])
def test_readable_replacement(text: str, expected: str):
    from pipelines.redaction.scrub import Scrubber

    assert Scrubber().scrub_text(text) == expected


def test_repeated_values_are_scrubbed_alike_and_counted_per_row():
    """Each distinct value is scrubbed once (NameScrubber.scrub): every row holding it
    gets the same text, nulls stay null, and the counts are those of every row."""
    import random

    import polars as pl

    from pipelines.redaction.names import NameScrubber

    distinct = [c.format(full=f"{FIRST[i]} {LAST[i]}", first=FIRST[i], last=LAST[i],
                         caps=f"{FIRST[i]} {LAST[i]}".upper()) for i, c in enumerate(CONTEXTS)]
    distinct.append("The Home Office replied in May.")
    once = NameScrubber.for_terms()
    expected = dict(zip(distinct, once.scrub(pl.Series(distinct)).to_list(), strict=True))
    rows: list[str | None] = [t for t in distinct for _ in range(3)] + [None, None]
    random.Random(7).shuffle(rows)
    thrice = NameScrubber.for_terms()
    out = thrice.scrub(pl.Series(rows, dtype=pl.String)).to_list()
    assert out == [None if t is None else expected[t] for t in rows]
    assert once.replaced > 0 and thrice.replaced == 3 * once.replaced
    assert thrice.kept == Counter({k: 3 * v for k, v in once.kept.items()})
