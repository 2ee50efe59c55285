//! Which words of a passage to mark: those its matched clauses matched.
//!
//! Every word a word clause matched, with the forms that matched (typed, or
//! found through a typo or a completion); for a phrase, the words of each
//! occurrence of the phrase, not its words elsewhere.

use super::compile::Matcher;
use crate::analysis::{StemmedWord, folded_words, stemmed_words};

/// Byte ranges of the words of `text` that `matchers` match.
pub fn highlight(text: &str, matchers: &[&Matcher]) -> Vec<(usize, usize)> {
    let folded: Vec<&str> = matchers
        .iter()
        .filter_map(|m| match m {
            Matcher::Folded(word) => Some(word.as_str()),
            _ => None,
        })
        .collect();
    if !folded.is_empty() {
        return folded_words(text)
            .into_iter()
            .filter(|w| folded.contains(&w.folded.as_str()))
            .map(|w| (w.start, w.end))
            .collect();
    }
    let words = stemmed_words(text);
    let mut marked = vec![false; words.len()];
    for matcher in matchers {
        match matcher {
            Matcher::Word(forms) => {
                for (i, word) in words.iter().enumerate() {
                    if has_form(word, forms) {
                        marked[i] = true;
                    }
                }
            }
            Matcher::Phrase {
                words: phrase,
                slop,
            } => {
                for start in 0..words.len() {
                    if let Some(occurrence) = phrase_at(&words, start, phrase, *slop) {
                        for i in occurrence {
                            marked[i] = true;
                        }
                    }
                }
            }
            Matcher::Folded(_) => {}
        }
    }
    words
        .iter()
        .zip(marked)
        .filter(|(_, m)| *m)
        .map(|(w, _)| (w.start, w.end))
        .collect()
}

fn has_form(word: &StemmedWord, forms: &[String]) -> bool {
    word.forms.iter().any(|f| forms.contains(f))
}

/// The word indices of an occurrence of `phrase` starting at `words[start]`,
/// each next word at most `slop` positions further than written, in all.
fn phrase_at(
    words: &[StemmedWord],
    start: usize,
    phrase: &[(usize, Vec<String>)],
    slop: usize,
) -> Option<Vec<usize>> {
    if !has_form(&words[start], &phrase[0].1) {
        return None;
    }
    let mut found = vec![start];
    let mut slack = slop;
    let mut previous = start;
    for pair in phrase.windows(2) {
        let (gap, forms) = (pair[1].0 - pair[0].0, &pair[1].1);
        let expected = words[previous].position + gap;
        let next = (previous + 1..words.len())
            .take_while(|&j| words[j].position <= expected + slack)
            .find(|&j| has_form(&words[j], forms))?;
        slack -= words[next].position - expected.min(words[next].position);
        found.push(next);
        previous = next;
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis;

    /// The words marked.
    fn marked<'a>(text: &'a str, matchers: &[&Matcher]) -> Vec<&'a str> {
        let marks = highlight(text, matchers);
        marks.into_iter().map(|(s, e)| &text[s..e]).collect()
    }

    fn phrase(words: &[&str], slop: usize) -> Matcher {
        let analysed = analysis::stemmed_words(&words.join(" "));
        let first = analysed[0].position;
        Matcher::Phrase {
            words: analysed
                .into_iter()
                .map(|w| (w.position - first, w.forms))
                .collect(),
            slop,
        }
    }

    #[test]
    fn a_phrase_marks_its_occurrence_only() {
        let text = "Les médias sont sociaux, les médias sociaux aussi.";
        let matcher = phrase(&["médias", "sociaux"], 0);
        assert_eq!(marked(text, &[&matcher]), ["médias", "sociaux"]);
        assert_eq!(
            highlight(text, &[&matcher])[0].0,
            text.rfind("médias").unwrap()
        );
    }

    #[test]
    fn slop_lets_words_apart() {
        let text = "les médias très sociaux";
        assert!(marked(text, &[&phrase(&["médias", "sociaux"], 0)]).is_empty());
        assert_eq!(
            marked(text, &[&phrase(&["médias", "sociaux"], 1)]),
            ["médias", "sociaux"]
        );
    }

    #[test]
    fn words_are_marked_wherever_they_are() {
        let forms = analysis::stemmed_words("dirigeant")[0].forms.clone();
        let text = "Les dirigeants, un dirigeant.";
        assert_eq!(
            marked(text, &[&Matcher::Word(forms)]),
            ["dirigeants", "dirigeant"]
        );
    }
}
