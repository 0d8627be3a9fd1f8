//! Statistics of cgroup v1 and v2: what the processes of a cgroup used.
//!
//! Managers do not read statistics; this crate does, from the cgroup's directory
//! handles ([`cgroups_core::CgroupDir`], every open fd-based and beneath a verified
//! cgroupfs root). It reads only files: on cgroup v2 `cpu.stat`, `memory.current`,
//! `memory.peak`, `memory.events`, `pids.current`, `pids.peak` and the PSI files
//! (`cpu.pressure`, ...); on cgroup v1 `cpuacct.usage`, `cpuacct.stat`,
//! `memory.usage_in_bytes`, `memory.max_usage_in_bytes`, `memory.oom_control`,
//! `pids.current`, `pids.peak`. See the kernel's
//! `Documentation/admin-guide/cgroup-v2.rst` and `cgroup-v1/{cpuacct,memory}.rst`.
//!
//! What is here now:
//! - [`read_v2_summary`] and [`read_v1_summary`]: a [`UsageSummary`] (CPU time,
//!   memory now and at peak, OOM events and kills, tasks now and at peak), the
//!   report of `cgctl run`;
//! - [`read_pressure`]: pressure stall information of a cgroup v2 cgroup;
//! - [`parse`]: the parsers, pure functions over a file's bytes, usable on files
//!   read any other way.
//!
//! Three rules hold throughout: an error is never turned into zero; a file the
//! kernel may lack (newer keys and files, PSI) is reported as absent (`None`), not
//! as an error; malformed content is an error that names the file and the line.
//!
//! ```no_run
//! use cgroups_core::CgroupDir;
//!
//! let root = CgroupDir::open_root("/sys/fs/cgroup")?;
//! let job = root.open_child("jobs/build-42")?;
//! let used = cgroup_stats::read_v2_summary(&job)?;
//! if let Some(cpu) = used.cpu {
//!     println!("cpu {} ms", cpu.total_ns / 1_000_000);
//! }
//! if let Some(peak) = used.memory.and_then(|m| m.peak_bytes) {
//!     println!("memory peak {peak} bytes");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! - `serde`: [`UsageSummary`] and [`parse::Pressure`] serialize (snake_case names,
//!   absent values as `null`; PSI fields with the kernel's names).
//! - `test-fixtures`: enables `cgroups-core`'s fake cgroup trees for tests.
//!
//! # Not here yet
//!
//! TODO(stats issue): the full statistics of every controller (cpu throttling,
//! memory.stat and the swap/kmem figures, io/blkio, hugetlb, cpuset, rdma, misc)
//! serialized with the field names of the Go reference's `cgroups.Stats`, and a
//! reader that a monitor keeps: it holds the directory and file fds and `pread`s into
//! reused buffers instead of opening each file per call.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod error;
mod events;
mod file;
mod model;
pub mod parse;
mod psi;
mod reader;
mod summary;
mod v1;
mod v2;

#[cfg(test)]
mod test_tree;

pub use error::{Error, ErrorKind, Result};
pub use events::{Event, EventWatcher, PressureKind, PressureTrigger};
pub use model::*;
pub use psi::{PressureResource, read_pressure};
pub use reader::{Controllers, FdBudget, Reader, ReaderOptions, hugepage_sizes};
pub use summary::{CpuUsage, MemoryUsage, PidsUsage, UsageSummary};
pub use v1::{V1Dirs, read_v1_summary};
pub use v2::read_v2_summary;
