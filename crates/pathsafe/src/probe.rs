//! Kernel feature probes and the test-only switch that forces the fallback resolver.

use std::sync::OnceLock;

use rustix::fs::{CWD, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

/// Whether [openat2(2)](https://man7.org/linux/man-pages/man2/openat2.2.html) with
/// `RESOLVE_*` flags works here (Linux 5.6 and later, and not blocked by seccomp).
///
/// Probed once per process by opening `/` with `RESOLVE_NO_MAGICLINKS`; `ENOSYS`,
/// `EPERM` (a seccomp filter) or any other failure means "not supported", and every
/// root opened afterwards uses the component-walk fallback.
pub fn openat2_supported() -> bool {
    static SUPPORTED: OnceLock<bool> = OnceLock::new();
    *SUPPORTED.get_or_init(probe_openat2)
}

fn probe_openat2() -> bool {
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let res = ResolveFlags::NO_MAGICLINKS;
    match rustix::fs::openat2(CWD, "/", flags, Mode::empty(), res) {
        Ok(_fd) => true,
        Err(errno) => {
            let why = match errno {
                Errno::NOSYS => "the kernel has no openat2",
                Errno::PERM => "openat2 is blocked (seccomp?)",
                _ => "openat2 failed unexpectedly",
            };
            log::warn!("{why} ({errno:?}); using the O_NOFOLLOW component-walk fallback");
            false
        }
    }
}

/// Whether roots opened now on this thread should use openat2.
pub(crate) fn use_openat2() -> bool {
    openat2_supported() && !forced_fallback()
}

#[cfg(feature = "test-fixtures")]
thread_local! {
    static FORCE_FALLBACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(feature = "test-fixtures")]
fn forced_fallback() -> bool {
    FORCE_FALLBACK.with(std::cell::Cell::get)
}

#[cfg(not(feature = "test-fixtures"))]
fn forced_fallback() -> bool {
    false
}

/// Set the thread-local fallback switch; returns the previous value.
#[cfg(feature = "test-fixtures")]
pub(crate) fn set_forced_fallback(on: bool) -> bool {
    FORCE_FALLBACK.with(|cell| cell.replace(on))
}
