//! A saved post page: the post's content, title, date and comments, read
//! from the markup of WordPress themes and microformats; navigation,
//! sidebars, footers, comment forms and scripts left out.
//!
//! | What      | Where, first found                                            |
//! |-----------|---------------------------------------------------------------|
//! | content   | `.entry-content`, `.e-content`, `article`, `main`, else `body` |
//! | title     | `.entry-title`, `.p-name`, `h1`, else `<title>` less the site's name |
//! | date      | the entry's `<time datetime>`, else `article:published_time`  |
//! | link      | `<link rel="canonical">`, else `og:url`                       |
//! | comments  | `.comment` (`.comment-author .fn`, `.comment-content`), `.h-cite` (`.p-author`, `.e-content`) |

use scraper::node::Element;
use scraper::{ElementRef, Html, Selector};

use super::{LineFinder, html, push_comment, push_content, title_or_slug};
use crate::dates;
use crate::passages::{CommentHead, Kind, PassageBuilder, Post};

/// A selector written in this file.
fn select(css: &str) -> Selector {
    Selector::parse(css).expect("the selectors of this file are valid")
}

/// The first element of `root` matching one of `selectors`, in that order.
fn first<'a>(root: ElementRef<'a>, selectors: &[&str]) -> Option<ElementRef<'a>> {
    selectors
        .iter()
        .find_map(|css| root.select(&select(css)).next())
}

fn text_of(element: ElementRef) -> String {
    html::collapse(&element.text().collect::<String>())
}

/// Classes of what is never the post's text inside its content.
const SKIPPED_CLASSES: &[&str] = &[
    "comment",
    "comments",
    "comments-area",
    "comment-respond",
    "h-cite",
    "entry-title",
    "entry-meta",
    "entry-footer",
    "sharedaddy",
    "screen-reader-text",
    "navigation",
    "pingback",
    "trackback",
];

/// Ids of what is never the post's text.
const SKIPPED_IDS: &[&str] = &["comments", "respond", "secondary", "sidebar"];

fn skipped(element: &Element) -> bool {
    element.classes().any(|c| SKIPPED_CLASSES.contains(&c))
        || element.id().is_some_and(|id| SKIPPED_IDS.contains(&id))
}

/// Parses a saved page (NFC text) into its post.
pub fn parse(slug: &str, text: &str) -> Post {
    let document = Html::parse_document(text);
    let root = document.root_element();
    let content = first(
        root,
        &[".entry-content", ".e-content", "article", "main", "body"],
    )
    .unwrap_or(root);
    let title = first(root, &[".entry-title", ".p-name", "h1"])
        .map(text_of)
        .filter(|t| !t.is_empty())
        .or_else(|| first(root, &["title"]).map(|t| without_site_name(&text_of(t))))
        .unwrap_or_default();
    let title = title_or_slug(&title, slug);
    let mut builder = PassageBuilder::new(slug);
    builder.date = date(root);
    builder.url = link(root);
    builder.author = post_author(root);
    let mut lines = LineFinder::new(text, 1);
    let title_line = lines.find(&title);
    builder.push(Kind::Title, title.clone(), title_line, None);
    push_content(
        &mut builder,
        html::element_blocks(content, &skipped),
        &mut lines,
    );
    push_content(&mut builder, bio_blocks(root, content), &mut lines);
    push_comments(&mut builder, root, &mut lines);
    let tags = root
        .select(&select("a[rel~=\"tag\"], a[rel~=\"category\"]"))
        .map(text_of)
        .filter(|t| !t.is_empty())
        .fold(Vec::new(), |mut tags, tag| {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
            tags
        });
    Post {
        slug: slug.to_string(),
        title,
        comment_count: None,
        date: builder.date.clone(),
        url: builder.url.clone(),
        tags,
        passages: builder.finish(),
    }
}

/// The paragraphs of the author box (`.author-info`, `.author-bio`…), when
/// it is not in the content: the post's bio, its heading their context.
fn bio_blocks(root: ElementRef, content: ElementRef) -> Vec<html::Block> {
    let Some(bio) = first(
        root,
        &[
            ".author-info",
            ".author-bio",
            ".author-box",
            ".author-description",
        ],
    ) else {
        return Vec::new();
    };
    if bio.ancestors().any(|a| a.id() == content.id()) {
        return Vec::new();
    }
    html::element_blocks(bio, &|_| false)
        .into_iter()
        .filter(|b| b.kind != html::BlockKind::Heading)
        .map(|b| html::Block { bio: true, ..b })
        .collect()
}

/// The text of a pingback without its `Pingback :` label.
fn without_label(text: &str) -> &str {
    for label in ["Pingback", "Trackback", "Rétrolien"] {
        if let Some(rest) = text.strip_prefix(label) {
            let rest = rest.trim_start_matches([' ', '\u{a0}', '\u{202f}']);
            if let Some(rest) = rest.strip_prefix(':') {
                return rest.trim_start();
            }
        }
    }
    text
}

/// The anchor of a comment: its own `comment-N` id or that of an element
/// in it (themes put it on the `li` or on the `article` inside).
fn anchor<'a>(element: ElementRef<'a>) -> Option<&'a str> {
    let own = element.value().id();
    own.filter(|id| id.starts_with("comment-"))
        .or_else(|| {
            element
                .select(&select("[id^=\"comment-\"]"))
                .next()
                .and_then(|e| e.value().id())
        })
        .or(own)
}

/// The post's author: the first author named outside its comments.
fn post_author(root: ElementRef) -> Option<String> {
    let in_comment = |element: &ElementRef| {
        element.ancestors().filter_map(ElementRef::wrap).any(|a| {
            a.value()
                .classes()
                .any(|c| matches!(c, "comment" | "h-cite" | "comments-area"))
                || a.value().id() == Some("comments")
        })
    };
    [
        ".entry-meta .author .fn",
        ".entry-meta .author",
        ".p-author",
    ]
    .iter()
    .flat_map(|css| root.select(&select(css)).collect::<Vec<_>>())
    .find(|element| !in_comment(element))
    .map(text_of)
    .filter(|a| !a.is_empty())
}

/// `Mon billet | Mon blog` → `Mon billet`.
fn without_site_name(title: &str) -> String {
    [" | ", " – ", " — ", " - ", " :: ", " « "]
        .iter()
        .find_map(|sep| {
            title
                .rsplit_once(sep)
                .map(|(head, _)| head.trim().to_string())
        })
        .unwrap_or_else(|| title.to_string())
}

fn date(root: ElementRef) -> Option<String> {
    let entry_time = first(
        root,
        &[
            "article time.entry-date[datetime]",
            ".entry-meta time[datetime]",
            "time.published[datetime]",
            ".dt-published[datetime]",
            "article time[datetime]",
        ],
    )
    .and_then(|t| t.value().attr("datetime"));
    let meta = || {
        first(root, &["meta[property=\"article:published_time\"]"])
            .and_then(|m| m.value().attr("content"))
    };
    entry_time.or_else(meta).and_then(dates::parse)
}

fn link(root: ElementRef) -> Option<String> {
    let canonical =
        first(root, &["link[rel=\"canonical\"][href]"]).and_then(|l| l.value().attr("href"));
    let og = || first(root, &["meta[property=\"og:url\"]"]).and_then(|m| m.value().attr("content"));
    canonical
        .or_else(og)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
}

/// The comments of the page, in document order; a comment nested in
/// another's replies answers it.
fn push_comments(builder: &mut PassageBuilder, root: ElementRef, lines: &mut LineFinder) {
    let comments = select(".comment, .h-cite, .pingback, .trackback");
    // The comment number of each comment element pushed, by node id.
    let mut numbers = Vec::new();
    for element in root.select(&comments) {
        let is_pingback = element
            .value()
            .classes()
            .any(|c| c == "pingback" || c == "trackback");
        let author_of = |selectors: &[&str]| {
            first(element, selectors)
                .map(text_of)
                .filter(|a| !a.is_empty())
        };
        let mut author = author_of(&[".comment-author .fn", ".fn", ".p-author", ".comment-author"]);
        if is_pingback && author.is_none() {
            // A pingback names the linking post in its link.
            author = author_of(&["a.url", "a"]);
        }
        let answers = element
            .ancestors()
            .filter_map(ElementRef::wrap)
            .find_map(|a| {
                numbers
                    .iter()
                    .find(|(id, _)| *id == a.id())
                    .map(|&(_, n)| n)
            })
            .map(|n| builder.comment_id(n));
        let head = CommentHead {
            author,
            date: first(element, &["time[datetime]"])
                .and_then(|t| t.value().attr("datetime"))
                .and_then(dates::parse),
            url: anchor(element).map(|id| match &builder.url {
                Some(url) => format!("{url}#{id}"),
                None => format!("#{id}"),
            }),
            answers,
        };
        let Some(body) = first(element, &[".comment-content", ".e-content", ".p-content"]) else {
            if is_pingback {
                let text = without_label(&text_of(element)).to_string();
                let line = lines.find(&text);
                builder.push_pingback(&head, text, line);
            }
            continue;
        };
        let blocks = html::element_blocks(body, &skipped);
        if is_pingback {
            let text: Vec<String> = blocks.into_iter().map(|b| b.text).collect();
            let text = text.join("\n");
            let line = lines.find(&text);
            builder.push_pingback(&head, text, line);
        } else if let Some(number) = push_comment(builder, &head, blocks, lines) {
            numbers.push((element.id(), number));
        }
    }
}
