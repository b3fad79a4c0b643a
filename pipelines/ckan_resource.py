"""The CKAN catalogue as a Dagster resource, and a plain client for everything else.

The API token is read when a client is made, from ``FIVESTAR_CKAN_TOKEN`` or the
file named by ``FIVESTAR_CKAN_TOKEN_FILE`` (default ``catalogue/.state/api-token``,
written by ``make catalogue-up``). It is never a config field, so it never
appears in Dagster's run config, UI, logs or metadata.

That token is the pipeline's account (``fivestar-pipeline``): it builds and
fills private datasets only. Making a dataset public, or changing a public
one, takes the publisher account's token, which only the review service holds
(ckanext-fivestar's ``fivestar_guard`` enforces it in CKAN).
"""

from __future__ import annotations

import os
from pathlib import Path

import ckanapi
import requests
from dagster import ConfigurableResource
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from pipelines.errors import FivestarError
from pipelines.paths import ROOT

USER_AGENT = "fivestar-publisher/0.1 (+https://github.com/)"


def ckan_url() -> str:
    """``FIVESTAR_CKAN_URL``, else the local CKAN on the port ``catalogue/bin/up``
    starts it on (``FIVESTAR_CKAN_PORT``, else 5055 plus ``FIVESTAR_PORT_OFFSET``)."""
    from pipelines.ports import service_port

    url = os.environ.get("FIVESTAR_CKAN_URL") or f"http://127.0.0.1:{service_port('CKAN')}"
    return url.rstrip("/")


def _token_file(setting: str, default: str, missing: str) -> str:
    """The token in the file named by ``setting`` (default ``catalogue/.state/<default>``)."""
    path = Path(os.environ.get(setting) or ROOT / "catalogue" / ".state" / default)
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError:
        token = ""
    if not token:
        raise FivestarError(missing.format(path=path))
    return token


def read_token() -> str:
    """The API token (never logged). Raises if none is configured."""
    token = os.environ.get("FIVESTAR_CKAN_TOKEN")
    if token:
        return token.strip()
    return _token_file("FIVESTAR_CKAN_TOKEN_FILE", "api-token",
                       "no CKAN API token: set FIVESTAR_CKAN_TOKEN or "
                       "FIVESTAR_CKAN_TOKEN_FILE (make catalogue-up writes one)")


def catalogue_publisher_token() -> str:
    """The catalogue publisher's token, as ``make catalogue-up`` hands it over for the
    review service's home (``FIVESTAR_CKAN_PUBLISHER_TOKEN_FILE``, default
    ``catalogue/.state/publisher-api-token``, owned by ``fivestar-review``).

    Read only when the service's home is set up (``make demo``,
    ``python -m fivestar_dev accounts``, tests): the pipeline never uses it.
    """
    return _token_file("FIVESTAR_CKAN_PUBLISHER_TOKEN_FILE", "publisher-api-token",
                       "no catalogue publisher token in {path} (make catalogue-up "
                       "writes one)")


def retrying_session(attempts: int | None = None) -> requests.Session:
    """A session that retries transient failures (unreachable, 5xx) with backoff.

    ``attempts`` (default ``FIVESTAR_CKAN_ATTEMPTS``, else 5) counts the first
    try; waits double from 0.5 s. Every method is retried: the publisher only
    makes calls that are safe to repeat (it compares what is there with the
    manifest before each change), and requests sends uploads from memory.
    """
    attempts = attempts or int(os.environ.get("FIVESTAR_CKAN_ATTEMPTS", "5"))
    retry = Retry(total=attempts - 1, connect=attempts - 1, read=attempts - 1,
                  status=attempts - 1, backoff_factor=0.5, backoff_max=8,
                  status_forcelist=(500, 502, 503, 504), allowed_methods=None,
                  raise_on_status=False)
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def connect(url: str | None = None, token: str | None = None,
            session: requests.Session | None = None) -> ckanapi.RemoteCKAN:
    """A ckanapi client for the configured catalogue (token from the environment)."""
    return ckanapi.RemoteCKAN(url or ckan_url(), apikey=token or read_token(),
                              user_agent=USER_AGENT, session=session or retrying_session())


class CKANResource(ConfigurableResource):
    """Where to publish. Only the URL is configuration; the token is read lazily."""

    url: str | None = None

    def client(self) -> ckanapi.RemoteCKAN:
        return connect(self.url)
