#!/usr/bin/env bash
# Builds recherche as the benchmarks time it and prints the binary's path.
#
# On x86-64 Linux: statically linked (glibc static-pie: no dynamic loader at
# start, 0.3 ms less per run; README, "Everyday use") and optimised with the
# profile of a training run (profile-guided optimisation): an instrumented
# build runs `bench/pgo/train.sh` on the corpus of `bench/pgo/corpus.py`
# (not the benchmark's), and the release build is compiled with the branch
# and call counts it recorded. Needs `llvm-profdata` of the compiler's LLVM
# (`rustup component add llvm-tools`). `PGO=0` builds without it; elsewhere,
# `cargo build --release`. Progress goes to stderr.
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
# source is not trained (nor its release build compiled) again.
profile=$pgo/recherche-$(cat "$instrumented" bench/pgo/corpus.py bench/pgo/train.sh | sha256sum | cut -c1-16).profdata
if [[ ! -f "$profile" ]]; then
  echo "build-release: training run" >&2
  rm -rf "$pgo/raw" "$pgo/corpus" "$pgo/index"
  python3 bench/pgo/corpus.py corpus/cadres-dirigeants-medias-sociaux.txt \
    tests/fixtures/snowball-fr/voc.txt "$pgo/corpus" 6000
  bench/pgo/train.sh "$instrumented" "$pgo/corpus" "$pgo/index"
  "$profdata" merge -o "$profile.partial" "$pgo/raw"
  mv "$profile.partial" "$profile"
fi

echo "build-release: optimised build" >&2
RUSTFLAGS="$static -C profile-use=$profile" CARGO_TARGET_DIR=$pgo/use \
  cargo build --release --quiet --target $target
echo "$pgo/use/$target/release/recherche"
