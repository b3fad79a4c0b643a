"""URI sets, following "Designing URI sets for the UK public sector".

* ``{base}/id/<dataset>/<thing>/<key…>`` — things (observations, records, the
  dataset itself), which are not documents;
* ``{base}/doc/<dataset>/…`` — documents about them (the published files);
* ``{base}/def/<dataset>/…`` — the dataset's structure definition; the shared
  vocabulary and code lists live under ``/def/fivestar/`` and ``/def/<stem>/``.

Reference periods link to the UK reference time-interval URI set
(``http://reference.data.gov.uk/id/quarter/2024-Q1`` …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.periods import financial_year

REF_TIME = "http://reference.data.gov.uk/id/"

_PERIOD_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("quarter", re.compile(r"^\d{4}-Q[1-4]$")),
    ("month", re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")),
    ("year", re.compile(r"^\d{4}$")),
    ("day", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
]
_MONTH = _PERIOD_KINDS[1][1]
#: Characters allowed unescaped in a path segment we mint (RFC 3986 unreserved).
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")


@dataclass(frozen=True)
class UriSets:
    """The URI sets of one dataset under one base."""

    base: str
    dataset: str

    @property
    def dataset_uri(self) -> str:
        """The dataset as a thing (dcat:Dataset, qb:DataSet)."""
        return f"{self.base}/id/{self.dataset}"

    def thing(self, path: str) -> str:
        return f"{self.base}/id/{self.dataset}/{path}"

    def doc(self, filename: str) -> str:
        """A published document (a distribution's access/download URL at convert time)."""
        return f"{self.base}/doc/{self.dataset}/{quote(filename)}"

    def definition(self, path: str) -> str:
        return f"{self.base}/def/{self.dataset}/{path}"

    @property
    def catalogue_uri(self) -> str:
        return f"{self.base}/id/catalogue"

    @property
    def structure_uri(self) -> str:
        return self.definition("structure")


def segment(value: str) -> str:
    """One value as a URI path segment: percent-encoded unless already safe."""
    return value if _SAFE_SEGMENT.match(value) else quote(value, safe="")


def period_kind(values: pd.Series | list[str], financial_years: bool = False) -> str | None:
    """The reference interval type shared by every value, or None if mixed/unknown.

    With ``financial_years`` (:func:`pipelines.periods.reads_as_financial_years`) a
    ``2023-24`` value is a government year, never a month; its URI's segment is not
    the value (``government-year/2023-2024``), so such a column has no one template.
    """
    uniques = pd.unique(pd.Series(values, dtype="string").dropna())
    if len(uniques) == 0:
        return None
    if financial_years and any(financial_year(str(u)) is not None for u in uniques):
        return None
    for kind, pattern in _PERIOD_KINDS:
        if all(pattern.match(str(u)) for u in uniques):
            return kind
    return None


def period_uri(value: str, financial_years: bool = False) -> str | None:
    """``2024-Q1`` → ``http://reference.data.gov.uk/id/quarter/2024-Q1``; a financial
    year ``2023-24`` → ``…/id/government-year/2023-2024`` (None if unknown)."""
    fy = financial_year(value)
    if fy is not None and (financial_years or not _MONTH.match(value)):
        return f"{REF_TIME}government-year/{fy}-{fy + 1}"
    for kind, pattern in _PERIOD_KINDS:
        if pattern.match(value):
            return f"{REF_TIME}{kind}/{value}"
    return None


def period_string(values: pd.Series) -> pd.Series:
    """Period values as their notation (dates as ISO days)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.Series(pd.arrays.ArrowStringArray(datetime_text(values, "%Y-%m-%d")),
                         index=values.index)
    return as_strings(values)


def datetime_text(values: pd.Series, fmt: str) -> pa.Array:
    """Dates or times formatted by Arrow's kernels (pandas' strftime is a Python loop).

    ISO days (``%Y-%m-%d``, most of what is written) by a cast to ``date32`` and
    its ISO text: the same text as Arrow's ``strftime``, about twenty times faster
    (``strftime`` formats each value through a locale-aware formatter).
    """
    arr = pa.array(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if fmt == "%Y-%m-%d" and pa.types.is_timestamp(arr.type) and arr.type.tz is None:
        return pc.cast(pc.cast(arr, pa.date32()), pa.string())
    return pc.strftime(arr, format=fmt)


def as_strings(values: pd.Series) -> pd.Series:
    """A column as pandas strings, keeping Arrow storage when it already has it.

    ``astype("string")`` would convert Arrow-backed text back to Python
    objects, which costs more per chunk than building the RDF terms.
    """
    return values if isinstance(values.dtype, pd.StringDtype) else values.astype("string")
