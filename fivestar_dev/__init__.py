"""Development tools that are not part of the runtime ``pipelines`` package.

The synthetic-extract generator (bundled extracts and benchmark-sized ones),
the ``make demo`` journey and the synthetic releases and conversions tests and
benchmarks build on. None of it ships in the wheel: production imports only
``pipelines``, and nothing in ``pipelines`` imports this package.
"""
