//! Bringing the index up to date with the corpus: a full build into a new
//! generation, or an incremental update of the current one.
//!
//! A full build reads, parses, analyses and indexes the posts on one
//! worker thread per core (up to 4), each writing its own segments with
//! tantivy's segment writer: documents never cross threads. Its segments
//! are written once, without merges.
//!
//! The incremental path first takes the quick look of `search` (file list,
//! sizes, times); when something changed, it compares each post file's size
//! and modification time with the manifest, reads and hashes only the files
//! that differ, and for a changed file compares its passages (id and content
//! hash) with those the index holds for it: unchanged passages are neither
//! re-analysed nor rewritten. All deletions and additions land in one
//! tantivy commit, whose payload names the new manifest and word
//! dictionary.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::indexer::{AddOperation, LogMergePolicy, NoMergePolicy, SegmentWriter};
use tantivy::query::{BooleanQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Index, IndexWriter, Searcher, Segment, TantivyDocument, Term};

use super::document::{DocumentBuilder, passage_hash};
use super::manifest::{self, FileEntry, Manifest, hash};
use super::words::{WordCounts, WordFiles};
use super::{DirState, Fields, IndexDir, IndexLock, OpenIndex, StoredPassage, schema};
use crate::analysis;
use crate::corpus::{self, PostFile};
use crate::error::{Error, Result};
use crate::passages::{self, Passage, Post};

/// How to bring the index up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Change only what changed; rebuild when there is no usable index.
    Incremental,
    /// Rebuild everything into a new generation.
    Full,
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
}

impl Summary {
    /// True if passages were added, changed or removed.
    pub fn changed(&self) -> bool {
        self.added + self.updated + self.removed > 0
    }
}

/// The counts kept in the commit payload, so that a no-change run need not
/// scan the index.
#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize)]
struct Counts {
    passages: u64,
    duplicates: u64,
}

impl Counts {
    /// The counts of passages with these text hashes.
    fn of_hashes(mut hashes: Vec<u64>) -> Counts {
        hashes.sort_unstable();
        let passages = hashes.len() as u64;
        hashes.dedup();
        Counts {
            passages,
            duplicates: passages - hashes.len() as u64,
        }
    }
}

/// A file modified less than this before an update started may be modified
/// again without its modification time changing (coarse file-system
/// clocks): it is hashed again at every check until an update finds it
/// settled (its content unchanged, its time now further back than this)
/// and commits it as trusted, as `git status` refreshes its index.
const RACY_NS: u128 = 2_000_000_000;

/// Whether a file modified at `modified_ns` is far enough behind `now_ns`
/// for its size and time to be trusted.
fn settled(modified_ns: u128, now_ns: u128) -> bool {
    modified_ns + RACY_NS <= now_ns
}

/// Counters an update advances as it goes, for a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    /// Post files to look at.
    pub files_total: AtomicU64,
    /// Post files looked at.
    pub files_done: AtomicU64,
    /// Bytes of the post files to look at.
    pub bytes_total: AtomicU64,
    /// Bytes of the post files looked at.
    pub bytes_done: AtomicU64,
    /// Passages indexed so far.
    pub passages: AtomicU64,
}

impl Progress {
    fn file_done(&self, bytes: u64, passages: u64) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
        self.bytes_done.fetch_add(bytes, Ordering::Relaxed);
        self.passages.fetch_add(passages, Ordering::Relaxed);
    }
}

/// One update run: the corpus, what it holds, and how to stop.
struct Run<'a> {
    corpus: &'a Path,
    files: Vec<PostFile>,
    interrupt: &'a AtomicBool,
    progress: &'a Progress,
    /// Wall clock at the start, for the racy-file rule.
    started_ns: u128,
}

impl Run<'_> {
    /// Fails with [`Error::Interrupted`] once Ctrl-C was pressed.
    fn check_interrupt(&self) -> Result<()> {
        if self.interrupt.load(Ordering::Relaxed) {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }

    /// True for a file modified too close to the start: its size and time
    /// may not reveal a later edit.
    fn is_racy(&self, entry: &FileEntry) -> bool {
        !settled(entry.modified_ns, self.started_ns)
    }
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Brings the index in `dir` up to date with `corpus`. The caller holds the
/// lock. A usable index is never modified in place unless the new state is
/// committed in full; when `interrupt` becomes true, the update stops
/// between two files and leaves the index as it was.
pub fn update(
    corpus: &Path,
    dir: &IndexDir,
    mode: Mode,
    lock: &IndexLock,
    interrupt: &AtomicBool,
) -> Result<Summary> {
    update_observed(corpus, dir, mode, lock, interrupt, &Progress::default())
}

/// Builds the index in `dir` from scratch and opens it: the short way for
/// programs that embed recherche (tests, benchmarks, fuzzing).
pub fn build(corpus: &Path, dir: &IndexDir) -> Result<(Summary, OpenIndex)> {
    let lock = dir.lock(true)?;
    let summary = update(corpus, dir, Mode::Full, &lock, &AtomicBool::new(false))?;
    let open = dir
        .open()?
        .ok_or_else(|| Error::IndexMissing(dir.root().to_path_buf()))?;
    Ok((summary, open))
}

/// [`update`], advancing `progress` as it goes.
pub fn update_observed(
    corpus: &Path,
    dir: &IndexDir,
    mode: Mode,
    lock: &IndexLock,
    interrupt: &AtomicBool,
    progress: &Progress,
) -> Result<Summary> {
    let started = Instant::now();
    let started_ns = now_ns();
    let state = dir.state()?;
    let mut current = None;
    if mode == Mode::Incremental
        && matches!(state, DirState::Current(_))
        && let Some(open) = dir.open()?
    {
        // The quick look of `search`: when nothing changed, slugs and the
        // plan are not needed; when something did, its listing serves.
        let check = check(corpus, &open)?;
        let manifest = open.manifest()?;
        if check.changed.is_empty() && check.settled == 0 {
            let counts = payload_counts(&open.index).unwrap_or_default();
            dir.remove_other_generations(lock, &open.pointer.generation);
            let summary = Summary {
                passages: counts.passages,
                unchanged: manifest.files.iter().map(|f| f.passages).sum(),
                duplicates: counts.duplicates,
                files: manifest.files.len() as u64,
                files_read: check.files_read,
                elapsed_ms: duration_ms(started.elapsed()),
                ..Summary::default()
            };
            return Ok(summary);
        }
        current = Some((open, check.files, check.places));
    }
    let (open, files) = match current {
        Some((open, listed, places)) => {
            let files = sorted_files(listed, places.as_deref(), open.manifest()?);
            (Some(open), files)
        }
        None => (None, corpus::discover(corpus)?),
    };
    if files.is_empty() {
        return Err(Error::CorpusEmpty(corpus.to_path_buf()));
    }
    progress
        .files_total
        .store(files.len() as u64, Ordering::Relaxed);
    progress
        .bytes_total
        .store(files.iter().map(|f| f.size).sum(), Ordering::Relaxed);
    let run = Run {
        corpus,
        files,
        interrupt,
        progress,
        started_ns,
    };
    let mut summary = match (mode, state) {
        (_, DirState::Foreign) => return Err(Error::ForeignIndex(dir.root().to_path_buf())),
        (Mode::Incremental, DirState::Corrupt(reason)) => {
            return Err(Error::IndexCorrupt {
                path: dir.root().to_path_buf(),
                reason,
            });
        }
        (Mode::Incremental, DirState::Current(_)) => match open {
            Some(open) => {
                let summary = incremental(&run, &open)?;
                // A full build killed part-way may have left a generation.
                dir.remove_other_generations(lock, &open.pointer.generation);
                summary
            }
            None => full(&run, dir, lock)?,
        },
        _ => full(&run, dir, lock)?,
    };
    summary.elapsed_ms = duration_ms(started.elapsed());
    Ok(summary)
}

fn duration_ms(d: Duration) -> u64 {
    d.as_millis().try_into().unwrap_or(u64::MAX)
}

/// The post files that differ from what the index was built from (see
/// [`check`]).
pub fn is_stale(corpus: &Path, open: &OpenIndex) -> Result<Vec<String>> {
    Ok(check(corpus, open)?.changed)
}

/// What [`check`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Check {
    /// Post files added, changed or removed (relative paths, sorted).
    pub changed: Vec<String>,
    /// Files read to find out (racy files only).
    pub files_read: u64,
    /// Racy files found unchanged and now settled: an update would commit
    /// them as trusted, and later checks would not read them.
    pub settled: u64,
    /// The post files listed, unsorted and without slugs.
    pub files: Vec<PostFile>,
    /// Where each listed file's entry is in the manifest, when the listing
    /// holds the committed files and no other.
    pub places: Option<Vec<usize>>,
}

/// Compares the corpus with the manifest of `open` by file list, sizes and
/// modification times; only files modified right before the last update
/// (racy) are read and hashed. Slugs are not computed: they follow from
/// the file list, which is compared. The manifest is read and indexed on
/// one thread while the corpus is walked on the others.
pub fn check(corpus: &Path, open: &OpenIndex) -> Result<Check> {
    let started_ns = now_ns();
    let (files, known) = std::thread::scope(|scope| {
        let known = scope.spawn(|| -> Result<FxHashMap<&str, usize>> {
            Ok(open
                .manifest()?
                .files
                .iter()
                .enumerate()
                .map(|(i, e)| (e.relative.as_str(), i))
                .collect())
        });
        let files = corpus::list(corpus);
        (
            files,
            known.join().expect("reading the manifest does not panic"),
        )
    });
    let (files, known) = (files?, known?);
    let manifest = open.manifest()?;
    // The Littré's 78,000 files are compared on every core; a blog's few
    // on this thread, without the cost of starting others.
    let compared = if files.len() < 4096 {
        vec![compare(corpus, &files, &known, manifest, started_ns)]
    } else {
        let part = files.len().div_ceil(cores());
        std::thread::scope(|scope| {
            let threads: Vec<_> = files
                .chunks(part)
                .map(|part| scope.spawn(|| compare(corpus, part, &known, manifest, started_ns)))
                .collect();
            threads
                .into_iter()
                .map(|thread| thread.join().expect("comparing files does not panic"))
                .collect()
        })
    };
    let mut found = Compared {
        places: Some(Vec::with_capacity(files.len())),
        ..Compared::default()
    };
    for part in compared {
        let part = part?;
        found.changed.extend(part.changed);
        found.files_read += part.files_read;
        found.settled += part.settled;
        found.places = found.places.zip(part.places).map(|(mut all, part)| {
            all.extend(part);
            all
        });
    }
    let Compared {
        mut changed,
        files_read,
        settled,
        mut places,
    } = found;
    if files.len() != manifest.files.len() {
        places = None;
    }
    if places.is_none() || !changed.is_empty() {
        let listed: FxHashSet<&str> = files.iter().map(|f| f.relative.as_str()).collect();
        for entry in &manifest.files {
            if !listed.contains(entry.relative.as_str()) {
                changed.push(entry.relative.clone());
            }
        }
    }
    changed.sort();
    changed.dedup();
    Ok(Check {
        changed,
        files_read,
        settled,
        files,
        places,
    })
}

/// What [`compare`] found in part of the listing.
#[derive(Default)]
struct Compared {
    changed: Vec<String>,
    files_read: u64,
    settled: u64,
    /// The place of each file's entry in the manifest; `None` once a file
    /// has none.
    places: Option<Vec<usize>>,
}

/// Compares listed files with their committed entries (`known` gives their
/// place in `manifest`): new files, and files of another size or time, are
/// changed; racy ones are read and hashed.
fn compare(
    corpus: &Path,
    files: &[PostFile],
    known: &FxHashMap<&str, usize>,
    manifest: &Manifest,
    started_ns: u128,
) -> Result<Compared> {
    let mut found = Compared::default();
    let mut places = Vec::with_capacity(files.len());
    let mut all_known = true;
    for file in files {
        let Some(&place) = known.get(file.relative.as_str()) else {
            all_known = false;
            found.changed.push(file.relative.clone());
            continue;
        };
        places.push(place);
        let entry = &manifest.files[place];
        if entry.size != file.size || entry.modified_ns != file.modified_ns {
            found.changed.push(file.relative.clone());
        } else if entry.racy {
            found.files_read += 1;
            if hash(&corpus::read_post_bytes(corpus, file)?) != entry.hash {
                found.changed.push(file.relative.clone());
            } else if settled(file.modified_ns, started_ns) {
                found.settled += 1;
            }
        }
    }
    found.places = all_known.then_some(places);
    Ok(found)
}

/// The listed files in sorted order with their slugs. When the listing
/// holds the committed files and no other (`places` says where each is in
/// the manifest), that order and those slugs are the manifest's: slugs
/// follow from the sorted list of paths alone (a change to
/// [`corpus::slugify`] changes ids, and so comes with a new
/// [`super::SCHEMA_VERSION`], which rebuilds). The Littré's 77,754 paths
/// are then neither sorted nor made into slugs again (18 ms of a one-file
/// update).
fn sorted_files(
    files: Vec<PostFile>,
    places: Option<&[usize]>,
    manifest: &Manifest,
) -> Vec<PostFile> {
    let Some(places) = places.filter(|p| p.len() == files.len() && p.len() == manifest.files.len())
    else {
        return corpus::sorted_with_slugs(files);
    };
    // Each file at its own place (paths are unique; checked all the same).
    let mut taken = vec![false; places.len()];
    if !places
        .iter()
        .all(|&place| !std::mem::replace(&mut taken[place], true))
    {
        return corpus::sorted_with_slugs(files);
    }
    let mut sorted: Vec<Option<PostFile>> =
        std::iter::repeat_with(|| None).take(files.len()).collect();
    for (file, &place) in files.into_iter().zip(places) {
        sorted[place] = Some(file);
    }
    sorted
        .into_iter()
        .flatten()
        .zip(&manifest.files)
        .map(|(mut file, entry)| {
            file.slug.clone_from(&entry.slug);
            file
        })
        .collect()
}

fn same_stat(entry: &FileEntry, file: &PostFile) -> bool {
    entry.size == file.size && entry.modified_ns == file.modified_ns && entry.slug == file.slug
}

/// Segments with more passages than this (those of a full build) are not
/// merged by incremental updates.
const LARGE_SEGMENT_DOCS: usize = 50_000;

/// One indexing thread per core, up to 4 (each holds a segment's budget).
fn cores() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
}

/// Memory for one segment being written (its postings table, fast fields
/// and buffers: tantivy's budget), per indexing thread. Measured on 2 cores when tantivy's threads indexed a full
/// build: two threads built the Littré 12 % faster than one of 128 MB
/// (4 segments instead of 2, which queries barely notice: typos and
/// completions read the word dictionary, not the segments), at the same
/// peak memory (README, "Speed"). 48 MB rather than 64 since passage ids
/// are no longer indexed: a document takes less of the budget, and 64 MB
/// held 262,000 passages per segment and peaked at 295–306 MB; 48 MB holds
/// about 170,000, as 64 did before.
const SEGMENT_BUDGET: usize = 48 << 20;

/// Tantivy writer settings, with `threads` indexing threads of
/// [`SEGMENT_BUDGET`] each (a full build gives them no document: its own
/// threads write the segments, see [`OwnSegment`]).
fn writer(index: &Index, threads: usize) -> Result<IndexWriter> {
    let writer = index.writer_with_num_threads(threads, threads * SEGMENT_BUDGET)?;
    let mut policy = LogMergePolicy::default();
    // Merge segments once a tenth of their documents are deleted, so that
    // BM25 statistics stay close to a full rebuild's.
    policy.set_del_docs_ratio_before_merge(0.1);
    // Only the small segments of incremental updates merge: the large ones
    // of a full build stay as they are (an edit would otherwise merge a
    // whole corpus).
    policy.set_max_docs_before_merge(LARGE_SEGMENT_DOCS);
    writer.set_merge_policy(Box::new(policy));
    Ok(writer)
}

fn full(run: &Run, dir: &IndexDir, lock: &IndexLock) -> Result<Summary> {
    let (name, path) = dir.new_generation(lock)?;
    let built = build_generation(run, &path);
    let summary = match built {
        Ok(summary) => summary,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&path);
            return Err(e);
        }
    };
    dir.switch_to(lock, &name)?;
    dir.remove_other_generations(lock, &name);
    Ok(summary)
}

fn build_generation(run: &Run, path: &Path) -> Result<Summary> {
    let directory =
        tantivy::directory::MmapDirectory::open(path).map_err(tantivy::TantivyError::from)?;
    // The document store compressed on the thread that writes the segment
    // rather than on one of its own per segment, which took each 16 KB
    // block through a channel (33,000 `futex` calls for the Littré).
    let settings = tantivy::IndexSettings {
        docstore_compress_dedicated_thread: false,
        ..tantivy::IndexSettings::default()
    };
    let index = Index::create(directory, schema(), settings)?;
    analysis::register(index.tokenizers());
    let fields = Fields::of(&index.schema()).expect("the schema has every field");
    // The writer's own indexing thread gets no document: the worker
    // threads write the segments (`index_all`); the writer commits them.
    let mut writer = writer(&index, 1)?;
    // A full build writes its segments once: merging them while it runs
    // made a 300 MB build 20 % slower than linear (README, "Speed").
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let built = index_all(run, fields, &writer)?;
    run.check_interrupt()?;
    let mut manifest = Manifest {
        files: built.entries,
    };
    manifest.files.sort_by(|a, b| a.relative.cmp(&b.relative));
    let counts = Counts::of_hashes(built.text_hashes);
    let summary = Summary {
        full: true,
        files: run.files.len() as u64,
        files_read: manifest.files.len() as u64,
        added: counts.passages,
        passages: counts.passages,
        duplicates: counts.duplicates,
        committed: true,
        ..Summary::default()
    };
    for entry in &mut manifest.files {
        entry.racy = run.is_racy(entry);
    }
    let manifest = |path: &Path| manifest.write(path);
    let words = |generation: &Path, opstamp| built.words.write_whole(generation, opstamp);
    commit(&mut writer, path, manifest, words, counts)?;
    writer.wait_merging_threads()?;
    Ok(summary)
}

/// What the indexing threads of a full build gathered besides documents.
#[derive(Default)]
struct BuiltFiles {
    entries: Vec<FileEntry>,
    /// The text hash of every passage (a list is a third the size of a
    /// map of counts).
    text_hashes: Vec<u64>,
    words: WordCounts,
}

/// Counts a thread keeps to itself before adding them to the shared ones:
/// the threads' copies of the same words would otherwise add up to tens of
/// megabytes on a large corpus.
const LOCAL_COUNTS: usize = 50_000;

/// A segment a worker thread writes on its own, as tantivy's indexing
/// threads do, and hands to the writer once full. Handing documents to
/// tantivy's threads through its queue cost a build of the Littré 125,000
/// `futex` and 279,000 `sched_yield` calls on two cores, the queue being
/// full or empty by turns, and each document left the processor's caches
/// of the thread that built it.
struct OwnSegment<'w> {
    writer: &'w IndexWriter,
    /// Memory for the segment being written: [`SEGMENT_BUDGET`].
    budget: usize,
    /// The segment being written, created at its first document.
    open: Option<(Segment, SegmentWriter)>,
}

/// What tantivy leaves free of a segment's budget before it flushes
/// (`tantivy::indexer::MARGIN_IN_BYTES`).
const SEGMENT_MARGIN: usize = 1_000_000;

impl<'w> OwnSegment<'w> {
    fn new(writer: &'w IndexWriter, budget: usize) -> OwnSegment<'w> {
        OwnSegment {
            writer,
            budget,
            open: None,
        }
    }

    fn add(&mut self, document: TantivyDocument) -> Result<()> {
        let (_, segment_writer) = match &mut self.open {
            Some(open) => open,
            None => {
                let segment = self.writer.new_segment();
                let segment_writer = SegmentWriter::for_segment(self.budget, segment.clone())?;
                self.open.insert((segment, segment_writer))
            }
        };
        // Opstamps order additions against deletions: a new generation
        // has none.
        segment_writer.add_document(AddOperation {
            opstamp: 0,
            document,
        })?;
        if segment_writer.mem_usage() >= self.budget.saturating_sub(SEGMENT_MARGIN) {
            self.finish()?;
        }
        Ok(())
    }

    /// Writes the segment's files and hands it to the writer, which
    /// commits it with the others (as tantivy's `index_documents` does).
    /// `IndexWriter::add_segment` is public but left out of tantivy's
    /// documentation: the test below would tell if it changed.
    fn finish(&mut self) -> Result<()> {
        let Some((segment, segment_writer)) = self.open.take() else {
            return Ok(());
        };
        let max_doc = segment_writer.max_doc();
        segment_writer.finalize()?;
        let meta = segment.with_max_doc(max_doc).meta().clone();
        meta.untrack_temp_docstore();
        self.writer.add_segment(meta)?;
        Ok(())
    }
}

/// Reads, parses, analyses and indexes every post file on worker threads
/// (one per core, up to 4: each holds a segment's budget), each writing
/// its own segments. Stops at the first error or at Ctrl-C.
fn index_all(run: &Run, fields: Fields, writer: &IndexWriter) -> Result<BuiltFiles> {
    let workers = cores();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let shared = std::sync::Mutex::new(BuiltFiles::default());
    let share = |mine: &mut BuiltFiles, words: &mut WordCounts| {
        let mut all = shared.lock().expect("no indexing thread panics");
        all.entries.append(&mut mine.entries);
        all.text_hashes.append(&mut mine.text_hashes);
        all.words.merge_from(words);
    };
    let work = || -> Result<()> {
        let mut builder = DocumentBuilder::new(fields);
        let mut mine = BuiltFiles::default();
        let mut segment = OwnSegment::new(writer, SEGMENT_BUDGET);
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= run.files.len() || stop.load(Ordering::Relaxed) {
                break;
            }
            run.check_interrupt()?;
            let file = &run.files[i];
            let bytes = corpus::read_post_bytes(run.corpus, file)?;
            let content_hash = hash(&bytes);
            let text = corpus::decode(&corpus::path_of(run.corpus, file), bytes)?;
            let post = passages::parse(&file.slug, &text);
            let built = builder.post(file, &post);
            run.progress.file_done(file.size, built.len() as u64);
            for passage in built {
                mine.text_hashes.push(passage.text_hash);
                segment.add(passage.document)?;
            }
            mine.entries.push(entry(file, content_hash, &post));
            if mine.text_hashes.len() + builder.forgotten_words_len() > LOCAL_COUNTS {
                share(&mut mine, builder.forgotten_words());
            }
        }
        if stop.load(Ordering::Relaxed) {
            // Another thread failed: the generation is discarded.
            return Ok(());
        }
        segment.finish()?;
        share(&mut mine, &mut builder.into_words());
        Ok(())
    };
    std::thread::scope(|scope| -> Result<()> {
        let threads: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let result = work();
                    if result.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    result
                })
            })
            .collect();
        let mut error = None;
        for thread in threads {
            if let Err(e) = thread.join().expect("an indexing thread does not panic") {
                error = error.or(Some(e));
            }
        }
        error.map_or(Ok(()), Err)
    })?;
    Ok(shared.into_inner().expect("no indexing thread panics"))
}

fn entry(file: &PostFile, hash: u64, post: &Post) -> FileEntry {
    FileEntry {
        relative: file.relative.clone(),
        slug: file.slug.clone(),
        size: file.size,
        modified_ns: file.modified_ns,
        hash,
        passages: post.passages.len() as u64,
        racy: false,
    }
}

/// Writes the manifest and the word dictionary (with `write_manifest` and
/// `write_words`, which names its files), then commits with a payload
/// naming them.
fn commit(
    writer: &mut IndexWriter,
    generation: &Path,
    write_manifest: impl FnOnce(&Path) -> Result<()>,
    write_words: impl FnOnce(&Path, u64) -> Result<WordFiles> + Send,
    counts: Counts,
) -> Result<()> {
    let mut prepared = writer.prepare_commit()?;
    let opstamp = prepared.opstamp();
    let manifest_name = format!("manifest-{opstamp:012}.tsv");
    // Side by side: an update's other core is idle by now.
    let (manifest_written, words_written) = std::thread::scope(|scope| {
        let words = scope.spawn(|| write_words(generation, opstamp));
        let manifest_written = write_manifest(&generation.join(&manifest_name));
        let words_written = words
            .join()
            .expect("writing the word dictionary does not panic");
        (manifest_written, words_written)
    });
    manifest_written?;
    let words = words_written?;
    let payload = serde_json::json!({
        "manifest": manifest_name,
        "words": words.whole,
        "word_changes": words.changes,
        "passages": counts.passages,
        "duplicates": counts.duplicates,
    });
    prepared.set_payload(&payload.to_string());
    prepared.commit()?;
    let mut keep = vec![manifest_name.as_str(), words.whole.as_str()];
    keep.extend(words.changes.as_deref());
    remove_older_files(generation, &keep);
    Ok(())
}

/// Removes the manifests and dictionaries of earlier commits.
fn remove_older_files(generation: &Path, keep: &[&str]) {
    let Ok(entries) = std::fs::read_dir(generation) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.starts_with("manifest-") || name.starts_with("words-");
        if ours && !keep.contains(&name.as_ref()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// What to do with one post file.
enum Plan<'m> {
    /// Same size and time: nothing read. Its entry is the committed one.
    Unchanged(Cow<'m, FileEntry>),
    /// Read and hashed: same content, new time (or a racy file now
    /// settled).
    Touched(Cow<'m, FileEntry>),
    /// New or changed content: its passages, and the old ones' hashes.
    Changed(Box<Change>),
}

/// A new or changed post file, parsed.
struct Change {
    entry: FileEntry,
    file: PostFile,
    post: Post,
    old: HashMap<String, StoredHashes>,
}

/// What an update does with each listed file, and the committed entries
/// of the files no longer listed.
struct Plans<'m> {
    plans: Vec<Plan<'m>>,
    gone: Vec<&'m FileEntry>,
}

/// Compares each listed file with its committed entry. Both are sorted by
/// relative path: one pass over the two, no lookup, no entry copied.
fn plan<'m>(
    run: &Run,
    committed: &'m [FileEntry],
    searcher: &Searcher,
    fields: &Fields,
    summary: &mut Summary,
) -> Result<Plans<'m>> {
    let corpus = run.corpus;
    let mut plans = Vec::with_capacity(run.files.len());
    let mut gone = Vec::new();
    let mut committed = committed.iter().peekable();
    for file in &run.files {
        run.check_interrupt()?;
        run.progress.file_done(file.size, 0);
        while let Some(entry) = committed.next_if(|e| e.relative < file.relative) {
            gone.push(entry);
        }
        let previous = committed.next_if(|e| e.relative == file.relative);
        if let Some(entry) = previous.filter(|e| same_stat(e, file) && !e.racy) {
            summary.unchanged += entry.passages;
            plans.push(Plan::Unchanged(Cow::Borrowed(entry)));
            continue;
        }
        let bytes = corpus::read_post_bytes(corpus, file)?;
        summary.files_read += 1;
        let content_hash = hash(&bytes);
        if let Some(entry) = previous.filter(|e| same_stat(e, file) && e.hash == content_hash) {
            // A racy file, unchanged: once settled, committed as trusted.
            summary.unchanged += entry.passages;
            plans.push(if settled(file.modified_ns, run.started_ns) {
                Plan::Touched(Cow::Borrowed(entry))
            } else {
                Plan::Unchanged(Cow::Borrowed(entry))
            });
            continue;
        }
        if let Some(entry) = previous.filter(|e| e.hash == content_hash && e.slug == file.slug) {
            summary.unchanged += entry.passages;
            plans.push(Plan::Touched(Cow::Owned(FileEntry {
                size: file.size,
                modified_ns: file.modified_ns,
                ..entry.clone()
            })));
            continue;
        }
        let text = corpus::decode(&corpus::path_of(corpus, file), bytes)?;
        let post = passages::parse(&file.slug, &text);
        let old = match previous {
            Some(_) => stored_passages(searcher, fields, &file.relative)?,
            None => HashMap::new(),
        };
        plans.push(Plan::Changed(Box::new(Change {
            entry: entry(file, content_hash, &post),
            file: file.clone(),
            post,
            old,
        })));
    }
    gone.extend(committed);
    Ok(Plans { plans, gone })
}

fn incremental(run: &Run, open: &OpenIndex) -> Result<Summary> {
    let reader = open.reader()?;
    let searcher = reader.searcher();
    let fields = open.fields;
    let mut summary = Summary {
        files: run.files.len() as u64,
        ..Summary::default()
    };
    let committed = &open.manifest()?.files;
    let Plans { plans, gone } = plan(run, committed, &searcher, &fields, &mut summary)?;

    let content_unchanged = plans.iter().all(|p| !matches!(p, Plan::Changed(_))) && gone.is_empty();
    let metadata_changed = plans.iter().any(|p| matches!(p, Plan::Touched(_)));
    if content_unchanged && !metadata_changed {
        let counts = payload_counts(&open.index).unwrap_or_default();
        summary.passages = counts.passages;
        summary.duplicates = counts.duplicates;
        return Ok(summary);
    }

    let mut texts = TextChanges::default();
    // An update small enough for one segment gets one indexing thread: with
    // one per core, an edited post was split into a tiny segment per
    // thread, and every query opens each segment's files.
    let adding: usize = plans
        .iter()
        .map(|p| match p {
            Plan::Changed(change) => change.post.passages.len(),
            _ => 0,
        })
        .sum();
    let threads = if adding <= LARGE_SEGMENT_DOCS {
        1
    } else {
        cores()
    };
    let mut writer = writer(&open.index, threads)?;
    // The builder counts the words of the passages it builds, and takes out
    // those of the passages that go: changes to the committed counts.
    let mut builder = DocumentBuilder::new(fields);
    let forget = |builder: &mut DocumentBuilder,
                  texts: &mut TextChanges,
                  stored: StoredHashes|
     -> Result<()> {
        texts.remove(stored.text_hash);
        let doc: TantivyDocument = searcher.doc(stored.address)?;
        let passage = StoredPassage::from_doc(&doc, &fields);
        builder.forget(&passage.text, passage.context.as_deref());
        Ok(())
    };
    let mut manifest: Vec<Cow<FileEntry>> = Vec::with_capacity(plans.len());
    for entry in gone {
        for (_, stored) in stored_passages(&searcher, &fields, &entry.relative)? {
            forget(&mut builder, &mut texts, stored)?;
        }
        writer.delete_term(Term::from_field_text(fields.file, &entry.relative));
        summary.removed += entry.passages;
    }
    for plan in plans {
        match plan {
            Plan::Unchanged(entry) | Plan::Touched(entry) => manifest.push(entry),
            Plan::Changed(change) => {
                let Change {
                    entry,
                    file,
                    post,
                    mut old,
                } = *change;
                // Every deletion of the file comes before its additions: a
                // deletion by file and position also takes the documents
                // added before it, and a new passage may take an old one's
                // position.
                let mut removed = Vec::new();
                let changed = post.passages.iter().filter(|passage| {
                    let new_hash = passage_hash(&file, &post, passage);
                    match old.remove(&passage.id) {
                        Some(stored) if stored.passage_hash == new_hash => {
                            summary.unchanged += 1;
                            false
                        }
                        Some(stored) => {
                            removed.push(stored);
                            summary.updated += 1;
                            true
                        }
                        None => {
                            summary.added += 1;
                            true
                        }
                    }
                });
                let changed: Vec<&Passage> = changed.collect();
                summary.removed += old.len() as u64;
                removed.extend(old.into_values());
                for stored in &removed {
                    delete_passage(&writer, &fields, &entry.relative, stored.position)?;
                }
                for stored in removed {
                    forget(&mut builder, &mut texts, stored)?;
                }
                for built in builder.passages(&file, &post, changed.into_iter()) {
                    texts.add(built.text_hash);
                    writer.add_document(built.document)?;
                }
                manifest.push(Cow::Owned(entry));
            }
        }
    }
    let before = payload_counts(&open.index).ok_or_else(|| Error::IndexCorrupt {
        path: open.generation.clone(),
        reason: "its last commit does not count its passages".to_string(),
    })?;
    let counts = texts.apply(&searcher, before)?;
    drop(searcher);
    run.check_interrupt()?;
    for entry in &mut manifest {
        let racy = run.is_racy(entry);
        if entry.racy != racy {
            entry.to_mut().racy = racy;
        }
    }
    let changes = builder.into_words();
    let committed = open.words();
    let words = |generation: &Path, opstamp| changes.write_onto(committed, generation, opstamp);
    let manifest = |path: &Path| manifest::write_entries(&manifest, path);
    commit(&mut writer, &open.generation, manifest, words, counts)?;
    summary.committed = true;
    summary.passages = counts.passages;
    summary.duplicates = counts.duplicates;
    writer.wait_merging_threads()?;
    Ok(summary)
}

/// The text hashes of the passages an update adds (+1 each) and takes
/// out (−1 each): with the counts of the committed state, they give the
/// passage and duplicate counts of the state being committed. Only the
/// passages that carry one of these hashes are counted in the index, so
/// an update does not tabulate the text hash of every passage (584,040 on
/// the Littré, 20 ms).
#[derive(Default)]
struct TextChanges {
    by_hash: FxHashMap<u64, i64>,
}

impl TextChanges {
    fn add(&mut self, text_hash: u64) {
        *self.by_hash.entry(text_hash).or_insert(0) += 1;
    }

    fn remove(&mut self, text_hash: u64) {
        *self.by_hash.entry(text_hash).or_insert(0) -= 1;
    }

    /// The counts once these changes are applied to the state `searcher`
    /// reads, whose counts are `before`.
    fn apply(&self, searcher: &Searcher, before: Counts) -> Result<Counts> {
        let mut held: FxHashMap<u64, u64> = self.by_hash.keys().map(|&h| (h, 0)).collect();
        if !held.is_empty() {
            for segment in searcher.segment_readers() {
                let column = segment.fast_fields().u64("text_hash")?;
                for doc in segment.doc_ids_alive() {
                    if let Some(n) = column.first(doc).and_then(|h| held.get_mut(&h)) {
                        *n += 1;
                    }
                }
            }
        }
        // Saturating: counts that disagree with the index (they cannot,
        // being written with it) give wrong figures, not a panic.
        let mut passages = before.passages;
        let mut distinct = before.passages.saturating_sub(before.duplicates);
        for (hash, change) in &self.by_hash {
            let was = held[hash];
            let now = u64::try_from(was as i64 + change).unwrap_or(0);
            passages = passages.saturating_sub(was) + now;
            match (was, now) {
                (1.., 0) => distinct = distinct.saturating_sub(1),
                (0, 1..) => distinct += 1,
                _ => {}
            }
        }
        Ok(Counts {
            passages,
            duplicates: passages.saturating_sub(distinct),
        })
    }
}

/// Passages identical to another one, as counted at the last commit.
pub fn duplicates(index: &Index) -> u64 {
    payload_counts(index).unwrap_or_default().duplicates
}

/// The counts the last commit's payload holds.
fn payload_counts(index: &Index) -> Option<Counts> {
    index
        .load_metas()
        .ok()
        .and_then(|meta| meta.payload)
        .and_then(|p| serde_json::from_str::<Counts>(&p).ok())
}

/// Deletes the passage of a file at a position (passage ids are not
/// indexed; see `Fields::id`).
fn delete_passage(
    writer: &IndexWriter,
    fields: &Fields,
    relative: &str,
    position: u64,
) -> Result<()> {
    let term =
        |term| -> Box<dyn Query> { Box::new(TermQuery::new(term, IndexRecordOption::Basic)) };
    let query = BooleanQuery::intersection(vec![
        term(Term::from_field_text(fields.file, relative)),
        term(Term::from_field_u64(fields.position, position)),
    ]);
    writer.delete_query(Box::new(query))?;
    Ok(())
}

/// The hashes the index holds for one passage, and where it is.
#[derive(Debug, Clone, Copy)]
struct StoredHashes {
    passage_hash: u64,
    text_hash: u64,
    /// Its rank in the file: with the file, what deletes it.
    position: u64,
    address: DocAddress,
}

/// The passages the index holds for a file, by id.
fn stored_passages(
    searcher: &Searcher,
    fields: &Fields,
    relative: &str,
) -> Result<HashMap<String, StoredHashes>> {
    let query = TermQuery::new(
        Term::from_field_text(fields.file, relative),
        IndexRecordOption::Basic,
    );
    let addresses: Vec<_> = searcher
        .search(&query, &DocSetCollector)?
        .into_iter()
        .collect();
    let ids = super::read::ids(searcher, &addresses)?;
    let mut passages = HashMap::with_capacity(addresses.len());
    for (address, id) in addresses.iter().zip(ids) {
        let fast = searcher.segment_reader(address.segment_ord).fast_fields();
        let stored = StoredHashes {
            passage_hash: fast.u64("passage_hash")?.first(address.doc_id).unwrap_or(0),
            text_hash: fast.u64("text_hash")?.first(address.doc_id).unwrap_or(0),
            // Never guessed: deleting by a wrong position would take
            // another passage.
            position: fast.u64("position")?.first(address.doc_id).ok_or_else(|| {
                tantivy::TantivyError::InternalError(format!(
                    "a passage of {relative} has no position"
                ))
            })?,
            address: *address,
        };
        passages.insert(id, stored);
    }
    Ok(passages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::Count;
    use tantivy::schema::{STORED, Schema, TEXT, Value};
    use tantivy::{doc, schema::Field};

    fn count(searcher: &Searcher, field: Field, word: &str) -> usize {
        let query = TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::Basic);
        searcher.search(&query, &Count).unwrap()
    }

    /// A corpus too large to compare on one thread: each kind of change is
    /// found, whichever part of the listing it falls in.
    #[test]
    fn a_large_corpus_is_compared_on_every_core_and_every_change_is_found() {
        let corpus = tempfile::tempdir().unwrap();
        let index = tempfile::tempdir().unwrap();
        let name = |i: usize| format!("p{i:05}.txt");
        let write =
            |name: &str, text: &str| std::fs::write(corpus.path().join(name), text).unwrap();
        for i in 0..5_000 {
            write(&name(i), &format!("Titre {i}\n\nmot{i:05}\n"));
        }
        let (_, open) = build(corpus.path(), &IndexDir::new(index.path())).unwrap();
        let unchanged = check(corpus.path(), &open).unwrap();
        assert!(unchanged.changed.is_empty(), "{:?}", unchanged.changed);
        assert_eq!(unchanged.files.len(), 5_000);
        // Another size; the same size (found by its time, or by its hash
        // while the file is racy); gone; new.
        write(&name(10), "Titre dix\n\nun autre texte\n");
        write(&name(4_999), "Titre 4999\n\nmut04999\n");
        std::fs::remove_file(corpus.path().join(name(2_500))).unwrap();
        write("p99999.txt", "Titre\n\nnouveau\n");
        let changed = check(corpus.path(), &open).unwrap();
        assert_eq!(
            changed.changed,
            [name(10), name(2_500), name(4_999), "p99999.txt".to_string()]
        );
        assert_eq!(changed.files.len(), 5_000);
    }

    /// Files edited in place keep the manifest's order and slugs without
    /// being sorted again; a file added or gone takes the sorting way.
    /// Either way, the files are those a fresh listing gives.
    #[test]
    fn edited_files_take_the_committed_order_and_slugs() {
        let corpus = tempfile::tempdir().unwrap();
        let index = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = corpus.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        for name in [
            "b.txt",
            "A b.txt",
            "a-b.txt",
            "notes/Été.txt",
            "notes/z.txt",
            "c.txt",
        ] {
            write(name, &format!("Titre {name}\n\nTexte de {name}.\n"));
        }
        let (_, open) = build(corpus.path(), &IndexDir::new(index.path())).unwrap();
        let sorted = |check: Check| {
            sorted_files(
                check.files,
                check.places.as_deref(),
                open.manifest().unwrap(),
            )
        };
        write("a-b.txt", "Titre\n\nUn texte plus long que le premier.\n");
        let edited = check(corpus.path(), &open).unwrap();
        assert_eq!(edited.changed, ["a-b.txt"]);
        assert!(edited.places.is_some());
        let files = sorted(edited);
        assert_eq!(files, corpus::discover(corpus.path()).unwrap());
        let slugs: Vec<&str> = files.iter().map(|f| f.slug.as_str()).collect();
        // Sorted by path: `notes/z.txt` before `notes/Été.txt`.
        assert_eq!(slugs, ["a-b", "a-b-2", "b", "c", "notes/z", "notes/ete"]);

        write("d.txt", "Titre\n\nNouveau.\n");
        let added = check(corpus.path(), &open).unwrap();
        assert!(added.places.is_none());
        assert_eq!(sorted(added), corpus::discover(corpus.path()).unwrap());

        std::fs::remove_file(corpus.path().join("d.txt")).unwrap();
        std::fs::remove_file(corpus.path().join("b.txt")).unwrap();
        let gone = check(corpus.path(), &open).unwrap();
        assert_eq!(gone.changed, ["a-b.txt", "b.txt"]);
        assert!(gone.places.is_none());
        assert_eq!(sorted(gone), corpus::discover(corpus.path()).unwrap());
    }

    /// Two threads writing their own segments with a small budget: each
    /// hands a segment over whenever its budget is spent and the rest at
    /// the end, and one commit holds every document once.
    #[test]
    fn own_segments_are_handed_over_when_full_and_committed_together() {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT | STORED);
        let index = Index::create_in_dir(dir.path(), builder.build()).unwrap();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(NoMergePolicy));
        const PER_THREAD: usize = 600;
        std::thread::scope(|scope| {
            for thread in 0..2 {
                let writer = &writer;
                scope.spawn(move || {
                    // Tantivy's smallest budget: its tables take 6 MB of
                    // it from the first document, and the segment is
                    // handed over at 14 MB.
                    let mut own = OwnSegment::new(writer, 15_000_000);
                    for i in 0..PER_THREAD {
                        // 100 distinct long words per passage: a segment
                        // holds about 150 of them.
                        let mut words = format!("passage fil{thread} mot{thread}x{i}");
                        for w in 0..100 {
                            words.push_str(&format!(" {thread}x{i}x{w}{}", "z".repeat(30)));
                        }
                        own.add(doc!(text => words)).unwrap();
                    }
                    own.finish().unwrap();
                    // Finishing again hands nothing over.
                    own.finish().unwrap();
                });
            }
        });
        writer.commit().unwrap();
        let reader = index.reader().unwrap();
        let searcher = reader.searcher();
        assert_eq!(searcher.num_docs(), 2 * PER_THREAD as u64);
        let segments = searcher.segment_readers().len();
        assert!(
            segments > 2,
            "{segments} segments: none handed over part-way"
        );
        assert_eq!(count(&searcher, text, "passage"), 2 * PER_THREAD);
        assert_eq!(count(&searcher, text, "fil1"), PER_THREAD);
        for word in ["mot0x0", "mot1x123", "mot0x599"] {
            assert_eq!(count(&searcher, text, word), 1, "{word}");
        }
        // Stored text reads back from every segment.
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let stored: TantivyDocument = searcher
                .doc(DocAddress::new(ord as u32, segment.max_doc() - 1))
                .unwrap();
            let value = stored.get_first(text).unwrap();
            assert!(value.as_str().unwrap().starts_with("passage fil"));
        }
    }
}
