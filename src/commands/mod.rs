//! One orchestration function per subcommand: a short sequence of corpus →
//! index → search → render calls. The pipeline modules know nothing of the
//! command line.

pub mod export;
pub mod index;
pub mod search;
pub mod show;
pub mod status;
pub mod watch;

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use crate::corpus;
use crate::error::Error;
use crate::index::update::{self, Mode};
use crate::index::{DirState, IndexDir, OpenIndex};

/// How to print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Text for people; `color` paints matched words.
    Text {
        /// Use ANSI colours.
        color: bool,
    },
    /// One JSON document.
    Json,
}

/// Opens the index for reading. With `refresh`, builds it on first use and
/// updates it when the corpus changed (one line on `err`); when another
/// process is updating it, answers from the last committed state rather
/// than wait. Without, opens it as it is.
pub fn open_index(
    corpus_dir: &Path,
    index_dir: &Path,
    refresh: bool,
    interrupt: &AtomicBool,
    err: &mut impl Write,
) -> anyhow::Result<OpenIndex> {
    Ok(refresh_and_open(corpus_dir, index_dir, refresh, interrupt, err)?.0)
}

/// What [`refresh_and_open`] did to the index.
#[derive(Debug, Default)]
pub struct Refreshed {
    /// The update it made, if any.
    pub update: Option<update::Summary>,
    /// The corpus may hold changes the index does not: another process
    /// held the lock, or trusting settled files again failed.
    pub behind: bool,
}

/// [`open_index`], saying what it did to the index.
pub fn refresh_and_open(
    corpus_dir: &Path,
    index_dir: &Path,
    refresh: bool,
    interrupt: &AtomicBool,
    err: &mut impl Write,
) -> anyhow::Result<(OpenIndex, Refreshed)> {
    let dir = IndexDir::new(index_dir);
    let missing = || Error::IndexMissing(index_dir.to_path_buf());
    let mut refreshed = Refreshed::default();
    if !refresh {
        refreshed.behind = true;
        return Ok((dir.open()?.ok_or_else(missing)?, refreshed));
    }
    let rebuild_reason = match dir.state()? {
        DirState::Current(_) => None,
        DirState::Empty => Some(format!(
            "building the index in {} from {}",
            index_dir.display(),
            corpus_dir.display()
        )),
        DirState::Outdated => {
            Some("the index was built by another version; rebuilding it".to_string())
        }
        DirState::Corrupt(reason) => {
            return Err(Error::IndexCorrupt {
                path: index_dir.to_path_buf(),
                reason,
            }
            .into());
        }
        DirState::Foreign => return Err(Error::ForeignIndex(index_dir.to_path_buf()).into()),
    };
    if let Some(reason) = rebuild_reason {
        // Say nothing of building if there is nothing to build from.
        if corpus::discover(corpus_dir)?.is_empty() {
            return Err(Error::CorpusEmpty(corpus_dir.to_path_buf()).into());
        }
        writeln!(err, "recherche: {reason}…")?;
        // Another process may be building it: wait for it, then look again.
        let lock = dir.lock(true)?;
        if !matches!(dir.state()?, DirState::Current(_)) {
            let summary = update::update(corpus_dir, &dir, Mode::Full, &lock, interrupt)?;
            writeln!(err, "recherche: {}", index::describe(&summary))?;
            refreshed.update = Some(summary);
        }
    }
    let open = dir.open()?.ok_or_else(missing)?;
    let check = update::check(corpus_dir, &open)?;
    let changed = check.changed;
    if changed.is_empty() && check.settled == 0 {
        return Ok((open, refreshed));
    }
    refreshed.behind = true;
    let lock = match dir.lock(false) {
        Ok(lock) => lock,
        // Nothing changed, only files to trust again: another time.
        Err(_) if changed.is_empty() => return Ok((open, refreshed)),
        Err(Error::IndexLocked(_)) => {
            writeln!(
                err,
                "recherche: another process is updating the index; answering from its last committed state"
            )?;
            return Ok((open, refreshed));
        }
        Err(e) => {
            writeln!(
                err,
                "recherche: the corpus changed but the index cannot be updated ({e}); answering from it as it is"
            )?;
            return Ok((open, refreshed));
        }
    };
    drop(open);
    if changed.is_empty() {
        // Only racy files to trust again: a failure changes nothing, the
        // next run tries again; Ctrl-C still stops.
        match update::update(corpus_dir, &dir, Mode::Incremental, &lock, interrupt) {
            Err(Error::Interrupted) => return Err(Error::Interrupted.into()),
            Err(_) => {}
            Ok(_) => refreshed.behind = false,
        }
        return Ok((dir.open()?.ok_or_else(missing)?, refreshed));
    }
    let summary = update::update(corpus_dir, &dir, Mode::Incremental, &lock, interrupt)?;
    if summary.committed {
        let files = match changed.len() {
            1 => "1 file".to_string(),
            n => format!("{n} files"),
        };
        writeln!(
            err,
            "recherche: {} ({files} changed)",
            index::describe(&summary)
        )?;
    }
    refreshed.behind = false;
    refreshed.update = Some(summary);
    Ok((dir.open()?.ok_or_else(missing)?, refreshed))
}
