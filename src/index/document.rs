//! From a passage to the tantivy document that indexes it.
//!
//! Analysis happens here, in the indexing threads of recherche, once per
//! passage: the [`Analyzer`] gives each word's stemmed forms (for text and
//! context) and folded spelling (for the word dictionary) in one pass, and the
//! tokens go to tantivy as token lists (see `analysis::TokenListTokenizer`).
//! The title and the context, shared by many passages, are analysed once
//! per post.

use rustc_hash::FxHashMap;
use tantivy::TantivyDocument;

use super::Fields;
use super::manifest::hash;
use super::words::WordCounts;
use crate::analysis::{ANALYZER_VERSION, Analyzer, push_forms};
use crate::corpus::PostFile;
use crate::passages::{Passage, Post};

/// Builds documents; one per indexing thread (it holds the stem cache and
/// counts the words of the passages it built, for the word dictionary).
pub struct DocumentBuilder {
    fields: Fields,
    analyzer: Analyzer,
    /// Distinct words (analyzer ids) of the text being analysed, in the
    /// order met.
    seen: Vec<u32>,
    /// By analyzer id: the number of the last text it was met in, so that
    /// telling a word met before in the same text takes no hashing.
    last_text: Vec<u32>,
    /// Texts analysed so far; 0 in `last_text` is never.
    texts: u32,
    /// Passages per folded word, over the passages built so far, but for
    /// the counts still in `pending`.
    words: WordCounts,
    /// Passages per analyzer id since the analyzer's cache was last
    /// emptied: counting by id spares hashing every word again.
    pending: Vec<u32>,
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
            seen: Vec::new(),
            last_text: Vec::new(),
            texts: 0,
            words: WordCounts::default(),
            pending: Vec::new(),
        }
    }

    /// The word counts of the passages built (and forgotten).
    pub fn into_words(mut self) -> WordCounts {
        self.flush_pending();
        self.words
    }

    /// The counts of the words the analyzer's cache has forgotten, to be
    /// moved away with [`WordCounts::merge_from`] (which leaves their table
    /// empty but sized, for the next ones); the counts of the words it holds
    /// stay counted by id, and come later or with
    /// [`DocumentBuilder::into_words`]. Taking them all would turn every
    /// cached word into a string and hash it again at each call.
    pub fn forgotten_words(&mut self) -> &mut WordCounts {
        &mut self.words
    }

    /// Distinct words in [`DocumentBuilder::forgotten_words`].
    pub fn forgotten_words_len(&self) -> usize {
        self.words.len()
    }

    /// Moves the per-id counts to the per-word ones.
    fn flush_pending(&mut self) {
        for (id, &n) in self.pending.iter().enumerate() {
            if n > 0 {
                self.words
                    .add_many(self.analyzer.folded(id as u32), n.into());
            }
        }
        self.pending.clear();
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
                        let mut folded: Vec<String> =
                            self.seen_words().map(str::to_string).collect();
                        folded.sort_unstable();
                        folded.dedup();
                        Lists { stems, folded }
                    })
                    .clone()
            });
            built.push(self.build(file, post, passage, &title, context));
        }
        built
    }

    /// Takes the words of a passage leaving the index out of the counts:
    /// the same words `DocumentBuilder::build` counted for it.
    pub fn forget(&mut self, text: &str, context: Option<&str>) {
        self.flush_pending();
        if let Some(context) = context {
            self.stems(context);
            let mut folded: Vec<String> = self.seen_words().map(str::to_string).collect();
            folded.sort_unstable();
            folded.dedup();
            for word in &folded {
                self.words.remove(word);
            }
        }
        self.stems(text);
        let folded: Vec<String> = self.seen_words().map(str::to_string).collect();
        for word in &folded {
            self.words.remove(word);
        }
    }

    /// Analyses `text` into its token list; its distinct words are left in
    /// `seen`.
    fn stems(&mut self, text: &str) -> String {
        if self.analyzer.is_full() {
            // Its ids are about to be reused.
            self.flush_pending();
        }
        let mut stems = String::with_capacity(text.len() * 2);
        self.texts = self.texts.wrapping_add(1);
        if self.texts == 0 {
            self.last_text.fill(0);
            self.texts = 1;
        }
        let (seen, last_text, this_text) = (&mut self.seen, &mut self.last_text, self.texts);
        seen.clear();
        // Ids are reused only when the analyzer empties its cache, which it
        // does before a text, never within one.
        self.analyzer.analyze_with(text, |word| {
            push_forms(&mut stems, word.position, word.listed());
            let id = word.id as usize;
            if id >= last_text.len() {
                last_text.resize(id + 1, 0);
            }
            if last_text[id] != this_text {
                last_text[id] = this_text;
                seen.push(word.id);
            }
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
        // A passage counts once for each distinct spelling of its text (by
        // id), and once for each distinct folded word of its context.
        for &id in &self.seen {
            let id = id as usize;
            if id >= self.pending.len() {
                self.pending.resize(id + 1, 0);
            }
            self.pending[id] += 1;
        }
        if let (Some(stored), Some(lists)) = (&passage.context, &context) {
            doc.add_text(f.stored_context, stored);
            doc.add_text(f.context, &lists.stems);
            for word in &lists.folded {
                self.words.add(word);
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::CACHE_WORDS;
    use crate::index::schema;
    use crate::passages;

    /// A word made of letters only, distinct for each `n`.
    fn word(mut n: usize) -> String {
        let mut w = String::from("z");
        for _ in 0..4 {
            w.push((b'a' + (n % 26) as u8) as char);
            n /= 26;
        }
        w
    }

    /// The file of a post made of `text`.
    fn file_for(text: &str) -> PostFile {
        PostFile {
            relative: "t.txt".into(),
            slug: "t".into(),
            size: text.len() as u64,
            modified_ns: 0,
        }
    }

    /// Paragraphs of [`many_distinct_words`].
    const PARAGRAPHS: usize = CACHE_WORDS / 100 + 100;

    /// A post of [`PARAGRAPHS`] paragraphs with 100 distinct words each,
    /// more than the analyzer caches (its ids are reused), each paragraph
    /// written by `paragraph` around its words.
    fn many_distinct_words(paragraph: impl Fn(String) -> String) -> String {
        let paragraphs: Vec<String> = (0..PARAGRAPHS)
            .map(|p| {
                let words: Vec<String> = (0..100).map(|i| word(p * 100 + i)).collect();
                paragraph(words.join(" "))
            })
            .collect();
        format!("Titre\n\n{}\n", paragraphs.join("\n\n"))
    }

    #[test]
    fn word_counts_survive_the_analyzer_emptying_its_cache() {
        let text = many_distinct_words(|words| format!("cadre {words}"));
        let file = file_for(&text);
        let post = passages::parse(&file.slug, &text);
        let fields = Fields::of(&schema()).unwrap();
        let mut builder = DocumentBuilder::new(fields);
        let built = builder.post(&file, &post);
        assert!(builder.analyzer.cached_words() < 100 * PARAGRAPHS);
        let words = builder.into_words();
        let article = built.len() - 1; // the title is a passage too
        assert_eq!(article, PARAGRAPHS);
        assert_eq!(words.get("cadre"), PARAGRAPHS as i64);
        assert_eq!(words.get(&word(0)), 1);
        assert_eq!(words.get(&word(100 * PARAGRAPHS - 1)), 1);
        assert_eq!(words.get("titre"), 1);
        assert_eq!(words.len(), 100 * PARAGRAPHS + 2);
    }

    /// The counts taken while building are those of the words the cache
    /// forgot, the rest come at the end, and together they are all counts.
    #[test]
    fn forgotten_and_cached_words_add_up_to_all_counts() {
        let small = "Titre\n\ncadre dirigeant\n\ncadre\n";
        let many = many_distinct_words(|words| format!("cadre {words}"));
        let fields = Fields::of(&schema()).unwrap();
        let all_at_once = {
            let mut builder = DocumentBuilder::new(fields);
            for text in [small, &many] {
                let file = file_for(text);
                builder.post(&file, &passages::parse(&file.slug, text));
            }
            builder.into_words()
        };
        let mut builder = DocumentBuilder::new(fields);
        let file = file_for(small);
        builder.post(&file, &passages::parse(&file.slug, small));
        // Nothing forgotten yet: the words are still counted by id.
        assert_eq!(builder.forgotten_words_len(), 0);
        let mut words = WordCounts::default();
        words.merge_from(builder.forgotten_words());
        assert!(words.is_empty());
        let file = file_for(&many);
        builder.post(&file, &passages::parse(&file.slug, &many));
        words.merge_from(builder.forgotten_words());
        assert!(words.len() >= CACHE_WORDS, "{}", words.len());
        assert_eq!(builder.forgotten_words_len(), 0);
        words.merge_from(&mut builder.into_words());
        assert_eq!(words.len(), 100 * PARAGRAPHS + 3);
        assert_eq!(words.get("cadre"), PARAGRAPHS as i64 + 2);
        assert!(words == all_at_once);
    }

    #[test]
    fn words_are_counted_once_per_passage_across_the_text_numbers_wrapping() {
        let text = "Titre\n\ncadre cadre dirigeant\n\ncadre médias cadre\n\nmédias\n";
        let file = file_for(text);
        let post = passages::parse(&file.slug, text);
        let mut builder = DocumentBuilder::new(Fields::of(&schema()).unwrap());
        // Five texts: the title (for the title field), then the four
        // passages (the title is one); the numbers wrap at the third.
        builder.texts = u32::MAX - 2;
        // Words last met in texts numbered as the ones after the wrap,
        // four billion texts before.
        builder.last_text = (0..100).map(|id| id % 4).collect();
        builder.post(&file, &post);
        assert_eq!(builder.texts, 3);
        let words = builder.into_words();
        assert_eq!(words.get("cadre"), 2);
        assert_eq!(words.get("medias"), 2);
        assert_eq!(words.get("dirigeant"), 1);
        assert_eq!(words.get("titre"), 1);
    }

    /// The tokens tantivy reads back from a document's token lists are the
    /// registered stemming analyzer's, position for position, also after
    /// the analyzer empties its cache in the middle of a post.
    #[test]
    fn token_lists_carry_the_french_analyzer_tokens() {
        use tantivy::schema::Value;
        use tantivy::tokenizer::{TokenStream, Tokenizer};

        use crate::analysis::{TokenListTokenizer, french_analyzer};

        let seed = include_str!("../../corpus/cadres-dirigeants-medias-sociaux.txt");
        let many = many_distinct_words(|words| format!("L’été déjà créée {words} médias"));
        let fields = Fields::of(&schema()).unwrap();
        let mut builder = DocumentBuilder::new(fields);
        let mut checked = 0;
        for text in [seed, &many] {
            let file = file_for(text);
            let post = passages::parse(&file.slug, text);
            let built = builder.post(&file, &post);
            assert_eq!(built.len(), post.passages.len());
            for (passage, built) in post.passages.iter().zip(&built) {
                let list = built
                    .document
                    .get_first(fields.text)
                    .and_then(|v| v.as_str())
                    .unwrap();
                let mut got = Vec::new();
                let mut lists = TokenListTokenizer;
                let mut stream = lists.token_stream(list);
                while stream.advance() {
                    got.push((stream.token().position, stream.token().text.clone()));
                }
                let mut expected = Vec::new();
                let mut analyzer = french_analyzer();
                let mut stream = analyzer.token_stream(&passage.text);
                while stream.advance() {
                    expected.push((stream.token().position, stream.token().text.clone()));
                }
                assert_eq!(got, expected, "{}", passage.text);
                checked += got.len();
            }
        }
        assert!(checked > 100 * PARAGRAPHS, "{checked}");
    }
}
