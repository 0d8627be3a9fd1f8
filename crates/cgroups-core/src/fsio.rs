//! Cgroup file I/O on top of `pathsafe`: every open is fd-based and beneath a
//! verified hierarchy root.
//!
//! A [`CgroupDir`] is a directory handle (`O_PATH | O_CLOEXEC`) whose hierarchy root
//! was checked to be cgroupfs (`fstatfs(2)` magic) when it was opened. Files and
//! child cgroups are opened beneath it with `openat2(2)` (`RESOLVE_BENEATH`, and on
//! cgroup2 also `RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS`) or pathsafe's fallback, so a
//! hostile name can never leave the hierarchy. File names must be plain names;
//! cgroup paths are plain components separated by `/` (see
//! [`CgroupPath`](crate::CgroupPath)).
//!
//! Writes follow the kernel's rules: one `write(2)` per value (a cgroup file parses
//! each write on its own), `EINTR` retried, and files such as `io.max` written one
//! line per `write(2)` ([`CgroupDir::write_lines`]).

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rustix::io::Errno;

use crate::error::{from_io, from_pathsafe};
use crate::retry::{MAX_EINTR_IN_A_ROW, add_pid_with_retries};
use crate::values::{parse_limit, parse_pid_list, write_error};
use crate::walk::{for_each_descendant, remove_entry};
use crate::{CgroupPath, Error, ErrorKind, Limit, Result};

/// How a cgroup file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read only.
    Read,
    /// Write only.
    Write,
    /// Read and write (`cgroup.freeze`, `io.bfq.weight`).
    ReadWrite,
}

/// Options of a test tree (a fake cgroup hierarchy in a temp dir).
#[cfg(feature = "test-fixtures")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TestTree {
    /// Refuse the tree unless it is on cgroupfs (keep the real check).
    pub require_cgroupfs: bool,
    /// Writes create missing files (the kernel would have provided them).
    pub create_on_write: bool,
}

/// An open cgroup directory: a handle beneath a verified hierarchy root.
#[derive(Debug)]
pub struct CgroupDir {
    pub(crate) dir: pathsafe::Dir,
}

impl CgroupDir {
    /// Opens a hierarchy root (mount point); refuses anything that is not cgroupfs.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotCgroupfs`] when `path` is not on a cgroup v1 or v2 filesystem,
    /// [`ErrorKind::NotFound`] when it does not exist.
    pub fn open_root(path: impl AsRef<Path>) -> Result<CgroupDir> {
        let dir = pathsafe::Dir::open_cgroup_root(path).map_err(from_pathsafe)?;
        Ok(CgroupDir { dir })
    }

    /// Opens a fake hierarchy root for tests.
    #[cfg(feature = "test-fixtures")]
    pub fn open_test_root(path: impl AsRef<Path>, tree: TestTree) -> Result<CgroupDir> {
        let opts = pathsafe::TestRoot {
            require_cgroupfs: tree.require_cgroupfs,
            create_on_write: tree.create_on_write,
            ..Default::default()
        };
        let dir = pathsafe::Dir::open_test_root(path, opts).map_err(from_pathsafe)?;
        Ok(CgroupDir { dir })
    }

    /// The directory, for messages.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Whether this directory is in a cgroup2 hierarchy.
    pub fn is_cgroup2(&self) -> bool {
        self.dir.fs_type() == pathsafe::FsType::Cgroup2
    }

    /// Another handle to the same directory.
    pub fn try_clone(&self) -> Result<CgroupDir> {
        let dir = self.dir.try_clone().map_err(from_pathsafe)?;
        Ok(CgroupDir { dir })
    }

    /// Opens a descendant cgroup (`rel`: relative plain components, `""` = self).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPath`] for `..`, `.`, empty components or a leading `/`;
    /// [`ErrorKind::NotFound`] when the cgroup does not exist.
    pub fn open_child(&self, rel: &str) -> Result<CgroupDir> {
        if rel.is_empty() {
            return self.try_clone();
        }
        check_rel(rel)?;
        let dir = self.dir.open_dir(rel).map_err(from_pathsafe)?;
        Ok(CgroupDir { dir })
    }

    /// Opens the direct child cgroup `name`, given as a raw name such as
    /// [`child_names`](Self::child_names) returns (it need not be UTF-8).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPath`] unless `name` is one plain component (no `/`, `.`,
    /// `..`, NUL or empty name, at most 255 bytes); [`ErrorKind::NotFound`] when the
    /// cgroup does not exist.
    pub fn open_child_name(&self, name: &OsStr) -> Result<CgroupDir> {
        let dir = self.dir.open_dir_names(&[name]).map_err(from_pathsafe)?;
        Ok(CgroupDir { dir })
    }

    /// Creates every missing level of `rel` below this directory and opens the last.
    /// Returns the handle and the relative paths of the levels it created (outermost
    /// first), so a failing caller can remove exactly those.
    ///
    /// If a level cannot be created (the kernel refuses a deeper level: EAGAIN from
    /// `cgroup.max.depth`, ENOSPC, EPERM), the levels this call created are removed
    /// again before the error is returned: the outermost created level with its
    /// subtree, by the fd-bounded walk of [`remove_tree`](Self::remove_tree).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPath`] for a hostile `rel` or one longer than
    /// [`CgroupPath::MAX_LEN`] bytes (nothing is created: such a cgroup could be made
    /// level by level but no tool could open it by path).
    pub fn create_child_all(&self, rel: &str) -> Result<(CgroupDir, Vec<String>)> {
        if rel.len() > CgroupPath::MAX_LEN {
            return Err(Error::new(
                ErrorKind::InvalidPath,
                format!(
                    "refusing to create a cgroup path of {} bytes (at most {})",
                    rel.len(),
                    CgroupPath::MAX_LEN
                ),
            )
            .with_path(self.path())
            .with_hint("use a shorter cgroup path"));
        }
        let components = check_rel(rel)?;
        let mut current = self.try_clone()?;
        let mut created = Vec::new();
        let mut so_far = String::new();
        for name in components {
            if !so_far.is_empty() {
                so_far.push('/');
            }
            so_far.push_str(name);
            match current.create_and_open(name) {
                Ok((next, was_created)) => {
                    if was_created {
                        created.push(so_far.clone());
                    }
                    current = next;
                }
                Err(err) => {
                    self.undo_created(&created);
                    return Err(err);
                }
            }
        }
        Ok((current, created))
    }

    fn create_and_open(&self, name: &str) -> Result<(CgroupDir, bool)> {
        let created = match self.dir.create_dir(name) {
            Ok(created) => created,
            Err(err) if err.kind() == pathsafe::ErrorKind::AlreadyExists => false,
            Err(err) => return Err(from_pathsafe(err)),
        };
        let dir = self.dir.open_dir(name).map_err(from_pathsafe)?;
        Ok((CgroupDir { dir }, created))
    }

    /// Removes what a failed [`create_child_all`](Self::create_child_all) made:
    /// every created level is below the first one, so that one goes with its
    /// subtree.
    fn undo_created(&self, created: &[String]) {
        let Some(outermost) = created.first() else {
            return;
        };
        if let Err(err) = self.remove_tree(outermost) {
            log::warn!("could not remove {outermost} after a failed create: {err}");
        }
    }

    /// Whether `rel` (file or directory) exists below this directory. Names refused
    /// by the name policy do not exist.
    pub fn exists(&self, rel: &str) -> bool {
        self.dir.exists(rel).unwrap_or(false)
    }

    /// Opens a file of this cgroup (`file` must be a plain file name).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPath`] when `file` is not one plain name,
    /// [`ErrorKind::NotFound`] when the file does not exist (controller not enabled,
    /// kernel too old).
    pub fn open_file(&self, file: &str, access: Access) -> Result<File> {
        pathsafe::check_file_name(file).map_err(from_pathsafe)?;
        let mode = match access {
            Access::Read => pathsafe::OpenMode::Read,
            Access::Write => pathsafe::OpenMode::Write,
            Access::ReadWrite => pathsafe::OpenMode::ReadWrite,
        };
        self.dir.open_file(file, mode).map_err(from_pathsafe)
    }

    /// The display path of `file` in this cgroup.
    fn file_path(&self, file: &str) -> PathBuf {
        self.path().join(file)
    }

    /// Reads a whole file.
    pub fn read(&self, file: &str) -> Result<String> {
        let mut f = self.open_file(file, Access::Read)?;
        let mut text = String::new();
        f.read_to_string(&mut text)
            .map_err(|e| from_io("read", self.file_path(file), &e))?;
        Ok(text)
    }

    /// Reads a whole file; `Ok(None)` when it does not exist.
    pub fn read_optional(&self, file: &str) -> Result<Option<String>> {
        match self.read(file) {
            Ok(text) => Ok(Some(text)),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Reads a file holding one unsigned number (`max` is refused: use
    /// [`read_limit`](Self::read_limit)).
    pub fn read_u64(&self, file: &str) -> Result<u64> {
        let text = self.read(file)?;
        let value = text.trim();
        value.parse::<u64>().map_err(|_| {
            Error::new(ErrorKind::Parse, "expected one unsigned number")
                .with_path(self.file_path(file))
                .with_value(value)
        })
    }

    /// Reads a file holding a number or `max`.
    ///
    /// "Unlimited" is [`Limit::Max`] in every spelling the kernel uses: `max` (v2,
    /// `pids.max`), `-1` (v1 `cpu.cfs_quota_us`, `cpu.rt_runtime_us`) and the v1
    /// page-rounded maximum such as `9223372036854771712` (any value at or above
    /// 2^63 − 2^16, whatever the page size; C14).
    pub fn read_limit(&self, file: &str) -> Result<Limit> {
        let text = self.read(file)?;
        parse_limit(text.trim()).ok_or_else(|| {
            Error::new(ErrorKind::Parse, "expected a number or \"max\"")
                .with_path(self.file_path(file))
                .with_value(text.trim())
        })
    }

    /// Writes `value` with one `write(2)` (EINTR retried). The error names the file,
    /// the value and the errno.
    ///
    /// An empty value is refused ([`ErrorKind::InvalidValue`]): several cgroup files
    /// read an empty write as `0` (C19), so "nothing to set" must be expressed by not
    /// writing.
    pub fn write(&self, file: &str, value: &str) -> Result<()> {
        let mut f = self.open_for_write(file, value)?;
        self.write_once(&mut f, file, value)
    }

    /// Writes `value` one line per `write(2)`, as files such as `io.max`,
    /// `blkio.throttle.*` and `net_prio.ifpriomap` require. No empty trailing write.
    pub fn write_lines(&self, file: &str, value: &str) -> Result<()> {
        let mut f = self.open_for_write(file, value)?;
        for line in value.split_inclusive('\n') {
            self.write_once(&mut f, file, line)?;
        }
        Ok(())
    }

    fn open_for_write(&self, file: &str, value: &str) -> Result<File> {
        if value.is_empty() {
            return Err(
                Error::new(ErrorKind::InvalidValue, "refusing to write an empty value")
                    .with_path(self.file_path(file))
                    .with_value(value)
                    .with_hint(
                        "the kernel may read an empty write as 0; to keep a value, skip the write",
                    ),
            );
        }
        self.open_file(file, Access::Write)
    }

    fn write_once(&self, f: &mut File, file: &str, value: &str) -> Result<()> {
        let mut eintr = 0;
        loop {
            match f.write(value.as_bytes()) {
                Ok(n) if n == value.len() => return Ok(()),
                Ok(n) => {
                    let msg = format!("short write: {n} of {} bytes taken", value.len());
                    return Err(Error::new(ErrorKind::Io, msg)
                        .with_path(self.file_path(file))
                        .with_value(value));
                }
                Err(e)
                    if e.kind() == std::io::ErrorKind::Interrupted
                        && eintr < MAX_EINTR_IN_A_ROW =>
                {
                    eintr += 1;
                }
                Err(e) => return Err(write_error(self.file_path(file), value, &e)),
            }
        }
    }

    /// Moves `pid` into this cgroup (`cgroup.procs`), retrying EINVAL (a task still
    /// being created) a few times: 5 attempts, 30 ms apart.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] for pid 0: the kernel reads `0` as "the writing
    /// process", which would move the caller; pass [`std::process::id`] to do that
    /// deliberately. [`ErrorKind::NotFound`] (errno `ESRCH`) when no process has
    /// this pid.
    pub fn add_pid(&self, pid: u32) -> Result<()> {
        const FILE: &str = "cgroup.procs";
        if pid == 0 {
            return Err(
                Error::new(ErrorKind::InvalidValue, "refusing to move pid 0")
                    .with_path(self.file_path(FILE))
                    .with_value("0")
                    .with_hint("pid 0 means the calling process; pass its real pid"),
            );
        }
        let value = pid.to_string();
        let mut f = self.open_file(FILE, Access::Write)?;
        let written =
            add_pid_with_retries(|| self.write_once(&mut f, FILE, &value), std::thread::sleep);
        match written {
            Err(err) if err.errno() == Some(Errno::SRCH.raw_os_error()) => Err(Error::new(
                ErrorKind::NotFound,
                format!("cannot move process {pid}: no such process (ESRCH)"),
            )
            .with_path(self.file_path(FILE))
            .with_value(value)
            .with_errno(Errno::SRCH.raw_os_error())
            .with_hint("the process exited, or its pid is not visible in this pid namespace")
            .with_source(err)),
            other => other,
        }
    }

    /// Processes of this cgroup (`cgroup.procs`; on a threaded cgroup where that gives
    /// EOPNOTSUPP, `cgroup.threads`).
    pub fn pids(&self) -> Result<Vec<u32>> {
        match self.read_pid_file("cgroup.procs") {
            Err(err) if err.errno() == Some(Errno::OPNOTSUPP.raw_os_error()) => {
                self.read_pid_file("cgroup.threads")
            }
            other => other,
        }
    }

    /// Threads of this cgroup (`cgroup.threads` on v2, `tasks` on v1).
    pub fn threads(&self) -> Result<Vec<u32>> {
        let file = match self.dir.fs_type() {
            pathsafe::FsType::Cgroup2 => "cgroup.threads",
            pathsafe::FsType::Cgroup1 => "tasks",
            // A test tree: whichever the fake hierarchy provides.
            _ if self.exists("tasks") => "tasks",
            _ => "cgroup.threads",
        };
        self.read_pid_file(file)
    }

    fn read_pid_file(&self, file: &str) -> Result<Vec<u32>> {
        let text = self.read(file)?;
        parse_pid_list(&text).map_err(|(line_no, line)| {
            Error::new(
                ErrorKind::Parse,
                format!("line {line_no} is not a process id"),
            )
            .with_path(self.file_path(file))
            .with_value(line)
        })
    }

    /// Processes of this cgroup and every descendant; descendants that vanish during
    /// the walk (ENOENT, ENODEV) are skipped. Errors on this cgroup itself are not.
    ///
    /// Any name the kernel allows is walked (names need not be UTF-8), and the walk
    /// holds a small, fixed number of fds however wide or deep the tree is.
    pub fn all_pids(&self) -> Result<Vec<u32>> {
        let mut out = self.pids()?;
        for_each_descendant(self, |child| {
            out.extend(child.pids()?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Threads of this cgroup and every descendant (`tasks` on v1,
    /// `cgroup.threads` on v2), walked as [`all_pids`](Self::all_pids).
    pub fn all_threads(&self) -> Result<Vec<u32>> {
        let mut out = self.threads()?;
        for_each_descendant(self, |child| {
            out.extend(child.threads()?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Names of the direct child cgroups, as text: for display.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPath`] when a child's name is not UTF-8 (which the kernel
    /// allows): code that must see every child uses
    /// [`child_names`](Self::child_names).
    pub fn children(&self) -> Result<Vec<String>> {
        self.dir.sub_dirs().map_err(from_pathsafe)
    }

    /// Raw names of the direct child cgroups (any name the kernel allows); open one
    /// with [`open_child_name`](Self::open_child_name).
    pub fn child_names(&self) -> Result<Vec<OsString>> {
        self.dir.sub_dir_names().map_err(from_pathsafe)
    }

    /// Removes the descendant `rel` and everything below it, depth first; EBUSY is
    /// retried with a doubling back-off (about one second in all), EINTR at once, and
    /// a missing directory is success (C23).
    ///
    /// `rmdir(2)` is tried first; only if it fails is the directory listed and its
    /// children removed. Sub-cgroups of any name (not only UTF-8) are removed, and
    /// the walk holds a small, fixed number of fds whatever the tree's shape. A directory that cannot be listed because it does not exist
    /// counts as removed, which also covers `EROFS` from a read-only cgroupfs for a
    /// cgroup that was never created.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPath`] for `""` (a handle cannot remove itself: open the
    /// parent) or a hostile `rel`; [`ErrorKind::Busy`] when a cgroup still has
    /// processes after the retry budget.
    pub fn remove_tree(&self, rel: &str) -> Result<()> {
        let components = check_rel(rel)?;
        let Some((name, parents)) = components.split_last() else {
            return Err(
                Error::new(ErrorKind::InvalidPath, "remove_tree needs a descendant")
                    .with_path(self.path())
                    .with_hint("open the parent cgroup and remove the child by name"),
            );
        };
        let parent = match self.open_child(&parents.join("/")) {
            Ok(parent) => parent,
            Err(err) if err.is_not_found() => return Ok(()),
            Err(err) => return Err(err),
        };
        remove_entry(&parent, OsStr::new(name))
    }
}

/// Checks a relative cgroup path and splits it into its components.
fn check_rel(rel: &str) -> Result<Vec<&str>> {
    if rel.is_empty() {
        return Ok(Vec::new());
    }
    pathsafe::check_rel_path(rel).map_err(from_pathsafe)
}

#[cfg(all(test, feature = "test-fixtures"))]
#[path = "fsio_tree_tests.rs"]
mod tree_tests;
