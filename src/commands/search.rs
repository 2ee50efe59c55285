//! `recherche search`: makes sure the index reflects the corpus, runs the
//! query, prints the hits.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use crate::ExitStatus;
use crate::commands::Output;
use crate::commands::index::describe;
use crate::corpus;
use crate::error::Error;
use crate::index::update::{self, Mode};
use crate::index::{DirState, IndexDir, OpenIndex};
use crate::render::{json, text};
use crate::search::{self, SearchOptions};

/// Everything `recherche search` needs.
#[derive(Debug, Clone)]
pub struct SearchCommand {
    /// Folder of the posts.
    pub corpus: PathBuf,
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
    let dir = IndexDir::new(&command.index);
    let open = if command.refresh {
        fresh_index(command, &dir, interrupt, err)?
    } else {
        dir.open()?
            .ok_or_else(|| Error::IndexMissing(command.index.clone()))?
    };
    let reader = open.reader()?;
    let searcher = reader.searcher();
    let results = search::search(&searcher, &open.fields, &command.query, &command.options)?;
    if results.only_stop_words {
        writeln!(
            err,
            "recherche: the query has only stop words ({}); nothing to search for",
            results.stop_words.join(", ")
        )?;
    }
    match command.output {
        Output::Json => json::write_results(out, &results)?,
        Output::Text { color } => text::write_results(out, &results, color)?,
    }
    Ok(if results.hits.is_empty() {
        ExitStatus::NoMatch
    } else {
        ExitStatus::Success
    })
}

/// Opens the index, building it on first use and updating it when the
/// corpus changed. When another process is updating it, answers from the
/// last committed state rather than wait.
fn fresh_index(
    command: &SearchCommand,
    dir: &IndexDir,
    interrupt: &AtomicBool,
    err: &mut impl Write,
) -> anyhow::Result<OpenIndex> {
    let rebuild_reason = match dir.state()? {
        DirState::Current(_) => None,
        DirState::Empty => Some(format!(
            "building the index in {} from {}",
            command.index.display(),
            command.corpus.display()
        )),
        DirState::Outdated(_) => {
            Some("the index was built by another version; rebuilding it".to_string())
        }
        DirState::Corrupt(reason) => {
            return Err(Error::IndexCorrupt {
                path: command.index.clone(),
                reason,
            }
            .into());
        }
        DirState::Foreign => return Err(Error::ForeignIndex(command.index.clone()).into()),
    };
    if let Some(reason) = rebuild_reason {
        // Say nothing of building if there is nothing to build from.
        if corpus::discover(&command.corpus)?.is_empty() {
            return Err(Error::CorpusEmpty(command.corpus.clone()).into());
        }
        writeln!(err, "recherche: {reason}…")?;
        // Another process may be building it: wait for it, then look again.
        let lock = dir.lock(true)?;
        if !matches!(dir.state()?, DirState::Current(_)) {
            let summary = update::update(&command.corpus, dir, Mode::Full, &lock, interrupt)?;
            writeln!(err, "recherche: {}", describe(&summary))?;
        }
    }
    let open = dir
        .open()?
        .ok_or_else(|| Error::IndexMissing(command.index.clone()))?;
    let changed = update::is_stale(&command.corpus, &open.manifest)?;
    if changed.is_empty() {
        return Ok(open);
    }
    let lock = match dir.lock(false) {
        Ok(lock) => lock,
        Err(Error::IndexLocked(_)) => {
            writeln!(
                err,
                "recherche: another process is updating the index; answering from its last committed state"
            )?;
            return Ok(open);
        }
        Err(e) => {
            writeln!(
                err,
                "recherche: the corpus changed but the index cannot be updated ({e}); answering from it as it is"
            )?;
            return Ok(open);
        }
    };
    drop(open);
    let summary = update::update(&command.corpus, dir, Mode::Incremental, &lock, interrupt)?;
    if summary.committed {
        writeln!(
            err,
            "recherche: {} ({} changed)",
            describe(&summary),
            plural(changed.len(), "file")
        )?;
    }
    Ok(dir
        .open()?
        .ok_or_else(|| Error::IndexMissing(command.index.clone()))?)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
