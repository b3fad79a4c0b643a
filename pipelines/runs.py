"""One run of a dataset's stages, as the stages see it: whose ticket, which period, which folders.

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

#: Run tag carrying a staging ticket signed by the review service (queued runs and
#: runs launched in the Dagster UI; `fivestar stage` in-process passes it through
#: ``TICKET_ENV`` instead). It is the only identity a staging can have: a user name
#: tag proves nothing, and the service records the ticket's user, never a tag.
TICKET_TAG = "fivestar/ticket"
TICKET_ENV = "FIVESTAR_STAGING_TICKET"
#: Run tag naming the approved release a publication run must publish.
RELEASE_TAG = "fivestar/release_id"
#: Run tag holding a correction's revision notes (the run stages a correction).
REVISION_TAG = "fivestar/revision_notes"


def staging_ticket(tags: Mapping[str, str]) -> str | None:
    """The one place that says who stages: the service's ticket (run tag, else
    ``FIVESTAR_STAGING_TICKET``), verified by the review service, never here."""
    return tags.get(TICKET_TAG) or os.environ.get(TICKET_ENV) or None


@dataclass(frozen=True)
class RunContext:
    spec: DatasetSpec
    partition: str | None
    run_id: str
    #: The first run of this run's Dagster retry chain (itself when it is no retry). A
    #: staging ticket is claimed for it, so a retry of a killed run may still register.
    root_run_id: str
    #: The staging ticket (verified by the review service, never here).
    ticket: str | None = None
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
