//! Snippets: the part of a passage to show, with the matched words marked.
//!
//! A passage of at most [`WHOLE_CHARS`] characters is shown whole. A longer
//! one is cut to a window of about [`WINDOW_CHARS`] characters around the
//! densest run of matched words, at word boundaries, with `…` where text was
//! cut. Highlights are byte ranges into the snippet, one per matched word.

/// Passages up to this many characters are shown whole.
pub const WHOLE_CHARS: usize = 200;
/// Target length of a cut snippet, in characters (before snapping to words).
pub const WINDOW_CHARS: usize = 180;
/// A window starting this close to the beginning starts at it.
const LEAD_CHARS: usize = 25;
/// A cut moves at most this far to fall between two words; past that (a
/// long link, a run of punctuation) it cuts inside the run of characters,
/// and the snippet stays short.
const SNAP_CHARS: usize = 20;
/// The mark of cut text.
pub const ELLIPSIS: &str = "…";

/// A snippet and its highlights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The text shown: a substring of the passage, with `…` where cut.
    pub text: String,
    /// Byte ranges of matched words in `text`, sorted, not overlapping.
    pub highlights: Vec<(usize, usize)>,
}

/// Cuts a snippet out of `text` around `marks` (byte ranges of matched
/// words in `text`, sorted).
pub fn make(text: &str, marks: &[(usize, usize)]) -> Snippet {
    // Byte offset of every char, plus the end.
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let chars = bounds.len() - 1;
    if chars <= WHOLE_CHARS {
        return Snippet {
            text: text.to_string(),
            highlights: marks.to_vec(),
        };
    }
    let char_at = |byte: usize| bounds.partition_point(|&b| b < byte);
    let span = densest_run(marks, char_at);
    let (start, end) = window(span, chars);
    let is_space = |i: usize| text[bounds[i]..].starts_with(char::is_whitespace);
    let (start, end) = snap_to_words((start, end), span, chars, is_space);
    let (from, to) = (bounds[start], bounds[end]);
    let prefix = if start > 0 { ELLIPSIS } else { "" };
    let suffix = if end < chars { ELLIPSIS } else { "" };
    let shift = prefix.len();
    Snippet {
        text: format!("{prefix}{}{suffix}", &text[from..to]),
        highlights: marks
            .iter()
            .filter(|&&(s, e)| s >= from && e <= to)
            .map(|&(s, e)| (s - from + shift, e - from + shift))
            .collect(),
    }
}

/// The characters from the first to the last mark of the run of marks
/// that fits in a window and holds the most of them; `(0, 0)` without marks.
fn densest_run(marks: &[(usize, usize)], char_at: impl Fn(usize) -> usize) -> (usize, usize) {
    let (mut first, mut last) = (0, 0);
    let mut best = 0;
    let mut j = 0;
    for i in 0..marks.len() {
        j = j.max(i);
        while j + 1 < marks.len() && char_at(marks[j + 1].1) - char_at(marks[i].0) <= WINDOW_CHARS {
            j += 1;
        }
        if j + 1 - i > best {
            best = j + 1 - i;
            (first, last) = (i, j);
        }
    }
    if marks.is_empty() {
        (0, 0)
    } else {
        (char_at(marks[first].0), char_at(marks[last].1))
    }
}

/// The window around `span` (in characters): a third of the remaining room
/// before it, the rest after; from the beginning when it would start close
/// to it.
fn window((span_start, span_end): (usize, usize), chars: usize) -> (usize, usize) {
    let room = WINDOW_CHARS.saturating_sub(span_end - span_start);
    let mut start = span_start.saturating_sub(room / 3);
    let mut end = (span_end + (room - (span_start - start))).min(chars);
    if end == chars {
        start = start.saturating_sub(WINDOW_CHARS.saturating_sub(end - start));
    }
    // Rather than cut a few words off the beginning, show it.
    if start <= LEAD_CHARS {
        end = end.saturating_sub(start).max(span_end);
        start = 0;
    }
    (start, end)
}

/// Moves the window's cuts to word boundaries, never losing a matched word
/// of `span`, and at most [`SNAP_CHARS`] inside a long run without spaces.
fn snap_to_words(
    (mut start, mut end): (usize, usize),
    (span_start, span_end): (usize, usize),
    chars: usize,
    is_space: impl Fn(usize) -> bool,
) -> (usize, usize) {
    if start > 0 && !is_space(start - 1) {
        let mut s = start;
        while s < span_start && !is_space(s) {
            s += 1;
        }
        // Back off to the start of the word if the cut would go past a match.
        start = if s < span_start || span_start == span_end {
            s
        } else {
            word_start(start, &is_space).max(start.saturating_sub(SNAP_CHARS))
        };
    }
    if end < chars && !is_space(end) {
        let mut e = end;
        while e > span_end && !is_space(e - 1) {
            e -= 1;
        }
        end = if e > span_end {
            e
        } else {
            word_end(end, chars, &is_space).min(end + SNAP_CHARS)
        };
    }
    while start < end && is_space(start) {
        start += 1;
    }
    while end > start && is_space(end - 1) {
        end -= 1;
    }
    (start, end)
}

fn word_start(mut i: usize, is_space: &impl Fn(usize) -> bool) -> usize {
    while i > 0 && !is_space(i - 1) {
        i -= 1;
    }
    i
}

fn word_end(mut i: usize, chars: usize, is_space: &impl Fn(usize) -> bool) -> usize {
    while i < chars && !is_space(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks_of(text: &str, word: &str) -> Vec<(usize, usize)> {
        text.match_indices(word)
            .map(|(i, w)| (i, i + w.len()))
            .collect()
    }

    #[test]
    fn short_passages_are_whole() {
        let text = "Et si tout simplement ils n’aimaient pas écrire ?";
        let snippet = make(text, &marks_of(text, "écrire"));
        assert_eq!(snippet.text, text);
        assert_eq!(
            &snippet.text[snippet.highlights[0].0..snippet.highlights[0].1],
            "écrire"
        );
    }

    #[test]
    fn long_passages_are_cut_at_words_around_the_matches() {
        let text = format!(
            "{} cible {}",
            "début ".repeat(60).trim(),
            "fin ".repeat(60).trim()
        );
        let snippet = make(&text, &marks_of(&text, "cible"));
        assert!(snippet.text.starts_with(ELLIPSIS) && snippet.text.ends_with(ELLIPSIS));
        let inner = snippet
            .text
            .trim_start_matches(ELLIPSIS)
            .trim_end_matches(ELLIPSIS);
        assert!(text.contains(inner));
        assert!(inner.starts_with("début") && inner.ends_with("fin"));
        let chars = inner.chars().count();
        assert!((150..=200).contains(&chars), "{chars}");
        let (s, e) = snippet.highlights[0];
        assert_eq!(&snippet.text[s..e], "cible");
    }

    #[test]
    fn picks_the_densest_run_of_matches() {
        let text = format!(
            "mot {} mot mot mot {}",
            "x ".repeat(150).trim(),
            "y ".repeat(150).trim()
        );
        let snippet = make(&text, &marks_of(&text, "mot"));
        assert_eq!(snippet.highlights.len(), 3);
    }

    #[test]
    fn a_window_near_the_beginning_starts_there() {
        let text = format!("Le début puis la cible {}", "mot ".repeat(80));
        let snippet = make(&text, &marks_of(&text, "cible"));
        assert!(snippet.text.starts_with("Le début"));
        assert!(snippet.text.ends_with(ELLIPSIS));
    }

    /// A cut that falls inside a long run of characters without a space
    /// (a link) cuts inside it rather than show the whole run.
    #[test]
    fn a_long_run_without_spaces_is_cut_inside() {
        // The matched word inside a link of 300 characters, the link
        // after 60 words or before them.
        let link = format!(
            "https://exemple.fr/{}cible/{}",
            "avant/".repeat(20),
            "apres/".repeat(25)
        );
        for text in [
            format!("{} {link} fin", "mot ".repeat(60).trim()),
            format!("début {link} {}", "fin ".repeat(60).trim()),
        ] {
            let snippet = make(&text, &marks_of(&text, "cible"));
            let chars = snippet.text.chars().count();
            assert!(
                chars <= WINDOW_CHARS + 2 * SNAP_CHARS + 2,
                "{chars}: {}",
                snippet.text
            );
            assert!(snippet.text.ends_with(ELLIPSIS), "{}", snippet.text);
            let (s, e) = snippet.highlights[0];
            assert_eq!(&snippet.text[s..e], "cible");
            let inner = snippet
                .text
                .trim_start_matches(ELLIPSIS)
                .trim_end_matches(ELLIPSIS);
            assert!(text.contains(inner));
        }
        // The case a property test found: a cut inside a run of
        // punctuation and letters 80 characters long.
        let text = ",’.«.à’a\n,àa, \nà».\nà\nè»,,,«àa, aè«’«è\n’.è ,«a«,a,’’»a\n«è»èàèàaà aaaà\n»àè».,\na’,»\n’«\n«a\na\n è«,a«èà«««è , »»\n«a«..»aaèèàaè,àaaa«\n\n’\n\n,a,è’»è\naèa.,’.’àa,»a\nè..à«aàa.èè.\n  a»«’èà»»»\na.è»a,a«èè.aààa««à»aèèaàaè’a.’a.«èaàf«’nàfwi.je’d«««à.às»è.voà«’à«’,\n \n\n,’\n«.,«\n’.\n »..’";
        let marks: Vec<(usize, usize)> = crate::analysis::stemmed_words(text)
            .into_iter()
            .step_by(3)
            .map(|w| (w.start, w.end))
            .collect();
        let snippet = make(text, &marks);
        let chars = snippet.text.chars().count();
        assert!(
            chars <= WINDOW_CHARS + 2 * SNAP_CHARS + 2,
            "{chars}: {}",
            snippet.text
        );
    }

    #[test]
    fn without_matches_shows_the_beginning() {
        let text = "mot ".repeat(100);
        let snippet = make(&text, &[]);
        assert!(snippet.text.starts_with("mot") && snippet.text.ends_with(ELLIPSIS));
    }
}
