//! Reading `/proc/<pid>/uid_map` and `gid_map` through a verified procfs handle.

use std::io::BufReader;

use crate::error::from_pathsafe;
use crate::{IdMap, IdRange, ParseMode, ParseOptions, Result};

/// Which map of a process.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    /// `uid_map`.
    Uid,
    /// `gid_map`.
    Gid,
}

impl MapKind {
    fn file(self) -> &'static str {
        match self {
            MapKind::Uid => "uid_map",
            MapKind::Gid => "gid_map",
        }
    }
}

/// Read the uid or gid map of process `pid` (`None`: this process) from `/proc`.
///
/// `/proc` must be a real procfs of our PID namespace (checked by filesystem magic and
/// root inode), so a bind mount over it cannot feed us a forged map. The file is
/// parsed strictly: the kernel writes it, so a malformed line means it is not one.
///
/// # Errors
///
/// [`ErrorKind::Io`](crate::ErrorKind::Io) if procfs or the file cannot be opened
/// (errno `ENOENT` for a process that is gone); [`ErrorKind::Parse`](
/// crate::ErrorKind::Parse); [`ErrorKind::InvalidMap`](crate::ErrorKind::InvalidMap).
pub fn read_proc_map(pid: Option<u32>, kind: MapKind) -> Result<IdMap> {
    let (base, shown) = match pid {
        Some(pid) => (pathsafe::ProcBase::Pid(pid), pid.to_string()),
        None => (pathsafe::ProcBase::SelfProcess, "self".to_owned()),
    };
    let display = format!("/proc/{shown}/{}", kind.file());
    let proc = pathsafe::ProcFs::open().map_err(|e| from_pathsafe("/proc", e))?;
    let file = proc
        .open_file(base, kind.file(), pathsafe::OpenMode::Read)
        .map_err(|e| from_pathsafe(&display, e))?;
    let opts = ParseOptions::new()
        .mode(ParseMode::Strict)
        .source(display.as_str());
    let table = opts.parse::<IdRange>(BufReader::new(file))?;
    IdMap::from_table(&table).map_err(|e| e.in_file(&display))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_uid_and_gid_map_that_maps_root() {
        // Every process has both maps; in the initial namespace they are `0 0
        // 4294967295`, in a container at least one range. Either way our own ids map.
        let uid = rustix::process::getuid().as_raw();
        let gid = rustix::process::getgid().as_raw();
        let uids = read_proc_map(None, MapKind::Uid).unwrap();
        let gids = read_proc_map(Some(std::process::id()), MapKind::Gid).unwrap();
        assert!(!uids.is_empty() && !gids.is_empty());
        assert!(uids.to_container(uids.to_host(uid).unwrap()).is_ok());
        assert!(gids.to_host(gid).is_ok());
    }

    #[test]
    fn a_process_that_does_not_exist_is_an_io_error() {
        let err = read_proc_map(Some(u32::MAX - 1), MapKind::Uid).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Io, "{err}");
        assert!(err.file().unwrap().ends_with("/uid_map"), "{err}");
    }
}
