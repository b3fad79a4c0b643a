"""Generalisation: publish a coarser value instead of the exact one.

Dates become periods, full postcodes become their district or sector, ages
and other numbers become declared bands. All vectorised with pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.spec.redaction import Generalise, GeneraliseTo

#: Full UK postcode (outward code, optional space, inward code), upper-cased first.
_POSTCODE = r"^\s*([A-Z]{1,2}\d[A-Z\d]?)\s*(\d)([A-Z]{2})\s*$"
#: Default age bands when a spec asks for ``age_band`` without its own edges.
DEFAULT_AGE_BANDS = [0, 18, 25, 35, 45, 55, 65]


def generalise(values: pd.Series, rule: Generalise) -> pd.Series:
    """Apply one generalisation rule to a column (nulls stay null)."""
    to = rule.to
    if to in (GeneraliseTo.month, GeneraliseTo.quarter, GeneraliseTo.year):
        return _date(values, to)
    if to in (GeneraliseTo.postcode_district, GeneraliseTo.postcode_sector):
        return _postcode(values, sector=to == GeneraliseTo.postcode_sector)
    edges = rule.bands or DEFAULT_AGE_BANDS
    return band(values, edges)


def _date(values: pd.Series, to: GeneraliseTo) -> pd.Series:
    """Dates to ``2024-03`` (month), ``2024-Q1`` (quarter) or ``2024`` (year)."""
    dates = pd.to_datetime(values, errors="coerce")
    out = pd.Series(pd.NA, index=values.index, dtype="string", name=values.name)
    ok = dates.notna()
    if to == GeneraliseTo.year:
        out[ok] = dates[ok].dt.year.astype(str)
    elif to == GeneraliseTo.quarter:
        out[ok] = dates[ok].dt.year.astype(str) + "-Q" + dates[ok].dt.quarter.astype(str)
    else:
        out[ok] = dates[ok].dt.strftime("%Y-%m")
    return out


def _postcode(values: pd.Series, sector: bool) -> pd.Series:
    """Full postcode to district (``SW1A``) or sector (``SW1A 1``).

    A value that is not a full postcode cannot be generalised safely and
    becomes null, rather than being published as it was.
    """
    parts = values.astype("string").str.upper().str.extract(_POSTCODE)
    out = parts[0] if not sector else parts[0] + " " + parts[1]
    return out.astype("string").rename(values.name)


def band(values: pd.Series, edges: list[float]) -> pd.Series:
    """Numbers to labelled bands: edges [0, 18, 25] give "0-17", "18-24", "25+".

    Labels assume integers (ages, counts); below the first edge becomes
    ``"<first"``.
    """
    nums = pd.to_numeric(values, errors="coerce").astype("float64")
    labels = [f"<{_fmt(edges[0])}"]
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        labels.append(f"{_fmt(lo)}-{_fmt(hi - 1)}")
    labels.append(f"{_fmt(edges[-1])}+")
    idx = np.searchsorted(np.asarray(edges, dtype=float), nums.to_numpy(), side="right")
    out = pd.Series(np.asarray(labels, dtype=object)[idx], index=values.index, name=values.name)
    out[nums.isna().to_numpy()] = None
    return out.astype("string")


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
