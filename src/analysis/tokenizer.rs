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

/// The next word of `text` at or after byte `*cursor`, as a byte range;
/// moves the cursor past it. The one definition of a word, shared by the
/// tokenizer and the one-pass [`super::Analyzer`].
pub fn next_word(text: &str, cursor: &mut usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let char_at = |i: usize| -> (char, usize) {
        match bytes[i] {
            b if b < 0x80 => (b as char, 1),
            _ => {
                let c = text[i..].chars().next().expect("a char boundary");
                (c, c.len_utf8())
            }
        }
    };
    let mut i = *cursor;
    let start = loop {
        if i >= bytes.len() {
            *cursor = bytes.len();
            return None;
        }
        let (c, len) = char_at(i);
        if c.is_alphanumeric() {
            break i;
        }
        i += len;
    };
    let mut end = start;
    while i < bytes.len() {
        let (c, len) = char_at(i);
        if c.is_alphanumeric() {
            i += len;
            end = i;
        } else if is_apostrophe(c) && i + len < bytes.len() && char_at(i + len).0.is_alphanumeric()
        {
            i += len;
        } else {
            break;
        }
    }
    *cursor = end;
    Some((start, end))
}

impl TokenStream for WordTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let text: &str = &self.text;
        let Some((start, end)) = next_word(text, &mut self.cursor) else {
            return false;
        };
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
