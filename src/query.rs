//! The query language, read leniently: whatever the user types parses.
//!
//! ```text
//! médias sociaux           words: any may match; passages with all of them first
//! "sourde oreille"         a phrase (stemmed and folded like words)
//! "médias sociaux"~2       a phrase whose words may be up to 2 positions apart
//! +narcissiques            required word (or +"phrase")
//! -linkedin                excluded word (or -"phrase", -kind:…, -author:…)
//! homogén*                 words beginning with homogén (accents optional)
//! author:milouse           passages by that comment author (case and accents ignored)
//! author:"pierre enderlin" a name of several words
//! kind:comment             title, article, bio, comment or pingback
//! ```
//!
//! Unbalanced quotes run to the end of the query, parentheses are ignored,
//! a lone `+` or `-` is ignored, an unknown `field:` is read as words. The
//! only errors are a query that is too long and an unknown kind.

use crate::analysis::nfc;
use crate::error::{Error, Result};
use crate::passages::Kind;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 2000;

/// Whether a clause must, may or must not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    /// Any of these may match; more matches rank higher.
    Should,
    /// Must match (`+`).
    Must,
    /// Must not match (`-`).
    MustNot,
}

/// One searchable unit of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A word, as typed; `prefix` when it ended with `*`.
    Word {
        /// The word.
        text: String,
        /// True for `word*`.
        prefix: bool,
    },
    /// A quoted phrase, as typed, with its slop (`"…"~N`).
    Phrase {
        /// The words of the phrase.
        text: String,
        /// How many positions the words may be apart.
        slop: u32,
    },
}

/// A term with its occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// Must, should or must not.
    pub occur: Occur,
    /// What to match.
    pub term: Term,
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// The searchable clauses, in order.
    pub clauses: Vec<Clause>,
    /// `kind:` filters (any of them).
    pub kinds: Vec<Kind>,
    /// `-kind:` exclusions.
    pub excluded_kinds: Vec<Kind>,
    /// `author:` filters (any of them).
    pub authors: Vec<String>,
    /// `-author:` exclusions.
    pub excluded_authors: Vec<String>,
    /// `--since` and `--until`: the first and last date keys kept
    /// ([`crate::dates::key`]), both included.
    pub dates: Option<(u64, u64)>,
}

/// Parses a query. Only over-long queries and unknown kinds fail; an empty
/// query parses to an empty [`Query`].
pub fn parse(raw: &str) -> Result<Query> {
    let chars = raw.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(Error::QueryTooLong {
            chars,
            max: MAX_QUERY_CHARS,
        });
    }
    let text = nfc(raw);
    let mut query = Query::default();
    let mut rest: &str = &text;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '(' || c == ')');
        if rest.is_empty() {
            break;
        }
        let (occur, after) = match rest.as_bytes()[0] {
            b'+' => (Occur::Must, &rest[1..]),
            b'-' => (Occur::MustNot, &rest[1..]),
            _ => (Occur::Should, rest),
        };
        if occur != Occur::Should
            && after.starts_with(|c: char| c.is_whitespace() || c == '+' || c == '-')
            || after.is_empty()
        {
            // A lone `+` or `-`.
            rest = after;
            continue;
        }
        rest = after;
        if let Some((field, value, after)) = field_value(rest) {
            rest = after;
            apply_field(&mut query, occur, field, &value)?;
            continue;
        }
        let (term, after) = next_term(rest);
        rest = after;
        if let Some(term) = term {
            query.clauses.push(Clause { occur, term });
        }
    }
    Ok(query)
}

impl Query {
    /// True if there is nothing to search for and nothing to filter on.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
            && self.kinds.is_empty()
            && self.authors.is_empty()
            && self.excluded_kinds.is_empty()
            && self.excluded_authors.is_empty()
            && self.dates.is_none()
    }
}

/// Reads `author:value` or `kind:value` at the start of `rest`.
fn field_value(rest: &str) -> Option<(&'static str, String, &str)> {
    let (name, after) = rest.split_once(':')?;
    let field = ["author", "kind"]
        .into_iter()
        .find(|f| f.eq_ignore_ascii_case(name))?;
    if let Some(quoted) = after.strip_prefix('"') {
        let (value, after) = quoted.split_once('"').unwrap_or((quoted, ""));
        return Some((field, value.trim().to_string(), after));
    }
    let end = after
        .find(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .unwrap_or(after.len());
    let value = &after[..end];
    if value.is_empty() {
        return None;
    }
    Some((field, value.to_string(), &after[end..]))
}

fn apply_field(query: &mut Query, occur: Occur, field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Ok(());
    }
    match field {
        "kind" => {
            let kind: Kind = value.parse().map_err(Error::UnknownKind)?;
            match occur {
                Occur::MustNot => query.excluded_kinds.push(kind),
                _ => query.kinds.push(kind),
            }
        }
        _ => match occur {
            Occur::MustNot => query.excluded_authors.push(value.to_string()),
            _ => query.authors.push(value.to_string()),
        },
    }
    Ok(())
}

/// Reads a phrase or a word at the start of `rest`.
fn next_term(rest: &str) -> (Option<Term>, &str) {
    if let Some(quoted) = rest.strip_prefix('"') {
        let (phrase, mut after) = quoted.split_once('"').unwrap_or((quoted, ""));
        let mut slop = 0;
        if let Some(tilde) = after.strip_prefix('~') {
            let digits = tilde.bytes().take_while(u8::is_ascii_digit).count();
            slop = tilde[..digits].parse().unwrap_or(0).min(100);
            after = &tilde[digits..];
        }
        let term = (!phrase.trim().is_empty()).then(|| Term::Phrase {
            text: phrase.trim().to_string(),
            slop,
        });
        return (term, after);
    }
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '"' || c == '(' || c == ')')
        .unwrap_or(rest.len());
    let (word, after) = rest.split_at(end);
    let word = strip_fuzzy_suffix(word);
    let (word, prefix) = match word.strip_suffix('*') {
        Some(stem) => (stem.trim_end_matches('*'), true),
        None => (word, false),
    };
    let term = (word.chars().any(char::is_alphanumeric)).then(|| Term::Word {
        text: word.to_string(),
        prefix,
    });
    (term, after)
}

/// `word~2` asks for typo tolerance, which is on anyway: the suffix goes.
fn strip_fuzzy_suffix(word: &str) -> &str {
    match word.rsplit_once('~') {
        Some((head, digits)) if digits.bytes().all(|b| b.is_ascii_digit()) && !head.is_empty() => {
            head
        }
        _ => word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(occur: Occur, text: &str) -> Clause {
        Clause {
            occur,
            term: Term::Word {
                text: text.into(),
                prefix: false,
            },
        }
    }

    #[test]
    fn words_phrases_and_operators() {
        let query = parse(r#"médias +sociaux -linkedin "sourde oreille"~2"#).unwrap();
        assert_eq!(
            query.clauses,
            [
                word(Occur::Should, "médias"),
                word(Occur::Must, "sociaux"),
                word(Occur::MustNot, "linkedin"),
                Clause {
                    occur: Occur::Should,
                    term: Term::Phrase {
                        text: "sourde oreille".into(),
                        slop: 2
                    }
                },
            ]
        );
    }

    #[test]
    fn fields_become_filters() {
        let query = parse(r#"author:Milouse kind:comment -kind:pingback author:"Pierre Enderlin""#)
            .unwrap();
        assert!(query.clauses.is_empty());
        assert_eq!(query.kinds, [Kind::Comment]);
        assert_eq!(query.excluded_kinds, [Kind::Pingback]);
        assert_eq!(query.authors, ["Milouse", "Pierre Enderlin"]);
    }

    #[test]
    fn malformed_syntax_is_read_leniently() {
        let query = parse(r#"(médias "sourde oreille + ) -"#).unwrap();
        assert_eq!(
            query.clauses,
            [
                word(Occur::Should, "médias"),
                Clause {
                    occur: Occur::Should,
                    term: Term::Phrase {
                        text: "sourde oreille + ) -".into(),
                        slop: 0
                    }
                }
            ]
        );
        assert_eq!(
            parse("+ médias").unwrap().clauses,
            [word(Occur::Should, "médias")]
        );
        assert_eq!(parse("note: x").unwrap().clauses.len(), 2);
    }

    #[test]
    fn prefixes() {
        assert_eq!(
            parse("homogén*").unwrap().clauses[0].term,
            Term::Word {
                text: "homogén".into(),
                prefix: true
            }
        );
    }

    #[test]
    fn errors() {
        assert!(parse("  ").unwrap().is_empty());
        assert!(parse("\"\" ( ) + -").unwrap().is_empty());
        assert!(matches!(
            parse(&"a".repeat(10_000)),
            Err(Error::QueryTooLong { chars: 10_000, .. })
        ));
        assert!(matches!(parse("kind:poème"), Err(Error::UnknownKind(_))));
    }
}
