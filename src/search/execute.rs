//! Walking the matching passages of every segment.
//!
//! Tantivy gives one scorer per clause (exact and inexact); the loop that
//! combines them is here, because ranking needs what tantivy's boolean
//! scorer does not expose: how many clauses a passage matches, and how many
//! of them only through a typo or a completion.

use tantivy::columnar::{Column, ColumnIndex};
use tantivy::query::{
    AllQuery, BooleanQuery, EnableScoring, Query as TantivyQuery, Scorer, Weight,
};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

use super::compile::{Compiled, leaves_query};
use crate::error::Result;
use crate::query::Occur;

/// A matching passage before ranking: 24 bytes, as there may be tens of
/// thousands (every page of them is a page fault in a one-shot process).
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
}

// A clause takes at least one character of the query: its counts fit.
const _: () = assert!(crate::query::MAX_QUERY_CHARS <= u16::MAX as usize);
const _: () = assert!(std::mem::size_of::<Candidate>() == 24);

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
pub fn collect(searcher: &Searcher, weights: &Weights) -> Result<Vec<Candidate>> {
    // Room for every passage: growing the list would copy it into fresh
    // memory at each doubling, and room never written is never touched.
    let passages = searcher
        .segment_readers()
        .iter()
        .map(|reader| reader.max_doc() as usize)
        .sum();
    let mut candidates = Vec::with_capacity(passages);
    let mut batch = HashBatch::default();
    for (segment_ord, reader) in searcher.segment_readers().iter().enumerate() {
        collect_segment(
            segment_ord as u32,
            reader,
            weights,
            &mut candidates,
            &mut batch,
        )?;
    }
    Ok(candidates)
}

/// The buffers through which a segment's text hashes are read, kept from
/// one segment to the next.
#[derive(Default)]
struct HashBatch {
    docs: Vec<DocId>,
    hashes: Vec<u64>,
    present: Vec<Option<u64>>,
}

impl HashBatch {
    /// Sets the text hash of each of `added`, which are of one segment.
    fn read(&mut self, column: &Column<u64>, added: &mut [Candidate]) {
        self.docs.clear();
        self.docs.extend(added.iter().map(|c| c.address.doc_id));
        if matches!(column.index, ColumnIndex::Full) {
            // Every passage has a hash: read the values without options.
            self.hashes.clear();
            self.hashes.resize(added.len(), 0);
            column.values.get_vals(&self.docs, &mut self.hashes);
            for (candidate, &hash) in added.iter_mut().zip(&self.hashes) {
                candidate.text_hash = hash;
            }
        } else {
            self.present.clear();
            self.present.resize(added.len(), None);
            column.first_vals(&self.docs, &mut self.present);
            for (candidate, hash) in added.iter_mut().zip(&self.present) {
                candidate.text_hash = hash.unwrap_or(0);
            }
        }
    }
}

fn collect_segment(
    segment_ord: u32,
    reader: &SegmentReader,
    weights: &Weights,
    candidates: &mut Vec<Candidate>,
    batch: &mut HashBatch,
) -> Result<()> {
    let mut positive = Vec::new();
    let mut must_not = Vec::new();
    for (occur, exact, inexact) in &weights.clauses {
        let scorer = ClauseScorer {
            exact: exact.scorer(reader, 1.0)?,
            inexact: match inexact {
                Some(w) => Some(w.scorer(reader, 1.0)?),
                None => None,
            },
        };
        match occur {
            Occur::MustNot => must_not.push(scorer.exact),
            _ => positive.push((*occur == Occur::Must, scorer)),
        }
    }
    let mut boosts: Vec<Box<dyn Scorer>> = weights
        .boosts
        .iter()
        .map(|w| w.scorer(reader, 1.0))
        .collect::<tantivy::Result<_>>()?;
    let mut filter = match &weights.filter {
        Some(w) => Some(w.scorer(reader, 1.0)?),
        None => None,
    };
    let all = if positive.is_empty() {
        Some(weights.all.scorer(reader, 1.0)?)
    } else {
        None
    };
    let text_hashes = reader.fast_fields().u64("text_hash")?;
    let alive = reader.alive_bitset();
    let first = candidates.len();
    let mut driver = Driver {
        clauses: positive,
        all,
        next: 0,
    };
    while let Some(doc) = driver.next_doc() {
        if alive.is_some_and(|a| !a.is_alive(doc))
            || filter.as_mut().is_some_and(|f| seek(f, doc) != doc)
            || must_not.iter_mut().any(|s| seek(s, doc) == doc)
        {
            continue;
        }
        let mut candidate = Candidate {
            text_hash: 0,
            address: DocAddress::new(segment_ord, doc),
            score: 0.0,
            coverage: 0,
            inexact: 0,
        };
        for (_, clause) in &mut driver.clauses {
            let (how, score) = clause.at(doc);
            candidate.score += score;
            match how {
                Match::No => {}
                Match::Exact => candidate.coverage += 1,
                Match::Inexact => {
                    candidate.coverage += 1;
                    candidate.inexact += 1;
                }
            }
        }
        for boost in &mut boosts {
            if seek(boost, doc) == doc {
                candidate.score += boost.score();
            }
        }
        candidates.push(candidate);
    }
    // Text hashes read in one batch once the matches are known: a column
    // read per match costs a dynamic call and an index lookup each.
    batch.read(&text_hashes, &mut candidates[first..]);
    Ok(())
}

/// How each clause matches each passage at `addresses` (the few passages
/// shown: the collection loop does not keep it for every candidate). The
/// clauses' scorers are built once per segment and walked in document
/// order.
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

/// Walks the documents matching every required clause and, when none is
/// required, any clause (or every document when there is no clause).
struct Driver {
    clauses: Vec<(bool, ClauseScorer)>,
    all: Option<Box<dyn Scorer>>,
    next: DocId,
}

impl Driver {
    fn next_doc(&mut self) -> Option<DocId> {
        let target = self.next;
        let doc = if let Some(all) = &mut self.all {
            seek(all, target)
        } else if self.clauses.iter().any(|(required, _)| *required) {
            self.intersect(target)
        } else {
            self.clauses
                .iter_mut()
                .map(|(_, c)| c.seek(target))
                .min()
                .unwrap_or(TERMINATED)
        };
        if doc == TERMINATED {
            return None;
        }
        self.next = doc + 1;
        Some(doc)
    }

    /// The first document at or after `target` that every required clause
    /// matches.
    fn intersect(&mut self, mut target: DocId) -> DocId {
        'search: loop {
            for (required, clause) in &mut self.clauses {
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
}
