//! From the parsed query to tantivy queries.
//!
//! Each clause gets an *exact* query — its analysed forms in the passage
//! text, plus the introducing line at a lower boost — and, for a word typed
//! without `*`, an *inexact* one: the commoner indexed words within a small
//! edit distance of it (typos), and for the last word of the query the
//! words it begins (search-as-you-type). Typos and completions are looked
//! up among the indexed words as written (see [`super::words`]), then
//! stemmed and searched in the text like typed words, at a lower weight.

use tantivy::Score;
use tantivy::query::{BoostQuery, Query as TantivyQuery};

use super::filter::{FilterPart, filter};
use super::leaves::{Leaf, Place, Places, form_leaves, phrase_leaves, term_query, word_query};
use super::words::{Vocabulary, typo_distance};
use crate::analysis::{self, AnalyzedWord, Dropped, StemmedWord};
use crate::error::Result;
use crate::index::Fields;
use crate::query::{self, Occur, Query};

/// Weight of a word that is (part of) a comment author's name.
pub const AUTHOR_BOOST: Score = 0.5;
/// Weight of a match in the post title, relative to text.
pub const TITLE_BOOST: Score = 0.2;
/// Weight of a word found within the edit distance of a typed word.
pub const TYPO_BOOST: Score = 0.5;
/// Weight of a word the last typed word begins (search-as-you-type).
pub const COMPLETION_BOOST: Score = 0.3;
/// Most words a typo expands to (the most frequent first).
const MAX_TYPOS: usize = 20;
/// Most words the last word completes to (the most frequent first): a
/// search-as-you-type suggestion, not an exhaustive prefix search.
const MAX_COMPLETIONS: usize = 10;
/// Most words an explicit `prefix*` expands to.
const MAX_PREFIX_EXPANSIONS: usize = 100;
/// Shortest last word completed as a prefix.
const MIN_COMPLETION_CHARS: usize = 3;

/// How a clause matches a passage, for highlighting: the forms its words
/// are indexed under, or a phrase of them.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// Words with one of these forms.
    Word(Vec<String>),
    /// Words in sequence: offset from the first word, and forms.
    Phrase {
        /// Each word's position offset and forms.
        words: Vec<(usize, Vec<String>)>,
        /// Extra positions allowed between them.
        slop: usize,
    },
    /// A word as written, accents aside, stop words included: a word of a
    /// query made only of stop words.
    Folded(String),
}

impl Matcher {
    /// The forms of each of its words.
    pub fn word_forms(&self) -> Vec<&[String]> {
        match self {
            Matcher::Word(forms) => vec![forms],
            Matcher::Phrase { words, .. } => words.iter().map(|(_, f)| f.as_slice()).collect(),
            Matcher::Folded(_) => Vec::new(),
        }
    }
}

/// One clause, compiled.
pub struct Clause {
    /// Must, should or must not.
    pub occur: Occur,
    /// The clause as typed, for `--explain`.
    pub label: String,
    /// The typed words (their analysed forms), a phrase, or a prefix.
    pub exact: Vec<Leaf>,
    /// Typos and completions, ranked below exact matches.
    pub inexact: Vec<Leaf>,
    /// What to highlight for an exact match.
    pub exact_matcher: Matcher,
    /// What to highlight for an inexact match.
    pub inexact_matcher: Option<Matcher>,
}

/// The query compiled into tantivy queries.
pub struct Compiled {
    /// The clauses that had words left after analysis.
    pub clauses: Vec<Clause>,
    /// Title matches: they add to the score of matching passages only.
    pub boosts: Vec<Box<dyn TantivyQuery>>,
    /// The `kind:` and `author:` filters: parts that must and must not
    /// match; none when there is no filter.
    pub filter: Vec<FilterPart>,
    /// The clauses analysis left nothing of, and why.
    pub dropped: Vec<(String, Dropped)>,
}

/// What a query is compiled against.
pub struct Compiler<'a> {
    /// The index's fields.
    pub fields: &'a Fields,
    /// Its words, for typos and completions.
    pub words: &'a Vocabulary<'a>,
    /// The places its passages use.
    pub places: Places,
    /// Typos and completion of the last word on.
    pub tolerant: bool,
}

impl Compiler<'_> {
    /// Compiles the clauses of `parsed`.
    pub fn compile(&self, parsed: &Query) -> Result<Compiled> {
        let mut compiled = Compiled {
            clauses: Vec::new(),
            boosts: Vec::new(),
            filter: filter(parsed, self.fields),
            dropped: Vec::new(),
        };
        let last_word = parsed
            .clauses
            .iter()
            .rposition(|c| c.occur != Occur::MustNot)
            .filter(|&i| {
                let term = &parsed.clauses[i].term;
                matches!(term, query::Term::Word { prefix: false, .. })
            });
        for (i, clause) in parsed.clauses.iter().enumerate() {
            let Some(compiled_clause) = self.clause(clause, last_word == Some(i))? else {
                let (query::Term::Word { text, .. } | query::Term::Phrase { text, .. }) =
                    &clause.term;
                compiled
                    .dropped
                    .push((text.clone(), analysis::why_dropped(text)));
                continue;
            };
            if clause.occur != Occur::MustNot {
                for forms in compiled_clause.exact_matcher.word_forms() {
                    let title = word_query(self.fields.title, forms);
                    compiled
                        .boosts
                        .push(Box::new(BoostQuery::new(title, TITLE_BOOST)));
                }
            }
            compiled.clauses.push(compiled_clause);
        }
        if compiled.clauses.iter().all(|c| c.occur == Occur::MustNot) {
            self.stop_word_clauses(parsed, &mut compiled);
        }
        Ok(compiled)
    }

    /// A query whose every searched clause was stop words (`été`, `il y a`)
    /// searches their words as written, in the `words` field that keeps
    /// them: each word a clause, so that passages with all of them rank
    /// first. Beside other words, stop words are left out as before.
    fn stop_word_clauses(&self, parsed: &Query, compiled: &mut Compiled) {
        let searched = parsed.clauses.iter().filter(|c| c.occur != Occur::MustNot);
        let texts: Vec<&str> = searched
            .map(|c| match &c.term {
                query::Term::Word { text, .. } | query::Term::Phrase { text, .. } => text.as_str(),
            })
            .collect();
        let stop_words_only = compiled
            .dropped
            .iter()
            .all(|(text, why)| *why == Dropped::StopWords || !texts.contains(&text.as_str()));
        if texts.is_empty() || !stop_words_only {
            return;
        }
        let mut words: Vec<String> = Vec::new();
        for word in texts.iter().flat_map(|t| analysis::folded_words(t)) {
            if !words.contains(&word.folded) {
                words.push(word.folded);
            }
        }
        for word in words {
            compiled.clauses.push(Clause {
                occur: Occur::Should,
                label: word.clone(),
                exact: vec![Leaf {
                    place: Place::Text,
                    term: word.clone(),
                    weight: 1.0,
                    query: term_query(self.fields.words, &word),
                }],
                inexact: Vec::new(),
                exact_matcher: Matcher::Folded(word),
                inexact_matcher: None,
            });
        }
        compiled
            .dropped
            .retain(|(_, why)| *why != Dropped::StopWords);
    }

    /// One clause; `None` when analysis leaves nothing of it (stop words).
    fn clause(&self, clause: &query::Clause, last_word: bool) -> Result<Option<Clause>> {
        let occur = clause.occur;
        Ok(match &clause.term {
            query::Term::Word { text, prefix: true } => self.prefix_clause(occur, text)?,
            query::Term::Word {
                text,
                prefix: false,
            } => match analysis::analyze(text).as_slice() {
                [word] => {
                    let typos = self.tolerant && occur != Occur::MustNot;
                    let completion = typos && last_word;
                    Some(self.word_clause(occur, text, word, typos, completion)?)
                }
                // A word the analyzer splits, like `multi-canal`, is a phrase.
                words => {
                    let words: Vec<StemmedWord> = words.iter().map(|w| w.stemmed.clone()).collect();
                    self.phrase_clause(occur, text, &words, 0)
                }
            },
            query::Term::Phrase { text, slop } => {
                self.phrase_clause(occur, text, &analysis::stemmed_words(text), *slop)
            }
        })
    }

    /// A word: its forms; with `typos`, the words within its edit
    /// distance, and with `completion`, the words it begins.
    fn word_clause(
        &self,
        occur: Occur,
        text: &str,
        word: &AnalyzedWord,
        typos: bool,
        completion: bool,
    ) -> Result<Clause> {
        let forms = word.stemmed.forms.clone();
        let mut exact = form_leaves(&forms, self.fields, self.places, 1.0);
        if self.places.author {
            exact.push(Leaf {
                place: Place::Author,
                term: word.folded.clone(),
                weight: AUTHOR_BOOST,
                query: term_query(self.fields.author, &word.folded),
            });
        }
        let mut inexact = Vec::new();
        let mut inexact_forms: Vec<String> = Vec::new();
        let mut add = |expanded: Vec<String>, weight: Score| {
            let found: Vec<String> = forms_of_words(&expanded)
                .into_iter()
                .filter(|f| !forms.contains(f) && !inexact_forms.contains(f))
                .collect();
            inexact.extend(form_leaves(&found, self.fields, self.places, weight));
            inexact_forms.extend(found);
        };
        if let Some(distance) = typo_distance(&word.folded).filter(|_| typos) {
            add(
                self.words.typos(&word.folded, distance, MAX_TYPOS)?,
                TYPO_BOOST,
            );
        }
        if completion && word.folded.chars().count() >= MIN_COMPLETION_CHARS {
            add(
                self.words.completions(&word.folded, MAX_COMPLETIONS)?,
                COMPLETION_BOOST,
            );
        }
        Ok(Clause {
            occur,
            label: text.to_string(),
            exact,
            inexact_matcher: (!inexact.is_empty()).then_some(Matcher::Word(inexact_forms)),
            inexact,
            exact_matcher: Matcher::Word(forms),
        })
    }

    /// `word*`: the indexed words it begins, searched like typed words.
    fn prefix_clause(&self, occur: Occur, text: &str) -> Result<Option<Clause>> {
        let Some(prefix) = analysis::name_words(text).pop() else {
            return Ok(None);
        };
        let words = self.words.completions(&prefix, MAX_PREFIX_EXPANSIONS)?;
        let forms = forms_of_words(&words);
        Ok(Some(Clause {
            occur,
            label: format!("{text}*"),
            exact: form_leaves(&forms, self.fields, self.places, 1.0),
            inexact: Vec::new(),
            exact_matcher: Matcher::Word(forms),
            inexact_matcher: None,
        }))
    }

    /// A phrase, or a single word when only one is left after analysis.
    fn phrase_clause(
        &self,
        occur: Occur,
        text: &str,
        words: &[StemmedWord],
        slop: u32,
    ) -> Option<Clause> {
        let (exact, exact_matcher) = match words {
            [] => return None,
            [word] => (
                form_leaves(&word.forms, self.fields, self.places, 1.0),
                Matcher::Word(word.forms.clone()),
            ),
            _ => {
                let first = words[0].position;
                let words_forms = words
                    .iter()
                    .map(|w| (w.position - first, w.forms.clone()))
                    .collect();
                (
                    phrase_leaves(text, words, slop, self.fields, self.places),
                    Matcher::Phrase {
                        words: words_forms,
                        slop: slop as usize,
                    },
                )
            }
        };
        Some(Clause {
            occur,
            label: text.to_string(),
            exact,
            inexact: Vec::new(),
            exact_matcher,
            inexact_matcher: None,
        })
    }
}

/// The stemmed forms of folded words found in the vocabulary.
fn forms_of_words(words: &[String]) -> Vec<String> {
    let mut forms: Vec<String> = words
        .iter()
        .flat_map(|word| analysis::stemmed_words(word))
        .flat_map(|word| word.forms)
        .collect();
    forms.sort();
    forms.dedup();
    forms
}
