//! Compiling a pack on the cores the machine has: the rule files are parsed
//! in parallel and the regexes are compiled beside the rest of the work.
//!
//! Results never depend on the number of threads: work is split by index
//! and put back in order. When a thread cannot be started, the work runs on
//! the calling thread.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{Scope, ScopedJoinHandle};

/// At most this many threads parse files.
const MAX_THREADS: usize = 4;

/// Below this much input, starting threads costs more than it saves.
pub(crate) const PARALLEL_BYTES: usize = 32 * 1024;

fn threads_for(items: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(MAX_THREADS).min(items)
}

/// `f` applied to every item, spread over the available cores; results
/// come back in the order of `items`. The costliest items (by `cost`) are
/// started first, so that no core is left with a large one at the end.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], cost: impl Fn(&T) -> usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads_for(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(items.get(i).map_or(0, &cost)));
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    let work = || {
        let mut mine = Vec::new();
        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            if let Some(item) = items.get(i) {
                mine.push((i, f(item)));
            }
        }
        if let Ok(mut done) = done.lock() {
            done.extend(mine);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            // A thread that cannot start leaves its share to the others.
            let _ = std::thread::Builder::new().spawn_scoped(scope, work);
        }
        work();
    });
    let mut done = done.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Work started on another thread, already done when no thread could be
/// started, or put off until it is joined.
pub(crate) enum Background<'scope, R> {
    Running(ScopedJoinHandle<'scope, Option<R>>),
    Done(Option<R>),
    Deferred(Box<dyn FnOnce() -> R + Send + 'scope>),
}

impl<'scope, R: Send + 'scope> Background<'scope, R> {
    /// Start `f` beside the calling thread.
    pub(crate) fn start<'env>(scope: &'scope Scope<'scope, 'env>, f: impl FnOnce() -> R + Send + 'scope) -> Self {
        // `spawn_scoped` consumes its closure even when it fails, so `f`
        // goes through a slot the fallback can take it back from.
        let slot = Arc::new(Mutex::new(Some(f)));
        let theirs = Arc::clone(&slot);
        let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
            let f = theirs.lock().ok().and_then(|mut f| f.take());
            f.map(|f| f())
        });
        match spawned {
            Ok(handle) => Background::Running(handle),
            Err(_) => Background::Done(slot.lock().ok().and_then(|mut f| f.take()).map(|f| f())),
        }
    }

    /// `f`, to run on the calling thread when joined.
    pub(crate) fn deferred(f: impl FnOnce() -> R + Send + 'scope) -> Self {
        Background::Deferred(Box::new(f))
    }

    /// The result; `None` if the work panicked.
    pub(crate) fn join(self) -> Option<R> {
        match self {
            Background::Running(handle) => handle.join().ok().flatten(),
            Background::Done(r) => r,
            Background::Deferred(f) => Some(f()),
        }
    }
}

/// Jobs that threads take one at a time, whenever they have nothing else to
/// do, until none is left; each job runs once and its result keeps its
/// item's place.
pub(crate) struct Shared<'a, T, R> {
    items: &'a [T],
    next: AtomicUsize,
    results: Vec<Mutex<Option<R>>>,
}

impl<'a, T, R> Shared<'a, T, R> {
    pub(crate) fn new(items: &'a [T]) -> Self {
        Shared { items, next: AtomicUsize::new(0), results: items.iter().map(|_| Mutex::new(None)).collect() }
    }

    /// Run one job no thread has taken yet; false when none is left.
    pub(crate) fn run_one(&self, f: impl Fn(&T) -> R) -> bool {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        match (self.items.get(i), self.results.get(i)) {
            (Some(item), Some(slot)) => {
                let result = f(item);
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(result);
                }
                true
            }
            _ => false,
        }
    }

    /// Run jobs until none is left.
    pub(crate) fn run_all(&self, f: impl Fn(&T) -> R) {
        while self.run_one(&f) {}
    }

    /// Take the result of item `i` (none past the last item), once every
    /// thread that took jobs has finished them; a job whose thread died runs
    /// here.
    pub(crate) fn take(&self, i: usize, f: impl Fn(&T) -> R) -> Option<R> {
        let (item, slot) = (self.items.get(i)?, self.results.get(i)?);
        Some(slot.lock().ok().and_then(|mut r| r.take()).unwrap_or_else(|| f(item)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_the_order_of_its_items() {
        let items: Vec<u64> = (0..1_000).collect();
        // Odd items cost more and start first; results keep the input order.
        let squares = map(&items, |x| (*x % 2) as usize, |x| x * x);
        assert_eq!(squares, items.iter().map(|x| x * x).collect::<Vec<_>>());
        assert!(map(&[] as &[u64], |_| 0, |x| *x).is_empty());
    }

    #[test]
    fn shared_jobs_run_once_each_and_keep_their_order() {
        let items: Vec<u64> = (0..500).collect();
        let runs = AtomicUsize::new(0);
        let square = |x: &u64| {
            runs.fetch_add(1, Ordering::Relaxed);
            x * x
        };
        let shared = Shared::new(&items);
        std::thread::scope(|scope| {
            scope.spawn(|| shared.run_all(square));
            // The calling thread takes a few, then helps with the rest.
            for _ in 0..3 {
                shared.run_one(square);
            }
            shared.run_all(square);
        });
        let results: Vec<u64> = (0..items.len()).filter_map(|i| shared.take(i, square)).collect();
        assert_eq!(results, items.iter().map(|x| x * x).collect::<Vec<_>>());
        assert_eq!(shared.take(items.len(), square), None);
        assert_eq!(runs.load(Ordering::Relaxed), items.len());
    }

    #[test]
    fn background_work_returns_its_result() {
        let text = String::from("规则");
        let n = std::thread::scope(|scope| {
            let job = Background::start(scope, || text.chars().count());
            job.join()
        });
        assert_eq!(n, Some(2));
    }

    #[test]
    fn deferred_work_runs_when_joined() {
        let ran = std::sync::atomic::AtomicBool::new(false);
        let job = Background::deferred(|| ran.swap(true, Ordering::Relaxed));
        assert!(!ran.load(Ordering::Relaxed), "a deferred job waits for its join");
        assert_eq!(job.join(), Some(false));
        assert!(ran.load(Ordering::Relaxed));
    }
}
