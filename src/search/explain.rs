//! `--explain`: why a passage scored what it scored.
//!
//! For each query clause the passage matched: how (typed word, or typo or
//! completion), and each leaf that counted — the best term or phrase in
//! each place (text, context, author) — with its BM25 parts: occurrences,
//! idf, field length against the average, and the weight applied.

use serde::Serialize;
use serde_json::Value;
use tantivy::query::{EnableScoring, Scorer};
use tantivy::{DocAddress, DocSet, Score, Searcher};

use super::compile::Compiled;
use super::execute::{Candidate, Match, Weights};
use super::leaves::Leaf;
use crate::error::Result;

/// Why a hit scored what it scored.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Explanation {
    /// Clauses matched, out of the query's clauses.
    pub clauses_matched: usize,
    /// Of those, matched only through a typo or a completion.
    pub inexact: usize,
    /// One entry per matched clause.
    pub clauses: Vec<ClauseExplanation>,
    /// What the post title added.
    pub title: Score,
}

/// How one clause matched.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClauseExplanation {
    /// The clause as typed.
    pub clause: String,
    /// `"exact"`, or `"typo or completion"`.
    pub matched: &'static str,
    /// Its part of the score.
    pub score: Score,
    /// The leaves that counted, one per place.
    pub terms: Vec<TermExplanation>,
}

/// One matched term and its BM25 parts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TermExplanation {
    /// `text`, `context` or `author`.
    pub field: &'static str,
    /// The indexed form (a stem, a folded name), or the phrase.
    pub term: String,
    /// Its contribution, weight applied.
    pub score: Score,
    /// Weight applied (context, author, typo, completion).
    pub weight: Score,
    /// Occurrences in the field (of the phrase, for a phrase).
    pub freq: Score,
    /// Inverse document frequency.
    pub idf: Score,
    /// Length of the field in this passage (tokens).
    pub length: Score,
    /// Average length of the field.
    pub average_length: Score,
}

/// Explains the score of `candidate`.
pub fn explain(
    searcher: &Searcher,
    compiled: &Compiled,
    weights: &Weights,
    candidate: &Candidate,
    matched: &[Match],
) -> Result<Explanation> {
    let address = candidate.address;
    let mut clauses = Vec::new();
    for (clause, how) in compiled.clauses.iter().zip(matched) {
        let (leaves, matched) = match how {
            Match::No => continue,
            Match::Exact => (&clause.exact, "exact"),
            Match::Inexact => (&clause.inexact, "typo or completion"),
        };
        let mut terms: Vec<TermExplanation> = Vec::new();
        for leaf in leaves {
            let Some(term) = explain_leaf(searcher, leaf, address)? else {
                continue;
            };
            match terms.iter_mut().find(|t| t.field == term.field) {
                Some(best) if best.score < term.score => *best = term,
                Some(_) => {}
                None => terms.push(term),
            }
        }
        clauses.push(ClauseExplanation {
            clause: clause.label.clone(),
            matched,
            score: terms.iter().map(|t| t.score).sum(),
            terms,
        });
    }
    let reader = searcher.segment_reader(address.segment_ord);
    let mut title = 0.0;
    for weight in weights.boosts() {
        let mut scorer = weight.scorer(reader, 1.0)?;
        if matches(&mut scorer, address.doc_id) {
            title += scorer.score();
        }
    }
    Ok(Explanation {
        clauses_matched: usize::from(candidate.coverage),
        inexact: usize::from(candidate.inexact),
        clauses,
        title,
    })
}

/// True if a fresh scorer matches `doc` (seeking only forward).
fn matches(scorer: &mut Box<dyn Scorer>, doc: tantivy::DocId) -> bool {
    scorer.doc() == doc || (scorer.doc() < doc && scorer.seek(doc) == doc)
}

/// The BM25 parts of one leaf, if it matches the passage.
fn explain_leaf(
    searcher: &Searcher,
    leaf: &Leaf,
    address: DocAddress,
) -> Result<Option<TermExplanation>> {
    let reader = searcher.segment_reader(address.segment_ord);
    let weight = leaf
        .query
        .weight(EnableScoring::enabled_from_searcher(searcher))?;
    // Tantivy's explain expects a matching document: check first.
    if !matches(&mut weight.scorer(reader, 1.0)?, address.doc_id) {
        return Ok(None);
    }
    let tree = serde_json::to_value(weight.explain(reader, address.doc_id)?).unwrap_or(Value::Null);
    let mut term = TermExplanation {
        field: leaf.place.name(),
        term: leaf.term.clone(),
        score: value(&tree) * leaf.weight,
        weight: leaf.weight,
        freq: 0.0,
        idf: 0.0,
        length: 0.0,
        average_length: 0.0,
    };
    read_bm25_parts(&tree, &mut term);
    Ok(Some(term))
}

fn value(node: &Value) -> Score {
    node["value"].as_f64().unwrap_or(0.0) as Score
}

/// Finds idf, freq, dl and avgdl anywhere in tantivy's explanation tree.
fn read_bm25_parts(node: &Value, term: &mut TermExplanation) {
    let description = node["description"].as_str().unwrap_or("");
    if description.starts_with("idf") && term.idf == 0.0 {
        term.idf = value(node);
    } else if description.starts_with("freq,") {
        term.freq = value(node);
    } else if description.starts_with("dl,") {
        term.length = value(node);
    } else if description.starts_with("avgdl") {
        term.average_length = value(node);
    }
    for child in node["details"].as_array().map_or(&[][..], Vec::as_slice) {
        read_bm25_parts(child, term);
    }
}
