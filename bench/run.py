"""The whole-process figures of docs/performance.md, measured side by side.

On three corpora — the seed post, a generated blog of 10,000 posts
(bench/blog.py) and the Littré (bench/fetch-corpus.sh, 77,754 files) —
recherche is timed beside its peers in one run: plain tantivy 0.27 with
tantivy's French stemmer (bench/peer, indexing the passages recherche
exports, on two threads) and, on the seed, `rg -i`. Commands are timed with
hyperfine in interleaved rounds (the peers' runs between recherche's), so
that the machine's minute weighs on both; medians are reported, and their
ratio.

Usage: python3 bench/run.py [WORK_DIR]     (default: bench-work, git-ignored)
       ROUNDS=5 CORPORA=seed,blog,littre python3 bench/run.py
Needs: cargo, hyperfine, rg, /usr/bin/time, and apt-get for the Littré.
Prints Markdown tables; keeps the raw times in WORK_DIR/results.json.
"""
import json
import os
import pathlib
import shlex
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "bench-work").resolve()
ROUNDS = int(os.environ.get("ROUNDS", "5"))
CORPORA = os.environ.get("CORPORA", "seed,blog,littre").split(",")
QUERIES = [line.split("\t", 1)[1] for line in (ROOT / "bench/queries.tsv").read_text().splitlines()
           if line and not line.startswith("#")]


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


def build():
    sh("cargo", "build", "--release", "--locked", cwd=ROOT)
    sh("cargo", "build", "--release", "--locked", cwd=ROOT / "bench/peer")
    return (str(ROOT / "target/release/recherche"),
            str(ROOT / "bench/peer/target/release/tantivy-peer"))


def corpus(name):
    if name == "seed":
        return ROOT / "corpus"
    folder = WORK / name
    if name == "blog" and not folder.exists():
        sh(sys.executable, str(ROOT / "bench/blog.py"),
           str(ROOT / "tests/fixtures/snowball-fr/voc.txt"), str(folder))
    if name == "littre":
        sh("bash", str(ROOT / "bench/fetch-corpus.sh"), str(folder), stdout=subprocess.DEVNULL)
    return folder


def hyperfine(commands, runs, prepare=None):
    """Times each command `runs` times; returns their times in seconds."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        # -i: a search that finds nothing exits with 1.
        args = ["hyperfine", "-N", "-i", "--runs", str(runs), "--export-json", out.name]
        if prepare:
            for step in prepare:
                args += ["--prepare", step]
        else:
            args += ["--warmup", "1"]
        sh(*args, *commands, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return [r["times"] for r in json.load(open(out.name))["results"]]


def interleaved(named, runs=3, prepare=None):
    """Rounds of `runs` timings of each command, the order alternating."""
    times = {name: [] for name in named}
    for round_ in range(ROUNDS):
        order = list(named) if round_ % 2 == 0 else list(reversed(named))
        steps = [prepare[name] for name in order] if prepare else None
        for name, found in zip(order, hyperfine([named[n] for n in order], runs, steps)):
            times[name] += found
    return times


def peak_rss_mb(command):
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + shlex.split(command),
                         capture_output=True, text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1]) / 1024


def ms(times):
    return statistics.median(times) * 1000


def measure(name, recherche, peer):
    folder = corpus(name)
    index, peer_index = WORK / f"{name}-index", WORK / f"{name}-peer"
    def run(command):
        """A recherche command line on this corpus and its index."""
        return f"{recherche} {command} --corpus {folder} --index {index}"

    sh(*shlex.split(run("index --full --quiet")))
    ndjson = WORK / f"{name}.ndjson"
    with open(ndjson, "w") as out:
        sh(*shlex.split(run("export --ndjson --no-refresh")), stdout=out)
    files = int(subprocess.run(["find", str(folder), "-name", "*.txt"], capture_output=True,
                               text=True).stdout.count("\n"))
    passages = sum(1 for _ in open(ndjson))
    rows = {"corpus": name, "files": files, "passages": passages}
    # Full builds, in interleaved pairs.
    builds = interleaved(
        {"recherche": run("index --full --quiet"),
         "peer": f"{peer} index {ndjson} {peer_index}"},
        runs=1,
        prepare={"recherche": "true", "peer": f"rm -rf {peer_index}"})
    rows["build"] = {k: ms(v) for k, v in builds.items()}
    sh("rm", "-rf", str(peer_index))
    rows["build_rss_mb"] = {"recherche": peak_rss_mb(run("index --full --quiet")),
                            "peer": peak_rss_mb(f"{peer} index {ndjson} {peer_index}")}
    # The query list, whole processes, no stale check.
    searches = {"recherche": [], "peer": []}
    for query in QUERIES:
        found = interleaved({"recherche": run(f"search --no-refresh --json {shlex.quote(query)}"),
                             "peer": f"{peer} search {peer_index} {shlex.quote(query)}"}, runs=2)
        for k, v in found.items():
            searches[k] += v
    rows["search"] = {k: ms(v) for k, v in searches.items()}
    rows["search_p99"] = {k: sorted(v)[int(len(v) * 0.99) - 1] * 1000 for k, v in searches.items()}
    # The corpus checks: nothing to do, and a search with its stale check.
    checks = interleaved({"no-change index": run("index --quiet"),
                          "search with stale check": run("search --json amour")}, runs=5)
    rows["checks"] = {k: ms(v) for k, v in checks.items()}
    rows["update"] = ms(one_file_update(run("index --quiet"), folder))
    if name == "seed":
        seed_file = next(folder.glob("*.txt"))
        versus_rg = interleaved({"recherche": run("search médias"),
                                 "rg -i": f"rg -i médias {seed_file}"}, runs=10)
        rows["seed"] = {k: ms(v) for k, v in versus_rg.items()}
    return rows


def one_file_update(index, folder):
    """`index` (the command line) after one post is edited (a line
    appended), undone after."""
    post = sorted(folder.rglob("*.txt"))[len(list(folder.rglob("*.txt"))) // 2]
    original = post.read_bytes()
    edit = f"python3 -c \"open('{post}','ab').write(b'\\n\\nUne ligne de plus.\\n')\""
    restore = f"python3 -c \"open('{post}','wb').write(open('{post}.orig','rb').read())\""
    pathlib.Path(f"{post}.orig").write_bytes(original)
    try:
        prepare = f"sh -c {shlex.quote(f'{restore} && {index} && {edit}')}"
        times = hyperfine([index], ROUNDS * 2, prepare=[prepare])[0]
    finally:
        post.write_bytes(original)
        pathlib.Path(f"{post}.orig").unlink()
        sh(*shlex.split(index))
    return times


def report(results):
    print("| corpus | files | passages | full build | peer | ratio | peak MB | peer MB |")
    print("|:---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        b, m = r["build"], r["build_rss_mb"]
        print(f"| {r['corpus']} | {r['files']:,} | {r['passages']:,} | {b['recherche']:.0f} ms "
              f"| {b['peer']:.0f} ms | {b['recherche'] / b['peer']:.2f} | {m['recherche']:.0f} "
              f"| {m['peer']:.0f} |")
    print("\n| corpus | search, median | peer | ratio | p99 | peer p99 |")
    print("|:---|---:|---:|---:|---:|---:|")
    for r in results:
        s, p = r["search"], r["search_p99"]
        print(f"| {r['corpus']} | {s['recherche']:.2f} ms | {s['peer']:.2f} ms "
              f"| {s['recherche'] / s['peer']:.2f} | {p['recherche']:.2f} ms | {p['peer']:.2f} ms |")
    print("\n| corpus | no-change index | search with stale check | one-file update |")
    print("|:---|---:|---:|---:|")
    for r in results:
        c = r["checks"]
        print(f"| {r['corpus']} | {c['no-change index']:.1f} ms | {c['search with stale check']:.1f} ms "
              f"| {r['update']:.0f} ms |")
    for r in results:
        if "seed" in r:
            s = r["seed"]
            print(f"\nSeed post: `recherche search médias` {s['recherche']:.2f} ms, "
                  f"`rg -i médias` {s['rg -i']:.2f} ms (ratio {s['recherche'] / s['rg -i']:.2f}).")


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    recherche, peer = build()
    results = [measure(name, recherche, peer) for name in CORPORA]
    (WORK / "results.json").write_text(json.dumps(results, indent=2))
    report(results)


if __name__ == "__main__":
    main()
