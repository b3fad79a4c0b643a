"""A table handed to the writers as consecutive frames, so conversion streams.

A stored table (:class:`~pipelines.handles.ArrowTable`) is read batch by
batch; every writer takes a :data:`Frames` (a callable that starts a fresh
pass over the table) and never needs the whole table in memory. The plan's
facts about whole columns (the period kind of every value, whether any time
of day is set, the first and last date) come from a first pass that keeps
only what decides them (:func:`column_facts`), so a streamed conversion
writes exactly the bytes a whole-frame one does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pandas as pd

#: A new pass over a table's rows, in order, as pandas frames (index: source positions).
Frames = Callable[[], Iterable[pd.DataFrame]]


def frames_of(data: pd.DataFrame | Frames) -> Frames:
    """``data`` as a :data:`Frames` (a DataFrame is one frame)."""
    if isinstance(data, pd.DataFrame):
        return lambda: (data,)
    return data


def chunks(frames: Iterable[pd.DataFrame], rows: int) -> Iterator[tuple[int, pd.DataFrame]]:
    """The rows of ``frames`` in chunks of at most ``rows``, with each chunk's offset
    (its first row's position in the whole table, 0-based)."""
    offset = 0
    for frame in frames:
        for start in range(0, len(frame), rows):
            chunk = frame.iloc[start:start + rows]
            yield offset, chunk
            offset += len(chunk)


def column_facts(frames: Iterable[pd.DataFrame],
                 valued: set[str]) -> tuple[dict[str, pd.Series], int]:
    """Per column, the few values that decide the plan, and the number of rows.

    A datetime column keeps its first and last value and one with a time of
    day, if any (all the plan and the temporal coverage ask of it). Other
    ``valued`` columns (periods, date-like text, the temporal field: few
    distinct values) keep their distinct values. Every other column keeps no
    values, only its dtype. Every kept series has the column's dtype, no nulls.
    """
    kept: dict[str, list[pd.Series]] = {}
    rows = 0
    for frame in frames:
        rows += len(frame)
        for name in frame.columns:
            s = frame[name]
            if pd.api.types.is_datetime64_any_dtype(s):
                part = _datetime_facts(s)
            elif name in valued:
                part = s.dropna().drop_duplicates()
            else:
                part = s.iloc[:0]
            kept.setdefault(name, []).append(part.reset_index(drop=True))
    facts = {}
    for name, parts in kept.items():
        s = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = _datetime_facts(s)
        elif name in valued:
            s = s.drop_duplicates().reset_index(drop=True)
        facts[name] = s
    return facts, rows


def _datetime_facts(s: pd.Series) -> pd.Series:
    nn = s.dropna()
    if not len(nn):
        return nn.reset_index(drop=True)
    timed = nn[nn.dt.normalize() != nn]
    picked = [nn.min(), nn.max(), *([timed.iloc[0]] if len(timed) else [])]
    return pd.Series(picked, dtype=s.dtype)
