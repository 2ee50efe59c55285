//! The indexed words, as written: where typos and completions are looked up
//! (the stop words the field also holds are never offered as either).
//!
//! Tantivy's fuzzy and prefix queries do not analyse their term, and the
//! text field holds stems: `narcisique` is far from the stem `narciss`, but
//! one edit from the word `narcissiques`. The `words` field holds every
//! folded, unstemmed word of the passages' text and context; its term
//! dictionaries (one per segment, or a [`WordList`] of them all in a
//! server), walked with an automaton, give the words within reach and the
//! number of passages holding each (tantivy's document frequency, which
//! counts the passages an update deleted until their segment is merged).

use std::collections::HashMap;

use tantivy::schema::Field;
use tantivy::termdict::{TermMerger, TermStreamer};
use tantivy::{Searcher, TantivyError};
use tantivy_fst::raw::{Fst, Node, Output};
use tantivy_fst::{Automaton, IntoStreamer, Map, MapBuilder, Streamer};

use super::typos::Typos;
use crate::analysis::is_folded_stop_word;
use crate::error::Result;

/// The words of the index a searcher reads: walked segment by segment, or
/// in a [`WordList`] built once for them.
pub enum Vocabulary<'a> {
    /// One dictionary per segment, counts added up per lookup.
    Segments {
        /// The segments.
        searcher: &'a Searcher,
        /// The `words` field.
        field: Field,
    },
    /// The segments' words in one dictionary.
    Merged(&'a WordList),
}

/// Every word of the `words` field in one dictionary, with the number of
/// passages holding it: a lookup walks one dictionary instead of one per
/// segment, which halves the cost of a typo lookup on an index of a few
/// segments (`docs/performance.md`). Worth building for a process that
/// answers many queries from one version of the index (`serve`), not for
/// one query.
pub struct WordList {
    map: Map<Vec<u8>>,
}

impl WordList {
    /// The words of `field` in the segments of `searcher`.
    pub fn of(searcher: &Searcher, field: Field) -> Result<WordList> {
        let indexes = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.inverted_index(field))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut streams = Vec::new();
        for index in &indexes {
            streams.push(index.terms().stream().map_err(TantivyError::from)?);
        }
        let mut merger = TermMerger::new(streams);
        let mut builder = MapBuilder::memory();
        while merger.advance() {
            let passages: u64 = merger
                .current_segment_ords_and_term_infos()
                .map(|(_, info)| u64::from(info.doc_freq))
                .sum();
            builder.insert(merger.key(), passages).map_err(fst_error)?;
        }
        let bytes = builder.into_inner().map_err(fst_error)?;
        Ok(WordList {
            map: Map::from_bytes(bytes).map_err(fst_error)?,
        })
    }

    /// Calls `each` with every word `automaton` accepts and its count.
    ///
    /// A depth-first walk that asks the automaton before reading a node:
    /// `Map::search` reads every child of a node it visits, then drops most
    /// of them (a typo lookup on the Littré tries about 1,000 prefixes and
    /// goes on with fewer than 200), which made lookups about twice as slow
    /// (`docs/performance.md`). It recurses once per byte of a word, and
    /// indexed words have at most a few hundred bytes; the empty word, which
    /// no passage holds, is never offered.
    fn walk<A: Automaton>(&self, automaton: &A, mut each: impl FnMut(&[u8], u64)) {
        let fst = self.map.as_fst();
        let mut word = Vec::new();
        let start = (fst.root(), automaton.start(), Output::zero());
        descend(fst, automaton, start, &mut word, &mut each);
    }
}

/// [`WordList::walk`] below `node`, reached by `word` in `state` with
/// `output` summed on the way.
fn descend<A: Automaton>(
    fst: &Fst<Vec<u8>>,
    automaton: &A,
    (node, state, output): (Node<'_>, A::State, Output),
    word: &mut Vec<u8>,
    each: &mut impl FnMut(&[u8], u64),
) {
    for transition in node.transitions() {
        let next = automaton.accept(&state, transition.inp);
        if !automaton.can_match(&next) {
            continue;
        }
        let child = fst.node(transition.addr);
        let output = output.cat(transition.out);
        word.push(transition.inp);
        if child.is_final() && automaton.is_match(&next) {
            each(word, output.cat(child.final_output()).value());
        }
        descend(fst, automaton, (child, next, output), word, each);
        word.pop();
    }
}

fn fst_error(e: tantivy_fst::Error) -> TantivyError {
    TantivyError::InternalError(format!("cannot build the word list: {e}"))
}

impl<'a> Vocabulary<'a> {
    /// The words of `field` (the `words` field) in the index of `searcher`.
    pub fn new(searcher: &'a Searcher, field: Field) -> Vocabulary<'a> {
        Vocabulary::Segments { searcher, field }
    }

    /// The words `automaton` accepts, with the number of passages holding
    /// each.
    pub fn matching<A>(&self, automaton: A) -> Result<Vec<(String, u64)>>
    where
        A: Automaton,
        A::State: Clone,
    {
        let mut found = HashMap::new();
        match self {
            Vocabulary::Segments { searcher, field } => {
                for segment in searcher.segment_readers() {
                    let index = segment.inverted_index(*field)?;
                    let terms = index.terms().search(&automaton).into_stream();
                    count(terms.map_err(TantivyError::from)?, &mut found, |_| true);
                }
            }
            Vocabulary::Merged(list) => {
                list.walk(&automaton, |word, passages| add(&mut found, word, passages));
            }
        }
        Ok(sorted(found))
    }

    /// The words that begin with `prefix`, with their counts.
    pub fn beginning_with(&self, prefix: &str) -> Result<Vec<(String, u64)>> {
        let mut found = HashMap::new();
        let begins = |word: &[u8]| word.starts_with(prefix.as_bytes());
        match self {
            Vocabulary::Segments { searcher, field } => {
                for segment in searcher.segment_readers() {
                    let index = segment.inverted_index(*field)?;
                    let terms = index.terms().range().ge(prefix.as_bytes()).into_stream();
                    count(terms.map_err(TantivyError::from)?, &mut found, begins);
                }
            }
            Vocabulary::Merged(list) => {
                let mut words = list.map.range().ge(prefix.as_bytes()).into_stream();
                add_all(&mut words, &mut found, begins);
            }
        }
        Ok(sorted(found))
    }
}

impl Vocabulary<'_> {
    /// The `limit` most frequent words within reach of `folded` (see
    /// [`Typos`]; transpositions count as one edit) that more passages hold
    /// than `folded` itself: a typo is taken to be of a commoner word, so a
    /// word the index holds often (`bonne`) is searched as typed, and one
    /// it holds rarely or not at all (`dirigents`) as what it is likely a
    /// typo of: the `popular` mode of Elasticsearch's term suggester.
    pub fn typos(&self, folded: &str, distance: u8, limit: usize) -> Result<Vec<String>> {
        let mut found = self.matching(Typos::new(folded, distance))?;
        let typed = found
            .binary_search_by(|(word, _)| word.as_str().cmp(folded))
            .map_or(0, |at| found[at].1);
        found.retain(|(word, passages)| *passages > typed && !is_folded_stop_word(word));
        Ok(most_frequent(found, limit))
    }

    /// The `limit` most frequent words that begin with `prefix` (folded),
    /// the prefix itself excluded.
    pub fn completions(&self, prefix: &str, limit: usize) -> Result<Vec<String>> {
        let mut found = self.beginning_with(prefix)?;
        found.retain(|(word, _)| word != prefix && !is_folded_stop_word(word));
        Ok(most_frequent(found, limit))
    }
}

/// The edit distance a word tolerates, as Meilisearch: none under five
/// letters or for numbers, one up to eight letters, two beyond.
pub fn typo_distance(folded: &str) -> Option<u8> {
    if folded.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match folded.chars().count() {
        0..=4 => None,
        5..=8 => Some(1),
        _ => Some(2),
    }
}

/// The `limit` words with the highest counts, ties in alphabetical order.
fn most_frequent(mut words: Vec<(String, u64)>, limit: usize) -> Vec<String> {
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    words.truncate(limit);
    words.into_iter().map(|(w, _)| w).collect()
}

/// Adds the document frequency of each word of `terms` to `found`, while
/// `more` holds for the words.
fn count<A: Automaton>(
    mut terms: TermStreamer<'_, A>,
    found: &mut HashMap<String, u64>,
    more: impl Fn(&[u8]) -> bool,
) {
    while terms.advance() && more(terms.key()) {
        add(found, terms.key(), u64::from(terms.value().doc_freq));
    }
}

/// [`count`] for the words of a [`WordList`].
fn add_all<S>(words: &mut S, found: &mut HashMap<String, u64>, more: impl Fn(&[u8]) -> bool)
where
    S: for<'w> Streamer<'w, Item = (&'w [u8], u64)>,
{
    while let Some((word, passages)) = words.next() {
        if !more(word) {
            break;
        }
        add(found, word, passages);
    }
}

/// Adds `passages` to the count of `word` (the dictionaries hold `str`s).
fn add(found: &mut HashMap<String, u64>, word: &[u8], passages: u64) {
    if let Ok(word) = std::str::from_utf8(word) {
        *found.entry(word.to_string()).or_insert(0) += passages;
    }
}

fn sorted(found: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut found: Vec<(String, u64)> = found.into_iter().collect();
    found.sort();
    found
}

#[cfg(test)]
pub(crate) mod tests {
    use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
    use tantivy::{Index, IndexWriter, doc};

    use super::*;

    /// An index whose `words` field holds `passages`, one document each.
    pub fn words_index(passages: &[&str]) -> (Index, Field) {
        let mut schema = Schema::builder();
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("whitespace")
                .set_index_option(IndexRecordOption::Basic),
        );
        let field = schema.add_text_field("words", options);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (i, passage) in passages.iter().enumerate() {
            writer.add_document(doc!(field => *passage)).unwrap();
            if i % 2 == 1 {
                // Words spread over segments are counted once each.
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        (index, field)
    }

    /// The typos of `typed` within `distance` among `words`, sorted.
    fn typos_among(words: &[&str], typed: &str, distance: u8) -> Vec<String> {
        let (index, field) = words_index(words);
        let searcher = index.reader().unwrap().searcher();
        let vocabulary = Vocabulary::new(&searcher, field);
        let mut found = vocabulary.typos(typed, distance, 20).unwrap();
        found.sort();
        found
    }

    #[test]
    fn a_typo_on_the_first_letter_counts_as_two() {
        // The typed words are not in the index: every word within reach is
        // a candidate.
        let words = ["bonnet", "borne", "donne", "sonne", "bonnes", "abonne"];
        // One typo allowed: the first letter must be right.
        assert_eq!(
            typos_among(&words, "bonne", 1),
            ["bonnes", "bonnet", "borne"]
        );
        let words = [
            "informations",
            "informatoin",
            "jnformation",
            "formation",
            "jnformatoin",
            "nformation",
            "infformations",
        ];
        // Two allowed: two edits after the first letter, or one edit that
        // is on the first letter (substitution, deletion) and nothing else.
        assert_eq!(
            typos_among(&words, "information", 2),
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
    fn a_word_the_index_holds_has_only_commoner_words_for_typos() {
        let passages = [
            "bonne", "bonne", "bonne", "bonnet", "bonnet", "bonnet", "bonnet", "borne", "bonnes",
        ];
        // `bonne` (3 passages) keeps `bonnet` (4), not the rarer `borne`
        // and `bonnes` (1 each).
        assert_eq!(typos_among(&passages, "bonne", 1), ["bonnet"]);
        // `borne` (1) may be a typo of `bonne` (3), not `bonnes` (1).
        assert_eq!(typos_among(&passages, "borne", 1), ["bonne"]);
        assert!(typos_among(&passages, "bonnet", 1).is_empty());
        // A word the index lacks may be a typo of any word within reach.
        assert_eq!(
            typos_among(&passages, "bonnez", 1),
            ["bonne", "bonnes", "bonnet"]
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

    #[test]
    fn the_most_frequent_words_come_first_ties_alphabetically() {
        let (index, field) = words_index(&["cadre", "cadre", "cadres", "cadrer", "cadran"]);
        let searcher = index.reader().unwrap().searcher();
        let vocabulary = Vocabulary::new(&searcher, field);
        assert_eq!(
            vocabulary.completions("cadr", 3).unwrap(),
            ["cadre", "cadran", "cadrer"]
        );
    }

    #[test]
    fn counts_are_summed_over_segments() {
        let (index, field) = words_index(&["cadre dirigeant", "cadre", "cadres", "cadre médias"]);
        let searcher = index.reader().unwrap().searcher();
        let words = Vocabulary::new(&searcher, field);
        assert_eq!(
            words.beginning_with("cadre").unwrap(),
            [("cadre".to_string(), 3), ("cadres".to_string(), 1)]
        );
        assert!(words.beginning_with("zz").unwrap().is_empty());
    }

    #[test]
    fn the_word_list_finds_what_the_segments_find() {
        let passages = [
            "cadre dirigeant",
            "cadre",
            "cadres dirigeants",
            "cadre médias",
            "madre",
            "dirigeante",
            "cardes",
        ];
        let (index, field) = words_index(&passages);
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() > 1);
        let list = WordList::of(&searcher, field).unwrap();
        let (segments, merged) = (Vocabulary::new(&searcher, field), Vocabulary::Merged(&list));
        for prefix in ["cadre", "dir", "m", "zz", ""] {
            assert_eq!(
                segments.beginning_with(prefix).unwrap(),
                merged.beginning_with(prefix).unwrap(),
                "{prefix}"
            );
        }
        for (typed, distance) in [("cadre", 1), ("dirigeant", 2), ("cadres", 2)] {
            let typos = |words: &Vocabulary| words.matching(Typos::new(typed, distance)).unwrap();
            assert_eq!(typos(&segments), typos(&merged), "{typed}");
        }
        assert_eq!(
            merged.beginning_with("cadre").unwrap(),
            [("cadre".to_string(), 3), ("cadres".to_string(), 1)]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// The word list's own walk finds the words, and counts, that
        /// tantivy's stream over each segment's dictionary finds.
        #[test]
        fn the_word_lists_walk_finds_what_the_dictionaries_stream(
            passages in proptest::collection::vec("[abcé]{1,7}( [abcé]{1,7}){0,3}", 1..12),
            typed in "[abcé]{1,8}",
            distance in 0u8..=2,
        ) {
            let passages: Vec<&str> = passages.iter().map(String::as_str).collect();
            let (index, field) = words_index(&passages);
            let searcher = index.reader().unwrap().searcher();
            let list = WordList::of(&searcher, field).unwrap();
            let (segments, merged) = (Vocabulary::new(&searcher, field), Vocabulary::Merged(&list));
            let typos = |words: &Vocabulary| words.matching(Typos::new(&typed, distance)).unwrap();
            proptest::prop_assert_eq!(typos(&segments), typos(&merged));
        }
    }
}
