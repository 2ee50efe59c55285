//! Running a query: from the query text to ranked, collapsed hits.
//!
//! Each query word is one clause, scored by BM25 over the passage text
//! (either of its two stemmed forms, whichever scores higher) plus its
//! introducing line or heading at a lower boost; the post title adds a
//! smaller boost to passages that already match. Words typed with a typo,
//! and the last word typed as the beginning of one, also match (see
//! `compile`), below exact matches.
//!
//! Ranking, in order: how many clauses a passage matches (all words
//! first), how few of them only through a typo or completion, the score,
//! then the passage id in reading order, so output is deterministic.
//! Passages with identical text are one hit, which lists the others.

mod compile;
mod execute;
mod explain;
mod filter;
mod highlight;
mod leaves;
mod rank;
pub mod snippet;
mod typos;
mod words;

use tantivy::{DocAddress, Score, Searcher, TantivyDocument};

use compile::Compiled;
pub use compile::{AUTHOR_BOOST, COMPLETION_BOOST, TITLE_BOOST, TYPO_BOOST};
use execute::{Match, Weights};
pub use explain::{ClauseExplanation, Explanation, TermExplanation};
pub use leaves::CONTEXT_BOOST;
pub use words::typo_distance;
use words::{Vocabulary, WordList};

use crate::analysis::Dropped;
use crate::error::{Error, Result};
use crate::index::{Columns, Fields, OpenIndex, StoredPassage};
use crate::passages::Kind;
use crate::query::{self, Occur, Query};
pub use rank::Facets;
use snippet::Snippet;

/// Options of a search besides the query text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SearchOptions {
    /// Most hits to return.
    pub limit: usize,
    /// Hits to skip before them (the next page).
    pub offset: usize,
    /// Count the matching passages by kind and author.
    pub facets: bool,
    /// Only passages of these kinds (any), with the query's `kind:` filters.
    pub kinds: Vec<Kind>,
    /// Only passages by these authors (any), with the query's `author:`.
    pub authors: Vec<String>,
    /// Only passages dated from this date key on ([`crate::dates::bound`]).
    pub since: Option<u64>,
    /// Only passages dated up to this date key.
    pub until: Option<u64>,
    /// Turn typo tolerance and completion of the last word off.
    pub exact: bool,
    /// Explain each hit's score.
    pub explain: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            offset: 0,
            facets: false,
            kinds: Vec::new(),
            authors: Vec::new(),
            since: None,
            until: None,
            exact: false,
            explain: false,
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
    /// The best hits, at most `limit`, after the first `offset`.
    pub hits: Vec<Hit>,
    /// With [`SearchOptions::facets`], the matching passages by kind and
    /// author, over the whole result.
    pub facets: Option<rank::Facets>,
    /// The query's clauses analysis left nothing of, and why.
    pub dropped: Vec<(String, Dropped)>,
    /// True when the query had words, and nothing was left of them to
    /// search for.
    pub nothing_to_search: bool,
}

/// One ranked passage.
#[derive(Debug, Clone)]
pub struct Hit {
    /// 1-based rank.
    pub rank: usize,
    /// BM25 score (sum over the matched clauses and the title boost).
    pub score: Score,
    /// The passage.
    pub passage: StoredPassage,
    /// Byte ranges of the matched words of its context (the line that
    /// introduces its list, or its heading), sorted.
    pub context_highlights: Vec<(usize, usize)>,
    /// What to show of it.
    pub snippet: Snippet,
    /// Ids of the passages with the same text, collapsed into this hit.
    pub duplicates: Vec<String>,
    /// Why it scored so, with `--explain`.
    pub explanation: Option<Explanation>,
}

/// Parses the query and adds the filters of `options`; fails on a query
/// with nothing to search for and no filter.
pub fn parse_query(raw: &str, options: &SearchOptions) -> Result<Query> {
    let mut parsed = query::parse(raw)?;
    parsed.kinds.extend(options.kinds.iter().copied());
    parsed.authors.extend(options.authors.iter().cloned());
    if options.since.is_some() || options.until.is_some() {
        parsed.dates = Some((
            options.since.unwrap_or(0),
            options.until.unwrap_or(u64::MAX),
        ));
    }
    if parsed.is_empty() {
        return Err(Error::EmptyQuery);
    }
    Ok(parsed)
}

/// Runs `raw` against the committed index `open`, read through `searcher`.
pub fn search(
    searcher: &Searcher,
    open: &OpenIndex,
    raw: &str,
    options: &SearchOptions,
) -> Result<Results> {
    let words = Vocabulary::new(searcher, open.fields.words);
    let columns = Columns::open(searcher)?;
    run(searcher, &words, &columns, open, raw, options)
}

/// One version of an index as a process that answers many queries keeps
/// it: its searcher, its words in one list for typos and completions, and
/// the columns ranking reads, open.
pub struct Snapshot {
    /// The searcher of that version.
    pub searcher: Searcher,
    words: WordList,
    columns: Columns,
}

impl Snapshot {
    /// The version `searcher` reads of the index `open`.
    pub fn new(searcher: Searcher, open: &OpenIndex) -> Result<Snapshot> {
        let words = WordList::of(&searcher, open.fields.words)?;
        let columns = Columns::open(&searcher)?;
        Ok(Snapshot {
            searcher,
            words,
            columns,
        })
    }

    /// [`search`], with the word list and the columns kept.
    pub fn search(&self, open: &OpenIndex, raw: &str, options: &SearchOptions) -> Result<Results> {
        let words = Vocabulary::Merged(&self.words);
        run(&self.searcher, &words, &self.columns, open, raw, options)
    }
}

fn run(
    searcher: &Searcher,
    words: &Vocabulary,
    columns: &Columns,
    open: &OpenIndex,
    raw: &str,
    options: &SearchOptions,
) -> Result<Results> {
    let parsed = parse_query(raw, options)?;
    let fields = &open.fields;
    let compiler = compile::Compiler {
        fields,
        words,
        places: leaves::Places::of(searcher, fields)?,
        tolerant: !options.exact,
    };
    let compiled = compiler.compile(&parsed)?;
    let positive = compiled.clauses.iter().any(|c| c.occur != Occur::MustNot);
    let had_positive = parsed.clauses.iter().any(|c| c.occur != Occur::MustNot);
    let nothing_to_search = had_positive && !positive && compiled.filter.is_empty();
    let (total, hits, facets) = if nothing_to_search {
        let facets = options.facets.then(rank::Facets::default);
        (0, Vec::new(), facets)
    } else {
        let weights = Weights::new(searcher, &compiled)?;
        let candidates = execute::collect(searcher, columns, &weights)?;
        let page = (options.offset, options.limit);
        let ranked = rank::rank(columns, candidates, page, options.facets)?;
        let page = Page {
            searcher,
            fields,
            compiled: &compiled,
            weights: &weights,
        };
        let hits = page.hits(ranked.groups, options.offset, options.explain)?;
        (ranked.total, hits, ranked.facets)
    };
    Ok(Results {
        query: raw.to_string(),
        total,
        hits,
        facets,
        dropped: compiled.dropped,
        nothing_to_search,
    })
}

/// What the hits of a page are made from.
struct Page<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    compiled: &'a Compiled,
    weights: &'a Weights,
}

impl Results {
    /// Why a query with words found nothing to search for, in one line.
    pub fn why_nothing_to_search(&self) -> String {
        let of = |why: Dropped| -> Vec<String> {
            let dropped = self.dropped.iter().filter(|(_, w)| *w == why);
            dropped.map(|(text, _)| shorten(text)).collect()
        };
        let mut parts = Vec::new();
        let (stop, long, none) = (
            of(Dropped::StopWords),
            of(Dropped::TooLong),
            of(Dropped::NoWord),
        );
        if !stop.is_empty() {
            parts.push(format!("only stop words ({})", stop.join(", ")));
        }
        if !long.is_empty() {
            parts.push(format!(
                "words longer than {} characters, which are not indexed ({})",
                crate::analysis::MAX_WORD_CHARS,
                long.join(", ")
            ));
        }
        if !none.is_empty() {
            parts.push(format!("no word in {}", none.join(", ")));
        }
        format!(
            "the query has {}; nothing to search for",
            parts.join(", and ")
        )
    }
}

/// A dropped clause as a message quotes it: its first 30 characters.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(30) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

impl Page<'_> {
    /// The hits of the ranked groups: each group's best passage, its
    /// snippet with the words its clauses matched, and its explanation.
    fn hits(
        &self,
        groups: Vec<Vec<rank::Member>>,
        offset: usize,
        explain: bool,
    ) -> Result<Vec<Hit>> {
        let clauses = self.compiled.clauses.len();
        let recorded: Option<Vec<Vec<Match>>> = groups
            .iter()
            .map(|group| group[0].candidate.matches(clauses))
            .collect();
        let all_matched = match recorded {
            Some(matched) => matched,
            None => {
                let addresses: Vec<DocAddress> =
                    groups.iter().map(|g| g[0].candidate.address).collect();
                execute::how_matched(self.searcher, self.weights, &addresses)?
            }
        };
        let mut hits = Vec::with_capacity(groups.len());
        for ((rank, group), matched) in groups.into_iter().enumerate().zip(all_matched) {
            let best = &group[0].candidate;
            let doc: TantivyDocument = self.searcher.doc(best.address)?;
            let passage = StoredPassage::from_doc(&doc, self.fields);
            let matchers = self.matchers(&matched);
            let marks = highlight::highlight(&passage.text, &matchers);
            let context_highlights = passage
                .context
                .as_deref()
                .map_or_else(Vec::new, |context| highlight::highlight(context, &matchers));
            let explanation = if explain {
                let compiled = self.compiled;
                Some(explain::explain(
                    self.searcher,
                    compiled,
                    self.weights,
                    best,
                    &matched,
                )?)
            } else {
                None
            };
            hits.push(Hit {
                rank: offset + rank + 1,
                score: best.score,
                snippet: snippet::make(&passage.text, &marks),
                context_highlights,
                passage,
                duplicates: group[1..].iter().map(|m| m.id.clone()).collect(),
                explanation,
            });
        }
        Ok(hits)
    }

    /// What to highlight of the clauses, as they matched.
    fn matchers(&self, matched: &[Match]) -> Vec<&compile::Matcher> {
        let clauses = self.compiled.clauses.iter();
        clauses
            .zip(matched)
            .filter_map(|(clause, how)| match how {
                Match::Exact => Some(&clause.exact_matcher),
                Match::Inexact => clause.inexact_matcher.as_ref(),
                Match::No => None,
            })
            .collect()
    }
}
