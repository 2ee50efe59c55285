//! A WordPress export (WXR 1.0 to 1.2), read as a stream with quick-xml.
//!
//! Published posts and pages without a password are posts; drafts,
//! private, pending and trashed posts, attachments, menu items and
//! revisions are not. Of their comments, only approved ones count: an
//! empty or `comment` type is a comment, `pingback` and `trackback` are
//! pingbacks; a reply answers the comment its `wp:comment_parent` names.
//!
//! The file is read twice: once to check that it is well-formed XML and a
//! WordPress export, so that a bad file gives no post at all; then to hand
//! on its posts one at a time, so that memory does not grow with the
//! export.

use std::collections::HashMap;
use std::path::Path;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::{LineFinder, html, push_comment, push_content, title_or_slug};
use crate::corpus::slugify;
use crate::dates;
use crate::error::{Error, Result, line_and_column};
use crate::passages::{CommentHead, Kind, PassageBuilder, Post};

/// The namespaces of an export, by the start of their URI (the `wp:` one
/// carries the version: `http://wordpress.org/export/1.2/`).
const NAMESPACES: &[(&str, &str)] = &[
    ("http://wordpress.org/export/", "wp:"),
    ("http://purl.org/rss/1.0/modules/content/", "content:"),
    ("http://purl.org/dc/elements/1.1/", "dc:"),
];

/// Reads the export `text` (of the file at `path`) and hands its posts to
/// `on_post`; their slugs start with `folder`.
pub fn read(
    path: &Path,
    text: &str,
    folder: &str,
    on_post: &mut dyn FnMut(Post) -> Result<()>,
) -> Result<()> {
    check(path, text)?;
    let mut export = Export {
        text,
        folder,
        authors: HashMap::new(),
        author: Author::default(),
        item: None,
        comment: None,
        line: (0, 1),
    };
    let mut reader = NsReader::from_str(text);
    let mut value = String::new();
    let mut names: Vec<String> = Vec::new();
    loop {
        let at = reader.buffer_position() as usize;
        let event = next_event(&mut reader, path, text)?;
        match event {
            Event::Start(start) => {
                let name = qualified(&reader, &start);
                export.start(&name, at);
                names.push(name);
                value.clear();
            }
            Event::End(_) => {
                let name = names.pop().unwrap_or_default();
                if let Some(post) = export.end(&name, std::mem::take(&mut value)) {
                    on_post(post)?;
                }
            }
            Event::Text(text) => value.push_str(&text.xml10_content()),
            Event::CData(data) => value.push_str(&data.xml10_content()),
            Event::GeneralRef(entity) => push_entity(&mut value, &entity),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// Checks that `text` is well-formed XML and a WordPress export.
fn check(path: &Path, text: &str) -> Result<()> {
    let mut reader = NsReader::from_str(text);
    let mut depth = 0usize;
    let mut wordpress = false;
    let mut root = None;
    loop {
        let at = reader.buffer_position() as usize;
        let event = next_event(&mut reader, path, text)?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let name = qualified(&reader, start);
                wordpress |= name.starts_with("wp:");
                if depth == 0 {
                    if root.is_some() {
                        return Err(bad(
                            path,
                            text,
                            at,
                            "not well-formed XML: a second root element".into(),
                        ));
                    }
                    root = Some((name, at));
                }
                depth += usize::from(matches!(event, Event::Start(_)));
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::GeneralRef(entity)
                if entity.resolve_char_ref().ok().flatten().is_none()
                    && quick_xml::escape::resolve_xml_entity(&entity).is_none() =>
            {
                let reason = format!("not well-formed XML: unknown entity &{};", &*entity);
                return Err(bad(path, text, at, reason));
            }
            Event::Eof if depth > 0 => {
                let reason = "not well-formed XML: the file ends inside an element".to_string();
                return Err(bad(path, text, text.len(), reason));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root {
        Some((name, _)) if name == "rss" && wordpress => Ok(()),
        Some((_, at)) => Err(bad(
            path,
            text,
            at,
            "not a WordPress export (no rss element with wp: elements of http://wordpress.org/export/)".into(),
        )),
        None => Err(bad(path, text, 0, "not a WordPress export (no element)".into())),
    }
}

fn bad(path: &Path, text: &str, at: usize, reason: String) -> Error {
    let (line, column) = line_and_column(text.as_bytes(), at);
    Error::BadPost {
        path: path.to_path_buf(),
        line,
        column,
        reason,
    }
}

/// The next event of the file, or the error at its line and column.
fn next_event<'t>(reader: &mut NsReader<&'t [u8]>, path: &Path, text: &str) -> Result<Event<'t>> {
    reader.read_event().map_err(|e| {
        let at = reader.error_position() as usize;
        bad(path, text, at, format!("not well-formed XML: {e}"))
    })
}

/// The name of an element with the prefix of its known namespace (`wp:`,
/// `content:`, `dc:`), whatever prefix the file gives it.
fn qualified(reader: &NsReader<&[u8]>, start: &BytesStart) -> String {
    let (namespace, local) = reader.resolver().resolve_element(start.name());
    let local: &str = local.as_ref();
    let prefix = match namespace {
        ResolveResult::Bound(ns) => NAMESPACES
            .iter()
            .find(|(uri, _)| ns.0.starts_with(uri))
            .map_or("?:", |(_, prefix)| prefix),
        _ => "",
    };
    format!("{prefix}{local}")
}

fn push_entity(value: &mut String, entity: &quick_xml::events::BytesRef) {
    if let Ok(Some(c)) = entity.resolve_char_ref() {
        value.push(c);
    } else if let Some(text) = quick_xml::escape::resolve_xml_entity(entity) {
        value.push_str(text);
    }
}

/// An author of the export.
#[derive(Default)]
struct Author {
    login: String,
    display_name: String,
}

/// An `item` being read.
#[derive(Default)]
struct Item {
    title: String,
    link: String,
    id: String,
    name: String,
    post_type: String,
    status: String,
    password: String,
    creator: String,
    date: String,
    content: String,
    /// Where the title and the content start in the file.
    title_at: usize,
    content_at: usize,
    tags: Vec<String>,
    comments: Vec<RawComment>,
}

/// A `wp:comment` being read.
#[derive(Default)]
struct RawComment {
    id: String,
    author: String,
    date: String,
    content: String,
    content_at: usize,
    approved: String,
    kind: String,
    parent: String,
}

/// The state of the second reading.
struct Export<'t> {
    text: &'t str,
    folder: &'t str,
    /// Display names by login.
    authors: HashMap<String, String>,
    author: Author,
    item: Option<Item>,
    comment: Option<RawComment>,
    /// A byte offset and its line, moved forward as the file is read.
    line: (usize, u32),
}

impl Export<'_> {
    fn start(&mut self, name: &str, at: usize) {
        match name {
            "item" => self.item = Some(Item::default()),
            "wp:comment" => self.comment = Some(RawComment::default()),
            "title" | "content:encoded" => {
                if let Some(item) = &mut self.item {
                    match name {
                        "title" => item.title_at = at,
                        _ => item.content_at = at,
                    }
                }
            }
            "wp:comment_content" => {
                if let Some(comment) = &mut self.comment {
                    comment.content_at = at;
                }
            }
            _ => {}
        }
    }

    /// The end of element `name`, whose text is `value`: the post, at the
    /// end of an item that is one.
    fn end(&mut self, name: &str, value: String) -> Option<Post> {
        if let Some(comment) = &mut self.comment {
            let field = match name {
                "wp:comment_id" => &mut comment.id,
                "wp:comment_author" => &mut comment.author,
                "wp:comment_date" => &mut comment.date,
                "wp:comment_content" => &mut comment.content,
                "wp:comment_approved" => &mut comment.approved,
                "wp:comment_type" => &mut comment.kind,
                "wp:comment_parent" => &mut comment.parent,
                "wp:comment" => {
                    let comment = self.comment.take()?;
                    self.item.as_mut()?.comments.push(comment);
                    return None;
                }
                _ => return None,
            };
            *field = value;
            return None;
        }
        let Some(item) = &mut self.item else {
            match name {
                "wp:author_login" => self.author.login = value,
                "wp:author_display_name" => self.author.display_name = value,
                "wp:author" => {
                    let author = std::mem::take(&mut self.author);
                    self.authors.insert(author.login, author.display_name);
                }
                _ => {}
            }
            return None;
        };
        let field = match name {
            "title" => &mut item.title,
            "link" => &mut item.link,
            "wp:post_id" => &mut item.id,
            "wp:post_name" => &mut item.name,
            "wp:post_type" => &mut item.post_type,
            "wp:status" => &mut item.status,
            "wp:post_password" => &mut item.password,
            "dc:creator" => &mut item.creator,
            "wp:post_date" => &mut item.date,
            "content:encoded" => &mut item.content,
            "category" => {
                let tag = html::collapse(&value);
                if !tag.is_empty() && !item.tags.contains(&tag) {
                    item.tags.push(tag);
                }
                return None;
            }
            "item" => {
                let item = self.item.take()?;
                return self.post(item);
            }
            _ => return None,
        };
        *field = value;
        None
    }

    /// The line of byte `at` (which only moves forward).
    fn line_at(&mut self, at: usize) -> u32 {
        let (from, line) = self.line;
        if at < from {
            return line;
        }
        let newlines = self.text[from..at].bytes().filter(|&b| b == b'\n').count();
        self.line = (at, line + newlines as u32);
        self.line.1
    }

    /// The post an item is, if it is one.
    fn post(&mut self, item: Item) -> Option<Post> {
        let published = matches!(item.post_type.as_str(), "post" | "page")
            && item.status == "publish"
            && item.password.is_empty();
        if !published {
            return None;
        }
        let slug = format!("{}{}", self.folder, wanted_slug(&item));
        let title = title_or_slug(&item.title, &slug);
        let url = Some(item.link.trim().to_string()).filter(|l| !l.is_empty());
        let mut builder = PassageBuilder::new(&slug);
        builder.date = dates::parse(&item.date);
        builder.url = url.clone();
        builder.author = Some(self.display_name(&item.creator)).filter(|a| !a.is_empty());
        let title_line = self.line_at(item.title_at);
        builder.push(Kind::Title, title.clone(), title_line, None);
        let content_line = self.line_at(item.content_at);
        let mut lines = LineFinder::new(&self.text[item.content_at..], content_line);
        push_content(
            &mut builder,
            html::fragment_blocks(&item.content),
            &mut lines,
        );
        self.push_comments(&mut builder, &item, url.as_deref());
        Some(Post {
            slug: slug.clone(),
            title,
            comment_count: None,
            date: builder.date.clone(),
            url,
            tags: item.tags,
            passages: builder.finish(),
        })
    }

    fn push_comments(&mut self, builder: &mut PassageBuilder, item: &Item, url: Option<&str>) {
        // The comment number of each comment pushed, by its WordPress id.
        let mut numbers: HashMap<&str, u32> = HashMap::new();
        for comment in item.comments.iter().filter(|c| c.approved == "1") {
            let line = self.line_at(comment.content_at);
            let head = CommentHead {
                author: Some(html::collapse(&comment.author)).filter(|a| !a.is_empty()),
                date: dates::parse(&comment.date),
                url: url.map(|url| format!("{url}#comment-{}", comment.id)),
                answers: numbers
                    .get(comment.parent.as_str())
                    .map(|&n| builder.comment_id(n)),
            };
            let mut lines = LineFinder::new(&self.text[comment.content_at..], line);
            let blocks = html::fragment_blocks(&comment.content);
            match comment.kind.as_str() {
                "pingback" | "trackback" => {
                    // The linking post's name, then its excerpt.
                    let mut text = head.author.clone().unwrap_or_default();
                    for block in blocks {
                        text.push('\n');
                        text.push_str(&block.text);
                    }
                    builder.push_pingback(&head, text.trim().to_string(), line);
                }
                "" | "comment" => {
                    if let Some(number) = push_comment(builder, &head, blocks, &mut lines) {
                        numbers.insert(&comment.id, number);
                    }
                }
                // Other types (notes of plugins) are no reader's comment.
                _ => {}
            }
        }
    }

    fn display_name(&self, login: &str) -> String {
        let name = self.authors.get(login).map_or(login, String::as_str);
        html::collapse(name)
    }
}

/// The slug an item asks for: its `wp:post_name` (percent-decoded), else
/// its title, else its WordPress id.
fn wanted_slug(item: &Item) -> String {
    let name = percent_encoding::percent_decode_str(item.name.trim()).decode_utf8_lossy();
    for candidate in [name.as_ref(), item.title.as_str()] {
        let slug = slugify(&candidate.replace('/', "-"));
        if !candidate.trim().is_empty() && slug != "post" {
            return slug;
        }
    }
    format!("post-{}", slugify(&item.id))
}
