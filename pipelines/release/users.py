"""Who may do what: the review service's users and roles.

The users file lives in the review service's home folder (0700, owned by the
service's OS user), and only the service reads it. Callers never name a
users file: the CLI authenticates *to the service* (``pipelines.release.client``),
so pointing an environment variable at a file of one's own changes nothing.

Two sources of identity:

1. **Local accounts** (default): ``<service home>/users.yaml`` (0600),
   holding argon2id password hashes (never passwords); an account with no
   ``password_hash`` signs in only through SSO or with a token the service
   issued (service accounts such as the publisher)::

       users:
         champion.demo:
           name: Demo Transparency Champion
           roles: [transparency_champion]
           password_hash: "$argon2id$v=19$m=65536,t=3,p=4$..."

2. **A trusted reverse proxy** (single sign-on): set
   ``FIVESTAR_TRUSTED_USER_HEADER`` (e.g. ``X-Remote-User``) and the review app
   takes the user name from that header instead of a login form. Roles come
   from the users file (entries need no ``password_hash``), or from the header
   named by ``FIVESTAR_TRUSTED_ROLES_HEADER`` (comma-separated) if that is set.

   SECURITY: anyone who can reach the app directly can send that header and
   be whoever they like. Only enable it when the app listens on loopback (or a
   private socket) behind a proxy that authenticates the user and always
   *overwrites* (or strips) the header on every request it forwards.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pipelines.errors import FivestarError

TRUSTED_USER_HEADER_ENV = "FIVESTAR_TRUSTED_USER_HEADER"
TRUSTED_ROLES_HEADER_ENV = "FIVESTAR_TRUSTED_ROLES_HEADER"
MIN_PASSWORD_LENGTH = 12

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so a wrong user name costs
    the same time as a wrong password (no user enumeration by timing)."""
    return _hasher.hash("fivestar-no-such-user-placeholder")


class Role(StrEnum):
    #: stages releases (with a signed ticket); may withdraw
    statistician = "statistician"
    #: approves or rejects releases (never their own staging); may withdraw
    transparency_champion = "transparency_champion"
    #: manages users
    admin = "admin"
    #: runs the pipeline: launches and terminates Dagster runs
    operator = "operator"
    #: service account of the publication sensor: carries out due publications
    publisher = "publisher"


class UsersError(FivestarError):
    """The users file is malformed, or a user cannot be added."""


@dataclass(frozen=True)
class User:
    """An authenticated person and the roles they hold."""

    username: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    name: str = ""

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def display(self) -> str:
        return self.name or self.username


def hash_password(password: str) -> str:
    """An argon2id hash (argon2-cffi's defaults: RFC 9106 low-memory profile)."""
    return _hasher.hash(password)


def _parse_roles(raw, where: str) -> frozenset[Role]:
    if not isinstance(raw, list):
        raise UsersError(f"{where}.roles must be a list")
    try:
        return frozenset(Role(r) for r in raw)
    except ValueError:
        raise UsersError(
            f"{where}.roles: unknown role; use {', '.join(r.value for r in Role)}") from None


@dataclass
class UserDirectory:
    """The users file, loaded."""

    path: Path
    records: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> UserDirectory:
        """Load and validate the file; a missing file is an empty directory."""
        path = Path(path)
        if not path.exists():
            return cls(path=path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            raise UsersError("users file is unreadable or not valid YAML", file=path) from None
        users = data.get("users", {}) if isinstance(data, dict) else None
        if not isinstance(users, dict):
            raise UsersError("users file must hold a `users:` mapping", file=path)
        records: dict[str, dict] = {}
        for username, rec in users.items():
            where = f"users.{username}"
            if not isinstance(username, str) or not _USERNAME.fullmatch(username):
                raise UsersError(f"{where}: invalid user name", file=path)
            if not isinstance(rec, dict):
                raise UsersError(f"{where} must be a mapping", file=path)
            unknown = set(rec) - {"name", "roles", "password_hash"}
            if unknown:
                raise UsersError(f"{where}: unknown keys {sorted(unknown)}", file=path)
            _parse_roles(rec.get("roles", []), where)
            records[username] = rec
        return cls(path=path, records=records)

    def get(self, username: str) -> User | None:
        rec = self.records.get(username)
        if rec is None:
            return None
        return User(username=username, roles=_parse_roles(rec.get("roles", []), username),
                    name=str(rec.get("name") or ""))

    def list(self) -> list[User]:
        return [u for name in sorted(self.records) if (u := self.get(name)) is not None]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password matches their argon2 hash; None otherwise.

        Always runs one argon2 verification (against a dummy hash for an
        unknown user), so timing does not tell which user names exist. It is
        CPU-bound for ~50 ms: callers in an event loop run it in a thread.
        """
        rec = self.records.get(username)
        stored = rec.get("password_hash") if rec else None
        try:
            _hasher.verify(stored or _dummy_hash(), password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if not stored:
            return None
        return self.get(username)

    def has_admin(self) -> bool:
        return any(u.has(Role.admin) for u in self.list())

    def add(self, username: str, roles: list[Role] | list[str], password: str | None,
            name: str = "") -> User:
        """Add or replace a user and save the file (0600: it holds password hashes)."""
        if not _USERNAME.fullmatch(username):
            raise UsersError("user name: letters, digits, '.', '_', '@', '-' (max 100)")
        parsed = _parse_roles(list(roles), username)
        if not parsed:
            raise UsersError("a user needs at least one role")
        rec: dict = {"name": name, "roles": sorted(r.value for r in parsed)}
        if password is not None:
            if len(password) < MIN_PASSWORD_LENGTH:
                raise UsersError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
            rec["password_hash"] = hash_password(password)
        self.records[username] = rec
        self.save()
        return self.get(username)  # type: ignore[return-value]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yaml.safe_dump({"users": self.records}, fh, sort_keys=True)
        os.replace(tmp, self.path)


def trusted_header() -> str | None:
    """The proxy identity header's name, when SSO mode is on."""
    return os.environ.get(TRUSTED_USER_HEADER_ENV) or None


def user_from_headers(headers, directory: UserDirectory) -> User | None:
    """The proxy-asserted user (SSO mode), with roles from the file or the roles header.

    Returns None when SSO mode is off, the header is absent, or the user has
    no roles: no identity means no access (fail closed).
    """
    header = trusted_header()
    if not header:
        return None
    username = (headers.get(header) or "").strip()
    if not username or not _USERNAME.fullmatch(username):
        return None
    roles_header = os.environ.get(TRUSTED_ROLES_HEADER_ENV)
    if roles_header:
        raw = [r.strip() for r in (headers.get(roles_header) or "").split(",") if r.strip()]
        roles = frozenset(Role(r) for r in raw if r in Role.__members__)
        known = directory.get(username)
        return User(username, roles, known.name if known else "") if roles else None
    user = directory.get(username)
    return user if user and user.roles else None


#: The publication sensor's service account (token only, no password).
PUBLISHER = "fivestar-publisher"
