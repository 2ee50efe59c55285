//! `recherche search`: makes sure the index reflects the corpus, runs the
//! query, prints the hits.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use tantivy::IndexReader;

use crate::ExitStatus;
use crate::commands::{Output, open_index};
use crate::index::OpenIndex;
use crate::render::note;
use crate::render::{json, text};
use crate::search::{self, SearchOptions};

/// Everything `recherche search` needs.
#[derive(Debug, Clone)]
pub struct SearchCommand {
    /// Folder of the posts, when given (see [`super::corpus_folder`]).
    pub corpus: Option<PathBuf>,
    /// Folder of the index.
    pub index: PathBuf,
    /// The query, words joined by spaces.
    pub query: String,
    /// Limit and filters.
    pub options: SearchOptions,
    /// Text or JSON.
    pub output: Output,
    /// Check the corpus and update the index first.
    pub refresh: bool,
}

/// Runs `recherche search`: exit 0 with hits, 1 without.
pub fn run(
    command: &SearchCommand,
    interrupt: &AtomicBool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> anyhow::Result<ExitStatus> {
    // Check the query before any indexing work.
    search::parse_query(&command.query, &command.options)?;
    let open = open_index(
        command.corpus.as_deref(),
        &command.index,
        command.refresh,
        interrupt,
        err,
    )?;
    let reader = open.reader()?;
    answer(command, &open, &reader, out, err)
}

/// Runs the query on an open index and prints the hits.
pub(crate) fn answer(
    command: &SearchCommand,
    open: &OpenIndex,
    reader: &IndexReader,
    out: &mut impl Write,
    err: &mut impl Write,
) -> anyhow::Result<ExitStatus> {
    let searcher = reader.searcher();
    let results = search::search(&searcher, open, &command.query, &command.options)
        .map_err(|e| open.damaged(e))?;
    if results.nothing_to_search {
        note(err, results.why_nothing_to_search())?;
    }
    match command.output {
        Output::Json => json::write_results(out, &results)?,
        Output::Text { color } => text::write_results(out, &results, color)?,
    }
    // Whether a passage matched, however many were printed (`--limit 0`).
    Ok(if results.total == 0 {
        ExitStatus::NoMatch
    } else {
        ExitStatus::Success
    })
}
