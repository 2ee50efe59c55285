//! The index folder: its layout, its schema, opening it.
//!
//! ```text
//! index/
//!   .gitignore         kept in git; the rest never is
//!   recherche.json     which generation is current, with format versions
//!   .lock              held by whoever writes (`index`, a refreshing `search`)
//!   gen-000003/        a tantivy index, its manifest and word dictionary files
//! ```
//!
//! A full build writes a new generation next to the current one and switches
//! `recherche.json` to it with an atomic rename: a reader sees the old index
//! or the new one, never a half-built one, and a build killed part-way leaves
//! the previous index as it was. Incremental updates commit into the current
//! generation; tantivy commits are atomic too.

pub mod document;
pub mod manifest;
pub mod read;
pub mod update;
pub mod words;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument};

use crate::analysis::{self, ANALYZER_VERSION};
use crate::error::{Error, Result};
use crate::passages::Kind;
pub use manifest::Manifest;
pub use words::Words;

/// Version of the schema below and of the manifest and word dictionary
/// files (6: a commit may name changes to the word dictionary, which an
/// earlier recherche would not read); with [`ANALYZER_VERSION`] it decides
/// whether an existing index can be updated or must be rebuilt.
pub const SCHEMA_VERSION: u32 = 6;

/// The name of the generation pointer in the index folder.
pub(crate) const POINTER: &str = "recherche.json";
/// The lock file of the index folder.
const LOCK: &str = ".lock";
/// Prefix of generation folders.
const GENERATION_PREFIX: &str = "gen-";
/// Files of the index folder that are not its generations but are allowed
/// there.
const TOLERATED: &[&str] = &[".gitignore"];

/// The fields of a passage document.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Passage id; unique, stored, fast (ties are broken by it; `show`
    /// finds it in the fast field's dictionary). Not indexed: 584,000 long
    /// unique terms were 6 % of a build's instructions, and the file and
    /// position find a passage as well (see `position`).
    pub id: Field,
    /// Relative path of the post file (to find and delete its passages).
    pub file: Field,
    /// Post slug (stored only: the file finds a post's passages).
    pub post: Field,
    /// Post title (its analysed tokens), searchable at a lower boost.
    pub title: Field,
    /// Post title as written (stored).
    pub stored_title: Field,
    /// Passage kind, for `kind:` filters.
    pub kind: Field,
    /// Comment author as written (stored only).
    pub author: Field,
    /// Comment author, folded words (for `author:` filters).
    pub author_key: Field,
    /// The introducing line or heading, searchable at a lower boost.
    pub context: Field,
    /// The introducing line or heading as written (stored).
    pub stored_context: Field,
    /// The passage text (its analysed tokens), with positions for phrases.
    pub text: Field,
    /// The passage text as written (stored).
    pub stored_text: Field,
    /// Rank of the passage in its post; indexed, so that the file and the
    /// position find one passage (an update deletes by both).
    pub position: Field,
    /// Line of the post file where the passage starts.
    pub line: Field,
    /// xxh3 of the text alone: identical passages share it.
    pub text_hash: Field,
    /// xxh3 of every stored field: the passage half of the manifest.
    pub passage_hash: Field,
}

fn french_text(record: IndexRecordOption, analyzer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(record),
    )
}

/// Builds the schema.
pub fn schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_text_field("id", STORED | FAST);
    builder.add_text_field("file", STRING | STORED);
    builder.add_text_field("post", STORED);
    builder.add_text_field(
        "title",
        french_text(IndexRecordOption::WithFreqs, analysis::TOKENS),
    );
    builder.add_text_field("stored_title", STORED);
    builder.add_text_field("kind", STRING | STORED);
    builder.add_text_field("author", STORED);
    builder.add_text_field(
        "author_key",
        french_text(IndexRecordOption::WithFreqsAndPositions, analysis::NAMES),
    );
    builder.add_text_field(
        "context",
        french_text(IndexRecordOption::WithFreqsAndPositions, analysis::TOKENS),
    );
    builder.add_text_field("stored_context", STORED);
    builder.add_text_field(
        "text",
        french_text(IndexRecordOption::WithFreqsAndPositions, analysis::TOKENS),
    );
    builder.add_text_field("stored_text", STORED);
    builder.add_u64_field("position", STORED | FAST | INDEXED);
    builder.add_u64_field("line", STORED);
    builder.add_u64_field("text_hash", FAST);
    builder.add_u64_field("passage_hash", FAST);
    builder.build()
}

impl Fields {
    /// Looks the fields up in a schema built by [`schema`].
    pub fn of(schema: &Schema) -> Result<Fields, String> {
        let field = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| format!("its schema has no field {name:?}"))
        };
        Ok(Fields {
            id: field("id")?,
            file: field("file")?,
            post: field("post")?,
            title: field("title")?,
            stored_title: field("stored_title")?,
            kind: field("kind")?,
            author: field("author")?,
            author_key: field("author_key")?,
            context: field("context")?,
            stored_context: field("stored_context")?,
            text: field("text")?,
            stored_text: field("stored_text")?,
            position: field("position")?,
            line: field("line")?,
            text_hash: field("text_hash")?,
            passage_hash: field("passage_hash")?,
        })
    }
}

/// The content of `recherche.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pointer {
    /// Always `"recherche-index"`: tells recherche's folders from others.
    pub format: String,
    /// [`SCHEMA_VERSION`] of the generation.
    pub schema: u32,
    /// [`ANALYZER_VERSION`] of the generation.
    pub analyzer: u32,
    /// Folder name of the current generation.
    pub generation: String,
    /// When the generation was first built (seconds since the Unix epoch).
    pub built_at: u64,
}

const FORMAT: &str = "recherche-index";

impl Pointer {
    fn is_current(&self) -> bool {
        self.schema == SCHEMA_VERSION && self.analyzer == ANALYZER_VERSION
    }
}

/// What the index folder holds.
#[derive(Debug)]
pub enum DirState {
    /// No folder, or nothing of recherche's in it: build from scratch.
    Empty,
    /// A recherche index of the current format.
    Current(Pointer),
    /// A recherche index of another format version: rebuild.
    Outdated,
    /// recherche's pointer is there but unreadable.
    Corrupt(String),
    /// Files recherche did not write.
    Foreign,
}

/// A committed index, opened for reading.
pub struct OpenIndex {
    /// The tantivy index, analyzers registered.
    pub index: Index,
    /// Its fields.
    pub fields: Fields,
    /// The file table it was built from, read on first use: a search that
    /// does not check the corpus never reads it.
    manifest: std::sync::OnceLock<Manifest>,
    /// Where the manifest is.
    manifest_path: PathBuf,
    /// The manifest, opened with the index: the next commit removes the
    /// file, and an open file stays readable.
    manifest_file: std::sync::Mutex<fs::File>,
    /// The word dictionary, mapped with the index (for the same reason).
    words: Words,
    /// The pointer that led to it.
    pub pointer: Pointer,
    /// The generation folder.
    pub generation: PathBuf,
}

impl OpenIndex {
    /// The file table the committed index was built from.
    pub fn manifest(&self) -> Result<&Manifest> {
        if let Some(manifest) = self.manifest.get() {
            return Ok(manifest);
        }
        let damaged = |reason: String| Error::IndexCorrupt {
            path: self.generation.clone(),
            reason,
        };
        let mut text = String::new();
        {
            use std::io::{Read, Seek};
            // Read whole from the start, by one thread at a time.
            let mut file = self
                .manifest_file
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            file.rewind()
                .and_then(|()| file.read_to_string(&mut text))
                .map_err(|e| {
                    damaged(format!("cannot read {}: {e}", self.manifest_path.display()))
                })?;
        }
        let manifest = Manifest::from_text(&text).map_err(damaged)?;
        Ok(self.manifest.get_or_init(|| manifest))
    }

    /// The word dictionary of the committed index (typos, completions).
    pub fn words(&self) -> &Words {
        &self.words
    }

    /// A reader on the committed state; reloaded by hand only.
    pub fn reader(&self) -> Result<IndexReader> {
        Ok(self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?)
    }
}

/// The index folder.
#[derive(Debug, Clone)]
pub struct IndexDir {
    root: PathBuf,
}

/// The exclusive lock on an index folder, released on drop.
#[derive(Debug)]
pub struct IndexLock {
    _file: fs::File,
}

impl IndexDir {
    /// The index folder at `root` (it may not exist yet).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        IndexDir { root: root.into() }
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn pointer_path(&self) -> PathBuf {
        self.root.join(POINTER)
    }

    /// Looks at what the folder holds, without changing anything.
    pub fn state(&self) -> Result<DirState> {
        let entries = match fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DirState::Empty),
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
                return Ok(DirState::Foreign);
            }
            Err(e) => return Err(Error::io("cannot read index folder", &self.root, e)),
        };
        let mut has_pointer = false;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("cannot read index folder", &self.root, e))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name == POINTER {
                has_pointer = true;
            } else if !(name == LOCK
                || name.starts_with(GENERATION_PREFIX)
                || name.starts_with(".tmp")
                || TOLERATED.contains(&name.as_ref()))
            {
                return Ok(DirState::Foreign);
            }
        }
        if !has_pointer {
            return Ok(DirState::Empty);
        }
        let text = match fs::read_to_string(self.pointer_path()) {
            Ok(text) => text,
            Err(e) => return Err(Error::io("cannot read", self.pointer_path(), e)),
        };
        match serde_json::from_str::<Pointer>(&text) {
            Ok(pointer) if pointer.format == FORMAT && pointer.is_current() => {
                Ok(DirState::Current(pointer))
            }
            Ok(pointer) if pointer.format == FORMAT => Ok(DirState::Outdated),
            Ok(_) | Err(_) => Ok(DirState::Corrupt(format!("{POINTER} is damaged"))),
        }
    }

    /// Opens the current generation; `None` when there is no index.
    ///
    /// A concurrent full build may replace the generation between reading
    /// the pointer and opening it: then the pointer is read again.
    pub fn open(&self) -> Result<Option<OpenIndex>> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let pointer = match self.state()? {
                DirState::Empty => return Ok(None),
                DirState::Foreign => return Err(Error::ForeignIndex(self.root.clone())),
                DirState::Corrupt(reason) => return Err(self.corrupt(reason)),
                DirState::Outdated => {
                    return Err(
                        self.corrupt("it was built by another version of recherche".to_string())
                    );
                }
                DirState::Current(pointer) => pointer,
            };
            match self.open_generation(pointer) {
                Err(_) if attempts < 3 => continue,
                result => return result.map(Some),
            }
        }
    }

    fn corrupt(&self, reason: String) -> Error {
        Error::IndexCorrupt {
            path: self.root.clone(),
            reason,
        }
    }

    fn open_generation(&self, pointer: Pointer) -> Result<OpenIndex> {
        let generation = self.root.join(&pointer.generation);
        let index = Index::open_in_dir(&generation).map_err(|e| self.corrupt(e.to_string()))?;
        analysis::register(index.tokenizers());
        let fields = Fields::of(&index.schema()).map_err(|reason| self.corrupt(reason))?;
        let meta = index
            .load_metas()
            .map_err(|e| self.corrupt(e.to_string()))?;
        let payload = meta
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str::<Payload>(p).ok())
            .ok_or_else(|| self.corrupt("its last commit names no manifest".to_string()))?;
        let manifest_path = generation.join(&payload.manifest);
        let words_path = generation.join(&payload.words);
        // Opened now, not when first used: a commit made meanwhile removes
        // them, and a search would fail half-way.
        let missing = |what: &str, path: &Path| {
            self.corrupt(format!(
                "its {what} {} is missing",
                path.file_name().unwrap_or_default().to_string_lossy()
            ))
        };
        let manifest_file = fs::File::open(&manifest_path)
            .ok()
            .filter(|file| file.metadata().is_ok_and(|m| m.is_file()))
            .ok_or_else(|| missing("manifest", &manifest_path))?;
        let changes_path = payload.word_changes.map(|name| generation.join(name));
        for path in std::iter::once(&words_path).chain(&changes_path) {
            if !path.is_file() {
                return Err(missing("word dictionary", path));
            }
        }
        let words = Words::open_with_changes(&words_path, changes_path.as_deref())?;
        Ok(OpenIndex {
            index,
            fields,
            manifest: std::sync::OnceLock::new(),
            manifest_path,
            manifest_file: std::sync::Mutex::new(manifest_file),
            words,
            pointer,
            generation,
        })
    }

    /// Takes the write lock. With `wait`, blocks until it is free; without,
    /// fails with [`Error::IndexLocked`] when another process holds it.
    pub fn lock(&self, wait: bool) -> Result<IndexLock> {
        fs::create_dir_all(&self.root)
            .map_err(|e| Error::io("cannot create index folder", &self.root, e))?;
        let path = self.root.join(LOCK);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("cannot create", &path, e))?;
        if wait {
            file.lock()
                .map_err(|e| Error::io("cannot lock", &path, e))?;
        } else {
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(Error::IndexLocked(self.root.clone()));
                }
                Err(fs::TryLockError::Error(e)) => return Err(Error::io("cannot lock", &path, e)),
            }
        }
        Ok(IndexLock { _file: file })
    }

    /// Creates an empty generation folder with a name not used yet.
    fn new_generation(&self, _lock: &IndexLock) -> Result<(String, PathBuf)> {
        let mut last = 0u32;
        for name in self.generations()? {
            if let Some(n) = name
                .strip_prefix(GENERATION_PREFIX)
                .and_then(|n| n.parse().ok())
            {
                last = last.max(n);
            }
        }
        let name = format!("{GENERATION_PREFIX}{:06}", last + 1);
        let path = self.root.join(&name);
        fs::create_dir_all(&path).map_err(|e| Error::io("cannot create", &path, e))?;
        Ok((name, path))
    }

    fn generations(&self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let entries = fs::read_dir(&self.root)
            .map_err(|e| Error::io("cannot read index folder", &self.root, e))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(GENERATION_PREFIX) {
                names.push(name);
            }
        }
        Ok(names)
    }

    /// Makes `generation` current with an atomic rename of the pointer.
    fn switch_to(&self, _lock: &IndexLock, generation: &str) -> Result<Pointer> {
        let pointer = Pointer {
            format: FORMAT.to_string(),
            schema: SCHEMA_VERSION,
            analyzer: ANALYZER_VERSION,
            generation: generation.to_string(),
            built_at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        let json = serde_json::to_string_pretty(&pointer).expect("a pointer serialises");
        let mut tmp = tempfile::Builder::new()
            .prefix(".tmp-pointer")
            .tempfile_in(&self.root)
            .map_err(|e| Error::io("cannot write in", &self.root, e))?;
        tmp.write_all(json.as_bytes())
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| Error::io("cannot write", self.pointer_path(), e))?;
        tmp.persist(self.pointer_path())
            .map_err(|e| Error::io("cannot write", self.pointer_path(), e.error))?;
        Ok(pointer)
    }

    /// Removes every generation but `keep` (left over by earlier full
    /// builds, or by a build that was killed).
    fn remove_other_generations(&self, _lock: &IndexLock, keep: &str) {
        for name in self.generations().unwrap_or_default() {
            if name != keep {
                // A reader may still have it open: on Unix its files live on
                // until it closes them. Failure only leaves garbage behind.
                let _ = fs::remove_dir_all(self.root.join(name));
            }
        }
    }
}

/// The commit payload: names the manifest and word dictionary of that
/// commit.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    manifest: String,
    /// The whole word dictionary, written by this commit or an earlier one.
    words: String,
    /// The changes to it since (see `words`).
    #[serde(default)]
    word_changes: Option<String>,
}

/// A passage as stored in the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPassage {
    /// Passage id.
    pub id: String,
    /// Post slug.
    pub post: String,
    /// Relative path of the post file.
    pub file: String,
    /// Post title.
    pub title: String,
    /// Kind.
    pub kind: Kind,
    /// Comment author.
    pub author: Option<String>,
    /// Introducing line or heading.
    pub context: Option<String>,
    /// Text.
    pub text: String,
    /// Rank in the post.
    pub position: u64,
    /// Line in the post file.
    pub line: u64,
}

impl StoredPassage {
    /// Reads a stored document back.
    pub fn from_doc(doc: &TantivyDocument, fields: &Fields) -> StoredPassage {
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let optional = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let number = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        StoredPassage {
            id: text(fields.id),
            post: text(fields.post),
            file: text(fields.file),
            title: text(fields.stored_title),
            kind: text(fields.kind).parse().unwrap_or(Kind::Article),
            author: optional(fields.author),
            context: optional(fields.stored_context),
            text: text(fields.stored_text),
            position: number(fields.position),
            line: number(fields.line),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::index::update::{self, Mode};

    /// A search that opened the index before a commit still reads the file
    /// table and the word dictionary it opened, though the commit removed
    /// their files.
    #[test]
    fn an_open_index_outlives_the_next_commit() {
        let folder = tempfile::tempdir().unwrap();
        let corpus = folder.path().join("corpus");
        fs::create_dir_all(&corpus).unwrap();
        fs::write(corpus.join("a.txt"), "Premier\n\nDes chevaux au galop.\n").unwrap();
        let dir = IndexDir::new(folder.path().join("index"));
        let (_, before) = update::build(&corpus, &dir).unwrap();
        fs::write(corpus.join("b.txt"), "Second\n\nUne église romane.\n").unwrap();
        let lock = dir.lock(true).unwrap();
        let quiet = AtomicBool::new(false);
        let summary = update::update(&corpus, &dir, Mode::Incremental, &lock, &quiet).unwrap();
        assert!(summary.committed);
        assert!(!before.manifest_path.exists(), "the commit removed it");
        assert_eq!(before.manifest().unwrap().files.len(), 1);
        assert!(before.words().len() >= 2, "chevaux, galop");
        let after = dir.open().unwrap().unwrap();
        assert_eq!(after.manifest().unwrap().files.len(), 2);
    }
}
