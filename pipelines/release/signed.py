"""Statements the review service signs: staging tickets and publication authorisations.

Both are JSON Web Tokens (RFC 7519) signed with the service's Ed25519 key
(``EdDSA``, via PyJWT), each with a ``typ`` so one can never be used as the
other, a unique ``jti``, and a short expiry:

* a **staging ticket** says "user U (role R) may stage dataset D" for a short
  while. The statistician gets one after authenticating (``fivestar stage``
  does it for them, ``fivestar ticket`` prints one for a Dagster launch); the
  ``staged_release`` step hands it back when it registers the release, and
  only then is the staging recorded, under U's name and actual role. It works
  once: the service spends its ``jti``.
* a **publication authorisation** says "dataset D may become public holding
  exactly these files (names and sha256) and this metadata, as release X,
  with the audit head at (n, mac)". The service issues it under the dataset
  lock at the moment of going public; the catalogue's plugin checks it with
  the public key and refuses any public dataset state it does not cover.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pipelines.errors import FivestarError
from pipelines.release.keys import ServiceKeys, key_id

TICKET = "fivestar-staging-ticket"
AUTHORISATION = "fivestar-publication"
#: Marks a browser that has signed in as a user before (see review/throttle.py).
DEVICE = "fivestar-device"
DEVICE_TTL = timedelta(days=90)
ISSUER = "fivestar-review-service"
TICKET_TTL = timedelta(minutes=30)
AUTHORISATION_TTL = timedelta(minutes=5)


class SignatureRefused(FivestarError):
    """A ticket or authorisation is forged, expired, of the wrong kind or malformed."""


def sign(keys: ServiceKeys, typ: str, claims: dict[str, Any], ttl: timedelta,
         *, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    payload = {**claims, "typ": typ, "iss": ISSUER, "jti": secrets.token_hex(16),
               "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp())}
    return jwt.encode(payload, keys.signing_key, algorithm="EdDSA",
                      headers={"kid": keys.kid})


def verify(public: Ed25519PublicKey, token: str, typ: str,
           *, now: datetime | None = None, expiry: bool = True) -> dict[str, Any]:
    """The claims of a genuine, unexpired token of kind ``typ``; else ``SignatureRefused``.

    ``expiry=False`` accepts an expired one (a staging ticket claimed by its run
    while it was valid: the run's claim bounds it instead)."""
    if not isinstance(token, str) or not token or len(token) > 65536:
        raise SignatureRefused("no signed token given")
    try:
        header = jwt.get_unverified_header(token)
        if header.get("kid") != key_id(public):
            raise SignatureRefused("signed by a key this service does not hold")
        claims = jwt.decode(token, public, algorithms=["EdDSA"], issuer=ISSUER,
                            options={"require": ["exp", "iat", "jti", "typ", "iss"],
                                     "verify_exp": expiry and now is None})
    except jwt.ExpiredSignatureError:
        raise SignatureRefused("the signed token has expired") from None
    except jwt.InvalidTokenError:
        raise SignatureRefused("the signed token is forged or malformed") from None
    if expiry and now is not None and claims["exp"] <= int(now.timestamp()):
        raise SignatureRefused("the signed token has expired")
    if claims.get("typ") != typ:
        raise SignatureRefused(f"not a {typ.removeprefix('fivestar-').replace('-', ' ')}")
    return claims
