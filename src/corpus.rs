//! The corpus folder: which post files it holds, and reading them.
//!
//! Every post file under the folder, recursively, is read: `.txt`, `.xml`,
//! `.html`, `.htm`, `.md`, `.markdown` (see [`crate::formats`]); hidden files
//! and folders (`.git`, `.corpus-spec`) are skipped; symbolic links are
//! followed, except one that leads back to a folder it is in. Files are
//! listed in sorted order so that ids and output never depend on directory
//! order. A name that is not UTF-8 is written with its other bytes escaped
//! (`bad\xffname.txt`): the post is indexed and named like any other.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;

use crate::analysis::{fold, nfc};
use crate::error::{Error, Result};
use crate::formats::Format;

/// A post file found in the corpus, with what `stat` says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostFile {
    /// Path relative to the corpus folder, `/`-separated, its bytes that
    /// are not UTF-8 escaped: the file's name in the index and messages.
    pub relative: String,
    /// Where the file is on disk.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub modified_ns: u128,
}

/// Lists the post files under `root`, sorted by relative path.
pub fn discover(root: &Path) -> Result<Vec<PostFile>> {
    sorted(list(root)?)
}

/// Files listed by [`list`], sorted by relative path.
pub fn sorted(mut files: Vec<PostFile>) -> Result<Vec<PostFile>> {
    files.sort_unstable_by(|a, b| a.relative.cmp(&b.relative));
    // Two names the same once escaped: a name holding `\xff` as text
    // beside one holding the byte.
    if let Some(pair) = files
        .windows(2)
        .find(|pair| pair[0].relative == pair[1].relative)
    {
        return Err(Error::SameName(pair[0].path.clone(), pair[1].path.clone()));
    }
    Ok(files)
}

/// Lists the post files under `root` with their size and modification
/// time, in no particular order: the look at the corpus
/// of every refreshing search.
pub fn list(root: &Path) -> Result<Vec<PostFile>> {
    match fs::metadata(root) {
        Ok(meta) if meta.is_dir() => walk(root, ""),
        Ok(_) => Err(Error::io(
            "cannot read corpus folder",
            root,
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(Error::CorpusMissing(root.to_path_buf()))
        }
        Err(e) => Err(Error::io("cannot read corpus folder", root, e)),
    }
}

/// Folders with at least this many entries are looked at on every core:
/// stat'ing tens of thousands of files is most of a check's time, and
/// starting threads for a few would cost more than it saves.
const PARALLEL_ENTRIES: usize = 16;

/// What one entry of a folder holds.
enum Found {
    Nothing,
    Post(PostFile),
    Folder(Vec<PostFile>),
}

/// Lists the post files of `folder` (whose path from the corpus is
/// `prefix`) and of its sub-folders.
fn walk(folder: &Path, prefix: &str) -> Result<Vec<PostFile>> {
    let failed = |e| Error::io("cannot read folder", folder, e);
    let entries = fs::read_dir(folder).map_err(failed)?;
    let entries: Vec<fs::DirEntry> = entries.collect::<std::io::Result<_>>().map_err(failed)?;
    let found: Vec<Found> = if entries.len() >= PARALLEL_ENTRIES {
        let visit = |entry| visit(folder, prefix, entry);
        entries.par_iter().map(visit).collect::<Result<_>>()?
    } else {
        let visit = |entry| visit(folder, prefix, entry);
        entries.iter().map(visit).collect::<Result<_>>()?
    };
    let mut files = Vec::with_capacity(found.len());
    for found in found {
        match found {
            Found::Nothing => {}
            Found::Post(file) => files.push(file),
            Found::Folder(more) => files.extend(more),
        }
    }
    Ok(files)
}

/// What one entry of `folder` holds: a post file, or a folder and the post
/// files under it. Hidden entries are skipped; symbolic links are followed.
fn visit(folder: &Path, prefix: &str, entry: &fs::DirEntry) -> Result<Found> {
    let file_name = entry.file_name();
    let name = escaped(&file_name);
    if name.starts_with('.') {
        return Ok(Found::Nothing);
    }
    let path = folder.join(&file_name);
    let unreadable = |e| Error::io("cannot read", &path, e);
    // Relative to the folder's descriptor: no path to look up again.
    let mut meta = entry.metadata().map_err(unreadable)?;
    let link = meta.is_symlink();
    if link {
        meta = fs::metadata(&path).map_err(unreadable)?;
    }
    if meta.is_file() && Format::of(&name).is_some() {
        return Ok(Found::Post(PostFile {
            relative: format!("{prefix}{name}"),
            path,
            size: meta.len(),
            modified_ns: modified_ns(&meta),
        }));
    }
    if meta.is_dir() && !(link && leads_back(folder, &path)) {
        Ok(Found::Folder(walk(&path, &format!("{prefix}{name}/"))?))
    } else {
        Ok(Found::Nothing)
    }
}

/// A file name as text: itself when it is UTF-8, else its other bytes
/// written `\xff`.
fn escaped(name: &std::ffi::OsStr) -> std::borrow::Cow<'_, str> {
    if let Some(name) = name.to_str() {
        return name.into();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut text = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            text.push_str(chunk.valid());
            for byte in chunk.invalid() {
                text.push_str(&format!("\\x{byte:02x}"));
            }
        }
        text.into()
    }
    #[cfg(not(unix))]
    name.to_string_lossy()
}

fn modified_ns(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// True when the folder a symbolic link leads to holds `folder` (or is
/// it): following it would walk the same files forever.
fn leads_back(folder: &Path, link: &Path) -> bool {
    match (fs::canonicalize(folder), fs::canonicalize(link)) {
        (Ok(here), Ok(target)) => here.starts_with(target),
        _ => false,
    }
}

/// Turns `Notes/Été 2024.txt` into `notes/ete-2024`: the slug a post file
/// asks for (the extension of a post file dropped).
pub fn slugify(relative: &str) -> String {
    let stem = match relative.rsplit_once('.') {
        Some((stem, _)) if Format::of(relative).is_some() => stem,
        _ => relative,
    };
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

/// The bytes of a listed post file.
pub fn read_bytes(file: &PostFile) -> Result<Vec<u8>> {
    fs::read(&file.path).map_err(|reason| Error::PostUnreadable {
        path: file.path.clone(),
        reason,
    })
}

/// Checks that `bytes` are UTF-8, drops a byte-order mark and normalises
/// the text to NFC.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let (line, column) = crate::error::line_and_column(e.as_bytes(), offset);
        Error::NotUtf8 {
            path: path.to_path_buf(),
            line,
            column,
            offset,
        }
    })?;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok(match nfc(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(normalised) => normalised,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        write("lisez-moi.rst", "pas un billet");
        write("billet.md", "Un billet");
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
        let files = discover(root.path()).unwrap();
        let relatives: Vec<&str> = files.iter().map(|f| f.relative.as_str()).collect();
        let mut expected = vec!["a.txt", "billet.md", "notes.txt/d.txt", "notes/été/b.txt"];
        if cfg!(unix) {
            expected = vec![
                "a.txt",
                "billet.md",
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
        assert_eq!(slugify("blog/Export.XML"), "blog/export");
        assert_eq!(slugify("notes/v1.2"), "notes/v1-2");
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let err = decode(Path::new("p.txt"), b"caf\xe9 au lait".to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.txt:1:4: not valid UTF-8 (invalid byte at offset 3)"
        );
    }

    #[test]
    fn decomposed_text_is_recomposed() {
        let text = decode(Path::new("p.txt"), "me\u{301}dias".as_bytes().to_vec()).unwrap();
        assert_eq!(text, "médias");
    }
}
