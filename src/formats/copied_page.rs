//! The copied page: a post copied as plain text from its web page, split
//! into passages.
//!
//! The shape, learned from the blog's pages:
//!
//! ```text
//! Title of the post? 4                     ← title, then a comment counter
//!
//! An article paragraph.
//!
//! A list is introduced by a line ending in a colon :
//!
//!   • a bullet item, one per line
//!   1. or a numbered item
//!
//! Auteur du billet :                       ← author block: bio paragraphs
//!
//! I write about …
//!
//!   • Milouse                              ← a comment: its author …
//!
//!     Each line of a comment is one statement.
//!     A line ending in a colon keeps its dash items :
//!     – like this one
//!
//!   • Pingback: Some blog – some post      ← a pingback
//! ```
//!
//! Whatever does not fit falls back to article paragraphs: parsing never
//! fails. Ids are readable and stable (`post/article/7`,
//! `post/comment/2/3`): the same text at the same place keeps its id.

use crate::passages::{CommentHead, Kind, PassageBuilder as Builder, Post};

/// Headings that open the author block (compared lowercase, colon removed).
const AUTHOR_HEADINGS: &[&str] = &[
    "auteur du billet",
    "auteur de l’article",
    "auteur de l'article",
    "à propos de l’auteur",
    "à propos de l'auteur",
];

/// Characters of the longest author heading.
const AUTHOR_HEADING_CHARS: usize = 20;

/// Prefixes of pingback and trackback lines.
const PINGBACK_PREFIXES: &[&str] = &["Pingback:", "Trackback:"];

/// A non-blank line of the post.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    /// 1-based line number.
    number: u32,
    /// Leading spaces (a tab counts as four).
    indent: usize,
    /// The line without its indentation and trailing spaces.
    text: &'a str,
    /// True if a blank line precedes it.
    after_blank: bool,
}

/// What a line starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// `•`, `◦`, `▪`, `*`: the marker is dropped from the item text.
    Bullet,
    /// `1.` or `1)`: the number stays in the item text.
    Number,
    /// `–`, `—`, `-`: the marker stays (dash items of comments).
    Dash,
}

fn marker(text: &str) -> Option<(Marker, &str)> {
    let first = text.chars().next()?;
    let rest = &text[first.len_utf8()..];
    match first {
        '•' | '◦' | '▪' | '*' if rest.starts_with(char::is_whitespace) => {
            Some((Marker::Bullet, rest.trim_start()))
        }
        '–' | '—' | '-' if rest.starts_with(char::is_whitespace) => Some((Marker::Dash, text)),
        '0'..='9' => {
            let digits = text.bytes().take_while(u8::is_ascii_digit).count();
            let rest = &text[digits..];
            ((1..=3).contains(&digits)
                && (rest.starts_with(". ") || rest.starts_with(") "))
                && rest.len() > 2)
                .then_some((Marker::Number, text))
        }
        _ => None,
    }
}

fn is_list_line(line: &Line) -> bool {
    marker(line.text).is_some()
}

/// Drops a final colon and the spaces before it: `… sociaux :` → `… sociaux`.
fn strip_colon(text: &str) -> &str {
    text.trim_end()
        .strip_suffix(':')
        .map_or(text, |t| t.trim_end())
}

fn ends_with_colon(text: &str) -> bool {
    text.trim_end().ends_with(':')
}

/// Splits a trailing comment counter off the title: `… sociaux? 4`.
fn split_title(line: &str, has_comments: bool) -> (String, Option<u32>) {
    if let Some((head, tail)) = line.rsplit_once(char::is_whitespace)
        && let Ok(count) = tail.parse::<u32>()
        && !head.trim().is_empty()
        && (has_comments || count == 0)
    {
        return (head.trim_end().to_string(), Some(count));
    }
    (line.to_string(), None)
}

/// A short line without final punctuation, followed by a paragraph.
fn looks_like_heading(line: &Line, next: Option<&Line>) -> bool {
    let text = line.text;
    let Some(next) = next else { return false };
    line.indent == 0
        && next.indent == 0
        && next.after_blank
        && !is_list_line(next)
        && text.chars().count() <= 80
        && text.split_whitespace().count() <= 12
        && !text.ends_with(|c: char| ".!?…:;,»\"”)".contains(c))
        && text.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
}

fn is_author_heading(text: &str) -> bool {
    // Lowercasing never makes fewer characters: a longer line is no
    // heading, and most lines are spared an allocation.
    let heading = strip_colon(text);
    if heading.chars().nth(AUTHOR_HEADING_CHARS).is_some() {
        return false;
    }
    AUTHOR_HEADINGS.contains(&heading.to_lowercase().as_str())
}

/// The non-blank lines of `text`, with their indentation.
fn non_blank_lines(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut after_blank = false;
    for (i, raw) in text.lines().enumerate() {
        let text = raw.trim_end();
        let trimmed = text.trim_start();
        if trimmed.is_empty() {
            after_blank = true;
            continue;
        }
        let indent = text[..text.len() - trimmed.len()]
            .chars()
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum();
        lines.push(Line {
            number: i as u32 + 1,
            indent,
            text: trimmed,
            after_blank,
        });
        after_blank = false;
    }
    lines
}

/// Parses a post (NFC text) into its title and passages.
pub fn parse(slug: &str, text: &str) -> Post {
    let lines = non_blank_lines(text);
    let Some((first, body)) = lines.split_first() else {
        return Post {
            slug: slug.to_string(),
            ..Post::default()
        };
    };
    let has_comments = (0..body.len()).any(|i| comment_header(body, i).is_some());
    let (title, comment_count) = split_title(first.text, has_comments);
    let mut reader = Reader {
        builder: Builder::new(slug),
        body,
        heading: None,
        in_bio: false,
    };
    reader
        .builder
        .push(Kind::Title, title.clone(), first.number, None);
    let mut i = 0;
    while i < body.len() {
        i = reader.block(i);
    }
    Post {
        slug: slug.to_string(),
        title,
        comment_count,
        passages: reader.builder.finish(),
        ..Post::default()
    }
}

/// Reads the body of a post, block by block.
struct Reader<'a, 's> {
    builder: Builder<'s>,
    body: &'a [Line<'a>],
    /// The section heading or author heading the lines are under.
    heading: Option<String>,
    /// True in the author block.
    in_bio: bool,
}

impl Reader<'_, '_> {
    /// Reads the block that starts at line `i`; returns the line after it.
    fn block(&mut self, i: usize) -> usize {
        let (body, line) = (self.body, self.body[i]);
        if let Some(author) = comment_header(body, i) {
            self.in_bio = false;
            return parse_comment(&mut self.builder, body, i, author);
        }
        if let Some(pingback) = pingback(line.text) {
            let text = pingback.to_string();
            self.builder.push(Kind::Pingback, text, line.number, None);
            return i + 1;
        }
        if line.indent == 0 && is_author_heading(line.text) {
            let bio_follows = body
                .get(i + 1)
                .is_some_and(|next| !is_list_line(next) && comment_header(body, i + 1).is_none());
            if bio_follows {
                self.heading = Some(strip_colon(line.text).to_string());
                self.in_bio = true;
            } else {
                let text = line.text.to_string();
                self.builder.push(Kind::Article, text, line.number, None);
            }
            return i + 1;
        }
        if is_list_line(&line) {
            // A list without an introducing line: items take the heading.
            return parse_list(&mut self.builder, body, i, self.heading.as_deref());
        }
        self.paragraph(i)
    }

    /// A paragraph: line `i` and the following ones up to a blank line,
    /// and the list it introduces, if any.
    fn paragraph(&mut self, i: usize) -> usize {
        let (body, line) = (self.body, self.body[i]);
        let end = paragraph_end(body, i);
        let kind = if self.in_bio {
            Kind::Bio
        } else {
            Kind::Article
        };
        let next = body.get(end);
        let introduces_list = next.is_some_and(is_list_line)
            && ends_with_colon(body[end - 1].text)
            && comment_header(body, end).is_none();
        let heading = self.heading.as_deref();
        self.builder
            .push(kind, join(&body[i..end]), line.number, heading);
        if kind == Kind::Article && end == i + 1 && looks_like_heading(&line, next) {
            self.heading = Some(line.text.to_string());
        }
        if introduces_list {
            let intro = strip_colon(body[end - 1].text).to_string();
            return parse_list(&mut self.builder, body, end, Some(&intro));
        }
        end
    }
}

/// The lines `body[start..end]` of one paragraph: up to a blank line or a
/// list line.
fn paragraph_end(body: &[Line], start: usize) -> usize {
    let mut end = start + 1;
    while end < body.len()
        && !body[end].after_blank
        && !is_list_line(&body[end])
        && pingback(body[end].text).is_none()
    {
        end += 1;
    }
    end
}

fn join(lines: &[Line]) -> String {
    lines.iter().map(|l| l.text).collect::<Vec<_>>().join("\n")
}

fn pingback(text: &str) -> Option<&str> {
    let (_, rest) = marker(text).filter(|(m, _)| *m == Marker::Bullet)?;
    PINGBACK_PREFIXES
        .iter()
        .find_map(|prefix| rest.strip_prefix(prefix))
        .map(str::trim)
}

/// If `body[i]` is a bullet naming a comment's author — the next line, after
/// a blank, is indented deeper — returns the author.
fn comment_header<'a>(body: &[Line<'a>], i: usize) -> Option<&'a str> {
    let line = body[i];
    let (Marker::Bullet, author) = marker(line.text)? else {
        return None;
    };
    let next = body.get(i + 1)?;
    (next.after_blank && next.indent > line.indent && pingback(line.text).is_none())
        .then_some(author)
}

/// Parses a comment from its header line; returns the index after it.
fn parse_comment(builder: &mut Builder, body: &[Line], header: usize, author: &str) -> usize {
    let number = builder.next_comment();
    let head = CommentHead {
        author: Some(author.to_string()),
        ..CommentHead::default()
    };
    let indent = body[header].indent;
    let mut end = header + 1;
    while end < body.len() && body[end].indent > indent {
        end += 1;
    }
    let mut statement = 0;
    let mut i = header + 1;
    while i < end {
        // A line ending in a colon keeps the dash items that follow it.
        let mut last = i + 1;
        if ends_with_colon(body[i].text) {
            while last < end
                && !body[last].after_blank
                && matches!(marker(body[last].text), Some((Marker::Dash, _)))
            {
                last += 1;
            }
        }
        statement += 1;
        builder.push_statement(
            (number, statement),
            &head,
            join(&body[i..last]),
            body[i].number,
        );
        i = last;
    }
    end
}

/// Parses consecutive list items from `body[start]`; returns the index after
/// them. Deeper-indented lines without a marker continue the item above.
fn parse_list(builder: &mut Builder, body: &[Line], start: usize, context: Option<&str>) -> usize {
    let mut i = start;
    while i < body.len() && comment_header(body, i).is_none() && pingback(body[i].text).is_none() {
        let Some((_, item)) = marker(body[i].text) else {
            break;
        };
        if i > start && body[i].after_blank && body[i].indent < body[start].indent {
            break;
        }
        let mut text = item.to_string();
        let mut next = i + 1;
        while next < body.len()
            && !body[next].after_blank
            && body[next].indent > body[i].indent
            && marker(body[next].text).is_none()
        {
            text.push('\n');
            text.push_str(body[next].text);
            next += 1;
        }
        builder.push(Kind::Article, text, body[i].number, context);
        i = next;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passages::Passage;

    const SEED: &str =
        include_str!("../../tests/fixtures/seed/cadres-dirigeants-medias-sociaux.txt");

    fn seed() -> Post {
        parse("cadres-dirigeants-medias-sociaux", SEED)
    }

    fn ids_of(post: &Post, kind: Kind) -> Vec<String> {
        post.passages
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.id.rsplit_once("sociaux/").unwrap().1.to_string())
            .collect()
    }

    #[test]
    fn list_markers_are_bullets_dashes_and_numbers() {
        assert!(matches!(marker("• un"), Some((Marker::Bullet, "un"))));
        assert!(matches!(marker("▪\u{a0}un"), Some((Marker::Bullet, "un"))));
        assert!(matches!(marker("* un"), Some((Marker::Bullet, "un"))));
        assert!(matches!(marker("– un"), Some((Marker::Dash, "– un"))));
        assert!(matches!(marker("- un"), Some((Marker::Dash, "- un"))));
        assert!(matches!(marker("12. un"), Some((Marker::Number, "12. un"))));
        assert!(matches!(marker("3) un"), Some((Marker::Number, "3) un"))));
        for not_a_list in [
            "•un", "-un", "—", "1234. un", "2026 fut", "1. ", "€ un", "", "un",
        ] {
            assert!(marker(not_a_list).is_none(), "{not_a_list:?}");
        }
    }

    #[test]
    fn author_headings_are_known_whatever_their_case() {
        for heading in AUTHOR_HEADINGS {
            assert!(is_author_heading(heading));
            assert!(is_author_heading(&format!("{} :", heading.to_uppercase())));
        }
        assert_eq!(
            AUTHOR_HEADINGS.iter().map(|h| h.chars().count()).max(),
            Some(AUTHOR_HEADING_CHARS)
        );
        assert!(!is_author_heading("Auteur du billet, et de bien d'autres"));
        assert!(!is_author_heading("Auteur"));
    }

    #[test]
    fn title_loses_its_comment_counter() {
        let post = seed();
        assert_eq!(
            post.title,
            "Pourquoi les cadres dirigeants détestent-ils les médias sociaux?"
        );
        assert_eq!(post.comment_count, Some(4));
        assert_eq!(post.passages[0].kind, Kind::Title);
        assert_eq!(
            post.passages[0].id,
            "cadres-dirigeants-medias-sociaux/title"
        );
    }

    #[test]
    fn seed_yields_its_passages() {
        let post = seed();
        let count = |kind| post.passages.iter().filter(|p| p.kind == kind).count();
        // 4 paragraphs, 8 bullets, 7 numbered arguments
        assert_eq!(count(Kind::Article), 19);
        assert_eq!(count(Kind::Bio), 1);
        // Milouse 1, Lionelmyzka 8, the same comment again 8
        assert_eq!(count(Kind::Comment), 17);
        assert_eq!(count(Kind::Pingback), 1);
        assert_eq!(post.passages.len(), 39);
        let positions: Vec<u32> = post.passages.iter().map(|p| p.position).collect();
        assert_eq!(positions, (0..39).collect::<Vec<_>>());
    }

    #[test]
    fn bullets_carry_their_introducing_line() {
        let post = seed();
        let bullet = &post.passages[3];
        assert_eq!(bullet.id, "cadres-dirigeants-medias-sociaux/article/3");
        assert!(bullet.text.starts_with("Ils ne sont pas narcissiques."));
        assert_eq!(
            bullet.context.as_deref(),
            Some("Les cadres dirigeants n’aiment pas les médias sociaux parce que")
        );
        assert_eq!(bullet.line, 7);
    }

    #[test]
    fn numbered_arguments_carry_the_seven_arguments_line() {
        let post = seed();
        let arguments: Vec<&Passage> = post
            .passages
            .iter()
            .filter(|p| p.text.starts_with(|c: char| c.is_ascii_digit()) && p.context.is_some())
            .collect();
        assert_eq!(arguments.len(), 7);
        for (n, argument) in arguments.iter().enumerate() {
            assert!(argument.text.starts_with(&format!("{}. ", n + 1)));
            assert!(
                argument
                    .context
                    .as_deref()
                    .unwrap()
                    .starts_with("7 grands arguments pour avoir une chance")
            );
        }
        assert_eq!(
            arguments[6].id,
            "cadres-dirigeants-medias-sociaux/article/19"
        );
    }

    #[test]
    fn bio_follows_the_author_heading() {
        let post = seed();
        let bio: Vec<&Passage> = post
            .passages
            .iter()
            .filter(|p| p.kind == Kind::Bio)
            .collect();
        assert_eq!(bio.len(), 1);
        assert!(bio[0].text.starts_with("J'accompagne les entreprises"));
        assert_eq!(bio[0].context.as_deref(), Some("Auteur du billet"));
        assert_eq!(bio[0].author, None);
    }

    #[test]
    fn comments_are_split_into_statements() {
        let post = seed();
        assert_eq!(
            ids_of(&post, Kind::Comment)[..3],
            ["comment/1/1", "comment/2/1", "comment/2/2"]
        );
        let milouse = post
            .passages
            .iter()
            .find(|p| p.id.ends_with("comment/1/1"))
            .unwrap();
        assert_eq!(milouse.author.as_deref(), Some("Milouse"));
        assert_eq!(
            milouse.text,
            "Et si tout simplement ils n’aimaient pas écrire ?"
        );
        assert_eq!(milouse.context, None);
        let lionel: Vec<&Passage> = post
            .passages
            .iter()
            .filter(|p| p.id.contains("/comment/2/"))
            .collect();
        assert_eq!(lionel.len(), 8);
        assert!(
            lionel
                .iter()
                .all(|p| p.author.as_deref() == Some("Lionelmyzka"))
        );
        assert!(
            lionel[2]
                .text
                .starts_with("Remarque équivalente de Pierre Enderlin")
        );
    }

    #[test]
    fn a_line_ending_in_a_colon_keeps_its_dash_items() {
        let post = seed();
        let serge = post
            .passages
            .iter()
            .find(|p| p.text.starts_with("Serge Guillopé"))
            .unwrap();
        assert_eq!(serge.id, "cadres-dirigeants-medias-sociaux/comment/2/7");
        assert_eq!(serge.text.lines().count(), 4);
        assert!(serge.text.ends_with("ultérieures de leurs propos…"));
    }

    #[test]
    fn the_comment_posted_twice_gives_identical_texts() {
        let post = seed();
        let texts = |c: u32| -> Vec<&str> {
            let prefix = format!("/comment/{c}/");
            post.passages
                .iter()
                .filter(|p| p.id.contains(&prefix))
                .map(|p| p.text.as_str())
                .collect()
        };
        assert_eq!(texts(2), texts(3));
    }

    #[test]
    fn pingback_is_its_own_kind() {
        let post = seed();
        let last = post.passages.last().unwrap();
        assert_eq!(last.kind, Kind::Pingback);
        assert_eq!(last.id, "cadres-dirigeants-medias-sociaux/pingback/1");
        assert_eq!(last.text, "Le coup d’oeil du Senior – n°1WebPatron()");
    }

    #[test]
    fn unknown_shapes_fall_back_to_article_paragraphs() {
        let post = parse("x", "Titre\n\n    indenté sans auteur\n\n  ◦\n\n:::\n");
        let texts: Vec<(Kind, &str)> = post
            .passages
            .iter()
            .map(|p| (p.kind, p.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                (Kind::Title, "Titre"),
                (Kind::Article, "indenté sans auteur"),
                (Kind::Article, "◦"),
                (Kind::Article, ":::")
            ]
        );
    }

    #[test]
    fn empty_text_has_no_passage() {
        assert!(parse("x", "").passages.is_empty());
        assert!(parse("x", "\n  \n").passages.is_empty());
    }

    #[test]
    fn a_title_ending_in_a_number_keeps_it_without_comments() {
        let post = parse("x", "Les 7 péchés du web 2\n\nTexte.\n");
        assert_eq!(post.title, "Les 7 péchés du web 2");
        assert_eq!(post.comment_count, None);
    }

    #[test]
    fn headings_give_context_to_their_paragraphs() {
        let post = parse("x", "Titre\n\nPremière partie\n\nUn paragraphe.\n");
        assert_eq!(post.passages[2].context.as_deref(), Some("Première partie"));
    }
}
