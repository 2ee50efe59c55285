//! `recherche export --ndjson`: every passage with all its fields, one JSON
//! object per line, in reading order (file by file, passage by passage) —
//! to load into another engine (`docs/scale-out.md`).

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::ExitStatus;
use crate::commands::open_index;
use crate::index::{StoredPassage, read};
use crate::passages::Kind;

/// Everything `recherche export` needs.
#[derive(Debug, Clone)]
pub struct ExportCommand {
    /// Folder of the posts, when given (see [`super::corpus_folder`]).
    pub corpus: Option<PathBuf>,
    /// Folder of the index.
    pub index: PathBuf,
    /// Check the corpus and update the index first.
    pub refresh: bool,
}

/// One exported passage: every stored field.
#[derive(Debug, Serialize)]
pub struct ExportedPassage<'a> {
    /// Passage id.
    pub id: &'a str,
    /// Post slug.
    pub post: &'a str,
    /// Post title.
    pub title: &'a str,
    /// Post file, relative to the corpus.
    pub file: &'a str,
    /// Passage kind.
    pub kind: Kind,
    /// Comment author.
    pub author: Option<&'a str>,
    /// Introducing line or heading.
    pub context: Option<&'a str>,
    /// Rank in the post.
    pub position: u64,
    /// Line in the post file.
    pub line: u64,
    /// The post's date, or the comment's (ISO 8601).
    pub date: Option<&'a str>,
    /// The permalink, or the comment's anchor.
    pub url: Option<&'a str>,
    /// The id of the comment a reply answers.
    pub answers: Option<&'a str>,
    /// The post's categories and tags.
    pub tags: &'a [String],
    /// The text.
    pub text: &'a str,
}

impl<'a> From<&'a StoredPassage> for ExportedPassage<'a> {
    fn from(p: &'a StoredPassage) -> Self {
        ExportedPassage {
            id: &p.id,
            post: &p.post,
            title: &p.title,
            file: &p.file,
            kind: p.kind,
            author: p.author.as_deref(),
            context: p.context.as_deref(),
            position: p.position,
            line: p.line,
            date: p.date.as_deref(),
            url: p.url.as_deref(),
            answers: p.answers.as_deref(),
            tags: &p.tags,
            text: &p.text,
        }
    }
}

/// Runs `recherche export --ndjson`.
pub fn run(
    command: &ExportCommand,
    interrupt: &AtomicBool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> anyhow::Result<ExitStatus> {
    let open = open_index(
        command.corpus.as_deref(),
        &command.index,
        command.refresh,
        interrupt,
        err,
    )?;
    let reader = open.reader()?;
    let searcher = reader.searcher();
    for file in &open.manifest()?.files {
        let posts: Vec<&str> = file.slugs().collect();
        let passages = read::passages_of_file(&searcher, &open.fields, &file.relative, &posts)
            .map_err(|e| open.damaged(e))?;
        for passage in &passages {
            serde_json::to_writer(&mut *out, &ExportedPassage::from(passage))?;
            out.write_all(b"\n")?;
        }
    }
    Ok(ExitStatus::Success)
}
