//! Statistics of cgroup v1 and v2: what the processes of a cgroup used, read at
//! close to the cost of the system calls, and the events of a cgroup as they
//! happen.
//!
//! Managers do not read statistics; this crate does, from the cgroup's directory
//! handles ([`cgroups_core::CgroupDir`], every open fd-based and beneath a verified
//! cgroupfs root). What is here:
//!
//! - [`Stats`]: the full model, v1 and v2: CPU (total, user, system, per CPU,
//!   throttling, burst), memory (usage, peak, limit, failcnt, swap and
//!   memory+swap with the v1 meaning on both versions, v1 kernel and kernel TCP
//!   memory, the whole `memory.stat`, `memory.events`, v1 `memory.oom_control`
//!   and `memory.numa_stat`), pids (with the Go reference's count of
//!   `cgroup.procs` when the v2 pids controller is off, marked as such),
//!   block I/O (the v1 families with their
//!   fallback order, v2 `io.stat` with io cost), hugetlb per page size, RDMA,
//!   misc, cpuset, and PSI for cpu, memory and io. With `serde` it serializes
//!   with the Go reference's `cgroups.Stats` JSON names.
//! - [`Reader`]: a reader a monitor keeps. It opens the cgroup's files once and
//!   then reads each with one `pread(2)` into a reused buffer, parsing without
//!   allocating; readers share an [`FdBudget`].
//! - [`EventWatcher`]: v2 `cgroup.events` and `memory.events` changes, PSI
//!   triggers and the v1 OOM notification, through one `poll(2)`.
//! - [`read_v2_summary`], [`read_v1_summary`]: the [`UsageSummary`] of
//!   `cgctl run`; [`read_pressure`]: one PSI file.
//! - [`parse`]: the parsers, pure functions over a file's bytes.
//!
//! Kernel files read (see the kernel's `Documentation/admin-guide/cgroup-v2.rst`
//! and `cgroup-v1/*.rst`): v2 `cpu.stat`, `cpuset.{cpus,mems}[.effective]`,
//! `memory.{current,max,peak,swap.*,stat,events}`, `pids.{current,max,peak,events}`,
//! `io.stat`, `hugetlb.<size>.*`, `rdma.{current,max}`, `misc.{current,max,events}`,
//! `{cpu,memory,io}.pressure`, `cgroup.events`, `cgroup.procs` and
//! `cgroup.threads` (counted when there is no `pids.current`); v1 `cpu.stat`, `cpuacct.*`,
//! `cpuset.*`, `memory.*` (usage, memsw, kmem, kmem.tcp, stat, use_hierarchy,
//! oom_control, numa_stat), `pids.*`, `blkio.*` statistics, `hugetlb.<size>.*`;
//! `/sys/kernel/mm/hugepages` for the page sizes. System calls: `openat2`/`openat`
//! (through cgroups-core), `pread64`, `poll`, `eventfd2`, `write` (PSI triggers,
//! `cgroup.event_control`).
//!
//! Three rules hold throughout: an error is never turned into zero; a file the
//! kernel may lack (newer keys and files, PSI, swap, peak, reserved hugetlb,
//! misc, io cost) is reported as absent (`None`), not as an error; malformed
//! content is an error that names the file and the line.
//!
//! ```no_run
//! use cgroup_stats::{Controllers, Reader, ReaderOptions};
//! use cgroups_core::CgroupDir;
//!
//! let root = CgroupDir::open_root("/sys/fs/cgroup")?;
//! let job = root.open_child("jobs/build-42")?;
//! let mut reader = Reader::open_v2(&job, ReaderOptions::default())?;
//! let stats = reader.read()?;
//! if let Some(usage) = stats.cpu.as_ref().and_then(|c| c.usage.as_ref()) {
//!     println!("cpu {} ms", usage.total_ns / 1_000_000);
//! }
//! if let Some(memory) = &stats.memory {
//!     println!("memory {} bytes, page cache {:?}", memory.usage.usage, memory.cache);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! - `serde`: the model serializes (Go reference names; absent values left out).
//! - `test-fixtures`: enables `cgroups-core`'s fake cgroup trees for tests.
//!
//! # Decisions
//!
//! - Negative counters saturate to 0 (C14); v1 "unlimited" is a range
//!   (≥ 2^63 − 2^16), [`cgroups_core::Limit::Max`].
//! - hugetlb `usage` is the faulted usage and `rsvd_usage` the reserved one;
//!   the JSON `usage` is the reserved one where present, as in the Go reference
//!   (C11). Failures come from `hugetlb.<size>.events` `max` on v2.
//! - v1 blkio: the first family whose first file has device entries wins
//!   (C09); `BlkioStats::source` says which.
//! - An empty cpuset list means "inherit" (C16), not "no CPUs".
//! - v2 without the pids controller: `pids_stats.current` is the number of
//!   lines of the cgroup's own `cgroup.procs` (of `cgroup.threads` when the
//!   kernel refuses `cgroup.procs` with `EOPNOTSUPP`, a threaded cgroup), with
//!   limit 0 in JSON, as the Go reference reports it. It is not what
//!   `pids.current` counts (threads of the whole subtree): [`PidsStats::source`]
//!   says which of the two a value is ([`PidsSource`]), JSON adds
//!   `"counted_from"` for a count, and `limit` is `None` in Rust. v1 has no
//!   such count (nor has the reference); the [`UsageSummary`] does not count
//!   either.
//!
//! # Not here yet
//!
//! TODO(model): `memory.pressure` of a v2 cgroup without the memory controller
//! has no place in the Go-shaped model and is not reported; the v2 root
//! cgroup's memory figures (no `memory.current` there) are not emulated from
//! `/proc/meminfo`.

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
