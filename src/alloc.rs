//! Memory the allocator keeps is handed back to the system at one phase boundary.

/// Returns what this thread has freed so far to the system (mimalloc's `mi_collect(true)`:
/// empty pages released, and purged at once rather than after mimalloc's delay). Called
/// once the spec trees are dropped and before worker threads make the objects: their heaps
/// cannot reuse this thread's free pages, so without it a build's peak holds both. A
/// general shorter purge delay did the same for build but cost lint a fifth of its time in
/// page faults. With another global allocator (the library's own tests) nothing is returned.
pub fn release_freed() {
    // SAFETY: asks mimalloc to collect the calling thread's heap; no pointer is passed.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
