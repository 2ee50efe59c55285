//! In-process throughput: French analysis (MB/s), passage parsing (MB/s),
//! and snippet generation per hit. `cargo bench --bench throughput`.
//!
//! The text is the seed post, or a sample of the corpus named by
//! `RECHERCHE_BENCH_CORPUS` (a folder of `*.txt` posts, e.g. the Littré of
//! `bench/run.py`).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use recherche::analysis::{french_analyzer, stemmed_words, words_analyzer};
use recherche::formats::copied_page;
use recherche::search::snippet;
use tantivy::tokenizer::TokenStream;

const SEED: &str = include_str!("../tests/fixtures/seed/cadres-dirigeants-medias-sociaux.txt");

/// About 4 MB of posts: the benchmark corpus when given, else the seed.
fn sample() -> Vec<String> {
    let Some(folder) = std::env::var_os("RECHERCHE_BENCH_CORPUS") else {
        return vec![SEED.to_string(); 500];
    };
    let files = recherche::corpus::discover(Path::new(&folder)).expect("a corpus folder");
    let mut texts = Vec::new();
    let mut bytes = 0;
    for file in files.iter().step_by(10) {
        let read = recherche::corpus::read_bytes(file).expect("a post");
        let text = String::from_utf8(read).expect("UTF-8 posts");
        bytes += text.len();
        texts.push(text);
        if bytes > 4_000_000 {
            break;
        }
    }
    texts
}

fn throughput(c: &mut Criterion) {
    let texts = sample();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut group = c.benchmark_group("throughput");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    // What indexing asks of analysis: each text through the stemming and
    // the folding analyzers.
    group.bench_function("analysis (French and words analyzers)", |b| {
        b.iter(|| {
            let (mut french, mut words) = (french_analyzer(), words_analyzer());
            let mut tokens = 0;
            for text in &texts {
                for analyzer in [&mut french, &mut words] {
                    let mut stream = analyzer.token_stream(text);
                    while stream.advance() {
                        tokens += 1;
                    }
                }
            }
            black_box(tokens)
        })
    });
    group.bench_function("passage parsing", |b| {
        b.iter(|| {
            let mut count = 0;
            for text in &texts {
                count += copied_page::parse("bench", text).passages.len();
            }
            black_box(count)
        })
    });
    group.finish();

    // A long passage (the first of the seven arguments) and a match in it.
    let post = copied_page::parse("seed", SEED);
    let long = post
        .passages
        .iter()
        .find(|p| p.text.starts_with("1. Sur les médias sociaux"))
        .expect("the first argument");
    c.bench_function("snippet per hit (analyse, mark, cut)", |b| {
        b.iter(|| {
            let marks: Vec<(usize, usize)> = stemmed_words(&long.text)
                .into_iter()
                .filter(|w| w.forms.iter().any(|f| f == "hierarch"))
                .map(|w| (w.start, w.end))
                .collect();
            black_box(snippet::make(&long.text, &marks))
        })
    });
}

criterion_group!(benches, throughput);
criterion_main!(benches);
