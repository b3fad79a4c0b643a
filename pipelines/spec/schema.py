"""The JSON Schema of dataset.yaml and its Markdown reference, both generated from the models.

Nothing here is written by hand: the pydantic models in :mod:`pipelines.spec`
are the one definition of what a spec may say, and this module derives from
them the committed ``pipelines/spec/dataset.schema.json`` (for editors, CI and
other tools) and the reference section of ``docs/dataset-spec.md`` (for
people). Tests regenerate both and compare, so neither can drift from the
loader. ``fivestar spec write`` rewrites both; ``fivestar spec schema`` prints
the schema.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pipelines.paths import ROOT
from pipelines.spec.dataset import SPEC_SCHEMA_ID, SPEC_VERSION, DatasetSpec

#: The committed schema (shipped with the package, so an editor can point at it).
SCHEMA_FILE = Path(__file__).with_name("dataset.schema.json")
#: The human reference; the part between the markers is generated.
DOC_FILE = ROOT / "docs" / "dataset-spec.md"
BEGIN = "<!-- BEGIN GENERATED REFERENCE (fivestar spec write) -->"
END = "<!-- END GENERATED REFERENCE -->"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a dataset.yaml, as the loader reads it."""
    body = DatasetSpec.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SPEC_SCHEMA_ID,
            "title": f"fivestar dataset.yaml, version {SPEC_VERSION}", **{
                k: v for k, v in body.items() if k != "title"}}


def render_schema() -> str:
    """The schema file's exact text (stable key order, so diffs are readable)."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


# -- the Markdown reference ------------------------------------------------------


def sections() -> list[tuple[str, str, dict[str, Any]]]:
    """Every object (mapping) of the schema as ``(heading, def name, schema)``, root first.

    The heading is where the object first appears in a dataset.yaml
    (``release.pre_release_access[]``, ``redaction.fields.<field>``, with the
    rule's name for each kind of redaction rule); each object is listed once,
    in reading order. Enumerations are shown inline where they are used.
    """
    schema = json_schema()
    defs = schema.get("$defs", {})
    out: list[tuple[str, str, dict[str, Any]]] = []
    seen: set[str] = set()

    def visit(path: str, name: str, node: dict[str, Any]) -> None:
        if name in seen or "properties" not in node:
            return
        seen.add(name)
        rule = node["properties"].get("rule", {}).get("const")
        out.append((f"{path} (rule: {rule})" if rule else path, name, node))
        for key, prop in node.get("properties", {}).items():
            for sub, ref in _refs(prop, f"{path}.{key}" if path else key):
                visit(sub, ref, defs[ref])

    visit("", "DatasetSpec", schema)
    return out


def _refs(node: dict[str, Any], path: str) -> list[tuple[str, str]]:
    """The definitions a property refers to, each with the path it appears at."""
    found: list[tuple[str, str]] = []
    if "$ref" in node:
        found.append((path, node["$ref"].rsplit("/", 1)[-1]))
    for alt in [*node.get("anyOf", []), *node.get("oneOf", []), *node.get("allOf", [])]:
        found += _refs(alt, path)
    if isinstance(node.get("items"), dict):
        found += _refs(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        found += _refs(node["additionalProperties"], f"{path}.<{_key_name(path)}>")
    return found


def _key_name(path: str) -> str:
    last = path.rsplit(".", 1)[-1]
    return {"fields": "field", "dimensions": "dimension", "parents": "code"}.get(last, "key")


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a ``### `heading``` (punctuation dropped, spaces to ``-``)."""
    return re.sub(r"[^a-z0-9_ -]", "", (heading or "top level").lower()).replace(" ", "-")


def _type(node: dict[str, Any], links: dict[str, str], defs: dict[str, Any]) -> str:
    """A short, readable type: ``text``, ``integer, ≥ 2``, ``one of `a`, `b```, ``list of …``."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in links:
            return f"[`{links[name]}`](#{_anchor(links[name])})"
        return _type(defs[name], links, defs)
    if "const" in node:
        return f"`{node['const']}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    for key in ("anyOf", "oneOf"):
        if key in node:
            alts = [a for a in node[key] if a.get("type") != "null"]
            return " or ".join(_type(a, links, defs) for a in alts)  # null: "not given"
    kind = node.get("type")
    if kind == "array":
        return f"list of {_type(node.get('items', {}), links, defs)}"
    if kind == "object":
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return f"mapping of name to {_type(extra, links, defs)}"
        return "mapping"
    text = {"string": "text", "integer": "integer", "number": "number",
            "boolean": "`true` / `false`"}.get(str(kind), str(kind or "any"))
    fmt = node.get("format")
    if fmt:
        text += f" ({fmt})"
    bounds = [f"{sym} {node[k]}" for k, sym in (("minimum", "≥"), ("exclusiveMinimum", ">"),
                                                  ("maximum", "≤")) if k in node]
    if "minLength" in node:
        bounds.append(f"at least {node['minLength']} characters")
    if "pattern" in node:
        bounds.append(f"matching `{node['pattern']}`")
    return ", ".join([text, *bounds])


def _default(prop: dict[str, Any], required: bool) -> str:
    if required:
        return "**required**"
    if "default" not in prop:
        return "optional"
    value = prop["default"]
    if value is None:
        return "none"
    if value in ([], {}):
        return "empty"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_reference() -> str:
    """The generated reference: one table per section, every key, type, default and meaning."""
    found = sections()
    defs = json_schema().get("$defs", {})
    links = {name: path or "top level" for path, name, _ in found}
    out = [BEGIN, ""]
    for path, _name, node in found:
        title = f"`{path}`" if path else "top level"
        out += [f"### {title}", ""]
        if node.get("description"):
            out += [" ".join(node["description"].split()), ""]
        out += ["| key | type | default | meaning |", "|---|---|---|---|"]
        required = set(node.get("required", []))
        for key, prop in node.get("properties", {}).items():
            out.append(f"| `{key}` | {_cell(_type(prop, links, defs))} | "
                       f"{_cell(_default(prop, key in required))} | "
                       f"{_cell(prop.get('description', ''))} |")
        extra = node.get("additionalProperties")
        if extra is True:
            out.append("| *(other keys)* | any | – | kept as written (the standard's own keys) |")
        out.append("")
    out.append(END)
    return "\n".join(out) + "\n"


def render_doc(current: str) -> str:
    """``current`` (the doc's text) with its generated part replaced by the current one."""
    head, sep, rest = current.partition(BEGIN)
    if not sep:
        raise ValueError(f"{DOC_FILE.name} has no `{BEGIN}` marker")
    _, sep, tail = rest.partition(END)
    if not sep:
        raise ValueError(f"{DOC_FILE.name} has no `{END}` marker")
    return head + render_reference().rstrip("\n") + tail


def write() -> list[Path]:
    """Rewrite the schema file and the doc's reference; return those that changed."""
    changed = []
    for path, text in ((SCHEMA_FILE, render_schema()),
                       (DOC_FILE, render_doc(DOC_FILE.read_text(encoding="utf-8")))):
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
