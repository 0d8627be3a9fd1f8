//! Helpers shared by the integration tests: fake cgroup trees and a counting
//! allocator.

// Tests build their fixture trees with std::fs.
#![allow(clippy::disallowed_methods, dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cgroups_core::{CgroupDir, TestTree};
use tempfile::TempDir;

/// Counts the allocations and reallocations of each thread.
pub struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the slot may be gone while the thread exits.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter is a const-initialized thread-local Cell that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations made by this thread while running `f`.
pub fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// A temp hierarchy with one cgroup directory `job` holding `files`.
pub struct Fake {
    _root: TempDir,
    pub dir: CgroupDir,
}

pub fn fake(files: &[(&str, &str)]) -> Fake {
    let root = tempfile::tempdir().expect("temp dir");
    let job = root.path().join("job");
    std::fs::create_dir(&job).expect("mkdir job");
    for (name, content) in files {
        std::fs::write(job.join(name), content).expect("write fixture file");
    }
    let hierarchy = CgroupDir::open_test_root(root.path(), TestTree::default()).expect("root");
    let dir = hierarchy.open_child("job").expect("open job");
    Fake { _root: root, dir }
}

macro_rules! fixture {
    ($path:literal) => {
        std::str::from_utf8(include_bytes!(concat!("../fixtures/", $path))).unwrap()
    };
}

/// A v2 cgroup with every controller's files, from captured kernel files.
pub fn full_v2() -> Fake {
    fake(&[
        ("cgroup.procs", ""),
        (
            "cpu.stat",
            fixture!("v2-cpu.stat/elastic__v2-kernel6x-bursts-coresched.cpu.stat"),
        ),
        (
            "cpu.pressure",
            fixture!("v2-pressure/elastic__v2-kernel6x.cpu.pressure"),
        ),
        ("cpuset.cpus", "0-3,8\n"),
        ("cpuset.mems", "0\n"),
        ("cpuset.cpus.effective", "0-3,8\n"),
        ("cpuset.mems.effective", "0\n"),
        ("memory.current", "18772946944\n"),
        ("memory.max", "max\n"),
        (
            "memory.peak",
            fixture!("v2-single-value/elastic__v2-kernel6x.memory.peak"),
        ),
        ("memory.swap.current", "0\n"),
        ("memory.swap.max", "max\n"),
        ("memory.swap.peak", "0\n"),
        (
            "memory.stat",
            fixture!("v2-memory.stat/elastic__v2-kernel6x-session.memory.stat"),
        ),
        (
            "memory.events",
            fixture!("v2-memory.events/elastic__v2-kernel6x-with-oom_group_kill.memory.events"),
        ),
        (
            "memory.pressure",
            fixture!("v2-pressure/elastic__v2-kernel6x.cpu.pressure"),
        ),
        ("pids.current", "12\n"),
        ("pids.max", "max\n"),
        ("pids.peak", "256\n"),
        ("pids.events", "max 0\n"),
        (
            "io.stat",
            fixture!("v2-io.stat/ocgroups__iocost-debug-extra-keys.io.stat"),
        ),
        (
            "io.pressure",
            fixture!("v2-pressure/elastic__v2-kernel6x.cpu.pressure"),
        ),
        ("hugetlb.2MB.current", "0\n"),
        ("hugetlb.2MB.max", "max\n"),
        ("hugetlb.2MB.rsvd.current", "0\n"),
        ("hugetlb.2MB.events", "max 0\n"),
        ("rdma.current", "mlx4_0 hca_handle=2 hca_object=2000\n"),
        ("rdma.max", "mlx4_0 hca_handle=max hca_object=max\n"),
        ("misc.current", "sev 3\nsev_es 0\n"),
        ("misc.max", "sev 10\nsev_es max\n"),
        ("misc.events", "sev.max 4\nsev_es.max 0\n"),
    ])
}

/// A v1 cgroup: every file of cpu, cpuacct, cpuset, memory, pids, blkio,
/// hugetlb in one fake directory (the reader takes a directory per hierarchy;
/// tests pass this one for each).
pub fn full_v1() -> Fake {
    fake(&[
        ("cgroup.procs", ""),
        (
            "cpu.stat",
            fixture!("v1-cpu.stat/elastic__docker-2016-throttled.cpu.stat"),
        ),
        ("cpuacct.usage", "12262454190222160\n"),
        (
            "cpuacct.stat",
            fixture!("v1-cpuacct.stat/elastic__amzn2.cpuacct.stat"),
        ),
        (
            "cpuacct.usage_all",
            fixture!("v1-cpuacct.usage_all/ocgroups__8cpu.cpuacct.usage_all"),
        ),
        (
            "cpuacct.usage_percpu",
            fixture!(
                "v1-cpuacct.usage_percpu/elastic__amzn2-8cpu-trailing-space.cpuacct.usage_percpu"
            ),
        ),
        ("cpuset.cpus", "0-7\n"),
        ("cpuset.mems", "0\n"),
        ("cpuset.effective_cpus", "0-7\n"),
        ("cpuset.effective_mems", "0\n"),
        ("cpuset.cpu_exclusive", "0\n"),
        ("cpuset.sched_relax_domain_level", "-1\n"),
        ("memory.usage_in_bytes", "4096\n"),
        ("memory.max_usage_in_bytes", "8192\n"),
        ("memory.failcnt", "0\n"),
        ("memory.limit_in_bytes", "9223372036854771712\n"),
        ("memory.memsw.usage_in_bytes", "4096\n"),
        ("memory.memsw.max_usage_in_bytes", "8192\n"),
        ("memory.memsw.failcnt", "0\n"),
        ("memory.memsw.limit_in_bytes", "9223372036854771712\n"),
        ("memory.kmem.usage_in_bytes", "0\n"),
        ("memory.kmem.max_usage_in_bytes", "0\n"),
        ("memory.kmem.failcnt", "0\n"),
        ("memory.kmem.tcp.usage_in_bytes", "0\n"),
        ("memory.kmem.tcp.max_usage_in_bytes", "0\n"),
        ("memory.kmem.tcp.failcnt", "0\n"),
        ("memory.kmem.tcp.limit_in_bytes", "9223372036854771712\n"),
        (
            "memory.stat",
            fixture!("v1-memory.stat/cgroupsrs__parent-with-totals.memory.stat"),
        ),
        ("memory.use_hierarchy", "1\n"),
        (
            "memory.oom_control",
            fixture!("v1-memory.oom_control/elastic__amzn2-with-oom_kill.memory.oom_control"),
        ),
        (
            "memory.numa_stat",
            fixture!("v1-memory.numa_stat/ocgroups__4-numa-nodes.memory.numa_stat"),
        ),
        ("pids.current", "1\n"),
        ("pids.max", "max\n"),
        ("pids.events", "max 0\n"),
        (
            "blkio.throttle.io_serviced_recursive",
            fixture!("v1-blkio/elastic__amzn2-with-discard.blkio.throttle.io_serviced"),
        ),
        (
            "blkio.throttle.io_service_bytes_recursive",
            fixture!("v1-blkio/elastic__amzn2-with-discard.blkio.throttle.io_service_bytes"),
        ),
        ("hugetlb.2MB.usage_in_bytes", "0\n"),
        ("hugetlb.2MB.max_usage_in_bytes", "0\n"),
        ("hugetlb.2MB.failcnt", "0\n"),
        (
            "hugetlb.2MB.limit_in_bytes",
            fixture!("v1-hugetlb/elastic__amzn2-unlimited.hugetlb.2MB.limit_in_bytes"),
        ),
    ])
}
