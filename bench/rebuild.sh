#!/usr/bin/env bash
# Rebuild figures: full build, incremental update after editing one file, and
# a no-change run, and a search (stale check included), on COPIES copies of the seed post (distinct file names, one
# word changed in each copy). Needs hyperfine and python3. Prints a Markdown
# table of medians.
#
# Usage: bench/rebuild.sh [COPIES] [WORK_DIR]     (default 2000, a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-2000}
work=${2:-$(mktemp -d)}
bin=$(bench/build-release.sh)
seed=$PWD/corpus/cadres-dirigeants-medias-sociaux.txt

rm -rf "$work/corpus" "$work/index"
mkdir -p "$work/corpus"
for i in $(seq -f '%04g' 1 "$copies"); do
  sed "s/narcissiques/narcissiques$i/" "$seed" > "$work/corpus/post-$i.txt"
done
cd "$work"
"$bin" index --quiet
edit='f=corpus/post-0001.txt; if grep -q "un vision" $f; then sed -i "s/un vision/une vision/" $f; else sed -i "s/une vision/un vision/" $f; fi'

# hyperfine applies a lone --prepare to every command: one per command.
hyperfine --warmup 1 --runs 10 --export-json "$work/rebuild.json" \
  -n "full build ($copies files)" --prepare "true" "$bin index --full --quiet" \
  -n "incremental, one file edited" --prepare "$edit" "$bin index --quiet" \
  -n "no change" --prepare "true" "$bin index --quiet" \
  -n "search stale check + query" --prepare "true" "$bin search --json narcissiques0001"
python3 - "$work/rebuild.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
full = results[0]["median"]
print("| run | median | min | max | vs full build |")
print("|:---|---:|---:|---:|---:|")
for r in results:
    ms = lambda s: f"{s * 1000:.1f} ms"
    print(f"| {r['command']} | {ms(r['median'])} | {ms(r['min'])} | {ms(r['max'])} | {r['median'] / full:.3f} |")
PY
