//! The fast fields a search reads of every segment, opened together.
//!
//! Opening a column reads its header and, for text, its dictionary's
//! index: for the ids of the Littré, about a tenth of a one-word query.
//! A process that answers many queries (`serve`) opens them once per index
//! version; a single search opens them once.

use tantivy::Searcher;
use tantivy::columnar::{Column, StrColumn};

use crate::error::Result;

/// One segment's columns.
struct SegmentColumns {
    text_hash: Column<u64>,
    id: StrColumn,
    kind: Option<StrColumn>,
    author: Option<StrColumn>,
}

/// The columns of each segment of one searcher, by segment ordinal.
pub struct Columns {
    segments: Vec<SegmentColumns>,
}

impl Columns {
    /// Opens the columns of every segment `searcher` reads.
    pub fn open(searcher: &Searcher) -> Result<Columns> {
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            let fast = reader.fast_fields();
            segments.push(SegmentColumns {
                text_hash: fast.u64("text_hash")?,
                id: fast.str("id")?.expect("the id field is fast"),
                kind: fast.str("kind")?,
                author: fast.str("author_name")?,
            });
        }
        Ok(Columns { segments })
    }

    /// The text hashes of segment `segment`.
    pub fn text_hash(&self, segment: u32) -> &Column<u64> {
        &self.segments[segment as usize].text_hash
    }

    /// The passage ids of segment `segment`.
    pub fn id(&self, segment: u32) -> &StrColumn {
        &self.segments[segment as usize].id
    }

    /// The kinds of segment `segment`, when it has the column.
    pub fn kind(&self, segment: u32) -> Option<&StrColumn> {
        self.segments[segment as usize].kind.as_ref()
    }

    /// The comment authors of segment `segment`, when some passage has one.
    pub fn author(&self, segment: u32) -> Option<&StrColumn> {
        self.segments[segment as usize].author.as_ref()
    }
}
