//! `recherche index`: brings the index up to date with the corpus and says
//! what changed.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::ExitStatus;
use crate::index::IndexDir;
use crate::index::update::{self, BadFiles, Mode, Progress, Request, Summary};
use crate::render::json;
use crate::render::note;

/// Everything `recherche index` needs.
#[derive(Debug, Clone)]
pub struct IndexCommand {
    /// Folder of the posts, when given (see [`super::corpus_folder`]).
    pub corpus: Option<PathBuf>,
    /// Folder of the index.
    pub index: PathBuf,
    /// Incremental or full.
    pub mode: Mode,
    /// Print the summary as JSON.
    pub json: bool,
    /// Print nothing but errors.
    pub quiet: bool,
}

/// Runs `recherche index`. Fails at once if another process is updating
/// the index.
pub fn run(
    command: &IndexCommand,
    interrupt: &AtomicBool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> anyhow::Result<ExitStatus> {
    let rebuild = command.mode == Mode::Full;
    let corpus = super::corpus_folder(&command.index, command.corpus.as_deref(), rebuild)?;
    let dir = IndexDir::new(&command.index);
    let lock = dir.lock(false)?;
    let progress = Progress::default();
    let show_progress = !command.quiet && !command.json && std::io::stderr().is_terminal();
    let done = AtomicBool::new(false);
    let summary = std::thread::scope(|scope| {
        if show_progress {
            scope.spawn(|| draw_progress(&progress, &done));
        }
        let request = Request {
            corpus: &corpus,
            mode: command.mode,
            bad_files: BadFiles::Stop,
            interrupt,
            progress: &progress,
        };
        let summary = update::update(&dir, &lock, &request);
        done.store(true, Ordering::Relaxed);
        summary
    })?;
    if command.json {
        json::write_value(out, &summary)?;
    } else if !command.quiet {
        writeln!(out, "{}", describe(&summary))?;
    }
    if !command.quiet {
        note(
            err,
            format_args!(
                "{} of {} files read in {} ms",
                summary.files_read, summary.files, summary.elapsed_ms
            ),
        )?;
    }
    Ok(ExitStatus::Success)
}

/// How long an update runs before a progress bar appears.
const QUIET_START: Duration = Duration::from_secs(1);

/// Draws a progress bar on stderr until `done`, once the update has run for
/// more than [`QUIET_START`].
fn draw_progress(progress: &Progress, done: &AtomicBool) {
    let started = Instant::now();
    while started.elapsed() < QUIET_START {
        if done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let bar = progress_bar(ProgressDrawTarget::stderr());
    while !done.load(Ordering::Relaxed) {
        show_progress(&bar, progress, started.elapsed());
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}

/// A progress bar of files, passages, throughput and time left.
fn progress_bar(target: ProgressDrawTarget) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, target);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} files · {msg} · {elapsed} (ETA {eta})")
            .expect("a valid template"),
    );
    bar
}

/// Shows on `bar` where an update that started `elapsed` ago stands.
fn show_progress(bar: &ProgressBar, progress: &Progress, elapsed: Duration) {
    let megabytes = progress.bytes_done.load(Ordering::Relaxed) as f64 / 1e6;
    bar.set_length(progress.files_total.load(Ordering::Relaxed));
    bar.set_position(progress.files_done.load(Ordering::Relaxed));
    bar.set_message(format!(
        "{} passages · {:.1} MB/s",
        progress.passages.load(Ordering::Relaxed),
        megabytes / elapsed.as_secs_f64().max(1e-3)
    ));
}

/// One line saying what an update did.
pub fn describe(summary: &Summary) -> String {
    let what = if summary.full {
        "index rebuilt"
    } else if summary.changed() {
        "index updated"
    } else {
        "index up to date"
    };
    let moved = match summary.moved {
        0 => String::new(),
        n => format!(", {n} moved"),
    };
    format!(
        "{what}: {} passages ({} added, {} updated, {} removed, {} unchanged{moved}; {} duplicates)",
        summary.passages,
        summary.added,
        summary.updated,
        summary.removed,
        summary.unchanged,
        summary.duplicates
    )
}

#[cfg(test)]
mod tests {
    use indicatif::{InMemoryTerm, TermLike};

    use super::*;

    #[test]
    fn the_progress_bar_shows_files_passages_throughput_and_time_left() {
        let term = InMemoryTerm::new(2, 120);
        let bar = progress_bar(ProgressDrawTarget::term_like(Box::new(term.clone())));
        let progress = Progress::default();
        progress.files_total.store(400, Ordering::Relaxed);
        progress.file_done(3_000_000, 1_234);
        show_progress(&bar, &progress, Duration::from_secs(2));
        bar.tick();
        let screen = term.contents();
        for shown in ["1/400 files", "1234 passages", "1.5 MB/s", "ETA"] {
            assert!(screen.contains(shown), "{shown:?} not in {screen:?}");
        }
        bar.finish_and_clear();
        assert_eq!(term.contents().trim(), "");
        assert_eq!(term.width(), 120);
    }
}
