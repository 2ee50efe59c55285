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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Post {
    /// The post's slug (`cadres-dirigeants-medias-sociaux`): the one its
    /// format asks for until [`Post::rename`] gives it the one it gets.
    pub slug: String,
    /// The title, without the comment counter.
    pub title: String,
    /// The comment counter that followed the title on the page, if any.
    pub comment_count: Option<u32>,
    /// When it was published: ISO 8601, as [`crate::dates`] writes it.
    pub date: Option<String>,
    /// Its permalink.
    pub url: Option<String>,
    /// Its categories and tags.
    pub tags: Vec<String>,
    /// The passages, in reading order.
    pub passages: Vec<Passage>,
}

impl Post {
    /// Gives the post another slug: the ids of its passages follow.
    pub fn rename(&mut self, slug: &str) {
        if slug == self.slug {
            return;
        }
        for passage in &mut self.passages {
            let local = passage
                .id
                .strip_prefix(self.slug.as_str())
                .unwrap_or(&passage.id);
            passage.id = format!("{slug}{local}");
        }
        self.slug = slug.to_string();
    }
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
    /// The post's date, or the comment's.
    pub date: Option<String>,
    /// The post's permalink, or the comment's own anchor.
    pub url: Option<String>,
    /// For a reply, the id of the first passage of the comment it answers.
    pub answers: Option<String>,
}

/// Builds the passages of a post in reading order, with their ids
/// (`slug/title`, `slug/article/7`, `slug/comment/2/3`) and positions.
pub struct PassageBuilder<'s> {
    slug: &'s str,
    passages: Vec<Passage>,
    counts: [u32; 5],
    comments: u32,
    /// The date and link of the post, given to its article passages.
    pub date: Option<String>,
    /// See `date`.
    pub url: Option<String>,
    /// The post's author, when its format names one.
    pub author: Option<String>,
}

/// Who wrote a comment, when, where it is, and what it answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommentHead {
    /// The commenter's name.
    pub author: Option<String>,
    /// ISO 8601.
    pub date: Option<String>,
    /// The comment's own anchor.
    pub url: Option<String>,
    /// The id of the first passage of the comment it answers.
    pub answers: Option<String>,
}

impl<'s> PassageBuilder<'s> {
    /// A builder for the post `slug`.
    pub fn new(slug: &'s str) -> PassageBuilder<'s> {
        PassageBuilder {
            slug,
            passages: Vec::new(),
            counts: [0; 5],
            comments: 0,
            date: None,
            url: None,
            author: None,
        }
    }

    /// Adds a passage of the post itself (title, article, bio, pingback),
    /// numbered within its kind.
    pub fn push(&mut self, kind: Kind, text: String, line: u32, context: Option<&str>) {
        let n = &mut self.counts[kind as usize];
        *n += 1;
        let id = match kind {
            Kind::Title => format!("{}/title", self.slug),
            _ => format!("{}/{}/{}", self.slug, kind, n),
        };
        let head = CommentHead {
            author: self.author.clone(),
            date: self.date.clone(),
            url: self.url.clone(),
            answers: None,
        };
        self.push_with_id(id, kind, &head, text, line, context);
    }

    /// Adds a pingback, with the name, date and anchor of the linking post.
    pub fn push_pingback(&mut self, head: &CommentHead, text: String, line: u32) {
        let n = &mut self.counts[Kind::Pingback as usize];
        *n += 1;
        let id = format!("{}/pingback/{n}", self.slug);
        self.push_with_id(id, Kind::Pingback, head, text, line, None);
    }

    /// Starts the next comment; returns its number.
    pub fn next_comment(&mut self) -> u32 {
        self.comments += 1;
        self.comments
    }

    /// The id of the first statement of comment `number`.
    pub fn comment_id(&self, number: u32) -> String {
        format!("{}/comment/{number}/1", self.slug)
    }

    /// Adds statement `statement` of comment `number`.
    pub fn push_statement(
        &mut self,
        (number, statement): (u32, u32),
        head: &CommentHead,
        text: String,
        line: u32,
    ) {
        let id = format!("{}/comment/{number}/{statement}", self.slug);
        self.push_with_id(id, Kind::Comment, head, text, line, None);
    }

    fn push_with_id(
        &mut self,
        id: String,
        kind: Kind,
        head: &CommentHead,
        text: String,
        line: u32,
        context: Option<&str>,
    ) {
        let position = self.passages.len() as u32;
        self.passages.push(Passage {
            id,
            kind,
            author: head.author.clone(),
            context: context.map(str::to_string),
            text,
            position,
            line,
            date: head.date.clone(),
            url: head.url.clone(),
            answers: head.answers.clone(),
        });
    }

    /// The passages built.
    pub fn finish(self) -> Vec<Passage> {
        self.passages
    }
}

/// The slug of the post a passage id belongs to: the id without its
/// `/title`, `/article/7` or `/comment/2/3`.
pub fn post_of_id(id: &str) -> &str {
    if let Some(slug) = id.strip_suffix("/title") {
        return slug;
    }
    let mut rest = id;
    while let Some((head, last)) = rest.rsplit_once('/') {
        if last.is_empty() || !last.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        rest = head;
    }
    rest.rsplit_once('/').map_or(rest, |(slug, _kind)| slug)
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

    #[test]
    fn ids_name_their_post() {
        assert_eq!(post_of_id("notes/p-2/title"), "notes/p-2");
        assert_eq!(post_of_id("p/article/17"), "p");
        assert_eq!(post_of_id("a/comment/comment/2/3"), "a/comment");
        assert_eq!(post_of_id("p/pingback/1"), "p");
    }
}
