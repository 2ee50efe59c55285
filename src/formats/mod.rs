//! From a post file to its posts: the file read, checked, and parsed by
//! the reader of its format, chosen by its extension.
//!
//! | Extension          | Format                          | Posts |
//! |--------------------|---------------------------------|-------|
//! | `.txt`             | the copied page ([`copied_page`]) | one |
//! | `.xml`             | a WordPress export ([`wxr`])      | many |
//! | `.html`, `.htm`    | a saved post page ([`saved_page`]) | one |
//! | `.md`, `.markdown` | a Markdown post ([`markdown`])    | one |
//!
//! Each post comes with the slug it asks for; [`crate::index`] gives each
//! its own when two ask for the same one.

pub mod copied_page;
pub mod html;
pub mod markdown;
pub mod saved_page;
pub mod wxr;

use std::path::Path;

use crate::corpus::{self, PostFile};
use crate::error::Result;
use crate::index::manifest::hash;
use crate::passages::{CommentHead, Kind, PassageBuilder, Post};
use html::Block;

/// The formats of post files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.txt`: a post copied as plain text from its page.
    CopiedPage,
    /// `.xml`: a WordPress export (WXR).
    WordPress,
    /// `.html`, `.htm`: a saved post page.
    SavedPage,
    /// `.md`, `.markdown`: a Markdown post with front matter.
    Markdown,
}

impl Format {
    /// The format of a file, by its extension (any case); `None` for a file
    /// that is no post.
    pub fn of(name: &str) -> Option<Format> {
        let (_, extension) = name.rsplit_once('.')?;
        // Most names are lowercase already.
        let format = |ext: &str| match ext {
            "txt" => Some(Format::CopiedPage),
            "xml" => Some(Format::WordPress),
            "html" | "htm" => Some(Format::SavedPage),
            "md" | "markdown" => Some(Format::Markdown),
            _ => None,
        };
        format(extension).or_else(|| format(&extension.to_ascii_lowercase()))
    }
}

/// Reads a post file of the corpus and hands its posts to `on_post`, in
/// the file's order; returns the hash of its bytes. A file that cannot be
/// read fails before any post is handed on.
pub fn read(file: &PostFile, on_post: &mut dyn FnMut(Post) -> Result<()>) -> Result<u64> {
    let slug = corpus::slugify(&file.relative);
    let format = Format::of(&file.relative).unwrap_or(Format::CopiedPage);
    if format == Format::WordPress {
        // Read as a stream: an export may be large.
        return wxr::read(file, folder_of(&slug), on_post);
    }
    let bytes = corpus::read_bytes(file)?;
    let hash = hash(&bytes);
    let text = corpus::decode(&file.path, bytes)?;
    on_post(match format {
        Format::SavedPage => saved_page::parse(&slug, &text),
        Format::Markdown => markdown::parse(&slug, &file.relative, &text),
        _ => copied_page::parse(&slug, &text),
    })?;
    Ok(hash)
}

/// Reads every post of a file into memory: for tests and tools.
pub fn read_all(file: &PostFile) -> Result<Vec<Post>> {
    let mut posts = Vec::new();
    read(file, &mut |post| {
        posts.push(post);
        Ok(())
    })?;
    Ok(posts)
}

/// The folders part of a slug (`notes/` of `notes/export`), where the
/// posts of an export go.
fn folder_of(slug: &str) -> &str {
    slug.rfind('/').map_or("", |i| &slug[..=i])
}

/// Finds the line where each passage starts in the source of formats that
/// do not say it (HTML): the first word of the passage, searched for from
/// the previous passage on.
pub struct LineFinder<'t> {
    source: &'t str,
    cursor: usize,
    line: u32,
}

impl<'t> LineFinder<'t> {
    /// A finder over `source`, whose first line is line `first_line`.
    pub fn new(source: &'t str, first_line: u32) -> LineFinder<'t> {
        LineFinder {
            source,
            cursor: 0,
            line: first_line,
        }
    }

    /// The line of the longest of the first words of `text` (ASCII
    /// letters and digits only: others may be written as entities), after
    /// the last one found; the last line found when the word is not there.
    pub fn find(&mut self, text: &str) -> u32 {
        let probe = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .take(12)
            .max_by_key(|word| word.len())
            .filter(|word| word.len() >= 3);
        if let Some(probe) = probe
            && let Some(at) = self.source[self.cursor..].find(probe)
        {
            let at = self.cursor + at;
            let newlines = self.source[self.cursor..at].bytes().filter(|&b| b == b'\n');
            self.line += newlines.count() as u32;
            self.cursor = at + probe.len();
        }
        self.line
    }
}

/// Adds the blocks of a post's content as its article (or bio) passages.
pub fn push_content(builder: &mut PassageBuilder, blocks: Vec<Block>, lines: &mut LineFinder) {
    for block in blocks {
        let kind = if block.bio { Kind::Bio } else { Kind::Article };
        let line = lines.find(&block.text);
        builder.push(kind, block.text, line, block.context.as_deref());
    }
}

/// Adds a comment: each of its blocks a statement. Returns its number, or
/// `None` for a comment without text.
pub fn push_comment(
    builder: &mut PassageBuilder,
    head: &CommentHead,
    blocks: Vec<Block>,
    lines: &mut LineFinder,
) -> Option<u32> {
    if blocks.is_empty() {
        return None;
    }
    let number = builder.next_comment();
    for (statement, block) in (1..).zip(blocks) {
        let line = lines.find(&block.text);
        builder.push_statement((number, statement), head, block.text, line);
    }
    Some(number)
}

/// The title of a post without its surrounding space; an untitled post
/// is named by its slug.
pub fn title_or_slug(title: &str, slug: &str) -> String {
    let title = html::collapse(title);
    if title.is_empty() {
        Path::new(slug)
            .file_name()
            .map_or(slug.to_string(), |n| n.to_string_lossy().into_owned())
    } else {
        title
    }
}
