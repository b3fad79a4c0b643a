"""The pipeline's version, recorded in every manifest and provenance record."""

from __future__ import annotations

import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version

from pipelines.paths import ROOT


@cache
def pipeline_version() -> str:
    """Package version plus the git commit when run from a checkout.

    The commit makes a release traceable to the exact code that produced it.
    """
    try:
        base = version("fivestar")
    except PackageNotFoundError:
        base = "0+unknown"
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return base
    return f"{base}+g{commit}" if commit else base
