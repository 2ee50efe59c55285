//! `--explain`: why a passage scored what it scored.
//!
//! Tantivy explains a score as a tree of formulas; this module keeps what a
//! person needs: for each query clause, how it matched (typed word, typo or
//! completion), and for each term it matched, in which field, with its BM25
//! parts (term frequency, idf, field length against the average) and the
//! weight applied to it.

use serde::Serialize;
use serde_json::Value;
use tantivy::schema::{Field, Schema};
use tantivy::{DocAddress, Score, Searcher};

use super::compile::{CONTEXT_BOOST, Compiled};
use super::execute::{Candidate, Match, Weights};
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
    /// The terms behind it.
    pub terms: Vec<TermExplanation>,
}

/// One matched term and its BM25 parts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TermExplanation {
    /// `text`, `context` or `title`.
    pub field: String,
    /// The indexed form (a stem), or the phrase.
    pub term: String,
    /// Its contribution, weight applied.
    pub score: Score,
    /// Weight applied (context, typo, completion, title).
    pub weight: Score,
    /// Occurrences in the field (phrase occurrences for a phrase).
    pub freq: Score,
    /// Inverse document frequency.
    pub idf: Score,
    /// Length of the field in this passage (words).
    pub length: Score,
    /// Average length of the field.
    pub average_length: Score,
}

/// Explains the score of the passage at `address`.
pub fn explain(
    searcher: &Searcher,
    compiled: &Compiled,
    weights: &Weights,
    candidate: &Candidate,
    address: DocAddress,
) -> Result<Explanation> {
    let reader = searcher.segment_reader(address.segment_ord);
    let schema = searcher.schema();
    let mut clauses = Vec::new();
    for (i, clause) in compiled.clauses.iter().enumerate() {
        let (exact, inexact) = weights.clause(i);
        let (weight, matched) = match candidate.matched[i] {
            Match::No => continue,
            Match::Exact => (exact, "exact"),
            Match::Inexact => (
                inexact.expect("an inexact match has a weight"),
                "typo or completion",
            ),
        };
        let tree = to_value(&weight.explain(reader, address.doc_id)?);
        let mut terms = Vec::new();
        collect_terms(&tree, schema, 1.0, &clause.label, &mut terms);
        let terms = best_per_field(terms);
        clauses.push(ClauseExplanation {
            clause: clause.label.clone(),
            matched,
            score: tree["value"].as_f64().unwrap_or(0.0) as Score,
            terms,
        });
    }
    let mut title = 0.0;
    for weight in weights.boosts() {
        if let Ok(explanation) = weight.explain(reader, address.doc_id) {
            title += explanation.value();
        }
    }
    Ok(Explanation {
        clauses_matched: candidate.coverage,
        inexact: candidate.inexact,
        clauses,
        title,
    })
}

/// Within a field a clause scores the best of its forms (a disjunction
/// max, which tantivy explains with every matching form): keep that one.
fn best_per_field(terms: Vec<TermExplanation>) -> Vec<TermExplanation> {
    let mut best: Vec<TermExplanation> = Vec::new();
    for term in terms {
        match best.iter_mut().find(|b| b.field == term.field) {
            Some(b) if b.score < term.score => *b = term,
            Some(_) => {}
            None => best.push(term),
        }
    }
    best
}

fn to_value(explanation: &tantivy::query::Explanation) -> Value {
    serde_json::to_value(explanation).unwrap_or(Value::Null)
}

fn details(node: &Value) -> &[Value] {
    node["details"].as_array().map_or(&[], Vec::as_slice)
}

fn description(node: &Value) -> &str {
    node["description"].as_str().unwrap_or("")
}

fn value(node: &Value) -> Score {
    node["value"].as_f64().unwrap_or(0.0) as Score
}

/// Walks the tree, multiplying boosts, and records each BM25 leaf.
fn collect_terms(
    node: &Value,
    schema: &Schema,
    weight: Score,
    label: &str,
    out: &mut Vec<TermExplanation>,
) {
    let text = description(node);
    if let Some(boost) = text
        .strip_prefix("Boost x")
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|b| b.parse::<Score>().ok())
    {
        for child in details(node) {
            collect_terms(child, schema, weight * boost, label, out);
        }
        return;
    }
    if text.starts_with("TermQuery") {
        let (field, term) =
            term_of(node, schema).unwrap_or_else(|| (phrase_field(weight), format!("\"{label}\"")));
        let mut leaf = TermExplanation {
            field,
            term,
            score: value(node) * weight,
            weight,
            freq: 0.0,
            idf: 0.0,
            length: 0.0,
            average_length: 0.0,
        };
        for part in details(node) {
            let name = description(part);
            if name.starts_with("idf") {
                leaf.idf = value(part);
            } else if name.starts_with("freq") || name.contains("tf") {
                for constant in details(part) {
                    let constant_name = description(constant);
                    if constant_name.starts_with("freq") {
                        leaf.freq = value(constant);
                    } else if constant_name.starts_with("dl") {
                        leaf.length = value(constant);
                    } else if constant_name.starts_with("avgdl") {
                        leaf.average_length = value(constant);
                    }
                }
            }
        }
        out.push(leaf);
        return;
    }
    for child in details(node) {
        collect_terms(child, schema, weight, label, out);
    }
}

/// Reads `Term=Term(field=8, type=Str, "medi")` from a node's context.
fn term_of(node: &Value, schema: &Schema) -> Option<(String, String)> {
    let context = node["context"].as_array()?.first()?.as_str()?;
    let field_id: u32 = context
        .split("field=")
        .nth(1)?
        .split(',')
        .next()?
        .trim()
        .parse()
        .ok()?;
    let term = context.split_once('"')?.1.rsplit_once('"')?.0.to_string();
    let field = schema
        .get_field_name(Field::from_field_id(field_id))
        .to_string();
    Some((field, term))
}

/// A phrase leaf has no term: a context boost tells the field.
fn phrase_field(weight: Score) -> String {
    if (weight - CONTEXT_BOOST).abs() < 1e-6 {
        "context".to_string()
    } else {
        "text".to_string()
    }
}
