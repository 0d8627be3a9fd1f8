//! Container rootfs.
use std::os::fd::OwnedFd;
use std::path::Path;

use crate::{OpenMode, Result};

/// A container rootfs.
#[derive(Debug)]
pub struct Rootfs {
    fd: OwnedFd,
}

impl Rootfs {
    /// Open.
    pub fn open(path: impl AsRef<Path>) -> Result<Rootfs> {
        let _ = path;
        todo!()
    }
    /// Open a file.
    pub fn open_file(&self, path: &str, mode: OpenMode) -> Result<std::fs::File> {
        let _ = (&self.fd, path, mode);
        todo!()
    }
    /// Resolve.
    pub fn resolve(&self, path: &str) -> Result<(OwnedFd, String)> {
        let _ = path;
        todo!()
    }
}
