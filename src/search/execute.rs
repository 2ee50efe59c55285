//! Walking the matching passages of every segment.
//!
//! Tantivy gives one scorer per clause (exact and inexact); the loop that
//! combines them is here, because ranking needs what tantivy's boolean
//! scorer does not expose: how many clauses a passage matches, and how many
//! of them only through a typo or a completion.

use tantivy::query::{
    AllQuery, BooleanQuery, EnableScoring, Query as TantivyQuery, Scorer, Weight,
};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

use super::compile::Compiled;
use super::leaves::leaves_query;
use crate::error::Result;
use crate::index::Columns;
use crate::query::Occur;

/// A matching passage before ranking (there may be tens of thousands).
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// Hash of the passage text: identical passages share it.
    pub text_hash: u64,
    /// Where the passage is.
    pub address: DocAddress,
    /// Summed BM25 of the matched clauses and title boosts.
    pub score: Score,
    /// Clauses matched.
    pub coverage: u16,
    /// Clauses matched only through a typo or a completion.
    pub inexact: u16,
    /// Which of the first [`MATCH_BITS`] clauses matched, exactly or not.
    pub matched: u64,
    /// Which of them matched only through a typo or a completion.
    pub matched_inexactly: u64,
}

// A clause takes at least one character of the query: its counts fit.
const _: () = assert!(crate::query::MAX_QUERY_CHARS <= u16::MAX as usize);

/// How many clauses a candidate records how it matched: highlighting a
/// page of hits needs no second walk of the clauses' postings when the
/// query has at most this many (see [`how_matched`] for the others).
pub const MATCH_BITS: usize = u64::BITS as usize;

impl Candidate {
    /// How each of the `clauses` clauses matched, when it recorded it.
    pub fn matches(&self, clauses: usize) -> Option<Vec<Match>> {
        (clauses <= MATCH_BITS).then(|| {
            (0..clauses)
                .map(
                    |i| match (self.matched >> i & 1, self.matched_inexactly >> i & 1) {
                        (0, _) => Match::No,
                        (_, 0) => Match::Exact,
                        _ => Match::Inexact,
                    },
                )
                .collect()
        })
    }
}

/// How a clause matched a passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// It did not.
    No,
    /// Through the typed words.
    Exact,
    /// Through a typo or a completion only.
    Inexact,
}

/// A clause's weights: its occurrence, exact weight and inexact weight.
type ClauseWeights = (Occur, Box<dyn Weight>, Option<Box<dyn Weight>>);

/// Tantivy weights for a compiled query, built once for all segments.
pub struct Weights {
    clauses: Vec<ClauseWeights>,
    boosts: Vec<Box<dyn Weight>>,
    filter: Option<Box<dyn Weight>>,
    all: Box<dyn Weight>,
}

impl Weights {
    /// Builds the weights, with BM25 statistics of the whole index.
    pub fn new(searcher: &Searcher, compiled: &Compiled) -> Result<Weights> {
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        let unscored = EnableScoring::disabled_from_searcher(searcher);
        let mut clauses = Vec::new();
        for clause in &compiled.clauses {
            let inexact = match clause.inexact.as_slice() {
                [] => None,
                leaves => Some(leaves_query(leaves).weight(scoring)?),
            };
            let exact = leaves_query(&clause.exact).weight(scoring)?;
            clauses.push((clause.occur, exact, inexact));
        }
        let boosts = compiled
            .boosts
            .iter()
            .map(|q| q.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        let filter = match compiled.filter.as_slice() {
            [] => None,
            parts => {
                let parts = parts
                    .iter()
                    .map(|(occur, q)| (*occur, q.box_clone()))
                    .collect();
                Some(BooleanQuery::new(parts).weight(unscored)?)
            }
        };
        Ok(Weights {
            clauses,
            boosts,
            filter,
            all: AllQuery.weight(unscored)?,
        })
    }

    /// The title boost weights.
    pub fn boosts(&self) -> &[Box<dyn Weight>] {
        &self.boosts
    }
}

/// Finds every matching passage with its coverage and score.
pub fn collect(
    searcher: &Searcher,
    columns: &Columns,
    weights: &Weights,
) -> Result<Vec<Candidate>> {
    let mut candidates = Vec::new();
    for (segment_ord, reader) in searcher.segment_readers().iter().enumerate() {
        let first = candidates.len();
        collect_segment(segment_ord as u32, reader, weights, &mut candidates)?;
        // Text hashes read in one batch once the matches are known.
        let found = &mut candidates[first..];
        let docs: Vec<DocId> = found.iter().map(|c| c.address.doc_id).collect();
        let mut hashes = vec![None; docs.len()];
        let column = columns.text_hash(segment_ord as u32);
        column.first_vals(&docs, &mut hashes);
        for (candidate, hash) in found.iter_mut().zip(hashes) {
            candidate.text_hash = hash.unwrap_or(0);
        }
    }
    Ok(candidates)
}

/// The scorers of a segment for the clauses, boosts and filter.
struct SegmentScorers {
    /// The clauses that may or must match, by their place in the query.
    positive: Vec<(usize, bool, ClauseScorer)>,
    must_not: Vec<Box<dyn Scorer>>,
    boosts: Vec<Box<dyn Scorer>>,
    filter: Option<Box<dyn Scorer>>,
    /// Every passage, when no clause may match (a query of filters only).
    all: Option<Box<dyn Scorer>>,
}

impl SegmentScorers {
    fn new(reader: &SegmentReader, weights: &Weights) -> Result<SegmentScorers> {
        let mut positive = Vec::new();
        let mut must_not = Vec::new();
        for (i, (occur, exact, inexact)) in weights.clauses.iter().enumerate() {
            let scorer = ClauseScorer {
                exact: exact.scorer(reader, 1.0)?,
                inexact: match inexact {
                    Some(w) => Some(w.scorer(reader, 1.0)?),
                    None => None,
                },
            };
            match occur {
                Occur::MustNot => must_not.push(scorer.exact),
                _ => positive.push((i, *occur == Occur::Must, scorer)),
            }
        }
        let boosts = weights.boosts.iter().map(|w| w.scorer(reader, 1.0));
        let filter = weights.filter.as_ref().map(|w| w.scorer(reader, 1.0));
        let all = positive.is_empty().then(|| weights.all.scorer(reader, 1.0));
        Ok(SegmentScorers {
            positive,
            must_not,
            boosts: boosts.collect::<tantivy::Result<_>>()?,
            filter: filter.transpose()?,
            all: all.transpose()?,
        })
    }

    /// False when the filter or an excluding clause rules `doc` out.
    fn admits(&mut self, doc: DocId) -> bool {
        self.filter.as_mut().is_none_or(|f| seek(f, doc) == doc)
            && self.must_not.iter_mut().all(|s| seek(s, doc) != doc)
    }
}

fn collect_segment(
    segment_ord: u32,
    reader: &SegmentReader,
    weights: &Weights,
    candidates: &mut Vec<Candidate>,
) -> Result<()> {
    let mut scorers = SegmentScorers::new(reader, weights)?;
    let alive = reader.alive_bitset();
    let mut next = 0;
    while let Some(doc) = next_doc(&mut scorers, next) {
        next = doc + 1;
        if alive.is_some_and(|a| !a.is_alive(doc)) || !scorers.admits(doc) {
            continue;
        }
        let mut candidate = Candidate {
            text_hash: 0,
            address: DocAddress::new(segment_ord, doc),
            score: 0.0,
            coverage: 0,
            inexact: 0,
            matched: 0,
            matched_inexactly: 0,
        };
        for (i, _, clause) in &mut scorers.positive {
            let (how, score) = clause.at(doc);
            candidate.score += score;
            let bit = if *i < MATCH_BITS { 1 << *i } else { 0 };
            if how != Match::No {
                candidate.coverage += 1;
                candidate.matched |= bit;
            }
            if how == Match::Inexact {
                candidate.inexact += 1;
                candidate.matched_inexactly |= bit;
            }
        }
        for boost in &mut scorers.boosts {
            if seek(boost, doc) == doc {
                candidate.score += boost.score();
            }
        }
        candidates.push(candidate);
    }
    Ok(())
}

/// The first document at or after `target` that the clauses may match:
/// every required one, or when none is required, any of them (every
/// document when there is no clause).
fn next_doc(scorers: &mut SegmentScorers, target: DocId) -> Option<DocId> {
    let doc = if let Some(all) = &mut scorers.all {
        seek(all, target)
    } else if scorers.positive.iter().any(|(_, required, _)| *required) {
        intersect(&mut scorers.positive, target)
    } else {
        let clauses = scorers.positive.iter_mut();
        clauses
            .map(|(_, _, c)| c.seek(target))
            .min()
            .unwrap_or(TERMINATED)
    };
    (doc != TERMINATED).then_some(doc)
}

/// The first document at or after `target` that every required clause
/// matches.
fn intersect(clauses: &mut [(usize, bool, ClauseScorer)], mut target: DocId) -> DocId {
    'search: loop {
        for (_, required, clause) in clauses.iter_mut() {
            if !*required {
                continue;
            }
            let doc = clause.seek(target);
            if doc == TERMINATED {
                return TERMINATED;
            }
            if doc > target {
                target = doc;
                continue 'search;
            }
        }
        return target;
    }
}

/// How each clause matches each passage at `addresses`, for a query of
/// more than [`MATCH_BITS`] clauses. The clauses' scorers are built once
/// per segment and walked in document order.
pub fn how_matched(
    searcher: &Searcher,
    weights: &Weights,
    addresses: &[DocAddress],
) -> Result<Vec<Vec<Match>>> {
    let mut matched = vec![Vec::new(); addresses.len()];
    let mut order: Vec<usize> = (0..addresses.len()).collect();
    order.sort_by_key(|&i| (addresses[i].segment_ord, addresses[i].doc_id));
    for in_segment in order.chunk_by(|&a, &b| addresses[a].segment_ord == addresses[b].segment_ord)
    {
        let reader = searcher.segment_reader(addresses[in_segment[0]].segment_ord);
        let mut clauses = Vec::with_capacity(weights.clauses.len());
        for (occur, exact, inexact) in &weights.clauses {
            clauses.push(if *occur == Occur::MustNot {
                None
            } else {
                Some(ClauseScorer {
                    exact: exact.scorer(reader, 1.0)?,
                    inexact: match inexact {
                        Some(w) => Some(w.scorer(reader, 1.0)?),
                        None => None,
                    },
                })
            });
        }
        for &i in in_segment {
            let doc = addresses[i].doc_id;
            matched[i] = clauses
                .iter_mut()
                .map(|clause| clause.as_mut().map_or(Match::No, |c| c.at(doc).0))
                .collect();
        }
    }
    Ok(matched)
}

/// Moves `scorer` to `target` or the first document after it; unlike
/// `DocSet::seek`, accepts a target behind the current document.
fn seek(scorer: &mut Box<dyn Scorer>, target: DocId) -> DocId {
    let doc = scorer.doc();
    if doc >= target {
        doc
    } else {
        scorer.seek(target)
    }
}

/// The exact and inexact scorers of one clause, walked as their union.
struct ClauseScorer {
    exact: Box<dyn Scorer>,
    inexact: Option<Box<dyn Scorer>>,
}

impl ClauseScorer {
    /// The first document at or after `target` this clause matches.
    fn seek(&mut self, target: DocId) -> DocId {
        let exact = seek(&mut self.exact, target);
        match &mut self.inexact {
            Some(inexact) => exact.min(seek(inexact, target)),
            None => exact,
        }
    }

    /// How the clause matches `doc` (the scorers are at or past it), and its
    /// score: the exact one when there is one.
    fn at(&mut self, doc: DocId) -> (Match, Score) {
        if seek(&mut self.exact, doc) == doc {
            return (Match::Exact, self.exact.score());
        }
        match &mut self.inexact {
            Some(inexact) => {
                if seek(inexact, doc) == doc {
                    (Match::Inexact, inexact.score())
                } else {
                    (Match::No, 0.0)
                }
            }
            None => (Match::No, 0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_candidate_tells_how_each_clause_matched() {
        let candidate = Candidate {
            text_hash: 0,
            address: DocAddress::new(0, 0),
            score: 1.0,
            coverage: 2,
            inexact: 1,
            matched: 0b101,
            matched_inexactly: 0b100,
        };
        assert_eq!(
            candidate.matches(4),
            Some(vec![Match::Exact, Match::No, Match::Inexact, Match::No])
        );
        assert_eq!(candidate.matches(MATCH_BITS + 1), None);
    }
}
