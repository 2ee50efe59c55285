//! French text analysis: one definition for indexing, querying and
//! highlighting.
//!
//! The pipeline, in this order (pinned by the tests below):
//!
//! 1. [`WordTokenizer`]: NFC, words split on spaces (U+00A0 and U+202F
//!    included), punctuation and hyphens; apostrophes stay inside words;
//! 2. [`LongWordFilter`]: drops words of more than 100 characters (links,
//!    noise);
//! 3. `LowerCaser`;
//! 4. [`ElisionFilter`]: `l’`, `qu'`, `jusqu’` … removed, both apostrophes;
//! 5. `StopWordFilter` with the accented Snowball list, before any folding;
//! 6. then, per field:
//!    - [`FRENCH`] (passage text, context, title): [`StemFilter`], two forms
//!      per word, stem-then-fold and fold-then-stem;
//!    - [`WORDS`] (typo and prefix matching, and queries made only of stop
//!      words): [`FoldFilter`] only, the word as written minus its accents;
//!      this one keeps the stop words (step 5 is skipped).
//!
//! [`NAMES`] (comment authors) is the tokenizer, lowercase and folding only.
//!
//! Tantivy indexes the fields with these analyzers; [`analyze`] runs the
//! same two on a query or a passage to highlight, so the three can never
//! disagree. Tantivy does not store custom tokenizers in the index:
//! [`register`] runs every time an index is opened or created.

mod elision;
mod fold;
mod long_words;
mod stem;
mod stop_words;
mod tokenizer;

use std::sync::LazyLock;

use tantivy::tokenizer::{
    LowerCaser, StopWordFilter, TextAnalyzer, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
};

pub use elision::{ELIDED, ElisionFilter};
pub use fold::{FoldFilter, fold};
pub use long_words::{LongWordFilter, MAX_WORD_CHARS};
pub use stem::{StemFilter, forms, stem};
pub use stop_words::FRENCH_STOP_WORDS;
pub use tokenizer::{WordTokenizer, is_apostrophe, nfc};

/// Name of the stemming analyzer (passage text, context, title).
pub const FRENCH: &str = "recherche_french";
/// Name of the unstemmed, folded analyzer used for typo and prefix matching.
pub const WORDS: &str = "recherche_words";
/// Name of the analyzer for author names.
pub const NAMES: &str = "recherche_names";

/// Bumped whenever the analysis changes what is indexed; an index built
/// with another version is rebuilt from scratch (2: words of up to 100
/// characters, where 1 dropped those of 40 bytes or more; 3: the folded
/// words keep the stop words).
pub const ANALYZER_VERSION: u32 = 3;

/// Steps 1 to 5 of the module docs, then `last`.
fn french_pipeline<F: TokenFilter>(last: F) -> TextAnalyzer {
    let stop_words = FRENCH_STOP_WORDS.iter().map(|w| w.to_string());
    TextAnalyzer::builder(WordTokenizer)
        .filter(LongWordFilter)
        .filter(LowerCaser)
        .filter(ElisionFilter)
        .filter(StopWordFilter::remove(stop_words))
        .filter(last)
        .build()
}

static FRENCH_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| french_pipeline(StemFilter));
/// The folded words without the stop words: the words of a query beside
/// their stemmed forms.
static FOLDED_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| french_pipeline(FoldFilter));
static WORDS_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| {
    TextAnalyzer::builder(WordTokenizer)
        .filter(LongWordFilter)
        .filter(LowerCaser)
        .filter(ElisionFilter)
        .filter(FoldFilter)
        .build()
});
/// The stop words, folded as the [`WORDS`] field holds them.
static FOLDED_STOP_WORDS: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
    FRENCH_STOP_WORDS
        .iter()
        .map(|w| fold(w).into_owned())
        .collect()
});

/// True for a folded word that is a stop word folded (`ete` for `été`).
pub fn is_folded_stop_word(folded: &str) -> bool {
    FOLDED_STOP_WORDS.contains(folded)
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
    TextAnalyzer::builder(WordTokenizer)
        .filter(LowerCaser)
        .filter(FoldFilter)
        .build()
}

/// Registers the analyzers under their names.
pub fn register(manager: &TokenizerManager) {
    manager.register(FRENCH, french_analyzer());
    manager.register(WORDS, words_analyzer());
    manager.register(NAMES, names_analyzer());
}

/// One word of analysed text, as the [`FRENCH`] analyzer indexes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StemmedWord {
    /// Word position, counting removed stop words (phrases keep their gaps).
    pub position: usize,
    /// Byte offset of the word in the (NFC) text, elided article excluded.
    pub start: usize,
    /// Byte offset just past the word.
    pub end: usize,
    /// The stemmed forms the word is indexed under (one or two).
    pub forms: Vec<String>,
}

/// One word of a query: its stemmed forms, and its folded spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzedWord {
    /// The word as the [`FRENCH`] analyzer indexes it.
    pub stemmed: StemmedWord,
    /// The word lowercased and folded, unstemmed, as the [`WORDS`]
    /// analyzer indexes it.
    pub folded: String,
}

/// The indexed words of `text`, stop words removed, with their stemmed
/// forms: the tokens of the [`FRENCH`] analyzer, grouped by position.
pub fn stemmed_words(text: &str) -> Vec<StemmedWord> {
    let mut words: Vec<StemmedWord> = Vec::new();
    let mut analyzer = french_analyzer();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let token = stream.token();
        match words.last_mut() {
            // The word's second form.
            Some(word) if word.position == token.position => word.forms.push(token.text.clone()),
            _ => words.push(StemmedWord {
                position: token.position,
                start: token.offset_from,
                end: token.offset_to,
                forms: vec![token.text.clone()],
            }),
        }
    }
    words
}

/// A word of text as the [`WORDS`] field holds it, stop words included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedWord {
    /// Byte offset of the word in the (NFC) text, elided article excluded.
    pub start: usize,
    /// Byte offset just past the word.
    pub end: usize,
    /// The word lowercased and folded.
    pub folded: String,
}

/// The words of `text` as the [`WORDS`] field holds them, stop words
/// included: what a query made only of stop words searches and marks.
pub fn folded_words(text: &str) -> Vec<FoldedWord> {
    let mut analyzer = words_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while stream.advance() {
        let token = stream.token();
        words.push(FoldedWord {
            start: token.offset_from,
            end: token.offset_to,
            folded: token.text.clone(),
        });
    }
    words
}

/// Analyses `text` into its indexed words, stop words removed: their
/// stemmed forms, and their folded spelling.
pub fn analyze(text: &str) -> Vec<AnalyzedWord> {
    let mut folded = FOLDED_ANALYZER.clone();
    let mut stream = folded.token_stream(text);
    // Both analyzers share steps 1 to 5: the same words, in the same order.
    stemmed_words(text)
        .into_iter()
        .filter_map(|stemmed| {
            stream.advance().then(|| AnalyzedWord {
                stemmed,
                folded: stream.token().text.clone(),
            })
        })
        .collect()
}

/// Why the words of a query clause left nothing to search for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// Its words are stop words.
    StopWords,
    /// A word is longer than [`MAX_WORD_CHARS`].
    TooLong,
    /// It has no word: punctuation, symbols.
    NoWord,
}

/// Why `text`, which the analyzers leave nothing of, gives no word.
pub fn why_dropped(text: &str) -> Dropped {
    let mut words = WordTokenizer;
    let mut stream = words.token_stream(text);
    let mut any = false;
    while stream.advance() {
        if long_words::is_too_long(&stream.token().text) {
            return Dropped::TooLong;
        }
        any = true;
    }
    if any {
        Dropped::StopWords
    } else {
        Dropped::NoWord
    }
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
        stemmed_words(text).into_iter().map(|w| w.forms).collect()
    }

    fn matches(query: &str, text: &str) -> bool {
        let text_forms: Vec<String> = forms_of(text).into_iter().flatten().collect();
        forms_of(query)
            .iter()
            .all(|q| q.iter().any(|f| text_forms.contains(f)))
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
    fn the_folded_words_keep_the_stop_words() {
        let words: Vec<String> = folded_words("L’été, il y a les autres")
            .into_iter()
            .map(|w| w.folded)
            .collect();
        assert_eq!(words, ["ete", "il", "y", "a", "les", "autres"]);
        assert!(is_folded_stop_word("ete") && is_folded_stop_word("les"));
        assert!(!is_folded_stop_word("autres"));
    }

    #[test]
    fn highlighting_offsets_cover_the_word_not_the_article() {
        let text = "L’information";
        let word = &stemmed_words(text)[0];
        assert_eq!(&text[word.start..word.end], "information");
    }

    #[test]
    fn positions_keep_stop_word_gaps() {
        let positions: Vec<usize> = stemmed_words("la sourde oreille")
            .iter()
            .map(|w| w.position)
            .collect();
        assert_eq!(positions, [1, 2]);
    }

    /// A word Snowball stems to nothing (here a lone combining mark) keeps
    /// one form, empty.
    #[test]
    fn a_word_stemmed_to_nothing_keeps_its_empty_form() {
        assert_eq!(forms_of("\u{11357}"), [[""]]);
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
            &format!("{} court", "é".repeat(101)),
        ];
        let mut table = String::new();
        for input in inputs {
            let shown: String = input.chars().take(60).collect();
            writeln!(table, "{shown:?}").unwrap();
            for AnalyzedWord { stemmed: w, folded } in analyze(input) {
                writeln!(
                    table,
                    "  {} @{} {}..{} {:?}",
                    folded, w.position, w.start, w.end, w.forms
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
          anticonstitutionnellementanticonstitutionnellement @0 0..50 ["anticonstitutionnellementanticonstitutionnel"]
          court @1 51..56 ["court"]
        "éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"
          court @1 203..208 ["court"]
        "#);
    }

    #[test]
    fn a_query_clause_says_why_it_gives_no_word() {
        assert_eq!(why_dropped("les de la"), Dropped::StopWords);
        assert_eq!(why_dropped(&"é".repeat(101)), Dropped::TooLong);
        assert_eq!(why_dropped("« ! »"), Dropped::NoWord);
        // Kept: an accented word of over 40 bytes.
        let long = "é".repeat(30);
        assert_eq!(stemmed_words(&long).len(), 1);
    }

    #[test]
    fn names_fold_case_and_accents() {
        assert_eq!(name_words("Frédéric Layani"), ["frederic", "layani"]);
    }
}
