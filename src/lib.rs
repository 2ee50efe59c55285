//! recherche: full-text search of French blog posts and their comments.
//!
//! The pipeline, one module per stage: [`corpus`] (which files) →
//! [`formats`] (a file's post) → [`passages`] (what to search) →
//! [`analysis`] (French words) → [`index`] (tantivy, kept up to date) →
//! [`query`] and [`search`] (ranked hits, snippets) → [`render`] (what to
//! show). [`commands`] strings the stages together for each subcommand;
//! [`run`] is the entry point of the binary.

#![warn(missing_docs)]

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod corpus;
pub mod dates;
pub mod error;
pub mod formats;
pub mod index;
pub mod passages;
pub mod query;
pub mod render;
pub mod search;
pub mod serve;

use std::sync::atomic::{AtomicBool, Ordering};

pub use error::{Error, Result};

/// True when `err` comes from writing to a pipe whose reader has left:
/// an `io::Error` anywhere in its chain, or one inside a JSON writer's
/// error (serde_json keeps it out of the chain).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let io = cause.downcast_ref::<std::io::Error>().map(|e| e.kind());
        let json = cause
            .downcast_ref::<serde_json::Error>()
            .and_then(|e| e.io_error_kind());
        io.or(json) == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// How a failed run ends: 130 when Ctrl-C stopped it, 2 for any other
/// error. The binary prints `recherche: {err:#}` with it; so does `watch`
/// when it answers a search that failed.
pub fn failure_status(err: &anyhow::Error) -> ExitStatus {
    if err
        .chain()
        .any(|cause| matches!(cause.downcast_ref(), Some(Error::Interrupted)))
    {
        ExitStatus::Interrupted
    } else {
        ExitStatus::Error
    }
}

/// How a run ended, as grep reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Something matched, or the command succeeded: exit 0.
    Success,
    /// Nothing matched: exit 1.
    NoMatch,
    /// An error was reported: exit 2.
    Error,
    /// Ctrl-C stopped the run: exit 130, as a shell reports SIGINT.
    Interrupted,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::NoMatch => 1,
            ExitStatus::Error => 2,
            ExitStatus::Interrupted => 130,
        }
    }
}

/// Runs the command line, writing results to stdout and notes to stderr.
pub fn run(cli: cli::Cli) -> anyhow::Result<ExitStatus> {
    use commands::Command;
    let command = cli.into_command();
    // Long updates stop cleanly on Ctrl-C; elsewhere Ctrl-C ends the process
    // as usual (still safe: every write is atomic) and no signal thread is
    // started for a millisecond query.
    let interrupt = match command {
        Command::Index(_) | Command::Watch(_) | Command::Serve(_) => interrupt_flag(),
        _ => &NEVER_INTERRUPTED,
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // Not locked for the whole run: the progress bar writes to it from its own thread.
    let mut err = std::io::stderr();
    let status = match command {
        Command::Search(c) => commands::search::run(&c, interrupt, &mut out, &mut err)?,
        Command::Index(c) => commands::index::run(&c, interrupt, &mut out, &mut err)?,
        Command::Watch(c) => commands::watch::run(&c, interrupt, &mut out, &mut err)?,
        Command::Show(c) => commands::show::run(&c, interrupt, &mut out, &mut err)?,
        Command::Status(c) => commands::status::run(&c, &mut out)?,
        Command::Export(c) => commands::export::run(&c, interrupt, &mut out, &mut err)?,
        Command::Serve(c) => serve::run(&c, interrupt, &mut err)?,
        Command::Completions(shell) => {
            let mut command = <cli::Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "recherche", &mut out);
            ExitStatus::Success
        }
        Command::Man => {
            let command = <cli::Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut out)?;
            ExitStatus::Success
        }
    };
    std::io::Write::flush(&mut out)?;
    Ok(status)
}

/// The flag of commands that do not handle Ctrl-C.
static NEVER_INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The flag Ctrl-C raises. Updates check it between two files and stop
/// before committing; a second Ctrl-C ends the process at once.
fn interrupt_flag() -> &'static AtomicBool {
    static INTERRUPT: AtomicBool = AtomicBool::new(false);
    static HANDLER: std::sync::Once = std::sync::Once::new();
    HANDLER.call_once(|| {
        // Without a handler, Ctrl-C ends the process: still safe, as every
        // write is atomic, only less polite.
        let _ = ctrlc::set_handler(|| {
            if INTERRUPT.swap(true, Ordering::SeqCst) {
                std::process::exit(i32::from(ExitStatus::Interrupted.code()));
            }
        });
    });
    &INTERRUPT
}
