//! Parsers of cgroup statistics files: pure functions over the bytes of a file.
//!
//! They never turn malformed content into zero: an error names the line and the
//! text. Absent files are the reader's business, not the parser's. Parsers that
//! fill lists take them `&mut` and clear them first, so a caller that keeps the
//! lists allocates nothing once their capacity fits. Field cases: C08 (io.stat),
//! C09 (blkio), C10 (PSI), C11/C12 (hugetlb), C13 (v2 memory), C14 (unlimited
//! and negative values), C15 (kernel memory), C16 (cpuset lists).

mod blkio;
mod cpu;
mod cpuacct;
mod events;
mod flat_keyed;
mod hugetlb;
mod ids;
mod keyed_lists;
mod lines;
mod memory;
mod number;
mod pressure;
mod procs;

pub use blkio::{blkio_v1, io_stat};
pub use cpu::{cpu_stat_v1, cpu_stat_v2, cpuacct_usage_all, cpuacct_usage_percpu};
pub use cpuacct::{CpuTimes, USER_HZ, cpuacct_stat, cpuacct_usage};
pub use events::{CgroupEvents, cgroup_events};
pub use flat_keyed::flat_keyed;
pub use hugetlb::hugepage_dir_name;
pub use ids::id_list;
pub use keyed_lists::{misc, rdma};
pub use memory::{memory_events, memory_stat, numa_stat_v1, numa_stat_v2, oom_control};
pub use number::{V1_UNLIMITED_FLOOR, counter, limit, signed};
pub use pressure::{Pressure, PressureData, pressure};
pub use procs::process_count;
