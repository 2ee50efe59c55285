//! Turning results into output: text for people, JSON for scripts. Both
//! write to any `Write` and never print directly, so that a closed pipe is
//! an ordinary error the caller can treat as the end of output.

pub mod json;
pub mod text;

use std::io::{self, Write};

use crate::index::StoredPassage;
use crate::passages::Kind;

/// Where a passage comes from, in the reader's language: `Article`,
/// `Commentaire de Milouse`, `Auteur du billet` …
pub fn location(passage: &StoredPassage) -> String {
    match (passage.kind, &passage.author) {
        (Kind::Title, _) => "Titre".to_string(),
        (Kind::Article, _) => "Article".to_string(),
        (Kind::Bio, _) => "Auteur du billet".to_string(),
        (Kind::Comment, Some(author)) => format!("Commentaire de {author}"),
        (Kind::Comment, None) => "Commentaire".to_string(),
        (Kind::Pingback, _) => "Pingback".to_string(),
    }
}

/// The location followed by the passage's context, unless the context only
/// repeats it (`Auteur du billet`): `Article › 7 grands arguments pour …`.
pub fn place(passage: &StoredPassage, shorten_context: impl Fn(&str) -> String) -> String {
    let mut place = location(passage);
    if let Some(context) = passage.context.as_deref().filter(|c| *c != place) {
        place.push_str(" › ");
        place.push_str(&shorten_context(context));
    }
    place
}

/// A date in French, as a reader writes it: `3 août 2010`, `1er mai 2011`
/// (the time left out); the text as it is when it is no date.
pub fn french_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let number = |range: std::ops::Range<usize>| iso.get(range)?.parse::<usize>().ok();
    match (number(0..4), number(5..7), number(8..10)) {
        (Some(year), Some(month @ 1..=12), Some(day)) => {
            let day = if day == 1 {
                "1er".to_string()
            } else {
                day.to_string()
            };
            format!("{day} {} {year}", MONTHS[month - 1])
        }
        _ => iso.to_string(),
    }
}

/// Writes a note on stderr, `recherche: ` and `message`, its control and
/// bidirectional-override characters escaped: paths and queries come from
/// users, post names and texts from strangers.
pub fn note(err: &mut impl Write, message: impl std::fmt::Display) -> io::Result<()> {
    writeln!(err, "recherche: {}", text::sanitize(&message.to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_read_as_in_french() {
        assert_eq!(super::french_date("2010-08-03T09:15:00"), "3 août 2010");
        assert_eq!(super::french_date("2011-05-01"), "1er mai 2011");
        assert_eq!(super::french_date("hier"), "hier");
    }
}
