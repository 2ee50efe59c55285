//! Running a query: from the query text to ranked, collapsed hits.
//!
//! Each query word is one clause, scored by BM25 over the passage text
//! (either of its two stemmed forms, whichever scores higher) plus its
//! introducing line or heading at a lower boost; the post title adds a
//! smaller boost to passages that already match. Words typed with a typo,
//! and the last word typed as the beginning of one, also match (see
//! `compile`), below exact matches.
//!
//! Ranking, in order: how many clauses a passage matches (all words
//! first), how few of them only through a typo or completion, the score,
//! then the passage id in reading order, so output is deterministic.
//! Passages with identical text are one hit, which lists the others.

mod compile;
mod execute;
mod explain;
mod highlight;
mod typos;

use std::cmp::Ordering;

use tantivy::{DocAddress, Score, Searcher, TantivyDocument};

pub use compile::{
    AUTHOR_BOOST, COMPLETION_BOOST, CONTEXT_BOOST, TITLE_BOOST, TYPO_BOOST, typo_distance,
};
use execute::{Candidate, Match, Weights};
pub use explain::{ClauseExplanation, Explanation, TermExplanation};

use crate::error::{Error, Result};
use crate::index::{OpenIndex, StoredPassage, read};
use crate::passages::{Kind, compare_ids};
use crate::query::{self, Occur, Query};
use crate::snippet::{self, Snippet};

/// Options of a search besides the query text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SearchOptions {
    /// Most hits to return.
    pub limit: usize,
    /// Only passages of these kinds (any), with the query's `kind:` filters.
    pub kinds: Vec<Kind>,
    /// Only passages by these authors (any), with the query's `author:`.
    pub authors: Vec<String>,
    /// Turn typo tolerance and completion of the last word off.
    pub exact: bool,
    /// Explain each hit's score.
    pub explain: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            kinds: Vec::new(),
            authors: Vec::new(),
            exact: false,
            explain: false,
        }
    }
}

/// The answer to a query.
#[derive(Debug, Clone)]
pub struct Results {
    /// The query as typed.
    pub query: String,
    /// Matching passages, identical ones counted once.
    pub total: usize,
    /// The best hits, at most `limit`.
    pub hits: Vec<Hit>,
    /// Query words dropped as stop words.
    pub stop_words: Vec<String>,
    /// True when nothing was left to search for: only stop words.
    pub only_stop_words: bool,
}

/// One ranked passage.
#[derive(Debug, Clone)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// BM25 score (sum over the matched clauses and the title boost).
    pub score: Score,
    /// The passage.
    pub passage: StoredPassage,
    /// What to show of it.
    pub snippet: Snippet,
    /// Ids of the passages with the same text, collapsed into this hit.
    pub duplicates: Vec<String>,
    /// Why it scored so, with `--explain`.
    pub explanation: Option<Explanation>,
}

/// Parses the query and adds the filters of `options`; fails on a query
/// with nothing to search for and no filter.
pub fn parse_query(raw: &str, options: &SearchOptions) -> Result<Query> {
    let mut parsed = query::parse(raw)?;
    parsed.kinds.extend(options.kinds.iter().copied());
    parsed.authors.extend(options.authors.iter().cloned());
    if parsed.is_empty() {
        return Err(Error::EmptyQuery);
    }
    Ok(parsed)
}

/// Runs `raw` against the committed index `open`, read through `searcher`.
pub fn search(
    searcher: &Searcher,
    open: &OpenIndex,
    raw: &str,
    options: &SearchOptions,
) -> Result<Results> {
    let parsed = parse_query(raw, options)?;
    let fields = &open.fields;
    let compiled = compile::compile(&parsed, fields, open.words(), !options.exact)?;
    let positive = compiled.clauses.iter().any(|c| c.occur != Occur::MustNot);
    let had_positive = parsed.clauses.iter().any(|c| c.occur != Occur::MustNot);
    if had_positive && !positive && compiled.filter.is_empty() {
        return Ok(Results {
            query: raw.to_string(),
            total: 0,
            hits: Vec::new(),
            stop_words: compiled.stop_words,
            only_stop_words: true,
        });
    }
    let weights = Weights::new(searcher, &compiled)?;
    let candidates = execute::collect(searcher, &weights)?;
    let (total, groups) = rank(searcher, candidates, options.limit)?;
    let addresses: Vec<DocAddress> = groups
        .iter()
        .map(|group| group[0].candidate.address)
        .collect();
    let all_matched = execute::how_matched(searcher, &weights, &addresses)?;
    let mut hits = Vec::with_capacity(groups.len());
    let mut analyzer = highlight::analyzer(
        compiled
            .clauses
            .iter()
            .flat_map(|c| std::iter::once(&c.exact_matcher).chain(&c.inexact_matcher)),
    );
    for ((rank, group), matched) in groups.into_iter().enumerate().zip(all_matched) {
        let best = &group[0].candidate;
        let doc: TantivyDocument = searcher.doc(best.address)?;
        let passage = StoredPassage::from_doc(&doc, fields);
        let matchers: Vec<_> = compiled
            .clauses
            .iter()
            .zip(&matched)
            .filter_map(|(clause, how)| match how {
                Match::Exact => Some(&clause.exact_matcher),
                Match::Inexact => clause.inexact_matcher.as_ref(),
                Match::No => None,
            })
            .collect();
        let marks = highlight::highlight(&mut analyzer, &passage.text, &matchers);
        let explanation = if options.explain {
            Some(explain::explain(
                searcher, &compiled, &weights, best, &matched,
            )?)
        } else {
            None
        };
        hits.push(Hit {
            rank: rank + 1,
            score: best.score,
            snippet: snippet::make(&passage.text, &marks),
            passage,
            duplicates: group[1..].iter().map(|m| m.id.clone()).collect(),
            explanation,
        });
    }
    Ok(Results {
        query: raw.to_string(),
        total,
        hits,
        stop_words: compiled.stop_words,
        only_stop_words: false,
    })
}

/// The ranking key without the id: more clauses, fewer inexact ones,
/// higher score.
fn by_key(a: &Member, b: &Member) -> Ordering {
    Key::of(&a.candidate, 0).cmp(&Key::of(&b.candidate, 0))
}

/// A candidate's ranking key, compact: ranking compares tens of thousands
/// of them, and contiguous 16-byte keys stay in cache where candidates
/// reached through an index do not.
#[derive(Clone, Copy)]
struct Key {
    coverage: u32,
    inexact: u32,
    score: Score,
    /// The candidate's place in the list.
    index: u32,
}

impl Key {
    fn of(candidate: &Candidate, index: usize) -> Key {
        Key {
            coverage: u32::from(candidate.coverage),
            inexact: u32::from(candidate.inexact),
            score: candidate.score,
            index: index as u32,
        }
    }

    /// More clauses, fewer inexact ones, higher score first.
    fn cmp(&self, other: &Key) -> Ordering {
        other
            .coverage
            .cmp(&self.coverage)
            .then(self.inexact.cmp(&other.inexact))
            .then(other.score.total_cmp(&self.score))
    }
}

/// A candidate that reached the page, with its passage id.
struct Member {
    candidate: Candidate,
    id: String,
}

/// Collapses identical passages and ranks them; returns the number of
/// distinct matching passages and the best `limit` groups, each with its
/// best member first.
fn rank(
    searcher: &Searcher,
    mut candidates: Vec<Candidate>,
    limit: usize,
) -> Result<(usize, Vec<Vec<Member>>)> {
    // Identical texts side by side, sorted in place: a table of texts would
    // be as large as the list, and its memory touched anew in every process.
    candidates.sort_unstable_by_key(|c| c.text_hash);
    // The best candidate of each text (ids unknown yet).
    let mut leaders: Vec<Key> = Vec::with_capacity(candidates.len());
    let mut start = 0;
    for run in candidates.chunk_by(|a, b| a.text_hash == b.text_hash) {
        let mut best = Key::of(&run[0], start);
        for (i, candidate) in run.iter().enumerate().skip(1) {
            let key = Key::of(candidate, start + i);
            if key.cmp(&best) == Ordering::Less {
                best = key;
            }
        }
        leaders.push(best);
        start += run.len();
    }
    let total = leaders.len();
    // Only the head needs an order: select it, keep what ties with its
    // last (ids decide among those), then sort.
    if limit == 0 {
        leaders.clear();
    } else if leaders.len() > limit {
        leaders.select_nth_unstable_by(limit - 1, Key::cmp);
        let last = leaders[limit - 1];
        let mut kept = limit;
        for i in limit..leaders.len() {
            if leaders[i].cmp(&last) != Ordering::Greater {
                leaders.swap(i, kept);
                kept += 1;
            }
        }
        leaders.truncate(kept);
    }
    leaders.sort_unstable_by(Key::cmp);
    // Each kept text's group: its run of candidates.
    let kept: Vec<&[Candidate]> = leaders
        .iter()
        .map(|leader| run_around(&candidates, leader.index as usize))
        .collect();
    let addresses: Vec<DocAddress> = kept.iter().copied().flatten().map(|c| c.address).collect();
    let mut ids = read::ids(searcher, &addresses)?.into_iter();
    let mut groups: Vec<Vec<Member>> = kept
        .into_iter()
        .map(|group| {
            let mut members: Vec<Member> = group
                .iter()
                .map(|&candidate| Member {
                    candidate,
                    id: ids.next().unwrap_or_default(),
                })
                .collect();
            members.sort_by(|a, b| by_key(a, b).then_with(|| compare_ids(&a.id, &b.id)));
            members
        })
        .collect();
    groups.sort_by(|a, b| by_key(&a[0], &b[0]).then_with(|| compare_ids(&a[0].id, &b[0].id)));
    groups.truncate(limit);
    Ok((total, groups))
}

/// The candidates around `index` with its text, in a list sorted by text.
fn run_around(candidates: &[Candidate], index: usize) -> &[Candidate] {
    let hash = candidates[index].text_hash;
    let start = candidates[..index]
        .iter()
        .rposition(|c| c.text_hash != hash)
        .map_or(0, |i| i + 1);
    let end = candidates[index..]
        .iter()
        .position(|c| c.text_hash != hash)
        .map_or(candidates.len(), |i| index + i);
    &candidates[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(hashes: &[u64]) -> Vec<Candidate> {
        hashes
            .iter()
            .enumerate()
            .map(|(doc, &text_hash)| Candidate {
                text_hash,
                address: DocAddress::new(0, doc as u32),
                score: 1.0,
                coverage: 1,
                inexact: 0,
            })
            .collect()
    }

    fn docs(run: &[Candidate]) -> Vec<u32> {
        run.iter().map(|c| c.address.doc_id).collect()
    }

    #[test]
    fn a_run_is_every_candidate_with_the_text_and_no_other() {
        let list = candidates(&[1, 1, 2, 3, 3, 3, 4]);
        assert_eq!(docs(run_around(&list, 0)), [0, 1]);
        assert_eq!(docs(run_around(&list, 1)), [0, 1]);
        assert_eq!(docs(run_around(&list, 2)), [2]);
        assert_eq!(docs(run_around(&list, 4)), [3, 4, 5]);
        assert_eq!(docs(run_around(&list, 6)), [6]);
        assert_eq!(docs(run_around(&candidates(&[5]), 0)), [0]);
    }
}
