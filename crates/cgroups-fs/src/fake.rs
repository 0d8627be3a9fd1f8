//! An in-memory cgroup directory for unit tests: it holds the files the kernel would
//! provide, records every write in order and fails chosen writes with an errno.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;

use cgroups_core::{Error, Result};
use rustix::io::Errno;

use crate::files::Files;

type Transform = Box<dyn Fn(&str) -> String>;

/// A scripted failure: writes to `file` fail with `errno`, `times` times
/// (`u32::MAX` = always).
struct Failure {
    file: String,
    errno: Errno,
    times: u32,
}

/// A fake cgroup directory. Writes to files that do not exist fail with ENOENT, as on
/// cgroupfs.
pub(crate) struct FakeFiles {
    dir: PathBuf,
    files: RefCell<BTreeMap<String, String>>,
    writes: RefCell<Vec<(String, String)>>,
    attempts: RefCell<Vec<(String, String)>>,
    failures: RefCell<Vec<Failure>>,
    transforms: BTreeMap<String, Transform>,
}

impl FakeFiles {
    /// A directory named `dir` holding `files` (name, content).
    pub(crate) fn new(dir: &str, files: &[(&str, &str)]) -> FakeFiles {
        FakeFiles {
            dir: PathBuf::from(dir),
            files: RefCell::new(
                files
                    .iter()
                    .map(|(n, c)| ((*n).to_owned(), (*c).to_owned()))
                    .collect(),
            ),
            writes: RefCell::new(Vec::new()),
            attempts: RefCell::new(Vec::new()),
            failures: RefCell::new(Vec::new()),
            transforms: BTreeMap::new(),
        }
    }

    /// Every write of `file` fails with `errno`.
    pub(crate) fn fail_always(self, file: &str, errno: Errno) -> FakeFiles {
        self.push_failure(file, errno, u32::MAX)
    }

    /// The next `times` writes of `file` fail with `errno`.
    pub(crate) fn fail_times(self, file: &str, errno: Errno, times: u32) -> FakeFiles {
        self.push_failure(file, errno, times)
    }

    fn push_failure(self, file: &str, errno: Errno, times: u32) -> Self {
        self.failures.borrow_mut().push(Failure {
            file: file.to_owned(),
            errno,
            times,
        });
        self
    }

    /// What the kernel stores when `file` is written (e.g. a clamped value).
    pub(crate) fn transform(mut self, file: &str, f: impl Fn(&str) -> String + 'static) -> Self {
        self.transforms.insert(file.to_owned(), Box::new(f));
        self
    }

    /// The successful writes, in order.
    pub(crate) fn writes(&self) -> Vec<(String, String)> {
        self.writes.borrow().clone()
    }

    /// Every write attempted, successful or not, in order.
    pub(crate) fn attempts(&self) -> Vec<(String, String)> {
        self.attempts.borrow().clone()
    }

    /// The names of the files written successfully, in order.
    pub(crate) fn written_files(&self) -> Vec<String> {
        self.writes
            .borrow()
            .iter()
            .map(|(f, _)| f.clone())
            .collect()
    }

    /// The current content of `file`.
    pub(crate) fn content(&self, file: &str) -> Option<String> {
        self.files.borrow().get(file).cloned()
    }

    fn scripted_failure(&self, file: &str) -> Option<Errno> {
        let mut failures = self.failures.borrow_mut();
        let hit = failures
            .iter_mut()
            .find(|f| f.file == file && f.times > 0)?;
        if hit.times != u32::MAX {
            hit.times -= 1;
        }
        Some(hit.errno)
    }

    fn error(&self, file: &str, errno: Errno) -> Error {
        Error::from_errno(
            format!("fake {file}"),
            self.dir.join(file),
            errno.raw_os_error(),
        )
    }
}

impl Files for FakeFiles {
    fn dir_path(&self) -> PathBuf {
        self.dir.clone()
    }

    fn read(&self, file: &str) -> Result<String> {
        self.read_optional(file)?
            .ok_or_else(|| self.error(file, Errno::NOENT))
    }

    fn read_optional(&self, file: &str) -> Result<Option<String>> {
        Ok(self.files.borrow().get(file).cloned())
    }

    fn write(&self, file: &str, value: &str) -> Result<()> {
        self.attempts
            .borrow_mut()
            .push((file.to_owned(), value.to_owned()));
        if let Some(errno) = self.scripted_failure(file) {
            return Err(self.error(file, errno).with_value(value));
        }
        if !self.exists(file) {
            return Err(self.error(file, Errno::NOENT).with_value(value));
        }
        let stored = match self.transforms.get(file) {
            Some(t) => t(value),
            None => value.to_owned(),
        };
        self.files.borrow_mut().insert(file.to_owned(), stored);
        self.writes
            .borrow_mut()
            .push((file.to_owned(), value.to_owned()));
        Ok(())
    }

    fn exists(&self, file: &str) -> bool {
        self.files.borrow().contains_key(file)
    }
}

/// `(file, value)` pairs for comparing with [`FakeFiles::writes`].
pub(crate) fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, v)| ((*f).to_owned(), (*v).to_owned()))
        .collect()
}
