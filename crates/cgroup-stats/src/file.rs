//! Reading a cgroup file into a reused buffer, with "absent" kept apart from errors.

use std::io::Read;
use std::path::PathBuf;

use cgroups_core::{Access, CgroupDir};

use crate::error::{Error, ErrorKind, Result};

/// Reads files of one cgroup directory into one buffer, so a summary allocates once.
pub(crate) struct FileReader<'d> {
    dir: &'d CgroupDir,
    buf: Vec<u8>,
}

impl<'d> FileReader<'d> {
    pub(crate) fn new(dir: &'d CgroupDir) -> FileReader<'d> {
        FileReader {
            dir,
            buf: Vec::with_capacity(4096),
        }
    }

    /// The path of `file` for messages.
    pub(crate) fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }

    /// Reads a file the controller always provides.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] when it does not exist, [`ErrorKind::Io`] otherwise.
    pub(crate) fn read(&mut self, file: &str) -> Result<&[u8]> {
        self.fill(file)?;
        Ok(&self.buf)
    }

    /// Reads a file that this kernel or configuration may not have: `Ok(None)` when
    /// it does not exist.
    pub(crate) fn read_optional(&mut self, file: &str) -> Result<Option<&[u8]>> {
        match self.fill(file) {
            Ok(()) => Ok(Some(&self.buf)),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Parses a file with `parse`; a content error is tagged with the file's path.
    pub(crate) fn parse<T>(
        &mut self,
        file: &str,
        parse: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        let parsed = parse(self.read(file)?);
        parsed.map_err(|e| e.in_file(self.path(file)))
    }

    /// As [`parse`](Self::parse) for a file that may be absent.
    pub(crate) fn parse_optional<T>(
        &mut self,
        file: &str,
        parse: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<Option<T>> {
        let Some(text) = self.read_optional(file)? else {
            return Ok(None);
        };
        parse(text)
            .map(Some)
            .map_err(|e| e.in_file(self.path(file)))
    }

    fn fill(&mut self, file: &str) -> Result<()> {
        self.buf.clear();
        let mut f = self
            .dir
            .open_file(file, Access::Read)
            .map_err(|e| Error::from_core(e, self.path(file)))?;
        f.read_to_end(&mut self.buf)
            .map_err(|e| Error::from_io(e, self.path(file)))?;
        Ok(())
    }
}
