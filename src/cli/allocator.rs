//! The allocator the binary and the benchmarks set: mimalloc, asked for
//! plain allocations whenever plain ones are aligned enough.
//!
//! The `mimalloc` crate's `GlobalAlloc` passes every request to
//! `mi_malloc_aligned`, whatever its alignment. In mimalloc 3 that call
//! takes a fast path only for blocks of up to 1 KiB; a larger block whose
//! size is not a power of two is over-allocated by `alignment − 1` bytes
//! and its page marked as holding interior pointers, which every later
//! `free` there has to undo. Rust asks for alignment 8 or less almost always
//! (a `Vec` of coordinates is 8), and mimalloc's size classes are whole
//! words, so every plain `mi_malloc` block is 8-aligned already: those
//! requests go to `mi_malloc`, `mi_zalloc` and `mi_realloc`, and only larger
//! alignments to the aligned calls.
//!
//! Tested below: blocks of every alignment come back aligned, zeroed and
//! reallocated.

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// The largest alignment every `mi_malloc` block has: its size classes are
/// whole machine words.
const PLAIN_ALIGN: usize = std::mem::size_of::<usize>();

/// mimalloc as a `GlobalAlloc` (see the [module docs](self)):
/// `#[global_allocator] static GLOBAL: Mimalloc = Mimalloc;`.
pub struct Mimalloc;

// SAFETY: every pointer returned comes from mimalloc with at least the
// layout's alignment (plain blocks are word-aligned, the others asked for
// it), and `dealloc`/`realloc` hand back only pointers from these calls;
// `mi_free` takes blocks of either kind.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= PLAIN_ALIGN {
            mi::mi_malloc(layout.size()).cast()
        } else {
            mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= PLAIN_ALIGN {
            mi::mi_zalloc(layout.size()).cast()
        } else {
            mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi::mi_free(ptr.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= PLAIN_ALIGN {
            mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
        } else {
            mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Mimalloc;
    use std::alloc::{GlobalAlloc, Layout};

    #[test]
    fn blocks_are_aligned_zeroed_and_reallocated() {
        for (size, align) in [(1, 1), (24, 8), (1_000_000, 8), (48, 16), (256, 64), (10_000, 4096)] {
            let layout = Layout::from_size_align(size, align).unwrap();
            unsafe {
                let p = Mimalloc.alloc_zeroed(layout);
                assert!(!p.is_null() && p as usize % align == 0);
                assert_eq!(*p.add(size - 1), 0);
                let q = Mimalloc.realloc(p, layout, 2 * size);
                assert!(!q.is_null() && q as usize % align == 0);
                Mimalloc.dealloc(q, Layout::from_size_align(2 * size, align).unwrap());
            }
        }
    }
}
