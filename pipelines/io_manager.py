"""How asset values travel between Dagster steps: typed JSON, never pickle.

Dagster's default IO managers pickle each asset output to disk. A pickle is
code (whoever can write the storage folder can run code in the next process
that loads it), and pickled DataFrames would put unredacted personal data at
rest in the state folder. Here every asset value is a contract
(:mod:`pipelines.contracts`, :mod:`pipelines.handles`): a small pydantic model
such as a *handle* to a table on disk plus the reports about it. It is stored
as JSON, tagged with its type, and read back only as one of the types in
:data:`VALUE_TYPES` (a closed list: no class is ever imported by name).

Values are files under ``<state>/storage/<asset key>/<partition>.json``, so a
step in another process (the multiprocess executor, a Celery worker with the
state folder on a shared volume) reads exactly what the previous step wrote.
The folder is 0700 and each file 0600.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from dagster import ConfigurableIOManager, InputContext, OutputContext

from pipelines.contracts import ConversionResult, PublishResult
from pipelines.contracts.base import Contract
from pipelines.handles import RedactedTable, SourceTable, StagedReleaseRef, ValidatedExtract

#: The only types an asset value may have (name in the JSON -> model).
VALUE_TYPES: dict[str, type[Contract]] = {
    cls.__name__: cls for cls in (SourceTable, ValidatedExtract, RedactedTable,
                                  ConversionResult, StagedReleaseRef, PublishResult)
}


class ContractIOManager(ConfigurableIOManager):
    """Stores contracts as type-tagged JSON; refuses anything else."""

    base_dir: str

    def _path(self, context: InputContext | OutputContext) -> Path:
        key = context.asset_key.path
        part = context.asset_partition_key if context.has_asset_partitions else "_"
        return Path(self.base_dir).joinpath(*key, f"{part}.json")

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        name = type(obj).__name__
        if VALUE_TYPES.get(name) is not type(obj):
            raise TypeError(f"asset {context.asset_key.to_user_string()} returned a {name}; "
                            "asset values must be one of " + ", ".join(VALUE_TYPES))
        path = self._path(context)
        _private_dirs(Path(self.base_dir), path.parent)
        data = json.dumps({"type": name, "value": obj.model_dump(mode="json")},
                          ensure_ascii=False).encode("utf-8")
        tmp = path.with_suffix(".json.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def load_input(self, context: InputContext) -> Contract:
        path = self._path(context)
        data = json.loads(path.read_bytes())
        model = VALUE_TYPES.get(data.get("type"))
        if model is None:
            raise TypeError(f"{path.name}: not a fivestar asset value")
        return model.model_validate(data["value"])


def _private_dirs(base: Path, folder: Path) -> None:
    """Create ``folder`` below ``base`` with every new level 0700."""
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    base.chmod(0o700)
    rel = folder.relative_to(base)
    current = base
    for part in rel.parts:
        current = current / part
        if not current.is_dir():
            current.mkdir(mode=0o700, exist_ok=True)
