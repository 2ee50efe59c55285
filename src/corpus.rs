//! The corpus folder: which post files it holds, and reading them.
//!
//! Every `*.txt` file under the folder, recursively, is a post; hidden files
//! and folders (`.git`, `.corpus-spec`) are skipped. Files are listed in
//! sorted order so that ids and output never depend on directory order.

use std::fs;
use std::path::{Path, PathBuf};
#[cfg(not(target_os = "linux"))]
use std::time::UNIX_EPOCH;

use crate::analysis::{fold, nfc};
use crate::error::{Error, Result};

/// A post file found in the corpus, with what `stat` says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostFile {
    /// Path relative to the corpus folder, `/`-separated.
    pub relative: String,
    /// The slug ids are built from: the relative path without `.txt`,
    /// folded, lowercase, with `-` for anything else than letters and digits.
    pub slug: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub modified_ns: u128,
}

impl PostFile {
    /// A file found in the folder `prefix` (relative, `/`-terminated), its
    /// slug not given yet.
    fn listed(prefix: &str, name: &str, size: u64, modified_ns: u128) -> PostFile {
        let mut relative = String::with_capacity(prefix.len() + name.len());
        relative.push_str(prefix);
        relative.push_str(name);
        PostFile {
            relative,
            slug: String::new(),
            size,
            modified_ns,
        }
    }
}

/// Lists the post files under `root`, sorted by relative path, with their
/// slugs.
pub fn discover(root: &Path) -> Result<Vec<PostFile>> {
    Ok(sorted_with_slugs(list(root)?))
}

/// Sorts files listed by [`list`] and gives them their slugs.
pub fn sorted_with_slugs(mut files: Vec<PostFile>) -> Vec<PostFile> {
    // Relative paths are unique: no need for a stable sort.
    files.sort_unstable_by(|a, b| a.relative.cmp(&b.relative));
    assign_slugs(&mut files);
    files
}

/// Lists the post files under `root` with their size and modification time,
/// in no particular order and without slugs: the quick look of the
/// staleness check. Folders are read first (file types come with the
/// entries), then files are stat'ed on every core.
pub fn list(root: &Path) -> Result<Vec<PostFile>> {
    match fs::metadata(root) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Error::io(
                "cannot read corpus folder",
                root,
                std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::CorpusMissing(root.to_path_buf()));
        }
        Err(e) => return Err(Error::io("cannot read corpus folder", root, e)),
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let walk = Walk {
        state: std::sync::Mutex::new(WalkState {
            queue: vec![(root.to_path_buf(), String::new())],
            busy: 0,
            failed: false,
        }),
        wake: std::sync::Condvar::new(),
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads).map(|_| scope.spawn(|| walk.work())).collect();
        let mut files = Vec::new();
        let mut error = None;
        for worker in workers {
            match worker.join().expect("a walking thread does not panic") {
                Ok(found) => files.extend(found),
                Err(e) => error = error.or(Some(e)),
            }
        }
        match error {
            Some(e) => Err(e),
            None => Ok(files),
        }
    })
}

/// Folders waiting to be read, shared by the walking threads.
struct Walk {
    state: std::sync::Mutex<WalkState>,
    /// Signalled when a folder is queued or a thread finishes one.
    wake: std::sync::Condvar,
}

struct WalkState {
    queue: Vec<(PathBuf, String)>,
    /// Threads reading a folder (which may queue more folders).
    busy: usize,
    failed: bool,
}

impl Walk {
    fn lock(&self) -> std::sync::MutexGuard<'_, WalkState> {
        self.state.lock().expect("no walking thread panics")
    }

    /// Queues a folder found while reading another.
    fn queue(&self, folder: PathBuf, prefix: String) {
        self.lock().queue.push((folder, prefix));
        self.wake.notify_one();
    }

    /// Reads folders until none is left, returning the post files found.
    /// An idle thread sleeps until a folder is queued or the walk ends.
    fn work(&self) -> Result<Vec<PostFile>> {
        let mut files = Vec::new();
        loop {
            let (folder, prefix) = {
                let mut state = self.lock();
                loop {
                    if state.failed {
                        return Ok(files);
                    }
                    if let Some(next) = state.queue.pop() {
                        state.busy += 1;
                        break next;
                    }
                    if state.busy == 0 {
                        return Ok(files);
                    }
                    state = self.wake.wait(state).expect("no walking thread panics");
                }
            };
            let result = self.read_folder(&folder, &prefix, &mut files);
            {
                let mut state = self.lock();
                state.busy -= 1;
                state.failed |= result.is_err();
            }
            self.wake.notify_all();
            result?;
        }
    }

    /// Lists one folder: `*.txt` files with their size and time, stat'ed
    /// relative to the folder's descriptor (the file types come with the
    /// entries), sub-folders queued. Hidden entries are skipped; symbolic
    /// links are followed. On Linux, entries are read and stat'ed without
    /// an allocation per entry: this is the hot loop of the staleness
    /// check of every `search`.
    #[cfg(target_os = "linux")]
    fn read_folder(&self, folder: &Path, prefix: &str, files: &mut Vec<PostFile>) -> Result<()> {
        use rustix::fs::{AtFlags, FileType, Mode, OFlags, RawDir, StatxFlags, statx};
        let failed = |e: rustix::io::Errno| Error::io("cannot read folder", folder, e.into());
        let fd = rustix::fs::open(
            folder,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(failed)?;
        // Far larger than one entry (names are at most 255 bytes).
        let mut buffer = Vec::with_capacity(32 * 1024);
        let mut entries = RawDir::new(&fd, buffer.spare_capacity_mut());
        while let Some(entry) = entries.next() {
            let entry = entry.map_err(failed)?;
            {
                let Ok(name) = std::str::from_utf8(entry.file_name().to_bytes()) else {
                    continue;
                };
                if name.starts_with('.') {
                    continue;
                }
                let (is_dir, stat) = match entry.file_type() {
                    FileType::Directory => (true, None),
                    FileType::RegularFile if name.ends_with(".txt") => (
                        false,
                        Some(statx(
                            &fd,
                            entry.file_name(),
                            AtFlags::SYMLINK_NOFOLLOW,
                            StatxFlags::SIZE | StatxFlags::MTIME,
                        )),
                    ),
                    FileType::Symlink | FileType::Unknown => {
                        let found = statx(
                            &fd,
                            entry.file_name(),
                            AtFlags::empty(),
                            StatxFlags::TYPE | StatxFlags::SIZE | StatxFlags::MTIME,
                        );
                        match found {
                            Ok(s) if FileType::from_raw_mode(s.stx_mode.into()).is_dir() => {
                                (!leads_back(folder, &folder.join(name)), None)
                            }
                            Ok(s) if FileType::from_raw_mode(s.stx_mode.into()).is_file() => {
                                (false, name.ends_with(".txt").then_some(Ok(s)))
                            }
                            Ok(_) => (false, None),
                            Err(e) => (false, Some(Err(e))),
                        }
                    }
                    _ => (false, None),
                };
                if is_dir {
                    self.queue(folder.join(name), format!("{prefix}{name}/"));
                    continue;
                }
                let Some(stat) = stat else {
                    continue;
                };
                let stat =
                    stat.map_err(|e| Error::io("cannot read", folder.join(name), e.into()))?;
                let mtime = stat.stx_mtime;
                let modified_ns = u64::try_from(mtime.tv_sec).map_or(0, |s| {
                    u128::from(s) * 1_000_000_000 + u128::from(mtime.tv_nsec)
                });
                files.push(PostFile::listed(prefix, name, stat.stx_size, modified_ns));
            }
        }
        Ok(())
    }

    /// Lists one folder: `*.txt` files with their size and time (stat'ed
    /// relative to the folder), sub-folders queued. Hidden entries are
    /// skipped; symbolic links are followed.
    #[cfg(not(target_os = "linux"))]
    fn read_folder(&self, folder: &Path, prefix: &str, files: &mut Vec<PostFile>) -> Result<()> {
        let entries =
            fs::read_dir(folder).map_err(|e| Error::io("cannot read folder", folder, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("cannot read folder", folder, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let mut meta = entry
                .metadata()
                .map_err(|e| Error::io("cannot read", entry.path(), e))?;
            let link = meta.is_symlink();
            if link {
                meta = fs::metadata(entry.path())
                    .map_err(|e| Error::io("cannot read", entry.path(), e))?;
            }
            if meta.is_dir() && !(link && leads_back(folder, &entry.path())) {
                self.queue(entry.path(), format!("{prefix}{name}/"));
            } else if meta.is_file() && name.ends_with(".txt") {
                let modified_ns = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                files.push(PostFile::listed(prefix, name, meta.len(), modified_ns));
            }
        }
        Ok(())
    }
}

/// True when the folder a symbolic link leads to holds `folder` (or is
/// it): following it would walk the same files forever.
fn leads_back(folder: &Path, link: &Path) -> bool {
    match (fs::canonicalize(folder), fs::canonicalize(link)) {
        (Ok(here), Ok(target)) => here.starts_with(target),
        _ => false,
    }
}

/// Turns `Notes/Été 2024.txt` into `notes/ete-2024`.
pub fn slugify(relative: &str) -> String {
    let stem = relative.strip_suffix(".txt").unwrap_or(relative);
    // Most names are already slugs (`littre/a/000123-abaisser`).
    let plain = |part: &str| {
        !part.is_empty()
            && !part.starts_with('-')
            && !part.ends_with('-')
            && !part.contains("--")
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if stem.split('/').all(plain) {
        return stem.to_string();
    }
    let parts: Vec<String> = stem
        .split('/')
        .map(|part| {
            let folded = fold(&nfc(part)).to_lowercase();
            let mut slug = String::with_capacity(folded.len());
            for c in folded.chars() {
                if c.is_alphanumeric() {
                    slug.push(c);
                } else if !slug.ends_with('-') {
                    slug.push('-');
                }
            }
            let slug = slug.trim_matches('-');
            if slug.is_empty() {
                "post".to_string()
            } else {
                slug.to_string()
            }
        })
        .collect();
    parts.join("/")
}

/// Gives each file its slug; a slug already taken gets `-2`, `-3` … in
/// sorted path order, so ids stay unique. Every update of the Littré gives
/// 78,000 slugs: when they are all distinct (the usual case), each file
/// keeps its own without a copy; only a corpus with a collision takes the
/// slow way, which gives the same slugs in that case.
fn assign_slugs(files: &mut [PostFile]) {
    for file in files.iter_mut() {
        file.slug = slugify(&file.relative);
    }
    let distinct = {
        let mut seen = rustc_hash::FxHashSet::default();
        seen.reserve(files.len());
        files.iter().all(|file| seen.insert(file.slug.as_str()))
    };
    if distinct {
        return;
    }
    let mut taken = rustc_hash::FxHashSet::default();
    for file in files {
        let base = std::mem::take(&mut file.slug);
        let mut slug = base.clone();
        let mut n = 2;
        while !taken.insert(slug.clone()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        file.slug = slug;
    }
}

/// Reads a post as NFC text; names the file and the byte offset when it is
/// not UTF-8.
pub fn read(root: &Path, file: &PostFile) -> Result<String> {
    let bytes = read_post_bytes(root, file)?;
    decode(&path_of(root, file), bytes)
}

/// The bytes of a listed post file, undecoded.
pub fn read_post_bytes(root: &Path, file: &PostFile) -> Result<Vec<u8>> {
    let path = path_of(root, file);
    read_bytes(&path, file.size).map_err(|e| Error::io("cannot read", &path, e))
}

/// Reads a file whose size the listing gave, to its end (it may have
/// changed since). `fs::read` asks the file system for the size first: one
/// `statx` per file, 78,000 in a build of the Littré, for a size known.
pub fn read_bytes(path: &Path, listed_size: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = fs::File::open(path)?;
    // Room for one byte more than listed, so that the read after the
    // content tells the end without growing the buffer. Memory refused is
    // an error, as with `fs::read`, not an abort.
    let mut bytes = Vec::new();
    let mut room = usize::try_from(listed_size).map_or(usize::MAX, |n| n.saturating_add(1));
    let mut len = 0;
    loop {
        if len == bytes.len() {
            bytes
                .try_reserve_exact(room - len)
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::OutOfMemory))?;
            bytes.resize(room, 0);
            room = (2 * room).max(8192);
        }
        match file.read(&mut bytes[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    bytes.truncate(len);
    Ok(bytes)
}

/// Checks that `bytes` are UTF-8 and normalises them to NFC.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String> {
    let text = String::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    Ok(match nfc(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(normalised) => normalised,
    })
}

/// The path of a post file on disk.
pub fn path_of(root: &Path, file: &PostFile) -> PathBuf {
    root.join(&file.relative)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    /// A file is read to its end whatever size the listing gave: the
    /// same, smaller (it has grown since) or larger (it has shrunk).
    #[test]
    fn files_are_read_whole_whatever_their_listed_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("post.txt");
        for size in [0, 1, 5_000, 8_192, 8_193, 100_000] {
            let content: Vec<u8> = (0..size).map(|n| b'a' + (n % 26) as u8).collect();
            fs::write(&path, &content).unwrap();
            for listed in [0, size / 2, size, size + 1, 2 * size + 10] {
                let read = read_bytes(&path, listed as u64).unwrap();
                assert!(read == content, "{size} bytes listed as {listed}");
            }
        }
        let error = read_bytes(&path, u64::MAX).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::OutOfMemory);
        assert!(read_bytes(&dir.path().join("absent.txt"), 3).is_err());
    }

    #[test]
    fn lists_txt_files_with_their_size_and_time() {
        let root = tempfile::tempdir().unwrap();
        let write = |relative: &str, text: &str| {
            let path = root.path().join(relative);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        write("a.txt", "Titre\n\nUn.\n");
        write("notes/été/b.txt", "B\n");
        write(".brouillon.txt", "caché");
        write(".git/c.txt", "caché");
        write("lisez-moi.md", "pas un billet");
        write("notes.txt/d.txt", "un dossier nommé .txt");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.path().join("a.txt"), root.path().join("lien.txt"))
                .unwrap();
            std::os::unix::fs::symlink(root.path().join("notes"), root.path().join("liées"))
                .unwrap();
            // Links back to a folder they are in: not followed.
            std::os::unix::fs::symlink(root.path(), root.path().join("notes/racine")).unwrap();
            std::os::unix::fs::symlink(".", root.path().join("notes/été/ici")).unwrap();
        }
        let mut files = list(root.path()).unwrap();
        files.sort_by(|a, b| a.relative.cmp(&b.relative));
        let relatives: Vec<&str> = files.iter().map(|f| f.relative.as_str()).collect();
        let mut expected = vec!["a.txt", "notes.txt/d.txt", "notes/été/b.txt"];
        if cfg!(unix) {
            expected = vec![
                "a.txt",
                "lien.txt",
                "liées/été/b.txt",
                "notes.txt/d.txt",
                "notes/été/b.txt",
            ];
        }
        assert_eq!(relatives, expected);
        for file in &files {
            let meta = fs::metadata(root.path().join(&file.relative)).unwrap();
            let modified = meta.modified().unwrap().duration_since(UNIX_EPOCH).unwrap();
            assert_eq!(file.size, meta.len(), "{}", file.relative);
            assert_eq!(file.modified_ns, modified.as_nanos(), "{}", file.relative);
        }
    }

    #[test]
    fn slugs_are_folded_and_dashed() {
        assert_eq!(
            slugify("cadres-dirigeants-medias-sociaux.txt"),
            "cadres-dirigeants-medias-sociaux"
        );
        assert_eq!(
            slugify("Notes/Été 2024 (brouillon).txt"),
            "notes/ete-2024-brouillon"
        );
        assert_eq!(slugify("???.txt"), "post");
    }

    #[test]
    fn colliding_slugs_get_a_suffix() {
        let files = |names: &[&str]| -> Vec<PostFile> {
            names
                .iter()
                .map(|r| PostFile::listed("", r, 0, 0))
                .collect()
        };
        let slugs = |mut files: Vec<PostFile>| -> Vec<String> {
            assign_slugs(&mut files);
            files.into_iter().map(|f| f.slug).collect()
        };
        assert_eq!(slugs(files(&["A b.txt", "a-b.txt"])), ["a-b", "a-b-2"]);
        // In path order: a later file whose own slug was given as a suffix
        // gets the next one.
        assert_eq!(
            slugs(files(&["A b.txt", "a-b.txt", "a-b-2.txt", "c.txt"])),
            ["a-b", "a-b-2", "a-b-2-2", "c"]
        );
        assert_eq!(slugs(files(&["b.txt", "a.txt"])), ["b", "a"]);
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let err = decode(Path::new("p.txt"), b"caf\xe9 au lait".to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.txt: not valid UTF-8 (invalid byte at offset 3)"
        );
    }

    #[test]
    fn decomposed_text_is_recomposed() {
        let text = decode(Path::new("p.txt"), "me\u{301}dias".as_bytes().to_vec()).unwrap();
        assert_eq!(text, "médias");
    }
}
