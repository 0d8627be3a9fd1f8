//! The fallback resolver: a component-by-component walk with `O_PATH|O_NOFOLLOW`.
//!
//! Used where openat2 is missing (Linux < 5.6, seccomp) or forced off in tests. It
//! emulates the `RESOLVE_*` flags of a [`Policy`]:
//!
//! - every component is opened with `openat(cur, name, O_PATH|O_NOFOLLOW|O_CLOEXEC)`,
//!   so the kernel never follows a symlink for us;
//! - `..` pops our own stack of directory fds (never `openat(cur, "..")`), so a rename
//!   race cannot move us above the start; at the start it is an error (`BENEATH`) or a
//!   no-op (`IN_ROOT`);
//! - a symlink is read with `readlinkat(fd, "")` and its target spliced into the
//!   remaining path; an absolute target is an error (`BENEATH`) or restarts at the root
//!   (`IN_ROOT`); more than 40 symlinks is `ELOOP`; with `no_symlinks` any symlink is
//!   `ELOOP`; a symlink on procfs is `ELOOP` (magic links are never followed, and plain
//!   procfs symlinks such as `/proc/self` are refused too: stricter than openat2);
//! - with `no_xdev`, every component must be on the root's device and mount.

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use rustix::fs::{FileType, Mode, OFlags};
use rustix::io::Errno;

use crate::policy::{Policy, Scope};
use crate::sys::{FileId, file_id};
use crate::{Error, FsType, Result, strace};

/// Symlinks followed in one lookup before `ELOOP`, as the kernel's `MAXSYMLINKS`.
const MAX_SYMLINKS: u32 = 40;

/// Where a lookup starts: a directory fd, its display path and the root's policy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Start<'a> {
    pub(crate) fd: BorrowedFd<'a>,
    pub(crate) path: &'a Path,
    pub(crate) policy: &'a Policy,
}

/// What to do with the last component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Last {
    /// Follow a final symlink (like `open` without `O_NOFOLLOW`).
    Follow,
    /// Land on a final symlink itself (like `O_PATH|O_NOFOLLOW`).
    NoFollow,
    /// Follow, and accept a missing final component (it will be created).
    Create,
}

/// Where a walk ended.
#[derive(Debug)]
pub(crate) struct Landing {
    /// Directories below the start, down to the parent of the final object.
    parents: Vec<(OwnedFd, OsString)>,
    /// The final component's name; `None` when the walk ended on the start itself.
    pub(crate) name: Option<OsString>,
    /// The final object (`O_PATH`), or `None` when it is missing ([`Last::Create`]).
    pub(crate) found: Option<(OwnedFd, FileId)>,
}

impl Landing {
    /// The directory holding the final object.
    pub(crate) fn parent<'a>(&'a self, start: BorrowedFd<'a>) -> BorrowedFd<'a> {
        self.parents.last().map_or(start, |(fd, _)| fd.as_fd())
    }

    /// The clean path of the landing place inside the start, e.g. `/a/b`.
    pub(crate) fn path(&self) -> String {
        let mut names: Vec<&OsStr> = self.parents.iter().map(|(_, n)| n.as_os_str()).collect();
        names.extend(self.name.as_deref());
        let mut bytes = Vec::new();
        for name in names {
            bytes.push(b'/');
            bytes.extend_from_slice(name.as_bytes());
        }
        if bytes.is_empty() {
            return "/".to_owned();
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Walk `rel` (raw bytes) beneath `start` following its policy.
pub(crate) fn walk(start: Start<'_>, rel: &OsStr, last: Last) -> Result<Landing> {
    let mut walker = Walker {
        start,
        target: display_join(start.path, rel),
        stack: Vec::new(),
        todo: VecDeque::new(),
        links: 0,
    };
    walker.splice(rel);
    walker.run(last)
}

/// `base` joined with the requested path (raw bytes allowed), for messages.
pub(crate) fn display_join(base: &Path, rel: impl AsRef<OsStr>) -> PathBuf {
    let bytes = rel.as_ref().as_bytes();
    let skip = bytes.iter().take_while(|b| **b == b'/').count();
    let rel = &bytes[skip..];
    if rel.is_empty() || rel == b"." {
        base.to_path_buf()
    } else {
        base.join(OsStr::from_bytes(rel))
    }
}

struct Walker<'a> {
    start: Start<'a>,
    /// Display path of the whole request, for errors.
    target: PathBuf,
    stack: Vec<(OwnedFd, OsString)>,
    todo: VecDeque<OsString>,
    links: u32,
}

impl Walker<'_> {
    fn run(mut self, last: Last) -> Result<Landing> {
        while let Some(name) = self.todo.pop_front() {
            match name.as_bytes() {
                b"" | b"." => {}
                b".." => self.up()?,
                _ => {
                    if let Some(landing) = self.step(name, last)? {
                        return Ok(landing);
                    }
                }
            }
        }
        self.land_on_current()
    }

    fn cur(&self) -> BorrowedFd<'_> {
        self.stack
            .last()
            .map_or(self.start.fd, |(fd, _)| fd.as_fd())
    }

    fn cur_path(&self) -> PathBuf {
        let mut path = self.start.path.to_path_buf();
        path.extend(self.stack.iter().map(|(_, name)| name));
        path
    }

    /// Prepend the components of `path` to the work list.
    fn splice(&mut self, path: &OsStr) {
        let parts = path.as_bytes().split(|b| *b == b'/');
        for part in parts.rev() {
            self.todo.push_front(OsString::from_vec(part.to_vec()));
        }
    }

    fn up(&mut self) -> Result<()> {
        if self.stack.pop().is_some() || self.start.policy.scope == Scope::InRoot {
            return Ok(());
        }
        let why = "\"..\" would climb above the root";
        Err(self.refuse("..", Errno::XDEV, why))
    }

    /// Open one component; `Some` when the walk is over.
    fn step(&mut self, name: OsString, last: Last) -> Result<Option<Landing>> {
        let is_last = self.todo.is_empty();
        let flags = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(self.cur(), &name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) if is_last && last == Last::Create => {
                return Ok(Some(self.land(name, None)));
            }
            Err(errno) => return Err(self.fail(&name, flags, errno)),
        };
        let id = file_id(fd.as_fd()).map_err(|e| self.fail(&name, flags, e))?;
        if id.kind == FileType::Symlink {
            if is_last && last == Last::NoFollow {
                return Ok(Some(self.land(name, Some((fd, id)))));
            }
            self.follow(&fd, &name)?;
            return Ok(None);
        }
        if self.start.policy.no_xdev && !id.same_mount(&self.start.policy.root_id) {
            let why = "the path crosses into another mount";
            return Err(self.refuse(&name.to_string_lossy(), Errno::XDEV, why));
        }
        if is_last {
            return Ok(Some(self.land(name, Some((fd, id)))));
        }
        if id.kind != FileType::Directory {
            return Err(self.fail(&name, flags | OFlags::DIRECTORY, Errno::NOTDIR));
        }
        self.stack.push((fd, name));
        Ok(None)
    }

    /// Read the symlink `fd` (named `name`) and splice its target.
    fn follow(&mut self, fd: &OwnedFd, name: &OsStr) -> Result<()> {
        let shown = name.to_string_lossy();
        if self.start.policy.no_symlinks {
            let why = "symlinks are not allowed beneath this root";
            return Err(self.refuse(&shown, Errno::LOOP, why));
        }
        if matches!(FsType::of(fd), Ok(FsType::Proc)) {
            let why = "symlinks on procfs (magic links) are not followed";
            return Err(self.refuse(&shown, Errno::LOOP, why));
        }
        self.links += 1;
        if self.links > MAX_SYMLINKS {
            let why = "more than 40 symlinks in one lookup";
            return Err(self.refuse(&shown, Errno::LOOP, why));
        }
        let target = rustix::fs::readlinkat(fd, "", Vec::new()).map_err(|e| {
            let call = format!("readlinkat({}, \"\")", self.cur_path().join(name).display());
            Error::sys("readlinkat", call, self.target.clone(), e)
        })?;
        let target = OsString::from_vec(target.into_bytes());
        if target.is_empty() {
            return Err(self.refuse(&shown, Errno::NOENT, "the symlink is empty"));
        }
        if target.as_bytes().starts_with(b"/") {
            if self.start.policy.scope == Scope::Beneath {
                let why = "an absolute symlink leaves the root";
                return Err(self.refuse(&shown, Errno::XDEV, why));
            }
            self.stack.clear();
        }
        self.splice(&target);
        Ok(())
    }

    fn land(&mut self, name: OsString, found: Option<(OwnedFd, FileId)>) -> Landing {
        let parents = std::mem::take(&mut self.stack);
        Landing {
            parents,
            name: Some(name),
            found,
        }
    }

    /// The path ended on a directory already on the stack (or on the start).
    fn land_on_current(mut self) -> Result<Landing> {
        if let Some((fd, name)) = self.stack.pop() {
            let id = file_id(fd.as_fd()).map_err(|e| self.fail(&name, OFlags::PATH, e))?;
            return Ok(Landing {
                parents: self.stack,
                name: Some(name),
                found: Some((fd, id)),
            });
        }
        let flags = OFlags::PATH;
        let fd = self.start.fd.try_clone_to_owned().map_err(|e| {
            let errno = Errno::from_io_error(&e).unwrap_or(Errno::BADF);
            self.fail(OsStr::new("."), flags, errno)
        })?;
        let id = file_id(fd.as_fd()).map_err(|e| self.fail(OsStr::new("."), flags, e))?;
        Ok(Landing {
            parents: Vec::new(),
            name: None,
            found: Some((fd, id)),
        })
    }

    fn fail(&self, name: &OsStr, flags: OFlags, errno: Errno) -> Error {
        let call = strace::openat_call(&self.cur_path(), &name.to_string_lossy(), flags);
        Error::sys("openat", call, self.target.clone(), errno)
    }

    fn refuse(&self, name: &str, errno: Errno, why: &str) -> Error {
        let flags = OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let call = strace::openat_call(&self.cur_path(), name, flags);
        Error::refused("openat", call, self.target.clone(), errno, why)
    }
}
