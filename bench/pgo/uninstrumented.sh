#!/usr/bin/env bash
# Lists the functions a search runs that the profile of an instrumented
# build cannot name, for `bench/pgo/uninstrumented.txt`: the C library's,
# mimalloc's, and those of Rust's standard library, which comes compiled
# with the toolchain. Their names stay the same from one build to the
# next (for one toolchain and C library), unlike the rest, which
# `bench/build-release.sh` takes from each build's own profile. Runs the
# searches of `bench/pgo/searches.sh` under valgrind's callgrind, which
# names every function executed, and keeps those the profile does not
# know. A string function the C library picks by processor at start
# (`memcpy`, `strcmp`...) is listed with its AVX2, EVEX and AVX-512
# versions, as valgrind's processor is not the machine's.
#
# Usage: bench/pgo/uninstrumented.sh BINARY PROFILE CORPUS_DIR INDEX_DIR \
#   > bench/pgo/uninstrumented.txt
# with a release BINARY and the PROFILE, corpus and index of a
# `bench/build-release.sh` run (under target/pgo/).
set -euo pipefail
bin=$1 profile=$2 corpus=$3 index=$4
# Byte order for `sort` and `comm` alike.
export LC_ALL=C
profdata="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/llvm-profdata"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/recherche" <<WRAP
#!/usr/bin/env bash
exec valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%p" \
  --compress-strings=no --demangle=no "$bin" "\$@" 2> /dev/null
WRAP
chmod +x "$work/recherche"
"$(dirname "$0")/searches.sh" "$work/recherche" "$corpus" "$index" 1
nm "$bin" | awk '$2 ~ /^[tTWwi]$/ { print $3 }' | sort -u > "$work/symbols"
"$profdata" show --all-functions "$profile" | sed -n -e 's/^  \(.*\):$/\1/p' \
  | sed -e 's/^[^;]*;//' | sort -u > "$work/profiled"
grep -h '^fn=' "$work"/callgrind.* | sed -e 's/^fn=//' -e "s/'[0-9]*\$//" \
  | grep -v -e '^0x' -e '^(below' | sort -u | comm -23 - "$work/profiled" > "$work/executed"
echo "# Functions a search runs that the profile does not name (C library,"
echo "# mimalloc, Rust's standard library): bench/pgo/uninstrumented.sh."
python3 - "$work/symbols" "$work/executed" <<'PY'
import re, sys
symbols = set(open(sys.argv[1]).read().split())
listed = []
def add(name):
    if name in symbols and name not in listed:
        listed.append(name)
for name in open(sys.argv[2]).read().split():
    add(name)
    family = re.match(r"^(__[a-z0-9]+?)_(avx2|avx|sse2|sse42|sse4_2)(_.*)?$", name) \
        or re.match(r"^()([a-z0-9]+)_ifunc$", name)
    if family:
        prefix = (family.group(1) or "__" + family.group(2)) + "_"
        for other in sorted(symbols):
            if other.startswith(prefix) and re.search("avx2|evex|avx512", other):
                add(other)
print("\n".join(listed))
PY
