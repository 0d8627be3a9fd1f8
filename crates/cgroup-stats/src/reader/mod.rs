//! [`Reader`]: the statistics of one cgroup, read again and again at the cost of
//! one `pread(2)` per file.

mod budget;
mod controllers;
mod files;
mod hugepages;
mod pids;
mod v1;
mod v2;

use cgroups_core::CgroupDir;

pub use budget::FdBudget;
pub use controllers::Controllers;
pub use hugepages::hugepage_sizes;

#[allow(unused_imports)] // for intra-doc links
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::model::{PageSize, Stats};
use crate::v1::V1Dirs;
use files::Files;
use v1::{V1DirIndex, V1Plan};
use v2::V2Plan;

/// How a [`Reader`] is opened.
#[non_exhaustive]
#[derive(Debug, Clone, Default)]
pub struct ReaderOptions {
    /// The statistics to read (default: all).
    pub controllers: Controllers,
    /// The fd budget to charge (default: [`FdBudget::process_default`]).
    pub budget: Option<FdBudget>,
    /// The huge page sizes to read (default: [`hugepage_sizes`] of this machine).
    pub hugepage_sizes: Option<Vec<PageSize>>,
}

impl ReaderOptions {
    /// Default options reading only `controllers`.
    pub fn with_controllers(controllers: Controllers) -> ReaderOptions {
        ReaderOptions {
            controllers,
            ..ReaderOptions::default()
        }
    }
}

enum Plan {
    V1(V1Plan),
    V2(V2Plan),
}

/// The statistics of one cgroup, for a caller that reads them repeatedly.
///
/// Opening finds which of the chosen controllers' files exist and keeps them
/// open; each [`read`](Self::read) then does one `pread(2)` per file into a
/// buffer the reader keeps, and parses into a [`Stats`] it keeps: in steady
/// state a read allocates nothing. Mount discovery is never on this path: the
/// caller opens the directories once.
///
/// The open files are charged to an [`FdBudget`] shared with other readers;
/// past it, the reader opens and closes each file per read instead, and tries
/// to keep them again at the next read.
///
/// ```no_run
/// use cgroup_stats::{Controllers, Reader, ReaderOptions};
/// use cgroups_core::CgroupDir;
///
/// let dir = CgroupDir::open_root("/sys/fs/cgroup")?.open_child("jobs/build-42")?;
/// let options = ReaderOptions::with_controllers(Controllers::CPU | Controllers::MEMORY);
/// let mut reader = Reader::open_v2(&dir, options)?;
/// loop {
///     let stats = reader.read()?;
///     if let Some(cpu) = stats.cpu.as_ref().and_then(|c| c.usage.as_ref()) {
///         println!("cpu {} ns", cpu.total_ns);
///     }
///     std::thread::sleep(std::time::Duration::from_secs(5));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Reader {
    files: Files,
    plan: Plan,
    stats: Stats,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("fds", &self.files.fds())
            .field("keeps_files", &self.files.keeps_files())
            .finish_non_exhaustive()
    }
}

impl Reader {
    /// Opens a reader of a cgroup v2 cgroup.
    ///
    /// When the cgroup has no `pids.current` (its parent does not enable the
    /// pids controller), the pids part counts the cgroup's own `cgroup.procs`
    /// (or `cgroup.threads` when threaded) instead, as the Go reference does;
    /// [`PidsStats::source`](crate::PidsStats::source) says so. Which of the
    /// two is read is decided here, once.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] or [`ErrorKind::TooManyOpenFiles`] when a file cannot
    /// be opened; [`ErrorKind::Gone`] when the cgroup is removed meanwhile.
    pub fn open_v2(dir: &CgroupDir, options: ReaderOptions) -> Result<Reader> {
        let dirs = vec![clone_dir(dir)?];
        let pids_counter = dir.exists("pids.current");
        let mut files = Files::new(dirs, budget(&options));
        let plan = V2Plan::new(
            &mut files,
            options.controllers,
            sizes(&options),
            pids_counter,
        );
        Reader::finish(files, Plan::V2(plan))
    }

    /// Opens a reader of a cgroup on v1 hierarchies: one directory per hierarchy
    /// in `dirs` (those not given, or not chosen, are not read). `cpuacct` and
    /// `cpu` give the CPU part; `memory` is read without ever attaching
    /// anything to it. Without a `pids` directory there is no pids part (no
    /// process-list count on v1, as in the Go reference).
    ///
    /// # Errors
    ///
    /// As [`open_v2`](Self::open_v2).
    pub fn open_v1(dirs: &V1Dirs, options: ReaderOptions) -> Result<Reader> {
        let c = options.controllers;
        let mut handles = Vec::new();
        let mut index = V1DirIndex::default();
        let mut take = |dir: &Option<CgroupDir>, wanted: Controllers| -> Result<Option<usize>> {
            match (dir, c.intersects(wanted)) {
                (Some(dir), true) => {
                    handles.push(clone_dir(dir)?);
                    Ok(Some(handles.len() - 1))
                }
                _ => Ok(None),
            }
        };
        index.cpu = take(&dirs.cpu, Controllers::CPU)?;
        index.cpuacct = take(&dirs.cpuacct, Controllers::CPU)?;
        index.cpuset = take(&dirs.cpuset, Controllers::CPUSET)?;
        index.memory = take(&dirs.memory, Controllers::MEMORY)?;
        index.pids = take(&dirs.pids, Controllers::PIDS)?;
        index.blkio = take(&dirs.blkio, Controllers::IO)?;
        index.hugetlb = take(&dirs.hugetlb, Controllers::HUGETLB)?;
        index.rdma = take(&dirs.rdma, Controllers::RDMA)?;
        index.misc = take(&dirs.misc, Controllers::MISC)?;
        let prefix = match index.cpuset.map(|i| handles[i].exists("cpuset.cpus")) {
            Some(false) => "",
            _ => "cpuset.",
        };
        let mut files = Files::new(handles, budget(&options));
        let plan = V1Plan::new(&mut files, &index, sizes(&options), prefix);
        Reader::finish(files, Plan::V1(plan))
    }

    fn finish(mut files: Files, plan: Plan) -> Result<Reader> {
        files.open()?;
        Ok(Reader {
            files,
            plan,
            stats: Stats::default(),
        })
    }

    /// Reads every chosen file once and returns the statistics.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Gone`] when the cgroup was removed (drop the reader);
    /// [`ErrorKind::Parse`] naming the file and line of malformed content;
    /// [`ErrorKind::NotFound`] when a file the controller always has vanished;
    /// [`ErrorKind::TooManyOpenFiles`] when a file had to be reopened without
    /// a descriptor left; [`ErrorKind::Io`] for other read errors. After an
    /// error the previous statistics are not valid.
    pub fn read(&mut self) -> Result<&Stats> {
        if !self.files.keeps_files() {
            self.files.try_keep()?;
        }
        let result = match &self.plan {
            Plan::V1(plan) => plan.read(&mut self.files, &mut self.stats),
            Plan::V2(plan) => plan.read(&mut self.files, &mut self.stats),
        };
        result.map(|()| &self.stats)
    }

    /// The statistics of the last successful [`read`](Self::read).
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Whether the files are kept open (else the budget was spent and they are
    /// opened per read).
    pub fn keeps_files(&self) -> bool {
        self.files.keeps_files()
    }

    /// File descriptors this reader holds now.
    pub fn open_fds(&self) -> usize {
        self.files.fds()
    }
}

fn clone_dir(dir: &CgroupDir) -> Result<CgroupDir> {
    dir.try_clone()
        .map_err(|e| Error::from_core(e, dir.path().to_path_buf()))
}

fn budget(options: &ReaderOptions) -> FdBudget {
    options
        .budget
        .clone()
        .unwrap_or_else(FdBudget::process_default)
}

fn sizes(options: &ReaderOptions) -> &[PageSize] {
    match &options.hugepage_sizes {
        Some(sizes) => sizes,
        None => hugepage_sizes(),
    }
}

#[cfg(test)]
mod tests;
