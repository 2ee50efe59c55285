#!/usr/bin/env bash
# Builds recherche as the benchmarks time it and prints the binary's path.
#
# On x86-64 Linux: statically linked (glibc static-pie: no dynamic loader at
# start, 0.3 ms less per run; README, "Everyday use") and optimised with the
# profile of a training run (profile-guided optimisation): an instrumented
# build runs `bench/pgo/train.sh` on the corpus of `bench/pgo/corpus.py`
# (not the benchmark's), and the release build is compiled with the branch
# and call counts it recorded, its code laid out so that what a search
# runs comes first (below). Needs `llvm-profdata` of the compiler's LLVM
# (`rustup component add llvm-tools`) and Rust's own linker, lld (the
# default for this target since Rust 1.90). `PGO=0` builds without either;
# elsewhere, `cargo build --release`. Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if [[ "$(uname -sm)" != "Linux x86_64" ]]; then
  cargo build --release --quiet
  echo "$root/target/release/recherche"
  exit
fi
target=x86_64-unknown-linux-gnu
static="-C target-feature=+crt-static"
if [[ "${PGO:-1}" == 0 ]]; then
  RUSTFLAGS="$static" cargo build --release --quiet --target $target
  echo "$root/target/$target/release/recherche"
  exit
fi

profdata="$(rustc --print sysroot)/lib/rustlib/$target/bin/llvm-profdata"
if [[ ! -x "$profdata" ]]; then
  echo "bench/build-release.sh: llvm-profdata not found; run \`rustup component add llvm-tools\`, or PGO=0" >&2
  exit 2
fi
pgo=$root/target/pgo
mkdir -p "$pgo"

echo "build-release: instrumented build" >&2
RUSTFLAGS="$static -C profile-generate=$pgo/raw" CARGO_TARGET_DIR=$pgo/generate \
  cargo build --release --quiet --target $target
instrumented=$pgo/generate/$target/release/recherche
# A profile per instrumented binary and training workload: an unchanged
# source is not trained (nor its release build compiled) again, unless
# the training's corpus and index, which the code's order below searches,
# are gone.
profile=$pgo/recherche-$(cat "$instrumented" bench/pgo/corpus.py bench/pgo/train.sh \
  bench/pgo/searches.sh | sha256sum | cut -c1-16).profdata
if [[ ! -f "$profile" || ! -d "$pgo/index" ]]; then
  echo "build-release: training run" >&2
  rm -rf "$pgo/raw" "$pgo/corpus" "$pgo/index"
  python3 bench/pgo/corpus.py corpus/cadres-dirigeants-medias-sociaux.txt \
    tests/fixtures/snowball-fr/voc.txt "$pgo/corpus" 6000
  bench/pgo/train.sh "$instrumented" "$pgo/corpus" "$pgo/index"
  "$profdata" merge -o "$profile.partial" "$pgo/raw"
  mv "$profile.partial" "$profile"
fi
# The order of the release binary's code (lld's --symbol-ordering-file):
# the functions a search runs first; lld lays out the rest as it would
# without an order (its call-graph sort, --call-graph-profile-sort, which
# an order turns off unless asked for). A search process then takes
# 40-50 % fewer page faults in code, each of which maps the 16 pages of
# the file around it (README, "Speed"). The searches of the training run
# once more, alone, each process counting its own profile: first the
# functions every search ran, then those the profile cannot count
# (`bench/pgo/uninstrumented.txt`: the C library's, Rust's standard
# library's, nearly all run by every search), then those fewer searches
# ran, the more first. Names are as the profile gives them, without the
# codegen unit of a local function; a name the linker does not find is
# left out. The order is named by what it is made of, this script
# included: a new order is a new flag for cargo, which then relinks.
order=${profile%.profdata}-$(cat bench/pgo/uninstrumented.txt bench/pgo/searches.sh \
  bench/build-release.sh | sha256sum | cut -c1-16).order
if [[ ! -f "$order" ]]; then
  echo "build-release: searches for the code's order" >&2
  rm -rf "$pgo/searches"
  LLVM_PROFILE_FILE="$pgo/searches/%p.profraw" \
    bench/pgo/searches.sh "$instrumented" "$pgo/corpus" "$pgo/index" 1
  covered() { "$profdata" show --covered "$1" | sed -e 's/^[^;]*;//' | LC_ALL=C sort -u; }
  for raw in "$pgo/searches"/*.profraw; do covered "$raw"; done \
    | LC_ALL=C sort | uniq -c | LC_ALL=C sort -k1,1nr -k2 > "$pgo/searches.count"
  every=$(ls "$pgo/searches" | wc -l)
  {
    awk -v every="$every" '$1 == every { print $2 }' "$pgo/searches.count"
    grep -v '^#' bench/pgo/uninstrumented.txt
    awk -v every="$every" '$1 < every { print $2 }' "$pgo/searches.count"
  } | awk '!seen[$0]++' > "$order.partial"
  mv "$order.partial" "$order"
fi

echo "build-release: optimised build" >&2
layout="-C link-arg=-Wl,--symbol-ordering-file=$order -C link-arg=-Wl,--no-warn-symbol-ordering"
layout+=" -C link-arg=-Wl,--call-graph-profile-sort=cdsort"
RUSTFLAGS="$static -C profile-use=$profile $layout" CARGO_TARGET_DIR=$pgo/use \
  cargo build --release --quiet --target $target
echo "$pgo/use/$target/release/recherche"
