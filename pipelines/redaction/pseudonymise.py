"""Keyed pseudonyms: HMAC-SHA256 of the value under a secret key.

Keyed (not a plain hash) because identifiers such as case numbers come from a
small, guessable space: anyone could hash every candidate and reverse an
unkeyed digest. The key comes only from the environment
(``FIVESTAR_PSEUDONYMISATION_KEY``) and there is deliberately no default: a
built-in key would be public and the pseudonyms reversible. The same key gives
the same pseudonym across releases, so linked records stay linked.
"""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd

from pipelines.errors import FivestarError, Location, Problem

KEY_ENV = "FIVESTAR_PSEUDONYMISATION_KEY"
MIN_KEY_BYTES = 16


def require_key(key: bytes | None, dataset: str, field: str,
                purpose: str = "is to be pseudonymised") -> bytes:
    """Refuse to key a hash without a proper key (never fall back to a default)."""
    if not key:
        raise FivestarError(Problem(
            "redaction-key", f"field `{field}` {purpose} but no key was given; set {KEY_ENV}",
            Location(file=dataset, field=field)))
    if len(key) < MIN_KEY_BYTES:
        raise FivestarError(Problem(
            "redaction-key", f"the pseudonymisation key must be at least {MIN_KEY_BYTES} bytes",
            Location(file=dataset, field=field)))
    return key


def pseudonym(value: str, key: bytes, length: int = 16, prefix: str = "") -> str:
    """The pseudonym of one value: a prefix and the first ``length`` hex digits of the HMAC."""
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return prefix + digest[:length]


def pseudonymise_series(values: pd.Series, key: bytes, length: int = 16,
                        prefix: str = "") -> pd.Series:
    """Pseudonymise a column; nulls stay null.

    HMAC has no vectorised form, so each *distinct* value is hashed once and
    the column is mapped through that table.
    """
    as_text = values.astype("string")
    uniques = as_text.dropna().unique()
    table = {u: pseudonym(str(u), key, length, prefix) for u in uniques}
    return as_text.map(table, na_action="ignore").astype("string")
