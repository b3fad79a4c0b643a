"""One lock per dataset, shared by every decision that changes what the public sees.

Approval, rejection, withdrawal and the switch to public all take the
dataset's lock, and publication re-reads the release's state while holding
it, immediately before and after the switch. So a withdrawal that arrives
while a publication is under way either lands first (and the publication
refuses) or waits for the switch to finish and then hides the dataset: it
always wins, and is always recorded after the publication it undid.

``flock`` on a file in the service home: exclusive across threads and
processes of the service on its host (each acquisition opens its own file
description), released by the kernel if the holder dies.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class DatasetLocks:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @contextmanager
    def hold(self, dataset_id: str) -> Iterator[None]:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = hashlib.sha256(dataset_id.encode("utf-8")).hexdigest()[:32]
        fd = os.open(self.folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
