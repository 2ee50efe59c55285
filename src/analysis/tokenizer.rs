//! Splits French text into words.
//!
//! A word is a run of letters and digits. An apostrophe (`'`, `’` or `ʼ`)
//! between two letters stays inside the word, so that the elision filter
//! can tell `l’information` (elided article) from `aujourd’hui` (one word).
//! Every other character separates words: spaces of all widths (U+00A0 and
//! U+202F before French punctuation), punctuation, hyphens, guillemets.
//!
//! Text that is not in NFC is normalised first, so a decomposed `é`
//! (`e` + U+0301) is one letter. Offsets then refer to the normalised text;
//! corpus text is normalised when it is read, so for passages the two agree.

use std::borrow::Cow;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Returns true for the apostrophes that may join the parts of a word.
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ')
}

/// Returns `text` in Unicode NFC, borrowing when it already is.
pub fn nfc(text: &str) -> Cow<'_, str> {
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfc().collect()),
    }
}

/// The word tokenizer of every recherche analyzer.
#[derive(Clone, Default)]
pub struct WordTokenizer;

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream<'a> {
        WordTokenStream {
            text: nfc(text),
            cursor: 0,
            next_position: 0,
            token: Token::default(),
        }
    }
}

/// Token stream of [`WordTokenizer`].
pub struct WordTokenStream<'a> {
    text: Cow<'a, str>,
    cursor: usize,
    next_position: usize,
    token: Token,
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let text: &str = &self.text;
        let rest = &text[self.cursor..];
        let Some(skip) = rest.find(char::is_alphanumeric) else {
            self.cursor = text.len();
            return false;
        };
        let start = self.cursor + skip;
        let mut end = start;
        let mut chars = text[start..].char_indices().peekable();
        while let Some((offset, c)) = chars.next() {
            if c.is_alphanumeric() {
                end = start + offset + c.len_utf8();
            } else if is_apostrophe(c)
                && chars
                    .peek()
                    .is_some_and(|&(_, next)| next.is_alphanumeric())
            {
                continue;
            } else {
                break;
            }
        }
        self.cursor = end;
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.position = self.next_position;
        self.token.position_length = 1;
        self.token.text.clear();
        self.token.text.push_str(&text[start..end]);
        self.next_position += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut tokenizer = WordTokenizer;
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    #[test]
    fn splits_on_narrow_spaces_and_guillemets() {
        let got: Vec<String> = words("«\u{a0}buzz\u{a0}» et\u{202f}? ok")
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(got, ["buzz", "et", "ok"]);
    }

    #[test]
    fn keeps_apostrophes_inside_words_only() {
        let got: Vec<String> = words("l’information aujourd'hui propos’ 'x")
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(got, ["l’information", "aujourd'hui", "propos", "x"]);
    }

    #[test]
    fn hyphens_separate_words() {
        let got: Vec<String> = words("détestent-ils multi-canal")
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(got, ["détestent", "ils", "multi", "canal"]);
    }

    #[test]
    fn decomposed_text_is_normalised() {
        let got = words("me\u{301}dias");
        assert_eq!(got[0].0, "médias");
    }

    #[test]
    fn offsets_and_positions() {
        assert_eq!(
            words("Les médias"),
            [("Les".into(), 0, 0, 3), ("médias".into(), 1, 4, 11)]
        );
    }
}
