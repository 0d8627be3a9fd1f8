//! [`FdBudget`]: how many file descriptors the readers of a process may keep.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// A number of file descriptors shared by [`Reader`](crate::Reader)s.
///
/// A reader keeps one descriptor per statistics file it reads, so a monitor of a
/// thousand cgroups keeps tens of thousands. Readers charge the files they keep
/// to a budget; when it is spent, a new reader keeps only its directory handles
/// and opens, reads and closes each file per read (slower, never failing for
/// lack of budget), and tries again to keep its files at each read, so it
/// switches back as soon as other readers are dropped.
///
/// Directory handles are charged too, but never refused. Clones share the count.
#[derive(Debug, Clone)]
pub struct FdBudget {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    limit: usize,
    used: AtomicUsize,
}

impl FdBudget {
    /// A budget of `limit` descriptors.
    pub fn new(limit: usize) -> FdBudget {
        let inner = Inner {
            limit,
            used: AtomicUsize::new(0),
        };
        FdBudget {
            inner: Arc::new(inner),
        }
    }

    /// The budget readers use when they are given none: three quarters of the
    /// soft `RLIMIT_NOFILE` (so 15,000 on a machine that allows 20,000), one
    /// budget for the whole process.
    pub fn process_default() -> FdBudget {
        static DEFAULT: OnceLock<FdBudget> = OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                let rlimit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
                let soft = rlimit.current.unwrap_or(1024);
                let soft = usize::try_from(soft).unwrap_or(usize::MAX);
                FdBudget::new(soft / 4 * 3)
            })
            .clone()
    }

    /// The number of descriptors this budget allows.
    pub fn limit(&self) -> usize {
        self.inner.limit
    }

    /// The number charged now.
    pub fn in_use(&self) -> usize {
        self.inner.used.load(Ordering::Relaxed)
    }

    /// Charges `n` descriptors if they fit.
    pub(crate) fn try_acquire(&self, n: usize) -> bool {
        let used = &self.inner.used;
        let mut now = used.load(Ordering::Relaxed);
        loop {
            let Some(next) = now.checked_add(n).filter(|&next| next <= self.inner.limit) else {
                return false;
            };
            match used.compare_exchange_weak(now, next, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => return true,
                Err(actual) => now = actual,
            }
        }
    }

    /// Charges `n` descriptors whether or not they fit (directory handles).
    pub(crate) fn charge(&self, n: usize) {
        self.inner.used.fetch_add(n, Ordering::AcqRel);
    }

    /// Gives back `n` descriptors.
    pub(crate) fn release(&self, n: usize) {
        let _ = self
            .inner
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |u| {
                Some(u.saturating_sub(n))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acquire_stops_at_the_limit_and_release_makes_room() {
        let b = FdBudget::new(10);
        assert!(b.try_acquire(6));
        assert!(!b.try_acquire(5));
        let clone = b.clone();
        clone.release(2);
        assert!(b.try_acquire(5));
        assert_eq!(b.in_use(), 9);
        b.charge(3);
        assert_eq!(clone.in_use(), 12);
    }

    #[test]
    fn the_process_default_is_below_the_open_file_limit() {
        let rlimit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        let soft = rlimit.current.unwrap_or(1024) as usize;
        assert!(FdBudget::process_default().limit() < soft);
    }
}
