#!/usr/bin/env bash
# The workload that trains the profile-guided release build: a full build,
# searches of every kind (text, JSON, explain, colours, filters, typos,
# completions, phrases, stop words only), stale checks with and without
# changes, updates, status, export and show, on the corpus of
# `bench/pgo/corpus.py`.
#
# Usage: bench/pgo/train.sh BINARY CORPUS_DIR INDEX_DIR
set -euo pipefail
bin=$1 corpus=$2 index=$3
# A command on the training corpus and index: its options come first, as
# the query may follow a `--`.
run() { local command=$1; shift; "$bin" "$command" --corpus "$corpus" --index "$index" "$@"; }
# A search that finds nothing, or only stop words, exits with 1; anything
# else but 0 is a failure of the workload.
search() { run search "$@" > /dev/null || [ $? -eq 1 ]; }
rm -rf "$index"
run index --full --quiet
"$(dirname "$0")/searches.sh" "$bin" "$corpus" "$index" 3
for _ in 1 2 3 4; do
  search médias
  run index --quiet
done
printf '\nUn paragraphe ajouté pour la mise à jour.\n' >> "$corpus/post-00010.txt"
search "paragraphe ajouté" 2> /dev/null
printf '\nUn autre paragraphe, édité ensuite.\n' >> "$corpus/post-00020.txt"
run index --quiet
run status > /dev/null
run status --json > /dev/null
run export --ndjson > /dev/null
run show "$(run search --json --limit 1 --no-refresh médias | python3 -c 'import json, sys; print(json.load(sys.stdin)["hits"][0]["id"])')" > /dev/null
