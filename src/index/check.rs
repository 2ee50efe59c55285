//! Is the index stale? The corpus listing compared with the manifest.
//!
//! A file is unchanged when its size and modification time are those the
//! manifest holds. A file modified less than [`RACY_NS`] before the update
//! that indexed it is *racy*: an edit in the same clock tick, of the same
//! size, would not show, so its content is hashed at every check until an
//! update finds it settled and trusts it again (as `git status` refreshes
//! git's index).

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rustc_hash::{FxHashMap, FxHashSet};

use super::OpenIndex;
use super::manifest::{FileEntry, hash};
use crate::corpus::{self, PostFile};
use crate::error::Result;

/// How long after its modification a file's size and time are trusted.
pub(crate) const RACY_NS: u128 = 2_000_000_000;

/// Whether a file modified at `modified_ns` is far enough behind `now_ns`
/// for its size and time to be trusted.
pub(crate) fn settled(modified_ns: u128, now_ns: u128) -> bool {
    modified_ns + RACY_NS <= now_ns
}

/// The wall clock, in nanoseconds since the Unix epoch.
pub(crate) fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// What [`check`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Check {
    /// Post files added, changed or removed (relative paths, sorted).
    pub changed: Vec<String>,
    /// Files read to find out (racy files only).
    pub files_read: u64,
    /// Racy files found unchanged and now settled: an update would commit
    /// them as trusted, and later checks would not read them.
    pub settled: u64,
    /// The post files listed, unsorted and without slugs.
    pub files: Vec<PostFile>,
}

impl Check {
    /// True when an update would have nothing to do.
    pub fn is_fresh(&self) -> bool {
        self.changed.is_empty() && self.settled == 0
    }
}

/// Compares the corpus with the manifest of `open` by file list, sizes and
/// modification times; only racy files are read and hashed.
pub fn check(corpus: &Path, open: &OpenIndex) -> Result<Check> {
    let started_ns = now_ns();
    // The manifest is read while the corpus is listed.
    let (files, manifest) = rayon::join(|| corpus::list(corpus), || open.manifest());
    let (files, manifest) = (files?, manifest?);
    let known: FxHashMap<&str, &FileEntry> = manifest
        .files
        .iter()
        .map(|entry| (entry.relative.as_str(), entry))
        .collect();
    let mut found = Check::default();
    for file in &files {
        let Some(entry) = known.get(file.relative.as_str()) else {
            found.changed.push(file.relative.clone());
            continue;
        };
        if entry.size != file.size || entry.modified_ns != file.modified_ns {
            found.changed.push(file.relative.clone());
        } else if entry.racy {
            found.files_read += 1;
            if hash(&corpus::read_bytes(file)?) != entry.hash {
                found.changed.push(file.relative.clone());
            } else if settled(file.modified_ns, started_ns) {
                found.settled += 1;
            }
        }
    }
    if files.len() != manifest.files.len() || !found.changed.is_empty() {
        let listed: FxHashSet<&str> = files.iter().map(|f| f.relative.as_str()).collect();
        let gone = manifest
            .files
            .iter()
            .filter(|entry| !listed.contains(entry.relative.as_str()));
        found
            .changed
            .extend(gone.map(|entry| entry.relative.clone()));
    }
    found.changed.sort();
    found.files = files;
    Ok(found)
}
