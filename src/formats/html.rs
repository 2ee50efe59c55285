//! HTML to blocks: the text of paragraphs, headings, list items, quotes,
//! captions and code, each with its context. Shared by the content of a
//! WordPress export and by saved pages.
//!
//! Inline markup goes (link text stays), `<br>` is a space, and text
//! outside any paragraph is split at blank lines, as WordPress renders its
//! stored content. Scripts, styles, navigation, headers, footers, forms
//! and asides are dropped; so is whatever the caller's `skip` says.

use scraper::node::Element;
use scraper::{ElementRef, Html, Node};

/// What a block of text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A paragraph, or loose text.
    Paragraph,
    /// A heading: the context of what follows it.
    Heading,
    /// A list item.
    Item,
    /// A paragraph of a block quote.
    Quote,
    /// A figure's caption.
    Caption,
    /// A code block, kept whole.
    Code,
}

/// A block of text and its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// What it is.
    pub kind: BlockKind,
    /// Its text, whitespace collapsed (a code block's kept).
    pub text: String,
    /// The line introducing its list, or the heading it is under.
    pub context: Option<String>,
    /// True inside an author box (`.author-bio`, `.author-info`).
    pub bio: bool,
}

/// Elements whose content is never text of the post.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "form", "aside",
    "iframe", "svg", "button", "select", "textarea", "object", "canvas", "head", "title",
];

/// Elements that end the text before them and start a new block.
const BLOCKS: &[&str] = &[
    "p", "div", "section", "article", "main", "table", "tr", "td", "th", "dl", "dt", "dd", "hr",
    "figure", "address", "details", "summary", "center",
];

/// Deepest nesting walked element by element; the text of anything deeper
/// is taken whole (a hostile page may nest without end).
const MAX_DEPTH: u32 = 200;

/// Classes of an author box: its paragraphs are the post's bio.
const BIO_CLASSES: &[&str] = &[
    "author-bio",
    "author-info",
    "author-box",
    "author-description",
];

/// The blocks of an HTML fragment (the stored content of a post, or a
/// comment): shortcodes removed, their inner text kept.
pub fn fragment_blocks(html: &str) -> Vec<Block> {
    let html = strip_shortcodes(html);
    let document = Html::parse_fragment(&html);
    element_blocks(document.root_element(), &|_| false)
}

/// The blocks under `root`, leaving out the elements `skip` names.
pub fn element_blocks(root: ElementRef, skip: &dyn Fn(&Element) -> bool) -> Vec<Block> {
    let mut walker = Walker {
        skip,
        outline: Outline::default(),
        inline: String::new(),
        items: 0,
        quotes: 0,
        captions: 0,
        explicit: 0,
        bios: 0,
        depth: 0,
    };
    walker.children(root);
    walker.flush();
    walker.outline.blocks
}

/// The blocks read so far, and the heading and lists they are under: what
/// gives each block its context, whatever markup it is read from (HTML
/// here, Markdown in [`super::markdown`]).
#[derive(Debug, Default)]
pub struct Outline {
    /// The blocks, in reading order.
    pub blocks: Vec<Block>,
    heading: Option<String>,
    /// The context of each list we are in.
    lists: Vec<Option<String>>,
}

impl Outline {
    /// Adds a block: a list item takes its list's context, anything else
    /// the heading it is under; a heading becomes the heading.
    pub fn push(&mut self, kind: BlockKind, text: String, bio: bool) {
        let context = match kind {
            BlockKind::Item => self.lists.last().cloned().flatten(),
            _ => self.heading.clone(),
        };
        if kind == BlockKind::Heading {
            self.heading = Some(text.clone());
        }
        self.blocks.push(Block {
            kind,
            text,
            context,
            bio,
        });
    }

    /// Enters a list: introduced by the paragraph just before it when that
    /// ends in a colon; else by the list or heading it is under.
    pub fn open_list(&mut self) {
        let intro = self
            .blocks
            .last()
            .filter(|b| b.kind == BlockKind::Paragraph && b.text.trim_end().ends_with(':'))
            .map(|b| strip_colon(&b.text).to_string());
        let context = intro
            .or_else(|| self.lists.last().cloned().flatten())
            .or_else(|| self.heading.clone());
        self.lists.push(context);
    }

    /// Leaves the list entered last.
    pub fn close_list(&mut self) {
        self.lists.pop();
    }

    /// True inside a list.
    pub fn in_list(&self) -> bool {
        !self.lists.is_empty()
    }
}

/// Walks the tree, gathering inline text into blocks.
struct Walker<'s> {
    skip: &'s dyn Fn(&Element) -> bool,
    outline: Outline,
    /// Inline text of the block being read.
    inline: String,
    items: u32,
    quotes: u32,
    captions: u32,
    /// Depth of explicit paragraphs (`p`, `li`, headings…): inside one,
    /// blank lines are only whitespace.
    explicit: u32,
    bios: u32,
    /// Elements walked into.
    depth: u32,
}

impl Walker<'_> {
    fn children(&mut self, element: ElementRef) {
        if self.depth >= MAX_DEPTH {
            let text: String = element.text().collect();
            self.text(&text);
            return;
        }
        self.depth += 1;
        for child in element.children() {
            match child.value() {
                Node::Text(text) => self.text(text),
                Node::Element(_) => {
                    if let Some(element) = ElementRef::wrap(child) {
                        self.element(element);
                    }
                }
                _ => {}
            }
        }
        self.depth -= 1;
    }

    fn text(&mut self, text: &str) {
        if self.explicit > 0 {
            self.inline.push_str(text);
            return;
        }
        // WordPress's stored content: a blank line ends a paragraph.
        let mut parts = split_at_blank_lines(text).peekable();
        while let Some(part) = parts.next() {
            self.inline.push_str(part);
            if parts.peek().is_some() {
                self.flush();
            }
        }
    }

    fn element(&mut self, element: ElementRef) {
        let value = element.value();
        let name = value.name();
        if DROPPED.contains(&name) || (self.skip)(value) {
            return;
        }
        let bio = value.classes().any(|c| BIO_CLASSES.contains(&c));
        self.bios += u32::from(bio);
        match name {
            "br" => self.inline.push(' '),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => self.heading(element),
            "ul" | "ol" => self.list(element),
            "li" => self.nested(element, |w| &mut w.items),
            "blockquote" => self.nested(element, |w| &mut w.quotes),
            "figcaption" => self.nested(element, |w| &mut w.captions),
            "pre" => {
                self.flush();
                let code: String = element.text().collect();
                let code = code.trim_matches('\n').trim_end();
                if !code.trim().is_empty() {
                    self.push(BlockKind::Code, code.to_string());
                }
            }
            _ if BLOCKS.contains(&name) => {
                self.flush();
                self.explicit += u32::from(name == "p");
                self.children(element);
                self.flush();
                self.explicit -= u32::from(name == "p");
            }
            _ => self.children(element),
        }
        self.bios -= u32::from(bio);
    }

    /// An element that is a block of its own kind while we are in it.
    fn nested(&mut self, element: ElementRef, depth: fn(&mut Self) -> &mut u32) {
        self.flush();
        *depth(self) += 1;
        self.explicit += 1;
        self.children(element);
        self.flush();
        self.explicit -= 1;
        *depth(self) -= 1;
    }

    fn heading(&mut self, element: ElementRef) {
        self.flush();
        let text = collapse(&element.text().collect::<String>());
        if !text.is_empty() {
            self.push(BlockKind::Heading, text);
        }
    }

    fn list(&mut self, element: ElementRef) {
        self.flush();
        self.outline.open_list();
        self.children(element);
        self.flush();
        self.outline.close_list();
    }

    fn kind(&self) -> BlockKind {
        if self.items > 0 && self.outline.in_list() {
            BlockKind::Item
        } else if self.captions > 0 {
            BlockKind::Caption
        } else if self.quotes > 0 {
            BlockKind::Quote
        } else {
            BlockKind::Paragraph
        }
    }

    /// Ends the block being read, if it holds any text.
    fn flush(&mut self) {
        let text = collapse(&self.inline);
        self.inline.clear();
        if !text.is_empty() {
            self.push(self.kind(), text);
        }
    }

    fn push(&mut self, kind: BlockKind, text: String) {
        self.outline.push(kind, text, self.bios > 0);
    }
}

/// `text` split at its blank lines.
fn split_at_blank_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        let mut search = 0;
        while let Some(at) = text[search..].find('\n') {
            let start = search + at + 1;
            let line_end = text[start..].find('\n').map(|n| start + n);
            match line_end {
                Some(end) if text[start..end].trim().is_empty() => {
                    rest = Some(&text[end..]);
                    return Some(&text[..start]);
                }
                _ => search = start,
            }
        }
        rest = None;
        Some(text)
    })
}

/// Whitespace runs (non-breaking spaces kept) become one space; the ends
/// are trimmed.
pub fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_ascii_whitespace() || c == '\u{200b}') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn strip_colon(text: &str) -> &str {
    let text = text.trim_end();
    text.strip_suffix(':').map_or(text, str::trim_end)
}

/// Shortcodes self-closing by nature (no closing tag, no inner text).
const SELF_CLOSING_SHORTCODES: &[&str] = &["gallery", "embed", "audio", "video", "playlist"];

/// `html` without its shortcode tags (`[caption id="…"]`, `[/caption]`),
/// their inner text kept. A bracketed word that is no shortcode (`[sic]`,
/// `[1]`) stays: a tag goes when it has attributes, a closing tag, or is
/// one of WordPress's own.
pub fn strip_shortcodes(html: &str) -> std::borrow::Cow<'_, str> {
    if !html.contains('[') {
        return html.into();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match shortcode_len(after, html) {
            Some(len) => rest = &after[len + 1..],
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// If `after` (the text after a `[`) starts a shortcode tag, the length
/// of the tag up to its `]`.
fn shortcode_len(after: &str, whole: &str) -> Option<usize> {
    let close = after.find(']')?;
    let tag = &after[..close];
    if tag.contains(['[', '\n']) {
        return None;
    }
    let closing = tag.starts_with('/');
    let name_part = tag.trim_start_matches('/');
    let name_len = name_part
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(name_part.len());
    let name = &name_part[..name_len];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let attributes = &name_part[name_len..];
    if !attributes.is_empty() && !attributes.starts_with([' ', '/']) {
        return None;
    }
    let is_tag = closing
        || attributes.contains('=')
        || SELF_CLOSING_SHORTCODES.contains(&name)
        || whole.contains(&format!("[/{name}]"));
    is_tag.then_some(close)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(html: &str) -> Vec<(BlockKind, String, Option<String>)> {
        fragment_blocks(html)
            .into_iter()
            .map(|b| (b.kind, b.text, b.context))
            .collect()
    }

    #[test]
    fn blank_lines_make_paragraphs_without_p() {
        let blocks = texts("Un <em>premier</em>\nparagraphe.\n\nUn second,<br/>suite.\n \nTrois.");
        assert_eq!(
            blocks,
            vec![
                (BlockKind::Paragraph, "Un premier paragraphe.".into(), None),
                (BlockKind::Paragraph, "Un second, suite.".into(), None),
                (BlockKind::Paragraph, "Trois.".into(), None),
            ]
        );
    }

    #[test]
    fn list_items_take_their_introducing_line() {
        let blocks = texts(
            "<h2>Partie</h2><p>Ils n’aiment pas :</p><ul><li>le <a href=\"x\">buzz</a></li></ul>\
             <ol><li>un</li></ol>",
        );
        assert_eq!(
            blocks,
            vec![
                (BlockKind::Heading, "Partie".into(), None),
                (
                    BlockKind::Paragraph,
                    "Ils n’aiment pas :".into(),
                    Some("Partie".into())
                ),
                (
                    BlockKind::Item,
                    "le buzz".into(),
                    Some("Ils n’aiment pas".into())
                ),
                (BlockKind::Item, "un".into(), Some("Partie".into())),
            ]
        );
    }

    #[test]
    fn block_comments_shortcodes_and_scripts_go() {
        let blocks = texts(
            "<!-- wp:paragraph --><p>Texte.</p><!-- /wp:paragraph -->\
             [caption id=\"a\" align=\"x\"]<img src=\"i.png\"/> Légende[/caption]\
             <script>alert(1)</script><blockquote><p>Cité.</p></blockquote>\
             <figure><figcaption>Figure</figcaption></figure><p>[sic] et [1]</p>",
        );
        let kinds: Vec<(BlockKind, &str)> = blocks.iter().map(|b| (b.0, b.1.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (BlockKind::Paragraph, "Texte."),
                (BlockKind::Paragraph, "Légende"),
                (BlockKind::Quote, "Cité."),
                (BlockKind::Caption, "Figure"),
                (BlockKind::Paragraph, "[sic] et [1]"),
            ]
        );
    }

    #[test]
    fn a_page_nested_without_end_is_read_whole() {
        let html = format!(
            "{}<p>profond</p>{}",
            "<div>".repeat(5_000),
            "</div>".repeat(5_000)
        );
        let blocks = texts(&html);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].1, "profond");
    }

    #[test]
    fn code_blocks_stay_whole() {
        let blocks = texts("<pre><code>fn main() {\n    rien();\n}\n</code></pre>");
        assert_eq!(blocks[0].1, "fn main() {\n    rien();\n}");
        assert_eq!(blocks[0].0, BlockKind::Code);
    }
}
