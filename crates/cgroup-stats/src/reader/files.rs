//! The files a reader reads: kept open and read with one `pread(2)` each, or
//! opened per read when the fd budget is spent.

use std::borrow::Cow;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use cgroups_core::{Access, CgroupDir};
use rustix::io::Errno;

use crate::error::{Error, ErrorKind, Result};
use crate::reader::budget::FdBudget;

/// Index of a file in [`Files`].
pub(crate) type SlotId = usize;

/// Capacity of the read buffer at first; it doubles when a file fills it.
const FIRST_BUFFER: usize = 4096;

enum State {
    /// Open, charged to the budget.
    Kept(File),
    /// Exists, opened per read (budget spent).
    Closed,
    /// Does not exist (kernel or configuration lacks it).
    Absent,
}

struct Slot {
    dir: usize,
    name: Cow<'static, str>,
    state: State,
}

/// What one read of a file gave.
pub(crate) enum Content<'a> {
    /// The file's bytes.
    Bytes(&'a [u8]),
    /// The file does not exist (any more).
    Absent,
    /// The kernel refused the read with `EOPNOTSUPP` (disabled PSI, C10;
    /// `cgroup.procs` of a threaded cgroup).
    Unsupported,
}

/// The directories and files of one reader, and its read buffer.
pub(crate) struct Files {
    dirs: Vec<CgroupDir>,
    slots: Vec<Slot>,
    buf: Vec<u8>,
    budget: FdBudget,
    kept: usize,
}

impl Files {
    /// Takes the directory handles (charged to `budget` unconditionally).
    pub(crate) fn new(dirs: Vec<CgroupDir>, budget: FdBudget) -> Files {
        budget.charge(dirs.len());
        Files {
            dirs,
            slots: Vec::new(),
            buf: vec![0; FIRST_BUFFER],
            budget,
            kept: 0,
        }
    }

    /// Registers file `name` of directory `dir` (once: a second registration
    /// gives the same slot); nothing is opened yet.
    pub(crate) fn add(&mut self, dir: usize, name: impl Into<Cow<'static, str>>) -> SlotId {
        let name = name.into();
        if let Some(i) = self
            .slots
            .iter()
            .position(|s| s.dir == dir && s.name == name)
        {
            return i;
        }
        self.slots.push(Slot {
            dir,
            name,
            state: State::Closed,
        });
        self.slots.len() - 1
    }

    /// Finds which files exist and keeps them open if the budget allows.
    pub(crate) fn open(&mut self) -> Result<()> {
        for i in 0..self.slots.len() {
            let slot = &self.slots[i];
            if !self.dirs[slot.dir].exists(&slot.name) {
                self.slots[i].state = State::Absent;
            }
        }
        self.try_keep()
    }

    /// Whether the files are kept open (else they are opened per read).
    pub(crate) fn keeps_files(&self) -> bool {
        self.kept > 0 || self.present() == 0
    }

    /// Descriptors held: directories and kept files.
    pub(crate) fn fds(&self) -> usize {
        self.dirs.len() + self.kept
    }

    fn present(&self) -> usize {
        let present = |s: &&Slot| !matches!(s.state, State::Absent);
        self.slots.iter().filter(present).count()
    }

    /// Opens and keeps every present file if the budget has room for all.
    pub(crate) fn try_keep(&mut self) -> Result<()> {
        let closed = |s: &&Slot| matches!(s.state, State::Closed);
        let wanted = self.slots.iter().filter(closed).count();
        if wanted == 0 || !self.budget.try_acquire(wanted) {
            return Ok(());
        }
        self.kept += wanted;
        for i in 0..self.slots.len() {
            if !matches!(self.slots[i].state, State::Closed) {
                continue;
            }
            match self.open_slot(i) {
                Ok(Some(file)) => self.slots[i].state = State::Kept(file),
                Ok(None) => {
                    // Charged above, but gone since open() looked.
                    self.slots[i].state = State::Absent;
                    self.kept -= 1;
                    self.budget.release(1);
                }
                Err(err) => {
                    self.close_all();
                    return Err(err);
                }
            }
        }
        Ok(())
    }

    fn close_all(&mut self) {
        for slot in &mut self.slots {
            if matches!(slot.state, State::Kept(_)) {
                slot.state = State::Closed;
            }
        }
        self.budget.release(self.kept);
        self.kept = 0;
    }

    /// Marks a slot absent, giving back its budget if it was kept.
    fn forget(&mut self, i: SlotId) {
        if let State::Kept(_) = std::mem::replace(&mut self.slots[i].state, State::Absent) {
            self.kept -= 1;
            self.budget.release(1);
        }
    }

    /// Opens a slot's file: `Ok(None)` if it does not exist (any more).
    fn open_slot(&self, i: SlotId) -> Result<Option<File>> {
        let slot = &self.slots[i];
        match self.dirs[slot.dir].open_file(&slot.name, Access::Read) {
            Ok(file) => Ok(Some(file)),
            Err(err) if err.kind() == cgroups_core::ErrorKind::NotFound => {
                self.check_dir(i)?;
                Ok(None)
            }
            Err(err) => Err(Error::from_core(err, self.path(i))),
        }
    }

    /// A file vanished: [`ErrorKind::Gone`] if its cgroup is gone, else `Ok`.
    fn check_dir(&self, i: SlotId) -> Result<()> {
        let dir = &self.dirs[self.slots[i].dir];
        match dir.exists("cgroup.procs") {
            true => Ok(()),
            false => Err(Error::gone(self.path(i), Some(Errno::NODEV.raw_os_error()))),
        }
    }

    /// The display path of a slot's file (for errors).
    pub(crate) fn path(&self, i: SlotId) -> PathBuf {
        let slot = &self.slots[i];
        self.dirs[slot.dir].path().join(&*slot.name)
    }

    /// Whether a slot's file exists (as far as the last open or read knew).
    pub(crate) fn exists(&self, i: SlotId) -> bool {
        !matches!(self.slots[i].state, State::Absent)
    }

    /// Reads a slot's file with one `pread(2)` (two if it outgrew the buffer):
    /// `Ok(None)` when the file is absent, or the kernel says `EOPNOTSUPP` (PSI
    /// compiled in but disabled, C10).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Gone`] when the cgroup was removed; other read errors.
    pub(crate) fn read(&mut self, i: SlotId) -> Result<Option<&[u8]>> {
        match self.read_content(i)? {
            Content::Bytes(text) => Ok(Some(text)),
            Content::Absent | Content::Unsupported => Ok(None),
        }
    }

    /// As [`read`](Self::read), telling an absent file from one the kernel
    /// refuses to read with `EOPNOTSUPP`.
    pub(crate) fn read_content(&mut self, i: SlotId) -> Result<Content<'_>> {
        let reopened;
        let file = match &self.slots[i].state {
            State::Absent => return Ok(Content::Absent),
            State::Kept(file) => file,
            State::Closed => match self.open_slot(i)? {
                Some(file) => {
                    reopened = file;
                    &reopened
                }
                None => {
                    self.slots[i].state = State::Absent;
                    return Ok(Content::Absent);
                }
            },
        };
        match pread_all(file, &mut self.buf) {
            Ok(n) => Ok(Content::Bytes(&self.buf[..n])),
            Err(err) => self.read_failed(i, err),
        }
    }

    #[cold]
    fn read_failed(&mut self, i: SlotId, err: std::io::Error) -> Result<Content<'_>> {
        let errno = err.raw_os_error();
        let is = |e: Errno| errno == Some(e.raw_os_error());
        if is(Errno::OPNOTSUPP) {
            return Ok(Content::Unsupported);
        }
        if is(Errno::NODEV) || is(Errno::NOENT) {
            // The cgroup is gone, or only this file was removed (PSI files
            // hidden through cgroup.pressure).
            if !self.dirs[self.slots[i].dir].exists("cgroup.procs") {
                return Err(Error::gone(self.path(i), errno));
            }
            self.forget(i);
            return Ok(Content::Absent);
        }
        Err(Error::from_io(err, self.path(i)))
    }

    /// Reads a slot and parses it; content errors are tagged with the file.
    pub(crate) fn parse<T>(
        &mut self,
        i: SlotId,
        parse: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<Option<T>> {
        let Some(text) = self.read(i)? else {
            return Ok(None);
        };
        match parse(text) {
            Ok(v) => Ok(Some(v)),
            Err(e) => Err(e.in_file(self.path(i))),
        }
    }

    /// As [`parse`](Self::parse) for a file that was maybe not asked for.
    pub(crate) fn parse_opt<T>(
        &mut self,
        i: Option<SlotId>,
        parse: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<Option<T>> {
        match i {
            Some(i) => self.parse(i, parse),
            None => Ok(None),
        }
    }

    /// As [`parse`](Self::parse) for a file the controller always has.
    pub(crate) fn parse_required<T>(
        &mut self,
        i: SlotId,
        parse: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        match self.parse(i, parse)? {
            Some(v) => Ok(v),
            None => Err(self.missing(i)),
        }
    }

    #[cold]
    fn missing(&self, i: SlotId) -> Error {
        let io = std::io::Error::from_raw_os_error(Errno::NOENT.raw_os_error());
        let err = Error::from_io(io, self.path(i));
        debug_assert_eq!(err.kind(), ErrorKind::NotFound);
        err
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        self.budget.release(self.kept + self.dirs.len());
    }
}

/// Reads the whole file from offset 0 into `buf`, growing it when full.
fn pread_all(file: &File, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    loop {
        let n = match file.read_at(buf, 0) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n < buf.len() {
            return Ok(n);
        }
        let bigger = buf.len() * 2;
        buf.resize(bigger, 0);
    }
}
