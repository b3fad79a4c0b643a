"""The streaming N-Triples gate: complete parse, star facts and per-observation Data Cube checks."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from fivestar_dev import synthetic_conversion as T
from pipelines import paths
from pipelines.convert import convert
from pipelines.convert import ntriples_check as nc
from pipelines.convert.stars import AUTHORITIES, rdf_facts
from pipelines.convert.workers import WorkerError, Workers

QB = "http://purl.org/linked-data/cube#"
OBS = QB + "Observation"
BASE = "https://data.homeoffice.gov.uk"
AUTH = [p for p in AUTHORITIES if not p.startswith(BASE)]
CONF = "<http://purl.org/linked-data/sdmx/2009/attribute#confStatus>"
CODE = "http://purl.org/linked-data/sdmx/2009/code#"


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """One converted test cube for the module (each test gets its own copy)."""
    tmp = tmp_path_factory.mktemp("cube")
    d = T.write_codelists(tmp / "vocab")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(paths, "VOCABULARIES_DIR", d)
        convert(T.cube_frame(600), T.cube_spec(), tmp / "out", T.PROVENANCE)
    return tmp / "out"


@pytest.fixture
def cube(converted, tmp_path):
    """A copy of the converted cube, with its N-Triples also uncompressed (to edit)."""
    out = Path(shutil.copytree(converted, tmp_path / "out"))
    (out / "test-crime.nt").write_bytes(gzip.decompress((out / "test-crime.nt.gz").read_bytes()))
    return out


def _check(out: Path, nt: Path | None = None, **kw):
    codelists = [out / "test-areas.ttl", out / "test-offences.ttl"]
    report, _ = nc.check_ntriples(nt or out / "test-crime.nt", OBS, BASE, AUTH, cube=True,
                                  codelists=codelists, n_workers=kw.pop("n_workers", 1),
                                  chunk_bytes=16_384, **kw)
    return report


def _lines(out: Path) -> list[str]:
    return (out / "test-crime.nt").read_text(encoding="utf-8").splitlines(keepends=True)


def _write(out: Path, lines: list[str]) -> Path:
    path = out / "test-crime.nt"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _obs_lines(lines: list[str], pred: str) -> list[int]:
    return [i for i, line in enumerate(lines) if "/observation/" in line.split(" ")[0]
            and pred in line]


def test_chunks_never_split_a_subject_and_lose_nothing(cube):
    data = (cube / "test-crime.nt").read_bytes()
    with nc.open_stream(cube / "test-crime.nt") as fh:
        parts = list(nc.chunks(fh, size=4_096, first_size=2_048))
    assert len(parts) > 20
    assert b"".join(p for _, p in parts) == data
    line = 1
    for (first, piece), (_, after) in zip(parts, parts[1:], strict=False):
        assert first == line
        line += piece.count(b"\n")
        last = piece.rstrip(b"\n").rsplit(b"\n", 1)[-1]
        assert last.split(b" ", 1)[0] != after.split(b" ", 1)[0]


def test_well_formed_cube_passes_and_facts_match_a_plain_parse(cube):
    report = _check(cube, n_workers=2)
    assert report.violations == {} and report.sparql_violations == []
    assert report.syntax_errors == [] and report.canonical
    assert report.observations == 600
    parsed = rdf_facts(cube / "test-crime.nt", OBS, BASE)
    assert report.facts()["triples"] == parsed["triples"]
    assert report.things == parsed["things"] == 600
    assert report.http_things == parsed["http_things"]
    assert report.external == parsed["external"]


def test_gzip_distribution_is_checked_as_published(cube):
    plain, zipped = _check(cube), _check(cube, cube / "test-crime.nt.gz")
    assert zipped.triples == plain.triples and zipped.violations == {}


def test_syntax_error_is_reported_with_its_file_line(cube):
    lines = _lines(cube)
    lines[400] = lines[400].replace("<https://", "<https:// ", 1)  # a space in an IRI
    report = _check(cube, _write(cube, lines))
    assert report.syntax_errors == [401]


def test_non_canonical_whitespace_and_comments_are_still_checked(cube):
    lines = _lines(cube)
    lines = ["# a comment\n"] + [line.replace("> <", ">\t<", 1) for line in lines]
    report = _check(cube, _write(cube, lines))
    assert not report.canonical and report.violations == {}
    assert report.observations == 600


@pytest.mark.parametrize("name, mutate", [
    ("IC-11", lambda ls: ls.pop(_obs_lines(ls, "offenceGroup>")[3])),
    ("IC-13", lambda ls: ls.pop(_obs_lines(ls, CONF)[5])),
    ("IC-1", lambda ls: ls.insert(_obs_lines(ls, "cube#dataSet>")[2] + 1, ls[
        _obs_lines(ls, "cube#dataSet>")[2]].replace("/id/test-crime>", "/id/other>"))),
    ("IC-19a", lambda ls: ls.__setitem__(_obs_lines(ls, "policeForceArea>")[7], ls[
        _obs_lines(ls, "policeForceArea>")[7]].rsplit("/", 1)[0] + "/not-a-code> .\n")),
    ("IC-14", lambda ls: ls.pop(next(i for i in _obs_lines(ls, "fivestar/count>")))),
    ("suppressed-has-no-value", lambda ls: ls.insert(
        next(i for i in _obs_lines(ls, CONF) if "confStatus-C" in ls[i]) + 1,
        ls[next(i for i in _obs_lines(ls, CONF) if "confStatus-C" in ls[i])].split(" ")[0]
        + ' <https://data.homeoffice.gov.uk/def/fivestar/count> "3"^^'
          "<http://www.w3.org/2001/XMLSchema#integer> .\n")),
])
def test_planted_violation_is_found_in_every_observation(cube, name, mutate):
    lines = _lines(cube)
    mutate(lines)
    report = _check(cube, _write(cube, lines))
    assert name in report.violations, report.violations
    count, at = report.violations[name]
    assert count == 1 and at and all(a > 1 for a in at)


def test_violation_near_the_end_of_a_big_file_is_found(cube):
    lines = _lines(cube)
    lines.pop(_obs_lines(lines, "offenceGroup>")[-1])
    assert "IC-11" in _check(cube, _write(cube, lines)).violations


def test_duplicate_observation_in_another_chunk_violates_ic12(cube):
    lines = _lines(cube)
    first = lines[0].split(" ")[0]
    subj = next(line.split(" ")[0] for line in lines if "/observation/" in line.split(" ")[0])
    twin = [line.replace(subj, subj[:-1] + "-twin>", 1) for line in lines
            if line.split(" ")[0] == subj]
    assert first != subj and twin
    report = _check(cube, _write(cube, lines + twin))
    assert report.violations["IC-12"][0] == 1


def test_observation_scattered_across_the_file_is_refused(cube):
    lines = _lines(cube)
    i = _obs_lines(lines, "offenceGroup>")[10]
    moved = lines.pop(i)
    report = _check(cube, _write(cube, lines + [moved]))
    assert {"IC-11", "component-outside-observation"} <= set(report.violations)


def test_structure_after_the_observations_is_refused(cube):
    lines = _lines(cube)
    head = [line for line in lines if "/observation/" not in line.split(" ")[0]]
    body = [line for line in lines if "/observation/" in line.split(" ")[0]]
    report = _check(cube, _write(cube, body + head))
    assert "no-structure" in report.violations or "structure-not-first" in report.violations


def test_other_rdf_files_parse_in_the_same_workers(cube):
    bad = cube / "broken.ttl"
    bad.write_text("@prefix x: <http://example.org/> .\nx:a x:b .\n", encoding="utf-8")
    _, others = nc.check_ntriples(cube / "test-crime.nt", OBS, BASE, AUTH, cube=False,
                                  n_workers=2, extra=[("ttl", cube / "test-areas.ttl"),
                                                      ("ttl", bad)])
    by = {Path(o.path).name: o for o in others}
    assert not by["test-areas.ttl"].error and by["test-areas.ttl"].triples > 0
    assert by["broken.ttl"].error and by["broken.ttl"].error_line == 2


def test_a_failing_worker_fails_the_check():
    pool = Workers("pipelines.convert.ntriples_check", 1, env=nc.WORKER_ENV)
    pool.setup({"row_class": OBS, "authorities": [], "cube": False, "structure": None})
    pool.submit(("nonsense",))
    with pytest.raises(WorkerError):
        pool.finish()


def test_workers_refuse_to_run_without_the_fixed_hash_seed():
    pool = Workers("pipelines.convert.ntriples_check", 1, env={"PYTHONHASHSEED": "random"})
    pool.setup({"row_class": OBS, "authorities": [], "cube": False, "structure": None})
    with pytest.raises(WorkerError):
        pool.finish()
