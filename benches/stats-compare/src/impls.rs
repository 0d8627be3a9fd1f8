//! The five readers compared, each reading cpu, cpuacct, memory, pids and blkio
//! statistics of the same cgroup.

use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use cgroup_stats::{Controllers, FdBudget, Reader, ReaderOptions, V1Dirs};
use cgroups_core::CgroupDir;
use libcgroups::common::CgroupManager;

/// The controllers every reader reads.
pub const CONTROLLERS: [&str; 5] = ["cpu", "cpuacct", "memory", "pids", "blkio"];

/// Which reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Impl {
    /// This workspace's `cgroup_stats::Reader`.
    CgroupStats,
    /// youki `libcgroups` 0.7, v1 manager, `stats()`.
    Libcgroups,
    /// `cgroups-rs` 0.5, `fs::Cgroup` controllers.
    CgroupsRs,
    /// open + read + close of the files `cgroup-stats` reads.
    OpenReadClose,
    /// One `pread` per file of the files `cgroup-stats` keeps open.
    PreadFloor,
}

impl Impl {
    /// All, in table order.
    pub const ALL: [Impl; 5] = [
        Impl::CgroupStats,
        Impl::Libcgroups,
        Impl::CgroupsRs,
        Impl::OpenReadClose,
        Impl::PreadFloor,
    ];

    /// Short name (also the child-process argument).
    pub fn name(self) -> &'static str {
        match self {
            Impl::CgroupStats => "cgroup-stats",
            Impl::Libcgroups => "libcgroups-0.7",
            Impl::CgroupsRs => "cgroups-rs-0.5",
            Impl::OpenReadClose => "open+read+close",
            Impl::PreadFloor => "pread-floor",
        }
    }

    /// By name.
    pub fn from_name(name: &str) -> Option<Impl> {
        Impl::ALL.into_iter().find(|i| i.name() == name)
    }
}

/// The readers' directories of cgroup `name` for `cgroup-stats`.
pub fn v1_dirs(name: &str) -> V1Dirs {
    let mut dirs = V1Dirs::new();
    for c in CONTROLLERS {
        let root = CgroupDir::open_root(Path::new("/sys/fs/cgroup").join(c)).expect("root");
        dirs.set(c, root.open_child(name).expect("cgroup"));
    }
    dirs
}

/// Our reader of cgroup `name`.
pub fn our_reader(name: &str) -> Reader {
    let controllers = Controllers::CPU | Controllers::MEMORY | Controllers::PIDS | Controllers::IO;
    let mut options = ReaderOptions::with_controllers(controllers);
    options.budget = Some(FdBudget::new(10_000));
    Reader::open_v1(&v1_dirs(name), options).expect("open reader")
}

/// The files the reader keeps open (from /proc/self/fd, before and after).
pub fn reader_files(name: &str) -> Vec<PathBuf> {
    let before = open_fd_paths();
    let reader = our_reader(name);
    let after = open_fd_paths();
    drop(reader);
    after
        .into_iter()
        .filter(|p| !before.contains(p) && p.is_file())
        .collect()
}

fn open_fd_paths() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .flatten()
    {
        if let Ok(target) = std::fs::read_link(entry.path()) {
            out.push(target);
        }
    }
    out
}

/// A reader ready to be called repeatedly.
#[allow(missing_debug_implementations)] // the compared crates' types lack Debug
pub enum Prepared {
    /// See [`Impl::CgroupStats`].
    Ours(Box<Reader>),
    /// See [`Impl::Libcgroups`].
    Libcgroups(Box<libcgroups::v1::manager::Manager>),
    /// See [`Impl::CgroupsRs`].
    CgroupsRs(Box<cgroups_rs::fs::Cgroup>),
    /// See [`Impl::OpenReadClose`].
    OpenReadClose(Vec<PathBuf>, Vec<u8>),
    /// See [`Impl::PreadFloor`].
    Pread(Vec<OwnedFd>, Vec<u8>),
}

impl Prepared {
    /// Opens `which` on cgroup `name`, outside the timed part; the floors read
    /// `files` (the list [`reader_files`] gives, taken before any reader is open).
    pub fn new(which: Impl, name: &str, files: &[PathBuf]) -> Prepared {
        match which {
            Impl::CgroupStats => Prepared::Ours(Box::new(our_reader(name))),
            Impl::Libcgroups => {
                let m = libcgroups::v1::manager::Manager::new(Path::new(name)).expect("libcgroups");
                Prepared::Libcgroups(Box::new(m))
            }
            Impl::CgroupsRs => {
                let h = cgroups_rs::fs::hierarchies::auto();
                Prepared::CgroupsRs(Box::new(cgroups_rs::fs::Cgroup::load(h, name)))
            }
            Impl::OpenReadClose => Prepared::OpenReadClose(files.to_vec(), vec![0; 65536]),
            Impl::PreadFloor => {
                let fds = files
                    .iter()
                    .map(|p| {
                        let flags = rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC;
                        rustix::fs::open(p, flags, rustix::fs::Mode::empty()).expect("open")
                    })
                    .collect();
                Prepared::Pread(fds, vec![0; 65536])
            }
        }
    }

    /// One full read; returns a number derived from the data so nothing is
    /// optimized away.
    pub fn read(&mut self) -> u64 {
        match self {
            Prepared::Ours(r) => {
                let s = r.read().expect("cgroup-stats read");
                s.cpu
                    .as_ref()
                    .and_then(|c| c.usage.as_ref())
                    .map_or(0, |u| u.total_ns)
            }
            Prepared::Libcgroups(m) => {
                let s = m.stats().expect("libcgroups stats");
                s.cpu.usage.usage_total
            }
            Prepared::CgroupsRs(cg) => read_cgroups_rs(cg),
            Prepared::OpenReadClose(paths, buf) => {
                let mut n = 0;
                for p in paths.iter() {
                    let flags = rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC;
                    let fd = rustix::fs::open(p, flags, rustix::fs::Mode::empty()).expect("open");
                    n += rustix::io::read(&fd, &mut buf[..]).expect("read") as u64;
                }
                n
            }
            Prepared::Pread(fds, buf) => {
                let mut n = 0;
                for fd in fds.iter() {
                    n += rustix::io::pread(fd, &mut buf[..], 0).expect("pread") as u64;
                }
                n
            }
        }
    }
}

fn read_cgroups_rs(cg: &cgroups_rs::fs::Cgroup) -> u64 {
    use cgroups_rs::fs::{blkio, cpu, cpuacct, memory, pid};
    let mut n = 0;
    if let Some(c) = cg.controller_of::<cpu::CpuController>() {
        n += c.cpu().stat.len() as u64;
    }
    if let Some(c) = cg.controller_of::<cpuacct::CpuAcctController>() {
        n += c.cpuacct().usage;
    }
    if let Some(c) = cg.controller_of::<memory::MemController>() {
        n += c.memory_stat().usage_in_bytes;
        n += c.kmem_stat().usage_in_bytes;
        n += c.kmem_tcp_stat().usage_in_bytes;
        n += c.memswap().usage_in_bytes;
    }
    if let Some(c) = cg.controller_of::<pid::PidController>() {
        n += c.get_pid_current().unwrap_or(0);
        let _ = std::hint::black_box(c.get_pid_max());
    }
    if let Some(c) = cg.controller_of::<blkio::BlkIoController>() {
        n += c.blkio().throttle.io_service_bytes_total;
    }
    n
}
