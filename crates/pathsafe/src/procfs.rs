//! [`ProcFs`]: a verified procfs handle.
//!
//! A writable `/proc` file (`attr/exec`, `attr/apparmor/exec`, `oom_score_adj`) is a
//! target for misdirection: a container image or a racing mount can put another
//! filesystem, or another procfs file, where we expect ours (CVE-2019-16884,
//! CVE-2023-27561, CVE-2025-52881). So the handle is checked once (procfs magic, the
//! root inode of a procfs mount, our own PID namespace) and every lookup below it
//! stays on that one mount and follows no symlink at all.

use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::FileType;

use crate::policy::{Policy, Scope};
use crate::resolve::{self, Target};
use crate::walk::display_join;
use crate::{Error, FsType, MountInfo, OpenMode, Result, check_rel_path, parse_mountinfo};
use crate::{probe, sys};

/// `PROC_ROOT_INO`: the inode number of the root of every procfs mount.
const PROC_ROOT_INO: u64 = 1;

/// Which directory of procfs a path is relative to.
#[derive(Debug, Clone, Copy)]
pub enum ProcBase {
    /// `/proc` itself (`/proc/cgroups`, `/proc/filesystems`, ...).
    Root,
    /// `/proc/<our pid>`: what `/proc/self` points to, resolved by us.
    SelfProcess,
    /// `/proc/<our pid>/task/<our tid>`: what `/proc/thread-self` points to, resolved
    /// by us (per-thread files such as `attr/exec`).
    ThreadSelf,
    /// `/proc/<pid>`.
    Pid(u32),
}

/// A verified procfs handle.
///
/// The root is `PROC_SUPER_MAGIC` and the root inode of its mount, and its `self`
/// names our PID (same PID namespace). Lookups resolve with openat2 `RESOLVE_BENEATH |
/// RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS` (fallback: an
/// `O_NOFOLLOW` walk that checks device and mount id of every component), and every
/// opened file must be procfs. `self` and `thread-self` are resolved by us to
/// `<pid>` and `<pid>/task/<tid>`, so no symlink is ever needed: plain procfs symlinks
/// (`/proc/mounts`, `/proc/self`) are refused like magic links, with
/// [`ErrorKind::Loop`](crate::ErrorKind::Loop).
#[derive(Debug)]
pub struct ProcFs {
    fd: OwnedFd,
    path: PathBuf,
    policy: Policy,
}

impl ProcFs {
    /// Open and verify `/proc`.
    ///
    /// # Errors
    ///
    /// `WrongFilesystem` if `/proc` is not the root of a procfs mount of our PID
    /// namespace; `NotFound` or `Os` if it cannot be opened.
    pub fn open() -> Result<ProcFs> {
        ProcFs::open_path(Path::new("/proc"))
    }

    /// Test-only: open procfs mounted at `path`, with the same checks as
    /// [`ProcFs::open`].
    ///
    /// # Errors
    ///
    /// As [`ProcFs::open`].
    #[cfg(feature = "test-fixtures")]
    pub fn open_at(path: impl AsRef<Path>) -> Result<ProcFs> {
        ProcFs::open_path(path.as_ref())
    }

    fn open_path(path: &Path) -> Result<ProcFs> {
        let root = sys::open_root(path)?;
        if root.fs != FsType::Proc {
            return Err(Error::wrong_fs(path.to_path_buf(), root.fs, "procfs"));
        }
        if root.id.ino != PROC_ROOT_INO {
            let call = format!("statx({}) = {{stx_ino={}}}", path.display(), root.id.ino);
            let advice = format!(
                "{} is inside procfs but not the root of a procfs mount; pass the mount point",
                path.display()
            );
            return Err(Error::wrong_fs_detail(path.to_path_buf(), call, advice));
        }
        let policy = Policy {
            scope: Scope::Beneath,
            no_symlinks: true,
            no_xdev: true,
            require: Some(FsType::Proc),
            root_fs: FsType::Proc,
            root_id: root.id,
            openat2: probe::use_openat2(),
            create_on_write: false,
        };
        let proc = ProcFs {
            fd: root.fd,
            path: path.to_path_buf(),
            policy,
        };
        proc.check_pid_namespace()?;
        Ok(proc)
    }

    /// `self` must name our PID, else this procfs belongs to another PID namespace
    /// and every `<pid>` we compute would name a stranger.
    fn check_pid_namespace(&self) -> Result<()> {
        let pid = rustix::process::getpid().as_raw_nonzero().get().to_string();
        let link = rustix::fs::readlinkat(&self.fd, "self", Vec::new()).map_err(|e| {
            let call = format!("readlinkat({}, \"self\")", self.path.display());
            Error::sys("readlinkat", call, self.path.join("self"), e)
        })?;
        if link.as_bytes() == pid.as_bytes() {
            return Ok(());
        }
        let shown = link.to_string_lossy();
        let call = format!("readlinkat({}, \"self\") = {shown:?}", self.path.display());
        let advice = format!(
            "{}/self names {shown:?}, not our pid {pid}: this procfs belongs to another PID \
             namespace; mount a procfs of ours",
            self.path.display()
        );
        Err(Error::wrong_fs_detail(self.path.clone(), call, advice))
    }

    /// Whether lookups use openat2 (else the fallback walk).
    pub fn uses_openat2(&self) -> bool {
        self.policy.openat2
    }

    /// Open `rel` below `base` (plain components, as [`check_rel_path`]).
    ///
    /// # Errors
    ///
    /// `InvalidName` for a refused name; `Loop` for any symlink or magic link on the
    /// way (`fd/0`, `root`, `cwd`, `exe`); `Escape` for a mount crossing;
    /// `WrongFilesystem` if the opened file is not procfs; `NotFound` or the errno.
    pub fn open_file(&self, base: ProcBase, rel: &str, mode: OpenMode) -> Result<std::fs::File> {
        let full = self.full_rel(base, rel)?;
        let target = Target::File {
            flags: mode.oflags(),
            create: false,
        };
        let fd = resolve::open(self.start(), full.as_ref(), target)?;
        Ok(std::fs::File::from(fd))
    }

    /// Read the whole of `rel` below `base` as UTF-8 text.
    ///
    /// # Errors
    ///
    /// As [`ProcFs::open_file`]; the errno of read(2); `Parse` if not UTF-8.
    pub fn read_to_string(&self, base: ProcBase, rel: &str) -> Result<String> {
        let (bytes, display) = self.read_bytes(base, rel)?;
        String::from_utf8(bytes).map_err(|_| Error::not_utf8(display))
    }

    /// Read and parse `<base>/mountinfo` (see [`parse_mountinfo`]).
    ///
    /// Bytes that are not UTF-8 (raw in mount paths; the kernel escapes only space,
    /// tab, newline and backslash) become U+FFFD in the affected fields instead of
    /// failing the whole table.
    ///
    /// # Errors
    ///
    /// As [`ProcFs::read_to_string`]; `Parse` for a malformed line.
    pub fn mountinfo(&self, base: ProcBase) -> Result<Vec<MountInfo>> {
        let (bytes, display) = self.read_bytes(base, "mountinfo")?;
        parse_mountinfo(&String::from_utf8_lossy(&bytes)).map_err(|e| e.with_path(display))
    }

    /// Read the target of the symlink or magic link `rel` below `base` without
    /// following it (for example `ProcBase::SelfProcess, "fd/3"`).
    ///
    /// The directory holding the link is opened under the usual rules; the link itself
    /// is only read with readlinkat(2), never traversed.
    ///
    /// # Errors
    ///
    /// As [`ProcFs::open_file`]; `InvalidName` if the target is not UTF-8; `Os`
    /// (`EINVAL`) if `rel` is not a symlink.
    pub fn readlink(&self, base: ProcBase, rel: &str) -> Result<String> {
        let full = self.full_rel(base, rel)?;
        let display = display_join(&self.path, &full);
        let fd = resolve::open(self.start(), full.as_ref(), Target::PathNoFollow)?;
        let kind = sys::file_id(fd.as_fd()).map(|id| id.kind);
        let link = match kind {
            Ok(FileType::Symlink) => rustix::fs::readlinkat(&fd, "", Vec::new()),
            Ok(_) => Err(rustix::io::Errno::INVAL),
            Err(errno) => Err(errno),
        };
        let link = link.map_err(|e| {
            let call = format!("readlinkat({}, \"\")", display.display());
            Error::sys("readlinkat", call, display.clone(), e)
        })?;
        link.into_string()
            .map_err(|_| Error::invalid_name(Some(&display), "", "the link target is not UTF-8"))
    }

    fn read_bytes(&self, base: ProcBase, rel: &str) -> Result<(Vec<u8>, PathBuf)> {
        let mut file = self.open_file(base, rel, OpenMode::Read)?;
        let display = display_join(&self.path, &self.full_rel(base, rel)?);
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| Error::read(display.clone(), &e))?;
        Ok((bytes, display))
    }

    /// `<base prefix>/<rel>` after checking `rel`.
    fn full_rel(&self, base: ProcBase, rel: &str) -> Result<String> {
        let prefix = base_prefix(base);
        let shown = display_join(&self.path, &prefix);
        let parts = check_rel_path(rel).map_err(|e| e.with_path(display_join(&shown, rel)))?;
        let mut all: Vec<&str> = Vec::new();
        if !prefix.is_empty() {
            all.push(&prefix);
        }
        all.extend(parts);
        Ok(all.join("/"))
    }

    fn start(&self) -> crate::walk::Start<'_> {
        resolve::start(&self.fd, &self.path, &self.policy)
    }
}

impl AsFd for ProcFs {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// The directory of `base` relative to the procfs root.
fn base_prefix(base: ProcBase) -> String {
    let pid = || rustix::process::getpid().as_raw_nonzero().get();
    match base {
        ProcBase::Root => String::new(),
        ProcBase::SelfProcess => pid().to_string(),
        ProcBase::ThreadSelf => {
            let tid = rustix::thread::gettid().as_raw_nonzero().get();
            format!("{}/task/{tid}", pid())
        }
        ProcBase::Pid(pid) => pid.to_string(),
    }
}
