//! Committing: the manifest written first, then the tantivy commit whose
//! payload names it and counts the passages.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::{IndexWriter, Searcher};

use super::Manifest;
use crate::error::Result;

/// What a commit says of itself, in its payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Payload {
    /// The manifest file of this commit, in the generation folder.
    pub manifest: String,
    /// Passages and duplicates.
    #[serde(flatten)]
    pub counts: Counts,
}

/// How many passages the index holds, and how many of them repeat the text
/// of another (collapsed in search results).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Passages.
    pub passages: u64,
    /// Passages whose text another passage has too, less one per text.
    pub duplicates: u64,
}

/// Passages by text hash, to count passages and duplicates.
#[derive(Debug, Default)]
pub(crate) struct TextCounts {
    by_hash: HashMap<u64, u64>,
}

impl TextCounts {
    /// The text hashes of every live passage `searcher` sees.
    pub fn of(searcher: &Searcher) -> Result<TextCounts> {
        let mut counts = TextCounts::default();
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64("text_hash")?;
            for doc in segment.doc_ids_alive() {
                if let Some(hash) = column.first(doc) {
                    counts.add(hash);
                }
            }
        }
        Ok(counts)
    }

    /// One more passage with this text.
    pub fn add(&mut self, text_hash: u64) {
        *self.by_hash.entry(text_hash).or_insert(0) += 1;
    }

    /// One passage fewer with this text.
    pub fn remove(&mut self, text_hash: u64) {
        if let Some(n) = self.by_hash.get_mut(&text_hash) {
            *n -= 1;
            if *n == 0 {
                self.by_hash.remove(&text_hash);
            }
        }
    }

    /// Passages and duplicates.
    pub fn counts(&self) -> Counts {
        let passages = self.by_hash.values().sum::<u64>();
        Counts {
            passages,
            duplicates: passages - self.by_hash.len() as u64,
        }
    }
}

/// Writes `manifest` next to the index in `generation`, then commits with a
/// payload naming it; removes the manifests of earlier commits.
pub(crate) fn commit(
    writer: &mut IndexWriter,
    generation: &Path,
    manifest: &Manifest,
    counts: Counts,
) -> Result<()> {
    let mut prepared = writer.prepare_commit()?;
    let name = format!("manifest-{:012}.tsv", prepared.opstamp());
    manifest.write(&generation.join(&name))?;
    let payload = Payload {
        manifest: name.clone(),
        counts,
    };
    prepared.set_payload(&serde_json::to_string(&payload).expect("a payload serialises"));
    prepared.commit()?;
    remove_older_manifests(generation, &name);
    Ok(())
}

/// Removes the manifests of earlier commits (failure only leaves garbage).
fn remove_older_manifests(generation: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(generation) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("manifest-") && name != keep {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_passages_beyond_the_first_of_each_text() {
        let mut counts = TextCounts::default();
        for hash in [1, 2, 2, 3, 3, 3] {
            counts.add(hash);
        }
        assert_eq!(
            counts.counts(),
            Counts {
                passages: 6,
                duplicates: 3
            }
        );
        counts.remove(3);
        counts.remove(1);
        counts.remove(9);
        assert_eq!(
            counts.counts(),
            Counts {
                passages: 4,
                duplicates: 2
            }
        );
    }
}
