//! The resctrl root handle and the few file operations this crate needs, all through
//! `pathsafe` beneath that root.

use std::io::{Read, Write};
use std::path::Path;

use pathsafe::{Dir, FsType, OpenMode};
use rustix::fs::{AtFlags, FileType};
use rustix::io::Errno;

use crate::error::{Error, ErrorKind, Result, from_pathsafe};

/// `RDTGROUP_SUPER_MAGIC`: the `f_type` of the resctrl filesystem.
pub(crate) const RDTGROUP_SUPER_MAGIC: i64 = 0x0765_5821;

/// The largest kernel file this crate reads (schemata of a machine with many
/// domains are a few KiB).
const MAX_READ: u64 = 1 << 20;

/// A directory handle on the resctrl root, and whether it is a test tree.
#[derive(Debug)]
pub(crate) struct Root {
    pub(crate) dir: Dir,
    /// A fake tree on an ordinary filesystem: mkdir and rmdir of groups emulate
    /// kernfs (see `fake.rs`).
    pub(crate) fake: bool,
}

impl Root {
    /// Open `path`, which must be the resctrl filesystem.
    pub(crate) fn open(path: &Path) -> Result<Root> {
        precheck_magic(path)?;
        let dir = open_dir_root(path)?;
        let fs = FsType::of(&dir).map_err(|e| from_pathsafe(&e))?;
        if fs != FsType::Other(RDTGROUP_SUPER_MAGIC) {
            return Err(wrong_fs(path, fs));
        }
        Ok(Root { dir, fake: false })
    }

    /// Test-only: any directory, not checked, with kernfs emulation.
    #[cfg(feature = "test-fixtures")]
    pub(crate) fn open_fake(path: &Path) -> Result<Root> {
        let opts = pathsafe::TestRoot {
            require_cgroupfs: false,
            create_on_write: true,
        };
        let dir = Dir::open_test_root(path, opts).map_err(|e| from_pathsafe(&e))?;
        Ok(Root { dir, fake: true })
    }

    pub(crate) fn try_clone(&self) -> Result<Root> {
        let dir = self.dir.try_clone().map_err(|e| from_pathsafe(&e))?;
        Ok(Root {
            dir,
            fake: self.fake,
        })
    }

    /// `info/last_cmd_status`, when readable: the kernel's reason for the last
    /// refused resctrl command of any process.
    pub(crate) fn last_cmd_status(&self) -> Option<String> {
        read_text(&self.dir, "info/last_cmd_status").ok()
    }

    /// Write `data` to `dir/name` in one write(2), refusing a symlinked `name`. On
    /// failure the error carries `info/last_cmd_status`.
    pub(crate) fn write_once(&self, dir: &Dir, name: &str, data: &str) -> Result<()> {
        let path = dir.path().join(name);
        let fail = |e: Error| {
            e.with_value(data)
                .with_last_cmd_status(self.last_cmd_status())
        };
        refuse_symlink(dir, name)?;
        let mut file = dir
            .open_file(name, OpenMode::Write)
            .map_err(|e| fail(from_pathsafe(&e)))?;
        loop {
            match file.write(data.as_bytes()) {
                Ok(n) if n == data.len() => return Ok(()),
                Ok(n) => {
                    let msg = format!(
                        "write {:?} to {}: short write of {n} bytes",
                        data,
                        path.display()
                    );
                    return Err(fail(Error::new(ErrorKind::Io, msg).with_path(path)));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(fail(Error::io(&format!("write {data:?} to"), &path, &e))),
            }
        }
    }
}

/// Open `path` as a directory root without a filesystem check (done by the caller).
#[cfg(feature = "test-fixtures")]
fn open_dir_root(path: &Path) -> Result<Dir> {
    // TODO(pathsafe: a production constructor for a root of a given filesystem magic,
    // e.g. `Dir::open_root_with_magic(path, RDTGROUP_SUPER_MAGIC)` with NO_SYMLINKS and
    // NO_XDEV): until then only builds with `test-fixtures` can open a resctrl root.
    let opts = pathsafe::TestRoot {
        require_cgroupfs: false,
        create_on_write: false,
    };
    Dir::open_test_root(path, opts).map_err(|e| from_pathsafe(&e))
}

/// Open `path` as a directory root without a filesystem check (done by the caller).
#[cfg(not(feature = "test-fixtures"))]
fn open_dir_root(path: &Path) -> Result<Dir> {
    // TODO(pathsafe: a production constructor for a root of a given filesystem magic,
    // e.g. `Dir::open_root_with_magic(path, RDTGROUP_SUPER_MAGIC)`): pathsafe only opens
    // cgroupfs roots outside tests, so a present resctrl cannot be opened yet.
    let msg = format!(
        "{} is resctrl, but this build cannot open it: the path-safety layer has no \
         constructor for resctrl roots yet",
        path.display()
    );
    Err(Error::new(ErrorKind::Io, msg).with_path(path))
}

/// statfs(2) the path before opening it, so that a missing or foreign path is
/// reported as such (the fd is checked again after the open).
fn precheck_magic(path: &Path) -> Result<()> {
    match rustix::fs::statfs(path) {
        // `f_type` is a C long on some targets and an i64 on others.
        #[allow(clippy::useless_conversion)]
        Ok(st) if i64::from(st.f_type) == RDTGROUP_SUPER_MAGIC => Ok(()),
        #[allow(clippy::useless_conversion)]
        Ok(st) => Err(wrong_fs(path, FsType::Other(i64::from(st.f_type)))),
        Err(errno) => {
            let err = std::io::Error::from_raw_os_error(errno.raw_os_error());
            Err(Error::io("statfs", path, &err))
        }
    }
}

fn wrong_fs(path: &Path, found: FsType) -> Error {
    let msg = format!(
        "{} is not the resctrl filesystem (fstatfs says {found:?}, resctrl is \
         RDTGROUP_SUPER_MAGIC 0x7655821); mount it with `mount -t resctrl resctrl {0}`",
        path.display()
    );
    Error::new(ErrorKind::WrongFilesystem, msg).with_path(path)
}

/// Read `dir/rel` as text (at most 1 MiB).
pub(crate) fn read_text(dir: &Dir, rel: &str) -> Result<String> {
    let path = dir.path().join(rel);
    let file = dir
        .open_file(rel, OpenMode::Read)
        .map_err(|e| from_pathsafe(&e))?;
    let mut text = String::new();
    file.take(MAX_READ)
        .read_to_string(&mut text)
        .map_err(|e| Error::io("read", &path, &e))?;
    Ok(text)
}

/// Read `dir/rel` as text, `None` when it does not exist.
pub(crate) fn read_optional(dir: &Dir, rel: &str) -> Result<Option<String>> {
    match read_text(dir, rel) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Refuse `dir/name` if it is a symlink: resctrl has none, so one was planted.
///
/// A missing `name` passes (the open that follows reports it).
pub(crate) fn refuse_symlink(dir: &Dir, name: &str) -> Result<()> {
    pathsafe::check_file_name(name).map_err(|e| from_pathsafe(&e))?;
    match rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::Symlink => {
            let path = dir.path().join(name);
            let msg = format!(
                "{} is a symlink; resctrl has no symlinks, so this tree was tampered with: \
                 refusing to follow it",
                path.display()
            );
            Err(Error::new(ErrorKind::UnsafePath, msg).with_path(path))
        }
        Ok(_) | Err(Errno::NOENT) => Ok(()),
        Err(errno) => {
            let err = std::io::Error::from_raw_os_error(errno.raw_os_error());
            Err(Error::io("fstatat", &dir.path().join(name), &err))
        }
    }
}
