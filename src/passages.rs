//! What recherche searches: posts and their passages.
//!
//! A passage is a paragraph, a list item, a heading, a comment statement:
//! the unit of search. Ids are readable and stable (`post/article/7`,
//! `post/comment/2/3`): the same text at the same place keeps its id.

use serde::{Deserialize, Serialize};

/// What part of a post a passage belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The title of the post.
    Title,
    /// A paragraph, heading or list item of the article.
    Article,
    /// A paragraph of the author block.
    Bio,
    /// A statement of a reader's comment.
    Comment,
    /// A pingback left by another blog.
    Pingback,
}

impl Kind {
    /// Every kind, in the order of a post.
    pub const ALL: [Kind; 5] = [
        Kind::Title,
        Kind::Article,
        Kind::Bio,
        Kind::Comment,
        Kind::Pingback,
    ];

    /// The kind's name, as in ids, JSON and `kind:` filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Title => "title",
            Kind::Article => "article",
            Kind::Bio => "bio",
            Kind::Comment => "comment",
            Kind::Pingback => "pingback",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| name.to_string())
    }
}

/// A post: its title and its passages in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    /// The post's slug, from its file name (`cadres-dirigeants-medias-sociaux`).
    pub slug: String,
    /// The title, without the comment counter.
    pub title: String,
    /// The comment counter that followed the title on the page, if any.
    pub comment_count: Option<u32>,
    /// The passages, in reading order.
    pub passages: Vec<Passage>,
}

/// The unit of search: a paragraph, list item or comment statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Stable, readable id: `slug/kind/n` or `slug/comment/c/n`.
    pub id: String,
    /// What part of the post it comes from.
    pub kind: Kind,
    /// The comment's author; none for the article.
    pub author: Option<String>,
    /// The line introducing its list, or its section heading.
    pub context: Option<String>,
    /// The text, NFC, lines joined by `\n`.
    pub text: String,
    /// Rank in the post, 0 for the title.
    pub position: u32,
    /// 1-based line of the file where the passage starts.
    pub line: u32,
}

/// Orders ids naturally, numbers as numbers: `post/article/7` comes before
/// `post/article/10`, and passages of a post keep their reading order
/// within each kind.
pub fn compare_ids(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let digits = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (digits(a), digits(b));
                let trim = |s: &[u8]| {
                    let zeros = s.iter().take_while(|&&c| c == b'0').count();
                    s[zeros..].to_vec()
                };
                let (da, db) = (trim(&a[..na]), trim(&b[..nb]));
                let order = da.len().cmp(&db.len()).then_with(|| da.cmp(&db));
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
                a = &a[na..];
                b = &b[nb..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_naturally() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_ids("p/article/7", "p/article/10"), Less);
        assert_eq!(compare_ids("p/comment/2/3", "p/comment/2/3"), Equal);
        assert_eq!(compare_ids("p/comment/10/1", "p/comment/9/9"), Greater);
        assert_eq!(compare_ids("p/article/1", "p/bio/1"), Less);
    }
}
