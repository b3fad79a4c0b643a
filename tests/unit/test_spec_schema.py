"""The dataset.yaml reference: the committed JSON Schema and docs/dataset-spec.md are current,
every key is documented, and every bundled spec validates against the schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from pipelines import paths
from pipelines.cli import app
from pipelines.errors import SpecError
from pipelines.spec import SPEC_SCHEMA_ID, load_spec
from pipelines.spec import schema as spec_schema

BUNDLED = sorted(paths.ROOT.glob("datasets/*/dataset.yaml"))


class _EditorLoader(yaml.SafeLoader):
    """YAML as an editor's schema check sees it: dates and times stay text."""


_EditorLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _as_editor_sees(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_EditorLoader)  # noqa: S506


def test_committed_schema_is_the_generated_one():
    committed = spec_schema.SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == spec_schema.render_schema(), "run `fivestar spec write`"
    schema = json.loads(committed)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SPEC_SCHEMA_ID


def test_reference_in_the_doc_is_the_generated_one():
    doc = spec_schema.DOC_FILE.read_text(encoding="utf-8")
    assert spec_schema.render_doc(doc) == doc, "run `fivestar spec write`"


def test_every_key_of_every_section_is_described_and_in_the_doc():
    doc = spec_schema.DOC_FILE.read_text(encoding="utf-8")
    reference = doc.split(spec_schema.BEGIN, 1)[1]
    found = spec_schema.sections()
    paths_seen = {p for p, _, _ in found}
    # the sections people look for are all there
    for section in ("publisher", "release", "release.pre_release_access[]", "iar", "source",
                    "schema", "expectations", "redaction", "redaction.sdc",
                    "redaction.sdc.dimensions.<dimension>", "linked_data",
                    "linked_data.fields.<field>"):
        assert section in paths_seen, section
    undescribed = []
    for path, _name, node in found:
        heading = f"### `{path}`" if path else "### top level"
        assert heading in reference, heading
        table = reference.split(heading, 1)[1].split("\n### ", 1)[0]
        for key, prop in node.get("properties", {}).items():
            if not prop.get("description", "").strip():
                undescribed.append(f"{path or '(top)'}.{key}")
            assert f"| `{key}` |" in table, f"{path}.{key} missing from the reference"
    assert not undescribed, f"keys without a description in the models: {undescribed}"


def test_every_redaction_rule_is_documented():
    reference = spec_schema.DOC_FILE.read_text(encoding="utf-8").split(spec_schema.BEGIN)[1]
    for rule in ("drop", "keep", "pseudonymise", "generalise", "scrub", "replace"):
        assert f"`{rule}`" in reference, rule


@pytest.mark.parametrize("path", BUNDLED, ids=[p.parent.name for p in BUNDLED])
def test_bundled_spec_is_valid_against_the_committed_schema(path):
    schema = json.loads(spec_schema.SCHEMA_FILE.read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(schema).iter_errors(_as_editor_sees(path)),
                    key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    load_spec(path)  # and the loader agrees


def test_the_schema_rejects_what_the_loader_rejects():
    schema = json.loads(spec_schema.SCHEMA_FILE.read_text(encoding="utf-8"))
    good = _as_editor_sees(BUNDLED[0])
    validator = Draft202012Validator(schema)
    for bad in ({**good, "colour": "blue"},                       # unknown key
                {**good, "kind": "table"},                          # not a kind
                {**good, "redaction": {"fields": {"x": {"rule": "hide"}}}},  # not a rule
                {k: v for k, v in good.items() if k != "iar"}):     # a required section
        assert list(validator.iter_errors(bad)), bad


def _write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "police-recorded-crime"
    folder.mkdir(parents=True)
    (folder / "dataset.yaml").write_text(text, encoding="utf-8")
    return folder / "dataset.yaml"


def test_the_spec_names_its_version(tmp_path):
    text = (paths.DATASETS_DIR / "police-recorded-crime" / "dataset.yaml").read_text()
    text = re.sub(r"^\$schema:.*\n", "", text, flags=re.M)
    spec = load_spec(_write(tmp_path / "a", f"$schema: {SPEC_SCHEMA_ID}\n{text}"))
    assert spec.id == "police-recorded-crime"
    assert "$schema" not in spec.public_dict()
    assert load_spec(_write(tmp_path / "b", text)).id == spec.id  # no $schema: the current one
    with pytest.raises(SpecError) as exc:
        load_spec(_write(tmp_path / "c", f"$schema: {SPEC_SCHEMA_ID[:-1]}9\n{text}"))
    assert [p.location.field for p in exc.value.problems] == ["$schema"]
    assert "version" in str(exc.value)


def test_a_bare_number_for_the_release_time_is_refused(tmp_path):
    text = (paths.DATASETS_DIR / "police-recorded-crime" / "dataset.yaml").read_text()
    # YAML 1.1 reads an unquoted 9:30 as the number 570: never 00:09:30
    text = text.replace("  frequency: quarterly", "  frequency: quarterly\n  time: 9:30")
    with pytest.raises(SpecError) as exc:
        load_spec(_write(tmp_path, text))
    assert "quotes" in str(exc.value)
    assert [p.location.field for p in exc.value.problems] == ["release.time"]


def test_the_loader_does_not_take_internal_fields_from_the_file(tmp_path):
    text = (paths.DATASETS_DIR / "police-recorded-crime" / "dataset.yaml").read_text()
    with pytest.raises(SpecError) as exc:
        load_spec(_write(tmp_path, f"{text}\nfolder: /etc\n"))
    assert [p.location.field for p in exc.value.problems] == ["folder"]


def test_spec_schema_command_prints_the_schema():
    result = CliRunner().invoke(app, ["spec", "schema"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == spec_schema.json_schema()


def _worked_examples() -> list[tuple[str, str]]:
    doc = spec_schema.DOC_FILE.read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```", doc, flags=re.M | re.S)
    return [(re.search(r"^id: (\S+)", b, flags=re.M).group(1), b)
            for b in blocks if re.search(r"^id: ", b, flags=re.M)]


@pytest.mark.parametrize("text", [b for _, b in _worked_examples()],
                         ids=[i for i, _ in _worked_examples()])
def test_every_worked_example_in_the_doc_is_a_valid_spec(text):
    # a statistician copies these: a comma inside an unquoted flow value
    # (`{reason: a reference, not a person}`) once made the record example unloadable
    schema = json.loads(spec_schema.SCHEMA_FILE.read_text(encoding="utf-8"))
    spec = yaml.load(text, Loader=_EditorLoader)  # noqa: S506
    errors = sorted(Draft202012Validator(schema).iter_errors(spec), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_a_comma_in_an_unquoted_flow_value_is_explained(tmp_path):
    text = (paths.DATASETS_DIR / "police-recorded-crime" / "dataset.yaml").read_text()
    data = yaml.safe_load(text)
    field = data["schema"]["fields"][0]["name"]
    data["redaction"].setdefault("fields", {})[field] = yaml.safe_load(
        "{rule: keep, reason: a reference, not a person}")  # YAML: a key `not a person`
    path = _write(tmp_path, yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(SpecError) as exc:
        load_spec(path)
    [problem] = [p for p in exc.value.problems if p.location.field.endswith("not a person")]
    assert "in quotes" in problem.message
