//! The query path: parse, analyse, search the seed post, cut snippets.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use recherche::index::update::build;
use recherche::index::{IndexDir, OpenIndex};
use recherche::search::{SearchOptions, search};

const SEED: &str = include_str!("../../tests/fixtures/seed/cadres-dirigeants-medias-sociaux.txt");

static SEED_INDEX: LazyLock<(tempfile::TempDir, OpenIndex)> = LazyLock::new(|| {
    let folder = tempfile::tempdir().unwrap();
    let corpus = folder.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("seed.txt"), SEED).unwrap();
    let (_, open) = build(&corpus, &IndexDir::new(folder.path().join("index"))).unwrap();
    (folder, open)
});

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let (_, open) = &*SEED_INDEX;
    let searcher = open.reader().unwrap().searcher();
    let options = SearchOptions {
        explain: true,
        ..SearchOptions::default()
    };
    if let Ok(results) = search(&searcher, open, raw, &options) {
        for hit in &results.hits {
            for &(start, end) in &hit.snippet.highlights {
                assert!(hit.snippet.text.is_char_boundary(start));
                assert!(hit.snippet.text.is_char_boundary(end));
            }
        }
    }
});
