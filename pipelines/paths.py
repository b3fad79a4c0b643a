"""Where fivestar keeps things.

Everything mutable lives under one gitignored state folder so a clean clone is
always clean, and a developer can wipe state with one `rm -rf`.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (the folder holding pyproject.toml).
ROOT = Path(__file__).resolve().parent.parent


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).resolve() if value else default


#: Bundled dataset folders, one per dataset: ``datasets/<id>/dataset.yaml``.
DATASETS_DIR = _env_path("FIVESTAR_DATASETS_DIR", ROOT / "datasets")
#: Great Expectations suites: ``expectations/<id>.json``.
EXPECTATIONS_DIR = _env_path("FIVESTAR_EXPECTATIONS_DIR", ROOT / "expectations")
#: The project's own RDF terms (``fivestar.ttl``) and SHACL shapes: part of the package,
#: never the user's folder, so pointing FIVESTAR_VOCABULARIES_DIR at your own code
#: lists cannot break conversion. The wheel carries them inside the package
#: (``pipelines/_project/``, see pyproject.toml); a checkout reads ``vocabularies/``.
_PACKAGED = Path(__file__).resolve().parent / "_project"
PROJECT_VOCABULARY_DIR = _PACKAGED if _PACKAGED.is_dir() else ROOT / "vocabularies"
#: SKOS code lists (the user's: a spec's ``codelist:`` names ``<stem>.ttl`` here; the
#: bundled ones in a checkout).
VOCABULARIES_DIR = _env_path("FIVESTAR_VOCABULARIES_DIR", ROOT / "vocabularies")
#: Mutable state (Dagster instance, run outputs, staged releases, audit DB).
STATE_DIR = _env_path("FIVESTAR_STATE_DIR", ROOT / ".fivestar")
#: Downloads cached between runs (virtualenvs, Maven artifacts, large extracts).
CACHE_DIR = _env_path("FIVESTAR_CACHE_DIR", ROOT / ".cache")


def run_dir(dataset_id: str, partition: str | None = None) -> Path:
    """Folder for one dataset's working outputs (reports, converted files)."""
    return STATE_DIR / "work" / dataset_id / (partition or "_unpartitioned")


def releases_dir() -> Path:
    """Folder holding immutable staged releases."""
    return STATE_DIR / "releases"


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) readable by this user only (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path
