#!/usr/bin/env bash
# Load test of `recherche serve` with wrk: the 24 queries of
# bench/queries.tsv in turn against /api/search, at 1, 8 and 64
# connections; requests per second, p50 and p99 latency; the server's
# resident memory before and after more than 100,000 requests.
#
# Usage: bench/serve.sh BINARY CORPUS_DIR INDEX_DIR [SECONDS]
# The index is built (or brought up to date) first. Needs wrk (apt-get
# install wrk).
set -euo pipefail
binary=$1 corpus=$2 index=$3 seconds=${4:-20}
here=$(cd "$(dirname "$0")" && pwd)
script=$(mktemp --suffix .lua)
trap 'rm -f "$script"; kill "$server" 2>/dev/null || true' EXIT

# The queries, URL-encoded, as a Lua list.
python3 - "$here/queries.tsv" > "$script" <<'PY'
import sys, urllib.parse
paths = []
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    query = line.rstrip("\n").split("\t", 1)[1]
    paths.append("/api/search?q=" + urllib.parse.quote(query))
print("paths = {" + ", ".join('"%s"' % p for p in paths) + "}")
print("i = 0")
print("request = function() i = i % #paths + 1; return wrk.format('GET', paths[i]) end")
PY

"$binary" index --quiet --corpus "$corpus" --index "$index"
"$binary" serve --corpus "$corpus" --index "$index" --addr 127.0.0.1:7799 2> /dev/null &
server=$!
until curl -s -o /dev/null http://127.0.0.1:7799/api/status; do sleep 0.2; done
rss() { awk '/VmRSS/ {print $2 / 1024 " MB"}' "/proc/$server/status"; }

echo "memory after start: $(rss)"
wrk -t 1 -c 1 -d 3s -s "$script" http://127.0.0.1:7799 > /dev/null   # warm-up
for connections in 1 8 64; do
  threads=$(( connections < 2 ? 1 : 2 ))
  echo "== $connections connections, ${seconds}s"
  wrk -t "$threads" -c "$connections" -d "${seconds}s" --latency -s "$script" \
      http://127.0.0.1:7799 | grep -E "Requests/sec|requests in| 50%| 99%|Non-2xx|Socket errors"
done
echo "memory after the runs: $(rss)"
