//! The `kind:` and `author:` filters, and `--kind`, `--author`, `--since`,
//! `--until`.

use std::ops::Bound;
use tantivy::Term;

use tantivy::query::{
    AllQuery, BooleanQuery, Occur as TantivyOccur, Query as TantivyQuery, RangeQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;

use crate::analysis;
use crate::index::Fields;
use crate::passages::Kind;
use crate::query::Query;

/// A part of the filter: a query that must, or must not, match.
pub type FilterPart = (TantivyOccur, Box<dyn TantivyQuery>);

fn term(term: Term) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

/// Passages of any of `kinds`.
fn any_kind(fields: &Fields, kinds: &[Kind]) -> Box<dyn TantivyQuery> {
    let kinds = kinds.iter();
    Box::new(BooleanQuery::union(
        kinds
            .map(|k| term(Term::from_field_text(fields.kind, k.as_str())))
            .collect(),
    ))
}

/// Comments by any of `authors`: every word of a name, case and accents
/// ignored.
fn any_author(fields: &Fields, authors: &[String]) -> Box<dyn TantivyQuery> {
    let name = |name: &String| -> Box<dyn TantivyQuery> {
        let words = analysis::name_words(name);
        Box::new(BooleanQuery::intersection(
            words
                .iter()
                .map(|w| term(Term::from_field_text(fields.author, w)))
                .collect(),
        ))
    };
    Box::new(BooleanQuery::union(authors.iter().map(name).collect()))
}

/// The filters of `parsed` as parts of one query; none when there is no
/// filter.
pub fn filter(parsed: &Query, fields: &Fields) -> Vec<FilterPart> {
    let mut parts: Vec<FilterPart> = Vec::new();
    if !parsed.kinds.is_empty() {
        parts.push((TantivyOccur::Must, any_kind(fields, &parsed.kinds)));
    }
    if !parsed.authors.is_empty() {
        parts.push((TantivyOccur::Must, any_author(fields, &parsed.authors)));
    }
    if let Some((since, until)) = parsed.dates {
        // Undated passages have no key: a date range leaves them out.
        let key = |value| Bound::Included(Term::from_field_u64(fields.date_key, value));
        let range = RangeQuery::new(key(since), key(until));
        parts.push((TantivyOccur::Must, Box::new(range)));
    }
    let excludes = !parsed.excluded_kinds.is_empty() || !parsed.excluded_authors.is_empty();
    if parts.is_empty() && excludes {
        parts.push((TantivyOccur::Must, Box::new(AllQuery)));
    }
    if !parsed.excluded_kinds.is_empty() {
        let excluded = any_kind(fields, &parsed.excluded_kinds);
        parts.push((TantivyOccur::MustNot, excluded));
    }
    if !parsed.excluded_authors.is_empty() {
        let excluded = any_author(fields, &parsed.excluded_authors);
        parts.push((TantivyOccur::MustNot, excluded));
    }
    parts
}
