#!/bin/sh
# Make sure a Chromium (and a CJK font, so 中文 pages render in screenshots) exists for
# the browser tests. Playwright's own browser download cannot work offline, so the tests
# drive the system Chromium.
set -e
have_font() { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh | grep -q .; }
for candidate in "${CHROMIUM_BIN:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
        found="$candidate"
        break
    fi
done
if [ -n "${found:-}" ] && have_font; then
    echo "chromium: $found"
    exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "chromium: installing Debian's chromium and fonts-wqy-microhei"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
    exit 0
fi
if [ -n "${found:-}" ]; then
    echo "chromium: $found (no Chinese font: 中文 screenshots will show boxes;" \
         "install fonts-wqy-microhei)"
    exit 0
fi
echo "chromium: not found. Install it first, e.g. 'sudo apt-get install chromium'," >&2
echo "or set CHROMIUM_BIN to a Chromium binary." >&2
exit 1
