//! Host device discovery (feature `host`): the block and character devices under
//! `/dev`, as a runtime lists them to pass "all host devices" to a privileged
//! container.
//!
//! The walk never follows a symlink: directories are opened through `pathsafe`
//! ([`pathsafe::Rootfs`] at the top directory, so nothing can lead out of it), each
//! entry is looked at with `fstatat(AT_SYMLINK_NOFOLLOW)` relative to the directory
//! fd, and a directory is entered only if the opened one is the inode that stat
//! saw (a directory swapped for a symlink meanwhile is skipped). Device nodes are
//! never opened. Like the reference, it skips the directories `pts`, `shm`, `fd`,
//! `mqueue`, `.lxc`, `.lxd-mounts` and `.udev` and entries named `console` (the
//! container gets its own), and leaves out FIFOs, sockets, symlinks and regular
//! files.

use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use pathsafe::{OpenMode, Rootfs};
use rustix::fs::{AtFlags, FileType};
use rustix::io::Errno;

use crate::access::Access;
use crate::error::{Error, Result};
use crate::rule::{DeviceType, Rule};

/// Directories that hold no host devices for a container.
const SKIPPED_DIRS: [&str; 7] = ["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"];
/// Deepest directory level entered below the top (`/dev` is a few levels deep).
const MAX_DEPTH: usize = 16;

/// A block or character device node.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Device {
    /// Where the node is (the directory walked, joined with the node's path in it).
    pub path: PathBuf,
    /// [`DeviceType::Block`] or [`DeviceType::Char`].
    pub kind: DeviceType,
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
    /// Permission bits of the node (`st_mode & 0o7777`).
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
}

impl Device {
    /// The cgroup rule for exactly this device.
    pub fn rule(&self, access: Access, allow: bool) -> Rule {
        Rule {
            kind: self.kind,
            major: Some(self.major),
            minor: Some(self.minor),
            access,
            allow,
        }
    }
}

/// The block and character devices under `/dev`.
///
/// # Errors
///
/// As [`devices_in`].
pub fn host_devices() -> Result<Vec<Device>> {
    devices_in("/dev")
}

/// The block and character devices in the tree at `dir` (see the
/// [module page](self) for what is skipped), sorted by path.
///
/// # Errors
///
/// [`ErrorKind::Os`](crate::ErrorKind::Os) with the path when a directory cannot be
/// opened or read, or an entry cannot be looked at (an entry that vanished during
/// the walk is left out).
pub fn devices_in(dir: impl AsRef<Path>) -> Result<Vec<Device>> {
    let top = dir.as_ref();
    let root = Rootfs::open(top).map_err(|e| pathsafe_error(&e, top))?;
    let mut found = Vec::new();
    // (path inside the top directory, depth, the (device, inode) stat saw)
    let mut pending = vec![(String::new(), 0usize, None)];
    while let Some((rel, depth, seen)) = pending.pop() {
        let shown = top.join(&rel);
        let Some(dir) = open_dir(&root, &rel, &shown, seen)? else {
            continue;
        };
        for (name, kind) in entries(&dir, &shown)? {
            if name.as_bytes() == b"console" {
                continue;
            }
            let stat = match rustix::fs::statat(&dir, name.as_bytes(), AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => stat,
                Err(Errno::NOENT) => continue,
                Err(e) => return Err(os_error("fstatat", e, &shown.join(&name))),
            };
            let file_type = match kind {
                FileType::Unknown => FileType::from_raw_mode(stat.st_mode),
                known => known,
            };
            let kind = match file_type {
                FileType::BlockDevice => DeviceType::Block,
                FileType::CharacterDevice => DeviceType::Char,
                FileType::Directory => {
                    let skipped = SKIPPED_DIRS.iter().any(|s| s.as_bytes() == name.as_bytes());
                    if let (false, true, Some(name)) = (skipped, depth < MAX_DEPTH, name.to_str()) {
                        let rel = if rel.is_empty() {
                            name.to_owned()
                        } else {
                            format!("{rel}/{name}")
                        };
                        pending.push((rel, depth + 1, Some((stat.st_dev, stat.st_ino))));
                    }
                    continue;
                }
                _ => continue,
            };
            found.push(Device {
                path: shown.join(&name),
                kind,
                major: rustix::fs::major(stat.st_rdev),
                minor: rustix::fs::minor(stat.st_rdev),
                mode: stat.st_mode & 0o7777,
                uid: stat.st_uid,
                gid: stat.st_gid,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// Opens the directory `rel` (`""` = the top) for reading; `None` when it vanished
/// or was replaced by something that is not the directory we saw (`seen`: its
/// device and inode).
fn open_dir(
    root: &Rootfs,
    rel: &str,
    shown: &Path,
    seen: Option<(u64, u64)>,
) -> Result<Option<OwnedFd>> {
    let path = if rel.is_empty() { "/" } else { rel };
    let file = match root.open_file(path, OpenMode::Read) {
        Ok(file) => file,
        Err(e) if e.kind() == pathsafe::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(pathsafe_error(&e, shown)),
    };
    let fd = OwnedFd::from(file);
    let stat = rustix::fs::fstat(&fd).map_err(|e| os_error("fstat", e, shown))?;
    let is_dir = FileType::from_raw_mode(stat.st_mode) == FileType::Directory;
    if !is_dir || seen.is_some_and(|s| s != (stat.st_dev, stat.st_ino)) {
        log::debug!("{} changed during the walk; skipped", shown.display());
        return Ok(None);
    }
    Ok(Some(fd))
}

/// The entries of an open directory with the type getdents reported.
fn entries(dir: &OwnedFd, shown: &Path) -> Result<Vec<(std::ffi::OsString, FileType)>> {
    let reader = dir.as_fd().try_clone_to_owned().map_err(|e| {
        let errno = Errno::from_io_error(&e).unwrap_or(Errno::IO);
        os_error("fcntl(F_DUPFD_CLOEXEC)", errno, shown)
    })?;
    let listing = rustix::fs::Dir::new(reader).map_err(|e| os_error("getdents64", e, shown))?;
    let mut out = Vec::new();
    for entry in listing {
        let entry = entry.map_err(|e| os_error("getdents64", e, shown))?;
        let name = entry.file_name().to_bytes();
        if name == b"." || name == b".." {
            continue;
        }
        let name = std::ffi::OsStr::from_bytes(name).to_os_string();
        out.push((name, entry.file_type()));
    }
    Ok(out)
}

fn os_error(call: &str, errno: Errno, path: &Path) -> Error {
    Error::os(call, errno.raw_os_error(), "cannot list the devices").with_path(path)
}

/// pathsafe's error, kept as message and errno (its type never leaves this crate).
fn pathsafe_error(err: &pathsafe::Error, path: &Path) -> Error {
    let errno = err.errno().unwrap_or(0);
    Error::os(err.op(), errno, format!("cannot open the directory: {err}")).with_path(path)
}
