//! The `recherche` binary: parses the command line, runs it, maps the
//! outcome to grep's exit codes (0 matched, 1 no match, 2 error).

use std::process::ExitCode;

use clap::Parser;

/// Builds are faster with mimalloc than with the C library's allocator
/// (`docs/performance.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = recherche::cli::Cli::parse();
    match recherche::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        // `recherche … | head`: the reader left, which is not an error.
        Err(err) if recherche::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = recherche::render::note(&mut std::io::stderr(), format_args!("{err:#}"));
            ExitCode::from(recherche::failure_status(&err).code())
        }
    }
}
