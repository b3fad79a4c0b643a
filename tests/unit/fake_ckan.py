"""A recording catalogue fake for unit tests only (integration tests use the real CKAN)."""

from __future__ import annotations

import ckanapi


class FakeCKAN:
    """Records the catalogue calls the service makes (a unit-test fake: the real
    catalogue is exercised in tests/integration)."""

    def __init__(self, accepts_withdrawn_reason: bool = True, missing: bool = False):
        self.calls: list[tuple[str, dict]] = []
        self.accepts = accepts_withdrawn_reason
        self.missing = missing
        self.action = self

    def __getattr__(self, name):
        def call(**kwargs):
            self.calls.append((name, kwargs))
            if self.missing:
                raise ckanapi.NotFound("no such dataset")
            if name == "package_show":
                return {"name": kwargs["id"], "notes": "Quarterly claims.",
                        "resources": [{"id": "r1", "name": "claims.csv"}]}
            if name == "package_patch" and "withdrawn_reason" in kwargs and not self.accepts:
                raise ckanapi.ValidationError({"withdrawn_reason": ["unknown field"]})
            return {}
        return call

    def patches(self) -> list[dict]:
        return [kw for name, kw in self.calls if name == "package_patch"]
