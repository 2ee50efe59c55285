//! Turning results into output: text for people, JSON for scripts. Both
//! write to any `Write` and never print directly, so that a closed pipe is
//! an ordinary error the caller can treat as the end of output.

pub mod json;
pub mod text;

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
