//! A full build: every post into a new generation, which then becomes the
//! current one.
//!
//! This thread reads and parses the posts and hands their passages to
//! tantivy's indexing threads, which analyse and index them. The build's
//! segments are written once, never merged while it runs.

use std::path::Path;

use tantivy::indexer::NoMergePolicy;
use tantivy::{Index, IndexWriter};

use super::commit::{TextCounts, commit};
use super::manifest::{FileEntry, PostSlugs};
use super::slugs::Slugs;
use super::update::{Run, Summary};
use super::{Fields, IndexDir, IndexLock, Manifest, schema, text_hash};
use crate::analysis;
use crate::error::Result;

/// Memory for each indexing thread's segment (tantivy's budget).
pub(crate) const THREAD_BUDGET: usize = 100 << 20;

/// Indexing threads: one per core, up to 4.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
}

/// Builds every post of `run` into a new generation of `dir` and makes it
/// current; the previous generations are removed.
pub(crate) fn full(run: &Run, dir: &IndexDir, lock: &IndexLock) -> Result<Summary> {
    let (name, path) = dir.new_generation(lock)?;
    let summary = match build_generation(run, &path) {
        Ok(summary) => summary,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&path);
            return Err(e);
        }
    };
    dir.switch_to(lock, &name, run.corpus)?;
    dir.remove_other_generations(lock, &name);
    Ok(summary)
}

fn build_generation(run: &Run, path: &Path) -> Result<Summary> {
    let mut summary = Summary {
        full: true,
        files: run.files.len() as u64,
        committed: true,
        ..Summary::default()
    };
    let index = Index::create_in_dir(path, schema())?;
    analysis::register(index.tokenizers());
    let fields = Fields::of(&index.schema()).expect("the schema has every field");
    let threads = threads();
    let mut writer: IndexWriter =
        index.writer_with_num_threads(threads, threads * THREAD_BUDGET)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let mut files = Vec::with_capacity(run.files.len());
    let mut texts = TextCounts::default();
    let mut slugs = Slugs::default();
    for file in &run.files {
        run.check_interrupt()?;
        summary.files_read += 1;
        let (mut posts, mut passages) = (PostSlugs::default(), 0);
        let read = run.read(file, &mut summary.left, &mut |mut post| {
            let wanted = post.slug.clone();
            let slug = slugs.assign(&wanted);
            post.rename(&slug);
            posts.push(&wanted, &slug);
            for passage in &post.passages {
                texts.add(text_hash(&passage.text));
                writer.add_document(fields.document(file, &post, passage))?;
            }
            passages += post.passages.len() as u64;
            Ok(())
        });
        let Some(hash) = read? else {
            continue;
        };
        run.progress.file_done(file.size, passages);
        files.push(FileEntry {
            relative: file.relative.clone(),
            posts,
            size: file.size,
            modified_ns: file.modified_ns,
            hash,
            passages,
            racy: run.is_racy(file.modified_ns),
        });
    }
    run.check_interrupt()?;
    let counts = texts.counts();
    commit(&mut writer, path, &Manifest { files }, counts)?;
    writer.wait_merging_threads()?;
    summary.added = counts.passages;
    summary.passages = counts.passages;
    summary.duplicates = counts.duplicates;
    Ok(summary)
}
