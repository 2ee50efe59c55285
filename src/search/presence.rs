//! Which fields each segment holds terms for, so that queries never ask a
//! segment for a field it lacks.
//!
//! Tantivy answers such a question with an empty term dictionary that it
//! builds the first time in a process, through an FST builder whose table
//! fills about 1 MB of fresh memory (233 pages): a one-shot query on the
//! Littré after an edit faulted 654 pages with it, 539 without (README,
//! "Speed"). Segments written by an update often lack a field: an edited
//! post without lists has no context. Scoring and matching therefore skip
//! those segments, which changes no score and no match: a segment without
//! a field's terms counts no token, no document and no match for it.

use std::path::PathBuf;
use std::sync::Arc;

use tantivy::directory::CompositeFile;
use tantivy::index::SegmentId;
use tantivy::query::{
    Bm25StatisticsProvider, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::Field;
use tantivy::{Directory, DocId, Score, Searcher, SegmentReader, Term};

use crate::error::Result;

/// The fields with terms in each segment of a searcher.
#[derive(Debug)]
pub struct Presence {
    /// A segment and a bit per field id (fields 0 to 63) it holds terms for.
    segments: Vec<(SegmentId, u64)>,
}

impl Presence {
    /// Reads the table of contents of each segment's postings file (already
    /// mapped by the searcher's readers: no file is opened).
    pub fn of(searcher: &Searcher) -> Result<Presence> {
        let directory = searcher.index().directory();
        let schema = searcher.schema();
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            let id = reader.segment_id();
            let path = PathBuf::from(format!("{}.idx", id.uuid_string()));
            let postings = directory
                .open_read(&path)
                .map_err(tantivy::TantivyError::from)?;
            let contents = CompositeFile::open(&postings).map_err(tantivy::TantivyError::from)?;
            let mut fields = 0u64;
            for (field, entry) in schema.fields() {
                if entry.is_indexed()
                    && field.field_id() < 64
                    && contents.open_read(field).is_some()
                {
                    fields |= 1 << field.field_id();
                }
            }
            segments.push((id, fields));
        }
        Ok(Presence { segments })
    }

    /// False only if the segment is known to hold no term of `field`.
    pub fn holds(&self, reader: &SegmentReader, field: Field) -> bool {
        let id = reader.segment_id();
        match self.segments.iter().find(|(s, _)| *s == id) {
            Some((_, fields)) if field.field_id() < 64 => fields & (1 << field.field_id()) != 0,
            _ => true,
        }
    }

    /// BM25 statistics as the searcher gives them, without asking segments
    /// for fields they lack.
    pub fn statistics<'a>(&'a self, searcher: &'a Searcher) -> Statistics<'a> {
        Statistics {
            presence: self,
            searcher,
        }
    }

    /// `query` made to match nothing, without asking, in segments lacking
    /// its field; unchanged if it searches more than one field or none.
    /// Only for queries that match a document through their terms (terms,
    /// phrases, and unions, intersections or boosts of them), not through
    /// an exclusion or `AllQuery`.
    pub fn guard(self: &Arc<Self>, query: Box<dyn Query>) -> Box<dyn Query> {
        let mut fields = Vec::new();
        query.query_terms(&mut |term: &Term, _| fields.push(term.field()));
        fields.dedup();
        match fields.as_slice() {
            [field] => Box::new(Guarded {
                field: *field,
                query,
                presence: Arc::clone(self),
            }),
            _ => query,
        }
    }
}

/// The searcher's BM25 statistics, skipping segments without the field.
pub struct Statistics<'a> {
    presence: &'a Presence,
    searcher: &'a Searcher,
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let mut total = 0;
        for reader in self.searcher.segment_readers() {
            if self.presence.holds(reader, field) {
                total += reader.inverted_index(field)?.total_num_tokens();
            }
        }
        Ok(total)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let mut total = 0;
        for reader in self.searcher.segment_readers() {
            if self.presence.holds(reader, term.field()) {
                total += u64::from(reader.inverted_index(term.field())?.doc_freq(term)?);
            }
        }
        Ok(total)
    }
}

/// A query on one field, matching nothing in segments without it.
#[derive(Debug)]
struct Guarded {
    field: Field,
    query: Box<dyn Query>,
    presence: Arc<Presence>,
}

impl Clone for Guarded {
    fn clone(&self) -> Self {
        Guarded {
            field: self.field,
            query: self.query.box_clone(),
            presence: Arc::clone(&self.presence),
        }
    }
}

impl Query for Guarded {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(GuardedWeight {
            field: self.field,
            weight: self.query.weight(scoring)?,
            presence: Arc::clone(&self.presence),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct GuardedWeight {
    field: Field,
    weight: Box<dyn Weight>,
    presence: Arc<Presence>,
}

impl Weight for GuardedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        if self.presence.holds(reader, self.field) {
            self.weight.scorer(reader, boost)
        } else {
            Ok(Box::new(EmptyScorer))
        }
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        if self.presence.holds(reader, self.field) {
            self.weight.explain(reader, doc)
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "Document #({doc}) does not match"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tantivy::collector::DocSetCollector;
    use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, Term, doc};

    use super::Presence;

    /// An index of two segments: the second has no context.
    fn two_segments() -> (Index, tantivy::schema::Field, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", TEXT);
        let context = schema.add_text_field("context", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer
            .add_document(doc!(text => "amour fou", context => "amour courtois"))
            .unwrap();
        writer.commit().unwrap();
        writer.add_document(doc!(text => "amour propre")).unwrap();
        writer.commit().unwrap();
        (index, text, context)
    }

    #[test]
    fn a_segment_without_a_field_is_told_apart() {
        let (index, text, context) = two_segments();
        let searcher = index.reader().unwrap().searcher();
        let presence = Presence::of(&searcher).unwrap();
        let readers = searcher.segment_readers();
        assert_eq!(readers.len(), 2);
        let with_context: Vec<bool> = readers.iter().map(|r| presence.holds(r, context)).collect();
        assert_eq!(
            with_context.iter().filter(|&&held| held).count(),
            1,
            "{with_context:?}"
        );
        assert!(readers.iter().all(|r| presence.holds(r, text)));
    }

    #[test]
    fn statistics_and_matches_are_the_searchers() {
        let (index, text, context) = two_segments();
        let searcher = index.reader().unwrap().searcher();
        let presence = Arc::new(Presence::of(&searcher).unwrap());
        let statistics = presence.statistics(&searcher);
        for field in [text, context] {
            assert_eq!(
                statistics.total_num_tokens(field).unwrap(),
                Bm25StatisticsProvider::total_num_tokens(&searcher, field).unwrap()
            );
            let term = Term::from_field_text(field, "amour");
            assert_eq!(
                statistics.doc_freq(&term).unwrap(),
                searcher.doc_freq(&term).unwrap()
            );
            let query: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
            let guarded = presence.guard(query.box_clone());
            assert_eq!(
                searcher.search(&guarded, &DocSetCollector).unwrap(),
                searcher.search(&query, &DocSetCollector).unwrap()
            );
            let scoring = EnableScoring::enabled_from_statistics_provider(&statistics, &searcher);
            let guarded_weight = guarded.weight(scoring).unwrap();
            let weight = query
                .weight(EnableScoring::enabled_from_searcher(&searcher))
                .unwrap();
            for reader in searcher.segment_readers() {
                let explained =
                    |w: &dyn tantivy::query::Weight| w.explain(reader, 0).ok().map(|e| e.value());
                assert_eq!(explained(&*guarded_weight), explained(&*weight));
            }
        }
        assert_eq!(
            Bm25StatisticsProvider::total_num_tokens(&statistics, context).unwrap(),
            2
        );
    }
}
