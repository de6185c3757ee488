#!/usr/bin/env bash
# Screenshot of datasette browsing a tracker database, for the README (docs/datasette-figures.png).
#
#   bash scripts/screenshot.sh [OUT.png]
#
# Needs: tracker with the [web] and [html] extras (pip install -e '.[web,html]') and Debian's
# chromium (apt-get install -y chromium fonts-noto-core). Builds a throwaway database from the
# test fixtures, serves it on 127.0.0.1 only, and stops the server it started.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/docs/datasette-figures.png}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
    echo "error: chromium not found; install it with: apt-get install -y chromium fonts-noto-core" >&2
    exit 1
fi
command -v datasette >/dev/null || { echo "error: datasette not found; pip install -e '.[web]'" >&2; exit 1; }

work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

cd "$root"                      # relative paths are what the database shows
python -m cli --db "$work/tracker.db" -q ingest tests/fixtures/series >/dev/null
python -m cli --db "$work/tracker.db" -q ingest tests/fixtures/html/*.htm* >/dev/null 2>&1 || true   # one page is empty on purpose
cd "$work"
port="$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
datasette serve tracker.db -m "$root/tracker/datasette-metadata.json" -h 127.0.0.1 -p "$port" >datasette.log 2>&1 &
server=$!
for _ in $(seq 1 50); do
    python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/-/versions.json', timeout=1)" \
        2>/dev/null && break
    sleep 0.2
done

url="http://127.0.0.1:$port/tracker/figures?_sort=start"
mkdir -p "$(dirname "$out")"
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1600,1300 --screenshot="$out" "$url" >/dev/null 2>&1
echo "wrote $out"
