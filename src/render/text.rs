//! The text output of `search`, for people.
//!
//! ```text
//! 1. Pourquoi les cadres dirigeants détestent-ils les médias sociaux? › Commentaire de Milouse · 3 août 2010
//!    Et si tout simplement ils n’aimaient pas [écrire] ?
//!    cadres-dirigeants-medias-sociaux/comment/1/1 · https://blog.example/cadres/#comment-12
//! ```
//!
//! The date and the link show when the post's format gives them.
//!
//! Matched words are bold red on a terminal, `[between brackets]` without
//! colour. Passage text comes from strangers' comments: control and
//! bidirectional-override characters are shown escaped (`\u{202e}`), never
//! sent to the terminal.

use std::borrow::Cow;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::{french_date, location};
use crate::search::{Explanation, Hit, Results};

const HIGHLIGHT: Style = AnsiColor::Red.on_default().bold();
const LOCATION: Style = AnsiColor::Cyan.on_default();
const ID: Style = AnsiColor::Green.on_default();
const RANK: Style = Style::new().bold();
/// Indentation of the lines under a hit's header.
const INDENT: &str = "   ";
/// Longest context shown in a hit's header, in characters.
const CONTEXT_CHARS: usize = 60;

/// Writes the hits, one block each, and a line when more matched than shown.
pub fn write_results(out: &mut impl Write, results: &Results, color: bool) -> io::Result<()> {
    for (i, hit) in results.hits.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_hit(out, hit, color)?;
    }
    if results.total > results.hits.len() && !results.hits.is_empty() {
        writeln!(
            out,
            "\n{} of {} matching passages shown (--limit to see more)",
            results.hits.len(),
            results.total
        )?;
    }
    Ok(())
}

fn paint<'a>(text: &'a str, style: Style, color: bool) -> Cow<'a, str> {
    if color {
        Cow::Owned(format!("{style}{text}{style:#}"))
    } else {
        Cow::Borrowed(text)
    }
}

fn write_hit(out: &mut impl Write, hit: &Hit, color: bool) -> io::Result<()> {
    let p = &hit.passage;
    write!(
        out,
        "{} {} › {}",
        paint(&format!("{}.", hit.rank), RANK, color),
        sanitize(&p.title),
        paint(&sanitize(&location(p)), LOCATION, color)
    )?;
    if let Some(context) = p.context.as_deref().filter(|c| *c != location(p)) {
        write!(out, "{}", paint(" › ", LOCATION, color))?;
        let shown = shorten(context, CONTEXT_CHARS);
        // The marks of the context, as far as it is shown.
        let kept = shown.len()
            - if shown.len() < context.len() {
                "…".len()
            } else {
                0
            };
        let marks: Vec<(usize, usize)> = hit
            .context_highlights
            .iter()
            .copied()
            .filter(|&(_, end)| end <= kept)
            .collect();
        write_marked(out, &shown, &marks, Some(LOCATION), color)?;
    }
    if let Some(date) = &p.date {
        write!(
            out,
            "{}",
            paint(&format!(" · {}", french_date(date)), LOCATION, color)
        )?;
    }
    writeln!(out)?;
    write!(out, "{INDENT}")?;
    let snippet = &hit.snippet;
    write_marked(out, &snippet.text, &snippet.highlights, None, color)?;
    writeln!(out)?;
    write!(out, "{INDENT}{}", paint(&p.id, ID, color))?;
    if let Some(url) = &p.url {
        write!(out, " · {}", sanitize(url))?;
    }
    if !hit.duplicates.is_empty() {
        write!(out, " (même texte : {})", hit.duplicates.join(", "))?;
    }
    writeln!(out)?;
    if let Some(explanation) = &hit.explanation {
        write_explanation(out, hit.score, explanation)?;
    }
    Ok(())
}

/// The `--explain` lines under a hit.
fn write_explanation(out: &mut impl Write, score: f32, why: &Explanation) -> io::Result<()> {
    writeln!(
        out,
        "{INDENT}score {score:.4}: {} clause{} matched, {} by typo or completion; title {:+.4}",
        why.clauses_matched,
        if why.clauses_matched == 1 { "" } else { "s" },
        why.inexact,
        why.title
    )?;
    for clause in &why.clauses {
        writeln!(
            out,
            "{INDENT}  {} ({}) {:+.4}",
            sanitize(&clause.clause),
            clause.matched,
            clause.score
        )?;
        for term in &clause.terms {
            let weight = if (term.weight - 1.0).abs() > 1e-6 {
                format!(" ×{}", term.weight)
            } else {
                String::new()
            };
            writeln!(
                out,
                "{INDENT}    {}:{}{weight} {:+.4} = BM25(freq {}, idf {:.3}, length {} / avg {:.1})",
                term.field,
                sanitize(&term.term),
                term.score,
                term.freq,
                term.idf,
                term.length,
                term.average_length
            )?;
        }
    }
    Ok(())
}

/// Writes `text` with its `marks` (byte ranges) bold red on a terminal,
/// `[between brackets]` without colour; the rest in `style`.
fn write_marked(
    out: &mut impl Write,
    text: &str,
    marks: &[(usize, usize)],
    style: Option<Style>,
    color: bool,
) -> io::Result<()> {
    let plain = |out: &mut dyn Write, part: &str| -> io::Result<()> {
        match style {
            Some(style) => write!(out, "{}", paint(&sanitize(part), style, color)),
            None => write_plain(out, part),
        }
    };
    let mut at = 0;
    for &(start, end) in marks {
        plain(out, &text[at..start])?;
        let word = sanitize(&text[start..end]);
        if color {
            write!(out, "{}", paint(&word, HIGHLIGHT, true))?;
        } else {
            write!(out, "[{word}]")?;
        }
        at = end;
    }
    plain(out, &text[at..])
}

/// Writes snippet text, indenting the lines after a line break.
fn write_plain(out: &mut dyn Write, text: &str) -> io::Result<()> {
    let mut lines = text.split('\n');
    if let Some(first) = lines.next() {
        write!(out, "{}", sanitize(first))?;
    }
    for line in lines {
        write!(out, "\n{INDENT}{}", sanitize(line))?;
    }
    Ok(())
}

fn shorten(text: &str, max: usize) -> Cow<'_, str> {
    if text.chars().count() <= max {
        return Cow::Borrowed(text);
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    Cow::Owned(format!("{}…", cut.trim_end()))
}

/// True for characters that must not reach a terminal raw: controls (line
/// breaks are laid out by the caller), bidirectional overrides and isolates.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Escapes unsafe characters as `\u{…}`.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            safe.push_str(&c.escape_unicode().to_string());
        } else {
            safe.push(c);
        }
    }
    Cow::Owned(safe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_overrides() {
        assert_eq!(sanitize("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(sanitize("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(sanitize("médias sociaux"), "médias sociaux");
    }

    #[test]
    fn shortens_at_a_word() {
        assert_eq!(shorten("un deux trois", 8), "un deux…");
        assert_eq!(shorten("court", 8), "court");
    }
}
