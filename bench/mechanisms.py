"""What each mechanism beyond plain tantivy and threads buys, measured.

For each mechanism, the source is copied (a git worktree of HEAD), the
mechanism taken out by the edit listed below, and the copy built; the
figure the mechanism is for is then timed on both builds in interleaved
rounds, on the corpora of bench/run.py (run it first: it writes the corpora
and the indexes into WORK_DIR). An edit that no longer applies stops the
script: the list must follow the code.

Usage: python3 bench/mechanisms.py [WORK_DIR] [NAME...]
"""
import json
import os
import pathlib
import shlex
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (bench/run.py: corpora, hyperfine, rounds)

ROOT = bench.ROOT
WORK = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "bench-work").resolve()

# name: (what it is for, the figure, the corpora, the edits that remove it)
MECHANISMS = {
    "mimalloc": (
        "the allocator chosen at build time (src/main.rs)",
        "build", ["blog", "littre"],
        [("src/main.rs", "#[global_allocator]\nstatic ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;\n", "")],
    ),
    "stem cache": (
        "each thread keeps the forms of the words it stemmed (src/analysis/stem.rs)",
        "build", ["blog", "littre"],
        [("src/analysis/stem.rs", "pub fn forms(word: &str) -> Forms {\n", "pub fn forms(word: &str) -> Forms {\n    return stem_forms(word);\n    #[allow(unreachable_code)]\n")],
    ),
    "parallel listing": (
        "large folders listed on every core (src/corpus.rs)",
        "checks", ["blog", "littre"],
        [("src/corpus.rs", "const PARALLEL_ENTRIES: usize = 16;", "const PARALLEL_ENTRIES: usize = usize::MAX;")],
    ),
    "manifest meanwhile": (
        "the manifest read while the corpus is listed (src/index/check.rs)",
        "checks", ["blog", "littre"],
        [("src/index/check.rs",
          "let (files, manifest) = rayon::join(|| corpus::list(corpus), || open.manifest());",
          "let (files, manifest) = (corpus::list(corpus), open.manifest());")],
    ),
    "unused places": (
        "no lookup in a field no passage uses (src/search/leaves.rs)",
        "search", ["littre"],
        [("src/search/leaves.rs", "        let mut places = Places {\n            context: false,\n            author: false,\n        };",
          "        let mut places = Places {\n            context: true,\n            author: true,\n        };")],
    ),
    "segment budget": (
        "100 MB per indexing thread instead of 64 MB (src/index/build.rs)",
        "search", ["littre"],
        [("src/index/build.rs", "const THREAD_BUDGET: usize = 100 << 20;", "const THREAD_BUDGET: usize = 64 << 20;")],
    ),
    "fat LTO": (
        "the release profile: one optimisation unit across crates (Cargo.toml)",
        "build", ["littre"],
        [("Cargo.toml", 'lto = "fat"\ncodegen-units = 1\n', "")],
    ),
}


def variant(name, edits):
    """Builds HEAD without the mechanism; returns the binary's path."""
    folder = WORK / "variants" / name.replace(" ", "-")
    subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT,
                   stderr=subprocess.DEVNULL)
    bench.sh("git", "worktree", "add", "--detach", str(folder), "HEAD", cwd=ROOT)
    for file, old, new in edits:
        path = folder / file
        text = path.read_text()
        if old not in text:
            sys.exit(f"{name}: the edit of {file} no longer applies")
        path.write_text(text.replace(old, new))
    target = WORK / "variants" / "target"
    bench.sh("cargo", "build", "--release", cwd=folder,
             env={**os.environ, "CARGO_TARGET_DIR": str(target)})
    binary = WORK / "variants" / name.replace(" ", "-")
    binary = binary.with_suffix(".bin")
    binary.write_bytes((target / "release/recherche").read_bytes())
    binary.chmod(0o755)
    bench.sh("git", "worktree", "remove", "--force", str(folder), cwd=ROOT)
    return str(binary)


def figure(kind, corpus, binaries):
    """Medians of `kind` on `corpus` for each binary (name: path)."""
    folder = bench.corpus(corpus)

    def run(binary, command, index):
        return f"{binary} {command} --corpus {folder} --index {index}"

    indexes = {name: WORK / f"{corpus}-mech-{i}" for i, name in enumerate(binaries)}
    for name, binary in binaries.items():
        bench.sh(*shlex.split(run(binary, "index --full --quiet", indexes[name])))
    if kind == "build":
        named = {n: run(b, "index --full --quiet", indexes[n]) for n, b in binaries.items()}
        return {n: bench.ms(t) for n, t in bench.interleaved(named, runs=1).items()}
    if kind == "checks":
        named = {n: run(b, "index --quiet", indexes[n]) for n, b in binaries.items()}
        return {n: bench.ms(t) for n, t in bench.interleaved(named, runs=5).items()}
    times = {name: [] for name in binaries}
    for query in bench.QUERIES:
        named = {n: run(b, f"search --no-refresh --json {shlex.quote(query)}", indexes[n])
                 for n, b in binaries.items()}
        for n, t in bench.interleaved(named, runs=2).items():
            times[n] += t
    return {n: bench.ms(t) for n, t in times.items()}


def main():
    names = sys.argv[2:] or list(MECHANISMS)
    bench.WORK = WORK
    recherche, _ = bench.build()
    rows = []
    for name in names:
        purpose, kind, corpora, edits = MECHANISMS[name]
        without = variant(name, edits)
        for corpus in corpora:
            found = figure(kind, corpus, {"with": recherche, "without": without})
            rows.append((name, purpose, kind, corpus, found["with"], found["without"]))
            print(f"{name} on {corpus}: {kind} {found['with']:.2f} ms with, "
                  f"{found['without']:.2f} ms without", file=sys.stderr)
    (WORK / "mechanisms.json").write_text(json.dumps(rows, indent=2))
    print("| mechanism | figure | corpus | with | without | buys |")
    print("|:---|:---|:---|---:|---:|---:|")
    for name, purpose, kind, corpus, with_, without in rows:
        print(f"| {name}: {purpose} | {kind} | {corpus} | {with_:.1f} ms | {without:.1f} ms "
              f"| {1 - with_ / without:+.0%} |")


if __name__ == "__main__":
    main()
