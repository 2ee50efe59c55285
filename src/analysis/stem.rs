//! Snowball French stemming, kept in two forms per word.
//!
//! Stemming and accent folding interact. Stem-then-fold conflates
//! `authenticité`/`authentique` (→ `authent`) but an accent-free query
//! misses (`creee` → `cree` while `créée` → `cre`). Fold-then-stem always
//! meets accent-free spellings but loses such conflations (`authenticité` →
//! `authenticit`). [`StemFilter`] therefore emits both forms at the same
//! position, and a query word matches either.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::fold::fold;

static FRENCH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::French));

/// Stems a lowercase French word. The one place that names the stemmer, so
/// that it can be swapped.
pub fn stem(word: &str) -> Cow<'_, str> {
    FRENCH.stem(word)
}

/// The forms of a word: stem-then-fold, and fold-then-stem when it differs.
type Forms = (String, Option<String>);

/// Words whose forms each indexing thread keeps: French text repeats its
/// words, and stemming them again was the largest part of analysis
/// (`docs/performance.md`).
const CACHED_WORDS: usize = 100_000;

thread_local! {
    static CACHE: RefCell<HashMap<String, Forms>> = RefCell::new(HashMap::new());
}

/// The forms under which a lowercase word is indexed: stem-then-fold first,
/// then fold-then-stem when it differs.
pub fn forms(word: &str) -> Forms {
    CACHE.with_borrow_mut(|cache| {
        if let Some(forms) = cache.get(word) {
            return forms.clone();
        }
        if cache.len() >= CACHED_WORDS {
            cache.clear();
        }
        let forms = stem_forms(word);
        cache.insert(word.to_string(), forms.clone());
        forms
    })
}

fn stem_forms(word: &str) -> Forms {
    let folded = fold(word);
    if matches!(folded, Cow::Borrowed(_)) {
        return (stem(word).into_owned(), None);
    }
    let stem_then_fold = fold(&stem(word)).into_owned();
    let fold_then_stem = stem(&folded).into_owned();
    if fold_then_stem == stem_then_fold {
        (stem_then_fold, None)
    } else {
        (stem_then_fold, Some(fold_then_stem))
    }
}

/// Token filter replacing each word by its stemmed forms (see module docs).
#[derive(Clone, Default)]
pub struct StemFilter;

impl TokenFilter for StemFilter {
    type Tokenizer<T: Tokenizer> = StemFilterWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StemFilterWrapper<T> {
        StemFilterWrapper { inner: tokenizer }
    }
}

/// [`StemFilter`] applied to an inner tokenizer.
#[derive(Clone)]
pub struct StemFilterWrapper<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for StemFilterWrapper<T> {
    type TokenStream<'a> = StemFilterStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StemFilterStream {
            tail: self.inner.token_stream(text),
            second_form: None,
        }
    }
}

/// Token stream of [`StemFilter`]: after a word's first form, yields its
/// second form (same position and offsets) before pulling the next word.
pub struct StemFilterStream<T> {
    tail: T,
    second_form: Option<String>,
}

impl<T: TokenStream> TokenStream for StemFilterStream<T> {
    fn advance(&mut self) -> bool {
        if let Some(second) = self.second_form.take() {
            self.tail.token_mut().text = second;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let (first, second) = forms(&token.text);
        token.text = first;
        self.second_form = second;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_of_accented_words() {
        assert_eq!(
            forms("authenticité"),
            ("authent".into(), Some("authenticit".into()))
        );
        assert_eq!(forms("créée"), ("cre".into(), Some("cree".into())));
        assert_eq!(forms("creee"), ("cree".into(), None));
        assert_eq!(forms("authentique"), ("authent".into(), None));
    }

    #[test]
    fn publier_family_is_conflated() {
        for word in ["publiée", "publié", "publier"] {
            assert_eq!(forms(word).0, "publi", "{word}");
        }
    }
}
