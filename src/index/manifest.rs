//! The manifest: what the committed index was built from.
//!
//! One line per post file: size, modification time, content hash (xxh3),
//! passage count, racy flag, slug and relative path. The per-passage half of the
//! manifest (id and content hash of every passage) lives in the index itself,
//! as fast fields next to the passages, so it can never disagree with them.
//!
//! A manifest is written to a new file (`manifest-<opstamp>.tsv`, through a
//! temporary file and a rename) *before* the tantivy commit whose payload
//! names it. A crash between the two leaves an unused file and the previous
//! commit still pointing at the previous manifest: the manifest is never
//! ahead of, nor behind, the committed index.

use std::borrow::Borrow;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crate::error::{Error, Result};

/// First line of every manifest file.
const HEADER: &str = "# recherche manifest 2";

/// What the index knows of one post file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the corpus folder.
    pub relative: String,
    /// Slug the file's ids were built from.
    pub slug: String,
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

/// The file table of a committed index, sorted by relative path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// One entry per post file.
    pub files: Vec<FileEntry>,
}

impl Manifest {
    /// Serialises the manifest.
    pub fn to_text(&self) -> String {
        text_of(&self.files)
    }

    /// Parses a manifest written by [`Manifest::to_text`]. Every `search`
    /// that checks the corpus reads it, so it splits lines and fields with
    /// `memchr` and allocates only the two names of each line.
    pub fn from_text(text: &str) -> Result<Manifest, String> {
        let body = match text.strip_prefix(HEADER) {
            Some("") => "",
            Some(rest) if rest.starts_with('\n') => &rest[1..],
            _ => return Err("the manifest has an unknown format".into()),
        };
        let mut files = Vec::with_capacity(body.len() / 64);
        let mut fields: [&str; 7] = [""; 7];
        for (n, line) in lines(body).enumerate() {
            let bad = || format!("the manifest is damaged at line {}", n + 2);
            if split_tabs(line, &mut fields) != fields.len() {
                return Err(bad());
            }
            let escaped = memchr::memchr(b'\\', line.as_bytes()).is_some();
            let [size, modified_ns, hash, passages, racy, slug, relative] = fields;
            // One search per line for an escape, which names rarely hold.
            let text = |field: &str| {
                if escaped {
                    unescape(field)
                } else {
                    field.to_string()
                }
            };
            files.push(FileEntry {
                size: decimal(size)
                    .ok_or_else(bad)?
                    .try_into()
                    .map_err(|_| bad())?,
                modified_ns: decimal(modified_ns).ok_or_else(bad)?,
                hash: u64::from_str_radix(hash, 16).map_err(|_| bad())?,
                passages: decimal(passages)
                    .ok_or_else(bad)?
                    .try_into()
                    .map_err(|_| bad())?,
                racy: racy == "1",
                slug: text(slug),
                relative: text(relative),
            });
        }
        if !files.is_sorted_by(|a, b| a.relative < b.relative) {
            return Err("the manifest is not sorted".into());
        }
        Ok(Manifest { files })
    }

    /// Writes the manifest atomically to `path` (temporary file, fsync, rename).
    pub fn write(&self, path: &Path) -> Result<()> {
        write_entries(&self.files, path)
    }
}

/// Serialises a file table, sorted by relative path; entries may be
/// borrowed from the committed manifest (an update keeps most of them).
pub fn text_of<E: Borrow<FileEntry>>(entries: &[E]) -> String {
    let mut out = String::with_capacity(64 * entries.len() + 32);
    out.push_str(HEADER);
    out.push('\n');
    for entry in entries {
        let f = entry.borrow();
        let _ = write!(
            out,
            "{}\t{}\t{:016x}\t{}\t{}\t",
            f.size,
            f.modified_ns,
            f.hash,
            f.passages,
            u8::from(f.racy),
        );
        escape_into(&mut out, &f.slug);
        out.push('\t');
        escape_into(&mut out, &f.relative);
        out.push('\n');
    }
    out
}

/// Writes a file table atomically to `path` (temporary file, fsync, rename).
pub fn write_entries<E: Borrow<FileEntry>>(entries: &[E], path: &Path) -> Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".manifest")
        .tempfile_in(folder)
        .map_err(|e| Error::io("cannot write in", folder, e))?;
    tmp.write_all(text_of(entries).as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io("cannot write", tmp.path().to_path_buf(), e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("cannot write", path, e.error))?;
    Ok(())
}

/// The content hash of a file or passage: xxh3, stable across releases.
pub fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Appends `text` with its backslashes, tabs and line ends escaped. Names
/// rarely hold any: they are then copied whole.
fn escape_into(out: &mut String, text: &str) {
    if !text.bytes().any(|b| matches!(b, b'\\' | b'\t' | b'\n')) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// The lines of `text` (`\n`-terminated; the last may lack it), found with
/// `memchr`'s vector search: a byte-by-byte loop was half of a parse.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        // `\n` is ASCII: both ends are character boundaries.
        let line = &text[start..end];
        start = end + 1;
        Some(line)
    })
}

/// Splits `line` on tabs into `fields`; returns how many fields it has
/// (more than `fields` holds counts as one more).
fn split_tabs<'a>(line: &'a str, fields: &mut [&'a str]) -> usize {
    let mut count = 0;
    let mut start = 0;
    for i in memchr::memchr_iter(b'\t', line.as_bytes()) {
        if count == fields.len() {
            return count + 1;
        }
        // `\t` is ASCII: both ends are character boundaries.
        fields[count] = &line[start..i];
        count += 1;
        start = i + 1;
    }
    if count == fields.len() {
        return count + 1;
    }
    fields[count] = &line[start..];
    count + 1
}

/// A decimal number of ASCII digits, or `None`. Counts in `u64` (times in
/// nanoseconds fit until the year 2554) and widens at the end.
fn decimal(digits: &str) -> Option<u128> {
    if digits.is_empty() {
        return None;
    }
    let n = digits.bytes().try_fold(0u64, |n, b| {
        b.is_ascii_digit()
            .then(|| n.checked_mul(10)?.checked_add(u64::from(b - b'0')))?
    });
    match n {
        Some(n) => Some(n.into()),
        // Longer than u64: the slow way.
        None if digits.bytes().all(|b| b.is_ascii_digit()) => digits.parse().ok(),
        None => None,
    }
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
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
                    relative: "a\tb\\c\nd.txt".into(),
                    slug: "a-b-c-d".into(),
                    size: 12,
                    modified_ns: 1_700_000_000_123_456_789,
                    hash: 0xdead_beef,
                    passages: 3,
                    racy: true,
                },
                FileEntry {
                    relative: "été/c.txt".into(),
                    slug: "ete/c".into(),
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
                 12\t1700000000123456789\t00000000deadbeef\t3\t1\ta-b-c-d\ta\\tb\\\\c\\nd.txt\n\
                 0\t0\tffffffffffffffff\t0\t0\tete/c\tété/c.txt\n"
            )
        );
        assert_eq!(Manifest::from_text(&text), Ok(manifest.clone()));
        // An update writes entries borrowed from the committed manifest.
        let borrowed: Vec<std::borrow::Cow<FileEntry>> = manifest
            .files
            .iter()
            .map(std::borrow::Cow::Borrowed)
            .collect();
        assert_eq!(text_of(&borrowed), text);
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
