#!/usr/bin/env bash
# Whole-process figures, side by side in one run, on the Littré corpus:
#   indexing:  recherche index (built by bench/build-release.sh, and the
#              same source without profile-guided optimisation)
#              vs  tantivy-cli index (on 2 threads, and its default of one;
#                  on 2 threads again in interleaved pairs, PAIRS=6)
#              vs  SQLite FTS5
#   querying:  recherche search vs  sqlite3 (bm25 + snippet)  vs  rg -i
#   index size on disk, peak RSS (/usr/bin/time -v), incremental update,
#   no-change update, and a query on the seed post against rg -i.
# Prints Markdown tables (and keeps hyperfine's JSON in WORK_DIR).
#
# Usage: bench/run.sh [WORK_DIR]            (default: bench-work, git-ignored)
#        SCALE_MB=300 bench/run.sh          also builds a 300 MB corpus and
#                                           times a full build of it
# Needs: hyperfine, sqlite3, rg (Debian packages), tantivy-cli
# (`cargo install tantivy-cli`), python3. The corpus is fetched by
# bench/fetch-corpus.sh (Debian's stardict-xmlittre) and never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=${1:-bench-work}
mkdir -p "$work"
work=$(cd "$work" && pwd)
runs=${RUNS:-5}

for tool in hyperfine sqlite3 rg tantivy python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done

bin=$(bench/build-release.sh)
# The same source without profile-guided optimisation, timed beside it.
plain=$(PGO=0 bench/build-release.sh)
bench/fetch-corpus.sh "$work/littre" >&2
corpus=$work/littre
cd "$work"

# --- the same passages for every engine ---------------------------------
"$bin" index --full --quiet --corpus "$corpus" --index "$work/recherche-index"
"$bin" export --ndjson --no-refresh --index "$work/recherche-index" > passages.ndjson
python3 - <<'PY'
import json
with open("passages.ndjson") as src, open("peers.ndjson", "w") as peers, open("passages.tsv", "w") as tsv:
    for line in src:
        p = json.loads(line)
        doc = {k: v for k, v in p.items() if v is not None and k in ("id", "title", "kind", "author", "context", "text")}
        peers.write(json.dumps(doc, ensure_ascii=False) + "\n")
        clean = lambda s: (s or "").replace("\t", " ").replace("\n", " ")
        tsv.write("\t".join([p["id"], clean(p["title"]), clean(p["context"]), clean(p["text"])]) + "\n")
PY
passages=$(wc -l < passages.ndjson)

cat > tantivy-meta.json <<'EOF'
{"index_settings": {"docstore_compression": "lz4", "docstore_blocksize": 16384}, "segments": [], "opstamp": 0,
 "schema": [
  {"name": "id", "type": "text", "options": {"indexing": {"record": "basic", "fieldnorms": false, "tokenizer": "raw"}, "stored": true, "fast": false}},
  {"name": "title", "type": "text", "options": {"indexing": {"record": "freq", "fieldnorms": true, "tokenizer": "default"}, "stored": true, "fast": false}},
  {"name": "kind", "type": "text", "options": {"indexing": {"record": "basic", "fieldnorms": false, "tokenizer": "raw"}, "stored": true, "fast": false}},
  {"name": "author", "type": "text", "options": {"indexing": {"record": "freq", "fieldnorms": true, "tokenizer": "default"}, "stored": true, "fast": false}},
  {"name": "context", "type": "text", "options": {"indexing": {"record": "position", "fieldnorms": true, "tokenizer": "default"}, "stored": true, "fast": false}},
  {"name": "text", "type": "text", "options": {"indexing": {"record": "position", "fieldnorms": true, "tokenizer": "default"}, "stored": true, "fast": false}}]}
EOF
cat > sqlite-load.sql <<'EOF'
CREATE VIRTUAL TABLE passages USING fts5(id UNINDEXED, title, context, text, tokenize = 'unicode61 remove_diacritics 2');
.mode tabs
.import passages.tsv passages
EOF

# --- indexing ------------------------------------------------------------
# Each run starts with its input in the page cache: hyperfine's warm-up is
# not enough where the kernel reclaims idle page cache (DAMON), and every
# engine reads warm input alike.
warm_corpus() { echo "find '$1' -name '*.txt' -exec cat {} + > /dev/null"; }
hyperfine --runs "$runs" --warmup 1 --export-json index.json \
  --prepare "$(warm_corpus "$corpus")" \
  --prepare "$(warm_corpus "$corpus")" \
  --prepare "rm -rf tcli && mkdir tcli && cp tantivy-meta.json tcli/meta.json && cat peers.ndjson > /dev/null" \
  --prepare "rm -rf tcli && mkdir tcli && cp tantivy-meta.json tcli/meta.json && cat peers.ndjson > /dev/null" \
  --prepare "rm -f fts.db && cat passages.tsv > /dev/null" \
  -n "recherche index --full" "$bin index --full --quiet --corpus $corpus --index $work/recherche-index" \
  -n "recherche index --full, built without PGO" "$plain index --full --quiet --corpus $corpus --index $work/plain-index" \
  -n "tantivy-cli index (2 threads)" "tantivy index -i tcli -f peers.ndjson -t 2" \
  -n "tantivy-cli index (its default: 1 indexing thread)" "tantivy index -i tcli -f peers.ndjson" \
  -n "SQLite FTS5" "sqlite3 fts.db < sqlite-load.sql" >&2

# What /usr/bin/time reports for a command (format first), its output dropped.
measure() { local format=$1; shift; /usr/bin/time -f "$format" "$@" 2>&1 >/dev/null | tail -1; }
rss() { measure %M "$@"; }
rss_recherche=$(rss "$bin" index --full --quiet --corpus "$corpus" --index "$work/recherche-index")
rss_plain=$(rss "$plain" index --full --quiet --corpus "$corpus" --index "$work/plain-index")
rm -rf tcli && mkdir tcli && cp tantivy-meta.json tcli/meta.json
rss_tantivy=$(rss tantivy index -i tcli -f peers.ndjson -t 2)
rm -rf tcli1 && mkdir tcli1 && cp tantivy-meta.json tcli1/meta.json
rss_tantivy1=$(rss tantivy index -i tcli1 -f peers.ndjson)
rm -f fts.db
rss_sqlite=$( { /usr/bin/time -f %M sqlite3 fts.db < sqlite-load.sql; } 2>&1 >/dev/null | tail -1)
size() { du -sb "$1" | cut -f1; }
size_recherche=$(size recherche-index); size_plain=$(size plain-index); size_tantivy=$(size tcli); size_tantivy1=$(size tcli1); size_sqlite=$(size fts.db)
# recherche against tantivy-cli on two threads again, in interleaved pairs
# (the order alternating): hyperfine runs one command's runs after the
# other's, and this machine drifts in between. The ratio of the pairs is
# the one to trust. The last build leaves recherche's index fresh for the
# queries below.
time_of() { measure %e "$@"; }
: > index-pairs.txt
for ((i = 0; i < ${PAIRS:-6}; i++)); do
  order=(tantivy recherche)
  ((i % 2)) || order=(recherche tantivy)
  for who in "${order[@]}"; do
    if [[ $who == recherche ]]; then
      eval "$(warm_corpus "$corpus")"
      t=$(time_of "$bin" index --full --quiet --corpus "$corpus" --index "$work/recherche-index")
    else
      rm -rf tcli && mkdir tcli && cp tantivy-meta.json tcli/meta.json && cat peers.ndjson > /dev/null
      t=$(time_of tantivy index -i tcli -f peers.ndjson -t 2)
    fi
    echo "$i $who $t" >> index-pairs.txt
  done
done

# --- querying ------------------------------------------------------------
queries=(amour cheval "chemin de fer" "mauvaise foi" vérité eglise narcisique)
args=()
for i in "${!queries[@]}"; do
  q=${queries[$i]}
  printf "SELECT id, snippet(passages, 3, '[', ']', '…', 24) FROM passages WHERE passages MATCH '%s' ORDER BY bm25(passages) LIMIT 10;\n" "$q" > "query-$i.sql"
  args+=(-n "recherche: $q" "$bin search --no-refresh --json --limit 10 --index $work/recherche-index '$q'")
  args+=(-n "sqlite3: $q" "sqlite3 fts.db '.read query-$i.sql'")
  args+=(-n "rg -i: $q" "rg -i -F -m 10 --no-filename '$q' $corpus")
done
hyperfine --runs 20 --warmup 2 -N --ignore-failure --export-json queries.json "${args[@]}" >&2
# The whole query list of bench/queries.tsv, recherche alone: the median
# and p99 of every run of every query. The corpus is named as the watch
# below names it (a search without its stale check does not read it).
list_args=()
while IFS=$'\t' read -r kind q; do
  [[ -z "$kind" || "$kind" == \#* ]] && continue
  quoted="'${q//\'/\'\\\'\'}'"
  list_args+=(-n "$kind: $q" "$bin search --no-refresh --json --limit 10 --corpus $corpus --index $work/recherche-index $quoted")
done < "$root/bench/queries.tsv"
# Each query is timed with the build without PGO right after it (named
# "without PGO: …"), so that the two builds meet the machine's same hour.
paired_args=()
for ((i = 0; i < ${#list_args[@]}; i += 3)); do
  paired_args+=("${list_args[@]:i:3}" -n "without PGO: ${list_args[i + 1]}" "$plain${list_args[i + 2]#"$bin"}")
done
hyperfine --runs 10 --warmup 1 -N --ignore-failure --export-json query-list.json "${paired_args[@]}" >&2
# The same list, and a search with its stale check, answered by a running
# `recherche watch` (which must name the same corpus and index). The watch
# says how many searches it answered: all of them, or the figures would be
# of searches answering by themselves.
"$bin" watch --corpus "$corpus" --index "$work/recherche-index" > watch.out 2> watch.err &
watch_pid=$!
for _ in $(seq 100); do [ -S "$work/recherche-index/watch.sock" ] && break; sleep 0.1; done
hyperfine --runs 10 --warmup 1 -N --ignore-failure --export-json watch-list.json "${list_args[@]}" >&2
hyperfine --runs 20 --warmup 2 -N --export-json watch-fresh.json \
  -n "recherche search, with a watch running" \
     "$bin search --json --limit 10 --corpus $corpus --index $work/recherche-index amour" >&2
kill -INT "$watch_pid" 2>/dev/null || true; wait "$watch_pid" || true
# Each query is 3 arguments (-n, its name, its command) and runs 11 times
# (a warm-up and 10); the search with its stale check 22 times.
watch_expected=$(( ${#list_args[@]} / 3 * 11 + 22 ))
watch_said=$(grep -o 'stopped watching.*' watch.err || echo "nothing")
printf '%s\n%s\n' "$watch_said" "$watch_expected" > watch-answered.txt
hyperfine --runs 20 --warmup 2 -N --export-json fresh.json \
  -n "recherche search, stale check of $(find "$corpus" -name '*.txt' | wc -l) files" \
     "$bin search --json --limit 10 --corpus $corpus --index $work/recherche-index amour" \
  -n "recherche index, no change" "$bin index --quiet --corpus $corpus --index $work/recherche-index" >&2
one=$(find "$corpus" -name '*.txt' | sort | sed -n 1p)
edit="if grep -q 'ÉDITÉ' '$one'; then sed -i 's/ ÉDITÉ//' '$one'; else sed -i '1s/\$/ ÉDITÉ/' '$one'; fi"
hyperfine --runs 10 --warmup 1 --export-json incremental.json --prepare "$edit" \
  -n "recherche index, one file edited" "$bin index --quiet --corpus $corpus --index $work/recherche-index" >&2

# --- the seed post: recherche against rg -i on the same file --------------
mkdir -p seed/corpus && cp "$root/corpus/"*.txt seed/corpus/
"$bin" index --quiet --corpus seed/corpus --index seed/index
hyperfine --runs 30 --warmup 3 -N --export-json seed.json \
  -n "recherche search médias (seed)" "$bin search --no-refresh --json --index seed/index médias" \
  -n "recherche search médias, stale check (seed)" "$bin search --json --corpus seed/corpus --index seed/index médias" \
  -n "rg -i médias (seed)" "rg -i médias seed/corpus" >&2

if [ -n "${SCALE_MB:-}" ]; then
  "$root/bench/fetch-corpus.sh" --scale-mb "$SCALE_MB" "$work/scaled-$SCALE_MB" >&2
  # Warm: the first run after fetching reads a cold page cache.
  hyperfine --warmup 1 --runs 3 --export-json scaled.json \
    --prepare "$(warm_corpus "$work/scaled-$SCALE_MB")" \
    -n "recherche index --full ($SCALE_MB MB)" "$bin index --full --quiet --corpus $work/scaled-$SCALE_MB --index $work/scaled-index" >&2
  rss_scaled=$(rss "$bin" index --full --quiet --corpus "$work/scaled-$SCALE_MB" --index "$work/scaled-index")
  echo "$rss_scaled" > scaled-rss.txt
fi

# --- report ----------------------------------------------------------------
corpus_bytes=$(find "$corpus" -name '*.txt' -printf '%s\n' | awk '{s+=$1} END{print s+0}')
python3 - "$passages" "$rss_recherche" "$rss_plain" "$rss_tantivy" "$rss_tantivy1" "$rss_sqlite" "$size_recherche" "$size_plain" "$size_tantivy" "$size_tantivy1" "$size_sqlite" "$corpus_bytes" "${SCALE_MB:-0}" <<'PY'
import json, os, platform, statistics, subprocess, sys, datetime
passages, rss_r, rss_p, rss_t, rss_t1, rss_s, size_r, size_p, size_t, size_t1, size_s, corpus_bytes, scale_mb = sys.argv[1:]
def results(name):
    return json.load(open(name))["results"] if os.path.exists(name) else []
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"Measured {datetime.date.today()} on {os.cpu_count()} cores ({cpu}), Linux {platform.release()}; "
      f"Littré: {int(passages):,} passages; medians of hyperfine runs.\n")
idx = results("index.json")
# The ratio is to tantivy-cli on both cores, the stricter of its two rows.
base = next(r["median"] for r in idx if r["command"].startswith("tantivy-cli index (2"))
rss = {"recherche index --full,": rss_p, "recherche": rss_r, "tantivy-cli index (2": rss_t,
       "tantivy": rss_t1, "SQLite": rss_s}
size = {"recherche index --full,": size_p, "recherche": size_r, "tantivy-cli index (2": size_t,
        "tantivy": size_t1, "SQLite": size_s}
print("| indexing the Littré | median | vs tantivy-cli | peak RSS | index size |")
print("|:---|---:|---:|---:|---:|")
for r in idx:
    key = next(k for k in rss if r["command"].startswith(k))
    print(f"| {r['command']} | {r['median']:.2f} s | {r['median'] / base:.2f} | {int(rss[key]) / 1024:.0f} MB | {int(size[key]) / 1e6:.0f} MB |")
ours = next(r["median"] for r in idx if r["command"].startswith("recherche"))
pairs = {}
for line in open("index-pairs.txt"):
    i, who, t = line.split()
    pairs.setdefault(i, {})[who] = float(t)
ratios = sorted(p["recherche"] / p["tantivy"] for p in pairs.values() if len(p) == 2)
if ratios:
    print(f"\nInterleaved, {len(ratios)} pairs of full builds (the order alternating): recherche "
          f"{statistics.median(p['recherche'] for p in pairs.values()):.2f} s, tantivy-cli on 2 threads "
          f"{statistics.median(p['tantivy'] for p in pairs.values()):.2f} s (medians); ratio "
          f"{statistics.median(ratios):.2f} (median of the pairs' ratios; {ratios[0]:.2f}–{ratios[-1]:.2f}).")
scaled = results("scaled.json")
if scaled:
    rss_scaled = open("scaled-rss.txt").read().strip()
    print(f"\nThroughput: the Littré ({int(corpus_bytes) / 1e6:.1f} MB) at {int(corpus_bytes) / 1e6 / ours:.1f} MB/s; "
          f"{scale_mb} MB at {int(scale_mb) / scaled[0]['median']:.1f} MB/s "
          f"({scaled[0]['median']:.1f} s, peak RSS {int(rss_scaled) / 1024:.0f} MB).")
print("\n| query (whole process, top 10) | recherche | sqlite3 FTS5 | rg -i |")
print("|:---|---:|---:|---:|")
q = results("queries.json")
by = {}
for r in q:
    engine, query = r["command"].split(": ", 1)
    by.setdefault(query, {})[engine] = r["median"] * 1000
for query, m in by.items():
    print(f"| {query} | {m.get('recherche', 0):.1f} ms | {m.get('sqlite3', 0):.1f} ms | {m.get('rg -i', 0):.1f} ms |")
listed = [r for r in results("query-list.json") if not r["command"].startswith("without PGO: ")]
unprofiled = [r for r in results("query-list.json") if r["command"].startswith("without PGO: ")]
times = sorted(t for r in listed for t in r["times"])
if times:
    pick = lambda p: times[round((len(times) - 1) * p)] * 1000
    kinds = {}
    for r in listed:
        kinds.setdefault(r["command"].split(": ", 1)[0], []).extend(r["times"])
    print(f"\nThe {len(listed)} queries of bench/queries.tsv, whole process, "
          f"{len(times)} runs: median {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms "
          f"(by kind, medians: " + ", ".join(
              f"{k} {sorted(v)[len(v) // 2] * 1000:.1f} ms" for k, v in kinds.items()) + ").")
times = sorted(t for r in unprofiled for t in r["times"])
if times:
    ratios = [statistics.median(b["times"]) / statistics.median(a["times"]) for a, b in zip(listed, unprofiled)]
    print(f"The same list with the build without PGO, each query timed right after: median {pick(0.5):.1f} ms, "
          f"p99 {pick(0.99):.1f} ms; its queries' medians {statistics.geometric_mean(ratios):.2f} times those "
          f"of the PGO build (geometric mean).")
times = sorted(t for r in results("watch-list.json") for t in r["times"])
said, expected = open("watch-answered.txt").read().split("\n")[:2]
watch_pick = lambda p: times[round((len(times) - 1) * p)] * 1000
print(f"\nWith `recherche watch` running (it said \"{said}\" of {expected} "
      f"searches run): the same list, median {watch_pick(0.5):.1f} ms, p99 {watch_pick(0.99):.1f} ms; "
      f"a search with its stale check, median "
      f"{results('watch-fresh.json')[0]['median'] * 1000:.1f} ms.")
print("\n| update | median |")
print("|:---|---:|")
for r in results("fresh.json") + results("incremental.json"):
    print(f"| {r['command']} | {r['median'] * 1000:.0f} ms |")
print("\n| seed post | median |")
print("|:---|---:|")
for r in results("seed.json"):
    print(f"| {r['command']} | {r['median'] * 1000:.1f} ms |")
PY
