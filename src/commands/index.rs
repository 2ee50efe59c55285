//! `recherche index`: brings the index up to date with the corpus and says
//! what changed.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::ExitStatus;
use crate::index::IndexDir;
use crate::index::update::{self, Mode, Progress, Summary};
use crate::render::json;

/// Everything `recherche index` needs.
#[derive(Debug, Clone)]
pub struct IndexCommand {
    /// Folder of the posts.
    pub corpus: PathBuf,
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
    let dir = IndexDir::new(&command.index);
    let lock = dir.lock(false)?;
    let progress = Progress::default();
    let show_progress = !command.quiet && !command.json && std::io::stderr().is_terminal();
    let done = AtomicBool::new(false);
    let summary = std::thread::scope(|scope| {
        if show_progress {
            scope.spawn(|| draw_progress(&progress, &done));
        }
        let summary = update::update_observed(
            &command.corpus,
            &dir,
            command.mode,
            &lock,
            interrupt,
            &progress,
        );
        done.store(true, Ordering::Relaxed);
        summary
    })?;
    if command.json {
        json::write_value(out, &summary)?;
    } else if !command.quiet {
        writeln!(out, "{}", describe(&summary))?;
    }
    if !command.quiet {
        writeln!(
            err,
            "recherche: {} of {} files read in {} ms",
            summary.files_read, summary.files, summary.elapsed_ms
        )?;
    }
    Ok(ExitStatus::Success)
}

/// How long an update runs before a progress bar appears.
const QUIET_START: Duration = Duration::from_secs(1);

/// Draws a progress bar on stderr until `done`, once the update has run for
/// more than [`QUIET_START`]: files, passages, throughput, time left.
fn draw_progress(progress: &Progress, done: &AtomicBool) {
    let started = Instant::now();
    while started.elapsed() < QUIET_START {
        if done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let bar = ProgressBar::new(progress.files_total.load(Ordering::Relaxed));
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} files · {msg} · {elapsed} (ETA {eta})")
            .expect("a valid template"),
    );
    while !done.load(Ordering::Relaxed) {
        let seconds = started.elapsed().as_secs_f64();
        let megabytes = progress.bytes_done.load(Ordering::Relaxed) as f64 / 1e6;
        bar.set_length(progress.files_total.load(Ordering::Relaxed));
        bar.set_position(progress.files_done.load(Ordering::Relaxed));
        bar.set_message(format!(
            "{} passages · {:.1} MB/s",
            progress.passages.load(Ordering::Relaxed),
            megabytes / seconds
        ));
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
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
    format!(
        "{what}: {} passages ({} added, {} updated, {} removed, {} unchanged; {} duplicates)",
        summary.passages,
        summary.added,
        summary.updated,
        summary.removed,
        summary.unchanged,
        summary.duplicates
    )
}
