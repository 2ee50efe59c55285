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
//!
//! An update does not rewrite the whole dictionary (about 90 ms for the
//! Littré's, the longest step of a one-file update's commit): it writes the words whose count
//! now differs from the whole dictionary's, with their count (0 for a word
//! gone), to a small file of changes (`words-<opstamp>.changes.fst`) that
//! replaces the previous one; the whole dictionary stays as it was. Once
//! the changes grow past a sixteenth of the dictionary, the update writes
//! a whole new dictionary instead. Lookups read both: a changed word's
//! count is the one in the changes.

use std::io::Write as _;
use std::path::Path;

use rustc_hash::FxHashMap;
use tantivy_fst::{Automaton, IntoStreamer, Map, MapBuilder, Streamer};

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

    /// The words with a positive count, in order, owned.
    #[cfg(test)]
    fn sorted_owned(&self) -> Vec<(String, u64)> {
        self.sorted()
            .into_iter()
            .filter_map(|(w, n)| Some((w.to_string(), u64::try_from(n).ok().filter(|&n| n > 0)?)))
            .collect()
    }

    /// Writes these counts as a dictionary (a full build), atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        write_dictionary(path, Counts::Positive, |insert| {
            for (word, n) in self.sorted() {
                insert(word.as_bytes(), n)?;
            }
            Ok(())
        })
    }

    /// Writes these counts as the whole dictionary of a full build's commit
    /// `opstamp` in the folder `generation`.
    pub fn write_whole(&self, generation: &Path, opstamp: u64) -> Result<WordFiles> {
        let name = format!("words-{opstamp:012}.fst");
        self.write(&generation.join(&name))?;
        Ok(WordFiles {
            whole: name,
            changes: None,
        })
    }

    /// Applies these changes to the committed dictionary, writing to the
    /// folder `generation` either a new file of changes (named after
    /// `opstamp`) next to the committed whole dictionary, or, once the
    /// changes are no longer small next to it, a new whole dictionary.
    /// Returns the names of the files the commit must name.
    pub fn write_onto(
        &self,
        committed: &Words,
        generation: &Path,
        opstamp: u64,
    ) -> Result<WordFiles> {
        let merged = committed.changes_with(&self.sorted());
        if merged.len().saturating_mul(CHANGES_PER_WORD) <= committed.whole.len() {
            let name = format!("words-{opstamp:012}.changes.fst");
            write_dictionary(&generation.join(&name), Counts::WithZeros, |insert| {
                for (word, n) in &merged {
                    insert(word, *n as i64)?;
                }
                Ok(())
            })?;
            return Ok(WordFiles {
                whole: committed.whole_name.clone(),
                changes: Some(name),
            });
        }
        // The whole dictionary with every change to it, old and new.
        let name = format!("words-{opstamp:012}.fst");
        write_dictionary(&generation.join(&name), Counts::Positive, |insert| {
            let mut failed = Ok(());
            merge(committed.whole.stream(), &merged, |word, n| {
                failed = insert(word, n as i64);
                failed.is_ok()
            });
            failed
        })?;
        Ok(WordFiles {
            whole: name,
            changes: None,
        })
    }
}

/// The changes may hold up to one word in this many of the whole
/// dictionary: past that, an update writes a new whole dictionary. Queries
/// walk the changes too. The Littré's 272,259 words allow 17,016 changed
/// words: 136 KB, written in 17 ms where the whole takes 97 ms.
const CHANGES_PER_WORD: usize = 16;

/// The dictionary files of a commit, by name, in its generation folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordFiles {
    /// The whole dictionary, as some commit wrote it.
    pub whole: String,
    /// The words whose count differs from the whole dictionary's.
    pub changes: Option<String>,
}

/// Which counts a dictionary file keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Counts {
    /// Words held by passages (a whole dictionary).
    Positive,
    /// Also words now held by none (changes: gone from the whole).
    WithZeros,
}

/// Writes a dictionary atomically (temporary file, fsync, rename): `fill`
/// inserts `(word, count)` pairs in word order; negative counts are left
/// out, and zeros unless `counts` keeps them.
fn write_dictionary(
    path: &Path,
    counts: Counts,
    fill: impl FnOnce(&mut dyn FnMut(&[u8], i64) -> std::io::Result<()>) -> std::io::Result<()>,
) -> Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".words")
        .tempfile_in(folder)
        .map_err(|e| Error::io("cannot write in", folder, e))?;
    let failed = |e: std::io::Error| Error::io("cannot write", tmp.path().to_path_buf(), e);
    let mut builder = MapBuilder::new(std::io::BufWriter::new(tmp.as_file()))
        .map_err(fst_io)
        .map_err(failed)?;
    fill(&mut |word, n| match u64::try_from(n) {
        Ok(0) if counts == Counts::Positive => Ok(()),
        Ok(n) => builder.insert(word, n).map_err(fst_io),
        Err(_) => Ok(()),
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
    whole: Map<memmap2::Mmap>,
    /// The file name of `whole`: a commit that writes only changes names it.
    whole_name: String,
    /// The words whose count differs from `whole`'s, with their count.
    changes: Option<Map<memmap2::Mmap>>,
}

impl Words {
    /// Maps a whole dictionary.
    pub fn open(path: &Path) -> Result<Words> {
        Words::open_with_changes(path, None)
    }

    /// Maps a whole dictionary and the changes to it, if any.
    pub fn open_with_changes(whole: &Path, changes: Option<&Path>) -> Result<Words> {
        Ok(Words {
            whole: map_dictionary(whole)?,
            whole_name: whole
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            changes: changes.map(map_dictionary).transpose()?,
        })
    }

    /// Distinct words.
    pub fn len(&self) -> usize {
        let mut len = self.whole.len();
        if let Some(changes) = &self.changes {
            let mut stream = changes.stream();
            while let Some((word, n)) = stream.next() {
                match (self.whole.contains_key(word), n > 0) {
                    (true, false) => len -= 1,
                    (false, true) => len += 1,
                    _ => {}
                }
            }
        }
        len
    }

    /// True when there is no word.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many passages hold `word`.
    pub fn get(&self, word: &str) -> u64 {
        self.changed(word.as_bytes())
            .or_else(|| self.whole.get(word))
            .unwrap_or(0)
    }

    /// The count of `word` in the changes, if it changed.
    fn changed(&self, word: &[u8]) -> Option<u64> {
        self.changes.as_ref().and_then(|changes| changes.get(word))
    }

    /// The words `automaton` accepts, with their passage counts.
    pub fn matching<A: Automaton>(&self, automaton: A) -> Vec<(String, u64)> {
        let changes = match &self.changes {
            Some(changes) => collect(changes.search(&automaton).into_stream(), |_| true),
            None => Vec::new(),
        };
        let mut found = Vec::new();
        merge(
            self.whole.search(&automaton).into_stream(),
            &changes,
            |word, n| {
                push_word(&mut found, word, n);
                true
            },
        );
        found
    }

    /// The words that begin with `prefix`, with their passage counts.
    pub fn beginning_with(&self, prefix: &str) -> Vec<(String, u64)> {
        let prefix = prefix.as_bytes();
        let changes = match &self.changes {
            Some(changes) => collect(changes.range().ge(prefix).into_stream(), |word| {
                word.starts_with(prefix)
            }),
            None => Vec::new(),
        };
        let mut found = Vec::new();
        merge(
            self.whole.range().ge(prefix).into_stream(),
            &changes,
            |word, n| {
                if !word.starts_with(prefix) {
                    return false;
                }
                push_word(&mut found, word, n);
                true
            },
        );
        found
    }

    /// The changes to the whole dictionary once `changes` (sorted) are
    /// applied to this dictionary: every word whose count then differs
    /// from the whole dictionary's, in order, with that count.
    fn changes_with(&self, changes: &[(&str, i64)]) -> Vec<(Vec<u8>, u64)> {
        let previous = match &self.changes {
            Some(previous) => collect(previous.stream(), |_| true),
            None => Vec::new(),
        };
        let mut previous = previous.into_iter().peekable();
        let mut merged = Vec::with_capacity(changes.len() + previous.len());
        let mut keep = |word: Vec<u8>, n: u64| {
            if self.whole.get(&word).unwrap_or(0) != n {
                merged.push((word, n));
            }
        };
        for &(word, change) in changes {
            while let Some((earlier, n)) = previous.next_if(|(w, _)| w.as_slice() < word.as_bytes())
            {
                keep(earlier, n);
            }
            let now = match previous.next_if(|(w, _)| w.as_slice() == word.as_bytes()) {
                Some((_, n)) => n,
                None => self.whole.get(word).unwrap_or(0),
            };
            let n = u64::try_from(now as i64 + change).unwrap_or(0);
            keep(word.as_bytes().to_vec(), n);
        }
        for (later, n) in previous {
            keep(later, n);
        }
        merged
    }
}

/// Maps one dictionary file.
fn map_dictionary(path: &Path) -> Result<Map<memmap2::Mmap>> {
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
    let fst = tantivy_fst::raw::Fst::new(mmap)
        .map_err(|e| damaged(format!("{} is not a word dictionary: {e}", path.display())))?;
    Ok(Map::from(fst))
}

/// The pairs of `stream` while `more` holds for their word (changes are
/// few: they are read into memory).
fn collect<S>(mut stream: S, more: impl Fn(&[u8]) -> bool) -> Vec<(Vec<u8>, u64)>
where
    S: for<'a> Streamer<'a, Item = (&'a [u8], u64)>,
{
    let mut pairs = Vec::new();
    while let Some((word, n)) = stream.next() {
        if !more(word) {
            break;
        }
        pairs.push((word.to_vec(), n));
    }
    pairs
}

/// Calls `each` with the words of `whole` and of `changes` in order, a
/// changed word once with its changed count; words whose count is 0 (gone)
/// are skipped. Stops when `each` returns false.
fn merge<S>(mut whole: S, changes: &[(Vec<u8>, u64)], mut each: impl FnMut(&[u8], u64) -> bool)
where
    S: for<'a> Streamer<'a, Item = (&'a [u8], u64)>,
{
    let mut changes = changes.iter().peekable();
    let mut emit = |word: &[u8], n: u64| n == 0 || each(word, n);
    while let Some((word, n)) = whole.next() {
        while let Some((new, m)) = changes.next_if(|(new, _)| new.as_slice() < word) {
            if !emit(new, *m) {
                return;
            }
        }
        let n = match changes.next_if(|(same, _)| same.as_slice() == word) {
            Some((_, m)) => *m,
            None => n,
        };
        if !emit(word, n) {
            return;
        }
    }
    for (new, m) in changes {
        if !emit(new, *m) {
            return;
        }
    }
}

/// Adds a dictionary word to a result (words are UTF-8: they were written
/// from strings).
fn push_word(found: &mut Vec<(String, u64)>, word: &[u8], n: u64) {
    if let Ok(word) = std::str::from_utf8(word) {
        found.push((word.to_string(), n));
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
    fn changes_large_next_to_the_dictionary_make_a_whole_one() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("words-000000000001.fst");
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
        let files = changes
            .write_onto(&Words::open(&base).unwrap(), dir.path(), 2)
            .unwrap();
        assert_eq!(
            files,
            WordFiles {
                whole: "words-000000000002.fst".into(),
                changes: None
            }
        );
        let words = Words::open(&dir.path().join(&files.whole)).unwrap();
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

    /// The dictionary `files` names in `dir`.
    fn open(dir: &Path, files: &WordFiles) -> Words {
        let changes = files.changes.as_ref().map(|name| dir.join(name));
        Words::open_with_changes(&dir.join(&files.whole), changes.as_deref()).unwrap()
    }

    /// Every word and count of a dictionary, through each way of reading it.
    fn everything(words: &Words) -> Vec<(String, u64)> {
        let all = words.beginning_with("");
        assert_eq!(words.matching(tantivy_fst::automaton::AlwaysMatch), all);
        assert_eq!(words.len(), all.len());
        for (word, n) in &all {
            assert_eq!(words.get(word), *n, "{word}");
        }
        all
    }

    #[test]
    fn small_changes_are_written_beside_the_dictionary_until_they_grow() {
        let dir = tempfile::tempdir().unwrap();
        let word = |i: usize| format!("mot{i:03}");
        // What the index holds, counted from scratch at each step.
        let mut truth = WordCounts::default();
        for i in 0..320 {
            truth.add_many(&word(i), 3);
        }
        let files = truth.write_whole(dir.path(), 1).unwrap();
        let mut words = open(dir.path(), &files);

        // A few changes: a count up, one down, a word gone, a new one.
        let mut changes = WordCounts::default();
        changes.add("mot005");
        changes.remove("mot006");
        changes.add_many("mot007", -3);
        changes.add("abord");
        truth.merge_from(&mut changes.clone());
        let files = changes.write_onto(&words, dir.path(), 2).unwrap();
        assert_eq!(files.whole, "words-000000000001.fst");
        assert_eq!(
            files.changes.as_deref(),
            Some("words-000000000002.changes.fst")
        );
        words = open(dir.path(), &files);
        assert_eq!(everything(&words), truth.sorted_owned());
        assert_eq!(words.get("mot007"), 0);
        assert_eq!(words.beginning_with("mot00").len(), 9);
        assert_eq!(words.changes_with(&[]).len(), 4);

        // Changes onto changes: a word back to its whole count leaves them.
        let mut changes = WordCounts::default();
        changes.remove("mot005");
        changes.add_many("mot007", 2);
        changes.add("zele");
        truth.merge_from(&mut changes.clone());
        let files = changes.write_onto(&words, dir.path(), 3).unwrap();
        assert_eq!(
            files.changes.as_deref(),
            Some("words-000000000003.changes.fst")
        );
        words = open(dir.path(), &files);
        assert_eq!(everything(&words), truth.sorted_owned());
        let changed: Vec<Vec<u8>> = words
            .changes_with(&[])
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert_eq!(changed, [&b"abord"[..], b"mot006", b"mot007", b"zele"]);

        // Past a sixteenth of the dictionary (20 words), a whole one again,
        // the same as a full build's.
        let mut changes = WordCounts::default();
        for i in 100..117 {
            changes.add(&word(i));
        }
        truth.merge_from(&mut changes.clone());
        let files = changes.write_onto(&words, dir.path(), 4).unwrap();
        assert_eq!(files.changes, None);
        words = open(dir.path(), &files);
        assert_eq!(everything(&words), truth.sorted_owned());
        let full = dir.path().join("full.fst");
        truth.write(&full).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join(&files.whole)).unwrap(),
            std::fs::read(&full).unwrap()
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
