//! A WordPress export (WXR 1.0 to 1.2), read as a stream with quick-xml.
//!
//! Published posts and pages without a password are posts; drafts,
//! private, pending and trashed posts, attachments, menu items and
//! revisions are not. Of their comments, only approved ones count: an
//! empty or `comment` type is a comment, `pingback` and `trackback` are
//! pingbacks; a reply answers the comment its `wp:comment_parent` names.
//!
//! The file is read twice, as a stream: once to check that it is
//! well-formed XML and a WordPress export (and to hash its bytes), so that
//! a bad file gives no post at all; then to hand on its posts one at a
//! time. Memory holds one post and its comments, whatever the export's
//! size.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use xxhash_rust::xxh3::Xxh3;

use super::{LineFinder, html, push_comment, push_content, title_or_slug};
use crate::analysis::nfc;
use crate::corpus::{self, PostFile, slugify};
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

/// A reader of the file's bytes that hashes them as they pass.
struct Hashing<R> {
    inner: R,
    hasher: Xxh3,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

type XmlReader = NsReader<BufReader<Hashing<File>>>;

fn open(file: &PostFile) -> Result<XmlReader> {
    let unreadable = |reason| Error::PostUnreadable {
        path: file.path.clone(),
        reason,
    };
    let inner = File::open(&file.path).map_err(unreadable)?;
    let hashing = Hashing {
        inner,
        hasher: Xxh3::new(),
    };
    Ok(NsReader::from_reader(BufReader::with_capacity(
        1 << 16,
        hashing,
    )))
}

/// Reads the export `file` and hands its posts to `on_post`, their slugs
/// under `folder`; returns the hash of its bytes.
pub fn read(
    file: &PostFile,
    folder: &str,
    on_post: &mut dyn FnMut(Post) -> Result<()>,
) -> Result<u64> {
    let hash = check(file)?;
    let mut export = Export {
        folder,
        authors: HashMap::new(),
        author: Author::default(),
        item: None,
        comment: None,
    };
    let mut reader = open(file)?;
    let (mut buf, mut value, mut names) = (Vec::new(), String::new(), Vec::<String>::new());
    let mut line = 1u32;
    loop {
        buf.clear();
        // The file was checked: it changed since.
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|_| Error::ChangedWhileRead(file.path.clone()))?;
        let newlines = event.bytes().filter(|&b| b == b'\n').count() as u32;
        match event {
            Event::Start(start) => {
                let name = qualified(&reader, &start);
                export.start(&name, line, line + newlines);
                names.push(name);
                value.clear();
            }
            Event::End(_) => {
                let name = names.pop().unwrap_or_default();
                let text = nfc(&value).into_owned();
                value.clear();
                if let Some(post) = export.end(&name, text) {
                    on_post(post)?;
                }
            }
            Event::Text(text) => value.push_str(&text.xml10_content()),
            Event::CData(data) => value.push_str(&data.xml10_content()),
            Event::GeneralRef(entity) => push_entity(&mut value, &entity),
            Event::Eof => return Ok(hash),
            _ => {}
        }
        line += newlines;
    }
}

/// Checks that `file` is well-formed XML, UTF-8, and a WordPress export;
/// returns the hash of its bytes.
fn check(file: &PostFile) -> Result<u64> {
    let mut reader = open(file)?;
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut wordpress = false;
    let mut root = None;
    loop {
        buf.clear();
        let at = reader.buffer_position();
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            bad(
                file,
                reader.error_position(),
                format!("not well-formed XML: {e}"),
            )
        })?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let name = qualified(&reader, start);
                wordpress |= name.starts_with("wp:");
                if depth == 0 {
                    if root.is_some() {
                        let reason = "not well-formed XML: a second root element".to_string();
                        return Err(bad(file, at, reason));
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
                return Err(bad(file, at, reason));
            }
            Event::Eof if depth > 0 => {
                let reason = "not well-formed XML: the file ends inside an element".to_string();
                return Err(bad(file, reader.buffer_position(), reason));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let hash = reader.into_inner().into_inner().hasher.digest();
    match root {
        Some((name, _)) if name == "rss" && wordpress => Ok(hash),
        Some((_, at)) => Err(bad(
            file,
            at,
            "not a WordPress export (no rss element with wp: elements of http://wordpress.org/export/)".into(),
        )),
        None => Err(bad(file, 0, "not a WordPress export (no element)".into())),
    }
}

/// The error of a bad export at byte `at`: not UTF-8 (at its first
/// invalid byte), else `reason`, with the line and column. Only a bad file
/// is read whole.
fn bad(file: &PostFile, at: u64, reason: String) -> Error {
    let bytes = match corpus::read_bytes(file) {
        Ok(bytes) => bytes,
        Err(e) => return e,
    };
    if std::str::from_utf8(&bytes).is_err() {
        return corpus::decode(&file.path, bytes).expect_err("the bytes are not UTF-8");
    }
    let (line, column) = line_and_column(&bytes, at as usize);
    Error::BadPost {
        path: file.path.clone(),
        line,
        column,
        reason,
    }
}

/// The name of an element with the prefix of its known namespace (`wp:`,
/// `content:`, `dc:`), whatever prefix the file gives it.
fn qualified<R>(reader: &NsReader<R>, start: &BytesStart) -> String {
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
    /// The lines where the title and the content start in the file.
    title_line: u32,
    content_line: u32,
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
    content_line: u32,
    approved: String,
    kind: String,
    parent: String,
}

/// The state of the second reading.
struct Export<'t> {
    folder: &'t str,
    /// Display names by login.
    authors: HashMap<String, String>,
    author: Author,
    item: Option<Item>,
    comment: Option<RawComment>,
}

impl Export<'_> {
    /// The start of element `name`, on line `line`; its text starts on
    /// line `text_line`.
    fn start(&mut self, name: &str, line: u32, text_line: u32) {
        match (name, &mut self.item, &mut self.comment) {
            ("item", _, _) => self.item = Some(Item::default()),
            ("wp:comment", _, _) => self.comment = Some(RawComment::default()),
            ("title", Some(item), None) => item.title_line = line,
            ("content:encoded", Some(item), None) => item.content_line = text_line,
            ("wp:comment_content", _, Some(comment)) => comment.content_line = text_line,
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
        builder.push(Kind::Title, title.clone(), item.title_line, None);
        let mut lines = LineFinder::new(&item.content, item.content_line);
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
            let line = comment.content_line;
            let head = CommentHead {
                author: Some(html::collapse(&comment.author)).filter(|a| !a.is_empty()),
                date: dates::parse(&comment.date),
                url: url.map(|url| format!("{url}#comment-{}", comment.id)),
                answers: numbers
                    .get(comment.parent.as_str())
                    .map(|&n| builder.comment_id(n)),
            };
            let mut lines = LineFinder::new(&comment.content, line);
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
