//! The JSON output of `search --json`: one document, kept stable.
//!
//! ```text
//! {"query": "…", "total": 2,
//!  "hits": [{"rank": 1, "score": 3.21, "id": "…", "post": "…", "title": "…",
//!            "kind": "comment", "author": "Milouse", "context": null,
//!            "file": "….txt", "line": 42,
//!            "date": "2010-08-03T09:15:00", "url": "https://…#comment-12",
//!            "text": "<the whole passage>",
//!            "snippet": "<snippet, no markup>", "highlights": [[12, 18]],
//!            "context_highlights": [],
//!            "duplicates": ["<ids of identical passages>"]}]}
//! ```
//!
//! `highlights` are byte ranges into `snippet`, one per matched word;
//! `context_highlights` byte ranges into `context`.
//! `author`, `context`, `date` and `url` are null where absent. `total` counts matching
//! passages, identical ones once. Scores are rounded to four decimals.
//! With `--explain`, each hit also has an `explanation` object.

use std::io::{self, Write};

use serde::Serialize;

use crate::passages::Kind;
use crate::search::{Explanation, Facets, Hit, Results};

/// The whole answer.
#[derive(Serialize)]
pub struct JsonResults<'a> {
    query: &'a str,
    total: usize,
    /// The hits skipped before these (`recherche serve` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<usize>,
    /// Counts by kind and author (`recherche serve` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    facets: Option<&'a Facets>,
    hits: Vec<JsonHit<'a>>,
}

/// One hit.
#[derive(Serialize)]
struct JsonHit<'a> {
    rank: usize,
    score: f64,
    id: &'a str,
    post: &'a str,
    title: &'a str,
    kind: Kind,
    author: Option<&'a str>,
    context: Option<&'a str>,
    file: &'a str,
    line: u64,
    date: Option<&'a str>,
    url: Option<&'a str>,
    text: &'a str,
    snippet: &'a str,
    highlights: &'a [(usize, usize)],
    context_highlights: &'a [(usize, usize)],
    duplicates: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<&'a Explanation>,
}

/// Rounds a score to four decimals, so output does not depend on float noise.
pub fn round_score(score: f32) -> f64 {
    (f64::from(score) * 10_000.0).round() / 10_000.0
}

fn hit(hit: &Hit) -> JsonHit<'_> {
    let p = &hit.passage;
    JsonHit {
        rank: hit.rank,
        score: round_score(hit.score),
        id: &p.id,
        post: &p.post,
        title: &p.title,
        kind: p.kind,
        author: p.author.as_deref(),
        context: p.context.as_deref(),
        file: &p.file,
        line: p.line,
        date: p.date.as_deref(),
        url: p.url.as_deref(),
        text: &p.text,
        snippet: &hit.snippet.text,
        highlights: &hit.snippet.highlights,
        context_highlights: &hit.context_highlights,
        duplicates: &hit.duplicates,
        explanation: hit.explanation.as_ref(),
    }
}

/// The JSON document of `search --json`; with `offset`, the page of
/// `recherche serve`, which also carries the offset and the facets.
pub fn results(results: &Results, offset: Option<usize>) -> JsonResults<'_> {
    JsonResults {
        query: &results.query,
        total: results.total,
        offset,
        facets: offset.and(results.facets.as_ref()),
        hits: results.hits.iter().map(hit).collect(),
    }
}

/// Writes the results as one JSON document and a newline.
pub fn write_results(out: &mut impl Write, results: &Results) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &self::results(results, None))?;
    writeln!(out)
}

/// Writes any serialisable value as pretty JSON and a newline.
pub fn write_value(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}
