//! Accent folding: `é` → `e`, `ç` → `c`, `œ` → `oe`, so that a query typed
//! without accents meets accented text.
//!
//! Folding is canonical decomposition with the combining marks dropped, plus
//! the ligatures and letters that do not decompose (`œ`, `æ`, `ß`, `ø`).

use std::borrow::Cow;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Returns `word` without diacritics; borrows when there is nothing to fold.
pub fn fold(word: &str) -> Cow<'_, str> {
    if word.is_ascii() {
        return Cow::Borrowed(word);
    }
    let mut folded = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'œ' => folded.push_str("oe"),
            'Œ' => folded.push_str("OE"),
            'æ' => folded.push_str("ae"),
            'Æ' => folded.push_str("AE"),
            'ß' => folded.push_str("ss"),
            'ø' => folded.push('o'),
            'Ø' => folded.push('O'),
            c if c.is_ascii() => folded.push(c),
            c => decompose_canonical(c, |part| {
                if !is_combining_mark(part) {
                    folded.push(part);
                }
            }),
        }
    }
    Cow::Owned(folded)
}

/// Token filter that folds each token with [`fold`]; offsets stay untouched.
#[derive(Clone, Default)]
pub struct FoldFilter;

impl TokenFilter for FoldFilter {
    type Tokenizer<T: Tokenizer> = FoldFilterWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FoldFilterWrapper<T> {
        FoldFilterWrapper { inner: tokenizer }
    }
}

/// [`FoldFilter`] applied to an inner tokenizer.
#[derive(Clone)]
pub struct FoldFilterWrapper<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for FoldFilterWrapper<T> {
    type TokenStream<'a> = FoldFilterStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldFilterStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// Token stream of [`FoldFilter`].
pub struct FoldFilterStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for FoldFilterStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Cow::Owned(folded) = fold(&token.text) {
            token.text = folded;
        }
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
    use super::fold;

    #[test]
    fn folds_french_diacritics_and_ligatures() {
        assert_eq!(fold("médias"), "medias");
        assert_eq!(fold("façon"), "facon");
        assert_eq!(fold("entraîne"), "entraine");
        assert_eq!(fold("cœur"), "coeur");
        assert_eq!(fold("archaïque"), "archaique");
        assert_eq!(fold("Élysée"), "Elysee");
    }

    #[test]
    fn ascii_is_borrowed() {
        assert!(matches!(fold("sociaux"), std::borrow::Cow::Borrowed(_)));
    }
}
