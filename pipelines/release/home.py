"""The review service's home folder: its configuration, users, keys and audit log.

Everything that decides what may be published lives here, and only the
service's own OS user can read it: the folder is 0700 and every file 0600,
owned by ``fivestar-review`` (created by ``scripts/setup.sh``), the way the
catalogue's PostgreSQL runs as ``postgres`` with its data folder to itself::

    <home>/                 0700 fivestar-review
      service.yaml          where the audit database is, the catalogue, the releases folder
      users.yaml            accounts (argon2id hashes)
      keys/                 audit-mac.key, signing.pem, signing.pub.pem
      audit.sqlite          the audit log (unless service.yaml names PostgreSQL)
      audit-anchors.jsonl   the chain heads, one keyed line per append
      ckan-token            the catalogue publisher's token (the only one that publishes)
      fuseki-publisher-password  the triple store's publisher login (the only one that
                            writes the live store: linked data goes live from here)
      locks/                one lock file per dataset (decisions and publication)

``fivestar service init`` (run as root) creates it; the service reads its
configuration from ``service.yaml`` only, never from a caller's environment.
"""

from __future__ import annotations

import os
import pwd
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipelines.errors import FivestarError
from pipelines.release.keys import PUBLIC_KEY_FILE, ServiceKeys

#: The OS user the review service runs as (created by scripts/setup.sh).
SERVICE_USER = "fivestar-review"
CONFIG_FILE = "service.yaml"


class HomeError(FivestarError):
    """The service home is missing, unreadable or misconfigured."""


@dataclass
class ServiceConfig:
    """``service.yaml``: what the service needs to know about its surroundings."""

    #: SQLAlchemy URL of the audit database; default SQLite in the home.
    db_url: str | None = None
    #: The catalogue the service switches datasets public and private on.
    ckan_url: str | None = None
    #: The pipeline host's releases folder (read, never written, by the service).
    releases_root: str | None = None
    #: The origin browsers see (behind a proxy), checked against ``Origin``.
    public_origin: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_yaml(self) -> str:
        data = {k: v for k, v in (("db_url", self.db_url), ("ckan_url", self.ckan_url),
                                  ("releases_root", self.releases_root),
                                  ("public_origin", self.public_origin)) if v}
        return yaml.safe_dump(data, sort_keys=True)


@dataclass(frozen=True)
class ServiceHome:
    """Paths inside a service home, and loading what is there."""

    path: Path

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG_FILE

    @property
    def users_path(self) -> Path:
        return self.path / "users.yaml"

    @property
    def keys_dir(self) -> Path:
        return self.path / "keys"

    @property
    def anchors_path(self) -> Path:
        return self.path / "audit-anchors.jsonl"

    @property
    def ckan_token_path(self) -> Path:
        return self.path / "ckan-token"

    @property
    def fuseki_password_path(self) -> Path:
        """The triple store publisher's password: the only login Fuseki lets write the
        live store (a release's graphs go live, a withdrawal drops them)."""
        return self.path / "fuseki-publisher-password"

    @property
    def locks_dir(self) -> Path:
        return self.path / "locks"

    @property
    def public_key_path(self) -> Path:
        return self.keys_dir / PUBLIC_KEY_FILE

    def config(self) -> ServiceConfig:
        try:
            data = yaml.safe_load(self.config_path.read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise HomeError("the review service home is not initialised "
                            "(run `fivestar service init`)", file=str(self.path)) from None
        except (OSError, yaml.YAMLError):
            raise HomeError("service.yaml is unreadable", file=CONFIG_FILE) from None
        if not isinstance(data, dict):
            raise HomeError("service.yaml must be a mapping", file=CONFIG_FILE)
        known = {"db_url", "ckan_url", "releases_root", "public_origin"}
        return ServiceConfig(**{k: data.get(k) for k in known},
                             extra={k: v for k, v in data.items() if k not in known})

    def db_url(self) -> str:
        return self.config().db_url or f"sqlite:///{self.path / 'audit.sqlite'}"

    def keys(self) -> ServiceKeys:
        return ServiceKeys.load(self.keys_dir)

    def ckan_token(self) -> str | None:
        try:
            return self.ckan_token_path.read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def init(self, config: ServiceConfig, *, owner: str | None = None,
             ckan_token: str | None = None,
             fuseki_password: str | None = None) -> ServiceKeys:
        """Create (or complete) the home: keys, config, 0700/0600, owned by ``owner``.

        Existing keys are never replaced (that would orphan the audit chain).
        """
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        keys = ServiceKeys.create(self.keys_dir)
        _write_private(self.config_path, config.to_yaml().encode())
        if ckan_token:
            _write_private(self.ckan_token_path, ckan_token.strip().encode() + b"\n")
        if fuseki_password:
            _write_private(self.fuseki_password_path, fuseki_password.strip().encode() + b"\n")
        self.locks_dir.mkdir(mode=0o700, exist_ok=True)
        if owner:
            chown_tree(self.path, owner)
        lock_down(self.path)
        return keys


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def service_user_exists(name: str = SERVICE_USER) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def chown_tree(root: Path, owner: str) -> None:
    """Give the home to the service's OS user (needs root)."""
    for p in [root, *root.rglob("*")]:
        shutil.chown(p, owner, pwd.getpwnam(owner).pw_gid)


def lock_down(root: Path) -> None:
    """Folders 0700, files 0600 (the public key too: it is shared through the
    service's ``/api/v1/public-key``, and nothing here is for other users)."""
    for p in [root, *root.rglob("*")]:
        if p.is_symlink():
            continue
        if p.is_dir():
            p.chmod(0o700)
        else:
            p.chmod(0o600)
