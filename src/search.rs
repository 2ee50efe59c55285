//! Running a query: from the parsed query to ranked, collapsed hits.
//!
//! Each query word becomes one clause scored by BM25 over the passage text
//! (either of its two stemmed forms, whichever scores higher), plus its
//! introducing line or heading at a lower boost; the post title adds a
//! smaller boost to passages that already match. Passages are ranked by how
//! many clauses they match (all words first), then by score, then by id, so
//! output is deterministic. Passages with identical text are one hit.
//!
//! Tantivy gives the per-clause scorers; the loop that combines them is here,
//! because the ranking needs the number of clauses a passage matches, which
//! tantivy's boolean scorer does not expose.

use std::cmp::Ordering;
use std::collections::HashMap;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EnableScoring, Occur as TantivyOccur,
    PhraseQuery, Query as TantivyQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, TERMINATED, TantivyDocument, Term};

use crate::analysis::{self, AnalyzedWord};
use crate::error::{Error, Result};
use crate::index::{Fields, StoredPassage};
use crate::passages::{Kind, compare_ids};
use crate::query::{self, Occur, Query};
use crate::snippet::{self, Snippet};

/// Weight of a match in the introducing line or heading, relative to text.
pub const CONTEXT_BOOST: Score = 0.5;
/// Weight of a match in the post title, relative to text.
pub const TITLE_BOOST: Score = 0.2;

/// Options of a search besides the query text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOptions {
    /// Most hits to return.
    pub limit: usize,
    /// Only passages of these kinds (any), with the query's `kind:` filters.
    pub kinds: Vec<Kind>,
    /// Only passages by these authors (any), with the query's `author:`.
    pub authors: Vec<String>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            kinds: Vec::new(),
            authors: Vec::new(),
        }
    }
}

/// The answer to a query.
#[derive(Debug, Clone)]
pub struct Results {
    /// The query as typed.
    pub query: String,
    /// Matching passages, identical ones counted once.
    pub total: usize,
    /// The best hits, at most `limit`.
    pub hits: Vec<Hit>,
    /// Query words dropped as stop words.
    pub stop_words: Vec<String>,
    /// True when nothing was left to search for: only stop words.
    pub only_stop_words: bool,
}

/// One ranked passage.
#[derive(Debug, Clone)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// BM25 score (sum over the matched clauses).
    pub score: Score,
    /// How many of the query's clauses it matches.
    pub matched_clauses: usize,
    /// The passage.
    pub passage: StoredPassage,
    /// What to show of it.
    pub snippet: Snippet,
    /// Ids of the passages with the same text, collapsed into this hit.
    pub duplicates: Vec<String>,
}

/// What a clause matches, for highlighting.
#[derive(Debug, Clone)]
enum Matcher {
    /// Words with one of these forms.
    Word(Vec<String>),
    /// Words in sequence: offset from the first word, and forms.
    Phrase {
        words: Vec<(usize, Vec<String>)>,
        slop: usize,
    },
}

/// The query compiled into tantivy queries.
struct Compiled {
    clauses: Vec<(Occur, Box<dyn TantivyQuery>)>,
    boosts: Vec<Box<dyn TantivyQuery>>,
    filter: Option<Box<dyn TantivyQuery>>,
    matchers: Vec<Matcher>,
    stop_words: Vec<String>,
}

/// Runs `raw` against the index.
pub fn search(
    searcher: &Searcher,
    fields: &Fields,
    raw: &str,
    options: &SearchOptions,
) -> Result<Results> {
    let parsed = parse_query(raw, options)?;
    let compiled = compile(&parsed, fields);
    let positive = compiled.clauses.iter().any(|(o, _)| *o != Occur::MustNot);
    let had_positive = parsed.clauses.iter().any(|c| c.occur != Occur::MustNot);
    if had_positive && !positive && compiled.filter.is_none() {
        return Ok(Results {
            query: raw.to_string(),
            total: 0,
            hits: Vec::new(),
            stop_words: compiled.stop_words,
            only_stop_words: true,
        });
    }
    let candidates = collect(searcher, &compiled)?;
    let (total, groups) = rank(searcher, candidates, options.limit)?;
    let mut hits = Vec::with_capacity(groups.len());
    for (rank, group) in groups.into_iter().enumerate() {
        let best = &group[0];
        let doc: TantivyDocument = searcher.doc(best.address)?;
        let passage = StoredPassage::from_doc(&doc, fields);
        let marks = highlight(&passage.text, &compiled.matchers);
        hits.push(Hit {
            rank: rank + 1,
            score: best.score,
            matched_clauses: best.coverage,
            snippet: snippet::make(&passage.text, &marks),
            passage,
            duplicates: group[1..].iter().map(|c| c.id.clone()).collect(),
        });
    }
    Ok(Results {
        query: raw.to_string(),
        total,
        hits,
        stop_words: compiled.stop_words,
        only_stop_words: false,
    })
}

/// Parses the query and adds the filters of `options`; fails on a query
/// with nothing to search for and no filter.
pub fn parse_query(raw: &str, options: &SearchOptions) -> Result<Query> {
    let mut parsed = query::parse(raw)?;
    parsed.kinds.extend(options.kinds.iter().copied());
    parsed.authors.extend(options.authors.iter().cloned());
    if parsed.is_empty() {
        return Err(Error::EmptyQuery);
    }
    Ok(parsed)
}

fn term_query(field: Field, form: &str) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, form),
        IndexRecordOption::WithFreqs,
    ))
}

/// A word in one field: the best of its forms.
fn word_query(field: Field, forms: &[String]) -> Box<dyn TantivyQuery> {
    if forms.len() == 1 {
        return term_query(field, &forms[0]);
    }
    Box::new(DisjunctionMaxQuery::new(
        forms.iter().map(|f| term_query(field, f)).collect(),
    ))
}

/// A phrase in one field: all stem-then-fold forms in sequence, or all
/// fold-then-stem forms, whichever scores higher.
fn phrase_query(field: Field, words: &[AnalyzedWord], slop: u32) -> Box<dyn TantivyQuery> {
    let first = words[0].position;
    let variant = |pick: fn(&Vec<String>) -> &String| {
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
    let stem_first = variant(|forms| &forms[0]);
    let fold_first = variant(|forms| forms.last().expect("a word has a form"));
    if stem_first.phrase_terms() == fold_first.phrase_terms() {
        Box::new(stem_first)
    } else {
        Box::new(DisjunctionMaxQuery::new(vec![
            Box::new(stem_first),
            Box::new(fold_first),
        ]))
    }
}

/// Text, plus context at a lower boost.
fn in_text_and_context(
    query: impl Fn(Field) -> Box<dyn TantivyQuery>,
    fields: &Fields,
) -> Box<dyn TantivyQuery> {
    Box::new(BooleanQuery::new(vec![
        (TantivyOccur::Should, query(fields.text)),
        (
            TantivyOccur::Should,
            Box::new(BoostQuery::new(query(fields.context), CONTEXT_BOOST)),
        ),
    ]))
}

fn compile(parsed: &Query, fields: &Fields) -> Compiled {
    let mut compiled = Compiled {
        clauses: Vec::new(),
        boosts: Vec::new(),
        filter: filter(parsed, fields),
        matchers: Vec::new(),
        stop_words: Vec::new(),
    };
    for clause in &parsed.clauses {
        let (text, slop) = match &clause.term {
            query::Term::Word { text, .. } => (text, 0),
            query::Term::Phrase { text, slop } => (text, *slop),
        };
        let words = analysis::analyze(text);
        if words.is_empty() {
            compiled.stop_words.push(text.clone());
            continue;
        }
        let (tantivy_query, matcher) = if words.len() == 1 {
            let forms = words[0].forms.clone();
            (
                in_text_and_context(|field| word_query(field, &forms), fields),
                Matcher::Word(forms),
            )
        } else {
            // A phrase, or a word the analyzer splits (`multi-canal`).
            let first = words[0].position;
            (
                in_text_and_context(|field| phrase_query(field, &words, slop), fields),
                Matcher::Phrase {
                    words: words
                        .iter()
                        .map(|w| (w.position - first, w.forms.clone()))
                        .collect(),
                    slop: slop as usize,
                },
            )
        };
        if clause.occur != Occur::MustNot {
            compiled.matchers.push(matcher);
            for word in &words {
                compiled.boosts.push(Box::new(BoostQuery::new(
                    word_query(fields.title, &word.forms),
                    TITLE_BOOST,
                )));
            }
        }
        compiled.clauses.push((clause.occur, tantivy_query));
    }
    compiled
}

/// The `kind:` and `author:` filters as one query, or none.
fn filter(parsed: &Query, fields: &Fields) -> Option<Box<dyn TantivyQuery>> {
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
    (!parts.is_empty()).then(|| Box::new(BooleanQuery::new(parts)) as Box<dyn TantivyQuery>)
}

/// A matching passage before ranking.
#[derive(Debug, Clone)]
struct Candidate {
    coverage: usize,
    score: Score,
    text_hash: u64,
    address: DocAddress,
    id: String,
}

/// Finds every matching passage with its coverage and score.
fn collect(searcher: &Searcher, compiled: &Compiled) -> Result<Vec<Candidate>> {
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let weights: Vec<(Occur, Box<dyn Weight>)> = compiled
        .clauses
        .iter()
        .map(|(occur, q)| Ok((*occur, q.weight(scoring)?)))
        .collect::<Result<_>>()?;
    let boosts: Vec<Box<dyn Weight>> = compiled
        .boosts
        .iter()
        .map(|q| q.weight(scoring))
        .collect::<tantivy::Result<_>>()?;
    let filter = match &compiled.filter {
        Some(q) => Some(q.weight(EnableScoring::disabled_from_searcher(searcher))?),
        None => None,
    };
    let all = AllQuery.weight(EnableScoring::disabled_from_searcher(searcher))?;

    let mut candidates = Vec::new();
    for (segment_ord, reader) in searcher.segment_readers().iter().enumerate() {
        let mut should = Vec::new();
        let mut must = Vec::new();
        let mut must_not = Vec::new();
        for (occur, weight) in &weights {
            let scorer = weight.scorer(reader, 1.0)?;
            match occur {
                Occur::Should => should.push(scorer),
                Occur::Must => must.push(scorer),
                Occur::MustNot => must_not.push(scorer),
            }
        }
        let mut boosts: Vec<Box<dyn Scorer>> = boosts
            .iter()
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<_>>()?;
        let mut filter = match &filter {
            Some(w) => Some(w.scorer(reader, 1.0)?),
            None => None,
        };
        let text_hashes = reader.fast_fields().u64("text_hash")?;
        let alive = reader.alive_bitset();
        let mut driver = Driver::new(must, should, || all.scorer(reader, 1.0))?;
        while let Some((coverage, mut score)) = driver.next() {
            let doc = driver.doc;
            if alive.is_some_and(|a| !a.is_alive(doc))
                || filter.as_mut().is_some_and(|f| seek(f, doc) != doc)
                || must_not.iter_mut().any(|s| seek(s, doc) == doc)
            {
                continue;
            }
            for boost in &mut boosts {
                if seek(boost, doc) == doc {
                    score += boost.score();
                }
            }
            candidates.push(Candidate {
                coverage,
                score,
                text_hash: text_hashes.first(doc).unwrap_or(0),
                address: DocAddress::new(segment_ord as u32, doc),
                id: String::new(),
            });
        }
    }
    Ok(candidates)
}

/// Moves `scorer` to `target` or the first document after it; unlike
/// `DocSet::seek`, accepts a target behind the current document.
fn seek(scorer: &mut Box<dyn Scorer>, target: DocId) -> DocId {
    let doc = scorer.doc();
    if doc >= target {
        doc
    } else {
        scorer.seek(target)
    }
}

/// Walks the documents matching every `must` scorer and, when there is no
/// `must`, any `should` scorer (or every document when there is neither),
/// yielding the number of matched clauses and the summed score.
struct Driver {
    must: Vec<Box<dyn Scorer>>,
    should: Vec<Box<dyn Scorer>>,
    all: Option<Box<dyn Scorer>>,
    doc: DocId,
    started: bool,
}

impl Driver {
    fn new(
        must: Vec<Box<dyn Scorer>>,
        should: Vec<Box<dyn Scorer>>,
        all: impl FnOnce() -> tantivy::Result<Box<dyn Scorer>>,
    ) -> tantivy::Result<Driver> {
        let all = if must.is_empty() && should.is_empty() {
            Some(all()?)
        } else {
            None
        };
        Ok(Driver {
            must,
            should,
            all,
            doc: 0,
            started: false,
        })
    }

    /// Moves to the next matching document.
    fn next(&mut self) -> Option<(usize, Score)> {
        let target = if self.started { self.doc + 1 } else { 0 };
        self.started = true;
        let doc = if let Some(all) = &mut self.all {
            seek(all, target)
        } else if self.must.is_empty() {
            let mut doc = TERMINATED;
            for scorer in &mut self.should {
                doc = doc.min(seek(scorer, target));
            }
            doc
        } else {
            self.intersect(target)
        };
        if doc == TERMINATED {
            return None;
        }
        self.doc = doc;
        let mut score = 0.0;
        let mut coverage = self.must.len();
        for scorer in &mut self.must {
            score += scorer.score();
        }
        for scorer in &mut self.should {
            if seek(scorer, doc) == doc {
                score += scorer.score();
                coverage += 1;
            }
        }
        Some((coverage, score))
    }

    /// The first document at or after `target` that every `must` matches.
    fn intersect(&mut self, mut target: DocId) -> DocId {
        'search: loop {
            for scorer in &mut self.must {
                let doc = seek(scorer, target);
                if doc == TERMINATED {
                    return TERMINATED;
                }
                if doc > target {
                    target = doc;
                    continue 'search;
                }
            }
            return target;
        }
    }
}

/// Collapses identical passages and ranks them; returns the number of
/// distinct matching passages and the best `limit` groups, each with its
/// best member first.
fn rank(
    searcher: &Searcher,
    candidates: Vec<Candidate>,
    limit: usize,
) -> Result<(usize, Vec<Vec<Candidate>>)> {
    let mut index_of: HashMap<u64, usize> = HashMap::new();
    let mut groups: Vec<Vec<Candidate>> = Vec::new();
    for candidate in candidates {
        match index_of.get(&candidate.text_hash) {
            Some(&i) => groups[i].push(candidate),
            None => {
                index_of.insert(candidate.text_hash, groups.len());
                groups.push(vec![candidate]);
            }
        }
    }
    let total = groups.len();
    let best = |group: &Vec<Candidate>| {
        group
            .iter()
            .map(|c| (c.coverage, c.score))
            .max_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)))
            .expect("a group is not empty")
    };
    let by_key = |a: &(usize, Score), b: &(usize, Score)| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1));
    let mut keyed: Vec<((usize, Score), Vec<Candidate>)> =
        groups.into_iter().map(|g| (best(&g), g)).collect();
    keyed.sort_by(|a, b| by_key(&a.0, &b.0));
    // Keep the groups that tie with the last one kept: ids decide among them.
    if keyed.len() > limit {
        let cut = if limit == 0 {
            None
        } else {
            Some(keyed[limit - 1].0)
        };
        let keep = match cut {
            Some(cut) => keyed
                .iter()
                .take_while(|(k, _)| by_key(k, &cut) != Ordering::Greater)
                .count(),
            None => 0,
        };
        keyed.truncate(keep);
    }
    for (_, group) in &mut keyed {
        for candidate in group.iter_mut() {
            candidate.id = id_of(searcher, candidate.address)?;
        }
        group.sort_by(|a, b| {
            b.coverage
                .cmp(&a.coverage)
                .then(b.score.total_cmp(&a.score))
                .then_with(|| compare_ids(&a.id, &b.id))
        });
    }
    keyed.sort_by(|a, b| by_key(&a.0, &b.0).then_with(|| compare_ids(&a.1[0].id, &b.1[0].id)));
    keyed.truncate(limit);
    Ok((total, keyed.into_iter().map(|(_, g)| g).collect()))
}

/// A passage's id, from the fast field (no stored document is read).
fn id_of(searcher: &Searcher, address: DocAddress) -> Result<String> {
    let reader = searcher.segment_reader(address.segment_ord);
    let ids = reader
        .fast_fields()
        .str("id")?
        .expect("the id field is fast");
    let mut id = String::new();
    if let Some(ord) = ids.term_ords(address.doc_id).next() {
        ids.ord_to_str(ord, &mut id)
            .map_err(tantivy::TantivyError::from)?;
    }
    Ok(id)
}

/// Byte ranges of the words of `text` that the query matched: every word a
/// word clause matched, and the words of each phrase occurrence.
fn highlight(text: &str, matchers: &[Matcher]) -> Vec<(usize, usize)> {
    let words = analysis::analyze(text);
    let has_form =
        |word: &AnalyzedWord, forms: &[String]| word.forms.iter().any(|f| forms.contains(f));
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
                    if let Some(occurrence) = phrase_at(&words, start, phrase, *slop, &has_form) {
                        for i in occurrence {
                            marked[i] = true;
                        }
                    }
                }
            }
        }
    }
    words
        .iter()
        .zip(marked)
        .filter(|(_, m)| *m)
        .map(|(w, _)| (w.start, w.end))
        .collect()
}

/// The word indices of an occurrence of `phrase` starting at `words[start]`.
fn phrase_at(
    words: &[AnalyzedWord],
    start: usize,
    phrase: &[(usize, Vec<String>)],
    slop: usize,
    has_form: &impl Fn(&AnalyzedWord, &[String]) -> bool,
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
            .find(|&j| {
                words[j].position >= expected.saturating_sub(slack) && has_form(&words[j], forms)
            })?;
        slack -= words[next].position.abs_diff(expected).min(slack);
        found.push(next);
        previous = next;
    }
    Some(found)
}
