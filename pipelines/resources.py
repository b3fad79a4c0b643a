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


class ReviewService(ConfigurableResource):
    """The review service (the authority over approvals), as a client.

    Only the URL is configuration. The caller's token is read when a client
    is made: ``FIVESTAR_REVIEW_TOKEN`` (set in-process by ``fivestar
    publish`` for the signed-in user), else ``FIVESTAR_REVIEW_TOKEN_FILE``,
    else the publication sensor's ``<state>/publisher.token``, else the OS
    user's ``fivestar login`` token. It never appears in run config or logs.
    """

    url: str | None = None

    def client(self):
        from pipelines import paths
        from pipelines.release import client as service

        token = os.environ.get(service.TOKEN_ENV) or None
        if token is None and not os.environ.get(service.TOKEN_FILE_ENV):
            publisher = paths.STATE_DIR / "publisher.token"
            if publisher.is_file():
                token = publisher.read_text(encoding="utf-8").strip() or None
        return service.ReviewServiceClient(self.url, token=token or service.stored_token())
