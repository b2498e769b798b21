#!/bin/sh
# Make sure redis-server exists for the tests that share sessions between workers
# (tests/app/test_store.py, test_workers.py start their own on a free port).
set -e
for candidate in "${REDIS_SERVER_BIN:-}" redis-server; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then
        echo "redis-server: $(command -v "$candidate")"
        exit 0
    fi
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "redis-server: not found, installing Debian's redis-server package"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    exit 0
fi
echo "redis-server: not found. Install it first, e.g. 'sudo apt-get install redis-server'," >&2
echo "or set REDIS_SERVER_BIN to a redis-server binary." >&2
exit 1
