//! The errors recherche reports, one variant per case a caller or a test
//! matches on. Messages are one line and name the file, folder or query.

use std::path::PathBuf;

/// Everything that can go wrong in recherche's library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The corpus folder does not exist.
    #[error("corpus folder {} does not exist", .0.display())]
    CorpusMissing(PathBuf),

    /// The corpus folder holds no post.
    #[error("corpus folder {} holds no post (.txt, .xml, .html, .md)", .0.display())]
    CorpusEmpty(PathBuf),

    /// Two post files have the same name once their bytes that are not
    /// UTF-8 are escaped.
    #[error("{} and {} have the same name in the index; rename one of them", .0.display(), .1.display())]
    SameName(PathBuf, PathBuf),

    /// A post file could not be read.
    #[error("cannot read {}: {reason}", path.display())]
    PostUnreadable {
        /// The post file.
        path: PathBuf,
        /// Why (not a `source`: the message says it once).
        reason: std::io::Error,
    },

    /// A post is not valid UTF-8.
    #[error("{}:{line}:{column}: not valid UTF-8 (invalid byte at offset {offset})", path.display())]
    NotUtf8 {
        /// The post file.
        path: PathBuf,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based column (in characters) of the first invalid byte.
        column: usize,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },

    /// A post file that its format's reader cannot read (an export that
    /// is not well-formed XML, or not a WordPress export).
    #[error("{}:{line}:{column}: {reason}", path.display())]
    BadPost {
        /// The post file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong.
        reason: String,
    },

    /// A post file changed while it was being read.
    #[error("{} changed while it was read; try again", .0.display())]
    ChangedWhileRead(PathBuf),

    /// The index was built from another corpus folder than the one given.
    #[error(
        "index {} was built from {}, not {}; give --corpus {} or rebuild it from this folder with `recherche index --full`",
        index.display(), built_from.display(), given.display(), built_from.display()
    )]
    OtherCorpus {
        /// The index folder.
        index: PathBuf,
        /// The corpus folder it records.
        built_from: PathBuf,
        /// The corpus folder given.
        given: PathBuf,
    },

    /// A `--cors` origin that is no header value.
    #[error("--cors {0:?} is not an origin (expected https://blog.example)")]
    BadCors(String),

    /// A file or folder could not be read or written.
    #[error("{action} {}", path.display())]
    Io {
        /// What was being done ("cannot read", "cannot create" …).
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },

    /// Another process holds the index lock.
    #[error(
        "another `recherche index` is updating {}; try again when it has finished",
        .0.display()
    )]
    IndexLocked(PathBuf),

    /// The index folder is recherche's but cannot be used.
    #[error("index {} is unusable ({reason}); rebuild it with `recherche index --full`", path.display())]
    IndexCorrupt {
        /// The index folder.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// The index folder holds files recherche did not write.
    #[error(
        "{} is not a recherche index (it holds other files); choose another --index or empty it",
        .0.display()
    )]
    ForeignIndex(PathBuf),

    /// No index exists and it may not be built (`--no-refresh`).
    #[error("no index in {}; build it with `recherche index`", .0.display())]
    IndexMissing(PathBuf),

    /// The query has no words and no filters.
    #[error("empty query")]
    EmptyQuery,

    /// The query is longer than recherche accepts.
    #[error("query too long: {chars} characters (at most {max})")]
    QueryTooLong {
        /// Length of the query in characters.
        chars: usize,
        /// The limit.
        max: usize,
    },

    /// A `kind:` value that is not a passage kind.
    #[error(
        "unknown passage kind {0:?} in the query (expected title, article, bio, comment or pingback)"
    )]
    UnknownKind(String),

    /// No passage has the requested id.
    #[error("no passage has the id {id:?}{}", suggestion(.suggestions))]
    UnknownId {
        /// The id asked for.
        id: String,
        /// The closest existing ids.
        suggestions: Vec<String>,
    },

    /// Ctrl-C stopped an update before it committed.
    #[error("interrupted; the index was left as it was")]
    Interrupted,

    /// An error inside the search engine.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

fn suggestion(ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", ids.join(", "))
    }
}

impl Error {
    /// True for the errors of reading one post file (not UTF-8,
    /// unreadable), not of the corpus or the index.
    pub fn is_about_a_post(&self) -> bool {
        matches!(
            self,
            Error::NotUtf8 { .. } | Error::PostUnreadable { .. } | Error::BadPost { .. }
        )
    }

    /// Builds an [`Error::Io`].
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// The 1-based line and column (in characters) of byte `offset` of
/// `text`.
pub fn line_and_column(text: &[u8], offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Result with recherche's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
