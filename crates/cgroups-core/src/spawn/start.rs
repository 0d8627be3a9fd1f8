//! [`start`]: choosing between `clone3(CLONE_INTO_CGROUP)` and the fork path, and
//! reading the clone3 child's report.

use std::cell::Cell;
use std::fs::File;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU8, Ordering};

use rustix::fs::AtFlags;
use rustix::io::Errno;
use rustix::pipe::PipeFlags;
use rustix::process::{Pid, PidfdFlags};

use crate::sys::{STARTED, clone3_exec};
use crate::{Error, ErrorKind, Manager, Result};

use super::prepare::Prepared;
use super::{JoinMethod, Spawn, SpawnedChild};

/// What this process knows about clone3 with `CLONE_INTO_CGROUP`: not tried yet, it
/// works, or the kernel or a seccomp filter refuses it (then never tried again).
static CLONE3: AtomicU8 = AtomicU8::new(UNKNOWN);
const UNKNOWN: u8 = 0;
const WORKS: u8 = 1;
const UNUSABLE: u8 = 2;

thread_local! {
    static FORCE_FALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// Makes [`start`] on this thread take the fork path; returns the previous value.
#[cfg(feature = "test-fixtures")]
pub(crate) fn force_fallback(on: bool) -> bool {
    FORCE_FALLBACK.with(|f| f.replace(on))
}

/// Starts `spec` inside `manager`'s cgroup: by clone3 when the cgroup lives only in
/// cgroup2 and the kernel allows it, else (or when the clone3 child died before it
/// ran) by fork and a `cgroup.procs` write before exec.
pub(super) fn start(spec: &Spawn, manager: &dyn Manager) -> Result<SpawnedChild> {
    let prepared = Prepared::new(spec)?;
    let procs = manager.procs_files()?;
    if let Some(dir) = clone3_target(manager, &procs) {
        match clone3_start(&prepared, dir.as_fd(), manager)? {
            Clone3::Started(child) => return Ok(child),
            Clone3::Unusable(errno) => {
                CLONE3.store(UNUSABLE, Ordering::Relaxed);
                log::debug!("clone3(CLONE_INTO_CGROUP) unusable ({errno}): using fork");
            }
            Clone3::DiedAtBirth(status) => {
                log::debug!("the clone3 child died before it ran ({status}): using fork");
            }
        }
    }
    fork_start(&prepared, procs)
}

/// The cgroup2 directory to clone into, when clone3 may be used: not ruled out on
/// this thread or process, and the manager's only `cgroup.procs` is the one of its
/// cgroup2 directory (a cgroup that also spans v1 hierarchies must join those too).
fn clone3_target(manager: &dyn Manager, procs: &[File]) -> Option<OwnedFd> {
    if FORCE_FALLBACK.with(Cell::get) || CLONE3.load(Ordering::Relaxed) == UNUSABLE {
        return None;
    }
    let [only] = procs else { return None };
    let dir = match manager.cgroup2_dir_fd()? {
        Ok(dir) => dir,
        Err(e) => {
            log::debug!("no cgroup2 directory to clone into ({e}): using fork");
            return None;
        }
    };
    is_procs_of(only, dir.as_fd()).then_some(dir)
}

/// Whether `procs` is the `cgroup.procs` file of the directory `dir` (same device and
/// inode; works across bind mounts of the same cgroup2).
pub(super) fn is_procs_of(procs: &File, dir: BorrowedFd<'_>) -> bool {
    let inside = rustix::fs::statat(dir, "cgroup.procs", AtFlags::SYMLINK_NOFOLLOW);
    match (rustix::fs::fstat(procs), inside) {
        (Ok(a), Ok(b)) => a.st_dev == b.st_dev && a.st_ino == b.st_ino,
        _ => false,
    }
}

enum Clone3 {
    Started(SpawnedChild),
    /// clone3 failed with an errno that means "not this way" (old kernel, seccomp).
    Unusable(Errno),
    /// The child was killed before it ran a single instruction (reaped).
    DiedAtBirth(std::process::ExitStatus),
}

/// Errnos of clone3 that mean the call or the flag is not available here: ENOSYS
/// (before Linux 5.3), EINVAL and E2BIG (no CLONE_INTO_CGROUP, before 5.7), EPERM (a
/// seccomp filter). The cgroup's own refusals are EACCES, EBUSY, ENODEV, EOPNOTSUPP.
fn means_unusable(errno: Errno) -> bool {
    matches!(
        errno,
        Errno::NOSYS | Errno::INVAL | Errno::TOOBIG | Errno::PERM
    )
}

fn clone3_start(prepared: &Prepared, dir: BorrowedFd<'_>, manager: &dyn Manager) -> Result<Clone3> {
    let (report, report_w) = rustix::pipe::pipe_with(PipeFlags::CLOEXEC)
        .map_err(|e| syscall_error("pipe2 for the exec report", &prepared.program, e))?;
    let spawned = clone3_exec(dir, &prepared.image(), report_w.as_fd());
    // The child has its own copy; ours must go so that EOF means "the child exec'd".
    drop(report_w);
    let (pid, pidfd) = match spawned {
        Ok(spawned) => spawned,
        Err(errno) if means_unusable(errno) => return Ok(Clone3::Unusable(errno)),
        Err(errno) => return Err(refused(manager, &prepared.program, errno)),
    };
    CLONE3.store(WORKS, Ordering::Relaxed);

    let mut child = SpawnedChild::new(pid, Some(pidfd), JoinMethod::CloneIntoCgroup);
    let bytes = read_report(report.as_fd());
    match bytes.as_deref() {
        Ok([STARTED]) => Ok(Clone3::Started(child)),
        Ok([]) => Ok(Clone3::DiedAtBirth(child.wait()?)),
        Ok(&[STARTED, a, b, c, d]) => {
            let errno = i32::from_ne_bytes([a, b, c, d]);
            child.wait()?;
            Err(
                Error::from_errno("cannot start the program", &prepared.program, errno)
                    .with_hint("created in the cgroup, the child failed to chdir or to exec"),
            )
        }
        Ok(other) => {
            let other = format!("{other:?}");
            child.wait()?;
            Err(
                Error::new(ErrorKind::Io, "the clone3 child sent a malformed report")
                    .with_path(&prepared.program)
                    .with_value(other),
            )
        }
        Err(errno) => {
            let _ = child.kill(libc::SIGKILL);
            let _ = child.wait();
            Err(syscall_error(
                "read the exec report",
                &prepared.program,
                *errno,
            ))
        }
    }
}

/// Reads what the child wrote until EOF (at most 8 bytes are ever expected).
fn read_report(fd: BorrowedFd<'_>) -> std::result::Result<Vec<u8>, Errno> {
    let mut out = Vec::new();
    let mut buf = [0u8; 16];
    loop {
        match rustix::io::read(fd, &mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(buf.get(..n).unwrap_or_default()),
            Err(Errno::INTR) => {}
            Err(errno) => return Err(errno),
        }
        if out.len() > 8 {
            return Ok(out);
        }
    }
}

/// The fork path: `spawn_in`'s `cgroup.procs` writes before exec, then a pidfd for
/// the child (none before Linux 5.3: the pid is used instead).
fn fork_start(prepared: &Prepared, procs: Vec<File>) -> Result<SpawnedChild> {
    let mut command = prepared.command();
    let child = super::spawn_with_procs(procs, &mut command, &prepared.program)?;
    let pid = child.id();
    // Race-free: the child is ours and not reaped, so its pid cannot be reused yet.
    let pidfd = Pid::from_raw(i32::try_from(pid).unwrap_or(0))
        .ok_or(Errno::SRCH)
        .and_then(|p| rustix::process::pidfd_open(p, PidfdFlags::empty()));
    let pidfd = match pidfd {
        Ok(fd) => Some(fd),
        Err(errno) => {
            log::debug!("pidfd_open({pid}) failed ({errno}): waiting by pid");
            None
        }
    };
    // Dropping a std `Child` neither waits nor kills: the SpawnedChild reaps it.
    drop(child);
    Ok(SpawnedChild::new(pid, pidfd, JoinMethod::WriteBeforeExec))
}

#[cold]
fn refused(manager: &dyn Manager, program: &std::ffi::OsStr, errno: Errno) -> Error {
    let raw = errno.raw_os_error();
    let out = match manager.paths().remove("") {
        Some(dir) => Error::from_errno("clone3 into the cgroup failed", dir, raw),
        None => Error::from_errno("clone3 into the cgroup failed", program, raw),
    };
    out.with_value(program.to_string_lossy())
        .with_hint("the kernel refused to create the process in this cgroup2 directory")
}

#[cold]
fn syscall_error(what: &str, program: &std::ffi::OsStr, errno: Errno) -> Error {
    Error::from_errno(what.to_owned(), program, errno.raw_os_error())
}
