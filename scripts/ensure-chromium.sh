#!/bin/sh
# Make sure a Chromium exists for the browser tests. Playwright's own browser
# download cannot work offline, so the tests drive the system Chromium.
set -e
for candidate in "${CHROMIUM_BIN:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
        echo "chromium: $candidate"
        exit 0
    fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "chromium: not found, installing Debian's chromium package"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    exit 0
fi
echo "chromium: not found. Install it first, e.g. 'sudo apt-get install chromium'," >&2
echo "or set CHROMIUM_BIN to a Chromium binary." >&2
exit 1
