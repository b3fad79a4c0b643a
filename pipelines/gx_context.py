"""Great Expectations contexts configured the way fivestar needs them.

Ephemeral (nothing written to disk), no analytics (nothing leaves the
machine), and no progress bars (they would flood CLI output and logs).

GX's pandas engine also fingerprints every batch it loads (an md5 over
``pandas.util.hash_pandas_object`` of the whole frame, about 1.5 s of CPU per
million rows, twice per validation) for a "batch marker" fivestar never reads:
reports are bound to the data by fivestar's own fingerprint. The engine skips
the fingerprint for frames above ``HASH_THRESHOLD`` bytes, so the threshold is
set to zero here, once, for every context this module makes.
"""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def ephemeral_context():
    import great_expectations as gx
    import great_expectations.execution_engine.pandas_execution_engine as pandas_engine
    from great_expectations.data_context.types.base import ProgressBarsConfig

    pandas_engine.HASH_THRESHOLD = 0  # see the module docstring
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return ctx
