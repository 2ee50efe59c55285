#!/usr/bin/env bash
# The searches of the training workload (`bench/pgo/train.sh`), on its
# corpus and index: every kind of query (words, phrases, typos,
# completions, exclusions, filters, stop words only, nothing found), as
# text and as JSON, explained and in colour. `bench/build-release.sh` also
# runs them alone, once, to list the code a search runs and lay it out
# together in the release binary.
#
# Usage: bench/pgo/searches.sh BINARY CORPUS_DIR INDEX_DIR ROUNDS
set -euo pipefail
bin=$1 corpus=$2 index=$3 rounds=$4
# A search that finds nothing, or only stop words, exits with 1; anything
# else but 0 is a failure of the workload. Options come first, as the
# query may follow a `--`.
search() { "$bin" search --corpus "$corpus" --index "$index" "$@" > /dev/null || [ $? -eq 1 ]; }
queries=("médias sociaux" "dirigeant" "narcisique" "authenti" '"cadres dirigeants"'
  "pourquoi les cadres détestent-ils les médias sociaux" "vérité" "creee" "abaisser"
  "chemin de fer" "-twitter médias" "kind:comment sourde oreille" "author:Milouse écrire"
  "hopit*" "le la les" "xyzzyq" "voltaïque" "réseaux" "entreprise publicité" "baldaquin")
for ((round = 0; round < rounds; round++)); do
  for q in "${queries[@]}"; do
    search --no-refresh -- "$q" 2> /dev/null
    search --no-refresh --json -- "$q" 2> /dev/null
  done
done
for q in "${queries[@]:0:6}"; do
  search --explain --json -- "$q"
  search --color always --limit 30 -- "$q"
done
