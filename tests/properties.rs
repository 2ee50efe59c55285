//! Properties over arbitrary input: the query parser, the analyzer, the
//! passage parser and the search never panic; highlights fall on character
//! boundaries inside the snippet; the snippet is the passage text, cut.

mod common;

use std::sync::LazyLock;

use proptest::prelude::*;
use recherche::analysis::{
    analyze, french_analyzer, is_folded_stop_word, nfc, stemmed_words, words_analyzer,
};
use recherche::formats::copied_page;
use recherche::index::OpenIndex;
use recherche::search::snippet::{self, ELLIPSIS};
use recherche::search::{SearchOptions, search};
use recherche::{Error, query};

/// The seed indexed once for all cases (the folder lives as long as the
/// test process).
static SEED_INDEX: LazyLock<(tempfile::TempDir, OpenIndex)> = LazyLock::new(common::seed_index);

/// Queries mixing French words, accents and every syntax character.
fn queryish() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Zéèêàâçôûœ’' «»\"*+:~()0-9\u{a0}\u{301}-]{0,60}",
        prop::collection::vec(
            prop_oneof![
                Just("médias".to_string()),
                Just("\"sourde".to_string()),
                Just("oreille\"~2".to_string()),
                Just("+cadres".to_string()),
                Just("-twitter".to_string()),
                Just("homogén*".to_string()),
                Just("author:milouse".to_string()),
                Just("kind:comment".to_string()),
                Just("narcisique".to_string()),
                Just("l’information".to_string()),
                Just("(".to_string()),
                Just("les".to_string()),
            ],
            0..6
        )
        .prop_map(|words| words.join(" ")),
    ]
}

/// Text with what analysis must handle: case, accents (composed and not),
/// both apostrophes, elisions, stop words, hyphens, long words, digits.
fn frenchish() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-ZéÉèêàÀâçôûœŒİ’'ʼ «»\u{a0}\u{301}0-9.,;:!?()-]{0,120}",
        prop::collection::vec(
            prop_oneof![
                Just("L’été".to_string()),
                Just("qu'il".to_string()),
                Just("JUSQU’À".to_string()),
                Just("aujourd’hui".to_string()),
                Just("les".to_string()),
                Just("Même".to_string()),
                Just("créée".to_string()),
                Just("cre\u{301}e\u{301}e".to_string()),
                Just("détestent-ils".to_string()),
                Just("x".repeat(45)),
                Just("é".repeat(20)),
                Just("n°1".to_string()),
            ],
            0..12
        )
        .prop_map(|words| words.join(" ")),
    ]
}

/// A registered tantivy analyzer's tokens: position, offsets, text.
fn tantivy_tokens(
    mut analyzer: tantivy::tokenizer::TextAnalyzer,
    text: &str,
) -> Vec<(usize, usize, usize, String)> {
    use tantivy::tokenizer::TokenStream;
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        let t = stream.token();
        tokens.push((t.position, t.offset_from, t.offset_to, t.text.clone()));
    }
    tokens
}

/// Checks the snippet of a passage: its highlights and where it comes from.
fn check_snippet(text: &str, snippet: &snippet::Snippet) -> Result<(), TestCaseError> {
    for &(start, end) in &snippet.highlights {
        prop_assert!(start < end && end <= snippet.text.len());
        prop_assert!(snippet.text.is_char_boundary(start) && snippet.text.is_char_boundary(end));
    }
    let inner = snippet.text.strip_prefix(ELLIPSIS).unwrap_or(&snippet.text);
    let inner = inner.strip_suffix(ELLIPSIS).unwrap_or(inner);
    prop_assert!(text.contains(inner), "{:?} not in {:?}", inner, text);
    Ok(())
}

/// True when `error` is one of the two errors a query can cause, and says
/// what in `raw` caused it.
fn is_query_error(error: &Error, raw: &str) -> bool {
    match error {
        Error::QueryTooLong { chars, max } => *chars > *max && raw.chars().count() == *chars,
        Error::UnknownKind(kind) => raw.contains(&format!("kind:{kind}")),
        _ => false,
    }
}

proptest! {
    #[test]
    fn the_query_parser_reads_anything(raw in queryish()) {
        match query::parse(&raw) {
            Ok(parsed) => {
                // Every clause holds something to search for.
                for clause in &parsed.clauses {
                    let (query::Term::Word { text, .. } | query::Term::Phrase { text, .. }) = &clause.term;
                    prop_assert!(!text.trim().is_empty(), "{:?}", parsed);
                }
            }
            Err(e) => prop_assert!(is_query_error(&e, &raw), "{}", e),
        }
    }

    #[test]
    fn analysed_words_are_the_registered_analyzers_tokens(texts in prop::collection::vec(frenchish(), 1..4)) {
        for text in &texts {
            let text = nfc(text);
            let words = analyze(&text);
            let stems: Vec<_> = words
                .iter()
                .map(|w| &w.stemmed)
                .flat_map(|w| w.forms.iter().map(|f| (w.position, w.start, w.end, f.clone())))
                .collect();
            let folded: Vec<_> = words
                .iter()
                .map(|w| (w.stemmed.position, w.stemmed.start, w.stemmed.end, w.folded.clone()))
                .collect();
            prop_assert_eq!(stems, tantivy_tokens(french_analyzer(), &text));
            // The `words` field keeps the stop words: the analysed words are
            // its tokens less those, at the same positions and offsets.
            let all = tantivy_tokens(words_analyzer(), &text);
            let positions: Vec<usize> = folded.iter().map(|w| w.0).collect();
            let (kept, stop): (Vec<_>, Vec<_>) =
                all.into_iter().partition(|t| positions.contains(&t.0));
            prop_assert_eq!(folded, kept);
            for token in stop {
                prop_assert!(is_folded_stop_word(&token.3), "{:?} is no stop word", token);
            }
        }
    }

    #[test]
    fn analysed_words_are_slices_of_the_text(text in queryish()) {
        let text = nfc(&text);
        for word in stemmed_words(&text) {
            prop_assert!(word.start < word.end && word.end <= text.len());
            prop_assert!(text.is_char_boundary(word.start) && text.is_char_boundary(word.end));
            prop_assert!(!word.forms.is_empty() && word.forms.len() <= 2);
        }
    }

    #[test]
    fn snippets_cut_the_text_around_its_words(text in "[a-zéèà’ ,.«»\n]{0,600}", every in 1usize..6) {
        let marks: Vec<(usize, usize)> = stemmed_words(&text)
            .into_iter()
            .step_by(every)
            .map(|w| (w.start, w.end))
            .collect();
        let snippet = snippet::make(&text, &marks);
        check_snippet(&text, &snippet)?;
        prop_assert!(snippet.text.chars().count() <= 200 + 2 * ELLIPSIS.chars().count() + 40);
    }

    #[test]
    fn any_text_parses_into_passages(text in any::<String>()) {
        let post = copied_page::parse("post", &text);
        let mut ids: Vec<&str> = post.passages.iter().map(|p| p.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        prop_assert_eq!(ids.len(), post.passages.len());
        for p in &post.passages {
            prop_assert!(!p.text.trim().is_empty());
        }
    }

    #[test]
    fn any_query_searches_without_panic(raw in queryish()) {
        let (_, open) = &*SEED_INDEX;
        let reader = open.reader().unwrap();
        let searcher = reader.searcher();
        let options = SearchOptions { explain: true, ..SearchOptions::default() };
        match search(&searcher, open, &raw, &options) {
            Ok(results) => {
                prop_assert!(results.hits.len() <= results.total);
                prop_assert!(results.hits.len() <= options.limit);
                for hit in &results.hits {
                    check_snippet(&hit.passage.text, &hit.snippet)?;
                    prop_assert!(hit.explanation.is_some());
                }
            }
            Err(e) => prop_assert!(
                matches!(e, Error::EmptyQuery) || is_query_error(&e, &raw),
                "{}", e
            ),
        }
    }
}
