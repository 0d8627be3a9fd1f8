//! `clone3(2)` with `CLONE_INTO_CGROUP | CLONE_PIDFD`, and the child's short life
//! between its birth and `execve(2)`.
//!
//! # Why `libc::syscall` and `linux-raw-sys`
//!
//! rustix offers no `clone3`, and a raw system call without a C library needs inline
//! assembly for every architecture. `libc::syscall` is the portable, audited entry
//! point, and `libc` is already in the dependency graph (through rustix's own
//! dependencies and std's). The argument struct and the flags come from
//! `linux-raw-sys`, which is generated from the kernel's UAPI headers (the layout is
//! the kernel's, not typed by hand; `libc`'s `CLONE_INTO_CGROUP` overflows `c_int` on
//! glibc targets and its `clone_args` is missing there).
//!
//! # The child
//!
//! Without `CLONE_VM` the child gets a copy-on-write copy of the parent's memory, as
//! after `fork(2)`, but only the calling thread: locks held by other threads (the
//! allocator's among them) stay locked forever. The child therefore only makes system
//! calls on memory prepared before the clone: it reports that it runs, resets signal
//! dispositions and the mask, changes directory, execs, and on failure writes the
//! errno and calls `_exit(127)`. All of these are async-signal-safe.

use std::ffi::{CStr, CString, c_char};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use linux_raw_sys::general::{CLONE_INTO_CGROUP, CLONE_PIDFD, SIGCHLD, clone_args};
use rustix::io::Errno;

/// The byte a clone3 child writes first: proof that it ran at all.
pub(crate) const STARTED: u8 = b'S';

/// What the child execs, prepared in the parent (no allocation happens in the child).
#[derive(Debug)]
pub(crate) struct ExecImage<'a> {
    /// The file passed to `execve(2)` (PATH already searched).
    pub(crate) path: &'a CStr,
    /// `argv`, starting with `argv[0]`.
    pub(crate) argv: &'a [CString],
    /// `envp`, `KEY=VALUE` each.
    pub(crate) envp: &'a [CString],
    /// Where the child changes directory before exec.
    pub(crate) cwd: Option<&'a CStr>,
}

/// Creates a child directly in the cgroup2 directory `cgroup` with
/// `clone3(CLONE_INTO_CGROUP | CLONE_PIDFD)` ([clone(2)]), exit signal `SIGCHLD`, and
/// execs `image` in it. Returns the child's pid and pidfd (`O_CLOEXEC`).
///
/// The child writes [`STARTED`] to `report`, then either execs (the kernel closes
/// `report`, which must be `O_CLOEXEC`) or writes the failed call's errno (4 bytes,
/// native endian) and exits with status 127. Every signal is blocked in the calling
/// thread across the clone so that no handler of the parent runs in the child; the
/// child resets caught signals (and an ignored `SIGPIPE`) to the default and clears
/// its mask before exec, as `std::process::Command` does.
///
/// # Errors
///
/// The errno of `clone3`: `ENOSYS` (before Linux 5.3), `EINVAL` or `E2BIG` (no
/// `CLONE_INTO_CGROUP`, before 5.7), `EPERM` (a seccomp filter), or the cgroup's
/// refusal (`EBUSY`, `EACCES`, `ENODEV`, `EOPNOTSUPP`, ...).
///
/// [clone(2)]: https://man7.org/linux/man-pages/man2/clone.2.html
pub(crate) fn clone3_exec(
    cgroup: BorrowedFd<'_>,
    image: &ExecImage<'_>,
    report: BorrowedFd<'_>,
) -> Result<(u32, OwnedFd), Errno> {
    let argv = null_terminated(image.argv);
    let envp = null_terminated(image.envp);
    let mut pidfd: libc::c_int = -1;
    let args = clone_args {
        flags: CLONE_INTO_CGROUP | u64::from(CLONE_PIDFD),
        pidfd: (&raw mut pidfd) as u64,
        child_tid: 0,
        parent_tid: 0,
        exit_signal: u64::from(SIGCHLD),
        stack: 0,
        stack_size: 0,
        tls: 0,
        set_tid: 0,
        set_tid_size: 0,
        cgroup: cgroup.as_raw_fd() as u64,
    };

    let saved = block_all_signals();
    // SAFETY: clone3 reads `size_of::<clone_args>()` bytes from `args`, a live,
    // fully initialised struct of the kernel's layout, and writes the pidfd into
    // `pidfd`, which outlives the call. Without CLONE_VM and with `stack` = 0 the child
    // continues on a copy-on-write copy of this stack, like after fork(2), so no
    // memory is shared; it never returns from `child_exec`.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_clone3,
            &raw const args,
            core::mem::size_of::<clone_args>(),
        )
    };
    if ret == 0 {
        child_exec(image, &argv, &envp, report);
    }
    let errno = Errno::from_io_error(&io::Error::last_os_error()).unwrap_or(Errno::IO);
    restore_signals(&saved);

    if ret < 0 {
        return Err(errno);
    }
    let pid = u32::try_from(ret).map_err(|_| Errno::RANGE)?;
    // SAFETY: clone3 succeeded with CLONE_PIDFD, so the kernel stored a new file
    // descriptor in `pidfd` that nothing else owns; we take ownership once.
    let pidfd = unsafe { OwnedFd::from_raw_fd(pidfd) };
    Ok((pid, pidfd))
}

/// The pointers of `strings` followed by a null pointer, as `execve` wants them. The
/// pointers stay valid while `strings` is alive and unchanged.
fn null_terminated(strings: &[CString]) -> Vec<*const c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

/// Blocks every signal in the calling thread; returns the previous mask.
fn block_all_signals() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data; sigfillset initialises `all` and
    // pthread_sigmask writes the old mask into `saved`, both live locals.
    unsafe {
        let mut all: libc::sigset_t = core::mem::zeroed();
        let mut saved: libc::sigset_t = core::mem::zeroed();
        libc::sigfillset(&raw mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &raw const all, &raw mut saved);
        saved
    }
}

/// Restores a mask saved by [`block_all_signals`].
fn restore_signals(saved: &libc::sigset_t) {
    // SAFETY: `saved` is a valid mask returned by pthread_sigmask.
    unsafe {
        libc::pthread_sigmask(libc::SIG_SETMASK, saved, std::ptr::null_mut());
    }
}

/// The child after clone3: only async-signal-safe system calls on memory prepared by
/// the parent; never returns, never unwinds, never allocates.
fn child_exec(
    image: &ExecImage<'_>,
    argv: &[*const c_char],
    envp: &[*const c_char],
    report: BorrowedFd<'_>,
) -> ! {
    write_all(report, &[STARTED]);
    reset_signals();
    if let Some(dir) = image.cwd
        && let Err(errno) = rustix::process::chdir(dir)
    {
        fail(report, errno.raw_os_error());
    }
    // SAFETY: `path` is a NUL-terminated string, `argv` and `envp` are arrays of
    // pointers to NUL-terminated strings ending with a null pointer; all of them were
    // built by the parent before the clone and live in this copy of its memory.
    unsafe {
        libc::execve(image.path.as_ptr(), argv.as_ptr(), envp.as_ptr());
    }
    fail(
        report,
        io::Error::last_os_error().raw_os_error().unwrap_or(0),
    )
}

/// Resets every caught signal, and an ignored `SIGPIPE` (Rust's runtime ignores it),
/// to the default action, then unblocks all signals. Caught signals would be reset by
/// execve anyway; doing it first means a signal that arrives before the exec is not
/// handled by a copy of the parent's handler.
fn reset_signals() {
    for signal in 1..=libc::SIGRTMAX() {
        if signal == libc::SIGKILL || signal == libc::SIGSTOP {
            continue;
        }
        // SAFETY: sigaction is async-signal-safe; `old` and `default` are live,
        // zero-initialised plain-data structs (a zeroed sigaction is SIG_DFL with an
        // empty mask and no flags). Signals the C library reserves fail with EINVAL
        // and are left alone.
        unsafe {
            let mut old: libc::sigaction = core::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &raw mut old) != 0 {
                continue;
            }
            let caught = old.sa_sigaction != libc::SIG_DFL && old.sa_sigaction != libc::SIG_IGN;
            let ignored_pipe = signal == libc::SIGPIPE && old.sa_sigaction == libc::SIG_IGN;
            if caught || ignored_pipe {
                let default: libc::sigaction = core::mem::zeroed();
                libc::sigaction(signal, &raw const default, std::ptr::null_mut());
            }
        }
    }
    // SAFETY: sigprocmask with an empty set initialised by sigemptyset; both are
    // async-signal-safe and only touch the local `none`.
    unsafe {
        let mut none: libc::sigset_t = core::mem::zeroed();
        libc::sigemptyset(&raw mut none);
        libc::sigprocmask(libc::SIG_SETMASK, &raw const none, std::ptr::null_mut());
    }
}

/// Reports `errno` to the parent and exits with 127 without running any exit handler.
fn fail(report: BorrowedFd<'_>, errno: i32) -> ! {
    write_all(report, &errno.to_ne_bytes());
    // SAFETY: _exit(2) is async-signal-safe and ends the process at once; it runs no
    // atexit handlers or destructors that could touch state of the parent's threads.
    unsafe { libc::_exit(127) }
}

/// write(2) of all of `bytes`, retried on `EINTR`; errors are ignored (the parent
/// then sees a short report and says so).
fn write_all(fd: BorrowedFd<'_>, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        match rustix::io::write(fd, bytes) {
            Ok(0) => return,
            Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
            Err(Errno::INTR) => {}
            Err(_) => return,
        }
    }
}
