//! Drops words longer than [`MAX_WORD_CHARS`] characters: links and noise,
//! not French. Characters, not bytes: an accented word takes two bytes a
//! letter, and `anticonstitutionnellement` stays a word however written.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The longest word indexed, in characters.
pub const MAX_WORD_CHARS: usize = 100;

/// True for a word too long to be indexed.
pub fn is_too_long(word: &str) -> bool {
    // A char takes at least a byte: most words are told by their length.
    word.len() > MAX_WORD_CHARS && word.chars().nth(MAX_WORD_CHARS).is_some()
}

/// Token filter removing the words longer than [`MAX_WORD_CHARS`].
#[derive(Clone, Default)]
pub struct LongWordFilter;

impl TokenFilter for LongWordFilter {
    type Tokenizer<T: Tokenizer> = LongWordFilterWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> LongWordFilterWrapper<T> {
        LongWordFilterWrapper { inner: tokenizer }
    }
}

/// [`LongWordFilter`] applied to an inner tokenizer.
#[derive(Clone)]
pub struct LongWordFilterWrapper<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for LongWordFilterWrapper<T> {
    type TokenStream<'a> = LongWordFilterStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        LongWordFilterStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// Token stream of [`LongWordFilter`].
pub struct LongWordFilterStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for LongWordFilterStream<T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if !is_too_long(&self.tail.token().text) {
                return true;
            }
        }
        false
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
    fn counts_characters_not_bytes() {
        let accented = "é".repeat(MAX_WORD_CHARS);
        assert_eq!(accented.len(), 2 * MAX_WORD_CHARS);
        assert!(!is_too_long(&accented));
        assert!(is_too_long(&format!("{accented}e")));
        assert!(!is_too_long(&"a".repeat(MAX_WORD_CHARS)));
        assert!(is_too_long(&"a".repeat(MAX_WORD_CHARS + 1)));
    }
}
