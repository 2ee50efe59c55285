//! Removes French elisions: `l’information` → `information`,
//! `jusqu’à` → `à`, `qu'il` → `il`.
//!
//! Expects lowercase tokens from [`super::tokenizer::WordTokenizer`], which
//! keeps the apostrophe inside the word. Unlike most filters this one moves
//! `offset_from` past the elided article, so that highlighting marks the word
//! (`information`), not the article glued to it. Apostrophes left inside a
//! word (`aujourd’hui`) are written as `'`, so both spellings meet.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::tokenizer::is_apostrophe;

/// The elided forms, as in Lucene's French analyzer.
pub const ELIDED: &[&str] = &[
    "l", "d", "qu", "n", "s", "j", "m", "t", "c", "jusqu", "lorsqu", "puisqu", "quoiqu",
];

/// Strips an elided article from `word` (lowercase), returning the byte
/// length removed.
pub fn strip_elision(word: &str) -> usize {
    let Some((apostrophe_at, apostrophe)) = word.char_indices().find(|&(_, c)| is_apostrophe(c))
    else {
        return 0;
    };
    let rest = apostrophe_at + apostrophe.len_utf8();
    if rest < word.len() && ELIDED.contains(&&word[..apostrophe_at]) {
        rest
    } else {
        0
    }
}

/// Token filter removing elided articles (see the module docs).
#[derive(Clone, Default)]
pub struct ElisionFilter;

impl TokenFilter for ElisionFilter {
    type Tokenizer<T: Tokenizer> = ElisionFilterWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ElisionFilterWrapper<T> {
        ElisionFilterWrapper { inner: tokenizer }
    }
}

/// [`ElisionFilter`] applied to an inner tokenizer.
#[derive(Clone)]
pub struct ElisionFilterWrapper<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for ElisionFilterWrapper<T> {
    type TokenStream<'a> = ElisionFilterStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ElisionFilterStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// Token stream of [`ElisionFilter`].
pub struct ElisionFilterStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for ElisionFilterStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let elided = strip_elision(&token.text);
        if elided > 0 {
            token.text.drain(..elided);
            token.offset_from += elided;
        }
        if token.text.contains(['’', 'ʼ']) {
            token.text = token.text.replace(['’', 'ʼ'], "'");
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
    use super::strip_elision;

    #[test]
    fn strips_articles_with_either_apostrophe() {
        assert_eq!(strip_elision("l’information"), "l’".len());
        assert_eq!(strip_elision("l'information"), 2);
        assert_eq!(strip_elision("jusqu’à"), "jusqu’".len());
        assert_eq!(strip_elision("qu'il"), 3);
    }

    #[test]
    fn keeps_words_with_inner_apostrophes() {
        assert_eq!(strip_elision("aujourd’hui"), 0);
        assert_eq!(strip_elision("presqu’île"), 0);
        assert_eq!(strip_elision("médias"), 0);
    }
}
