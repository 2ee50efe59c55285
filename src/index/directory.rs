//! Index files written in large aligned pieces, so that searches map them
//! cheaply.
//!
//! A search maps the index's files and touches a few hundred of their
//! pages; the kernel maps each page it faults on with its neighbours, and
//! both that and the unmapping at exit cost by page-cache folio, not by
//! page. Linux (6.x, ext4 among others) keeps a file's cached pages in
//! folios as large as the writes that made them: tantivy writes through an
//! 8 KB buffer, which leaves its files in 8 KB folios. Written 2 MB at a
//! time, at offsets that are multiples of 2 MB, they land in folios of up
//! to 2 MB, which cost as one: the query list ran 17–18 % faster on the
//! same index written so (README, "Speed"). [`LargePageDirectory`] is
//! tantivy's [`MmapDirectory`] with its writers buffering so, and asking
//! for huge pages on the files a search reads across.

use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use tantivy::directory::error::{DeleteError, OpenDirectoryError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

/// The size and alignment of the pieces written: the largest folio the
/// page cache makes on x86-64 (a huge page).
pub const PIECE: usize = 2 << 20;

/// Buffers kept for reuse: a segment's serialisation has about five files
/// open at once, and a fresh 2 MB buffer costs its pages' zeroing.
const KEPT_BUFFERS: usize = 8;

/// The first buffer of a writer when none is kept: a fresh 2 MB buffer
/// would be a fresh huge page of mimalloc's, zeroed, for a file of a few
/// kilobytes.
const FIRST_BUFFER: usize = 64 << 10;

/// Buffers handed back by finished writers (grown to [`PIECE`]).
static BUFFERS: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// tantivy's [`MmapDirectory`], writing files in [`PIECE`]s and mapping
/// those a search reads across with huge pages.
#[derive(Clone, Debug)]
pub struct LargePageDirectory {
    inner: MmapDirectory,
}

impl LargePageDirectory {
    /// The directory at `path`, which must exist.
    pub fn open(path: &Path) -> Result<Self, OpenDirectoryError> {
        Ok(LargePageDirectory {
            inner: MmapDirectory::open(path)?,
        })
    }
}

impl Directory for LargePageDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let handle = self.inner.get_file_handle(path)?;
        if handle.len() >= ADVISED_BYTES && read_across(path) {
            advise_huge_pages(&*handle);
        }
        Ok(handle)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let file = self
            .inner
            .open_write(path)?
            .into_inner()
            .map_err(|e| OpenWriteError::wrap_io_error(e.into_error(), path.to_path_buf()))?;
        // No buffer in front: every write goes to the pieces' buffer.
        Ok(BufWriter::with_capacity(
            0,
            Box::new(PieceWriter::new(file)),
        ))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(
        &self,
        lock: &Lock,
    ) -> Result<DirectoryLock, tantivy::directory::error::LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// Smaller files are not advised: the kernel maps 64 KB around a fault
/// anyway, and the advice would cost a system call for nothing.
const ADVISED_BYTES: usize = 64 << 10;

/// Files a search reads across: term dictionaries, postings, positions,
/// fast fields (the text hash of every match) and field norms. Not the
/// document store, of which a search reads ten passages: asking for huge
/// pages there would make each read of a passage not in the page cache
/// read 4 MB.
fn read_across(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("term" | "idx" | "pos" | "fast" | "fieldnorm")
    )
}

/// Asks for the mapping of `handle` (the whole file, mapped by
/// [`MmapDirectory`]) to be mapped with huge pages: see [`advise_mapping`].
fn advise_huge_pages(handle: &dyn FileHandle) {
    if let Ok(bytes) = handle.read_bytes(0..handle.len()) {
        // The mapping's own bytes: `MmapDirectory` hands out slices of it.
        advise_mapping(bytes.as_slice());
    }
}

/// Asks for `mapped`, the bytes of a file mapped read-only, to be mapped
/// with huge pages (`MADV_HUGEPAGE`): the page cache's 2 MB folios of a
/// file written in [`PIECE`]s are then mapped whole by one fault (without
/// the advice, this kernel maps them page by page), and pages read back
/// from disk after the kernel reclaimed them come in large folios again
/// (the read-ahead of a fault in such a mapping reads up to 2 MB at once)
/// rather than in small ones. The query list on a fresh build: −9 % for
/// postings, positions and fast fields, −13 % more for the rest
/// (`bench/HISTORY.md`).
pub fn advise_mapping(mapped: &[u8]) {
    #[cfg(target_os = "linux")]
    {
        let start = mapped.as_ptr() as usize;
        let page = start & !4095;
        // SAFETY: advice over the live mapping of a file opened read-only;
        // it changes how pages are mapped, never what they hold. A failure
        // only leaves the default.
        let _ = unsafe {
            rustix::mm::madvise(
                page as *mut std::ffi::c_void,
                mapped.len() + (start - page),
                rustix::mm::Advice::LinuxHugepage,
            )
        };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = mapped;
}

/// Writes to `W` only whole [`PIECE`]s at offsets that are multiples of
/// it, but for the end of the file (and after a flush, until the next
/// multiple).
pub struct PieceWriter<W: Write> {
    inner: W,
    /// Bytes written to `inner` so far.
    written: u64,
    buffer: Vec<u8>,
}

impl<W: Write> PieceWriter<W> {
    /// A writer to the start of `inner`.
    pub fn new(inner: W) -> Self {
        PieceWriter {
            inner,
            written: 0,
            buffer: Vec::new(),
        }
    }

    /// Bytes to buffer before the next write: up to the next multiple of
    /// [`PIECE`].
    fn room(&self) -> usize {
        PIECE - (self.written % PIECE as u64) as usize
    }

    fn write_buffer(&mut self) -> io::Result<()> {
        if !self.buffer.is_empty() {
            self.inner.write_all(&self.buffer)?;
            self.written += self.buffer.len() as u64;
            self.buffer.clear();
        }
        Ok(())
    }
}

impl<W: Write> Write for PieceWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if bytes.is_empty() {
            return Ok(0);
        }
        if self.buffer.capacity() == 0 {
            self.buffer = BUFFERS
                .lock()
                .ok()
                // Kept buffers are empty (see `drop`).
                .and_then(|mut kept| kept.pop())
                // Grown up to a piece only for a file that long.
                .unwrap_or_else(|| Vec::with_capacity(FIRST_BUFFER));
        }
        // A full piece is written before more is taken, so that an error
        // comes before any of `bytes` is (as `Write::write` requires).
        if self.buffer.len() == self.room() {
            self.write_buffer()?;
        }
        let taken = bytes.len().min(self.room() - self.buffer.len());
        self.buffer.extend_from_slice(&bytes[..taken]);
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.write_buffer()?;
        self.inner.flush()
    }
}

impl<W: TerminatingWrite> TerminatingWrite for PieceWriter<W> {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        self.write_buffer()?;
        self.inner.terminate_ref(token)
    }
}

impl<W: Write> Drop for PieceWriter<W> {
    fn drop(&mut self) {
        // As `BufWriter` does: what a writer dropped without terminating
        // holds is written, errors ignored.
        let _ = self.write_buffer();
        let mut buffer = std::mem::take(&mut self.buffer);
        // Emptied: what a failed write left must not start another file.
        buffer.clear();
        if buffer.capacity() == PIECE
            && let Ok(mut kept) = BUFFERS.lock()
            && kept.len() < KEPT_BUFFERS
        {
            kept.push(buffer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records the size and offset of each write.
    #[derive(Default)]
    struct Recorder {
        writes: Vec<(u64, usize)>,
        bytes: Vec<u8>,
    }

    impl Write for &mut Recorder {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.writes.push((self.bytes.len() as u64, bytes.len()));
            self.bytes.extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writes_whole_aligned_pieces_but_for_the_end_and_after_a_flush() {
        let mut recorder = Recorder::default();
        let data: Vec<u8> = (0..5 * PIECE + 123).map(|i| (i % 251) as u8).collect();
        {
            let mut writer = PieceWriter::new(&mut recorder);
            // In the small pieces tantivy writes.
            for chunk in data[..PIECE + 10].chunks(8192) {
                writer.write_all(chunk).unwrap();
            }
            writer.flush().unwrap();
            writer.write_all(&data[PIECE + 10..]).unwrap();
            writer.flush().unwrap();
        }
        assert_eq!(recorder.bytes, data);
        let p = PIECE as u64;
        assert_eq!(
            recorder.writes,
            [
                (0, PIECE),
                (p, 10),
                // Up to the next multiple, then whole pieces.
                (p + 10, PIECE - 10),
                (2 * p, PIECE),
                (3 * p, PIECE),
                (4 * p, PIECE),
                (5 * p, 123),
            ]
        );
    }

    /// A disk that is full.
    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("no space left"))
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_piece_is_an_error_before_anything_more_is_taken() {
        let mut writer = PieceWriter::new(Full);
        assert_eq!(writer.write(&vec![7; PIECE]).unwrap(), PIECE);
        assert!(writer.write(b"plus").is_err());
        assert!(writer.flush().is_err());
    }

    #[test]
    fn a_buffer_left_full_by_a_failed_write_starts_no_other_file() {
        // Dropped holding a piece it could not write: its buffer is kept.
        PieceWriter::new(Full).write_all(&[7; PIECE]).unwrap();
        let mut recorder = Recorder::default();
        PieceWriter::new(&mut recorder).write_all(b"next").unwrap();
        assert_eq!(recorder.bytes, b"next");
    }

    #[test]
    fn what_a_dropped_writer_holds_is_written() {
        let mut recorder = Recorder::default();
        PieceWriter::new(&mut recorder).write_all(b"fin").unwrap();
        assert_eq!(recorder.bytes, b"fin");
    }

    #[test]
    fn a_file_read_across_reads_back_whole_after_the_advice() {
        let dir = tempfile::tempdir().unwrap();
        let directory = LargePageDirectory::open(dir.path()).unwrap();
        let data: Vec<u8> = (0..PIECE + PIECE / 2).map(|i| (i % 253) as u8).collect();
        let path = Path::new("segment.idx");
        let mut writer = directory.open_write(path).unwrap();
        writer.write_all(&data).unwrap();
        writer.terminate().unwrap();
        assert!(read_across(path) && !read_across(Path::new("segment.store")));
        let handle = directory.get_file_handle(path).unwrap();
        assert_eq!(handle.read_bytes(0..handle.len()).unwrap().as_slice(), data);
    }

    #[test]
    fn an_index_written_in_pieces_reads_back() {
        use tantivy::schema::{STORED, Schema, TEXT};
        use tantivy::{Index, TantivyDocument, doc};
        let dir = tempfile::tempdir().unwrap();
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT | STORED);
        let index = Index::create(
            LargePageDirectory::open(dir.path()).unwrap(),
            builder.build(),
            Default::default(),
        )
        .unwrap();
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let long = "cadre dirigeant ".repeat(PIECE / 8);
        writer.add_document(doc!(text => long.as_str())).unwrap();
        writer.add_document(doc!(text => "médias sociaux")).unwrap();
        writer.commit().unwrap();
        let reopened = Index::open(LargePageDirectory::open(dir.path()).unwrap()).unwrap();
        let searcher = reopened.reader().unwrap().searcher();
        assert_eq!(searcher.num_docs(), 2);
        // The long text comes back whole, from whichever segment holds it.
        let mut lengths = Vec::new();
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..reader.max_doc() {
                let found: TantivyDocument = searcher
                    .doc(tantivy::DocAddress::new(segment as u32, doc))
                    .unwrap();
                let value = found.get_first(text).unwrap();
                lengths.push(tantivy::schema::Value::as_str(&value).unwrap().len());
            }
        }
        lengths.sort_unstable();
        assert_eq!(lengths, ["médias sociaux".len(), long.len()]);
    }
}
