"""Solr's security.json for its BasicAuthPlugin: one login, every request needing it.

``python3 catalogue/solr/security_json.py USER PASSWORD_FILE > security.json``

Used by ``catalogue/bin/up`` for the local Solr and, for a cluster, to make
the Secret the Solr StatefulSet mounts (docs/kubernetes.md), so both Solrs
refuse anonymous requests (``blockUnknown``) in the same way. The password is
stored as Solr stores it: base64(sha256(sha256(salt + password))) and the
base64 salt. Standard library only (it runs before any environment exists).
"""

import base64
import hashlib
import json
import os
import sys


def security_json(user: str, password: str) -> str:
    salt = os.urandom(32)
    digest = hashlib.sha256(hashlib.sha256(salt + password.encode()).digest()).digest()
    credential = f"{base64.b64encode(digest).decode()} {base64.b64encode(salt).decode()}"
    return json.dumps({"authentication": {
        "class": "solr.BasicAuthPlugin", "blockUnknown": True, "forwardCredentials": False,
        "credentials": {user: credential},
    }}, indent=2)


if __name__ == "__main__":
    user, password_file = sys.argv[1:3]
    with open(password_file, encoding="utf-8") as f:
        print(security_json(user, f.read().strip()))
