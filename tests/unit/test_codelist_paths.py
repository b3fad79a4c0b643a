"""A code-list problem names the file where fivestar looked for it: under the checkout
as ``vocabularies/<stem>.ttl``, elsewhere (FIVESTAR_VOCABULARIES_DIR) in full."""

from __future__ import annotations

import pytest

from pipelines.codelists import CodeListError, load_codelist, shown_path
from pipelines.paths import ROOT


def test_a_code_list_outside_the_checkout_is_named_in_full(tmp_path):
    assert shown_path("areas", tmp_path) == str(tmp_path.resolve() / "areas.ttl")
    with pytest.raises(CodeListError) as exc:
        load_codelist("areas", tmp_path)
    (problem,) = exc.value.problems
    assert problem.location.file == str(tmp_path.resolve() / "areas.ttl")


def test_a_code_list_in_the_checkout_is_named_relative_to_it():
    assert shown_path("countries", ROOT / "vocabularies") == "vocabularies/countries.ttl"
