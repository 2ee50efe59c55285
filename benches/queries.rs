//! In-process query latency, p50 and p99 over a fixed list of French
//! queries (single words, two words, phrases, typos, prefixes), top 10 with
//! snippets, on an index of the corpus named by `RECHERCHE_BENCH_CORPUS`
//! (else 200 copies of the seed post). `cargo bench --bench queries`.
//! With `RECHERCHE_BENCH_SERVER=1`, the queries run as `serve` runs them:
//! through one [`Snapshot`] of the index, with facets; with `=0`, with
//! facets but without the snapshot (what the snapshot buys).
//!
//! Criterion reports one figure per benchmark; percentiles across a query
//! list are what a search box feels, so this bench measures them itself.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use recherche::index::IndexDir;
use recherche::index::update::build;
use recherche::search::{SearchOptions, Snapshot, search};

const SEED: &str = include_str!("../tests/fixtures/seed/cadres-dirigeants-medias-sociaux.txt");

/// The query list, shared with `bench/run.py`: (kind, query).
fn queries() -> Vec<(&'static str, &'static str)> {
    include_str!("../bench/queries.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| line.split_once('\t'))
        .collect()
}

fn corpus() -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    let corpus = match std::env::var_os("RECHERCHE_BENCH_CORPUS") {
        Some(path) => PathBuf::from(path),
        None => {
            let corpus = folder.path().join("corpus");
            std::fs::create_dir(&corpus).unwrap();
            for i in 0..200 {
                let text = SEED.replacen("narcissiques", &format!("narcissiques n{i}"), 1);
                std::fs::write(corpus.join(format!("copie-{i:03}.txt")), text).unwrap();
            }
            corpus
        }
    };
    (folder, corpus)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    // `cargo test --benches` runs benches with --bench absent: do nothing.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let (folder, corpus) = corpus();
    let started = Instant::now();
    let (summary, open) = build(&corpus, &IndexDir::new(folder.path().join("index"))).unwrap();
    eprintln!(
        "indexed {} passages from {} in {:.1} s",
        summary.passages,
        Path::new(&corpus).display(),
        started.elapsed().as_secs_f64()
    );
    let reader = open.reader().unwrap();
    let searcher = reader.searcher();
    let server = std::env::var("RECHERCHE_BENCH_SERVER").ok();
    let snapshot =
        (server.as_deref() == Some("1")).then(|| Snapshot::new(searcher.clone(), &open).unwrap());
    let options = SearchOptions {
        facets: server.is_some(),
        ..SearchOptions::default()
    };
    let run = |query: &str| match &snapshot {
        Some(snapshot) => snapshot.search(&open, query, &options).unwrap(),
        None => search(&searcher, &open, query, &options).unwrap(),
    };
    let queries = queries();
    assert!(queries.len() >= 20, "bench/queries.tsv lists the queries");
    let rounds = 30;
    let mut all = Vec::new();
    let mut by_kind: Vec<(&str, Vec<Duration>)> = Vec::new();
    for _ in 0..3 {
        for (_, query) in &queries {
            run(query);
        }
    }
    for _ in 0..rounds {
        for (kind, query) in &queries {
            let started = Instant::now();
            let results = run(query);
            let took = started.elapsed();
            std::hint::black_box(results);
            all.push(took);
            match by_kind.iter_mut().find(|(k, _)| k == kind) {
                Some((_, times)) => times.push(took),
                None => by_kind.push((kind, vec![took])),
            }
        }
    }
    println!("| queries | runs | p50 | p99 |");
    println!("|:---|---:|---:|---:|");
    for (kind, times) in by_kind.iter_mut().chain(std::iter::once(&mut ("all", all))) {
        times.sort();
        println!(
            "| {kind} | {} | {:.2} ms | {:.2} ms |",
            times.len(),
            percentile(times, 0.5).as_secs_f64() * 1e3,
            percentile(times, 0.99).as_secs_f64() * 1e3
        );
    }
}
