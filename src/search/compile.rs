//! From the parsed query to tantivy queries.
//!
//! Each clause gets an *exact* query — its analysed forms in the passage
//! text, plus the introducing line at a lower boost — and, for a word typed
//! without `*`, an *inexact* one: the indexed words within a small edit
//! distance of it (typos), and for the last word of the query the words it
//! begins (search-as-you-type). Typo and prefix matching look up the word
//! dictionary (folded, unstemmed words; see `index::words`), because tantivy's fuzzy and prefix queries do
//! not analyse their term: `narcisique` is far from the stem `narciss`, but
//! one edit from the word `narcissique`. The words found are then stemmed
//! and searched in the text like typed words, at a lower weight.

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, Occur as TantivyOccur,
    PhraseQuery, Query as TantivyQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, Term};

use crate::analysis::{self, AnalyzedWord};
use crate::error::Result;
use crate::index::{Fields, Words};
use crate::passages::Kind;
use crate::query::{self, Occur, Query};

use super::typos::Typos;

/// Weight of a match in the introducing line or heading, relative to text.
pub const CONTEXT_BOOST: Score = 0.5;
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
}

impl Matcher {
    /// The forms of each of its words.
    pub fn word_forms(&self) -> Vec<&[String]> {
        match self {
            Matcher::Word(forms) => vec![forms],
            Matcher::Phrase { words, .. } => words.iter().map(|(_, f)| f.as_slice()).collect(),
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
    /// match, each on one field or on every passage; none when there is
    /// no filter.
    pub filter: Vec<(TantivyOccur, Box<dyn TantivyQuery>)>,
    /// Words dropped as stop words.
    pub stop_words: Vec<String>,
}

/// Where a leaf searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The passage text.
    Text,
    /// The line introducing its list, or its heading.
    Context,
    /// The comment author's name.
    Author,
}

impl Place {
    /// Its name in `--explain`.
    pub fn name(self) -> &'static str {
        match self {
            Place::Text => "text",
            Place::Context => "context",
            Place::Author => "author",
        }
    }
}

/// One scored term or phrase of a clause. A clause scores, in each place,
/// the best of its leaves there (a word's two forms, typo candidates), and
/// adds up the places.
pub struct Leaf {
    /// Where it searches.
    pub place: Place,
    /// The term (a stem, a folded name) or the phrase, for `--explain`.
    pub term: String,
    /// Its weight: context, author, typo and completion weights.
    pub weight: Score,
    /// The unweighted tantivy query.
    pub query: Box<dyn TantivyQuery>,
}

fn term_query(field: Field, form: &str) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, form),
        IndexRecordOption::WithFreqs,
    ))
}

/// A word in one field: the best of its forms.
fn word_query(field: Field, forms: &[String]) -> Box<dyn TantivyQuery> {
    match forms {
        [] => Box::new(EmptyQuery),
        [form] => term_query(field, form),
        _ => Box::new(DisjunctionMaxQuery::new(
            forms.iter().map(|f| term_query(field, f)).collect(),
        )),
    }
}

/// The places of words and phrases: text, and context at a lower weight.
fn text_places(fields: &Fields) -> [(Place, Field, Score); 2] {
    [
        (Place::Text, fields.text, 1.0),
        (Place::Context, fields.context, CONTEXT_BOOST),
    ]
}

/// Leaves for stemmed forms in the text, and in the context at a lower
/// weight, each scaled by `weight`.
fn form_leaves(forms: &[String], fields: &Fields, weight: Score) -> Vec<Leaf> {
    let mut leaves = Vec::new();
    for (place, field, place_weight) in text_places(fields) {
        for form in forms {
            leaves.push(Leaf {
                place,
                term: form.clone(),
                weight: weight * place_weight,
                query: term_query(field, form),
            });
        }
    }
    leaves
}

/// Leaves for a phrase in text and context: all stem-then-fold forms in
/// sequence, or all fold-then-stem forms, whichever scores higher.
fn phrase_leaves(label: &str, words: &[AnalyzedWord], slop: u32, fields: &Fields) -> Vec<Leaf> {
    let first = words[0].position;
    let variant = |field: Field, pick: fn(&Vec<String>) -> &String| {
        let terms = words
            .iter()
            .map(|w| {
                (
                    w.position - first,
                    Term::from_field_text(field, pick(&w.forms)),
                )
            })
            .collect();
        PhraseQuery::new_with_offset_and_slop(terms, slop)
    };
    let mut leaves = Vec::new();
    for (place, field, weight) in text_places(fields) {
        let stem_first = variant(field, |forms| &forms[0]);
        let fold_first = variant(field, |forms| forms.last().expect("a word has a form"));
        let same = stem_first.phrase_terms() == fold_first.phrase_terms();
        leaves.push(Leaf {
            place,
            term: format!("\"{label}\""),
            weight,
            query: Box::new(stem_first),
        });
        if !same {
            leaves.push(Leaf {
                place,
                term: format!("\"{label}\""),
                weight,
                query: Box::new(fold_first),
            });
        }
    }
    leaves
}

/// The tantivy query of a clause's leaves: in each place the best leaf,
/// places added up.
pub fn leaves_query(leaves: &[Leaf]) -> Box<dyn TantivyQuery> {
    let mut places: Vec<(Place, Vec<Box<dyn TantivyQuery>>)> = Vec::new();
    for leaf in leaves {
        let query = leaf.query.box_clone();
        let weighted: Box<dyn TantivyQuery> = if (leaf.weight - 1.0).abs() < f32::EPSILON {
            query
        } else {
            Box::new(BoostQuery::new(query, leaf.weight))
        };
        match places.iter_mut().find(|(p, _)| *p == leaf.place) {
            Some((_, queries)) => queries.push(weighted),
            None => places.push((leaf.place, vec![weighted])),
        }
    }
    let mut best: Vec<Box<dyn TantivyQuery>> = places
        .into_iter()
        .map(|(_, mut queries)| {
            if queries.len() == 1 {
                queries.pop().expect("one query")
            } else {
                Box::new(DisjunctionMaxQuery::new(queries)) as Box<dyn TantivyQuery>
            }
        })
        .collect();
    match best.len() {
        0 => Box::new(EmptyQuery),
        1 => best.pop().expect("one query"),
        _ => Box::new(BooleanQuery::new(
            best.into_iter()
                .map(|q| (TantivyOccur::Should, q))
                .collect(),
        )),
    }
}

/// The stemmed forms of folded words found in the word dictionary.
fn forms_of_words(words: &[String]) -> Vec<String> {
    let mut analyzer = analysis::Analyzer::default();
    let mut forms = Vec::new();
    for word in words {
        analyzer.analyze_with(word, |w| forms.extend(w.forms().map(str::to_string)));
    }
    forms.sort();
    forms.dedup();
    forms
}

/// Compiles the clauses; `tolerant` turns typos and completion on.
pub fn compile(parsed: &Query, fields: &Fields, words: &Words, tolerant: bool) -> Result<Compiled> {
    let mut compiled = Compiled {
        clauses: Vec::new(),
        boosts: Vec::new(),
        filter: filter(parsed, fields),
        stop_words: Vec::new(),
    };
    let last_word = parsed
        .clauses
        .iter()
        .rposition(|c| c.occur != Occur::MustNot)
        .filter(|&i| {
            matches!(
                parsed.clauses[i].term,
                query::Term::Word { prefix: false, .. }
            )
        });
    for (i, clause) in parsed.clauses.iter().enumerate() {
        let compiled_clause = match &clause.term {
            query::Term::Word { text, prefix: true } => {
                prefix_clause(clause.occur, text, fields, words)
            }
            query::Term::Word {
                text,
                prefix: false,
            } => {
                let analysed = analysis::analyze(text);
                if analysed.len() == 1 {
                    let typos = tolerant && clause.occur != Occur::MustNot;
                    let expand = Expand {
                        typos,
                        completion: typos && last_word == Some(i),
                    };
                    word_clause(clause.occur, text, &analysed[0], fields, words, expand)
                } else {
                    phrase_clause(clause.occur, text, &analysed, 0, fields)
                }
            }
            query::Term::Phrase { text, slop } => {
                let analysed = analysis::analyze(text);
                phrase_clause(clause.occur, text, &analysed, *slop, fields)
            }
        };
        let Some(compiled_clause) = compiled_clause else {
            compiled
                .stop_words
                .push(clause_text(&clause.term).to_string());
            continue;
        };
        if clause.occur != Occur::MustNot {
            for forms in compiled_clause.exact_matcher.word_forms() {
                compiled.boosts.push(Box::new(BoostQuery::new(
                    word_query(fields.title, forms),
                    TITLE_BOOST,
                )));
            }
        }
        compiled.clauses.push(compiled_clause);
    }
    Ok(compiled)
}

fn clause_text(term: &query::Term) -> &str {
    match term {
        query::Term::Word { text, .. } | query::Term::Phrase { text, .. } => text,
    }
}

/// The inexact matches a word gets.
#[derive(Debug, Clone, Copy)]
struct Expand {
    /// Words within its edit distance.
    typos: bool,
    /// Words it begins (the last word of a query).
    completion: bool,
}

/// A word: its forms, and as `expand` says, words within its edit distance
/// and the words it begins.
fn word_clause(
    occur: Occur,
    text: &str,
    word: &AnalyzedWord,
    fields: &Fields,
    words: &Words,
    expand: Expand,
) -> Option<Clause> {
    let forms = word.forms.clone();
    let mut exact = form_leaves(&forms, fields, 1.0);
    exact.push(Leaf {
        place: Place::Author,
        term: word.folded.clone(),
        weight: AUTHOR_BOOST,
        query: term_query(fields.author_key, &word.folded),
    });
    let mut inexact = Vec::new();
    let mut inexact_forms: Vec<String> = Vec::new();
    let mut add = |expanded: Vec<String>, weight: Score| {
        let found: Vec<String> = forms_of_words(&expanded)
            .into_iter()
            .filter(|f| !forms.contains(f) && !inexact_forms.contains(f))
            .collect();
        inexact.extend(form_leaves(&found, fields, weight));
        inexact_forms.extend(found);
    };
    if let Some(distance) = typo_distance(&word.folded).filter(|_| expand.typos) {
        add(typos(words, &word.folded, distance), TYPO_BOOST);
    }
    if expand.completion && word.folded.chars().count() >= MIN_COMPLETION_CHARS {
        add(
            completions(words, &word.folded, MAX_COMPLETIONS),
            COMPLETION_BOOST,
        );
    }
    Some(Clause {
        occur,
        label: text.to_string(),
        exact,
        inexact_matcher: (!inexact.is_empty()).then_some(Matcher::Word(inexact_forms)),
        inexact,
        exact_matcher: Matcher::Word(forms),
    })
}

/// `word*`: the indexed words it begins, searched like typed words.
fn prefix_clause(occur: Occur, text: &str, fields: &Fields, words: &Words) -> Option<Clause> {
    let prefix = analysis::name_words(text).pop()?;
    let forms = forms_of_words(&completions(words, &prefix, MAX_PREFIX_EXPANSIONS));
    Some(Clause {
        occur,
        label: format!("{text}*"),
        exact: form_leaves(&forms, fields, 1.0),
        inexact: Vec::new(),
        exact_matcher: Matcher::Word(forms),
        inexact_matcher: None,
    })
}

/// A phrase (or a word the analyzer splits, like `multi-canal`).
fn phrase_clause(
    occur: Occur,
    text: &str,
    words: &[AnalyzedWord],
    slop: u32,
    fields: &Fields,
) -> Option<Clause> {
    let (exact, exact_matcher) = match words {
        [] => return None,
        [word] => (
            form_leaves(&word.forms, fields, 1.0),
            Matcher::Word(word.forms.clone()),
        ),
        _ => {
            let first = words[0].position;
            (
                phrase_leaves(text, words, slop, fields),
                Matcher::Phrase {
                    words: words
                        .iter()
                        .map(|w| (w.position - first, w.forms.clone()))
                        .collect(),
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

/// The edit distance a word tolerates, as Meilisearch: none under five
/// letters or for numbers, one up to eight letters, two beyond.
pub fn typo_distance(folded: &str) -> Option<u8> {
    let letters = folded.chars().count();
    if folded.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match letters {
        0..=4 => None,
        5..=8 => Some(1),
        _ => Some(2),
    }
}

/// The most frequent indexed words within reach of `folded` (see
/// [`Typos`]; transpositions count as one edit), the word itself excluded.
fn typos(words: &Words, folded: &str, distance: u8) -> Vec<String> {
    let mut found = words.matching(Typos::new(folded, distance));
    found.retain(|(word, _)| word != folded);
    most_frequent(found, MAX_TYPOS)
}

/// The `limit` most frequent indexed words that begin with `prefix`
/// (folded), the prefix itself excluded.
pub fn completions(words: &Words, prefix: &str, limit: usize) -> Vec<String> {
    let mut found = words.beginning_with(prefix);
    found.retain(|(word, _)| word != prefix);
    most_frequent(found, limit)
}

fn most_frequent(mut words: Vec<(String, u64)>, limit: usize) -> Vec<String> {
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    words.truncate(limit);
    words.into_iter().map(|(w, _)| w).collect()
}

/// The `kind:` and `author:` filters as parts of one query, if any.
fn filter(parsed: &Query, fields: &Fields) -> Vec<(TantivyOccur, Box<dyn TantivyQuery>)> {
    let kind_query = |kinds: &[Kind]| -> Box<dyn TantivyQuery> {
        Box::new(BooleanQuery::union(
            kinds
                .iter()
                .map(|k| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(fields.kind, k.as_str()),
                        IndexRecordOption::Basic,
                    )) as Box<dyn TantivyQuery>
                })
                .collect(),
        ))
    };
    let author_query = |authors: &[String]| -> Box<dyn TantivyQuery> {
        Box::new(BooleanQuery::union(
            authors
                .iter()
                .map(|name| {
                    Box::new(BooleanQuery::intersection(
                        analysis::name_words(name)
                            .iter()
                            .map(|w| {
                                Box::new(TermQuery::new(
                                    Term::from_field_text(fields.author_key, w),
                                    IndexRecordOption::Basic,
                                )) as Box<dyn TantivyQuery>
                            })
                            .collect(),
                    )) as Box<dyn TantivyQuery>
                })
                .collect(),
        ))
    };
    let mut parts: Vec<(TantivyOccur, Box<dyn TantivyQuery>)> = Vec::new();
    if !parsed.kinds.is_empty() {
        parts.push((TantivyOccur::Must, kind_query(&parsed.kinds)));
    }
    if !parsed.authors.is_empty() {
        parts.push((TantivyOccur::Must, author_query(&parsed.authors)));
    }
    if parts.is_empty()
        && (!parsed.excluded_kinds.is_empty() || !parsed.excluded_authors.is_empty())
    {
        parts.push((TantivyOccur::Must, Box::new(AllQuery)));
    }
    if !parsed.excluded_kinds.is_empty() {
        parts.push((TantivyOccur::MustNot, kind_query(&parsed.excluded_kinds)));
    }
    if !parsed.excluded_authors.is_empty() {
        parts.push((
            TantivyOccur::MustNot,
            author_query(&parsed.excluded_authors),
        ));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::{typo_distance, typos};
    use crate::index::words::{WordCounts, Words};

    /// A word dictionary holding `words`, once each.
    fn dictionary(words: &[&str]) -> (tempfile::TempDir, Words) {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("words.fst");
        let mut counts = WordCounts::default();
        for word in words {
            counts.add(word);
        }
        counts.write(&path).unwrap();
        let words = Words::open(&path).unwrap();
        (folder, words)
    }

    fn sorted(mut words: Vec<String>) -> Vec<String> {
        words.sort();
        words
    }

    #[test]
    fn a_typo_on_the_first_letter_counts_as_two() {
        let (_folder, words) = dictionary(&[
            "bonne", "bonnet", "borne", "donne", "sonne", "bonnes", "abonne",
        ]);
        // One typo allowed: the first letter must be right.
        assert_eq!(
            sorted(typos(&words, "bonne", 1)),
            ["bonnes", "bonnet", "borne"]
        );
        let (_folder, words) = dictionary(&[
            "information",
            "informations",
            "informatoin",
            "jnformation",
            "formation",
            "jnformatoin",
            "nformation",
            "infformations",
        ]);
        // Two allowed: two edits after the first letter, or one edit that
        // is on the first letter (substitution, deletion) and nothing else.
        assert_eq!(
            sorted(typos(&words, "information", 2)),
            [
                "infformations",
                "informations",
                "informatoin",
                "jnformation",
                "nformation"
            ]
        );
    }

    #[test]
    fn typo_distance_grows_with_the_word() {
        assert_eq!(typo_distance("cadre"), Some(1));
        assert_eq!(typo_distance("dirigents"), Some(2));
        assert_eq!(typo_distance("narcisique"), Some(2));
        assert_eq!(typo_distance("buzz"), None);
        assert_eq!(typo_distance("20100728"), None);
    }
}
