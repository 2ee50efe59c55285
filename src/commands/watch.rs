//! `recherche watch`: keeps the index fresh while posts are edited.
//!
//! Watches the corpus folder, waits for a burst of events to settle, then
//! updates the index incrementally and prints one line. An update that
//! fails (a file saved half-way, not yet valid UTF-8) is reported and the
//! watch goes on. Ctrl-C stops it between two updates.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::ExitStatus;
use crate::commands::index::describe;
use crate::error::Error;
use crate::index::IndexDir;
use crate::index::update::{self, Mode};
use crate::render::note;

/// Everything `recherche watch` needs.
#[derive(Debug, Clone)]
pub struct WatchCommand {
    /// Folder of the posts, when given (see [`super::corpus_folder`]).
    pub corpus: Option<PathBuf>,
    /// Folder of the index.
    pub index: PathBuf,
    /// Quiet time after the last event before updating.
    pub debounce: Duration,
}

/// How often the loop looks at the Ctrl-C flag when nothing happens.
const TICK: Duration = Duration::from_millis(100);

/// Runs `recherche watch` until Ctrl-C.
pub fn run(
    command: &WatchCommand,
    interrupt: &AtomicBool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> anyhow::Result<ExitStatus> {
    let dir = IndexDir::new(&command.index);
    // Fail early, with the usual message, if there is nothing to watch.
    let corpus_dir = super::corpus_folder(&command.index, command.corpus.as_deref(), false)?;
    crate::corpus::discover(&corpus_dir)?;
    // A watch that cannot keep the index up to date says so once, and stops.
    update_once(&corpus_dir, &dir, interrupt, out, err)?;
    keep_up_to_date(
        &corpus_dir,
        &dir,
        command.debounce,
        interrupt,
        out,
        err,
        &mut || {},
    )?;
    note(err, format_args!("stopped watching"))?;
    Ok(ExitStatus::Success)
}

/// Watches `corpus_dir` and brings the index of `dir` up to date after
/// each burst of changes settles (`debounce`), until `interrupt`; calls
/// `on_commit` after each update that committed. A failed update is
/// reported, and tried again at the next change.
pub fn keep_up_to_date(
    corpus_dir: &Path,
    dir: &IndexDir,
    debounce: Duration,
    interrupt: &AtomicBool,
    out: &mut impl Write,
    err: &mut impl Write,
    on_commit: &mut dyn FnMut(),
) -> anyhow::Result<()> {
    let (sender, events) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = sender.send(event);
    })?;
    watcher.watch(corpus_dir, RecursiveMode::Recursive)?;
    // Events name absolute paths: compare with the absolute corpus path.
    let corpus = std::fs::canonicalize(corpus_dir)
        .map_err(|e| Error::io("cannot read corpus folder", corpus_dir, e))?;
    note(
        err,
        format_args!("watching {} (Ctrl-C to stop)", corpus_dir.display()),
    )?;
    // What changed before the watcher started is caught by one update now.
    let mut last_event = Instant::now().checked_sub(debounce);
    while !interrupt.load(Ordering::Relaxed) {
        match events.recv_timeout(TICK) {
            Ok(event) => {
                if reports_change(&corpus, event, err)? {
                    last_event = Some(Instant::now());
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if last_event.is_some_and(|t| t.elapsed() >= debounce) {
            last_event = None;
            match update_once(corpus_dir, dir, interrupt, out, err) {
                Ok(true) => on_commit(),
                Ok(false) | Err(Error::Interrupted) => {}
                Err(e) => note(err, e)?,
            }
        }
    }
    Ok(())
}

/// True when `event` may mean a post changed: not a file merely opened or
/// read (the watch's own updates read the posts), nothing hidden. An
/// error of the watcher counts as a change: changes may have been missed.
fn reports_change(
    corpus: &Path,
    event: notify::Result<notify::Event>,
    err: &mut impl Write,
) -> std::io::Result<bool> {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode};
    match event {
        Ok(event) => Ok(event.need_rescan()
            || match event.kind {
                EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
                EventKind::Access(_) => false,
                _ => true,
            } && event.paths.iter().any(|p| is_post_path(corpus, p))),
        Err(e) => {
            note(err, format_args!("watch error: {e}"))?;
            Ok(true)
        }
    }
}

/// True for paths that may change a post: nothing hidden under the corpus.
fn is_post_path(corpus: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(corpus) else {
        return true;
    };
    !relative.components().any(|c| match c {
        Component::Normal(name) => name.to_string_lossy().starts_with('.'),
        _ => false,
    })
}

/// One incremental update: prints a line when something was committed,
/// names the posts that could not be read (their last indexed passages are
/// kept).
/// Returns whether it committed.
pub fn update_once(
    corpus_dir: &Path,
    dir: &IndexDir,
    interrupt: &AtomicBool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> crate::Result<bool> {
    let lock = dir.lock(true)?;
    let request = super::refresh(corpus_dir, Mode::Incremental, interrupt);
    let summary = update::update(dir, &lock, &request)?;
    let mut written = || -> std::io::Result<()> {
        if summary.committed {
            writeln!(out, "{} in {} ms", describe(&summary), summary.elapsed_ms)?;
            out.flush()?;
        }
        super::say_left(&summary, err)
    };
    written().map_err(|e| Error::io("cannot write", "the output", e))?;
    Ok(summary.committed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_merely_read_is_no_change() {
        use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, Flag, ModifyKind};
        use notify::{Event, EventKind};
        let corpus = Path::new("/blog/corpus");
        let post = PathBuf::from("/blog/corpus/a.txt");
        let reports = |event: notify::Result<Event>| {
            let mut err = Vec::new();
            let changed = reports_change(corpus, event, &mut err).unwrap();
            (changed, String::from_utf8(err).unwrap())
        };
        let on_post = |kind| Ok(Event::new(kind).add_path(post.clone()));
        // The watch's own updates open and read the posts.
        for kind in [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Access(AccessKind::Read),
        ] {
            assert_eq!(reports(on_post(kind)), (false, String::new()));
        }
        for kind in [
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Create(CreateKind::File),
        ] {
            assert_eq!(reports(on_post(kind)), (true, String::new()));
        }
        // Hidden files: an editor's swap file.
        let swap = Event::new(EventKind::Modify(ModifyKind::Any))
            .add_path(PathBuf::from("/blog/corpus/.a.txt.swp"));
        assert_eq!(reports(Ok(swap)), (false, String::new()));
        // Events were lost: anything may have changed.
        let rescan = Event::new(EventKind::Other).set_flag(Flag::Rescan);
        assert_eq!(reports(Ok(rescan)), (true, String::new()));
        let (changed, err) = reports(Err(notify::Error::generic("queue overflow")));
        assert!(changed);
        assert_eq!(err, "recherche: watch error: queue overflow\n");
    }

    #[test]
    fn hidden_files_under_the_corpus_are_ignored() {
        let corpus = Path::new("/tmp/.tmpAbc/corpus");
        assert!(is_post_path(corpus, Path::new("/tmp/.tmpAbc/corpus/a.txt")));
        assert!(!is_post_path(
            corpus,
            Path::new("/tmp/.tmpAbc/corpus/.a.txt.swp")
        ));
        assert!(!is_post_path(
            corpus,
            Path::new("/tmp/.tmpAbc/corpus/.git/index")
        ));
        assert!(is_post_path(corpus, Path::new("/elsewhere/b.txt")));
    }
}
