//! The memory allocator: the C library's for short runs, mimalloc for
//! checking and writing an index.
//!
//! Indexing allocates and frees millions of small blocks on several
//! threads (an update's documents are freed on tantivy's threads), and
//! glibc's malloc made a Littré build 1.8 times slower than mimalloc when
//! it was measured (README, "Speed"); the stale check, which reads
//! megabytes, was 15 % slower with it too. A one-shot query allocates well under a megabyte,
//! but mimalloc spreads even that over fresh 2 MB huge pages, whose zeroing
//! and purging made every query about 10 % slower than with the C
//! library's allocator. So allocations go to the C library until
//! [`use_mimalloc`], called before an index is checked or written; from
//! then on to mimalloc, confined to one arena reserved here, so that a
//! block's address tells which allocator frees it. The C library's
//! allocator is told to keep what it frees ([`keep_freed_memory`]).

#[cfg(target_os = "linux")]
pub use linux::{Allocator, use_mimalloc};

/// Keeps what the C library's allocator frees for reuse: blocks of up to
/// 32 MB come from its heap rather than a mapping of their own, and the
/// heap's top is not handed back to the kernel. A one-shot query then
/// reuses the memory it freed instead of faulting in fresh, zeroed pages
/// (10–15 % fewer page faults for a two-word query). Called first thing by
/// the binary; mimalloc, once in use, is not concerned.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const M_TRIM_THRESHOLD: i32 = -1;
        const M_MMAP_THRESHOLD: i32 = -3;
        unsafe extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        // SAFETY: glibc's `mallopt` with documented parameters; it only
        // changes thresholds, under glibc's own lock.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, 32 << 20);
            mallopt(M_TRIM_THRESHOLD, i32::MAX);
        }
    }
}

/// The global allocator of the `recherche` binary: mimalloc (outside
/// Linux, where the arena below is not reserved).
#[cfg(not(target_os = "linux"))]
pub use mimalloc::MiMalloc as Allocator;

/// Does nothing outside Linux: mimalloc is the allocator from the start.
#[cfg(not(target_os = "linux"))]
pub fn use_mimalloc() {}

#[cfg(target_os = "linux")]
mod linux {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::ffi::c_void;
    use std::sync::Once;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use libmimalloc_sys::{mi_option_limit_os_alloc, mi_option_set, mi_option_t};
    use mimalloc::MiMalloc;
    use rustix::mm::{Advice, MapFlags, ProtFlags};

    /// mimalloc's `mi_option_arena_reserve` (not in its bindings; pinned
    /// by a test): the size of the arenas it reserves by itself.
    pub(super) const MI_OPTION_ARENA_RESERVE: mi_option_t = 23;

    /// Address space reserved for mimalloc: pages are given as touched,
    /// and a build of the 300 MB corpus peaks under 400 MB. (mimalloc uses
    /// the part aligned to its segments, within this range.)
    pub(super) const ARENA_BYTES: usize = if cfg!(test) { 1 << 30 } else { 64 << 30 };

    /// Where the arena is asked for: far from the libraries and stacks, as
    /// mimalloc places its own arenas (placed by the kernel next to them,
    /// its huge pages were sometimes refused, and a check faulted 11,000
    /// small pages instead of 270).
    const ARENA_HINT: usize = 4 << 40;

    /// Set once, never cleared: new allocations go to mimalloc.
    static MIMALLOC: AtomicBool = AtomicBool::new(false);

    /// The arena, set before `MIMALLOC`.
    pub(super) static ARENA_START: AtomicUsize = AtomicUsize::new(0);
    pub(super) static ARENA_END: AtomicUsize = AtomicUsize::new(0);

    /// From now on, new allocations go to mimalloc, in its arena (blocks
    /// allocated before stay with the C library's allocator until freed).
    /// Without an arena (the address space could not be reserved),
    /// allocations stay with the C library.
    pub fn use_mimalloc() {
        static RESERVE: Once = Once::new();
        RESERVE.call_once(|| {
            if let Some((start, end)) = reserve_arena() {
                ARENA_START.store(start, Ordering::Relaxed);
                ARENA_END.store(end, Ordering::Relaxed);
                MIMALLOC.store(true, Ordering::Release);
            }
        });
    }

    /// Maps the arena and hands it to mimalloc, which is told to take
    /// memory nowhere else: neither arenas of its own nor direct mappings.
    fn reserve_arena() -> Option<(usize, usize)> {
        // SAFETY: a fresh private mapping, given whole to mimalloc, which
        // owns it from then on; the options only narrow where mimalloc
        // takes memory.
        unsafe {
            let start = rustix::mm::mmap_anonymous(
                ARENA_HINT as *mut c_void,
                ARENA_BYTES,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::PRIVATE | MapFlags::NORESERVE,
            )
            .ok()?;
            // As mimalloc advises its own arenas; THP may be off: no matter.
            let _ = rustix::mm::madvise(start, ARENA_BYTES, Advice::LinuxHugepage);
            libmimalloc_sys::mi_process_init();
            libmimalloc_sys::mi_thread_init();
            mi_option_set(mi_option_limit_os_alloc, 1); // disallow_os_alloc
            mi_option_set(MI_OPTION_ARENA_RESERVE, 0);
            let managed = libmimalloc_sys::mi_manage_os_memory_ex(
                start, // committed (readable and writable), zeroed, small pages
                ARENA_BYTES,
                true,
                false,
                true,
                -1,
                false,
                std::ptr::null_mut(),
            );
            if !managed {
                // mimalloc took none of it: nothing of it is in use.
                let _ = rustix::mm::munmap(start, ARENA_BYTES);
                return None;
            }
            Some((start as usize, start as usize + ARENA_BYTES))
        }
    }

    /// Whether mimalloc gave this block: it is in the arena. (A thread
    /// freeing a mimalloc block got it after the arena was set.)
    pub(super) fn from_mimalloc(ptr: *mut u8) -> bool {
        let address = ptr as usize;
        MIMALLOC.load(Ordering::Acquire)
            && ARENA_START.load(Ordering::Relaxed) <= address
            && address < ARENA_END.load(Ordering::Relaxed)
    }

    /// The global allocator of the `recherche` binary (see the module
    /// docs).
    pub struct Allocator;

    // SAFETY: every block is allocated by one of two allocators and freed
    // or resized by the same one, as `from_mimalloc` tells them apart:
    // mimalloc allocates in its arena only.
    unsafe impl GlobalAlloc for Allocator {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's guarantees, passed on.
            unsafe {
                if MIMALLOC.load(Ordering::Acquire) {
                    MiMalloc.alloc(layout)
                } else {
                    System.alloc(layout)
                }
            }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's guarantees, passed on.
            unsafe {
                if MIMALLOC.load(Ordering::Acquire) {
                    MiMalloc.alloc_zeroed(layout)
                } else {
                    System.alloc_zeroed(layout)
                }
            }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: `ptr` came from the allocator `from_mimalloc` names.
            unsafe {
                if from_mimalloc(ptr) {
                    MiMalloc.dealloc(ptr, layout)
                } else {
                    System.dealloc(ptr, layout)
                }
            }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: `ptr` came from the allocator `from_mimalloc` names,
            // which resizes it.
            unsafe {
                if from_mimalloc(ptr) {
                    MiMalloc.realloc(ptr, layout, new_size)
                } else {
                    System.realloc(ptr, layout, new_size)
                }
            }
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::Ordering;

    use super::linux::*;

    /// Blocks of both allocators, each freed and resized by its own, and
    /// told apart by address (a block freed by the wrong allocator would
    /// crash the tests); mimalloc's blocks, large ones too, all in the
    /// arena.
    #[test]
    fn blocks_go_back_to_the_allocator_that_gave_them() {
        // The option's id, between options of known defaults (other tests
        // of this process may have switched already: then it is 0).
        // SAFETY: reads mimalloc's options.
        let around: Vec<_> = (19..=25)
            .map(|id| unsafe { libmimalloc_sys::mi_option_get(id) })
            .collect();
        assert_eq!(
            [around[..4].to_vec(), around[5..].to_vec()],
            [vec![32, 32, 10, 0], vec![10, 1]]
        );
        assert!(
            around[4] == 1 << 20 || around[4] == 0,
            "1 GiB in KiB, or 0: {around:?}"
        );
        let small = Layout::from_size_align(100, 8).unwrap();
        let large = Layout::from_size_align(10_000, 8).unwrap();
        let huge = Layout::from_size_align(ARENA_BYTES / 4, 8).unwrap();
        // SAFETY: each block is used within its layout and freed once.
        unsafe {
            // The C library's block (what `Allocator` gives before the
            // switch, which other tests of this process may have made).
            let system = System.alloc(small);
            use_mimalloc();
            let arena = ARENA_START.load(Ordering::Relaxed)..ARENA_END.load(Ordering::Relaxed);
            assert_eq!(arena.len(), ARENA_BYTES);
            assert_eq!(libmimalloc_sys::mi_option_get(MI_OPTION_ARENA_RESERVE), 0);

            let mimalloc = Allocator.alloc(small);
            assert!(arena.contains(&(mimalloc as usize)) && from_mimalloc(mimalloc));
            assert!(!arena.contains(&(system as usize)) && !from_mimalloc(system));
            // A block larger than mimalloc's segments: still in the arena.
            let big = Allocator.alloc_zeroed(huge);
            assert!(!big.is_null() && arena.contains(&(big as usize)));
            assert_eq!(*big.add(huge.size() - 1), 0);

            // Larger than the arena: refused, not taken elsewhere.
            let beyond = Layout::from_size_align(2 * ARENA_BYTES, 8).unwrap();
            assert!(Allocator.alloc(beyond).is_null());

            let system = Allocator.realloc(system, small, large.size());
            assert!(!system.is_null() && !from_mimalloc(system));
            let mimalloc = Allocator.realloc(mimalloc, small, large.size());
            assert!(!mimalloc.is_null() && from_mimalloc(mimalloc));
            Allocator.dealloc(system, large);
            Allocator.dealloc(mimalloc, large);
            Allocator.dealloc(big, huge);
        }
    }

    /// glibc's `mallinfo2` (2.33 and later).
    #[cfg(target_env = "gnu")]
    #[repr(C)]
    struct MallInfo2 {
        _arena: usize,
        _ordblks: usize,
        _smblks: usize,
        /// Blocks mapped on their own.
        hblks: usize,
        _rest: [usize; 6],
    }

    #[cfg(target_env = "gnu")]
    unsafe extern "C" {
        fn mallinfo2() -> MallInfo2;
    }

    /// A 24 MB block from the C library's allocator: a mapping of its own
    /// by default (blocks of 128 KB and more), from its heap once freed
    /// memory is kept.
    #[cfg(target_env = "gnu")]
    #[test]
    fn the_c_allocator_keeps_large_blocks_in_its_heap() {
        super::keep_freed_memory();
        let layout = Layout::from_size_align(24 << 20, 8).unwrap();
        // SAFETY: glibc's statistics; the block is freed once.
        unsafe {
            let mapped_before = mallinfo2().hblks;
            let block = System.alloc(layout);
            assert!(!block.is_null());
            let mapped_with_block = mallinfo2().hblks;
            System.dealloc(block, layout);
            // Other tests' threads map no block either (they may unmap one).
            assert!(
                mapped_with_block <= mapped_before,
                "{mapped_before} -> {mapped_with_block} blocks mapped on their own"
            );
        }
    }
}
