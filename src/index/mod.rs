//! The index: its schema, the documents it holds, and its folder.
//!
//! ```text
//! index/
//!   .gitignore         kept in git; the rest never is
//!   recherche.json     which generation is current, with format versions
//!   .lock              held by whoever writes (`index`, a refreshing `search`)
//!   gen-000003/        a tantivy index and the manifest of its last commit
//! ```
//!
//! A full build ([`build`]) writes a new generation next to the current
//! one and switches `recherche.json` to it with an atomic rename: a reader
//! sees the old index or the new one, never a half-built one, and a build
//! killed part-way leaves the previous index as it was. Incremental updates
//! ([`update`]) commit into the current generation; tantivy commits are
//! atomic too. [`check`] tells whether the corpus changed since.

pub mod build;
pub mod check;
mod columns;
mod commit;
mod folder;
pub mod manifest;
pub mod read;
mod read_only;
mod slugs;
pub mod update;

use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};

use crate::analysis::{self, ANALYZER_VERSION};
use crate::corpus::PostFile;
use crate::dates;
use crate::passages::{Kind, Passage, Post};
pub use columns::Columns;
pub use commit::Counts;
pub use folder::{DirState, IndexDir, IndexLock, OpenIndex, Pointer};
pub use manifest::Manifest;

/// Version of the schema below and of the manifest; with
/// [`ANALYZER_VERSION`] it decides whether an existing index can be
/// updated or must be rebuilt.
pub const SCHEMA_VERSION: u32 = 9;

/// The fields of a passage document.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Passage id: unique, stored, and fast (ties between equal scores
    /// are broken by it; `show` finds it in the column's dictionary). Not
    /// indexed: a term per passage took a third of a build's memory.
    pub id: Field,
    /// Relative path of the post file (to find and delete its passages).
    pub file: Field,
    /// Post slug: with the file and the position, what finds one passage;
    /// `show` finds the passages around by it.
    pub post: Field,
    /// Post title: stored, and searchable at a lower boost.
    pub title: Field,
    /// Passage kind, for `kind:` filters (fast: the facets of a search).
    pub kind: Field,
    /// Comment author: stored, and its folded words for `author:` filters.
    pub author: Field,
    /// The introducing line or heading: stored, and searchable at a lower
    /// boost.
    pub context: Field,
    /// The passage text: stored, and searchable, with positions for phrases.
    pub text: Field,
    /// The folded, unstemmed words of the text and context: typos and
    /// completions are looked up in this field's dictionary.
    pub words: Field,
    /// Rank of the passage in its post: with the file, what finds one
    /// passage (an update deletes by both; `show` finds the passages around).
    pub position: Field,
    /// Line of the post file where the passage starts (fast: an update
    /// tells a passage that only moved from one that changed).
    pub line: Field,
    /// xxh3 of the text alone: identical passages share it.
    pub text_hash: Field,
    /// xxh3 of every stored field: tells an update whether a passage changed.
    pub passage_hash: Field,
    /// The date, ISO 8601 (stored).
    pub date: Field,
    /// The date's local time as `YYYYMMDDhhmmss`, for `--since`/`--until`.
    pub date_key: Field,
    /// The permalink, or the comment's anchor (stored).
    pub url: Field,
    /// The id of the comment a reply answers (stored).
    pub answers: Field,
    /// The post's categories and tags (stored).
    pub tags: Field,
    /// The author's name as written (fast only): the facets of a search.
    pub author_name: Field,
}

fn analysed(analyzer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(record),
    )
}

/// Builds the schema.
pub fn schema() -> Schema {
    use IndexRecordOption::{Basic, WithFreqs, WithFreqsAndPositions};
    let french = |record| analysed(analysis::FRENCH, record) | STORED;
    let mut builder = Schema::builder();
    builder.add_text_field("id", STORED | FAST);
    builder.add_text_field("file", STRING | STORED);
    builder.add_text_field("post", STRING | STORED);
    builder.add_text_field("title", french(WithFreqs));
    builder.add_text_field("kind", STRING | STORED | FAST);
    builder.add_text_field(
        "author",
        analysed(analysis::NAMES, WithFreqsAndPositions) | STORED,
    );
    builder.add_text_field("context", french(WithFreqsAndPositions));
    builder.add_text_field("text", french(WithFreqsAndPositions));
    builder.add_text_field("words", analysed(analysis::WORDS, Basic));
    builder.add_u64_field("position", STORED | FAST | INDEXED);
    builder.add_u64_field("line", STORED | FAST);
    builder.add_u64_field("text_hash", FAST);
    builder.add_u64_field("passage_hash", FAST);
    builder.add_text_field("date", STORED);
    builder.add_u64_field("date_key", INDEXED | FAST);
    builder.add_text_field("url", STORED);
    builder.add_text_field("answers", STORED);
    builder.add_text_field("tags", STORED);
    builder.add_text_field("author_name", FAST);
    builder.build()
}

impl Fields {
    /// Looks the fields up in a schema built by [`schema`].
    pub fn of(schema: &Schema) -> Result<Fields, String> {
        let field = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| format!("its schema has no field {name:?}"))
        };
        Ok(Fields {
            id: field("id")?,
            file: field("file")?,
            post: field("post")?,
            title: field("title")?,
            kind: field("kind")?,
            author: field("author")?,
            context: field("context")?,
            text: field("text")?,
            words: field("words")?,
            position: field("position")?,
            line: field("line")?,
            text_hash: field("text_hash")?,
            passage_hash: field("passage_hash")?,
            date: field("date")?,
            date_key: field("date_key")?,
            url: field("url")?,
            answers: field("answers")?,
            tags: field("tags")?,
            author_name: field("author_name")?,
        })
    }

    /// The document of a passage of `post`, read from `file`.
    pub fn document(&self, file: &PostFile, post: &Post, passage: &Passage) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_text(self.id, &passage.id);
        doc.add_text(self.file, &file.relative);
        doc.add_text(self.post, &post.slug);
        doc.add_text(self.title, &post.title);
        doc.add_text(self.kind, passage.kind.as_str());
        if let Some(author) = &passage.author {
            doc.add_text(self.author, author);
            doc.add_text(self.author_name, author);
        }
        if let Some(context) = &passage.context {
            doc.add_text(self.context, context);
            doc.add_text(self.words, context);
        }
        doc.add_text(self.text, &passage.text);
        doc.add_text(self.words, &passage.text);
        doc.add_u64(self.position, passage.position.into());
        doc.add_u64(self.line, passage.line.into());
        doc.add_u64(self.text_hash, text_hash(&passage.text));
        doc.add_u64(self.passage_hash, passage_hash(file, post, passage));
        if let Some(date) = &passage.date {
            doc.add_text(self.date, date);
            if let Some(key) = dates::key(date) {
                doc.add_u64(self.date_key, key);
            }
        }
        for (field, value) in [(self.url, &passage.url), (self.answers, &passage.answers)] {
            if let Some(value) = value {
                doc.add_text(field, value);
            }
        }
        for tag in &post.tags {
            doc.add_text(self.tags, tag);
        }
        doc
    }
}

/// The hash identical passages share.
pub fn text_hash(text: &str) -> u64 {
    manifest::hash(text.as_bytes())
}

/// Hash of everything stored for a passage but its line: if it and the
/// line are unchanged, the stored document is too.
pub fn passage_hash(file: &PostFile, post: &Post, passage: &Passage) -> u64 {
    let mut bytes = Vec::with_capacity(passage.text.len() + 256);
    for part in [
        passage.id.as_str(),
        file.relative.as_str(),
        post.slug.as_str(),
        post.title.as_str(),
        passage.kind.as_str(),
        passage.author.as_deref().unwrap_or("\u{0}"),
        passage.context.as_deref().unwrap_or("\u{0}"),
        passage.text.as_str(),
        passage.date.as_deref().unwrap_or("\u{0}"),
        passage.url.as_deref().unwrap_or("\u{0}"),
        passage.answers.as_deref().unwrap_or("\u{0}"),
        &post.tags.join("\u{1e}"),
    ] {
        bytes.extend_from_slice(part.as_bytes());
        bytes.push(0x1f);
    }
    bytes.extend_from_slice(&passage.position.to_le_bytes());
    bytes.extend_from_slice(&ANALYZER_VERSION.to_le_bytes());
    manifest::hash(&bytes)
}

/// A passage as stored in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPassage {
    /// Passage id.
    pub id: String,
    /// Post slug.
    pub post: String,
    /// Relative path of the post file.
    pub file: String,
    /// Post title.
    pub title: String,
    /// Kind.
    pub kind: Kind,
    /// Comment author.
    pub author: Option<String>,
    /// Introducing line or heading.
    pub context: Option<String>,
    /// Text.
    pub text: String,
    /// Rank in the post.
    pub position: u64,
    /// Line in the post file.
    pub line: u64,
    /// The post's date, or the comment's (ISO 8601).
    pub date: Option<String>,
    /// The permalink, or the comment's anchor.
    pub url: Option<String>,
    /// The id of the comment a reply answers.
    pub answers: Option<String>,
    /// The post's categories and tags.
    pub tags: Vec<String>,
}

impl StoredPassage {
    /// Reads a stored document back.
    pub fn from_doc(doc: &TantivyDocument, fields: &Fields) -> StoredPassage {
        let optional = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let text = |field| optional(field).unwrap_or_default();
        let number = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        StoredPassage {
            id: text(fields.id),
            post: text(fields.post),
            file: text(fields.file),
            title: text(fields.title),
            kind: text(fields.kind).parse().unwrap_or(Kind::Article),
            author: optional(fields.author),
            context: optional(fields.context),
            text: text(fields.text),
            position: number(fields.position),
            line: number(fields.line),
            date: optional(fields.date),
            url: optional(fields.url),
            answers: optional(fields.answers),
            tags: doc
                .get_all(fields.tags)
                .filter_map(|v| v.as_str())
                .map(str::to_string)
                .collect(),
        }
    }
}
