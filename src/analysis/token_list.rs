//! Tokens already analysed, written as text: `position form form…` per
//! line, a word's forms (one or two) after its position.
//!
//! recherche analyses each passage once, in its own indexing threads, with
//! [`super::Analyzer`] (stemmed forms and folded words in one pass, stems
//! cached). Tantivy 0.27's pre-tokenized values go through JSON inside the
//! indexer and cost more than the analysis they save, so the tokens are
//! handed over as this plain encoding instead, which [`TokenListTokenizer`]
//! reads back at almost no cost.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Appends a word's forms, separated by spaces, at a position to an encoded
/// list; nothing if it has none.
pub fn push_forms(list: &mut String, position: usize, forms: &str) {
    if forms.is_empty() {
        return;
    }
    let mut digits = [0u8; 20];
    let mut n = position;
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    list.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
    list.push(' ');
    list.push_str(forms);
    list.push('\n');
}

/// Reads token lists written with [`push_forms`].
#[derive(Clone, Default)]
pub struct TokenListTokenizer;

impl Tokenizer for TokenListTokenizer {
    type TokenStream<'a> = TokenListStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TokenListStream<'a> {
        TokenListStream {
            text,
            cursor: 0,
            line_end: 0,
            token: Token::default(),
        }
    }
}

/// Token stream of [`TokenListTokenizer`].
pub struct TokenListStream<'a> {
    text: &'a str,
    cursor: usize,
    /// The end of the line being read, while forms of it are left.
    line_end: usize,
    token: Token,
}

impl TokenStream for TokenListStream<'_> {
    /// Reads the next form of the line being read, or of the next
    /// well-formed line (digits, a space, forms separated by spaces); lines
    /// are short, so a byte loop beats the generic string searchers.
    fn advance(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        loop {
            if self.cursor < self.line_end {
                let start = self.cursor;
                let end = bytes[start..self.line_end]
                    .iter()
                    .position(|&b| b == b' ')
                    .map_or(self.line_end, |n| start + n);
                self.cursor = end + 1;
                if end > start {
                    self.token.text.clear();
                    self.token.text.push_str(&self.text[start..end]);
                    return true;
                }
                continue;
            }
            if self.cursor >= bytes.len() {
                return false;
            }
            let start = self.cursor;
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |n| start + n);
            self.cursor = end + 1;
            let mut position: usize = 0;
            let mut at = start;
            while at < end && bytes[at].is_ascii_digit() {
                position = position
                    .saturating_mul(10)
                    .saturating_add(usize::from(bytes[at] - b'0'));
                at += 1;
            }
            if at == start || at == end || bytes[at] != b' ' {
                continue;
            }
            self.token.position = position;
            self.cursor = at + 1;
            self.line_end = end;
        }
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

    #[test]
    fn round_trips_positions_and_forms() {
        let mut list = String::new();
        push_forms(&mut list, 0, "medi");
        push_forms(&mut list, 3, "aujourd'hui");
        push_forms(&mut list, 4, "cre creee");
        push_forms(&mut list, 5, "");
        list.push_str("damaged line\n\n12\n7 \n8  double  space \n");
        push_forms(&mut list, 12, "été");
        list.push_str("13 unterminated");
        let mut tokenizer = TokenListTokenizer;
        let mut stream = tokenizer.token_stream(&list);
        let mut got = Vec::new();
        while stream.advance() {
            got.push((stream.token().position, stream.token().text.clone()));
        }
        assert_eq!(
            got,
            [
                (0, "medi".to_string()),
                (3, "aujourd'hui".into()),
                (4, "cre".into()),
                (4, "creee".into()),
                (8, "double".into()),
                (8, "space".into()),
                (12, "été".into()),
                (13, "unterminated".into())
            ]
        );
    }
}
