//! The JSON contract of `search --json` and `index --json`, checked by
//! deserialising into the documented shape: an added, removed or renamed
//! field fails here.

use serde::Deserialize;

use crate::harness::TestEnv;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Results {
    query: String,
    total: usize,
    hits: Vec<Hit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Hit {
    rank: usize,
    score: f64,
    id: String,
    post: String,
    title: String,
    kind: String,
    author: Option<String>,
    context: Option<String>,
    file: String,
    line: u64,
    text: String,
    snippet: String,
    highlights: Vec<(usize, usize)>,
    duplicates: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct IndexSummary {
    passages: u64,
    added: u64,
    updated: u64,
    removed: u64,
    unchanged: u64,
    duplicates: u64,
}

#[test]
fn search_json_has_the_documented_shape() {
    let env = TestEnv::seed_indexed();
    let run = env.run(&["search", "--json", "--no-refresh", "médias sociaux"]);
    run.expect_code(0);
    let results: Results = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(results.query, "médias sociaux");
    assert_eq!(results.hits.len(), 10);
    assert!(results.total > 10);
    for (i, hit) in results.hits.iter().enumerate() {
        assert_eq!(hit.rank, i + 1);
        assert!(hit.id.starts_with(&format!("{}/", hit.post)));
        assert_eq!(hit.file, "cadres-dirigeants-medias-sociaux.txt");
        assert!(hit.score > 0.0);
        for &(start, end) in &hit.highlights {
            let word = &hit.snippet[start..end];
            assert!(!word.is_empty() && !word.contains(' '), "{word:?}");
        }
    }
    assert!(results.hits.windows(2).all(|w| w[0].score >= w[1].score));
    let article = results.hits.iter().find(|h| h.kind == "article").unwrap();
    assert_eq!(article.author, None);
}

#[test]
fn null_author_and_context_are_written_as_null() {
    let env = TestEnv::seed_indexed();
    let value = env.search_json(&["écrire", "--author", "milouse"]);
    let hit = &value["hits"][0];
    assert!(hit["context"].is_null());
    assert_eq!(hit["author"], "Milouse");
    let value = env.search_json(&["Deming"]);
    assert!(value["hits"][0]["author"].is_null());
}

#[test]
fn empty_results_are_still_a_json_document() {
    let env = TestEnv::seed_indexed();
    let run = env.run(&["search", "--json", "--no-refresh", "ornithorynque"]);
    run.expect_code(1);
    let results: Results = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(results.total, 0);
    assert!(results.hits.is_empty());
}

#[test]
fn index_json_summarises_the_build() {
    let env = TestEnv::seed();
    let run = env.run(&["index", "--json"]);
    run.expect_code(0);
    let summary: IndexSummary = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary.passages, 39);
    assert_eq!(summary.added, 39);
    assert_eq!(summary.duplicates, 8);
    assert_eq!(
        (summary.updated, summary.removed, summary.unchanged),
        (0, 0, 0)
    );
}
