"""Large synthetic extracts and the benchmark's own copies of the dataset folders.

Extracts are generated once per (dataset, rows) and cached under
``benchmarks/data/`` (gitignored). The end-to-end benchmark stages them through
copies of the bundled dataset folders that differ from the originals only
where a generated extract needs it, each difference stated here:

* ``source`` points at the cached Parquet extract;
* a dataset with a release frequency *and* a period field is released ad hoc
  (one release of the whole extract): the generator adds quarters past today
  to reach millions of rows, and a quarterly partition would hold only the
  rows up to the current quarter;
* the suite's ``expect_table_row_count_to_be_between`` maximum is raised to
  the benchmark's row count when it is lower (the bundled suites bound the
  row count for the real publication, e.g. 2 M crime cells).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def parse_rows(text: str) -> int:
    """``100k``, ``1M``, ``10M`` or a plain number of rows."""
    t = text.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t[:-1] if scale > 1 else t) * scale)


def label(rows: int) -> str:
    if rows >= 1_000_000 and rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}M"
    if rows >= 1_000 and rows % 1_000 == 0:
        return f"{rows // 1_000}k"
    return str(rows)


def _generator_version(dataset_id: str) -> str:
    """Short hash of the generator's code and the dataset's spec: a cached extract made by
    other code, or for another schema, is never reused."""
    import hashlib

    from fivestar_dev import generate
    from pipelines import paths

    digest = hashlib.sha256(Path(generate.__file__).read_bytes())
    digest.update((paths.DATASETS_DIR / dataset_id / "dataset.yaml").read_bytes())
    return digest.hexdigest()[:10]


def large_extract(dataset_id: str, rows: int, status=None) -> Path:
    """A large version of a bundled extract, generated once and cached (Parquet)."""
    from fivestar_dev import generate

    path = DATA / f"{dataset_id}-{rows}-{_generator_version(dataset_id)}.parquet"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        if status is not None:
            with status(f"generating {rows:,} rows of {dataset_id}"):
                generate.write_large(dataset_id, rows, path)
        else:
            generate.write_large(dataset_id, rows, path)
    return path


def bench_dataset(dataset_id: str, rows: int, root: Path, status=None) -> tuple[Path, Path]:
    """A datasets folder and an expectations folder staging ``dataset_id`` at ``rows``.

    Returns ``(datasets_dir, expectations_dir)``; see the module docstring
    for how the copies differ from the bundled ones.
    """
    from pipelines import paths

    extract = large_extract(dataset_id, rows, status)
    datasets_dir = root / "datasets"
    expectations_dir = root / "expectations"
    shutil.rmtree(root, ignore_errors=True)
    src = paths.DATASETS_DIR / dataset_id
    folder = datasets_dir / dataset_id
    folder.mkdir(parents=True)
    spec = yaml.safe_load((src / "dataset.yaml").read_text(encoding="utf-8"))
    source = {k: v for k, v in spec["source"].items()
              if k not in ("path", "format", "encoding", "delimiter", "sheet")}
    spec["source"] = {**source, "format": "parquet", "path": str(extract)}
    release = spec.get("release") or {}
    if release.get("period_field") and release.get("frequency", "adhoc") != "adhoc":
        release = {**release, "frequency": "adhoc"}
        release.pop("start", None)
        spec["release"] = release
    for extra in src.iterdir():  # code lists or notes a dataset folder may carry
        if extra.is_file() and extra.name != "dataset.yaml" \
                and extra.suffix not in (".csv", ".xlsx", ".parquet"):
            shutil.copyfile(extra, folder / extra.name)
    (folder / "dataset.yaml").write_text(yaml.safe_dump(spec, sort_keys=False),
                                         encoding="utf-8")
    expectations_dir.mkdir(parents=True)
    suite_path = paths.EXPECTATIONS_DIR / f"{dataset_id}.json"
    suite = json.loads(suite_path.read_text(encoding="utf-8"))
    for exp in suite.get("expectations", []):
        if exp.get("type") == "expect_table_row_count_to_be_between":
            kw = exp.setdefault("kwargs", {})
            if kw.get("max_value") is not None and kw["max_value"] < rows:
                kw["max_value"] = rows
    (expectations_dir / suite_path.name).write_text(json.dumps(suite, indent=2),
                                                    encoding="utf-8")
    return datasets_dir, expectations_dir
