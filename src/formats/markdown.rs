//! A Markdown post (CommonMark, through pulldown-cmark) with its front
//! matter (YAML between `---` or TOML between `+++`, through gray_matter).
//!
//! Paragraphs, list items (with the line introducing their list, or their
//! heading, as context), headings, block quotes and code blocks (kept
//! whole) are passages; emphasis and link markup go, link text stays. The
//! front matter is no passage: its `title`, `date`, `author`, `slug` (or
//! the last part of `url`) and `tags` (and `categories`) are used. A
//! Jekyll-style file name (`2011-09-12-un-an-apres.md`) gives the date when
//! the front matter has none.

use gray_matter::engine::{TOML, YAML};
use gray_matter::{Matter, Pod};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::html::{self, Block, BlockKind, Outline};
use super::{LineFinder, push_content, title_or_slug};
use crate::corpus::slugify;
use crate::dates;
use crate::passages::{Kind, PassageBuilder, Post};

/// What the front matter says, and where the body starts.
#[derive(Default)]
struct FrontMatter {
    fields: Option<Pod>,
    /// The body, after the front matter.
    body: String,
    /// Line of the file where the body starts.
    body_line: u32,
}

fn front_matter(text: &str) -> FrontMatter {
    let parsed = if text.starts_with("+++") {
        let mut matter = Matter::<TOML>::new();
        matter.delimiter = "+++".to_string();
        matter.parse::<Pod>(text).ok()
    } else {
        Matter::<YAML>::new().parse::<Pod>(text).ok()
    };
    match parsed {
        Some(parsed) if parsed.data.is_some() => {
            let body_line = text
                .lines()
                .count()
                .saturating_sub(parsed.content.lines().count())
                + 1;
            FrontMatter {
                fields: parsed.data,
                body: parsed.content,
                body_line: body_line as u32,
            }
        }
        // No front matter, or one that does not parse: all of it is text.
        _ => FrontMatter {
            fields: None,
            body: text.to_string(),
            body_line: 1,
        },
    }
}

/// The value of a front matter field, if the front matter has it.
fn get<'a>(fields: Option<&'a Pod>, name: &str) -> Option<&'a Pod> {
    match fields? {
        Pod::Hash(map) => map.get(name),
        _ => None,
    }
}

/// A front matter value as text: strings, numbers and booleans.
fn pod_text(pod: &Pod) -> Option<String> {
    let text = match pod {
        Pod::String(s) => s.trim().to_string(),
        Pod::Integer(n) => n.to_string(),
        Pod::Float(f) => f.to_string(),
        Pod::Boolean(b) => b.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// Parses a Markdown post (NFC text) of the file `relative` into its post.
pub fn parse(file_slug: &str, relative: &str, text: &str) -> Post {
    let matter = front_matter(text);
    let field = |name: &str| get(matter.fields.as_ref(), name).and_then(pod_text);
    let folder = &file_slug[..file_slug.rfind('/').map_or(0, |i| i + 1)];
    let wanted = field("slug")
        .or_else(|| {
            let url = field("url")?;
            url.trim_end_matches('/')
                .rsplit('/')
                .next()
                .map(str::to_string)
        })
        .map(|s| slugify(&s.replace('/', "-")))
        .filter(|s| s != "post");
    let slug = match wanted {
        Some(wanted) => format!("{folder}{wanted}"),
        None => without_date(file_slug),
    };
    let file_name = relative.rsplit('/').next().unwrap_or(relative);
    let mut builder = PassageBuilder::new(&slug);
    builder.date = field("date")
        .and_then(|d| dates::parse(&d))
        .or_else(|| dates::from_file_name(file_name));
    builder.url = field("url");
    builder.author = field("author");
    let blocks = blocks(&matter.body);
    let title = field("title").unwrap_or_default();
    let title = title_or_slug(&title, &slug);
    builder.push(Kind::Title, title.clone(), 1, None);
    let mut lines = LineFinder::new(&matter.body, matter.body_line);
    push_content(&mut builder, blocks, &mut lines);
    let (date, url) = (builder.date.clone(), builder.url.clone());
    let passages = builder.finish();
    Post {
        slug,
        title,
        comment_count: None,
        date,
        url,
        tags: tags(matter.fields.as_ref()),
        passages,
    }
}

/// `2011-09-12-un-an-apres` → `un-an-apres`: the date is no part of the
/// slug of a Jekyll post.
fn without_date(slug: &str) -> String {
    let (folder, name) = slug.rsplit_once('/').map_or(("", slug), |(f, n)| (f, n));
    let name = match dates::from_file_name(name) {
        Some(_) if name.len() > 11 => &name[11..],
        _ => name,
    };
    if folder.is_empty() {
        name.to_string()
    } else {
        format!("{folder}/{name}")
    }
}

/// The `tags` and `categories` of a front matter, as lists or as one
/// comma-separated text.
fn tags(fields: Option<&Pod>) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for name in ["categories", "tags"] {
        let values: Vec<String> = match get(fields, name) {
            None => Vec::new(),
            Some(Pod::Array(values)) => values.iter().filter_map(pod_text).collect(),
            Some(pod) => pod_text(pod)
                .map(|t| t.split(',').map(|t| t.trim().to_string()).collect())
                .unwrap_or_default(),
        };
        for tag in values {
            if !tag.is_empty() && !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }
    tags
}

/// The blocks of a Markdown body.
fn blocks(body: &str) -> Vec<Block> {
    let mut reader = Reader::default();
    for event in Parser::new(body) {
        reader.event(event);
    }
    reader.flush();
    reader.outline.blocks
}

/// Gathers the text of blocks from pulldown-cmark's events.
#[derive(Default)]
struct Reader {
    outline: Outline,
    inline: String,
    items: u32,
    quotes: u32,
    in_heading: bool,
    in_code: bool,
}

impl Reader {
    fn event(&mut self, event: Event) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                self.flush();
                self.in_heading = true;
            }
            Event::End(TagEnd::Heading(_)) => {
                let text = html::collapse(&std::mem::take(&mut self.inline));
                self.in_heading = false;
                if !text.is_empty() {
                    self.push(BlockKind::Heading, text);
                }
            }
            Event::Start(Tag::List(_)) => {
                self.flush();
                self.outline.open_list();
            }
            Event::End(TagEnd::List(_)) => {
                self.flush();
                self.outline.close_list();
            }
            Event::Start(Tag::Item) => self.enter(|r| &mut r.items),
            Event::End(TagEnd::Item) => self.leave(|r| &mut r.items),
            Event::Start(Tag::BlockQuote(_)) => self.enter(|r| &mut r.quotes),
            Event::End(TagEnd::BlockQuote(_)) => self.leave(|r| &mut r.quotes),
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => self.flush(),
            Event::Start(Tag::CodeBlock(_)) => {
                self.flush();
                self.in_code = true;
            }
            Event::End(TagEnd::CodeBlock) => {
                let code = std::mem::take(&mut self.inline);
                self.in_code = false;
                let code = code.trim_matches('\n').trim_end();
                if !code.trim().is_empty() {
                    self.push(BlockKind::Code, code.to_string());
                }
            }
            Event::Html(raw) => {
                self.flush();
                for block in html::fragment_blocks(&raw) {
                    self.push(block.kind, block.text);
                }
            }
            Event::Text(text) | Event::Code(text) => self.inline.push_str(&text),
            Event::SoftBreak | Event::HardBreak => self.inline.push(' '),
            _ => {}
        }
    }

    fn enter(&mut self, depth: fn(&mut Self) -> &mut u32) {
        self.flush();
        *depth(self) += 1;
    }

    fn leave(&mut self, depth: fn(&mut Self) -> &mut u32) {
        self.flush();
        *depth(self) -= 1;
    }

    fn flush(&mut self) {
        if self.in_code || self.in_heading {
            return;
        }
        let text = html::collapse(&std::mem::take(&mut self.inline));
        if text.is_empty() {
            return;
        }
        let kind = if self.items > 0 {
            BlockKind::Item
        } else if self.quotes > 0 {
            BlockKind::Quote
        } else {
            BlockKind::Paragraph
        };
        self.push(kind, text);
    }

    fn push(&mut self, kind: BlockKind, text: String) {
        self.outline.push(kind, text, false);
    }
}
