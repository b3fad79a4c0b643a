#!/usr/bin/env bash
# Install everything fivestar needs on a fresh Debian machine that has only
# Python, pip and apt: Debian packages, uv (in a private tool venv), and the
# locked Python environment. Idempotent: a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${FIVESTAR_CACHE_DIR:-$PWD/.cache}"
mkdir -p "$CACHE"

# 1. Debian packages, only when something is missing.
missing=()
while read -r pkg; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep >/dev/null "install ok installed" || missing+=("$pkg")
done < scripts/apt-packages.txt
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. uv, in its own small venv under the cache (never the system Python).
UV="$CACHE/tools/bin/uv"
if [[ ! -x "$UV" ]]; then
  echo "setup: installing uv"
  python3 -m venv "$CACHE/tools"
  "$CACHE/tools/bin/pip" install -q --disable-pip-version-check uv
fi

# 3. The pipeline's locked environment.
export UV_CACHE_DIR="$CACHE/uv"
# Bytecode compiled once at install: runs never compile the libraries' sources
# (with PYTHONDONTWRITEBYTECODE, or a read-only venv, every process would: ~2 s
# of CPU per import of great_expectations alone, again in every worker process).
"$UV" sync --frozen --python 3.11 -q --compile-bytecode
# The project's own modules too: installed editable, they are sources the sync does not
# compile, and every `fivestar` process would compile them again (~0.7 s of CPU).
"$UV" run --frozen --no-sync python -m compileall -q -j 0 pipelines fivestar_dev >/dev/null

# 4. The official DCAT-AP 3.0.1 SHACL shapes (from a PyPI package; see catalogue/shapes/).
scripts/dcat-ap-shapes.sh

# 5. The review service runs as its own OS user, with its home folder to itself
#    (like PostgreSQL as `postgres`), so nobody on the pipeline host can read its
#    users, audit log or keys. It needs an interpreter that user may execute: the
#    project's may sit in root's home, so a second environment on Debian's Python
#    (same lock, linked from the same cache: seconds once cached).
if [[ $(id -u) -eq 0 ]] && ! id -u fivestar-review >/dev/null 2>&1; then
  echo "setup: creating the system user fivestar-review"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
    --user-group fivestar-review
fi
SYSTEM_PY=/usr/bin/python3.11
if [[ -x "$SYSTEM_PY" ]]; then
  UV_PROJECT_ENVIRONMENT="$CACHE/system-venv" "$UV" sync --frozen --no-dev --python "$SYSTEM_PY" -q
else
  echo "setup: $SYSTEM_PY not found: the review service will run as the current user" >&2
fi
# 6. The verifier's statistical name model (pipelines/redaction/ner.py): trained once
#    from generated sentences (about two minutes of CPU) and cached under
#    .cache/fivestar/, so no pipeline run waits for it.
"$UV" run --frozen --no-sync python -c "from pipelines.redaction.ner import main; main()"
echo "setup: ready"
