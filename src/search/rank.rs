//! Ranking the matching passages: identical texts collapsed into one hit,
//! the best hits first.
//!
//! Order: more clauses matched, fewer of them only through a typo or a
//! completion, higher score, then the passage id in reading order, so that
//! output never depends on how the index is laid out in segments.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Serialize;

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId};

use super::execute::Candidate;
use crate::error::Result;
use crate::index::{Columns, read};
use crate::passages::compare_ids;

/// A candidate that reached the page, with its passage id.
pub struct Member {
    /// The matching passage.
    pub candidate: Candidate,
    /// Its id.
    pub id: String,
}

/// The ranking order without the id as one number, the larger first: more
/// clauses, fewer inexact ones, higher score (its bits mapped to an
/// unsigned number in `f32::total_cmp`'s order). Comparing numbers in a
/// flat list, not candidates through references, is what keeps ranking
/// tens of thousands of matches cheap.
fn rank_key(candidate: &Candidate) -> u64 {
    let bits = candidate.score.to_bits();
    let score = if bits >> 31 == 1 {
        !bits
    } else {
        bits | 1 << 31
    };
    (u64::from(candidate.coverage) << 48)
        | (u64::from(u16::MAX - candidate.inexact) << 32)
        | u64::from(score)
}

/// The ranking order without the id.
fn by_key(a: &Candidate, b: &Candidate) -> Ordering {
    rank_key(b).cmp(&rank_key(a))
}

/// The full ranking order.
fn by_rank(a: &Member, b: &Member) -> Ordering {
    by_key(&a.candidate, &b.candidate).then_with(|| compare_ids(&a.id, &b.id))
}

/// The number of matching passages (identical ones once) by kind and by
/// comment author, over the whole result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// By kind (`article`, `comment` …).
    pub kind: BTreeMap<String, u64>,
    /// By author, for the passages that have one.
    pub author: BTreeMap<String, u64>,
}

/// Counts the kinds and authors of the `leaders` among `candidates` from
/// their fast fields (a passage has one kind and at most one author):
/// candidates come segment by segment, so each segment's leaders are read
/// in one batch, and each value's text is looked up once.
fn facets(columns: &Columns, candidates: &[Candidate], leaders: &[Leader]) -> Result<Facets> {
    let mut is_leader = vec![false; candidates.len()];
    for &(_, i) in leaders {
        is_leader[i] = true;
    }
    let mut facets = Facets::default();
    let mut docs = Vec::new();
    let mut first = 0;
    for in_segment in candidates.chunk_by(|a, b| a.address.segment_ord == b.address.segment_ord) {
        let flags = &is_leader[first..first + in_segment.len()];
        first += in_segment.len();
        docs.clear();
        let leading = in_segment.iter().zip(flags).filter(|(_, leads)| **leads);
        docs.extend(leading.map(|(c, _)| c.address.doc_id));
        let segment = in_segment[0].address.segment_ord;
        count_values(columns.kind(segment), &docs, &mut facets.kind)?;
        count_values(columns.author(segment), &docs, &mut facets.author)?;
    }
    Ok(facets)
}

/// Adds the values `column` holds for `docs` to `counts`.
fn count_values(
    column: Option<&StrColumn>,
    docs: &[DocId],
    counts: &mut BTreeMap<String, u64>,
) -> Result<()> {
    let Some(column) = column else {
        return Ok(());
    };
    let mut ords = vec![None; docs.len()];
    column.ords().first_vals(docs, &mut ords);
    // Few kinds and authors: a count per term of the column.
    let mut by_ord = vec![0u64; column.dictionary().num_terms()];
    for ord in ords.into_iter().flatten() {
        by_ord[ord as usize] += 1;
    }
    let mut value = String::new();
    for (ord, n) in by_ord.into_iter().enumerate().filter(|(_, n)| *n > 0) {
        value.clear();
        column
            .ord_to_str(ord as u64, &mut value)
            .map_err(tantivy::TantivyError::from)?;
        *counts.entry(value.clone()).or_default() += n;
    }
    Ok(())
}

/// The ranked result of a query.
pub struct Ranked {
    /// Distinct matching texts.
    pub total: usize,
    /// The groups of identical passages of the page, each with its best
    /// member first.
    pub groups: Vec<Vec<Member>>,
    /// Counts by kind and author, when asked for.
    pub facets: Option<Facets>,
}

/// Collapses identical passages and ranks them; returns the number of
/// distinct matching texts and the groups of identical passages ranked
/// `offset` to `offset + limit`, and with `with_facets`, the counts by
/// kind and author over the whole result.
pub fn rank(
    columns: &Columns,
    candidates: Vec<Candidate>,
    (offset, limit): (usize, usize),
    with_facets: bool,
) -> Result<Ranked> {
    // The best candidate of each text, by key and place (ids are read for
    // the page only).
    let mut best: FxHashMap<u64, Leader> =
        FxHashMap::with_capacity_and_hasher(candidates.len(), Default::default());
    // Candidates that tied, when they met, for their text's best key.
    let mut tying = Vec::new();
    for (i, candidate) in candidates.iter().enumerate() {
        let leader = (rank_key(candidate), i);
        best.entry(candidate.text_hash)
            .and_modify(|b| {
                if b.0 == leader.0 {
                    tying.extend([b.1, i]);
                }
                *b = (*b).max(leader);
            })
            .or_insert(leader);
    }
    let total = best.len();
    if with_facets {
        lead_ties_in_reading_order(columns, &candidates, &mut best, tying)?;
    }
    let mut leaders: Vec<Leader> = best.into_values().collect();
    let facets = if with_facets {
        Some(facets(columns, &candidates, &leaders)?)
    } else {
        None
    };
    let head = offset.saturating_add(limit);
    keep_head(&mut leaders, if limit == 0 { 0 } else { head });
    let kept: FxHashSet<u64> = leaders
        .iter()
        .map(|&(_, i)| candidates[i].text_hash)
        .collect();
    // Every member of the texts kept, ids read in one pass.
    let members: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| kept.contains(&c.text_hash))
        .collect();
    let addresses: Vec<DocAddress> = members.iter().map(|c| c.address).collect();
    let ids = read::ids_in(columns, &addresses)?;
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
    groups.truncate(head);
    groups.drain(..offset.min(groups.len()));
    Ok(Ranked {
        total,
        groups,
        facets,
    })
}

/// Of a text's candidates that tie for its best key, makes the first in
/// reading order its leader, as the page shows it: the facets then count
/// the kind and author of the passage the hit shows. `tying` holds the
/// candidates that tied when they met (a better one may have come since).
fn lead_ties_in_reading_order(
    columns: &Columns,
    candidates: &[Candidate],
    best: &mut FxHashMap<u64, Leader>,
    mut tying: Vec<usize>,
) -> Result<()> {
    tying.sort_unstable();
    tying.dedup();
    tying.retain(|&i| {
        let candidate = &candidates[i];
        best.get(&candidate.text_hash)
            .is_some_and(|b| b.0 == rank_key(candidate))
    });
    if tying.is_empty() {
        return Ok(());
    }
    let addresses: Vec<DocAddress> = tying.iter().map(|&i| candidates[i].address).collect();
    let ids = read::ids_in(columns, &addresses)?;
    let mut first: FxHashMap<u64, (&str, usize)> = FxHashMap::default();
    for (&i, id) in tying.iter().zip(&ids) {
        let hash = candidates[i].text_hash;
        let earlier = first
            .get(&hash)
            .is_some_and(|(seen, _)| compare_ids(seen, id) == Ordering::Less);
        if !earlier {
            first.insert(hash, (id, i));
        }
    }
    for (hash, (_, i)) in first {
        if let Some(leader) = best.get_mut(&hash) {
            leader.1 = i;
        }
    }
    Ok(())
}

/// A text's best candidate: its [`rank_key`] and its place in the list.
/// Of two with the same key, the later one is kept: any is right for the
/// page, since ids decide among them, and the facets take the first in
/// reading order ([`lead_ties_in_reading_order`]).
type Leader = (u64, usize);

/// Keeps the `limit` best of `leaders`, and those that tie with the last
/// of them (ids, not read yet, decide among those).
fn keep_head(leaders: &mut Vec<Leader>, limit: usize) {
    if limit == 0 {
        leaders.clear();
        return;
    }
    if leaders.len() <= limit {
        return;
    }
    leaders.select_nth_unstable_by(limit - 1, |a, b| b.0.cmp(&a.0));
    let last = leaders[limit - 1].0;
    let mut kept = limit;
    for i in limit..leaders.len() {
        if leaders[i].0 == last {
            leaders.swap(kept, i);
            kept += 1;
        }
    }
    leaders.truncate(kept);
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
        let leaders = || -> Vec<Leader> { all.iter().map(rank_key).zip(0..).collect() };
        let mut head = leaders();
        keep_head(&mut head, 3);
        let mut docs: Vec<usize> = head.iter().map(|&(_, i)| i).collect();
        docs.sort();
        // Two clauses first, then the best score; 2 and 3 tie for third.
        assert_eq!(docs, [1, 2, 3, 4]);
        let mut none = leaders();
        keep_head(&mut none, 0);
        assert!(none.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn the_rank_key_orders_as_clauses_then_exactness_then_score(
            a in (proptest::num::f32::ANY, 0u16..4, 0u16..4),
            b in (proptest::num::f32::ANY, 0u16..4, 0u16..4),
        ) {
            let candidate = |(score, coverage, inexact): (f32, u16, u16)| Candidate {
                inexact: inexact.min(coverage),
                ..candidate(0, score, coverage)
            };
            let (a, b) = (candidate(a), candidate(b));
            let expected = b
                .coverage
                .cmp(&a.coverage)
                .then(a.inexact.cmp(&b.inexact))
                .then(b.score.total_cmp(&a.score));
            proptest::prop_assert_eq!(by_key(&a, &b), expected);
        }
    }
}
