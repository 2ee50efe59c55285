//! Bringing the index up to date with the corpus: a full build into a new
//! generation ([`super::build`]), or an incremental update of the current
//! one.
//!
//! The incremental path compares each post file's size and modification
//! time with the manifest, reads and hashes only the files that differ, and
//! for a changed file compares its passages (id and content hash) with
//! those the index holds for it: unchanged passages are left as they are.
//! All deletions and additions land in one tantivy commit, whose payload
//! names the new manifest.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use serde::Serialize;
use tantivy::indexer::LogMergePolicy;
use tantivy::query::{BooleanQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexWriter, Searcher, TantivyDocument, Term};

use super::build;
use super::check::{check, now_ns, settled};
use super::commit::{TextCounts, commit};
use super::manifest::{FileEntry, Manifest, PostSlugs};
use super::slugs::Slugs;
use super::{DirState, Fields, IndexDir, IndexLock, OpenIndex, passage_hash, read, text_hash};
use crate::corpus::{self, PostFile};
use crate::error::{Error, Result};
use crate::formats;
use crate::passages::{Post, post_of_id};

/// How to bring the index up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Change only what changed; rebuild when there is no usable index.
    Incremental,
    /// Rebuild everything into a new generation.
    Full,
}

/// What an update does with a post file it cannot read (not UTF-8,
/// unreadable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadFiles {
    /// It stops, and the index is left as it was (`recherche index`).
    Stop,
    /// It leaves the file's last indexed passages as they are and goes on
    /// with the others, saying which files it left (a refreshing search,
    /// `watch`): the next update tries them again.
    Keep,
}

/// An update to make.
pub struct Request<'a> {
    /// The corpus folder.
    pub corpus: &'a Path,
    /// Incremental or full.
    pub mode: Mode,
    /// What to do with a file that cannot be read.
    pub bad_files: BadFiles,
    /// Raised by Ctrl-C: the update stops between two files.
    pub interrupt: &'a AtomicBool,
    /// Advanced as the update goes, for a progress display.
    pub progress: &'a Progress,
}

impl<'a> Request<'a> {
    /// An update of the index of `corpus`, stopping at a bad file, not
    /// interrupted, not observed.
    pub fn new(corpus: &'a Path, mode: Mode) -> Request<'a> {
        static NEVER: AtomicBool = AtomicBool::new(false);
        static UNOBSERVED: std::sync::LazyLock<Progress> =
            std::sync::LazyLock::new(Progress::default);
        Request {
            corpus,
            mode,
            bad_files: BadFiles::Stop,
            interrupt: &NEVER,
            progress: &UNOBSERVED,
        }
    }
}

/// What an update did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Passages in the index afterwards.
    pub passages: u64,
    /// Passages added.
    pub added: u64,
    /// Passages whose content changed.
    pub updated: u64,
    /// Passages removed.
    pub removed: u64,
    /// Passages left as they were.
    pub unchanged: u64,
    /// Passages unchanged but at another line of their file (a post above
    /// them in an export grew or shrank): written again with their line.
    pub moved: u64,
    /// Passages identical to another one (collapsed in search results).
    pub duplicates: u64,
    /// Post files in the corpus.
    pub files: u64,
    /// Post files read (the others were unchanged by size and time).
    pub files_read: u64,
    /// True if the index was rebuilt from scratch.
    pub full: bool,
    /// True if a new commit was written.
    pub committed: bool,
    /// Wall time, in milliseconds.
    pub elapsed_ms: u64,
    /// The files that could not be read, each with why (with
    /// [`BadFiles::Keep`]; their last indexed passages are kept).
    #[serde(skip)]
    pub left: Vec<String>,
}

impl Summary {
    /// True if passages were added, changed, moved or removed.
    pub fn changed(&self) -> bool {
        self.added + self.updated + self.moved + self.removed > 0
    }
}

/// Counters an update advances as it goes, for a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    /// Post files to look at.
    pub files_total: AtomicU64,
    /// Post files looked at.
    pub files_done: AtomicU64,
    /// Bytes of the post files looked at.
    pub bytes_done: AtomicU64,
    /// Passages indexed so far.
    pub passages: AtomicU64,
}

impl Progress {
    /// Counts one more file looked at, its bytes and its passages.
    pub fn file_done(&self, bytes: u64, passages: u64) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
        self.bytes_done.fetch_add(bytes, Ordering::Relaxed);
        self.passages.fetch_add(passages, Ordering::Relaxed);
    }
}

/// One update run: the corpus, its files, and how to stop.
pub(crate) struct Run<'a> {
    /// The corpus folder.
    pub corpus: &'a Path,
    /// The post files, sorted.
    pub files: Vec<PostFile>,
    interrupt: &'a AtomicBool,
    pub progress: &'a Progress,
    bad_files: BadFiles,
    /// Wall clock at the start, for the racy-file rule.
    started_ns: u128,
}

impl Run<'_> {
    /// Fails with [`Error::Interrupted`] once Ctrl-C was pressed.
    pub fn check_interrupt(&self) -> Result<()> {
        if self.interrupt.load(Ordering::Relaxed) {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }

    /// True for a file modified too close to the start: its size and time
    /// may not reveal a later edit.
    pub fn is_racy(&self, modified_ns: u128) -> bool {
        !settled(modified_ns, self.started_ns)
    }

    /// Reads a post file, handing its posts to `on_post`, and returns the
    /// hash of its bytes; `None` for a file that cannot be read when the
    /// run leaves such files (why in `left`): no post of it was handed on.
    pub fn read(
        &self,
        file: &PostFile,
        left: &mut Vec<String>,
        on_post: &mut dyn FnMut(Post) -> Result<()>,
    ) -> Result<Option<u64>> {
        match formats::read(file, on_post) {
            Ok(hash) => Ok(Some(hash)),
            Err(e) if self.bad_files == BadFiles::Keep && e.is_about_a_post() => {
                left.push(e.to_string());
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// Builds the index in `dir` from scratch and opens it: the short way for
/// programs that embed recherche (tests, benchmarks, fuzzing).
pub fn build(corpus: &Path, dir: &IndexDir) -> Result<(Summary, OpenIndex)> {
    let lock = dir.lock(true)?;
    let summary = update(dir, &lock, &Request::new(corpus, Mode::Full))?;
    let open = dir
        .open()?
        .ok_or_else(|| Error::IndexMissing(dir.root().to_path_buf()))?;
    Ok((summary, open))
}

/// Brings the index in `dir` up to date with the corpus of `request`. The
/// caller holds the lock. A usable index is never modified in place unless
/// the new state is committed in full; when Ctrl-C is pressed, the update
/// stops between two files and leaves the index as it was.
pub fn update(dir: &IndexDir, lock: &IndexLock, request: &Request) -> Result<Summary> {
    let started = Instant::now();
    let started_ns = now_ns();
    let corpus = request.corpus;
    let run = |files: Vec<PostFile>| -> Result<Run> {
        if files.is_empty() {
            return Err(Error::CorpusEmpty(corpus.to_path_buf()));
        }
        let progress = request.progress;
        progress
            .files_total
            .store(files.len() as u64, Ordering::Relaxed);
        Ok(Run {
            corpus,
            files,
            interrupt: request.interrupt,
            progress,
            bad_files: request.bad_files,
            started_ns,
        })
    };
    let current = match (request.mode, dir.state()?) {
        (_, DirState::Foreign) => return Err(Error::ForeignIndex(dir.root().to_path_buf())),
        (Mode::Incremental, DirState::Corrupt(reason)) => {
            return Err(Error::IndexCorrupt {
                path: dir.root().to_path_buf(),
                reason,
            });
        }
        (Mode::Incremental, DirState::Current(_)) => dir.open()?,
        _ => None,
    };
    let mut summary = match current {
        Some(open) => {
            // Every file of the generation opens: never "up to date" over a
            // damaged index.
            open.reader()?;
            // A full build killed part-way may have left a generation.
            dir.remove_other_generations(lock, &open.pointer.generation);
            let check = check(corpus, &open)?;
            if check.is_fresh() {
                unchanged(&open, &check)?
            } else {
                incremental(&run(corpus::sorted(check.files)?)?, &open)?
            }
        }
        None => build::full(&run(corpus::discover(corpus)?)?, dir, lock)?,
    };
    summary.elapsed_ms = started.elapsed().as_millis().try_into().unwrap_or(u64::MAX);
    Ok(summary)
}

/// The summary of an update that finds nothing to do.
fn unchanged(open: &OpenIndex, check: &super::check::Check) -> Result<Summary> {
    let counts = open.counts();
    let manifest = open.manifest()?;
    Ok(Summary {
        passages: counts.passages,
        unchanged: manifest.files.iter().map(|f| f.passages).sum(),
        duplicates: counts.duplicates,
        files: manifest.files.len() as u64,
        files_read: check.files_read,
        ..Summary::default()
    })
}

/// What an update does: the new manifest, its edits of the index, and
/// the committed files no longer listed.
struct Plan {
    entries: Vec<FileEntry>,
    edits: Edits,
    gone: Vec<FileEntry>,
}

/// Compares each listed file with its committed entry, both sorted by
/// relative path, in one pass over the two; the posts of a file read again
/// are compared with the passages the index holds for it as they come.
fn plan(
    run: &Run,
    searcher: &Searcher,
    fields: &Fields,
    committed: &[FileEntry],
    texts: &mut TextCounts,
    summary: &mut Summary,
) -> Result<Plan> {
    let mut plan = Plan {
        entries: Vec::with_capacity(run.files.len()),
        edits: Edits::default(),
        gone: Vec::new(),
    };
    let mut slugs = Slugs::default();
    let mut committed = committed.iter().peekable();
    for file in &run.files {
        run.check_interrupt()?;
        run.progress.file_done(file.size, 0);
        while let Some(entry) = committed.next_if(|e| e.relative < file.relative) {
            plan.gone.push(entry.clone());
        }
        let previous = committed.next_if(|e| e.relative == file.relative);
        let same_stat = |e: &&FileEntry| e.size == file.size && e.modified_ns == file.modified_ns;
        if let Some(entry) = previous.filter(|e| same_stat(e) && !e.racy) {
            let given = slugs.assign_all(entry.wanted());
            if given.iter().map(String::as_str).eq(entry.slugs()) {
                summary.unchanged += entry.passages;
                plan.entries.push(entry.clone());
                continue;
            }
            // An earlier post now has one of its slugs, or gave one back:
            // its ids change.
            slugs.release(&given);
        }
        summary.files_read += 1;
        let stored = match previous {
            Some(_) => stored_passages(searcher, fields, &file.relative)?,
            None => HashMap::new(),
        };
        let mut change = FileChange {
            fields,
            file,
            stored,
            posts: PostSlugs::default(),
            passages: 0,
            edits: &mut plan.edits,
            texts,
            summary,
        };
        let mut left = Vec::new();
        let read = run.read(file, &mut left, &mut |post| {
            change.post(post, &mut slugs);
            Ok(())
        });
        let read = read?;
        change.summary.left.append(&mut left);
        let Some(hash) = read else {
            // Left as it was: the next update tries it again.
            if let Some(previous) = previous {
                slugs.keep(previous.slugs());
                summary.unchanged += previous.passages;
                plan.entries.push(previous.clone());
            }
            continue;
        };
        let entry = change.finish(hash, run.is_racy(file.modified_ns));
        plan.entries.push(entry);
    }
    plan.gone.extend(committed.cloned());
    Ok(plan)
}

/// The posts of a file read again, compared with the passages the index
/// holds for it (`stored`, by id): changed and new passages are added,
/// changed and removed ones deleted.
struct FileChange<'a> {
    fields: &'a Fields,
    file: &'a PostFile,
    stored: HashMap<String, StoredHashes>,
    posts: PostSlugs,
    passages: u64,
    edits: &'a mut Edits,
    texts: &'a mut TextCounts,
    summary: &'a mut Summary,
}

impl FileChange<'_> {
    fn post(&mut self, mut post: Post, slugs: &mut Slugs) {
        let wanted = post.slug.clone();
        let slug = slugs.assign(&wanted);
        post.rename(&slug);
        self.posts.push(&wanted, &slug);
        let (fields, file) = (self.fields, self.file);
        for passage in &post.passages {
            self.passages += 1;
            match self.stored.remove(&passage.id) {
                Some(old) if old.passage_hash == passage_hash(file, &post, passage) => {
                    if old.line == u64::from(passage.line) {
                        self.summary.unchanged += 1;
                        continue;
                    }
                    self.summary.moved += 1;
                    self.texts.remove(old.text_hash);
                    self.edits
                        .delete_passage(fields, &file.relative, &passage.id, old.position);
                }
                Some(old) => {
                    self.summary.updated += 1;
                    self.texts.remove(old.text_hash);
                    self.edits
                        .delete_passage(fields, &file.relative, &passage.id, old.position);
                }
                None => self.summary.added += 1,
            }
            self.texts.add(text_hash(&passage.text));
            self.edits
                .additions
                .push(fields.document(file, &post, passage));
        }
    }

    /// The file's new manifest entry, once its passages no longer given
    /// are deleted.
    fn finish(self, hash: u64, racy: bool) -> FileEntry {
        for (id, old) in &self.stored {
            self.summary.removed += 1;
            self.texts.remove(old.text_hash);
            self.edits
                .delete_passage(self.fields, &self.file.relative, id, old.position);
        }
        FileEntry {
            relative: self.file.relative.clone(),
            posts: self.posts,
            size: self.file.size,
            modified_ns: self.file.modified_ns,
            hash,
            passages: self.passages,
            racy,
        }
    }
}

/// The deletions and additions of an update, applied in that order: a
/// deletion by file, post and position takes the documents added before
/// it, and a new passage may take the position of one that goes.
#[derive(Default)]
struct Edits {
    deletions: Vec<Box<dyn Query>>,
    additions: Vec<TantivyDocument>,
}

impl Edits {
    /// Deletes every passage of a file.
    fn delete_file(&mut self, fields: &Fields, relative: &str) {
        let term = Term::from_field_text(fields.file, relative);
        self.deletions
            .push(Box::new(TermQuery::new(term, IndexRecordOption::Basic)));
    }

    /// Deletes the passage `id` of a file, found by its post and position.
    fn delete_passage(&mut self, fields: &Fields, relative: &str, id: &str, position: u64) {
        let term =
            |term| -> Box<dyn Query> { Box::new(TermQuery::new(term, IndexRecordOption::Basic)) };
        self.deletions
            .push(Box::new(BooleanQuery::intersection(vec![
                term(Term::from_field_text(fields.file, relative)),
                term(Term::from_field_text(fields.post, post_of_id(id))),
                term(Term::from_field_u64(fields.position, position)),
            ])));
    }
}

fn incremental(run: &Run, open: &OpenIndex) -> Result<Summary> {
    let reader = open.reader()?;
    let searcher = reader.searcher();
    let fields = open.fields;
    let committed = &open.manifest()?.files;
    let mut summary = Summary {
        files: run.files.len() as u64,
        ..Summary::default()
    };
    let mut texts = TextCounts::of(&searcher)?;
    let mut plan = plan(run, &searcher, &fields, committed, &mut texts, &mut summary)?;
    let edits = &mut plan.edits;
    if edits.additions.is_empty()
        && edits.deletions.is_empty()
        && plan.gone.is_empty()
        && plan.entries == *committed
    {
        let counts = open.counts();
        summary.passages = counts.passages;
        summary.duplicates = counts.duplicates;
        return Ok(summary);
    }
    for entry in &plan.gone {
        for stored in stored_passages(&searcher, &fields, &entry.relative)?.values() {
            texts.remove(stored.text_hash);
            summary.removed += 1;
        }
        edits.delete_file(&fields, &entry.relative);
    }
    run.check_interrupt()?;
    let mut writer = update_writer(&open.index)?;
    for query in std::mem::take(&mut edits.deletions) {
        writer.delete_query(query)?;
    }
    for document in std::mem::take(&mut edits.additions) {
        writer.add_document(document)?;
    }
    let counts = texts.counts();
    let manifest = Manifest {
        files: plan.entries,
    };
    commit(&mut writer, &open.generation, &manifest, counts)?;
    writer.wait_merging_threads()?;
    summary.committed = true;
    summary.passages = counts.passages;
    summary.duplicates = counts.duplicates;
    Ok(summary)
}

/// Segments with more passages than this (those of a full build) are not
/// merged by incremental updates.
const LARGE_SEGMENT_DOCS: usize = 50_000;

/// The writer of an incremental update: one indexing thread, so that an
/// update adds one segment.
fn update_writer(index: &Index) -> Result<IndexWriter> {
    let writer = index.writer_with_num_threads(1, build::THREAD_BUDGET)?;
    let mut policy = LogMergePolicy::default();
    // Merge segments once a tenth of their documents are deleted, so that
    // BM25 statistics stay close to a full rebuild's.
    policy.set_del_docs_ratio_before_merge(0.1);
    // Only the small segments of updates merge: an edit must not merge
    // the large segments of a full build.
    policy.set_max_docs_before_merge(LARGE_SEGMENT_DOCS);
    writer.set_merge_policy(Box::new(policy));
    Ok(writer)
}

/// The hashes the index holds for one passage, its position and line.
#[derive(Debug, Clone, Copy)]
struct StoredHashes {
    passage_hash: u64,
    text_hash: u64,
    position: u64,
    line: u64,
}

/// The passages the index holds for a file, by id.
fn stored_passages(
    searcher: &Searcher,
    fields: &Fields,
    relative: &str,
) -> Result<HashMap<String, StoredHashes>> {
    let addresses = read::file_passages(searcher, fields, relative)?;
    let ids = read::ids(searcher, &addresses)?;
    let mut passages = HashMap::with_capacity(addresses.len());
    let mut ids = ids.into_iter();
    // The addresses are sorted: each segment's columns are opened once.
    for segment in addresses.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
        let fast = searcher
            .segment_reader(segment[0].segment_ord)
            .fast_fields();
        let columns = ["passage_hash", "text_hash", "position", "line"]
            .map(|name| fast.u64(name).map(|column| (name, column)));
        let [passage_hash, text_hash, position, line] = columns;
        let columns = [passage_hash?, text_hash?, position?, line?];
        for (address, id) in segment.iter().zip(ids.by_ref()) {
            // Never guessed: deleting by a wrong position would take
            // another passage.
            let [passage_hash, text_hash, position, line] =
                columns.each_ref().map(|(name, column)| {
                    column.first(address.doc_id).ok_or_else(|| {
                        tantivy::TantivyError::InternalError(format!(
                            "a passage of {relative} has no {name}"
                        ))
                    })
                });
            let hashes = StoredHashes {
                passage_hash: passage_hash?,
                text_hash: text_hash?,
                position: position?,
                line: line?,
            };
            passages.insert(id, hashes);
        }
    }
    Ok(passages)
}
