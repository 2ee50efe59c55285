//! The JSON contracts of `search`, `index`, `show` and `status`, checked by
//! deserialising into the documented shape with unknown fields refused:
//! an added, removed or renamed field fails here (and `docs/json.md` says
//! what each one means).

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
    date: Option<String>,
    url: Option<String>,
    text: String,
    snippet: String,
    highlights: Vec<(usize, usize)>,
    context_highlights: Vec<(usize, usize)>,
    duplicates: Vec<String>,
    /// With `--explain` only.
    explanation: Option<Explanation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Explanation {
    clauses_matched: usize,
    inexact: usize,
    title: f64,
    clauses: Vec<ClauseExplanation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ClauseExplanation {
    clause: String,
    matched: String,
    score: f64,
    terms: Vec<TermExplanation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct TermExplanation {
    field: String,
    term: String,
    score: f64,
    weight: f64,
    freq: f64,
    idf: f64,
    length: f64,
    average_length: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct IndexSummary {
    passages: u64,
    added: u64,
    updated: u64,
    removed: u64,
    unchanged: u64,
    moved: u64,
    duplicates: u64,
    files: u64,
    files_read: u64,
    full: bool,
    committed: bool,
    elapsed_ms: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Shown {
    id: String,
    post: String,
    title: String,
    file: String,
    tags: Vec<String>,
    passages: Vec<ShownPassage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ShownPassage {
    id: String,
    asked: bool,
    kind: String,
    author: Option<String>,
    context: Option<String>,
    line: u64,
    date: Option<String>,
    url: Option<String>,
    answers: Option<String>,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Status {
    index: String,
    generation: String,
    size_bytes: u64,
    built_at: String,
    updated_at: String,
    analyzer_version: u32,
    schema_version: u32,
    corpus: String,
    files: usize,
    posts: usize,
    passages: u64,
    by_kind: std::collections::BTreeMap<String, u64>,
    duplicates: u64,
    fresh: bool,
    changed: Vec<String>,
    corpus_error: Option<String>,
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
        let context = hit.context.as_deref().unwrap_or("");
        for &(start, end) in &hit.context_highlights {
            let word = &context[start..end];
            assert!(["médias", "sociaux"].contains(&word), "{word:?}");
        }
    }
    assert!(results.hits.windows(2).all(|w| w[0].score >= w[1].score));
    let article = results.hits.iter().find(|h| h.kind == "article").unwrap();
    assert_eq!(article.author, None);
    assert!(results.hits.iter().all(|h| h.explanation.is_none()));
}

#[test]
fn hits_matched_through_their_context_mark_it() {
    let env = TestEnv::seed_indexed();
    let run = env.run(&[
        "search",
        "--json",
        "--no-refresh",
        "-n",
        "50",
        "cadres dirigeants",
    ]);
    let results: Results = serde_json::from_str(&run.stdout).unwrap();
    let through_context: Vec<&Hit> = results
        .hits
        .iter()
        .filter(|h| h.highlights.is_empty())
        .collect();
    assert!(!through_context.is_empty());
    for hit in through_context {
        let context = hit.context.as_deref().unwrap();
        let marked: Vec<&str> = hit
            .context_highlights
            .iter()
            .map(|&(s, e)| &context[s..e])
            .collect();
        assert!(
            marked.contains(&"cadre") || marked.contains(&"cadres"),
            "{marked:?}"
        );
    }
}

#[test]
fn search_explain_json_has_the_documented_shape() {
    let env = TestEnv::seed_indexed();
    let run = env.run(&[
        "search",
        "--json",
        "--explain",
        "--no-refresh",
        "narcisique médias",
    ]);
    run.expect_code(0);
    let results: Results = serde_json::from_str(&run.stdout).unwrap();
    for hit in &results.hits {
        let explanation = hit.explanation.as_ref().expect("an explanation");
        assert_eq!(explanation.clauses.len(), explanation.clauses_matched);
        for clause in &explanation.clauses {
            assert!(["exact", "typo or completion"].contains(&clause.matched.as_str()));
            assert!(!clause.terms.is_empty());
        }
    }
}

#[test]
fn show_json_has_the_documented_shape() {
    let env = TestEnv::seed_indexed();
    let id = "cadres-dirigeants-medias-sociaux/comment/1/1";
    let run = env.run(&["show", "--json", "--no-refresh", id]);
    run.expect_code(0);
    let shown: Shown = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(shown.id, id);
    assert_eq!(shown.passages.len(), 3);
    let asked: Vec<&ShownPassage> = shown.passages.iter().filter(|p| p.asked).collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].author.as_deref(), Some("Milouse"));
}

#[test]
fn status_json_has_the_documented_shape() {
    let env = TestEnv::seed_indexed();
    let run = env.run(&["status", "--json"]);
    run.expect_code(0);
    let status: Status = serde_json::from_str(&run.stdout).unwrap();
    assert!(status.fresh && status.changed.is_empty() && status.corpus_error.is_none());
    assert_eq!(status.by_kind.values().sum::<u64>(), status.passages);
    assert_eq!(status.posts, 1);
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
    assert_eq!((summary.files, summary.files_read), (1, 1));
    assert!(summary.full && summary.committed);
}
