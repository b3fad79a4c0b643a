"""Local service ports: ``FIVESTAR_<NAME>_PORT``, else the default plus ``FIVESTAR_PORT_OFFSET``.

Why one rule for every service: several checkouts share a host (worktrees, CI
jobs), each with an env file that sets only ``FIVESTAR_PORT_OFFSET``. A service
whose port ignored the offset (CKAN, PostgreSQL, Redis, Solr, the review
service, Dagster's UIs once did) started on another checkout's port, or found
that checkout's service already listening and talked to it.
``catalogue/bin/_common.sh`` computes the same ports for the shell scripts.
"""

from __future__ import annotations

import os

#: Each local service's port when ``FIVESTAR_PORT_OFFSET`` is 0.
DEFAULTS = {
    "PG": 54329, "REDIS": 63799, "SOLR": 8984, "CKAN": 5055, "FUSEKI": 3330,
    "LINKEDDATA": 8090, "REVIEW": 8765, "DAGSTER": 3000, "DAGSTER_OPERATOR": 3001,
    "DAGSTER_GRPC": 4266,
}


def offset() -> int:
    """``FIVESTAR_PORT_OFFSET`` (0 when unset or empty)."""
    return int(os.environ.get("FIVESTAR_PORT_OFFSET") or 0)


def service_port(name: str, default: int | None = None) -> int:
    """``FIVESTAR_<NAME>_PORT`` if set, else the service's default plus the offset."""
    value = os.environ.get(f"FIVESTAR_{name}_PORT")
    if value:
        return int(value)
    return (DEFAULTS[name] if default is None else default) + offset()
