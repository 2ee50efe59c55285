//! Reading passages back: by id, by post, and what the index holds.

use std::collections::BTreeMap;

use std::collections::HashMap;

use tantivy::collector::{Count, DocSetCollector};
use tantivy::columnar::StrColumn;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher, SegmentReader, TantivyDocument, Term};

use super::{Columns, Fields, StoredPassage};
use crate::error::Result;
use crate::passages::{Kind, compare_ids};

/// The passage with this id, if any: its ordinal in each segment's id
/// dictionary (the fast field), then the live document holding it.
pub fn passage(searcher: &Searcher, fields: &Fields, id: &str) -> Result<Option<StoredPassage>> {
    for (segment_ord, reader) in searcher.segment_readers().iter().enumerate() {
        let column = id_column(reader)?;
        let ord = column.dictionary().term_ord(id);
        let Some(ord) = ord.map_err(tantivy::TantivyError::from)? else {
            continue;
        };
        let mut docs = Vec::new();
        column
            .ords()
            .get_docids_for_value_range(ord..=ord, 0..reader.max_doc(), &mut docs);
        if let Some(&doc_id) = docs.iter().find(|&&doc| !reader.is_deleted(doc)) {
            let address = DocAddress::new(segment_ord as u32, doc_id);
            let doc: TantivyDocument = searcher.doc(address)?;
            return Ok(Some(StoredPassage::from_doc(&doc, fields)));
        }
    }
    Ok(None)
}

/// Where the passages of a post file are, in index order.
pub fn file_passages(searcher: &Searcher, fields: &Fields, file: &str) -> Result<Vec<DocAddress>> {
    addresses(searcher, Term::from_field_text(fields.file, file))
}

/// Where the passages holding `term` are, in index order.
fn addresses(searcher: &Searcher, term: Term) -> Result<Vec<DocAddress>> {
    let query = TermQuery::new(term, IndexRecordOption::Basic);
    let mut addresses: Vec<DocAddress> = searcher
        .search(&query, &DocSetCollector)?
        .into_iter()
        .collect();
    addresses.sort();
    Ok(addresses)
}

/// The passages of a post file, in reading order: its posts in the
/// order of `posts` (the file's, from the manifest), each post's passages
/// by position.
pub fn passages_of_file(
    searcher: &Searcher,
    fields: &Fields,
    file: &str,
    posts: &[&str],
) -> Result<Vec<StoredPassage>> {
    let mut passages = Vec::new();
    for address in file_passages(searcher, fields, file)? {
        let doc: TantivyDocument = searcher.doc(address)?;
        passages.push(StoredPassage::from_doc(&doc, fields));
    }
    // An export holds thousands of posts: their ranks looked up, not searched.
    let ranks: HashMap<&str, usize> = posts.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    passages.sort_by_cached_key(|p| (ranks.get(p.post.as_str()).copied(), p.position));
    Ok(passages)
}

/// The passages of a post whose position is within `around` of
/// `position`, in reading order.
pub fn neighbours(
    searcher: &Searcher,
    fields: &Fields,
    post: &str,
    position: u64,
    around: u64,
) -> Result<Vec<StoredPassage>> {
    let mut passages = Vec::new();
    for address in addresses(searcher, Term::from_field_text(fields.post, post))? {
        let at = searcher
            .segment_reader(address.segment_ord)
            .fast_fields()
            .u64("position")?
            .first(address.doc_id)
            .unwrap_or(0);
        if at.abs_diff(position) <= around {
            let doc: TantivyDocument = searcher.doc(address)?;
            passages.push(StoredPassage::from_doc(&doc, fields));
        }
    }
    passages.sort_by_key(|p| p.position);
    Ok(passages)
}

/// A segment's column of passage ids.
fn id_column(reader: &SegmentReader) -> Result<StrColumn> {
    Ok(reader
        .fast_fields()
        .str("id")?
        .expect("the id field is fast"))
}

/// Passage ids, from the fast field (no stored document is read), looked
/// up in one ordered pass of each segment's id dictionary.
pub fn ids(searcher: &Searcher, addresses: &[DocAddress]) -> Result<Vec<String>> {
    ids_by(addresses, |segment| {
        id_column(searcher.segment_reader(segment))
    })
}

/// [`ids`], from columns already open.
pub fn ids_in(columns: &Columns, addresses: &[DocAddress]) -> Result<Vec<String>> {
    ids_by(addresses, |segment| Ok(columns.id(segment).clone()))
}

fn ids_by(
    addresses: &[DocAddress],
    id_column: impl Fn(u32) -> Result<StrColumn>,
) -> Result<Vec<String>> {
    let mut ids = vec![String::new(); addresses.len()];
    let mut by_segment: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, address) in addresses.iter().enumerate() {
        by_segment.entry(address.segment_ord).or_default().push(i);
    }
    for (segment, places) in by_segment {
        let column = id_column(segment)?;
        let mut wanted: Vec<(u64, usize)> = places
            .into_iter()
            .filter_map(|i| Some((column.term_ords(addresses[i].doc_id).next()?, i)))
            .collect();
        wanted.sort_unstable();
        let ords: Vec<u64> = wanted.iter().map(|&(ord, _)| ord).collect();
        let mut places = wanted.iter().map(|&(_, i)| i);
        column
            .dictionary()
            .sorted_ords_to_term_cb(&ords, |id| {
                if let Some(i) = places.next() {
                    ids[i] = String::from_utf8_lossy(id).into_owned();
                }
            })
            .map_err(tantivy::TantivyError::from)?;
    }
    Ok(ids)
}

/// The `n` ids closest to `id` by edit distance, ties in reading order.
/// The id dictionaries may still hold ids of passages deleted since the
/// segment was written; those are left out.
pub fn closest_ids(searcher: &Searcher, id: &str, n: usize) -> Result<Vec<String>> {
    let mut scored: Vec<(usize, String)> = Vec::new();
    for reader in searcher.segment_readers() {
        let column = id_column(reader)?;
        let mut live = vec![false; column.dictionary().num_terms()];
        for doc in reader.doc_ids_alive() {
            for ord in column.term_ords(doc) {
                live[ord as usize] = true;
            }
        }
        let mut terms = column
            .dictionary()
            .stream()
            .map_err(tantivy::TantivyError::from)?;
        let mut ord = 0;
        while terms.advance() {
            if live[ord]
                && let Ok(candidate) = std::str::from_utf8(terms.key())
            {
                scored.push((edit_distance(id, candidate), candidate.to_string()));
            }
            ord += 1;
        }
    }
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| compare_ids(&a.1, &b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    Ok(scored.into_iter().take(n).map(|(_, id)| id).collect())
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// Live passages by kind.
pub fn count_by_kind(searcher: &Searcher, fields: &Fields) -> Result<BTreeMap<Kind, u64>> {
    let mut counts = BTreeMap::new();
    for kind in Kind::ALL {
        let query = TermQuery::new(
            Term::from_field_text(fields.kind, kind.as_str()),
            IndexRecordOption::Basic,
        );
        counts.insert(kind, searcher.search(&query, &Count)? as u64);
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("article/7", "article/7"), 0);
        assert_eq!(edit_distance("artcle/7", "article/7"), 1);
        assert_eq!(edit_distance("é", "e"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
