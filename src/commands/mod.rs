//! One orchestration function per subcommand: a short sequence of corpus →
//! index → search → render calls. The pipeline modules know nothing of the
//! command line.

pub mod index;
pub mod search;
pub mod watch;

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
