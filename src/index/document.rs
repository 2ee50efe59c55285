//! From a passage to the tantivy document that indexes it.
//!
//! Analysis happens here, in the indexing threads of recherche, once per
//! passage: the [`Analyzer`] gives each word's stemmed forms (for text and
//! context) and folded spelling (for the word dictionary) in one pass, and the
//! tokens go to tantivy as token lists (see `analysis::TokenListTokenizer`).
//! The title and the context, shared by many passages, are analysed once
//! per post.

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::TantivyDocument;

use super::Fields;
use super::manifest::hash;
use super::words::WordCounts;
use crate::analysis::{ANALYZER_VERSION, Analyzer, push_token};
use crate::corpus::PostFile;
use crate::passages::{Passage, Post};

/// Builds documents; one per indexing thread (it holds the stem cache and
/// counts the words of the passages it built, for the word dictionary).
pub struct DocumentBuilder {
    fields: Fields,
    analyzer: Analyzer,
    /// Distinct words (analyzer ids) of the text being analysed.
    seen: FxHashSet<u32>,
    /// Passages per folded word, over the passages built so far.
    pub words: WordCounts,
}

/// A passage's document and the hashes the update needs.
pub struct Built {
    /// The document.
    pub document: TantivyDocument,
    /// xxh3 of everything stored: the passage half of the manifest.
    pub passage_hash: u64,
    /// xxh3 of the text: identical passages share it.
    pub text_hash: u64,
}

/// A text analysed: its token list, and its distinct folded words.
#[derive(Default, Clone)]
struct Lists {
    stems: String,
    folded: Vec<String>,
}

impl DocumentBuilder {
    /// A builder for an index with these fields.
    pub fn new(fields: Fields) -> Self {
        DocumentBuilder {
            fields,
            analyzer: Analyzer::default(),
            seen: FxHashSet::default(),
            words: WordCounts::default(),
        }
    }

    /// The documents of every passage of a post, in reading order.
    pub fn post(&mut self, file: &PostFile, post: &Post) -> Vec<Built> {
        self.passages(file, post, post.passages.iter())
    }

    /// The documents of some passages of a post.
    pub fn passages<'a>(
        &mut self,
        file: &PostFile,
        post: &Post,
        passages: impl Iterator<Item = &'a Passage>,
    ) -> Vec<Built> {
        let title = self.stems(&post.title);
        let mut contexts: FxHashMap<&str, Lists> = FxHashMap::default();
        let mut built = Vec::new();
        for passage in passages {
            let context = passage.context.as_deref().map(|c| {
                contexts
                    .entry(c)
                    .or_insert_with(|| {
                        let stems = self.stems(c);
                        Lists {
                            stems,
                            folded: self.seen_words().map(str::to_string).collect(),
                        }
                    })
                    .clone()
            });
            built.push(self.build(file, post, passage, &title, context));
        }
        built
    }

    /// Takes the words of a passage leaving the index out of the counts.
    pub fn forget(&mut self, text: &str, context: Option<&str>) {
        let mut folded: Vec<String> = Vec::new();
        for part in context.into_iter().chain([text]) {
            self.stems(part);
            folded.extend(self.seen_words().map(str::to_string));
        }
        folded.sort_unstable();
        folded.dedup();
        for word in &folded {
            self.words.remove(word);
        }
    }

    /// Analyses `text` into its token list; its distinct words are left in
    /// `seen`.
    fn stems(&mut self, text: &str) -> String {
        let mut stems = String::with_capacity(text.len() * 2);
        let seen = &mut self.seen;
        seen.clear();
        self.analyzer.analyze_with(text, |word| {
            for form in &word.forms.forms {
                push_token(&mut stems, word.position, form);
            }
            seen.insert(word.id);
        });
        stems
    }

    /// The folded spellings of the words of the text analysed last.
    fn seen_words(&self) -> impl Iterator<Item = &str> {
        self.seen.iter().map(|&id| self.analyzer.folded(id))
    }

    fn build(
        &mut self,
        file: &PostFile,
        post: &Post,
        passage: &Passage,
        title: &str,
        context: Option<Lists>,
    ) -> Built {
        let f = self.fields;
        let mut doc = TantivyDocument::new();
        doc.add_text(f.id, &passage.id);
        doc.add_text(f.file, &file.relative);
        doc.add_text(f.post, &post.slug);
        doc.add_text(f.stored_title, &post.title);
        doc.add_text(f.title, title);
        doc.add_text(f.kind, passage.kind.as_str());
        if let Some(author) = &passage.author {
            doc.add_text(f.author, author);
            doc.add_text(f.author_key, author);
        }
        let stems = self.stems(&passage.text);
        // Each distinct word of context and text counts once per passage.
        let mut folded: Vec<&str> = self
            .seen
            .iter()
            .map(|&id| self.analyzer.folded(id))
            .collect();
        if let (Some(stored), Some(lists)) = (&passage.context, &context) {
            doc.add_text(f.stored_context, stored);
            doc.add_text(f.context, &lists.stems);
            folded.extend(lists.folded.iter().map(String::as_str));
            folded.sort_unstable();
            folded.dedup();
        }
        for word in folded {
            self.words.add(word);
        }
        doc.add_text(f.stored_text, &passage.text);
        doc.add_text(f.text, &stems);
        let text_hash = hash(passage.text.as_bytes());
        let passage_hash = passage_hash(file, post, passage);
        doc.add_u64(f.position, passage.position.into());
        doc.add_u64(f.line, passage.line.into());
        doc.add_u64(f.text_hash, text_hash);
        doc.add_u64(f.passage_hash, passage_hash);
        Built {
            document: doc,
            passage_hash,
            text_hash,
        }
    }
}

/// Hash of everything stored for a passage: if it is unchanged, the stored
/// document is too.
pub fn passage_hash(file: &PostFile, post: &Post, passage: &Passage) -> u64 {
    let mut bytes = Vec::with_capacity(passage.text.len() + 256);
    for part in [
        passage.id.as_str(),
        file.relative.as_str(),
        post.slug.as_str(),
        post.title.as_str(),
        passage.kind.as_str(),
        passage.author.as_deref().unwrap_or("\u{0}"),
        passage.context.as_deref().unwrap_or("\u{0}"),
        passage.text.as_str(),
    ] {
        bytes.extend_from_slice(part.as_bytes());
        bytes.push(0x1f);
    }
    bytes.extend_from_slice(&passage.position.to_le_bytes());
    bytes.extend_from_slice(&passage.line.to_le_bytes());
    bytes.extend_from_slice(&ANALYZER_VERSION.to_le_bytes());
    hash(&bytes)
}
