//! One entry point for every open beneath a root: openat2 or the fallback walk, then
//! the root's filesystem check on what was opened.

use std::borrow::Cow;
use std::ffi::OsStr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;

use crate::sys::file_id;
use crate::walk::{self, Landing, Last, Start, display_join};
use crate::{Error, FsType, Result, strace};

/// Retries of openat2 on `EAGAIN`/`EINTR` (the kernel returns `EAGAIN` when a
/// concurrent rename or mount might have made a `..` step unsafe), and of the fallback
/// when the object changed between the walk and the final open.
const RETRIES: usize = 32;

/// What the caller wants at the end of the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// An `O_PATH|O_DIRECTORY` directory handle.
    Dir,
    /// An `O_PATH` handle of the object itself, even a symlink (`O_NOFOLLOW`).
    PathNoFollow,
    /// An `O_PATH` handle of what the path resolves to.
    PathFollow,
    /// A real open with these access flags; `create` adds `O_CREAT|O_TRUNC` (0o600).
    File { flags: OFlags, create: bool },
}

impl Target {
    fn oflags(self) -> (OFlags, Mode) {
        let cloexec = OFlags::CLOEXEC;
        match self {
            Target::Dir => (OFlags::PATH | OFlags::DIRECTORY | cloexec, Mode::empty()),
            Target::PathNoFollow => (OFlags::PATH | OFlags::NOFOLLOW | cloexec, Mode::empty()),
            Target::PathFollow => (OFlags::PATH | cloexec, Mode::empty()),
            Target::File {
                flags,
                create: false,
            } => (flags | OFlags::NOCTTY | cloexec, Mode::empty()),
            Target::File {
                flags,
                create: true,
            } => {
                let flags = flags | OFlags::CREATE | OFlags::TRUNC | OFlags::NOCTTY | cloexec;
                (flags, Mode::from_raw_mode(0o600))
            }
        }
    }

    fn last(self) -> Last {
        match self {
            Target::PathNoFollow => Last::NoFollow,
            Target::File { create: true, .. } => Last::Create,
            _ => Last::Follow,
        }
    }
}

/// Open `rel` beneath `start` as `target`, following the start's policy. `rel` is
/// raw bytes (a name need not be UTF-8); callers have checked it.
pub(crate) fn open(start: Start<'_>, rel: &OsStr, target: Target) -> Result<OwnedFd> {
    let fd = if start.policy.openat2 {
        via_openat2(start, rel, target)?
    } else {
        via_walk(start, rel, target)?
    };
    if target != Target::PathNoFollow {
        check_fs(start, rel, &fd)?;
    }
    Ok(fd)
}

/// Like [`open`] for an `O_PATH` handle, also returning where it landed (`/a/b`).
///
/// With openat2 the kernel's answer is the handle; the walk only names it, and the two
/// must agree on the inode (retried on a race).
pub(crate) fn open_path_named(start: Start<'_>, rel: &str) -> Result<(OwnedFd, String)> {
    let display = display_join(start.path, rel);
    for _ in 0..RETRIES {
        // With openat2 the kernel decides first, so its errors are the ones reported.
        let kernel = match start.policy.openat2 {
            true => Some(via_openat2(start, OsStr::new(rel), Target::PathFollow)?),
            false => None,
        };
        let landing = walk::walk(start, OsStr::new(rel), Last::Follow)?;
        let path = landing.path();
        let Some((walked, walked_id)) = landing.found else {
            let call = walk_call(start, OsStr::new(rel));
            return Err(Error::sys("openat", call, display, Errno::NOENT));
        };
        let Some(fd) = kernel else {
            return Ok((walked, path));
        };
        let id = file_id(fd.as_fd()).map_err(|e| stat_error(&display, e))?;
        if id.same_file(&walked_id) {
            return Ok((fd, path));
        }
        log::debug!(
            "{}: openat2 and the walk disagree; retrying",
            display.display()
        );
    }
    Err(Error::sys(
        "openat2",
        walk_call(start, OsStr::new(rel)),
        display,
        Errno::AGAIN,
    ))
}

fn walk_call(start: Start<'_>, rel: &OsStr) -> String {
    strace::openat_call(
        start.path,
        &rel.to_string_lossy(),
        OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
    )
}

fn via_openat2(start: Start<'_>, rel: &OsStr, target: Target) -> Result<OwnedFd> {
    let (flags, mode) = target.oflags();
    let how = start.policy.resolve_flags();
    let path = if rel.is_empty() { OsStr::new(".") } else { rel };
    let mut last = Errno::AGAIN;
    for _ in 0..RETRIES {
        match rustix::fs::openat2(start.fd, path, flags, mode, how) {
            Ok(fd) => return Ok(fd),
            Err(errno @ (Errno::AGAIN | Errno::INTR)) => last = errno,
            Err(errno) => return Err(openat2_error(start, path, target, errno)),
        }
    }
    Err(openat2_error(start, path, target, last))
}

fn openat2_error(start: Start<'_>, path: &OsStr, target: Target, errno: Errno) -> Error {
    let (flags, _) = target.oflags();
    let shown = path.to_string_lossy();
    let call = strace::openat2_call(start.path, &shown, flags, start.policy.resolve_flags());
    Error::sys("openat2", call, display_join(start.path, path), errno)
}

fn via_walk(start: Start<'_>, rel: &OsStr, target: Target) -> Result<OwnedFd> {
    let display = display_join(start.path, rel);
    for _ in 0..RETRIES {
        let landing = walk::walk(start, rel, target.last())?;
        if let Some(fd) = finish_walk(start, &display, &landing, target)? {
            return Ok(fd);
        }
        log::debug!("{}: changed during the walk; retrying", display.display());
    }
    Err(Error::sys(
        "openat",
        walk_call(start, rel),
        display,
        Errno::AGAIN,
    ))
}

/// Turn a landing into the wanted fd; `None` if the object changed meanwhile.
fn finish_walk(
    start: Start<'_>,
    display: &Path,
    landing: &Landing,
    target: Target,
) -> Result<Option<OwnedFd>> {
    let (flags, mode) = target.oflags();
    let parent = landing.parent(start.fd);
    let name = landing.name.as_deref().unwrap_or_else(|| ".".as_ref());
    let fail = |errno| {
        let call = strace::openat_call(display, &name.to_string_lossy(), flags);
        Error::sys("openat", call, display.to_path_buf(), errno)
    };
    let Some((fd, id)) = &landing.found else {
        // Missing final component, and the target creates it.
        let flags = flags | OFlags::NOFOLLOW;
        return rustix::fs::openat(parent, name, flags, mode)
            .map(Some)
            .map_err(fail);
    };
    match target {
        Target::Dir if id.kind != rustix::fs::FileType::Directory => Err(fail(Errno::NOTDIR)),
        Target::Dir | Target::PathFollow | Target::PathNoFollow => {
            fd.try_clone().map(Some).map_err(|e| fail(io_errno(&e)))
        }
        Target::File { .. } if id.kind == rustix::fs::FileType::Directory => {
            rustix::fs::openat(fd, ".", flags, mode)
                .map(Some)
                .map_err(fail)
        }
        Target::File { .. } => {
            let opened =
                rustix::fs::openat(parent, name, flags | OFlags::NOFOLLOW, mode).map_err(fail)?;
            let now = file_id(opened.as_fd()).map_err(fail)?;
            Ok(now.same_file(id).then_some(opened))
        }
    }
}

/// The root's policy on what an opened object may be.
fn check_fs(start: Start<'_>, rel: &OsStr, fd: &OwnedFd) -> Result<()> {
    let Some(want) = start.policy.require else {
        return Ok(());
    };
    let display = display_join(start.path, rel);
    let found = FsType::of(fd).map_err(|e| e.with_path(display.clone()))?;
    // By magic: a policy may name resctrl as `Other(0x7655821)`.
    if found.magic() == want.magic() {
        return Ok(());
    }
    Err(Error::wrong_fs(display, found, &fs_name(want)))
}

/// How a filesystem type is named in messages.
pub(crate) fn fs_name(fs: FsType) -> Cow<'static, str> {
    Cow::Borrowed(match fs {
        FsType::Cgroup1 => "cgroup v1 (cgroupfs)",
        FsType::Cgroup2 => "cgroup2",
        FsType::Proc => "procfs",
        FsType::Tmpfs => "tmpfs",
        FsType::Sysfs => "sysfs",
        FsType::Resctrl => "resctrl",
        other => return Cow::Owned(format!("the filesystem of magic {:#x}", other.magic())),
    })
}

fn stat_error(display: &Path, errno: Errno) -> Error {
    let call = format!("statx({}, \"\", AT_EMPTY_PATH)", display.display());
    Error::sys("statx", call, display.to_path_buf(), errno)
}

fn io_errno(err: &std::io::Error) -> Errno {
    Errno::from_io_error(err).unwrap_or(Errno::BADF)
}

/// Borrow helper for callers holding an `OwnedFd`.
pub(crate) fn start<'a>(
    fd: &'a OwnedFd,
    path: &'a Path,
    policy: &'a crate::policy::Policy,
) -> Start<'a> {
    let fd: BorrowedFd<'a> = fd.as_fd();
    Start { fd, path, policy }
}
