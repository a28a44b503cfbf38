#!/usr/bin/env bash
# Refresh static/vendor/ from the npm packages pinned in package.json.
#
# The app itself never needs node or the network: the files this script
# copies are committed. Run it only to add or upgrade a front-end library:
#
#   bash scripts/vendor-static.sh                # install from package-lock.json (npm ci)
#   bash scripts/vendor-static.sh --update-lock  # after changing a pin in package.json
#
# It installs into a temporary directory (no node_modules in the repo),
# copies only the dist files each page needs plus each package's licence
# into static/vendor/<name>/, and writes static/vendor/VERSIONS.txt.
# static/vendor/README.md and static/vendor/nl-regions/ are not touched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/static/vendor"
MAX_BYTES=$((3 * 1024 * 1024))

update_lock=0
case "${1:-}" in
  "") ;;
  --update-lock) update_lock=1 ;;
  -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
  *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
esac

for tool in npm node; do
  command -v "$tool" >/dev/null || { echo "vendor-static: '$tool' is required" >&2; exit 1; }
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Every pin must be an exact version, so that a re-run gives the same files.
node -e '
  const deps = require(process.argv[1]).devDependencies || {};
  const loose = Object.entries(deps).filter(([, v]) => !/^\d+\.\d+\.\d+$/.test(v));
  if (loose.length) {
    console.error("vendor-static: pin exact versions in package.json: " +
      loose.map(([n, v]) => n + "@" + v).join(", "));
    process.exit(1);
  }' "$ROOT/package.json"

cp "$ROOT/package.json" "$WORK/"
# No install scripts are needed to copy dist files; the lock file records
# names, versions and integrity hashes but no registry address.
NPM_FLAGS=(--no-audit --no-fund --ignore-scripts --omit-lockfile-registry-resolved --loglevel=error)
if [[ -f "$ROOT/package-lock.json" && $update_lock -eq 0 ]]; then
  cp "$ROOT/package-lock.json" "$WORK/"
  (cd "$WORK" && npm ci "${NPM_FLAGS[@]}")
else
  (cd "$WORK" && npm install "${NPM_FLAGS[@]}")
  cp "$WORK/package-lock.json" "$ROOT/package-lock.json"
  echo "vendor-static: wrote package-lock.json"
fi
NM="$WORK/node_modules"

version_of() {
  node -p 'require(process.argv[1]).version' "$NM/$1/package.json"
}

# Source maps are not vendored, so drop the comments that point at them:
# a browser would fetch a 404, and Django's ManifestStaticFilesStorage
# fails collectstatic on a sourceMappingURL whose file is missing.
strip_source_maps() {
  sed -i -E -e '/^\/\/[#@] sourceMappingURL=/d' \
            -e 's#/\*[#@] sourceMappingURL=[^*]*\*/##' "$1"
}

VERSIONS=()

# vendor PACKAGE DEST_DIR FILE... : copy FILEs (paths inside the package)
# into static/vendor/DEST_DIR/, flattened, and record PACKAGE@VERSION.
vendor() {
  local pkg="$1" dest="$VENDOR/$2"; shift 2
  [[ -d "$NM/$pkg" ]] || { echo "vendor-static: $pkg is not installed" >&2; exit 1; }
  rm -rf "$dest"
  mkdir -p "$dest"
  local f
  for f in "$@"; do
    [[ -f "$NM/$pkg/$f" ]] || { echo "vendor-static: $pkg has no $f" >&2; exit 1; }
    cp "$NM/$pkg/$f" "$dest/"
    case "$f" in *.js|*.css) strip_source_maps "$dest/$(basename "$f")" ;; esac
  done
  VERSIONS+=("$pkg@$(version_of "$pkg")")
}

# NL Design System components (class names utrecht-*). EUPL-1.2.
vendor @utrecht/component-library-css utrecht-component-library-css \
  dist/index.css dist/html.css LICENSE.md

# Design tokens (the CSS custom properties the components read), scoped to
# class="voorbeeld-theme". The NL Design System "voorbeeld" (example) theme
# is EUPL-1.2; @utrecht/design-tokens is NOT used: its licence reserves it
# as a proprietary asset of the municipality of Utrecht.
vendor @nl-design-system-unstable/voorbeeld-design-tokens voorbeeld-design-tokens \
  dist/theme.css LICENSE.md

vendor htmx.org htmx.org dist/htmx.min.js LICENSE

# The UMD bundle includes @kurkle/color (MIT); keep its licence beside it.
vendor chart.js chart.js dist/chart.umd.min.js LICENSE.md
cp "$NM/@kurkle/color/LICENSE.md" "$VENDOR/chart.js/LICENSE-kurkle-color.md"

vendor axe-core axe-core axe.min.js LICENSE LICENSE-3RD-PARTY.txt

vendor topojson-client topojson-client dist/topojson-client.min.js LICENSE

# The components the templates rely on must be in the CSS we ship.
css="$VENDOR/utrecht-component-library-css/index.css"
for cls in utrecht-document utrecht-page utrecht-page-header utrecht-page-body \
           utrecht-page-footer utrecht-page-content utrecht-skip-link \
           utrecht-heading-1 utrecht-heading-2 utrecht-heading-3 utrecht-paragraph \
           utrecht-link utrecht-button utrecht-button--primary-action \
           utrecht-button--secondary-action utrecht-button-group \
           utrecht-form-field utrecht-form-label utrecht-form-field-description \
           utrecht-form-field-error-message utrecht-form-fieldset utrecht-textbox \
           utrecht-textarea utrecht-select utrecht-checkbox utrecht-radio-button \
           utrecht-alert utrecht-table utrecht-table__header utrecht-table__row \
           utrecht-table__cell utrecht-data-list utrecht-status-badge utrecht-nav-bar; do
  grep -qE "\.${cls}([^a-zA-Z0-9_-]|$)" "$css" \
    || { echo "vendor-static: .$cls missing from $css" >&2; exit 1; }
done
grep -q '^\.voorbeeld-theme' "$VENDOR/voorbeeld-design-tokens/theme.css" \
  || { echo "vendor-static: .voorbeeld-theme missing from the design tokens" >&2; exit 1; }

printf '%s\n' "${VERSIONS[@]}" > "$VENDOR/VERSIONS.txt"

bytes=$(du -sb "$VENDOR" | cut -f1)
echo "vendor-static: static/vendor is $((bytes / 1024)) KiB:"
sed 's/^/  /' "$VENDOR/VERSIONS.txt"
if (( bytes > MAX_BYTES )); then
  echo "vendor-static: static/vendor is over $((MAX_BYTES / 1024 / 1024)) MiB; vendor fewer files" >&2
  exit 1
fi
