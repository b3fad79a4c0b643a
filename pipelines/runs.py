"""One run of a dataset's stages, as the stages see it: who, which period, which folders.

Independent of Dagster: the shell makes a :class:`RunContext` from its own
context, and plain functions take it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipelines import paths
from pipelines.spec import DatasetSpec

#: Run tag naming who started a run (the audit log's "who" for staging).
USER_TAG = "fivestar/user"
#: Run tag naming the approved release a publication run must publish.
RELEASE_TAG = "fivestar/release_id"
#: Run tag holding a correction's revision notes (the run stages a correction).
REVISION_TAG = "fivestar/revision_notes"


def who_is_running(tags: Mapping[str, str]) -> str:
    """The one place that says who runs a stage: the run's user tag, else ``FIVESTAR_USER``.

    No default: staging refuses a run that names nobody.
    """
    return tags.get(USER_TAG) or os.environ.get("FIVESTAR_USER", "")


@dataclass(frozen=True)
class RunContext:
    spec: DatasetSpec
    partition: str | None
    run_id: str
    user: str
    #: Revision notes when the run stages a correction of the published release.
    revision_notes: str | None = None

    @property
    def work_dir(self) -> Path:
        """This run's own working folder (0700): the redacted table, converted files."""
        path = paths.run_dir(self.spec.id, self.partition) / "runs" / self.run_id
        paths.private_dir(path)
        return path

    @property
    def reports_dir(self) -> Path:
        """The latest reports for people to read (``reports/validation.html`` …)."""
        path = paths.run_dir(self.spec.id, self.partition) / "reports"
        paths.private_dir(path)
        return path
