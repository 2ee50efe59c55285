//! French text analysis: one definition for indexing, querying and
//! highlighting.
//!
//! The pipeline, in this order (pinned by the tests below):
//!
//! 1. [`WordTokenizer`]: NFC, words split on spaces (U+00A0 and U+202F
//!    included), punctuation and hyphens; apostrophes stay inside words;
//! 2. `RemoveLongFilter`: drops tokens of 40 bytes or more (URLs, noise);
//! 3. `LowerCaser`;
//! 4. [`ElisionFilter`]: `l’`, `qu'`, `jusqu’` … removed, both apostrophes;
//! 5. `StopWordFilter` with the accented Snowball list, before any folding;
//! 6. then, per field:
//!    - [`FRENCH`] (passage text, context, title): [`StemFilter`], two forms
//!      per word, stem-then-fold and fold-then-stem;
//!    - [`WORDS`] (typo and prefix matching): [`FoldFilter`] only, the word
//!      as written minus its accents;
//! 7. [`NAMES`] (comment authors) is tokenizer, lowercase and folding only.
//!
//! [`Analyzer`] runs steps 1–6 in one fused pass for both outputs, caching
//! each word's forms by its written spelling; indexing goes through it and hands tantivy the tokens
//! ([`TokenListTokenizer`]), and so do queries and highlighting. The
//! registered [`FRENCH`] and [`WORDS`] analyzers are the same pipeline as
//! tantivy analyzers, and a test pins that both give the same tokens.
//!
//! Tantivy does not store custom tokenizers in the index: [`register`] must
//! run every time an index is opened or created.

mod elision;
mod fold;
mod stem;
mod stop_words;
mod token_list;
mod tokenizer;
mod written;

use std::num::NonZeroU32;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, StopWordFilter, TextAnalyzer, TokenStream, TokenizerManager,
};

pub use elision::{ELIDED, ElisionFilter};
pub use fold::{FoldFilter, fold};
pub use stem::{StemFilter, forms, stem};
pub use stop_words::FRENCH_STOP_WORDS;
pub use token_list::{TokenListTokenizer, push_forms};
pub use tokenizer::{WordTokenizer, is_apostrophe, nfc};
use written::{ShortWord, WrittenTable};

/// Name of the stemming analyzer (passage text, context, title).
pub const FRENCH: &str = "recherche_french";
/// Name of the unstemmed, folded analyzer used for typo and prefix matching.
pub const WORDS: &str = "recherche_words";
/// Name of the analyzer for author names.
pub const NAMES: &str = "recherche_names";
/// Name of the tokenizer of fields indexed from tokens recherche analysed
/// itself (text, context, title): see [`TokenListTokenizer`].
pub const TOKENS: &str = "recherche_tokens";

/// Bumped whenever the analysis changes what is indexed; an index built
/// with another version is rebuilt from scratch.
pub const ANALYZER_VERSION: u32 = 1;

/// Longest token kept, in bytes (RemoveLongFilter drops longer ones).
const MAX_TOKEN_BYTES: usize = 40;

static FRENCH_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| {
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(ElisionFilter)
        .filter(french_stop_words())
        .filter(StemFilter)
        .build()
});

static WORDS_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| {
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(ElisionFilter)
        .filter(french_stop_words())
        .filter(FoldFilter)
        .build()
});

static NAMES_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| {
    TextAnalyzer::builder(WordTokenizer)
        .filter(LowerCaser)
        .filter(FoldFilter)
        .build()
});

fn french_stop_words() -> StopWordFilter {
    StopWordFilter::remove(FRENCH_STOP_WORDS.iter().map(|w| w.to_string()))
}

/// The stemming analyzer (see the module docs).
pub fn french_analyzer() -> TextAnalyzer {
    FRENCH_ANALYZER.clone()
}

/// The unstemmed, folded analyzer (see the module docs).
pub fn words_analyzer() -> TextAnalyzer {
    WORDS_ANALYZER.clone()
}

/// The analyzer for author names: folded words, nothing removed.
pub fn names_analyzer() -> TextAnalyzer {
    NAMES_ANALYZER.clone()
}

/// Registers the analyzers under their names.
pub fn register(manager: &TokenizerManager) {
    manager.register(FRENCH, french_analyzer());
    manager.register(WORDS, words_analyzer());
    manager.register(NAMES, names_analyzer());
    manager.register(TOKENS, TextAnalyzer::from(TokenListTokenizer));
}

/// One word of analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedWord {
    /// Word position, counting removed stop words (phrases keep their gaps).
    pub position: usize,
    /// Byte offset of the word in the (NFC) text, elided article excluded.
    pub start: usize,
    /// Byte offset just past the word.
    pub end: usize,
    /// The stemmed forms the word is indexed under (one or two).
    pub forms: Vec<String>,
    /// The word lowercased and folded, unstemmed.
    pub folded: String,
}

/// A word met by [`Analyzer::analyze_with`].
#[derive(Debug, Clone, Copy)]
pub struct WordRef<'a> {
    /// Position, counting removed stop words.
    pub position: usize,
    /// Byte offset in the (NFC) text.
    pub start: usize,
    /// Byte offset just past the word.
    pub end: usize,
    /// Its forms separated by spaces, then its folded spelling: where the
    /// analyzer keeps them, one word after the other (see
    /// [`WordRef::listed`]).
    spelled: &'a str,
    /// The length of the forms in `spelled`.
    listed_len: usize,
    /// False for a word an analyzer made by [`Analyzer::stemming_only_like`]
    /// does not stem: it has no forms, where a word stemmed to nothing has
    /// one, empty.
    stemmed: bool,
    /// A number for the distinct word (for deduplicating without hashing
    /// strings again); valid until the cache is emptied, between two texts.
    pub id: u32,
}

impl<'a> WordRef<'a> {
    /// Its stemmed forms separated by spaces, as a token list writes them
    /// ([`push_forms`]): indexing copies them in one piece.
    pub fn listed(&self) -> &'a str {
        &self.spelled[..self.listed_len]
    }

    /// Its stemmed forms, one by one: one or two (the first may be empty,
    /// for a word Snowball stems to nothing), none for a word an analyzer
    /// made by [`Analyzer::stemming_only_like`] does not stem.
    pub fn forms(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let forms = if self.stemmed { 2 } else { 0 };
        self.listed().split(' ').take(forms)
    }

    /// The word lowercased and folded, unstemmed.
    pub fn folded(&self) -> &'a str {
        &self.spelled[self.listed_len..]
    }
}

/// The keys of [`Analyzer::stemming_only_like`].
type FormKeys = rustc_hash::FxHashSet<(char, Option<char>)>;

/// The first two characters of a folded word or of a form, a `y` second
/// read as `i`. A word's forms begin with its folded spelling's key, or are
/// its first character alone: Snowball French works on suffixes in regions
/// that start at the third character at the earliest, and changes nothing
/// before it but a final `y` into `i` when a suffix leaves two characters
/// (`ayissement` → `ai`), or `é`, `è` into `e`, which folding does too.
/// Checked on the 274,100 distinct words of the Littré, and by tests.
pub fn form_key(folded: &str) -> Option<(char, Option<char>)> {
    let mut chars = folded.chars();
    let first = chars.next()?;
    let second = chars.next().map(|c| if c == 'y' { 'i' } else { c });
    Some((first, second))
}

/// Where a word's forms and folded spelling are in [`Analyzer::spelled`]:
/// its forms separated by spaces, then its folded spelling.
#[derive(Clone, Copy)]
struct Spelling {
    /// Where its forms begin.
    at: u32,
    /// Their length in bytes, with the spaces between them.
    listed_len: u16,
    /// The length of the folded spelling after them.
    folded_len: u16,
}

impl Spelling {
    /// Where the word's forms and folded spelling are.
    fn range(self) -> std::ops::Range<usize> {
        let at = self.at as usize;
        at..at + usize::from(self.listed_len) + usize::from(self.folded_len)
    }
}

/// What the tables of [`Analyzer`] hold for a word as written that is not
/// a stop word: everything indexing needs of it, in the table's own memory
/// (reaching a word's forms through a table of words and their `Vec` cost
/// two cache misses per word in a full build).
#[derive(Clone, Copy)]
struct Known {
    /// The word's id (see [`WordRef::id`]) plus one: the zero is the `None`
    /// of an `Option<Known>`, which takes no more room than a `Known`.
    id_plus_one: NonZeroU32,
    /// Where its forms and folded spelling are.
    spelling: Spelling,
    /// Bytes of the elided article (`l’`, `jusqu’`) that the word starts
    /// with: at most 10 (a word of [`ELIDED`] and an apostrophe).
    elided: u8,
    /// See [`WordRef::forms`].
    stemmed: bool,
}

/// A cache of more distinct words than this is emptied rather than grown.
/// A build of the Littré meets 1.55 million words as written that the
/// cache does not hold with 30,000 (and stems 1.26 million; its word
/// dictionary has 272,259), 1.05 million with 60,000 (0.82 million);
/// 60,000 was the fastest of 30,000, 60,000, 120,000 and 150,000, and
/// 300,000, faster still, took a build's peak memory to 283–295 MB, too
/// close to its 300 MB target (README, "Speed").
pub(crate) const CACHE_WORDS: usize = 60_000;

/// The stop words, for the one-pass analyzer.
static STOP_WORDS: LazyLock<rustc_hash::FxHashSet<&'static str>> =
    LazyLock::new(|| FRENCH_STOP_WORDS.iter().copied().collect());

/// Analyses text word by word: the [`FRENCH`] and [`WORDS`] analyzers in
/// one pass, with the stemmed forms and folded spelling of each distinct
/// word computed once. Indexing keeps one per thread; its output is the
/// registered analyzers' output (pinned by a test).
#[derive(Default)]
pub struct Analyzer {
    /// When set, only words whose [`form_key`] is here get their forms
    /// (the others get none): highlighting stems only the words that may
    /// have a form the query looks for.
    keys: Option<FormKeys>,
    /// A word as written: its id and the bytes of its elided article, or
    /// `None` for a stop word. Most words are met again as written, so one
    /// lookup replaces lowercasing, elision and the stop list. Keys are held
    /// in the table (see [`ShortWord`]); longer words go to `written_long`.
    written: WrittenTable<Option<Known>>,
    /// As `written`, for words too long for a [`ShortWord`].
    written_long: FxHashMap<String, Option<Known>>,
    /// A word lowercased, without its article: its id. Keys held in the
    /// table as in `written`; longer words go to `ids_long`.
    ids: FxHashMap<ShortWord, u32>,
    /// As `ids`, for words too long for a [`ShortWord`].
    ids_long: FxHashMap<String, u32>,
    /// Every word's forms separated by spaces, then its folded spelling,
    /// one word after the other: a word's strings in one place, and no
    /// allocation of their own.
    spelled: String,
    /// By id: where the word is in `spelled`, and whether it was stemmed.
    spellings: Vec<(Spelling, bool)>,
    /// The word being learnt, lowercased (kept to reuse its buffer).
    lowercased: String,
}

impl Analyzer {
    /// An analyzer that stems only the words whose forms may begin like
    /// one of `forms` (see [`form_key`]); the others come without forms.
    pub fn stemming_only_like<'a>(forms: impl IntoIterator<Item = &'a str>) -> Analyzer {
        let mut keys = FormKeys::default();
        for form in forms {
            if let Some(key) = form_key(form) {
                keys.insert(key);
            }
        }
        Analyzer {
            keys: Some(keys),
            ..Analyzer::default()
        }
    }

    /// Calls `each` for every indexed word of `text`, stop words removed,
    /// without allocating for words met before.
    pub fn analyze_with(&mut self, text: &str, mut each: impl FnMut(WordRef<'_>)) {
        if self.is_full() {
            self.written.clear();
            self.written_long.clear();
            self.ids.clear();
            self.ids_long.clear();
            self.spelled.clear();
            self.spellings.clear();
        }
        // The steps of BASE_ANALYZER, fused: word, long-word removal,
        // lowercase, elision, stop words (a test pins that both agree).
        let text = nfc(text);
        let mut cursor = 0;
        let mut position = 0;
        let mut next = self.upcoming(&text, &mut cursor);
        let mut after = self.upcoming(&text, &mut cursor);
        while let Some((start, end, short)) = next {
            // The places in the table of the two words after this one are
            // fetched while it is handled (see `written`).
            next = after;
            after = self.upcoming(&text, &mut cursor);
            position += 1;
            let written = &text[start..end];
            if written.len() >= MAX_TOKEN_BYTES {
                continue;
            }
            let found = match &short {
                Some(short) => self.written.get(short),
                None => self.written_long.get(written),
            };
            let known = match found {
                Some(&known) => known,
                None => self.learn(written),
            };
            if let Some(known) = known {
                let spelling = known.spelling;
                each(WordRef {
                    position: position - 1,
                    start: start + usize::from(known.elided),
                    end,
                    spelled: &self.spelled[spelling.range()],
                    listed_len: usize::from(spelling.listed_len),
                    stemmed: known.stemmed,
                    id: known.id_plus_one.get() - 1,
                });
            }
        }
    }

    /// The next word of `text` after `cursor`, as held in `written` when
    /// short enough, its place there asked for ahead of its lookup.
    fn upcoming(
        &self,
        text: &str,
        cursor: &mut usize,
    ) -> Option<(usize, usize, Option<ShortWord>)> {
        let (start, end) = tokenizer::next_word(text, cursor)?;
        let short = ShortWord::new(&text[start..end]);
        if let Some(short) = &short {
            self.written.prefetch(short);
        }
        Some((start, end, short))
    }

    /// Analyses a word met for the first time as written.
    fn learn(&mut self, written: &str) -> Option<Known> {
        let mut lower = std::mem::take(&mut self.lowercased);
        lower.clear();
        if written.is_ascii() {
            lower.push_str(written);
            lower.make_ascii_lowercase();
        } else {
            // Char by char, as tantivy's LowerCaser (no final sigma rule).
            for c in written.chars() {
                lower.extend(c.to_lowercase());
            }
        }
        let elided = elision::strip_elision(&lower);
        lower.drain(..elided);
        if lower.contains(['’', 'ʼ']) {
            lower = lower.replace(['’', 'ʼ'], "'");
        }
        let word = lower.as_str();
        let known = if STOP_WORDS.contains(word) {
            None
        } else {
            let short_word = ShortWord::new(word);
            let found = match &short_word {
                Some(short) => self.ids.get(short),
                None => self.ids_long.get(word),
            };
            let id = match found {
                Some(&id) => id,
                None => {
                    let id = self.spellings.len() as u32;
                    let spelled = self.spell(word);
                    self.spellings.push(spelled);
                    match short_word {
                        Some(short) => self.ids.insert(short, id),
                        None => self.ids_long.insert(word.to_string(), id),
                    };
                    id
                }
            };
            let (spelling, stemmed) = self.spellings[id as usize];
            Some(Known {
                id_plus_one: NonZeroU32::MIN.saturating_add(id),
                spelling,
                elided: elided as u8,
                stemmed,
            })
        };
        // Built again rather than handed over by `analyze_with`: keeping
        // it alive across the lookup slowed the loop by 3 % (criterion).
        match ShortWord::new(written) {
            Some(short) => self.written.insert(short, known),
            None => {
                self.written_long.insert(written.to_string(), known);
            }
        }
        self.lowercased = lower;
        known
    }

    /// Writes a new word's forms and folded spelling at the end of
    /// `spelled` (see [`Spelling`]); tells whether it was stemmed.
    fn spell(&mut self, word: &str) -> (Spelling, bool) {
        let folded = fold(word);
        let wanted = match (&self.keys, form_key(&folded)) {
            (None, _) => true,
            (Some(keys), Some((first, second))) => {
                keys.contains(&(first, None))
                    || (second.is_some() && keys.contains(&(first, second)))
            }
            (Some(_), None) => true,
        };
        let at = self.spelled.len();
        if wanted {
            let (first, second) = forms(word);
            self.spelled.push_str(&first);
            if let Some(second) = second {
                self.spelled.push(' ');
                self.spelled.push_str(&second);
            }
        }
        let listed_len = self.spelled.len() - at;
        self.spelled.push_str(&folded);
        // The cache is emptied long before 4 GB, and a word is shorter than
        // MAX_TOKEN_BYTES: its forms and folded spelling, a few times that.
        let spelling = Spelling {
            at: at as u32,
            listed_len: listed_len as u16,
            folded_len: folded.len() as u16,
        };
        (spelling, wanted)
    }

    /// Distinct words in the cache (lowercased, without their article).
    #[cfg(test)]
    pub(crate) fn cached_words(&self) -> usize {
        self.spellings.len()
    }

    /// True when the next call to [`Analyzer::analyze_with`] empties the
    /// cache, and so starts reusing word ids.
    pub fn is_full(&self) -> bool {
        self.spellings.len() > CACHE_WORDS
            || self.written.len() + self.written_long.len() > 2 * CACHE_WORDS
    }

    /// The folded spelling of a word met since the cache was last emptied
    /// (see [`WordRef::id`]).
    pub fn folded(&self, id: u32) -> &str {
        let (spelling, _) = self.spellings[id as usize];
        &self.spelled[spelling.range()][usize::from(spelling.listed_len)..]
    }

    /// Analyses `text` into its indexed words, stop words removed.
    pub fn analyze(&mut self, text: &str) -> Vec<AnalyzedWord> {
        let mut words = Vec::new();
        self.analyze_with(text, |w| {
            words.push(AnalyzedWord {
                position: w.position,
                start: w.start,
                end: w.end,
                forms: w.forms().map(str::to_string).collect(),
                folded: w.folded().to_string(),
            });
        });
        words
    }
}

/// Analyses `text` into its indexed words, stop words removed.
pub fn analyze(text: &str) -> Vec<AnalyzedWord> {
    Analyzer::default().analyze(text)
}

/// Lowercase-folded words of `text`, with nothing removed (author names).
pub fn name_words(text: &str) -> Vec<String> {
    let mut names = names_analyzer();
    let mut stream = names.token_stream(text);
    let mut words = Vec::new();
    while stream.advance() {
        words.push(stream.token().text.clone());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms_of(text: &str) -> Vec<Vec<String>> {
        analyze(text).into_iter().map(|w| w.forms).collect()
    }

    fn matches(query: &str, text: &str) -> bool {
        let text_forms: Vec<String> = analyze(text).into_iter().flat_map(|w| w.forms).collect();
        analyze(query)
            .iter()
            .all(|q| q.forms.iter().any(|f| text_forms.contains(f)))
    }

    #[test]
    fn accent_free_query_finds_accented_text() {
        assert!(matches("medias", "les médias sociaux"));
        assert!(matches(
            "securite",
            "une situation d’insécurité et de sécurité"
        ));
        assert!(matches("creee", "une page créée hier"));
    }

    #[test]
    fn accented_query_finds_related_forms() {
        assert!(matches("authenticité", "une relation authentique"));
        assert!(matches("publiée", "publier un article"));
        assert!(matches("dirigeant", "les cadres dirigeants"));
    }

    #[test]
    fn elision_with_either_apostrophe() {
        assert!(matches("l'information", "L’information n’est pas filtrée"));
        assert!(matches("l’information", "l'information"));
        assert_eq!(forms_of("jusqu’à présent"), forms_of("présent"));
    }

    #[test]
    fn stop_words_are_dropped_before_folding() {
        assert!(forms_of("à même les été").is_empty());
        // `sûr` folds to `sur`, a stop word, but is removed only when written `sur`.
        assert_eq!(forms_of("sûr").len(), 1);
    }

    #[test]
    fn highlighting_offsets_cover_the_word_not_the_article() {
        let text = "L’information";
        let word = &analyze(text)[0];
        assert_eq!(&text[word.start..word.end], "information");
    }

    #[test]
    fn positions_keep_stop_word_gaps() {
        let positions: Vec<usize> = analyze("la sourde oreille")
            .iter()
            .map(|w| w.position)
            .collect();
        assert_eq!(positions, [1, 2]);
    }

    #[test]
    fn words_short_and_long_are_cached_alike() {
        // 23 bytes is the longest word held in place; 25 goes to the other map.
        let text = "désinstitutionnalisée anticonstitutionnellement maison";
        let mut cached = Analyzer::default();
        let first = cached.analyze(text);
        assert_eq!(cached.analyze(text), first);
        assert_eq!(first, Analyzer::default().analyze(text));
        assert_eq!(first.len(), 3);
        assert_eq!(cached.written.len(), 2);
        assert_eq!(cached.written_long.len(), 1);
    }

    /// A table entry for a word as written fits in 40 bytes: key, id,
    /// where its forms are, its article, whether it was stemmed (a stop
    /// word's `None` takes no room of its own).
    #[test]
    fn written_words_take_40_bytes_each_in_the_cache() {
        assert_eq!(size_of::<(ShortWord, Option<Known>)>(), 40);
        // The article's bytes fit the byte `Known::elided` keeps them in.
        let longest = ELIDED.iter().map(|article| article.len()).max();
        assert!(longest.unwrap() + '’'.len_utf8() <= 10);
    }

    /// A word Snowball stems to nothing (here a lone combining mark) has one
    /// form, empty, as the registered analyzer gives it; a word the
    /// highlighting analyzer leaves unstemmed has none.
    #[test]
    fn a_word_stemmed_to_nothing_keeps_its_empty_form() {
        assert_eq!(forms_of("\u{11357}"), [[""]]);
        let mut only = Analyzer::stemming_only_like(["medi"]);
        assert!(only.analyze("sociaux")[0].forms.is_empty());
    }

    #[test]
    fn nfd_query_equals_nfc_query() {
        assert_eq!(forms_of("me\u{301}dias"), forms_of("médias"));
    }

    /// The whole pipeline on a table of French inputs: folded word,
    /// position, byte offsets, indexed forms.
    #[test]
    fn analyzer_token_table() {
        use std::fmt::Write as _;
        let inputs = [
            "L’été qu'il",
            "jusqu’à présent",
            "DEJA déjà",
            "aujourd’hui",
            "authenticité authentique",
            "créée creee",
            "cœur œuvre",
            "détestent-ils",
            "«\u{a0}buzz\u{a0}»",
            "n°1WebPatron()",
            "me\u{301}dias",
            "anticonstitutionnellementanticonstitutionnellement court",
        ];
        let mut table = String::new();
        for input in inputs {
            writeln!(table, "{input:?}").unwrap();
            for w in analyze(input) {
                writeln!(
                    table,
                    "  {} @{} {}..{} {:?}",
                    w.folded, w.position, w.start, w.end, w.forms
                )
                .unwrap();
            }
        }
        insta::assert_snapshot!(table, @r#"
        "L’été qu'il"
        "jusqu’à présent"
          present @1 11..19 ["present"]
        "DEJA déjà"
          deja @0 0..4 ["dej"]
          deja @1 5..11 ["deja", "dej"]
        "aujourd’hui"
          aujourd'hui @0 0..13 ["aujourd'hui"]
        "authenticité authentique"
          authenticite @0 0..13 ["authent", "authenticit"]
          authentique @1 14..25 ["authent"]
        "créée creee"
          creee @0 0..7 ["cre", "cree"]
          creee @1 8..13 ["cree"]
        "cœur œuvre"
          coeur @0 0..5 ["coeur"]
          oeuvre @1 6..12 ["oeuvr"]
        "détestent-ils"
          detestent @0 0..10 ["detestent"]
        "«\u{a0}buzz\u{a0}»"
          buzz @0 4..8 ["buzz"]
        "n°1WebPatron()"
          1webpatron @1 3..13 ["1webpatron"]
        "me\u{301}dias"
          medias @0 0..7 ["medi"]
        "anticonstitutionnellementanticonstitutionnellement court"
          court @1 51..56 ["court"]
        "#);
    }

    /// The one-pass analyzer gives exactly what the registered tantivy
    /// analyzers give, token for token.
    #[test]
    fn one_pass_equals_the_registered_analyzers() {
        let texts = [
            include_str!("../../corpus/cadres-dirigeants-medias-sociaux.txt"),
            "L’été qu'il DEJA déjà aujourd’hui créée creee cœur me\u{301}dias n°1WebPatron()",
        ];
        let tokens = |mut analyzer: TextAnalyzer, text: &str| {
            let mut tokens = Vec::new();
            let mut stream = analyzer.token_stream(text);
            while stream.advance() {
                let t = stream.token();
                tokens.push((t.position, t.offset_from, t.offset_to, t.text.clone()));
            }
            tokens
        };
        for text in texts {
            let expected_stems = tokens(french_analyzer(), text);
            let expected_words = tokens(words_analyzer(), text);
            let words = analyze(text);
            let stems: Vec<_> = words
                .iter()
                .flat_map(|w| {
                    w.forms
                        .iter()
                        .map(|f| (w.position, w.start, w.end, f.clone()))
                })
                .collect();
            let folded: Vec<_> = words
                .iter()
                .map(|w| (w.position, w.start, w.end, w.folded.clone()))
                .collect();
            assert_eq!(stems, expected_stems);
            assert_eq!(folded, expected_words);
        }
    }

    #[test]
    fn names_fold_case_and_accents() {
        assert_eq!(name_words("Frédéric Layani"), ["frederic", "layani"]);
    }

    /// True if an analyzer stemming only words like `form` gives `text`'s
    /// single word the forms the full analyzer gives it, whenever `form` is
    /// one of them.
    fn stemmed_when_wanted(text: &str) -> bool {
        let Some(word) = analyze(text).pop() else {
            return true;
        };
        word.forms.iter().all(|form| {
            let mut only = Analyzer::stemming_only_like([form.as_str()]);
            only.analyze(text).pop().map(|w| w.forms) == Some(word.forms.clone())
        })
    }

    #[test]
    fn words_are_stemmed_when_their_forms_are_wanted() {
        // Words whose stem changes their second letter (a final `y` made
        // `i`), begins with an accent, or is one letter.
        for text in [
            "ayissement",
            "oyissements",
            "payer",
            "voyaient",
            "fuyant",
            "éts",
            "ès",
            "œil",
            "œuvres",
            "ça",
            "çà",
            "yeux",
            "as",
            "es",
            "dirigeants",
            "médias",
            "narcissiques",
        ] {
            assert!(stemmed_when_wanted(text), "{text}");
        }
        let seed = include_str!("../../corpus/cadres-dirigeants-medias-sociaux.txt");
        for text in seed.split_whitespace() {
            assert!(stemmed_when_wanted(text), "{text}");
        }
    }

    #[test]
    fn words_unlike_the_wanted_forms_are_not_stemmed() {
        let mut only = Analyzer::stemming_only_like(["medi"]);
        let words = only.analyze("les médias sociaux");
        assert_eq!(words[0].forms, ["medi"]);
        assert!(words[1].forms.is_empty());
        assert_eq!(words[1].folded, "sociaux");
    }

    proptest::proptest! {
        #[test]
        fn any_word_is_stemmed_when_its_forms_are_wanted(
            word in "[a-zàâäçéèêëîïôöùûüÿœæy]{1,14}"
        ) {
            proptest::prop_assert!(stemmed_when_wanted(&word), "{}", word);
        }
    }
}
