"""Dagster resources: the secrets and clients assets need, configured from the environment."""

from __future__ import annotations

import os

from dagster import ConfigurableResource

from pipelines.errors import FivestarError


class RedactionKey(ConfigurableResource):
    """The pseudonymisation key, read from an environment variable when used.

    Only the variable's *name* is configuration, so the key never appears in
    Dagster's run config, logs or UI.
    """

    env_var: str = "FIVESTAR_PSEUDONYMISATION_KEY"

    def key(self) -> bytes | None:
        value = os.environ.get(self.env_var)
        if value is not None and len(value) < 16:
            raise FivestarError(f"{self.env_var} is set but shorter than 16 characters")
        return value.encode("utf-8") if value else None
