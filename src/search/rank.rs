//! Ranking the matching passages: identical texts collapsed into one hit,
//! the best hits first.
//!
//! Order: more clauses matched, fewer of them only through a typo or a
//! completion, higher score, then the passage id in reading order, so that
//! output never depends on how the index is laid out in segments.

use std::cmp::Ordering;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::{DocAddress, Searcher};

use super::execute::Candidate;
use crate::error::Result;
use crate::index::read;
use crate::passages::compare_ids;

/// A candidate that reached the page, with its passage id.
pub struct Member {
    /// The matching passage.
    pub candidate: Candidate,
    /// Its id.
    pub id: String,
}

/// The ranking order without the id: more clauses, fewer inexact ones,
/// higher score first.
fn by_key(a: &Candidate, b: &Candidate) -> Ordering {
    b.coverage
        .cmp(&a.coverage)
        .then(a.inexact.cmp(&b.inexact))
        .then(b.score.total_cmp(&a.score))
}

/// The full ranking order.
fn by_rank(a: &Member, b: &Member) -> Ordering {
    by_key(&a.candidate, &b.candidate).then_with(|| compare_ids(&a.id, &b.id))
}

/// Collapses identical passages and ranks them; returns the number of
/// distinct matching texts and the best `limit` groups of identical
/// passages, each with its best member first.
pub fn rank(
    searcher: &Searcher,
    candidates: Vec<Candidate>,
    limit: usize,
) -> Result<(usize, Vec<Vec<Member>>)> {
    // The best candidate of each text (ids are read for the page only).
    let mut best: FxHashMap<u64, usize> = FxHashMap::default();
    for (i, candidate) in candidates.iter().enumerate() {
        best.entry(candidate.text_hash)
            .and_modify(|b| {
                if by_key(candidate, &candidates[*b]) == Ordering::Less {
                    *b = i;
                }
            })
            .or_insert(i);
    }
    let total = best.len();
    let mut leaders: Vec<&Candidate> = best.values().map(|&i| &candidates[i]).collect();
    keep_head(&mut leaders, limit);
    // Every member of the texts kept, ids read in one pass.
    let kept: FxHashSet<u64> = leaders.iter().map(|c| c.text_hash).collect();
    let members: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| kept.contains(&c.text_hash))
        .collect();
    let addresses: Vec<DocAddress> = members.iter().map(|c| c.address).collect();
    let ids = read::ids(searcher, &addresses)?;
    let mut groups: FxHashMap<u64, Vec<Member>> = FxHashMap::default();
    for (candidate, id) in members.into_iter().zip(ids) {
        let group = groups.entry(candidate.text_hash).or_default();
        group.push(Member { candidate, id });
    }
    let mut groups: Vec<Vec<Member>> = groups.into_values().collect();
    for group in &mut groups {
        group.sort_by(by_rank);
    }
    groups.sort_by(|a, b| by_rank(&a[0], &b[0]));
    groups.truncate(limit);
    Ok((total, groups))
}

/// Keeps the `limit` best of `leaders`, and those that tie with the last
/// of them (ids, not read yet, decide among those).
fn keep_head(leaders: &mut Vec<&Candidate>, limit: usize) {
    if limit == 0 {
        leaders.clear();
        return;
    }
    if leaders.len() <= limit {
        return;
    }
    leaders.select_nth_unstable_by(limit - 1, |a, b| by_key(a, b));
    let last = *leaders[limit - 1];
    let head = leaders.drain(..limit).collect::<Vec<_>>();
    let ties: Vec<&Candidate> = leaders
        .drain(..)
        .filter(|c| by_key(c, &last) != Ordering::Greater)
        .collect();
    leaders.extend(head);
    leaders.extend(ties);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(doc: u32, score: f32, coverage: u16) -> Candidate {
        Candidate {
            text_hash: u64::from(doc),
            address: DocAddress::new(0, doc),
            score,
            coverage,
            inexact: 0,
            matched: 0,
            matched_inexactly: 0,
        }
    }

    #[test]
    fn the_head_keeps_what_ties_with_its_last() {
        let all = [
            candidate(0, 1.0, 1),
            candidate(1, 3.0, 1),
            candidate(2, 2.0, 1),
            candidate(3, 2.0, 1),
            candidate(4, 0.5, 2),
        ];
        let mut leaders: Vec<&Candidate> = all.iter().collect();
        keep_head(&mut leaders, 3);
        let mut docs: Vec<u32> = leaders.iter().map(|c| c.address.doc_id).collect();
        docs.sort();
        // Two clauses first, then the best score; 2 and 3 tie for third.
        assert_eq!(docs, [1, 2, 3, 4]);
        let mut none: Vec<&Candidate> = all.iter().collect();
        keep_head(&mut none, 0);
        assert!(none.is_empty());
    }
}
