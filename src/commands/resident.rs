//! Searches answered by a running `recherche watch`.
//!
//! A one-shot `search` spends most of its time outside the query: starting
//! the process, opening the index, faulting its pages in, and (unless
//! `--no-refresh`) checking every file of the corpus for changes. A `watch`
//! has the index open and is told of every change by the operating system,
//! so it listens on a Unix socket in the index folder ([`WATCH_SOCKET`]) and
//! answers searches there: `search` sends its options, the watch runs the
//! same code on its open index and sends back the bytes to print and the
//! exit status. The stale check is left out while no change was reported
//! since the last one, and run as `search` runs it when one was.
//!
//! A watch answers only a search of the same corpus and index, named the
//! same way (and from the same folder when named by relative paths), by
//! the same version of recherche: its messages then name the files as the
//! search's own would. Anything else, or any failure to talk to it, and
//! `search` answers by itself, as without a watch.

use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tantivy::IndexReader;

use crate::ExitStatus;
use crate::commands::search::{self, SearchCommand};
use crate::commands::{Output, refresh_and_open};
use crate::index::update::Summary;
use crate::index::{DirState, IndexDir, OpenIndex, WATCH_SOCKET};

/// Tells two versions apart: a watch answers only its own.
const PROTOCOL: &str = concat!("recherche-watch/1 ", env!("CARGO_PKG_VERSION"));

/// Tells two builds of one version apart: the running executable's file
/// (device, inode, modification time, size). A watch started before
/// `cargo build` or an upgrade replaced the binary then declines, rather
/// than answer with the code it was started with.
fn executable() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    Some(format!(
        "{}:{}:{}.{}:{}",
        m.dev(),
        m.ino(),
        m.mtime(),
        m.mtime_nsec(),
        m.size()
    ))
}

/// Longest request read: a query and its options, never near this.
const MAX_REQUEST: usize = 1 << 20;

/// How long a search waits for an answer before answering by itself (a
/// watch busy with a long update, or stuck).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a watch waits for a search to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// The status byte of a declined request.
const DECLINED: u8 = 255;

/// What `search` sends: its command, with the folder it runs in.
#[derive(Debug, Serialize, Deserialize)]
struct Request {
    protocol: String,
    executable: String,
    cwd: PathBuf,
    corpus: PathBuf,
    index: PathBuf,
    query: String,
    options: crate::search::SearchOptions,
    json: bool,
    color: bool,
    refresh: bool,
}

impl Request {
    fn of(command: &SearchCommand, cwd: PathBuf, executable: String) -> Request {
        let (json, color) = match command.output {
            Output::Json => (true, false),
            Output::Text { color } => (false, color),
        };
        Request {
            protocol: PROTOCOL.to_string(),
            executable,
            cwd,
            corpus: command.corpus.clone(),
            index: command.index.clone(),
            query: command.query.clone(),
            options: command.options.clone(),
            json,
            color,
            refresh: command.refresh,
        }
    }

    fn into_command(self) -> SearchCommand {
        SearchCommand {
            corpus: self.corpus,
            index: self.index,
            query: self.query,
            options: self.options,
            output: if self.json {
                Output::Json
            } else {
                Output::Text { color: self.color }
            },
            refresh: self.refresh,
        }
    }
}

/// What the watch sends back: the exit status and what to print.
#[derive(Debug, PartialEq, Eq)]
struct Answer {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Asks a running watch to answer `command`. `None` when there is none,
/// it declines, or anything goes wrong on the way: the caller then
/// answers by itself. Errors are only those of printing the answer.
pub fn ask(
    command: &SearchCommand,
    out: &mut impl Write,
    err: &mut impl Write,
) -> io::Result<Option<ExitStatus>> {
    let Some(answer) = exchange(command) else {
        return Ok(None);
    };
    // Notes first, as a search answering by itself writes them at once
    // and its results at the end.
    err.write_all(&answer.stderr)?;
    out.write_all(&answer.stdout)?;
    Ok(Some(answer.status))
}

fn exchange(command: &SearchCommand) -> Option<Answer> {
    // One failed `connect` when no watch runs (the socket's absence).
    let mut stream = UnixStream::connect(command.index.join(WATCH_SOCKET)).ok()?;
    let request = Request::of(command, std::env::current_dir().ok()?, executable()?);
    let body = serde_json::to_vec(&request).ok()?;
    stream.set_read_timeout(Some(ANSWER_TIMEOUT)).ok()?;
    write_frame(&mut stream, &body).ok()?;
    read_answer(&mut stream).ok()?
}

fn write_frame(stream: &mut impl Write, body: &[u8]) -> io::Result<()> {
    let length = u32::try_from(body.len()).map_err(|_| io::ErrorKind::InvalidInput)?;
    stream.write_all(&length.to_le_bytes())?;
    stream.write_all(body)
}

fn read_frame(stream: &mut impl Read, limit: usize) -> io::Result<Vec<u8>> {
    let mut length = [0; 4];
    stream.read_exact(&mut length)?;
    let length = u32::from_le_bytes(length) as usize;
    if length > limit {
        return Err(io::ErrorKind::InvalidData.into());
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body)?;
    Ok(body)
}

fn write_answer(stream: &mut impl Write, answer: Option<&Answer>) -> io::Result<()> {
    let Some(answer) = answer else {
        return stream.write_all(&[DECLINED]);
    };
    let mut bytes = Vec::with_capacity(9 + answer.stdout.len() + answer.stderr.len());
    bytes.push(answer.status.code());
    for part in [&answer.stdout, &answer.stderr] {
        let length = u32::try_from(part.len()).map_err(|_| io::ErrorKind::InvalidInput)?;
        bytes.extend_from_slice(&length.to_le_bytes());
        bytes.extend_from_slice(part);
    }
    stream.write_all(&bytes)
}

/// `Ok(None)`: declined.
fn read_answer(stream: &mut impl Read) -> io::Result<Option<Answer>> {
    let mut code = [0; 1];
    stream.read_exact(&mut code)?;
    let status = match code[0] {
        DECLINED => return Ok(None),
        0 => ExitStatus::Success,
        1 => ExitStatus::NoMatch,
        2 => ExitStatus::Error,
        130 => ExitStatus::Interrupted,
        _ => return Err(io::ErrorKind::InvalidData.into()),
    };
    let stdout = read_frame(stream, usize::MAX)?;
    let stderr = read_frame(stream, usize::MAX)?;
    Ok(Some(Answer {
        status,
        stdout,
        stderr,
    }))
}

/// True when a watch listens on the socket of the index folder `index`.
pub fn is_answering(index: &Path) -> bool {
    UnixStream::connect(index.join(WATCH_SOCKET)).is_ok()
}

/// The watch's socket: removed when dropped.
pub struct Listener {
    path: PathBuf,
}

impl Listener {
    /// Listens on the index folder's socket and hands each connection to
    /// `sender`, from a thread of its own. `Ok(None)` when another watch
    /// already answers there. A socket left by a watch that was killed is
    /// replaced.
    pub fn start<M: Send + 'static>(
        index: &Path,
        sender: Sender<M>,
        wrap: fn(UnixStream) -> M,
    ) -> io::Result<Option<Listener>> {
        if is_answering(index) {
            return Ok(None);
        }
        let path = index.join(WATCH_SOCKET);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let listener = UnixListener::bind(&path)?;
        let guard = Listener { path };
        // The index is readable by whoever may read the folder; its answers
        // only by this user.
        std::fs::set_permissions(&guard.path, std::fs::Permissions::from_mode(0o600))?;
        std::thread::Builder::new()
            .name("watch-socket".to_string())
            .spawn(move || {
                for stream in listener.incoming() {
                    match stream {
                        Ok(stream) => {
                            if sender.send(wrap(stream)).is_err() {
                                break;
                            }
                        }
                        // Out of file descriptors, say: not a reason to spin.
                        Err(_) => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
            })?;
        Ok(Some(guard))
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The watch's side: its corpus and index as it was told them, the index
/// it keeps open between searches, and whether the corpus may have changed
/// since it was last checked.
pub struct Answerer {
    /// `None` when the watch's folder cannot be told (removed): it then
    /// answers only searches that name their folders absolutely.
    cwd: Option<PathBuf>,
    /// The watch's executable when it started ([`executable`]); `None`
    /// when it cannot be told: it then answers nothing.
    executable: Option<String>,
    corpus: PathBuf,
    index: PathBuf,
    open: Option<Opened>,
    /// A change was reported since the corpus was last checked (or the
    /// reports cannot be trusted): a search that refreshes checks it first.
    pub changed: bool,
    /// Searches answered so far.
    pub answered: u64,
}

/// The open index and what it was opened from.
struct Opened {
    open: OpenIndex,
    reader: IndexReader,
    /// `None` when a full build switched generations while it was opened:
    /// the next search opens it again.
    stamp: Option<Stamp>,
}

/// The pointer and the current generation's commit file: a commit or a
/// full build by another process changes one of them.
#[derive(Debug, PartialEq, Eq)]
struct Stamp([Option<FileStamp>; 2]);

/// A file's device, inode, modification time and size.
#[derive(Debug, PartialEq, Eq)]
struct FileStamp(u64, u64, i64, i64, u64);

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some(FileStamp(
            m.dev(),
            m.ino(),
            m.mtime(),
            m.mtime_nsec(),
            m.size(),
        ))
    }
}

impl Stamp {
    /// The stamp of `generation` now.
    fn of(dir: &IndexDir, generation: &Path) -> Stamp {
        Stamp([
            FileStamp::of(&dir.root().join(crate::index::POINTER)),
            FileStamp::of(&generation.join("meta.json")),
        ])
    }

    /// The stamp of the current generation, taken before opening it (so
    /// that a commit made meanwhile shows as a change), with that
    /// generation's folder.
    fn before_opening(dir: &IndexDir) -> Option<(Stamp, PathBuf)> {
        let pointer = FileStamp::of(&dir.root().join(crate::index::POINTER));
        let DirState::Current(current) = dir.state().ok()? else {
            return None;
        };
        let generation = dir.root().join(current.generation);
        let meta = FileStamp::of(&generation.join("meta.json"));
        Some((Stamp([pointer, meta]), generation))
    }
}

impl Answerer {
    /// For a watch of `corpus` into `index`, as named on its command line.
    pub fn new(corpus: &Path, index: &Path) -> Answerer {
        Answerer {
            cwd: std::env::current_dir().ok(),
            executable: executable(),
            corpus: corpus.to_path_buf(),
            index: index.to_path_buf(),
            open: None,
            changed: true,
            answered: 0,
        }
    }

    /// Reads one search from `stream` and answers it; returns the summary
    /// of the update it made first, if it committed one. A search that
    /// cannot be read, or that goes away, is dropped: it answers by itself.
    pub fn answer(&mut self, mut stream: UnixStream, interrupt: &AtomicBool) -> Option<Summary> {
        stream.set_read_timeout(Some(REQUEST_TIMEOUT)).ok()?;
        let body = read_frame(&mut stream, MAX_REQUEST).ok()?;
        let request = serde_json::from_slice::<Request>(&body)
            .ok()
            .filter(|request| self.serves(request));
        let Some(request) = request else {
            let _ = write_answer(&mut stream, None);
            return None;
        };
        let (answer, update) = self.run(&request.into_command(), interrupt);
        if answer.status == ExitStatus::Interrupted {
            // Ctrl-C stopped the watch, not the search: it answers by itself.
            let _ = write_answer(&mut stream, None);
        } else if write_answer(&mut stream, Some(&answer)).is_ok() {
            self.answered += 1;
        }
        update.filter(|summary| summary.committed)
    }

    /// True when this watch may answer for `request`: the same version and
    /// executable, the same corpus and index named alike, from the same
    /// folder when named relatively.
    fn serves(&self, request: &Request) -> bool {
        let same_folder =
            |path: &Path| path.is_absolute() || self.cwd.as_ref() == Some(&request.cwd);
        request.protocol == PROTOCOL
            && self.executable.as_ref() == Some(&request.executable)
            && request.corpus == self.corpus
            && request.index == self.index
            && same_folder(&request.corpus)
            && same_folder(&request.index)
    }

    fn run(
        &mut self,
        command: &SearchCommand,
        interrupt: &AtomicBool,
    ) -> (Answer, Option<Summary>) {
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let mut update = None;
        let status = match self.search(command, interrupt, &mut update, &mut stdout, &mut stderr) {
            Ok(status) => status,
            Err(e) => {
                // As the binary reports a failed run.
                let _ = writeln!(stderr, "recherche: {e:#}");
                crate::failure_status(&e)
            }
        };
        let answer = Answer {
            status,
            stdout,
            stderr,
        };
        (answer, update)
    }

    /// What `search::run` does, on the index kept open.
    fn search(
        &mut self,
        command: &SearchCommand,
        interrupt: &AtomicBool,
        update: &mut Option<Summary>,
        out: &mut Vec<u8>,
        err: &mut Vec<u8>,
    ) -> anyhow::Result<ExitStatus> {
        crate::search::parse_query(&command.query, &command.options)?;
        let dir = IndexDir::new(&self.index);
        // Another process wrote the index (`recherche index`, maybe from
        // another corpus): open it again, and check the corpus as a search
        // would.
        if self.open.as_ref().is_some_and(|opened| {
            opened.stamp.as_ref() != Some(&Stamp::of(&dir, &opened.open.generation))
        }) {
            self.open = None;
            self.changed = true;
        }
        if command.refresh && self.changed {
            self.open = None;
            let (open, refreshed) =
                refresh_and_open(&self.corpus, &self.index, true, interrupt, err)?;
            drop(open);
            *update = refreshed.update;
            self.changed = refreshed.behind;
        }
        if self.open.is_none() {
            self.open = Some(self.reopen(&dir, interrupt, err)?);
        }
        let opened = self.open.as_ref().expect("opened above");
        search::answer(command, &opened.open, &opened.reader, out, err)
    }

    /// Opens the current generation, stamped.
    fn reopen(
        &self,
        dir: &IndexDir,
        interrupt: &AtomicBool,
        err: &mut impl Write,
    ) -> anyhow::Result<Opened> {
        let before = Stamp::before_opening(dir);
        let (open, _) = refresh_and_open(&self.corpus, &self.index, false, interrupt, err)?;
        let reader = open.reader()?;
        let stamp = before
            .filter(|(_, generation)| *generation == open.generation)
            .map(|(stamp, _)| stamp);
        Ok(Opened {
            open,
            reader,
            stamp,
        })
    }

    /// Opens the index again after the watch updated it (or tried to), so
    /// that a later change of its files is known to be another process's.
    pub fn index_updated(&mut self) {
        let never = AtomicBool::new(false);
        self.open = self
            .reopen(&IndexDir::new(&self.index), &never, &mut io::sink())
            .ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_cross_the_socket_whole() {
        let answer = Answer {
            status: ExitStatus::NoMatch,
            stdout: b"{\"hits\":[]}\n".to_vec(),
            stderr: "recherche: la requête…\n".as_bytes().to_vec(),
        };
        let mut bytes = Vec::new();
        write_answer(&mut bytes, Some(&answer)).unwrap();
        assert_eq!(read_answer(&mut bytes.as_slice()).unwrap(), Some(answer));
        // Cut short: an error, so that search answers by itself.
        assert!(read_answer(&mut &bytes[..bytes.len() - 1]).is_err());
        let mut declined = Vec::new();
        write_answer(&mut declined, None).unwrap();
        assert_eq!(read_answer(&mut declined.as_slice()).unwrap(), None);
    }

    #[test]
    fn a_request_too_long_is_refused_before_it_is_read() {
        let mut bytes = Vec::new();
        write_frame(&mut bytes, &[b'x'; 100]).unwrap();
        assert_eq!(read_frame(&mut bytes.as_slice(), 100).unwrap().len(), 100);
        assert_eq!(
            read_frame(&mut bytes.as_slice(), 99).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }

    /// A watch started in /blog from the executable "1:2:3.4:5".
    fn watch_in_blog(corpus: &str, index: &str) -> Answerer {
        Answerer {
            cwd: Some("/blog".into()),
            executable: Some("1:2:3.4:5".to_string()),
            ..Answerer::new(Path::new(corpus), Path::new(index))
        }
    }

    fn request(cwd: &str, corpus: &str, index: &str) -> Request {
        let command = SearchCommand {
            corpus: corpus.into(),
            index: index.into(),
            query: "médias".to_string(),
            options: crate::search::SearchOptions::default(),
            output: Output::Text { color: true },
            refresh: true,
        };
        Request::of(&command, cwd.into(), "1:2:3.4:5".to_string())
    }

    #[test]
    fn a_watch_answers_only_for_its_own_corpus_and_index() {
        let answerer = watch_in_blog("corpus", "index");
        assert!(answerer.serves(&request("/blog", "corpus", "index")));
        // The same names from elsewhere are other folders.
        assert!(!answerer.serves(&request("/elsewhere", "corpus", "index")));
        assert!(!answerer.serves(&request("/blog", "posts", "index")));
        assert!(!answerer.serves(&request("/blog", "corpus", "other")));
        let mut older = request("/blog", "corpus", "index");
        older.protocol = "recherche-watch/1 0.0.1".to_string();
        assert!(!answerer.serves(&older));
        // The same version rebuilt since the watch started.
        let mut rebuilt = request("/blog", "corpus", "index");
        rebuilt.executable = "1:2:9.0:5".to_string();
        assert!(!answerer.serves(&rebuilt));
        let absolute = watch_in_blog("/blog/corpus", "/blog/index");
        assert!(absolute.serves(&request("/anywhere", "/blog/corpus", "/blog/index")));
    }

    #[test]
    fn another_process_s_commit_or_full_build_is_told_by_the_stamp() {
        use crate::index::update::{self, Mode};
        let folder = tempfile::tempdir().unwrap();
        let corpus = folder.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        std::fs::write(corpus.join("a.txt"), "Titre\n\nUn paragraphe.\n").unwrap();
        let dir = IndexDir::new(folder.path().join("index"));
        let never = AtomicBool::new(false);
        let build = |mode| {
            let lock = dir.lock(true).unwrap();
            update::update(&corpus, &dir, mode, &lock, &never).unwrap()
        };
        build(Mode::Full);
        let answerer = Answerer::new(&corpus, dir.root());
        let opened = answerer.reopen(&dir, &never, &mut io::sink()).unwrap();
        let stamp = opened.stamp.as_ref().expect("nothing changed meanwhile");
        assert_eq!(*stamp, Stamp::of(&dir, &opened.open.generation));
        // A commit to the same generation.
        std::fs::write(corpus.join("b.txt"), "Autre\n\nUn autre.\n").unwrap();
        assert!(build(Mode::Incremental).committed);
        assert_ne!(*stamp, Stamp::of(&dir, &opened.open.generation));
        // A full build: another generation, the pointer replaced.
        let opened = answerer.reopen(&dir, &never, &mut io::sink()).unwrap();
        let stamp = opened.stamp.as_ref().unwrap();
        assert_eq!(*stamp, Stamp::of(&dir, &opened.open.generation));
        build(Mode::Full);
        assert_ne!(*stamp, Stamp::of(&dir, &opened.open.generation));
        // A run that changes nothing writes nothing.
        let opened = answerer.reopen(&dir, &never, &mut io::sink()).unwrap();
        assert!(!build(Mode::Incremental).committed);
        assert_eq!(
            opened.stamp.unwrap(),
            Stamp::of(&dir, &opened.open.generation)
        );
    }

    #[test]
    fn a_request_keeps_the_command_whole() {
        let mut command = SearchCommand {
            corpus: "c".into(),
            index: "i".into(),
            query: "\"sourde oreille\" -twitter".to_string(),
            options: crate::search::SearchOptions {
                limit: 3,
                kinds: vec![crate::passages::Kind::Comment],
                authors: vec!["Milouse".to_string()],
                exact: true,
                explain: true,
            },
            output: Output::Json,
            refresh: false,
        };
        for output in [
            Output::Json,
            Output::Text { color: false },
            Output::Text { color: true },
        ] {
            command.output = output;
            let sent =
                serde_json::to_vec(&Request::of(&command, "/x".into(), String::new())).unwrap();
            let received: Request = serde_json::from_slice(&sent).unwrap();
            let back = received.into_command();
            assert_eq!(back.query, command.query);
            assert_eq!(back.options, command.options);
            assert_eq!(back.output, command.output);
            assert_eq!(back.refresh, command.refresh);
            assert_eq!(
                (back.corpus, back.index),
                (command.corpus.clone(), command.index.clone())
            );
        }
    }
}
