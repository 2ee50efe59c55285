//! The manifest: what the committed index was built from.
//!
//! One line per post file: size, modification time, content hash (xxh3),
//! passage count, racy flag, the slugs of its posts and relative path,
//! separated by tabs (tabs, line ends and backslashes in names escaped).
//! Slugs are separated by spaces; a post whose slug is not the one it asked
//! for (another post had it) is written `wanted>slug`. What each passage
//! was (its content hash) lives in the index itself, next to the passage.
//!
//! A manifest is written to a new file (`manifest-<opstamp>.tsv`, through
//! a temporary file and a rename) *before* the tantivy commit whose
//! payload names it. A crash between the two leaves an unused file and the
//! previous commit still naming the previous manifest: the manifest is
//! never ahead of, nor behind, the committed index.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crate::error::{Error, Result};

/// First line of every manifest file.
const HEADER: &str = "# recherche manifest 3";

/// What the index knows of one post file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the corpus folder.
    pub relative: String,
    /// The slugs of its posts, in the file's order.
    pub posts: PostSlugs,
    /// Size in bytes when indexed.
    pub size: u64,
    /// Modification time when indexed (ns since the epoch).
    pub modified_ns: u128,
    /// xxh3 of the file's bytes.
    pub hash: u64,
    /// Number of passages it gave.
    pub passages: u64,
    /// Modified right before it was indexed: size and time may not reveal
    /// a later edit, so its content is hashed at every check.
    pub racy: bool,
}

/// The slugs of a file's posts: each the slug it asked for and the one it
/// got, kept as the manifest writes them (`wanted`, or `wanted>slug` when
/// another post had it, separated by spaces), so that reading a manifest
/// of many files allocates one text per file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostSlugs(String);

impl PostSlugs {
    /// Adds a post that asked for `wanted` and got `slug`.
    pub fn push(&mut self, wanted: &str, slug: &str) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        self.0.push_str(wanted);
        if slug != wanted {
            self.0.push('>');
            self.0.push_str(slug);
        }
    }

    /// Each post's slug asked for, and slug got, in the file's order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(|post| post.split_once('>').unwrap_or((post, post)))
    }

    /// The number of posts.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// True for a file without posts.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FileEntry {
    /// The slugs its posts asked for.
    pub fn wanted(&self) -> impl Iterator<Item = &str> {
        self.posts.iter().map(|(wanted, _)| wanted)
    }

    /// The slugs its posts got.
    pub fn slugs(&self) -> impl Iterator<Item = &str> {
        self.posts.iter().map(|(_, slug)| slug)
    }
}

/// The file table of a committed index, sorted by relative path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// One entry per post file.
    pub files: Vec<FileEntry>,
}

impl Manifest {
    /// Serialises the manifest.
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(64 * self.files.len() + 32);
        out.push_str(HEADER);
        out.push('\n');
        for f in &self.files {
            let _ = writeln!(
                out,
                "{}\t{}\t{:016x}\t{}\t{}\t{}\t{}",
                f.size,
                f.modified_ns,
                f.hash,
                f.passages,
                u8::from(f.racy),
                escape(&f.posts.0),
                escape(&f.relative),
            );
        }
        out
    }

    /// Parses a manifest written by [`Manifest::to_text`].
    pub fn from_text(text: &str) -> Result<Manifest, String> {
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Err("the manifest has an unknown format".into());
        }
        let mut files = Vec::new();
        for (n, line) in lines.enumerate() {
            let entry = parse_line(line)
                .ok_or_else(|| format!("the manifest is damaged at line {}", n + 2))?;
            files.push(entry);
        }
        if !files.is_sorted_by(|a, b| a.relative < b.relative) {
            return Err("the manifest is not sorted".into());
        }
        Ok(Manifest { files })
    }

    /// Writes the manifest atomically to `path` (temporary file, fsync, rename).
    pub fn write(&self, path: &Path) -> Result<()> {
        let folder = path.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::Builder::new()
            .prefix(".manifest")
            .tempfile_in(folder)
            .map_err(|e| Error::io("cannot write in", folder, e))?;
        tmp.write_all(self.to_text().as_bytes())
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| Error::io("cannot write", tmp.path().to_path_buf(), e))?;
        tmp.persist(path)
            .map_err(|e| Error::io("cannot write", path, e.error))?;
        Ok(())
    }
}

fn parse_line(line: &str) -> Option<FileEntry> {
    let mut fields = line.split('\t');
    let mut next = || fields.next();
    let entry = FileEntry {
        size: next()?.parse().ok()?,
        modified_ns: next()?.parse().ok()?,
        hash: u64::from_str_radix(next()?, 16).ok()?,
        passages: next()?.parse().ok()?,
        racy: next()? == "1",
        posts: PostSlugs(unescape(next()?)),
        relative: unescape(next()?),
    };
    fields.next().is_none().then_some(entry)
}

/// The content hash of a file or passage: xxh3, stable across releases.
pub fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// `text` with its backslashes, tabs and line ends escaped.
fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\\', '\t', '\n', '\r']) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.into()
}

fn unescape(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        let manifest = Manifest {
            files: vec![
                FileEntry {
                    relative: "a\tb\\c\nd\r.txt".into(),
                    posts: {
                        let mut posts = PostSlugs::default();
                        posts.push("a-b-c-d", "a-b-c-d");
                        posts.push("x", "x-2");
                        posts
                    },
                    size: 12,
                    modified_ns: 1_700_000_000_123_456_789,
                    hash: 0xdead_beef,
                    passages: 3,
                    racy: true,
                },
                FileEntry {
                    relative: "été/c.txt".into(),
                    posts: PostSlugs::default(),
                    size: 0,
                    modified_ns: 0,
                    hash: u64::MAX,
                    passages: 0,
                    racy: false,
                },
            ],
        };
        let text = manifest.to_text();
        assert_eq!(
            text,
            format!(
                "{HEADER}\n\
                 12\t1700000000123456789\t00000000deadbeef\t3\t1\ta-b-c-d x>x-2\ta\\tb\\\\c\\nd\\r.txt\n\
                 0\t0\tffffffffffffffff\t0\t0\t\tété/c.txt\n"
            )
        );
        assert_eq!(Manifest::from_text(&text), Ok(manifest));
    }

    #[test]
    fn rejects_damaged_text() {
        assert!(Manifest::from_text("garbage").is_err());
        assert!(Manifest::from_text(&format!("{HEADER}garbage")).is_err());
        assert!(Manifest::from_text(&format!("{HEADER}\n1\t2\n")).is_err());
        let line = "12\t1700000000\t00ff\t3\t0\ta\ta.txt";
        assert!(Manifest::from_text(&format!("{HEADER}\n{line}\n")).is_ok());
        for bad in [
            "12\t1700000000\t00ff\t3\t0\ta\ta.txt\textra",
            "-12\t1700000000\t00ff\t3\t0\ta\ta.txt",
            "12\t\t00ff\t3\t0\ta\ta.txt",
            "12\t1700000000\tzz\t3\t0\ta\ta.txt",
            "99999999999999999999999\t1\t00ff\t3\t0\ta\ta.txt",
        ] {
            let text = format!("{HEADER}\n{bad}\n");
            assert_eq!(
                Manifest::from_text(&text),
                Err("the manifest is damaged at line 2".to_string()),
                "{bad}"
            );
        }
        let unsorted = format!("{HEADER}\n1\t1\t0\t1\t0\tb\tb.txt\n1\t1\t0\t1\t0\ta\ta.txt\n");
        assert_eq!(
            Manifest::from_text(&unsorted),
            Err("the manifest is not sorted".to_string())
        );
    }

    #[test]
    fn an_empty_corpus_has_an_empty_manifest() {
        let empty = Manifest::default();
        assert_eq!(Manifest::from_text(&empty.to_text()), Ok(empty.clone()));
        assert_eq!(Manifest::from_text(HEADER), Ok(empty));
    }

    #[test]
    fn hash_is_stable() {
        // xxh3 of the empty input, fixed by the algorithm's specification.
        assert_eq!(hash(b""), 0x2d06_8005_38d3_94c2);
    }
}
