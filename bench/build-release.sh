#!/usr/bin/env bash
# Builds recherche as the benchmarks time it and prints the binary's path:
# on x86-64 Linux statically linked (glibc static-pie: no dynamic loader at
# start, 0.3 ms less per run; README, "Everyday use"), else as `cargo build
# --release` builds it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "$(uname -sm)" == "Linux x86_64" ]]; then
  RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --release --quiet --target x86_64-unknown-linux-gnu
  echo "$PWD/target/x86_64-unknown-linux-gnu/release/recherche"
else
  cargo build --release --quiet
  echo "$PWD/target/release/recherche"
fi
