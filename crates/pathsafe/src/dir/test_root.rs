//! Test-only (feature `test-fixtures`): [`Dir`] roots on fake trees in temp dirs, and
//! the file removal and listing that emulating a kernel filesystem there needs.

use std::path::Path;

use rustix::fs::{AtFlags, FileType};

use super::Dir;
use crate::policy::Policy;
use crate::{Error, FsType, Result, sys};

/// The policy of a test root (see [`Dir::open_test_root`]).
///
/// Build it with `..TestRoot::default()` so that new options keep their defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct TestRoot {
    /// Refuse the root unless it is cgroupfs, and check every open against it, exactly
    /// like [`Dir::open_cgroup_root`]. With `false`, no filesystem check anywhere.
    pub require_cgroupfs: bool,
    /// [`OpenMode::Write`](crate::OpenMode::Write) opens add `O_CREAT|O_TRUNC` (mode
    /// 0o600), as a fake tree needs where the kernel would have provided the file.
    pub create_on_write: bool,
    /// Refuse every symlink beneath the root (`RESOLVE_NO_SYMLINKS`, `ELOOP`), as
    /// [`Dir::open_fs_root`] and cgroup2 roots do. A fake tree of such a root sets it
    /// so that planted symlinks meet the production policy.
    pub no_symlinks: bool,
    /// Refuse crossing into another mount (`RESOLVE_NO_XDEV`, `EXDEV`), as
    /// [`Dir::open_fs_root`] and cgroup2 roots do.
    pub no_xdev: bool,
}

impl Dir {
    /// Test-only: open any directory as a root, for fake trees in temp dirs.
    ///
    /// With `opts.require_cgroupfs` the root must be cgroupfs as for
    /// [`Dir::open_cgroup_root`]; without, nothing is checked against the filesystem
    /// type. The resolution rules are those of a real root on the same filesystem
    /// (cgroup2 adds `NO_SYMLINKS` and `NO_XDEV`), plus what `opts` asks for.
    ///
    /// # Errors
    ///
    /// As [`Dir::open_cgroup_root`].
    pub fn open_test_root(path: impl AsRef<Path>, opts: TestRoot) -> Result<Dir> {
        let path = path.as_ref();
        let root = sys::open_root(path)?;
        if opts.require_cgroupfs && !root.fs.is_cgroup() {
            let wanted = "cgroupfs (cgroup v1 or cgroup2)";
            return Err(Error::wrong_fs(path.to_path_buf(), root.fs, wanted));
        }
        let cgroup2 = root.fs == FsType::Cgroup2;
        let policy = Policy {
            no_symlinks: cgroup2 || opts.no_symlinks,
            no_xdev: cgroup2 || opts.no_xdev,
            require: opts.require_cgroupfs.then_some(root.fs),
            create_on_write: opts.create_on_write,
            ..Policy::beneath(&root)
        };
        Ok(Dir::from_root(path, root.fd, policy))
    }

    /// Test-only: unlinkat(2) of a direct child that is not a directory (a symlink is
    /// removed itself, never followed).
    ///
    /// # Errors
    ///
    /// `InvalidName` unless `name` is one plain component; `NotFound`; `EISDIR` for a
    /// directory (use [`Dir::remove_dir`]).
    pub fn remove_file(&self, name: &str) -> Result<()> {
        self.check_name(name)?;
        rustix::fs::unlinkat(&self.fd, name, AtFlags::empty())
            .map_err(|e| self.at_error("unlinkat", name, "0", e))
    }

    /// Test-only: names of the direct children that are not directories (files,
    /// symlinks, ...), in directory order: with [`Dir::sub_dirs`], everything in it.
    ///
    /// # Errors
    ///
    /// As [`Dir::sub_dirs`].
    pub fn file_names(&self) -> Result<Vec<String>> {
        let children = self.children()?;
        let files = children
            .into_iter()
            .filter(|(_, kind)| *kind != FileType::Directory);
        let mut out = Vec::new();
        for (name, _) in files {
            match name.into_string() {
                Ok(text) => out.push(text),
                Err(raw) => return Err(Error::name_not_utf8(self.path(), &raw)),
            }
        }
        Ok(out)
    }
}
