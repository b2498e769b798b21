#!/bin/sh
# Make sure axe-core (the accessibility checker the browser tests run in every page)
# exists under .venv/node. It comes from the npm registry through npm, pinned; the
# tests read the file and evaluate it in the page, so the pages' CSP stays as it is.
set -e
VERSION="${AXE_CORE_VERSION:-4.10.3}"
PREFIX="${AXE_PREFIX:-.venv/node}"
FILE="$PREFIX/node_modules/axe-core/axe.min.js"
installed() {
    [ -f "$FILE" ] && grep -q "\"version\": \"$VERSION\"" "$PREFIX/node_modules/axe-core/package.json"
}
if installed; then
    echo "axe-core: $FILE ($VERSION)"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "axe-core: npm not found. Install Node.js and npm first, e.g." \
         "'sudo apt-get install npm'." >&2
    exit 1
fi
echo "axe-core: installing $VERSION into $PREFIX"
mkdir -p "$PREFIX"
npm install --silent --no-save --no-package-lock --no-audit --no-fund \
    --prefix "$PREFIX" "axe-core@$VERSION" >/dev/null
installed || { echo "axe-core: the install did not leave $FILE" >&2; exit 1; }
echo "axe-core: $FILE ($VERSION)"
