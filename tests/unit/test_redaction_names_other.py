"""Names from the second corpus's sources (Census surnames, ``nam_dict`` first names),
written in capitals, in lower case and with initials, in sentences that are not the
evaluation's templates: either the scrubber removes them or the verifier blocks the row.
Nothing in between may happen, because that is a publication.
"""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.names import corpus_other
from pipelines.redaction import verify_names
from pipelines.redaction.holdout import fold, held_out
from pipelines.redaction.lexicon import load as load_lexicon
from pipelines.redaction.scrub import Scrubber

FIRSTS, SURNAMES = corpus_other.held_out_names()
FIRST = sorted({n for names in FIRSTS.values() for n in names
                if len(fold(n)) >= 4 and "-" not in n})
LAST = [n for n in SURNAMES if len(fold(n)) >= 4]

#: Person contexts in other words than either corpus: a name the text is about.
CONTEXTS = [
    "Following the hearing, {name} asked for the bundle again.",
    "The file notes that {name} moved out in March.",
    "Escalated to the team leader after {name} called twice.",
    "Witness statement taken from {name} at the station.",
    "We wrote to {name} on 4 June and have had no reply.",
    "Dear {name}, your request has been logged.",
]


@st.composite
def person(draw) -> tuple[str, list[str]]:
    first, last = draw(st.sampled_from(FIRST)), draw(st.sampled_from(LAST))
    form = draw(st.sampled_from(["full", "caps", "initials", "surname first"]))
    if form == "caps":
        return f"{first} {last}".upper(), [first.upper(), last.upper()]
    if form == "initials":
        return f"{first[0]}.{draw(st.sampled_from(FIRST))[0]}. {last}", [last]
    if form == "surname first":
        return f"{last.upper()}, {first}", [last.upper(), first]
    return f"{first} {last}", [first, last]


def _survives(token: str, text: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(token)}(?![^\W_])", text) is not None


def test_second_corpus_names_are_held_out_and_unknown_to_the_gazetteer():
    lex = load_lexicon()
    assert len(FIRSTS) >= 15 and len(FIRST) > 1000 and len(LAST) > 10_000
    for name in FIRST + LAST:
        assert held_out(name)
        assert fold(name) not in lex.first_names | lex.surnames


def test_second_corpus_is_built_of_other_styles():
    records = corpus_other.planted(600)
    assert {r.style for r in records} == set(corpus_other.STYLES)
    assert not set(corpus_other.STYLES) & {"complaint", "foi", "case note", "correspondence"}
    assert all(r.tokens for r in records)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(st.tuples(st.sampled_from(CONTEXTS), person()), min_size=10,
                      max_size=10))
def test_a_name_is_removed_or_its_row_is_blocked(batch):
    texts = [ctx.format(name=shown) for ctx, (shown, _) in batch]
    out = Scrubber().scrub_series(pd.Series(texts, dtype="string"))
    blocked = {row for row, _ in verify_names.scan_column(out, [])}
    for i, (_, (_, tokens)) in enumerate(batch):
        leaked = [t for t in tokens if len(fold(t)) >= 4 and _survives(t, out.iloc[i])]
        assert not leaked or i in blocked, f"published without a block: {out.iloc[i]!r}"
