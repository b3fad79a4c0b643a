"""The review service's secrets: the audit MAC key and the signing key.

Both live in the service's home folder (``keys/``, 0700, files 0600), owned
by the service's own OS user, so nobody with a shell on the pipeline host can
read them:

* ``audit-mac.key`` — 32 random bytes; every audit entry and every line of
  the anchor log carries an HMAC-SHA256 under it. Without the key nobody can
  forge, re-chain or append an entry that verifies.
* ``signing.pem`` — an Ed25519 private key. The service signs staging
  tickets and publication authorisations with it (JWT, ``EdDSA``); the
  catalogue verifies authorisations with the public half only
  (``signing.pub.pem``, safe to share), so CKAN holds no secret of ours.

The key id (``kid``) is the first 16 hex digits of the public key's sha256,
so a verifier holding several trusted keys picks the right one.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pipelines.errors import FivestarError

MAC_KEY_FILE = "audit-mac.key"
SIGNING_KEY_FILE = "signing.pem"
PUBLIC_KEY_FILE = "signing.pub.pem"


class KeysUnavailable(FivestarError):
    """The service's keys are missing, unreadable or malformed."""


def write_private(path: Path, data: bytes) -> None:
    """Create ``path`` 0600 with ``data``; never overwrite an existing key."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclass(frozen=True)
class ServiceKeys:
    """The loaded keys (kept in memory by the service process only)."""

    mac_key: bytes
    signing_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.signing_key.public_key()

    @property
    def kid(self) -> str:
        return key_id(self.public_key)

    @property
    def public_pem(self) -> bytes:
        return public_pem(self.public_key)

    @classmethod
    def create(cls, folder: Path) -> ServiceKeys:
        """Make new keys in ``folder`` (refuses to replace existing ones)."""
        folder = Path(folder)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if (folder / MAC_KEY_FILE).exists() or (folder / SIGNING_KEY_FILE).exists():
            return cls.load(folder)
        write_private(folder / MAC_KEY_FILE, secrets.token_hex(32).encode())
        signing = Ed25519PrivateKey.generate()
        write_private(folder / SIGNING_KEY_FILE, signing.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        (folder / PUBLIC_KEY_FILE).write_bytes(public_pem(signing.public_key()))
        return cls.load(folder)

    @classmethod
    def load(cls, folder: Path) -> ServiceKeys:
        folder = Path(folder)
        try:
            mac = bytes.fromhex((folder / MAC_KEY_FILE).read_text().strip())
            pem = (folder / SIGNING_KEY_FILE).read_bytes()
        except (OSError, ValueError):
            raise KeysUnavailable("the review service's keys are missing or unreadable "
                            "(run `fivestar service init`)", file=folder.name) from None
        if len(mac) < 32:
            raise KeysUnavailable("audit MAC key is shorter than 32 bytes", file=MAC_KEY_FILE)
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise KeysUnavailable("signing key is not an Ed25519 key", file=SIGNING_KEY_FILE)
        return cls(mac_key=mac, signing_key=key)
