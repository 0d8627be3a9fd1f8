//! [`Dir`]: a directory handle beneath a cgroup hierarchy root, a strict filesystem
//! root such as resctrl, or a test root.

use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;

use crate::policy::Policy;
use crate::resolve::{self, Target, fs_name};
use crate::sys;
use crate::walk::display_join;
use crate::{Error, FsType, Result, check_file_name, check_os_name, check_rel_path};

pub use crate::open_mode::OpenMode;
#[cfg(feature = "test-fixtures")]
pub use test_root::TestRoot;

#[cfg(feature = "test-fixtures")]
mod test_root;

/// An `O_PATH|O_DIRECTORY|O_CLOEXEC` directory handle plus the policy of its root.
///
/// Every lookup starts at this directory and may not leave it: names are checked
/// ([`check_rel_path`]) and then resolved with openat2 (`RESOLVE_BENEATH |
/// RESOLVE_NO_MAGICLINKS`, plus `RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS` on cgroup2 and
/// beneath [`Dir::open_fs_root`]) or with the equivalent component walk. What is
/// opened must be on the root's filesystem (cgroup roots: the same cgroup magic as
/// the root).
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
    path: PathBuf,
    policy: Policy,
}

impl Dir {
    /// Open a cgroup hierarchy root, such as `/sys/fs/cgroup/cpu` (v1) or
    /// `/sys/fs/cgroup/unified` (cgroup2).
    ///
    /// The path itself is trusted (it comes from mountinfo, not from a config) and is
    /// opened with `openat(AT_FDCWD, path, O_PATH|O_DIRECTORY|O_CLOEXEC)`, following
    /// symlinks such as `cpu -> cpu,cpuacct`; then fstatfs(2) must report cgroup v1 or
    /// cgroup2 magic. Lookups below use openat2 if [`openat2_supported`] (else the
    /// fallback), with `RESOLVE_NO_XDEV|RESOLVE_NO_SYMLINKS` added on cgroup2.
    ///
    /// [`openat2_supported`]: crate::openat2_supported
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongFilesystem`](crate::ErrorKind::WrongFilesystem) if the path is
    /// not on cgroupfs; `NotFound`, `NotADirectory` or `Os` if it cannot be opened.
    pub fn open_cgroup_root(path: impl AsRef<Path>) -> Result<Dir> {
        let path = path.as_ref();
        let root = sys::open_root(path)?;
        if !root.fs.is_cgroup() {
            let wanted = "cgroupfs (cgroup v1 or cgroup2)";
            return Err(Error::wrong_fs(path.to_path_buf(), root.fs, wanted));
        }
        let cgroup2 = root.fs == FsType::Cgroup2;
        let policy = Policy {
            no_symlinks: cgroup2,
            no_xdev: cgroup2,
            require: Some(root.fs),
            ..Policy::beneath(&root)
        };
        Ok(Dir::from_root(path, root.fd, policy))
    }

    /// Open the root of a filesystem of type `expected` with the strictest policy:
    /// no symlinks and no mounts anywhere beneath it. For kernel filesystems that have
    /// neither, such as resctrl (`/sys/fs/resctrl`, [`FsType::Resctrl`]).
    ///
    /// The path itself is trusted (a well-known mount point, or one from mountinfo)
    /// and is opened with `openat(AT_FDCWD, path, O_PATH|O_DIRECTORY|O_CLOEXEC)`,
    /// following symlinks on the way to it; then fstatfs(2) must report the magic of
    /// `expected` (types are compared by magic, so `FsType::Other(0x7655821)` is
    /// resctrl too). Every lookup beneath the root, and beneath each [`Dir`] opened
    /// from it, resolves with `RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
    /// RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS`; the fallback walk applies the same
    /// rules (any symlink is `ELOOP`; a component whose device or mount id differs
    /// from the root's is `EXDEV`). Whatever is opened must have `expected` magic.
    ///
    /// So a symlink is refused with [`ErrorKind::Loop`] even when it points inside the
    /// root, and a mount planted below with [`ErrorKind::Escape`]. [`Dir::exists`]
    /// still reports a final symlink as existing (it is not followed), and
    /// [`Dir::create_dir`] on a symlink's name is `AlreadyExists`.
    ///
    /// Any `expected` type is accepted, but cgroup hierarchies should use
    /// [`Dir::open_cgroup_root`], which accepts either cgroup version and keeps each
    /// version's policy.
    ///
    /// [`ErrorKind::Loop`]: crate::ErrorKind::Loop
    /// [`ErrorKind::Escape`]: crate::ErrorKind::Escape
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongFilesystem`](crate::ErrorKind::WrongFilesystem) if the path is
    /// not on `expected`; `NotFound`, `NotADirectory` or `Os` if it cannot be opened.
    pub fn open_fs_root(path: impl AsRef<Path>, expected: FsType) -> Result<Dir> {
        let path = path.as_ref();
        let root = sys::open_root(path)?;
        if root.fs.magic() != expected.magic() {
            let wanted = fs_name(expected);
            return Err(Error::wrong_fs(path.to_path_buf(), root.fs, &wanted));
        }
        let policy = Policy {
            no_symlinks: true,
            no_xdev: true,
            require: Some(expected),
            ..Policy::beneath(&root)
        };
        Ok(Dir::from_root(path, root.fd, policy))
    }

    fn from_root(path: &Path, fd: OwnedFd, policy: Policy) -> Dir {
        let how = if policy.openat2 {
            "openat2"
        } else {
            "component walk"
        };
        log::debug!(
            "{}: {} root, {how}",
            path.display(),
            fs_name(policy.root_fs)
        );
        Dir {
            fd,
            path: path.to_path_buf(),
            policy,
        }
    }

    /// The display path: the root's path joined with the path of this directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The filesystem type of the root this directory was opened beneath (for cgroup
    /// roots, also this directory's own type: every open is checked against it).
    pub fn fs_type(&self) -> FsType {
        self.policy.root_fs
    }

    /// Whether lookups beneath this directory use openat2 (else the fallback walk).
    pub fn uses_openat2(&self) -> bool {
        self.policy.openat2
    }

    /// Duplicate the handle (`F_DUPFD_CLOEXEC`), keeping path and policy.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Os`](crate::ErrorKind::Os) if the fd cannot be duplicated (`EMFILE`).
    pub fn try_clone(&self) -> Result<Dir> {
        let fd = self.fd.try_clone().map_err(|e| {
            let errno = Errno::from_io_error(&e).unwrap_or(Errno::BADF);
            let call = format!("fcntl({}, F_DUPFD_CLOEXEC)", self.path.display());
            Error::sys("fcntl", call, self.path.clone(), errno)
        })?;
        Ok(Dir {
            fd,
            path: self.path.clone(),
            policy: self.policy,
        })
    }

    /// Open a descendant directory.
    ///
    /// `rel` is relative, with plain `/`-separated components; `""` and `"."` mean this
    /// directory. `..`, empty components (`a//b`), a leading `/` and NUL bytes are
    /// refused before any syscall.
    ///
    /// # Errors
    ///
    /// `InvalidName` for a refused name; `NotFound`, `NotADirectory`, `Escape` (a
    /// symlink or mount leads out), `Loop` (a refused symlink), `WrongFilesystem`.
    pub fn open_dir(&self, rel: &str) -> Result<Dir> {
        let parts = self.check(rel)?;
        let fd = resolve::open(self.start(), rel.as_ref(), Target::Dir)?;
        let mut path = self.path.clone();
        path.extend(parts);
        Ok(Dir {
            fd,
            path,
            policy: self.policy,
        })
    }

    /// Open a descendant directory given as raw components, `names[0]` a child of
    /// this directory, `names[1]` a child of that, and so on; no component means this
    /// directory (a duplicate handle).
    ///
    /// Names need not be UTF-8: this is how a directory found by
    /// [`Dir::sub_dir_names`] is reached. Each component must pass
    /// [`check_os_name`](crate::check_os_name) (no `/`, `.`, `..`, NUL or empty name,
    /// at most 255 bytes); then the components are joined with `/` and resolved as by
    /// [`Dir::open_dir`], under the same policy.
    ///
    /// # Errors
    ///
    /// As [`Dir::open_dir`]; kind `Os` with `ENAMETOOLONG` when the joined path
    /// reaches `PATH_MAX` (4096 bytes): keep the list short and open deep
    /// descendants step by step from a nearer ancestor.
    pub fn open_dir_names<S: AsRef<OsStr>>(&self, names: &[S]) -> Result<Dir> {
        if names.is_empty() {
            return self.try_clone();
        }
        let mut rel = Vec::new();
        for name in names {
            let name = name.as_ref();
            check_os_name(name).map_err(|e| e.with_path(display_join(&self.path, name)))?;
            if !rel.is_empty() {
                rel.push(b'/');
            }
            rel.extend_from_slice(name.as_bytes());
        }
        let rel = OsString::from_vec(rel);
        let fd = resolve::open(self.start(), &rel, Target::Dir)?;
        let mut path = self.path.clone();
        path.extend(names.iter().map(AsRef::as_ref));
        Ok(Dir {
            fd,
            path,
            policy: self.policy,
        })
    }

    /// Open a file beneath this directory (same name rules as [`Dir::open_dir`]).
    ///
    /// The open carries `O_CLOEXEC|O_NOCTTY`; the opened file must be on the root's
    /// filesystem (cgroup roots: cgroup magic).
    ///
    /// # Errors
    ///
    /// As [`Dir::open_dir`], plus the errno of the open (`EACCES`, `EISDIR`, ...).
    pub fn open_file(&self, rel: &str, mode: OpenMode) -> Result<std::fs::File> {
        self.check(rel)?;
        let create = self.policy.create_on_write && mode == OpenMode::Write;
        let target = Target::File {
            flags: mode.oflags(),
            create,
        };
        let fd = resolve::open(self.start(), rel.as_ref(), target)?;
        Ok(std::fs::File::from(fd))
    }

    /// mkdirat(2) one level below this directory, mode 0o755.
    ///
    /// `Ok(true)` if it was created, `Ok(false)` if a directory of that name existed.
    ///
    /// # Errors
    ///
    /// `InvalidName` unless `name` is one plain component; `AlreadyExists` if the name
    /// exists but is not a directory (a file or a symlink); the errno of mkdirat.
    pub fn create_dir(&self, name: &str) -> Result<bool> {
        self.check_name(name)?;
        let mode = Mode::from_raw_mode(0o755);
        match rustix::fs::mkdirat(&self.fd, name, mode) {
            Ok(()) => Ok(true),
            Err(Errno::EXIST) => self.existing_dir(name).map(|()| false),
            Err(errno) => Err(self.at_error("mkdirat", name, "0755", errno)),
        }
    }

    fn existing_dir(&self, name: &str) -> Result<()> {
        let st = rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| self.at_error("fstatat", name, "AT_SYMLINK_NOFOLLOW", e))?;
        if FileType::from_raw_mode(st.st_mode) == FileType::Directory {
            return Ok(());
        }
        Err(self.at_error("mkdirat", name, "0755", Errno::EXIST))
    }

    /// unlinkat(2) with `AT_REMOVEDIR` of a direct child directory.
    ///
    /// `name` is a raw name (`&str` works too): a child found by
    /// [`Dir::sub_dir_names`] that is not UTF-8 can be removed.
    ///
    /// # Errors
    ///
    /// `InvalidName` unless `name` is one plain component ([`check_os_name`]);
    /// otherwise the errno is kept ([`Error::errno`]): `EBUSY` for a cgroup with
    /// processes or children, `ENOENT` (kind `NotFound`) if it is already gone.
    ///
    /// [`check_os_name`]: crate::check_os_name
    pub fn remove_dir(&self, name: impl AsRef<OsStr>) -> Result<()> {
        let name = name.as_ref();
        check_os_name(name).map_err(|e| e.with_path(display_join(&self.path, name)))?;
        let shown = name.to_string_lossy();
        rustix::fs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR)
            .map_err(|e| self.at_error("unlinkat", &shown, "AT_REMOVEDIR", e))
    }

    /// Names of the direct child directories (symlinks are not followed and not
    /// listed), without `.` and `..`, in directory order, as text.
    ///
    /// For display. Code that walks a tree must use [`Dir::sub_dir_names`]: the kernel
    /// allows any byte but `/` and NUL in a name, and a walk that stopped at a name
    /// it cannot spell would let anyone who can create a directory hide a subtree.
    ///
    /// # Errors
    ///
    /// The errno of opening or reading the directory; `InvalidName` if a child's name
    /// is not UTF-8 (the message says how to reach it).
    pub fn sub_dirs(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for name in self.sub_dir_names()? {
            match name.into_string() {
                Ok(text) => out.push(text),
                Err(raw) => return Err(Error::name_not_utf8(&self.path, &raw)),
            }
        }
        Ok(out)
    }

    /// Raw names of the direct child directories (symlinks are not followed and not
    /// listed), without `.` and `..`, in directory order. Any name the kernel allows
    /// is returned as it is; open such a child with [`Dir::open_dir_names`] and
    /// remove it with [`Dir::remove_dir`].
    ///
    /// The directory is read through a temporary `O_RDONLY|O_DIRECTORY|O_CLOEXEC` fd,
    /// closed before this returns.
    ///
    /// # Errors
    ///
    /// The errno of opening or reading the directory.
    pub fn sub_dir_names(&self) -> Result<Vec<OsString>> {
        let children = self.children()?;
        let dirs = children
            .into_iter()
            .filter(|(_, kind)| *kind == FileType::Directory);
        Ok(dirs.map(|(name, _)| name).collect())
    }

    /// Every direct child (not followed) with its type, without `.` and `..`, in
    /// directory order; a child that vanished while listing is left out.
    fn children(&self) -> Result<Vec<(OsString, FileType)>> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&self.fd, ".", flags, Mode::empty())
            .map_err(|e| self.at_error("openat", ".", "O_RDONLY|O_DIRECTORY|O_CLOEXEC", e))?;
        let entries =
            rustix::fs::Dir::new(fd).map_err(|e| self.at_error("getdents64", ".", "", e))?;
        let mut children = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| self.at_error("getdents64", ".", "", e))?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let name = OsStr::from_bytes(name);
            if let Some(kind) = self.child_kind(name, entry.file_type())? {
                children.push((name.to_owned(), kind));
            }
        }
        Ok(children)
    }

    /// The type getdents64 reported, or fstatat's where it said `DT_UNKNOWN`; `None`
    /// if the child is gone.
    fn child_kind(&self, name: &OsStr, kind: FileType) -> Result<Option<FileType>> {
        if kind != FileType::Unknown {
            return Ok(Some(kind));
        }
        match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some(FileType::from_raw_mode(st.st_mode))),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => {
                let shown = name.to_string_lossy();
                Err(self.at_error("fstatat", &shown, "AT_SYMLINK_NOFOLLOW", e))
            }
        }
    }

    /// Whether `rel` exists beneath this directory (a final symlink counts as
    /// existing and is not followed).
    ///
    /// # Errors
    ///
    /// `InvalidName` for a refused name; any failure other than `ENOENT`.
    pub fn exists(&self, rel: &str) -> Result<bool> {
        self.check(rel)?;
        match resolve::open(self.start(), rel.as_ref(), Target::PathNoFollow) {
            Ok(_) => Ok(true),
            Err(e) if e.errno() == Some(Errno::NOENT.raw_os_error()) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn start(&self) -> crate::walk::Start<'_> {
        resolve::start(&self.fd, &self.path, &self.policy)
    }

    fn check<'a>(&self, rel: &'a str) -> Result<Vec<&'a str>> {
        check_rel_path(rel).map_err(|e| e.with_path(display_join(&self.path, rel)))
    }

    fn check_name(&self, name: &str) -> Result<()> {
        check_file_name(name).map_err(|e| e.with_path(display_join(&self.path, name)))
    }

    fn at_error(&self, op: &'static str, name: &str, flags: &str, errno: Errno) -> Error {
        let call = if flags.is_empty() {
            format!("{op}({}, {name:?})", self.path.display())
        } else {
            format!("{op}({}, {name:?}, {flags})", self.path.display())
        };
        Error::sys(op, call, display_join(&self.path, name), errno)
    }
}

impl AsFd for Dir {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
