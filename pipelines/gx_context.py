"""Great Expectations contexts configured the way fivestar needs them.

Ephemeral (nothing written to disk), no analytics (nothing leaves the
machine), and no progress bars (they would flood CLI output and logs).
"""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def ephemeral_context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return ctx
