#!/usr/bin/env bash
# Re-fetch the third-party front-end assets served by the map page into app/static/vendor/.
#
# For maintainers only: the app serves the committed files and never needs the network.
# Run this to upgrade a package (change the version below, run, review `git diff`, update
# app/static/vendor/README.md) or to check the committed copies against the registry:
#
#     bash tools/vendor_assets.sh          # fetch and copy
#     bash tools/vendor_assets.sh --check  # fetch and compare, change nothing (exit 1 if different)
#
# Needs `npm` (only for `npm pack`, which downloads a package's tarball from the npm registry;
# nothing is installed and no package scripts run) and `tar`.
set -euo pipefail

LEAFLET_VERSION=1.9.4
SARABUN_VERSION=5.3.0   # @fontsource/sarabun; the font itself is Sarabun by Cadson Demak (OFL-1.1)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/app/static/vendor"
CHECK=0
[[ "${1:-}" == "--check" ]] && CHECK=1

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

fetch() {  # fetch NAME@VERSION DIR: unpack the package tarball into $WORK/DIR
    local spec="$1" dir="$2"
    mkdir -p "$WORK/$dir"
    (cd "$WORK" && npm pack --silent --ignore-scripts "$spec" >"$dir.name")
    tar -xzf "$WORK/$(cat "$WORK/$dir.name")" -C "$WORK/$dir" --strip-components=1
}

fetch "leaflet@$LEAFLET_VERSION" leaflet
fetch "@fontsource/sarabun@$SARABUN_VERSION" sarabun

OUT="$WORK/out"
mkdir -p "$OUT/leaflet/images" "$OUT/sarabun/files"
cp "$WORK/leaflet/dist/leaflet.js" "$WORK/leaflet/dist/leaflet.css" "$WORK/leaflet/LICENSE" \
    "$OUT/leaflet/"
cp "$WORK/leaflet/dist/images/"*.png "$OUT/leaflet/images/"
for subset in thai latin; do
    for weight in 400 700; do
        cp "$WORK/sarabun/files/sarabun-$subset-$weight-normal.woff2" "$OUT/sarabun/files/"
    done
done
cp "$WORK/sarabun/LICENSE" "$OUT/sarabun/LICENSE"
# app/static/vendor/sarabun/sarabun.css is ours (hand-written @font-face rules), not fetched.

if [[ $CHECK == 1 ]]; then
    status=0
    while IFS= read -r -d '' f; do
        rel="${f#"$OUT"/}"
        if ! cmp -s "$f" "$VENDOR/$rel"; then
            echo "differs or missing: app/static/vendor/$rel"
            status=1
        fi
    done < <(find "$OUT" -type f -print0)
    [[ $status == 0 ]] && echo "vendored assets match leaflet@$LEAFLET_VERSION and" \
        "@fontsource/sarabun@$SARABUN_VERSION"
    exit $status
fi

mkdir -p "$VENDOR"
cp -R "$OUT/leaflet" "$OUT/sarabun" "$VENDOR/"
echo "copied leaflet@$LEAFLET_VERSION and @fontsource/sarabun@$SARABUN_VERSION into $VENDOR"
echo "now review 'git diff --stat app/static/vendor' and update app/static/vendor/README.md"
