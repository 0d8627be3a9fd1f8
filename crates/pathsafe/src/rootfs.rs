//! [`Rootfs`]: lookups inside a container rootfs with chroot semantics.

use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::OFlags;

use crate::policy::{Policy, Scope};
use crate::resolve::{self, Target};
use crate::walk::display_join;
use crate::{Error, OpenMode, Result, probe, sys};

/// A container rootfs with chroot (`RESOLVE_IN_ROOT`) semantics.
///
/// Paths are resolved as if the process had chrooted into the root: `..` clamps at
/// the root, absolute symlinks resolve inside it, symlink loops fail with
/// [`ErrorKind::Loop`](crate::ErrorKind::Loop), and passing through a non-directory
/// fails with [`ErrorKind::NotADirectory`](crate::ErrorKind::NotADirectory). Magic
/// links (`/proc/<pid>/root`, `/proc/<pid>/fd/<n>`) are never followed. The rootfs may
/// be on any filesystem.
///
/// ```no_run
/// use std::io::Read;
/// let root = pathsafe::Rootfs::open("/var/lib/containers/abc/rootfs")?;
/// // "../../etc/passwd" cannot leave the rootfs: it is "/etc/passwd" inside it.
/// let mut passwd = String::new();
/// root.open_file("../../etc/passwd", pathsafe::OpenMode::Read)?
///     .read_to_string(&mut passwd)
///     .expect("read");
/// # Ok::<(), pathsafe::Error>(())
/// ```
#[derive(Debug)]
pub struct Rootfs {
    fd: OwnedFd,
    path: PathBuf,
    policy: Policy,
}

impl Rootfs {
    /// Open the directory `path` as a rootfs (`O_PATH|O_DIRECTORY|O_CLOEXEC`).
    ///
    /// # Errors
    ///
    /// `NotFound`, `NotADirectory` or `Os` if the directory cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<Rootfs> {
        let path = path.as_ref();
        let root = sys::open_root(path)?;
        let policy = Policy {
            scope: Scope::InRoot,
            no_symlinks: false,
            no_xdev: false,
            require: None,
            root_fs: root.fs,
            root_id: root.id,
            openat2: probe::use_openat2(),
            create_on_write: false,
        };
        Ok(Rootfs {
            fd: root.fd,
            path: path.to_path_buf(),
            policy,
        })
    }

    /// The path this rootfs was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether lookups use openat2 `RESOLVE_IN_ROOT` (else the fallback walk).
    pub fn uses_openat2(&self) -> bool {
        self.policy.openat2
    }

    /// Open `path` inside the rootfs (absolute or relative: both start at the root).
    ///
    /// The open carries `O_CLOEXEC|O_NOCTTY`, and `O_NONBLOCK` while opening so that a
    /// FIFO planted by the image cannot block us (it is cleared again afterwards). A
    /// write never creates a file.
    ///
    /// # Errors
    ///
    /// `InvalidName` for an empty path or one with a NUL byte; `NotFound`,
    /// `NotADirectory`, `Loop`, or the errno of the open.
    pub fn open_file(&self, path: &str, mode: OpenMode) -> Result<std::fs::File> {
        self.check(path)?;
        let flags = mode.oflags() | OFlags::NONBLOCK;
        let target = Target::File {
            flags,
            create: false,
        };
        let fd = resolve::open(self.start(), path.as_ref(), target)?;
        self.clear_nonblock(&fd, path)?;
        Ok(std::fs::File::from(fd))
    }

    /// Resolve `path` to an `O_PATH` handle and the clean path inside the root where
    /// it landed, e.g. `"/cousinparent/test"` (`"/"` for the root itself).
    ///
    /// The target must exist. With openat2 the handle comes from the kernel and the
    /// name from the fallback walk; both must name the same inode.
    ///
    /// # Errors
    ///
    /// As [`Rootfs::open_file`].
    pub fn resolve(&self, path: &str) -> Result<(OwnedFd, String)> {
        self.check(path)?;
        resolve::open_path_named(self.start(), path)
    }

    fn start(&self) -> crate::walk::Start<'_> {
        resolve::start(&self.fd, &self.path, &self.policy)
    }

    fn check(&self, path: &str) -> Result<()> {
        let why = if path.is_empty() {
            "an empty path names nothing"
        } else if path.contains('\0') {
            "a NUL byte is not allowed"
        } else {
            return Ok(());
        };
        Err(Error::invalid_name(Some(&self.path), path, why))
    }

    fn clear_nonblock(&self, fd: &OwnedFd, path: &str) -> Result<()> {
        let display = display_join(&self.path, path);
        let fail = |errno| {
            let call = format!("fcntl({}, F_SETFL)", display.display());
            Error::sys("fcntl", call, display.clone(), errno)
        };
        let flags = rustix::fs::fcntl_getfl(fd.as_fd()).map_err(fail)?;
        rustix::fs::fcntl_setfl(fd.as_fd(), flags - OFlags::NONBLOCK).map_err(fail)
    }
}

impl AsFd for Rootfs {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
