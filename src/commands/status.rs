//! `recherche status`: what the index holds, and whether the corpus has
//! changed since. Exit 0 when fresh, 1 when stale, 2 when there is no index.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::ExitStatus;
use crate::error::Error;
use crate::index::check::check;
use crate::index::{IndexDir, read};
use crate::passages::Kind;
use crate::render::json;

/// Everything `recherche status` needs.
#[derive(Debug, Clone)]
pub struct StatusCommand {
    /// Folder of the posts, when given (see [`super::corpus_folder`]).
    pub corpus: Option<PathBuf>,
    /// Folder of the index.
    pub index: PathBuf,
    /// Print JSON.
    pub json: bool,
}

/// The status of the index.
#[derive(Debug, Serialize)]
pub struct Status {
    /// The index folder.
    pub index: String,
    /// Its current generation.
    pub generation: String,
    /// Bytes on disk.
    pub size_bytes: u64,
    /// When the generation was built, UTC (ISO 8601).
    pub built_at: String,
    /// When it was last updated, UTC (ISO 8601).
    pub updated_at: String,
    /// Analyzer version it was built with.
    pub analyzer_version: u32,
    /// Schema and manifest version.
    pub schema_version: u32,
    /// The corpus folder it was built from.
    pub corpus: String,
    /// Post files indexed.
    pub files: usize,
    /// Posts indexed (an export holds many).
    pub posts: usize,
    /// Passages indexed.
    pub passages: u64,
    /// Passages by kind.
    pub by_kind: BTreeMap<Kind, u64>,
    /// Passages identical to another one (collapsed in search results).
    pub duplicates: u64,
    /// True if the corpus is as indexed.
    pub fresh: bool,
    /// Post files added, changed or removed since (relative paths).
    pub changed: Vec<String>,
    /// Set when the corpus cannot be read (then the index is not fresh).
    pub corpus_error: Option<String>,
}

/// Runs `recherche status`.
pub fn run(command: &StatusCommand, out: &mut impl Write) -> anyhow::Result<ExitStatus> {
    let status = status(command.corpus.as_deref(), &command.index)?;
    if command.json {
        json::write_value(out, &status)?;
    } else {
        write_text(out, &status)?;
    }
    Ok(if status.fresh {
        ExitStatus::Success
    } else {
        ExitStatus::NoMatch
    })
}

/// The status of the index in `index_dir` and of its corpus (given, or
/// its own).
pub fn status(corpus: Option<&Path>, index_dir: &Path) -> crate::Result<Status> {
    let corpus = super::corpus_folder(index_dir, corpus, false)?;
    let dir = IndexDir::new(index_dir);
    let open = dir
        .open()?
        .ok_or_else(|| Error::IndexMissing(index_dir.to_path_buf()))?;
    let reader = open.reader()?;
    let searcher = reader.searcher();
    let by_kind = read::count_by_kind(&searcher, &open.fields)?;
    let passages = by_kind.values().sum();
    let (changed, corpus_error) = match check(&corpus, &open) {
        Ok(check) => (check.changed, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let fresh = changed.is_empty() && corpus_error.is_none();
    let manifest = open.manifest()?;
    Ok(Status {
        index: index_dir.display().to_string(),
        generation: open.pointer.generation.clone(),
        size_bytes: folder_size(dir.root()),
        built_at: utc(open.pointer.built_at),
        updated_at: utc(modified_secs(&open.generation.join("meta.json"))),
        analyzer_version: open.pointer.analyzer,
        schema_version: open.pointer.schema,
        corpus: corpus.display().to_string(),
        files: manifest.files.len(),
        posts: manifest.files.iter().map(|f| f.posts.len()).sum(),
        passages,
        by_kind,
        duplicates: open.counts().duplicates,
        fresh,
        changed,
        corpus_error,
    })
}

fn write_text(out: &mut impl Write, s: &Status) -> std::io::Result<()> {
    let kinds: Vec<String> = s
        .by_kind
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    writeln!(
        out,
        "index:    {} ({}, {}), analyzer {}, schema {}",
        s.index,
        s.generation,
        human_size(s.size_bytes),
        s.analyzer_version,
        s.schema_version
    )?;
    writeln!(out, "built:    {}, updated {}", s.built_at, s.updated_at)?;
    writeln!(
        out,
        "holds:    {} in {}, {} passages ({}), {} duplicates collapsed",
        plural(s.posts, "post"),
        plural(s.files, "file"),
        s.passages,
        kinds.join(", "),
        s.duplicates
    )?;
    let corpus = crate::render::text::sanitize(&s.corpus);
    match (&s.corpus_error, s.changed.as_slice()) {
        (Some(error), _) => writeln!(out, "corpus:   {error}")?,
        (None, []) => writeln!(out, "corpus:   {corpus}, unchanged since the last update")?,
        (None, changed) => {
            writeln!(
                out,
                "corpus:   {corpus}, {} changed since the last update:",
                changed.len()
            )?;
            for file in changed {
                writeln!(out, "          {}", crate::render::text::sanitize(file))?;
            }
        }
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn folder_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => folder_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn modified_secs(path: &Path) -> u64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

fn human_size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.2} GB", bytes as f64 / 1e9),
    }
}

/// Seconds since the Unix epoch as `2026-11-27T14:02:11Z`.
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let (hour, minute, second) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_795_788_131), "2026-11-27T14:02:11Z");
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1_234_567), "1.2 MB");
    }
}
