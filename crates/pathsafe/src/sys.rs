//! Small syscall helpers shared by the resolvers: file identity and root opening.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, StatxFlags};
use rustix::io::Errno;

use crate::{Error, FsType, Result};

/// Who a file is: its type, device, inode and (where statx reports it) mount id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId {
    pub(crate) kind: FileType,
    pub(crate) dev: u64,
    pub(crate) ino: u64,
    /// `STATX_MNT_ID` (Linux 5.8); `None` where the kernel does not report it.
    pub(crate) mnt_id: Option<u64>,
}

impl FileId {
    /// Same inode on the same device.
    pub(crate) fn same_file(&self, other: &FileId) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }

    /// On the same device and, where both are known, the same mount.
    pub(crate) fn same_mount(&self, other: &FileId) -> bool {
        let mounts_differ = matches!((self.mnt_id, other.mnt_id), (Some(a), Some(b)) if a != b);
        self.dev == other.dev && !mounts_differ
    }
}

/// statx(fd, "", AT_EMPTY_PATH) (fstat where statx is missing).
pub(crate) fn file_id(fd: BorrowedFd<'_>) -> rustix::io::Result<FileId> {
    let mask = StatxFlags::TYPE | StatxFlags::INO | StatxFlags::MNT_ID;
    match rustix::fs::statx(fd, "", AtFlags::EMPTY_PATH, mask) {
        Ok(st) => {
            let has_mnt = StatxFlags::from_bits_retain(st.stx_mask).contains(StatxFlags::MNT_ID);
            Ok(FileId {
                kind: FileType::from_raw_mode(st.stx_mode.into()),
                dev: rustix::fs::makedev(st.stx_dev_major, st.stx_dev_minor),
                ino: st.stx_ino,
                mnt_id: has_mnt.then_some(st.stx_mnt_id),
            })
        }
        Err(Errno::NOSYS) => {
            let st = rustix::fs::fstat(fd)?;
            Ok(FileId {
                kind: FileType::from_raw_mode(st.st_mode),
                dev: st.st_dev,
                ino: st.st_ino,
                mnt_id: None,
            })
        }
        Err(errno) => Err(errno),
    }
}

/// A freshly opened root: `O_PATH|O_DIRECTORY|O_CLOEXEC` fd, identity and filesystem.
#[derive(Debug)]
pub(crate) struct RootFd {
    pub(crate) fd: OwnedFd,
    pub(crate) id: FileId,
    pub(crate) fs: FsType,
}

/// Open `path` (a trusted, caller-chosen root path) as an `O_PATH` directory.
pub(crate) fn open_root(path: &Path) -> Result<RootFd> {
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let call = || crate::strace::openat_call(Path::new("AT_FDCWD"), &path.to_string_lossy(), flags);
    let fd = rustix::fs::openat(CWD, path, flags, Mode::empty())
        .map_err(|e| Error::sys("openat", call(), path.to_path_buf(), e))?;
    let fs = FsType::of(&fd).map_err(|e| e.with_path(path.to_path_buf()))?;
    let id = file_id(fd.as_fd()).map_err(|e| {
        let call = format!("statx({}, \"\", AT_EMPTY_PATH)", path.display());
        Error::sys("statx", call, path.to_path_buf(), e)
    })?;
    Ok(RootFd { fd, id, fs })
}
