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

/// The number of matching passages (identical ones once) by kind and by
/// comment author, over the whole result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// By kind (`article`, `comment` …).
    pub kind: BTreeMap<String, u64>,
    /// By author, for the passages that have one.
    pub author: BTreeMap<String, u64>,
}

/// Counts the kinds and authors of `leaders` from their fast fields, each
/// value looked up once per segment.
fn facets(searcher: &Searcher, leaders: &[&Candidate]) -> Result<Facets> {
    let mut by_segment: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for leader in leaders {
        let address = leader.address;
        by_segment
            .entry(address.segment_ord)
            .or_default()
            .push(address.doc_id);
    }
    let mut facets = Facets::default();
    for (segment, docs) in by_segment {
        let fast = searcher.segment_reader(segment).fast_fields();
        for (name, counts) in [
            ("kind", &mut facets.kind),
            ("author_name", &mut facets.author),
        ] {
            let Some(column) = fast.str(name)? else {
                continue;
            };
            // Few kinds and authors: a count per term of the column.
            let mut by_ord = vec![0u64; column.dictionary().num_terms()];
            for &doc in &docs {
                for ord in column.term_ords(doc) {
                    by_ord[ord as usize] += 1;
                }
            }
            let mut value = String::new();
            for (ord, n) in by_ord.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                let ord = ord as u64;
                value.clear();
                column
                    .ord_to_str(ord, &mut value)
                    .map_err(tantivy::TantivyError::from)?;
                *counts.entry(value.clone()).or_default() += n;
            }
        }
    }
    Ok(facets)
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
    searcher: &Searcher,
    candidates: Vec<Candidate>,
    (offset, limit): (usize, usize),
    with_facets: bool,
) -> Result<Ranked> {
    // The best candidate of each text (ids are read for the page only).
    let mut best: FxHashMap<u64, usize> =
        FxHashMap::with_capacity_and_hasher(candidates.len(), Default::default());
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
    let facets = if with_facets {
        Some(facets(searcher, &leaders)?)
    } else {
        None
    };
    let head = offset.saturating_add(limit);
    keep_head(&mut leaders, if limit == 0 { 0 } else { head });
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
    groups.truncate(head);
    groups.drain(..offset.min(groups.len()));
    Ok(Ranked {
        total,
        groups,
        facets,
    })
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
