//! A ceiling on the memory a rule may take apimguard to (`--memory-limit`).
//!
//! A rule can ask one builtin for gigabytes (`numbers.range(1, 1000000000)`, a `concat`
//! of huge arrays), and regorus checks no budget inside a builtin. So the ceiling is
//! kept by the global allocator itself: [`MemoryGate`] counts the bytes the process
//! holds, and an allocation on a thread that is evaluating a rule which would take the
//! total over the ceiling never returns: the thread stops there and the watchdog
//! ([`super::watchdog`]) ends the run with exit 2, naming the rule. Other threads (and
//! the time between evaluations) are not held to the ceiling; the total they add counts.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// The smallest default ceiling, whatever the snapshot's size: room for the binary, the
/// compiled rules and any estate up to ~170 MB of JSON (about 80 000 APIs).
pub const MEMORY_LIMIT_FLOOR: u64 = 2 << 30;

/// The default ceiling per byte of snapshot: the engine's values take up to about 8×
/// the JSON they were parsed from (a rule that reads the whole snapshot at once), the
/// text itself is held too, and the rest is headroom for the rules' working values.
pub const MEMORY_LIMIT_PER_INPUT_BYTE: u64 = 12;

/// The default ceiling for an input of `input_bytes`: [`MEMORY_LIMIT_PER_INPUT_BYTE`]
/// times its size, at least [`MEMORY_LIMIT_FLOOR`].
pub fn default_memory_limit(input_bytes: usize) -> u64 {
    (input_bytes as u64)
        .saturating_mul(MEMORY_LIMIT_PER_INPUT_BYTE)
        .max(MEMORY_LIMIT_FLOOR)
}

/// Bytes the process holds, as flushed by the threads (see [`FLUSH_BYTES`]).
static LIVE: AtomicI64 = AtomicI64::new(0);
/// The ceiling in bytes (`u64::MAX`: none).
static LIMIT: AtomicU64 = AtomicU64::new(u64::MAX);

/// Each thread adds up its allocations and frees locally and publishes the sum once it
/// reaches this many bytes (either way), so the count costs no shared write on most
/// allocations; the total is then off by at most this much per thread.
const FLUSH_BYTES: i64 = 256 << 10;

thread_local! {
    /// This thread's allocations minus frees not yet added to [`LIVE`].
    static PENDING: Cell<i64> = const { Cell::new(0) };
}

/// Sets the ceiling for the rules evaluated from now on.
pub fn set_memory_limit(bytes: u64) {
    LIMIT.store(bytes, Ordering::Relaxed);
}

/// Publishes this thread's pending count (a worker about to end).
pub fn flush_thread_count() {
    settle(0);
}

/// A global allocator that counts what it hands out and holds evaluating rules to the
/// ceiling; install it in the binary (`#[global_allocator]`) around the real allocator.
pub struct MemoryGate<A> {
    inner: A,
}

impl<A> MemoryGate<A> {
    /// Counts and gates the allocations of `inner`.
    pub const fn new(inner: A) -> Self {
        MemoryGate { inner }
    }
}

/// Adds `delta` bytes to this thread's pending count, unless that takes the pending
/// count to [`FLUSH_BYTES`] either way: then nothing is changed, and the caller takes
/// its slow path, which [`settle`]s. Every allocation of the process passes here, so this
/// is a few instructions with no shared write.
#[inline(always)]
fn count(delta: i64) -> bool {
    PENDING.with(|p| {
        let pending = p.get() + delta;
        let fits = pending > -FLUSH_BYTES && pending < FLUSH_BYTES;
        if fits {
            p.set(pending);
        }
        fits
    })
}

/// Publishes this thread's pending count plus `delta`; when that takes the process over
/// the ceiling, a thread that is evaluating a rule stops here.
fn settle(delta: i64) {
    let pending = PENDING.with(|p| p.replace(0)) + delta;
    let live = LIVE.fetch_add(pending, Ordering::Relaxed) + pending;
    let limit = LIMIT.load(Ordering::Relaxed);
    if delta > 0 && u64::try_from(live).is_ok_and(|live| live > limit) {
        super::watchdog::over_memory_limit(live as u64, limit);
    }
}

impl<A: GlobalAlloc> MemoryGate<A> {
    /// The slow paths, out of line, so that the common path is a tail call.
    #[cold]
    #[inline(never)]
    unsafe fn alloc_settled(&self, layout: Layout, zeroed: bool) -> *mut u8 {
        settle(layout.size() as i64);
        if zeroed {
            self.inner.alloc_zeroed(layout)
        } else {
            self.inner.alloc(layout)
        }
    }

    #[cold]
    #[inline(never)]
    unsafe fn dealloc_settled(&self, ptr: *mut u8, layout: Layout) {
        settle(-(layout.size() as i64));
        self.inner.dealloc(ptr, layout)
    }

    #[cold]
    #[inline(never)]
    unsafe fn realloc_settled(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        settle(new_size as i64 - layout.size() as i64);
        self.inner.realloc(ptr, layout, new_size)
    }
}

// SAFETY: every call is passed on unchanged to the inner allocator; the count before it
// touches only atomics and a constant-initialised thread-local (no allocation), and
// `over_memory_limit` never unwinds: it returns, or parks the thread for good.
unsafe impl<A: GlobalAlloc> GlobalAlloc for MemoryGate<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if count(layout.size() as i64) {
            self.inner.alloc(layout)
        } else {
            self.alloc_settled(layout, false)
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if count(layout.size() as i64) {
            self.inner.alloc_zeroed(layout)
        } else {
            self.alloc_settled(layout, true)
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if count(-(layout.size() as i64)) {
            self.inner.dealloc(ptr, layout)
        } else {
            self.dealloc_settled(ptr, layout)
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if count(new_size as i64 - layout.size() as i64) {
            self.inner.realloc(ptr, layout, new_size)
        } else {
            self.realloc_settled(ptr, layout, new_size)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_grows_with_the_snapshot_above_a_floor() {
        assert_eq!(default_memory_limit(0), MEMORY_LIMIT_FLOOR);
        assert_eq!(default_memory_limit(10 << 20), MEMORY_LIMIT_FLOOR);
        assert_eq!(default_memory_limit(2 << 30), 24 << 30);
        assert_eq!(default_memory_limit(usize::MAX), u64::MAX);
    }
}
