//! Independent work spread over threads, with results in input order, so output never
//! depends on scheduling. `GENK8S_THREADS` sets how many threads (1: everything on the
//! calling thread); the default is the machine's available parallelism.

use std::sync::Mutex;

/// The environment variable that sets the number of threads.
pub const THREADS: &str = "GENK8S_THREADS";

/// Threads to use: `GENK8S_THREADS` when it is a positive number, else the cores available.
pub fn threads() -> usize {
    std::env::var(THREADS)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// `f` applied to every item, in up to [`threads`] threads; the results in the items' order.
pub fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let workers = threads().min(items.len());
    if workers <= 1 {
        return items.into_iter().map(f).collect();
    }
    let n = items.len();
    let queue = Mutex::new(items.into_iter().enumerate());
    let next = || queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).next();
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    while let Some((i, item)) = next() {
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
    });
    done.sort_by_key(|(i, _)| *i);
    debug_assert_eq!(done.len(), n);
    done.into_iter().map(|(_, r)| r).collect()
}

/// `a()` and `b()`, on two threads when [`threads`] allows more than one (`a` on a new one),
/// else one after the other.
pub fn join<A: Send, B>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if threads() <= 1 {
        let a = a();
        return (a, b());
    }
    std::thread::scope(|s| {
        let handle = s.spawn(a);
        let b = b();
        (handle.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), b)
    })
}

/// `items` cut into at most `parts` runs of consecutive items, as even as can be.
pub fn chunks<T>(items: &[T], parts: usize) -> Vec<&[T]> {
    items.chunks(run_size(items.len(), parts)).collect()
}

/// The length of each run when `len` items are cut into at most `parts` runs.
fn run_size(len: usize, parts: usize) -> usize {
    len.div_ceil(parts.max(1)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_input_order_whatever_finishes_first() {
        let items: Vec<u64> = (0..64).collect();
        let got = map(items.clone(), |i| {
            // Later items finish first.
            std::thread::sleep(std::time::Duration::from_micros((64 - i) * 50));
            i * i
        });
        assert_eq!(got, items.iter().map(|i| i * i).collect::<Vec<_>>());
    }

    #[test]
    fn join_returns_both_results_in_their_places() {
        let (a, b) = join(
            || {
                std::thread::sleep(std::time::Duration::from_millis(5));
                "a"
            },
            || 2,
        );
        assert_eq!((a, b), ("a", 2));
    }

    #[test]
    fn chunks_cover_every_item_once_in_order() {
        let items: Vec<u32> = (0..10).collect();
        for parts in 1..12 {
            let c = chunks(&items, parts);
            assert!(c.len() <= parts);
            assert_eq!(c.concat(), items, "{parts} parts");
        }
        assert!(chunks::<u32>(&[], 3).is_empty());
    }
}
