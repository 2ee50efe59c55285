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
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use crate::corpus;
use crate::error::Error;
use crate::index::check::{self, Check};
use crate::index::update::{self, BadFiles, Mode, Request};
use crate::index::{DirState, IndexDir, OpenIndex};
use crate::render::note;

/// A command to run, with its options.
#[derive(Debug)]
pub enum Command {
    /// `recherche search`.
    Search(search::SearchCommand),
    /// `recherche index`.
    Index(index::IndexCommand),
    /// `recherche watch`.
    Watch(watch::WatchCommand),
    /// `recherche show`.
    Show(show::ShowCommand),
    /// `recherche status`.
    Status(status::StatusCommand),
    /// `recherche export`.
    Export(export::ExportCommand),
    /// `recherche serve`.
    Serve(crate::serve::ServeCommand),
    /// `recherche completions SHELL`.
    Completions(clap_complete::Shell),
    /// `recherche man`.
    Man,
}

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

/// The corpus folder of a command: the one given (`--corpus`,
/// `RECHERCHE_CORPUS`), else the one the index records, else `corpus`. A
/// folder given that is not the one the index was built from is an error,
/// unless the index is to be rebuilt from it (`rebuild`).
pub fn corpus_folder(
    index_dir: &Path,
    given: Option<&Path>,
    rebuild: bool,
) -> crate::Result<PathBuf> {
    let recorded = IndexDir::new(index_dir).recorded_corpus();
    match (given, recorded) {
        (None, Some(recorded)) => Ok(recorded),
        (None, None) => Ok(PathBuf::from("corpus")),
        (Some(given), Some(recorded)) if !rebuild && !same_folder(given, &recorded) => {
            Err(Error::OtherCorpus {
                index: index_dir.to_path_buf(),
                built_from: recorded,
                given: given.to_path_buf(),
            })
        }
        (Some(given), _) => Ok(given.to_path_buf()),
    }
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Opens the index for reading. With `refresh`, builds it on first use and
/// updates it when the corpus changed (one line on `err`); when another
/// process is updating it, answers from the last committed state rather
/// than wait. Without, opens it as it is.
pub fn open_index(
    corpus_dir: Option<&Path>,
    index_dir: &Path,
    refresh: bool,
    interrupt: &AtomicBool,
    err: &mut impl Write,
) -> anyhow::Result<OpenIndex> {
    let corpus_dir = &corpus_folder(index_dir, corpus_dir, false)?;
    let dir = IndexDir::new(index_dir);
    if refresh {
        build_if_needed(&dir, corpus_dir, interrupt, err)?;
    }
    let open = dir
        .open()?
        .ok_or_else(|| Error::IndexMissing(index_dir.to_path_buf()))?;
    if !refresh {
        return Ok(open);
    }
    let check = check::check(corpus_dir, &open)?;
    if check.is_fresh() {
        return Ok(open);
    }
    drop(open);
    update_if_free(&dir, corpus_dir, &check, interrupt, err)?;
    Ok(dir
        .open()?
        .ok_or_else(|| Error::IndexMissing(index_dir.to_path_buf()))?)
}

/// Builds the index when there is none, or one of another format version.
fn build_if_needed(
    dir: &IndexDir,
    corpus_dir: &Path,
    interrupt: &AtomicBool,
    err: &mut impl Write,
) -> anyhow::Result<()> {
    let reason = match dir.state()? {
        DirState::Current(_) => return Ok(()),
        DirState::Empty => format!(
            "building the index in {} from {}",
            dir.root().display(),
            corpus_dir.display()
        ),
        DirState::Outdated => "the index was built by another version; rebuilding it".to_string(),
        DirState::Corrupt(reason) => {
            return Err(Error::IndexCorrupt {
                path: dir.root().to_path_buf(),
                reason,
            }
            .into());
        }
        DirState::Foreign => return Err(Error::ForeignIndex(dir.root().to_path_buf()).into()),
    };
    // Say nothing of building if there is nothing to build from.
    if corpus::discover(corpus_dir)?.is_empty() {
        return Err(Error::CorpusEmpty(corpus_dir.to_path_buf()).into());
    }
    note(err, format_args!("{reason}…"))?;
    // Another process may be building it: wait for it, then look again.
    let lock = dir.lock(true)?;
    if !matches!(dir.state()?, DirState::Current(_)) {
        let summary = update::update(dir, &lock, &refresh(corpus_dir, Mode::Full, interrupt))?;
        note(err, format_args!("{}", index::describe(&summary)))?;
        say_left(&summary, err)?;
    }
    Ok(())
}

/// The update of a refreshing command: a post that cannot be read keeps its
/// last indexed passages (and is named), the others are brought up to date.
pub fn refresh<'a>(corpus_dir: &'a Path, mode: Mode, interrupt: &'a AtomicBool) -> Request<'a> {
    Request {
        bad_files: BadFiles::Keep,
        interrupt,
        ..Request::new(corpus_dir, mode)
    }
}

/// Names each post file an update left as it was, in one line.
pub fn say_left(summary: &update::Summary, err: &mut impl Write) -> std::io::Result<()> {
    for why in &summary.left {
        note(
            err,
            format_args!("{why}; its last indexed passages are kept"),
        )?;
    }
    Ok(())
}

/// Brings a stale index up to date, unless another process holds the lock:
/// then the search answers from the last committed state.
fn update_if_free(
    dir: &IndexDir,
    corpus_dir: &Path,
    check: &Check,
    interrupt: &AtomicBool,
    err: &mut impl Write,
) -> anyhow::Result<()> {
    let changed = check.changed.len();
    let lock = match dir.lock(false) {
        Ok(lock) => lock,
        // Nothing changed, only files to trust again: another time.
        Err(_) if changed == 0 => return Ok(()),
        Err(Error::IndexLocked(_)) => {
            note(
                err,
                format_args!(
                    "another process is updating the index; answering from its last committed state"
                ),
            )?;
            return Ok(());
        }
        Err(e) => {
            note(
                err,
                format_args!(
                    "the corpus changed but the index cannot be updated ({e}); answering from it as it is"
                ),
            )?;
            return Ok(());
        }
    };
    let request = refresh(corpus_dir, Mode::Incremental, interrupt);
    let result = update::update(dir, &lock, &request);
    if changed == 0 {
        // Only racy files to trust again: a failure changes nothing, the
        // next run tries again; Ctrl-C still stops.
        return match result {
            Err(Error::Interrupted) => Err(Error::Interrupted.into()),
            _ => Ok(()),
        };
    }
    let summary = result?;
    say_left(&summary, err)?;
    if summary.committed {
        let files = match changed {
            1 => "1 file".to_string(),
            n => format!("{n} files"),
        };
        note(
            err,
            format_args!("{} ({files} changed)", index::describe(&summary)),
        )?;
    }
    Ok(())
}
