//! `recherche index`: brings the index up to date with the corpus and says
//! what changed.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use crate::ExitStatus;
use crate::index::IndexDir;
use crate::index::update::{self, Mode, Summary};
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
    let summary = update::update(&command.corpus, &dir, command.mode, &lock, interrupt)?;
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
