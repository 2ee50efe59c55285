//! The scored parts of a clause: a form of a word, or a phrase, in one
//! place of the passage (text, context, author), with its weight.
//!
//! A clause scores, in each place, the best of its leaves there (a word's
//! two forms, typo candidates), and adds up the places.

use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EmptyQuery, Occur as TantivyOccur, PhraseQuery,
    Query as TantivyQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, Searcher, Term};

use crate::analysis::StemmedWord;
use crate::error::Result;
use crate::index::Fields;

/// Weight of a match in the introducing line or heading, relative to text.
pub const CONTEXT_BOOST: Score = 0.5;

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

/// One scored term or phrase of a clause.
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

/// The places some passage of the index uses besides its text: a query
/// does not look for words in a place no passage has (a corpus without
/// comments has no author), which changes no result and spares tantivy
/// building an empty dictionary for that field (`docs/performance.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Places {
    /// Some passage has an introducing line or heading.
    pub context: bool,
    /// Some passage has a comment author.
    pub author: bool,
}

impl Places {
    /// The places the segments of `searcher` hold terms for.
    pub fn of(searcher: &Searcher, fields: &Fields) -> Result<Places> {
        let schema = searcher.schema();
        let (context, author) = (
            schema.get_field_name(fields.context),
            schema.get_field_name(fields.author),
        );
        let mut places = Places {
            context: false,
            author: false,
        };
        for segment in searcher.segment_readers() {
            for field in segment.fields_metadata()? {
                let has_terms = field.postings_size.is_some_and(|s| s.get_bytes() > 0);
                places.context |= has_terms && field.field_name == context;
                places.author |= has_terms && field.field_name == author;
            }
        }
        Ok(places)
    }

    /// The places of words and phrases: text, and context at a lower weight
    /// when some passage has one.
    fn of_text(self, fields: &Fields) -> Vec<(Place, Field, Score)> {
        let mut places = vec![(Place::Text, fields.text, 1.0)];
        if self.context {
            places.push((Place::Context, fields.context, CONTEXT_BOOST));
        }
        places
    }
}

/// The query of one indexed form in a field.
pub fn term_query(field: Field, form: &str) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, form),
        IndexRecordOption::WithFreqs,
    ))
}

/// A word in one field: the best of its forms.
pub fn word_query(field: Field, forms: &[String]) -> Box<dyn TantivyQuery> {
    match forms {
        [] => Box::new(EmptyQuery),
        [form] => term_query(field, form),
        _ => Box::new(DisjunctionMaxQuery::new(
            forms.iter().map(|f| term_query(field, f)).collect(),
        )),
    }
}

/// Leaves for stemmed forms in the text, and in the context at a lower
/// weight, each scaled by `weight`.
pub fn form_leaves(forms: &[String], fields: &Fields, places: Places, weight: Score) -> Vec<Leaf> {
    let mut leaves = Vec::new();
    for (place, field, place_weight) in places.of_text(fields) {
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
pub fn phrase_leaves(
    label: &str,
    words: &[StemmedWord],
    slop: u32,
    fields: &Fields,
    places: Places,
) -> Vec<Leaf> {
    let first = words[0].position;
    let variant = |field: Field, pick: fn(&Vec<String>) -> &String| {
        let terms = words
            .iter()
            .map(|w| {
                let term = Term::from_field_text(field, pick(&w.forms));
                (w.position - first, term)
            })
            .collect();
        PhraseQuery::new_with_offset_and_slop(terms, slop)
    };
    let mut leaves = Vec::new();
    for (place, field, weight) in places.of_text(fields) {
        let stem_first = variant(field, |forms| &forms[0]);
        let fold_first = variant(field, |forms| forms.last().expect("a word has a form"));
        let same = stem_first.phrase_terms() == fold_first.phrase_terms();
        let leaf = |query: PhraseQuery| Leaf {
            place,
            term: format!("\"{label}\""),
            weight,
            query: Box::new(query),
        };
        leaves.push(leaf(stem_first));
        if !same {
            leaves.push(leaf(fold_first));
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
        .map(|(_, mut queries)| match queries.len() {
            1 => queries.pop().expect("one query"),
            _ => Box::new(DisjunctionMaxQuery::new(queries)) as Box<dyn TantivyQuery>,
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
