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
    if surely_nfc(text) {
        return Cow::Borrowed(text);
    }
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfc().collect()),
    }
}

/// True when `text` is made only of characters below U+0300 and of general
/// punctuation from U+2002 to U+203F (typographic apostrophes, dashes,
/// narrow no-break space): none of them combines or is changed by NFC
/// (pinned by a test), so such text is in NFC. French text almost always
/// is, and a byte loop tells it faster than Unicode's quick check, which
/// looks every character up.
fn surely_nfc(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            // ASCII, a continuation byte, or the first byte of a character
            // below U+0300.
            ..0xCC => at += 1,
            0xE2 if bytes[at + 1] == 0x80 && (0x82..0xC0).contains(&bytes[at + 2]) => at += 3,
            _ => return false,
        }
    }
    true
}

/// `c.is_alphanumeric()`, without looking up Unicode's tables for the
/// letters of French and other Latin scripts.
fn is_word_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' => true,
        '\u{C0}'..='\u{24F}' => c != '×' && c != '÷',
        c if c.is_ascii() => false,
        c => c.is_alphanumeric(),
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
        if is_word_char(c) {
            break i;
        }
        i += len;
    };
    let mut end = start;
    while i < bytes.len() {
        let (c, len) = char_at(i);
        if is_word_char(c) {
            i += len;
            end = i;
        } else if is_apostrophe(c) && i + len < bytes.len() && is_word_char(char_at(i + len).0) {
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

    /// The characters `surely_nfc` lets through neither combine nor change
    /// under NFC; anything else goes to Unicode's quick check.
    #[test]
    fn text_surely_in_nfc_is_in_nfc() {
        use unicode_normalization::char::canonical_combining_class;
        let through: Vec<char> = ('\0'..'\u{300}').chain('\u{2002}'..'\u{2040}').collect();
        for &c in &through {
            let alone = c.to_string();
            assert!(surely_nfc(&alone), "{c:?}");
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
        }
        let all: String = through.iter().collect();
        assert!(surely_nfc(&all));
        assert_eq!(nfc(&all), all.nfc().collect::<String>());
        for text in [
            "e\u{301}", "\u{300}", "\u{2000}", "\u{2001}", "\u{2040}", "한", "\u{212B}",
        ] {
            assert!(!surely_nfc(text), "{text:?}");
        }
        assert_eq!(nfc("me\u{301}dias\u{2000}"), "médias\u{2002}");
    }

    #[test]
    fn word_characters_are_the_alphanumeric_ones() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_word_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }

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
