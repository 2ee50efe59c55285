//! The index folder: its generation pointer, its lock, its generations, and
//! opening the current one.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, ReloadPolicy};

use super::commit::Payload;
use super::read_only::ReadableDirectory;
use super::{Fields, Manifest, SCHEMA_VERSION};
use crate::analysis::{self, ANALYZER_VERSION};
use crate::error::{Error, Result};

/// The name of the generation pointer in the index folder.
pub(crate) const POINTER: &str = "recherche.json";
/// The lock file of the index folder.
const LOCK: &str = ".lock";
/// Prefix of generation folders.
const GENERATION_PREFIX: &str = "gen-";
/// Files of the index folder that are not its generations but are allowed
/// there.
const TOLERATED: &[&str] = &[".gitignore"];
/// What `recherche.json` says it is.
const FORMAT: &str = "recherche-index";

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
    /// The corpus folder it was built from: relative to the index folder
    /// when the two share a parent folder, else absolute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corpus: Option<String>,
}

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
    /// The pointer that led to it.
    pub pointer: Pointer,
    /// The generation folder.
    pub generation: PathBuf,
    /// What its last commit says of itself.
    pub(crate) payload: Payload,
    /// The manifest, opened with the index (the next commit removes the
    /// file, and an open file stays readable) and read on first use: a
    /// search that does not check the corpus never reads it.
    manifest_file: Mutex<fs::File>,
    manifest: OnceLock<Manifest>,
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
            let mut file = self
                .manifest_file
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            file.rewind()
                .and_then(|()| file.read_to_string(&mut text))
                .map_err(|e| damaged(format!("cannot read {}: {e}", self.payload.manifest)))?;
        }
        let manifest = Manifest::from_text(&text).map_err(damaged)?;
        Ok(self.manifest.get_or_init(|| manifest))
    }

    /// Passages and duplicates, as the last commit counted them.
    pub fn counts(&self) -> super::Counts {
        self.payload.counts
    }

    /// A reader on the committed state, every file of every segment
    /// opened (a damaged one is an error naming the remedy); reloaded by
    /// hand only.
    pub fn reader(&self) -> Result<IndexReader> {
        self.index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| self.damaged(e.into()))
    }

    /// `error`, met reading the index, as the index's own: a failure of
    /// tantivy's to read it means it is damaged.
    pub fn damaged(&self, error: Error) -> Error {
        match error {
            Error::Tantivy(e) => Error::IndexCorrupt {
                path: self.generation.clone(),
                reason: e.to_string(),
            },
            other => other,
        }
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
            // The folder is a file: not recherche's. (A file above it: there
            // is no folder yet, and creating it will say why it cannot.)
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
                return Ok(if self.root.is_file() {
                    DirState::Foreign
                } else {
                    DirState::Empty
                });
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
        let text = fs::read_to_string(self.pointer_path())
            .map_err(|e| Error::io("cannot read", self.pointer_path(), e))?;
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
        let index = ReadableDirectory::open(&generation)
            .map_err(tantivy::TantivyError::from)
            .and_then(Index::open)
            .map_err(|e| self.corrupt(e.to_string()))?;
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
        // Opened now, not when first used: a commit made meanwhile removes
        // it, and a search would fail half-way.
        let manifest_path = generation.join(&payload.manifest);
        let manifest_file = fs::File::open(&manifest_path)
            .ok()
            .filter(|file| file.metadata().is_ok_and(|m| m.is_file()))
            .ok_or_else(|| self.corrupt(format!("its manifest {} is missing", payload.manifest)))?;
        Ok(OpenIndex {
            index,
            fields,
            pointer,
            generation,
            payload,
            manifest_file: Mutex::new(manifest_file),
            manifest: OnceLock::new(),
        })
    }

    /// Takes the write lock. With `wait`, blocks until it is free; without,
    /// fails with [`Error::IndexLocked`] when another process holds it.
    /// Nothing is written into a folder that holds files recherche did not
    /// write.
    pub fn lock(&self, wait: bool) -> Result<IndexLock> {
        if let DirState::Foreign = self.state()? {
            return Err(Error::ForeignIndex(self.root.clone()));
        }
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
    pub(crate) fn new_generation(&self, _lock: &IndexLock) -> Result<(String, PathBuf)> {
        let last = self
            .generations()?
            .iter()
            .filter_map(|name| name.strip_prefix(GENERATION_PREFIX)?.parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        let name = format!("{GENERATION_PREFIX}{:06}", last + 1);
        let path = self.root.join(&name);
        fs::create_dir_all(&path).map_err(|e| Error::io("cannot create", &path, e))?;
        Ok((name, path))
    }

    fn generations(&self) -> Result<Vec<String>> {
        let entries = fs::read_dir(&self.root)
            .map_err(|e| Error::io("cannot read index folder", &self.root, e))?;
        Ok(entries
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(GENERATION_PREFIX))
            .collect())
    }

    /// Makes `generation` current with an atomic rename of the pointer.
    pub(crate) fn switch_to(
        &self,
        _lock: &IndexLock,
        generation: &str,
        corpus: &Path,
    ) -> Result<Pointer> {
        let pointer = Pointer {
            corpus: Some(self.relative_corpus(corpus)),
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

    /// The corpus folder as the pointer records it: the path from the index
    /// folder when they share a parent (the two can move together), else
    /// absolute.
    fn relative_corpus(&self, corpus: &Path) -> String {
        let (Ok(corpus), Ok(root)) = (fs::canonicalize(corpus), fs::canonicalize(&self.root))
        else {
            return corpus.to_string_lossy().into_owned();
        };
        let common = corpus
            .components()
            .zip(root.components())
            .take_while(|(a, b)| a == b)
            .count();
        if common <= 1 {
            return corpus.to_string_lossy().into_owned();
        }
        let mut relative = PathBuf::new();
        for _ in root.components().skip(common) {
            relative.push("..");
        }
        relative.extend(corpus.components().skip(common));
        relative.to_string_lossy().into_owned()
    }

    /// The corpus folder the index was built from, if it records one.
    pub fn recorded_corpus(&self) -> Option<PathBuf> {
        let DirState::Current(pointer) = self.state().ok()? else {
            return None;
        };
        let corpus = PathBuf::from(pointer.corpus?);
        if corpus.is_absolute() {
            return Some(corpus);
        }
        // `index/../corpus` is `corpus`, as the user wrote it.
        let mut path = PathBuf::new();
        for part in self.root.join(corpus).components() {
            match part {
                std::path::Component::ParentDir
                    if matches!(
                        path.components().next_back(),
                        Some(std::path::Component::Normal(_))
                    ) =>
                {
                    path.pop();
                }
                part => path.push(part),
            }
        }
        Some(if path.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            path
        })
    }

    /// Removes every generation but `keep` (left over by earlier full
    /// builds, or by a build that was killed).
    pub(crate) fn remove_other_generations(&self, _lock: &IndexLock, keep: &str) {
        for name in self.generations().unwrap_or_default() {
            if name != keep {
                // A reader may still have it open: on Unix its files live on
                // until it closes them. Failure only leaves garbage behind.
                let _ = fs::remove_dir_all(self.root.join(name));
            }
        }
    }
}
