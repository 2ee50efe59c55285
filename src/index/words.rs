//! The word dictionary: every folded, unstemmed word of the passages' text
//! and context, with the number of passages it occurs in (a passage counts
//! once per spelling of the word in its text, and once for its context).
//! The counts rank typo and completion candidates, most frequent first.
//!
//! Typos and completions are looked up here (see `search::compile`):
//! tantivy's fuzzy and prefix queries do not analyse their term, so they
//! need the words as typed, not their stems. Only the words and their
//! counts are needed, never which passages hold them, so the dictionary is
//! one finite-state transducer (`words-<opstamp>.fst`, next to the
//! manifest and written before the commit that names it) rather than an
//! indexed field: no postings to build at indexing time, one automaton walk
//! at query time instead of one per segment.

use std::io::Write as _;
use std::path::Path;

use rustc_hash::FxHashMap;
use tantivy_fst::{Automaton, IntoStreamer, Map, MapBuilder, Streamer};

use super::directory::PieceWriter;
use crate::error::{Error, Result};

/// Passages per word, while indexing: counts for a full build, changes to
/// the committed counts for an update (a word may then go below zero).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WordCounts {
    counts: FxHashMap<String, i64>,
}

impl WordCounts {
    /// One more passage holds `word`.
    pub fn add(&mut self, word: &str) {
        self.add_many(word, 1);
    }

    /// `n` more passages hold `word`.
    pub fn add_many(&mut self, word: &str, n: i64) {
        match self.counts.get_mut(word) {
            Some(count) => {
                *count += n;
                if *count == 0 {
                    self.counts.remove(word);
                }
            }
            None if n != 0 => {
                self.counts.insert(word.to_string(), n);
            }
            None => {}
        }
    }

    /// One passage fewer holds `word`.
    pub fn remove(&mut self, word: &str) {
        self.add_many(word, -1);
    }

    /// Moves the counts of `other` here, leaving it empty with its room:
    /// an indexing thread hands its counts over many times in a build, and
    /// its table would otherwise grow again from nothing, on fresh memory,
    /// each time. Its words are moved, not copied.
    pub fn merge_from(&mut self, other: &mut WordCounts) {
        use std::collections::hash_map::Entry;
        for (word, n) in other.counts.drain() {
            match self.counts.entry(word) {
                Entry::Occupied(mut count) => {
                    *count.get_mut() += n;
                    if *count.get() == 0 {
                        count.remove();
                    }
                }
                Entry::Vacant(place) => {
                    if n != 0 {
                        place.insert(n);
                    }
                }
            }
        }
    }

    /// Distinct words with a count.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// True when no word has a count.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The count of `word`.
    pub fn get(&self, word: &str) -> i64 {
        self.counts.get(word).copied().unwrap_or(0)
    }

    /// The words in order, with their counts.
    fn sorted(&self) -> Vec<(&str, i64)> {
        let mut sorted: Vec<(&str, i64)> =
            self.counts.iter().map(|(w, n)| (w.as_str(), *n)).collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        sorted
    }

    /// Writes these counts as a dictionary (a full build), atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        write_dictionary(path, |insert| {
            for (word, n) in self.sorted() {
                insert(word.as_bytes(), n)?;
            }
            Ok(())
        })
    }

    /// Writes the committed dictionary `base` with these changes applied,
    /// atomically: one ordered pass over both, no word hashed or copied.
    pub fn write_onto(&self, base: &Words, path: &Path) -> Result<()> {
        let changes = self.sorted();
        write_dictionary(path, |insert| {
            let mut changes = changes.into_iter().peekable();
            let mut stream = base.map.stream();
            while let Some((word, n)) = stream.next() {
                while let Some((new, m)) = changes.next_if(|(new, _)| new.as_bytes() < word) {
                    insert(new.as_bytes(), m)?;
                }
                let change = changes
                    .next_if(|(same, _)| same.as_bytes() == word)
                    .map_or(0, |(_, m)| m);
                insert(word, n as i64 + change)?;
            }
            for (new, m) in changes {
                insert(new.as_bytes(), m)?;
            }
            Ok(())
        })
    }
}

/// Writes a dictionary atomically (temporary file, fsync, rename): `fill`
/// inserts `(word, count)` pairs in word order; counts of zero or less are
/// left out.
fn write_dictionary(
    path: &Path,
    fill: impl FnOnce(&mut dyn FnMut(&[u8], i64) -> std::io::Result<()>) -> std::io::Result<()>,
) -> Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".words")
        .tempfile_in(folder)
        .map_err(|e| Error::io("cannot write in", folder, e))?;
    let failed = |e: std::io::Error| Error::io("cannot write", tmp.path().to_path_buf(), e);
    // Searches walk it: written in large pieces (see `super::directory`).
    let mut builder = MapBuilder::new(PieceWriter::new(tmp.as_file()))
        .map_err(fst_io)
        .map_err(failed)?;
    fill(&mut |word, n| match u64::try_from(n) {
        Ok(n @ 1..) => builder.insert(word, n).map_err(fst_io),
        _ => Ok(()),
    })
    .map_err(failed)?;
    let mut writer = builder.into_inner().map_err(fst_io).map_err(failed)?;
    writer.flush().map_err(failed)?;
    drop(writer);
    tmp.as_file().sync_all().map_err(failed)?;
    tmp.persist(path)
        .map_err(|e| Error::io("cannot write", path, e.error))?;
    Ok(())
}

fn fst_io(e: tantivy_fst::Error) -> std::io::Error {
    match e {
        tantivy_fst::Error::Io(e) => e,
        other => std::io::Error::other(other.to_string()),
    }
}

/// A committed dictionary, mapped in memory: opening it reads nothing.
pub struct Words {
    map: Map<memmap2::Mmap>,
}

impl Words {
    /// Maps the dictionary file.
    pub fn open(path: &Path) -> Result<Words> {
        let damaged = |reason: String| Error::IndexCorrupt {
            path: path.to_path_buf(),
            reason,
        };
        let file = std::fs::File::open(path)
            .map_err(|e| damaged(format!("cannot read {}: {e}", path.display())))?;
        // SAFETY: index files are written once, to a temporary name, and
        // renamed into place; they are never modified afterwards.
        let mmap = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| damaged(format!("cannot map {}: {e}", path.display())))?;
        // A typo's walk reads across it (see `super::directory`).
        super::directory::advise_mapping(&mmap);
        let fst = tantivy_fst::raw::Fst::new(mmap)
            .map_err(|e| damaged(format!("{} is not a word dictionary: {e}", path.display())))?;
        Ok(Words {
            map: Map::from(fst),
        })
    }

    /// Distinct words.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when there is no word.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// How many passages hold `word`.
    pub fn get(&self, word: &str) -> u64 {
        self.map.get(word).unwrap_or(0)
    }

    /// The words `automaton` accepts, with their passage counts.
    pub fn matching<A: Automaton>(&self, automaton: A) -> Vec<(String, u64)> {
        let mut found = Vec::new();
        let mut stream = self.map.search(automaton).into_stream();
        while let Some((word, n)) = stream.next() {
            if let Ok(word) = std::str::from_utf8(word) {
                found.push((word.to_string(), n));
            }
        }
        found
    }

    /// The words that begin with `prefix`, with their passage counts.
    pub fn beginning_with(&self, prefix: &str) -> Vec<(String, u64)> {
        let mut found = Vec::new();
        let mut stream = self.map.range().ge(prefix).into_stream();
        while let Some((word, n)) = stream.next() {
            if !word.starts_with(prefix.as_bytes()) {
                break;
            }
            if let Ok(word) = std::str::from_utf8(word) {
                found.push((word.to_string(), n));
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_survive_a_write_and_a_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("words.fst");
        let mut counts = WordCounts::default();
        for word in ["cadre", "cadres", "cadre", "media", "ete"] {
            counts.add(word);
        }
        counts.remove("ete");
        counts.write(&path).unwrap();
        let words = Words::open(&path).unwrap();
        assert_eq!(words.len(), 3);
        assert_eq!(words.get("cadre"), 2);
        assert_eq!(words.get("ete"), 0);
        assert_eq!(
            words.beginning_with("cadr"),
            vec![("cadre".to_string(), 2), ("cadres".to_string(), 1)]
        );
    }

    #[test]
    fn changes_apply_onto_a_committed_dictionary() {
        let dir = tempfile::tempdir().unwrap();
        let (base, next) = (dir.path().join("a.fst"), dir.path().join("b.fst"));
        let mut counts = WordCounts::default();
        for word in ["cadre", "cadre", "media", "vision"] {
            counts.add(word);
        }
        counts.write(&base).unwrap();
        let mut changes = WordCounts::default();
        changes.add("abord"); // before every word
        changes.remove("cadre");
        changes.remove("media"); // gone
        changes.add("reseau"); // between two words
        changes.add("zele"); // after every word
        changes
            .write_onto(&Words::open(&base).unwrap(), &next)
            .unwrap();
        let words = Words::open(&next).unwrap();
        let all: Vec<(String, u64)> = words.beginning_with("");
        assert_eq!(
            all,
            [
                ("abord", 1),
                ("cadre", 1),
                ("reseau", 1),
                ("vision", 1),
                ("zele", 1)
            ]
            .map(|(w, n)| (w.to_string(), n))
        );
    }

    #[test]
    fn merged_counts_add_up() {
        let mut a = WordCounts::default();
        a.add("media");
        let mut b = WordCounts::default();
        b.add("media");
        b.add("cadre");
        a.merge_from(&mut b);
        assert_eq!((a.get("media"), a.get("cadre"), a.len()), (2, 1, 2));
    }

    #[test]
    fn counts_moved_over_leave_their_table_empty_and_sized() {
        let mut all = WordCounts::default();
        all.add_many("media", 2);
        all.add("cadre");
        let mut thread = WordCounts::default();
        thread.remove("media");
        thread.remove("cadre");
        thread.add("reseau");
        let room = thread.counts.capacity();
        all.merge_from(&mut thread);
        // A count brought to zero leaves the dictionary's counts.
        assert_eq!(
            (
                all.get("media"),
                all.get("cadre"),
                all.get("reseau"),
                all.len()
            ),
            (1, 0, 1, 2)
        );
        assert!(thread.is_empty());
        assert_eq!(thread.counts.capacity(), room);
    }

    #[test]
    fn a_damaged_dictionary_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("words.fst");
        std::fs::write(&path, b"not a dictionary").unwrap();
        let err = Words::open(&path).err().unwrap();
        assert!(err.to_string().contains("words.fst"), "{err}");
    }
}
