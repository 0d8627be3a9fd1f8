//! The reader on fake cgroup trees (temp dirs): every controller, the C-cases
//! that need several files, the fd budget.

use cgroups_core::Limit;

use super::*;
use crate::model::{BlkioOp, BlkioSource, MemoryStatKey, PidsSource};
use crate::test_tree::fake_cgroup;

const PSI: &str = "some avg10=1.71 avg60=2.36 avg300=2.57 total=230548833\n\
                   full avg10=1.00 avg60=1.01 avg300=1.00 total=157622356\n";

fn options(c: Controllers, budget: usize) -> ReaderOptions {
    ReaderOptions {
        controllers: c,
        budget: Some(FdBudget::new(budget)),
        hugepage_sizes: Some(vec![PageSize::from_kib(2048)]),
    }
}

fn v2_tree() -> crate::test_tree::FakeCgroup {
    fake_cgroup(&[
        (
            "cpu.stat",
            "usage_usec 1000\nuser_usec 600\nsystem_usec 400\nnr_periods 5\nnr_throttled 1\nthrottled_usec 3\n",
        ),
        ("cpu.pressure", PSI),
        ("cpuset.cpus", "\n"),
        ("cpuset.cpus.effective", "0-1\n"),
        ("cpuset.mems.effective", "0\n"),
        ("memory.current", "104857600\n"),
        ("memory.max", "209715200\n"),
        ("memory.swap.current", "10485760\n"),
        ("memory.swap.max", "max\n"),
        (
            "memory.stat",
            "anon 50000000\nfile 40000000\nkernel 1000000\n",
        ),
        ("memory.events", "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n"),
        ("pids.current", "3\n"),
        ("pids.max", "max\n"),
        (
            "io.stat",
            "8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
        ),
        ("hugetlb.2MB.current", "4194304\n"),
        ("hugetlb.2MB.max", "max\n"),
        ("hugetlb.2MB.rsvd.current", "6291456\n"),
        ("hugetlb.2MB.rsvd.max", "max\n"),
        ("hugetlb.2MB.events", "max 3\n"),
        ("hugetlb.2MB.events.local", "max 1\n"),
        ("rdma.current", "mlx4_0 hca_handle=2 hca_object=2000\n"),
        ("rdma.max", "mlx4_0 hca_handle=max hca_object=max\n"),
        ("misc.current", "sev 3\nsev_es 0\n"),
        ("misc.max", "sev 10\nsev_es max\n"),
        ("misc.events", "sev.max 4\nsev_es.max 0\n"),
        ("cgroup.procs", ""),
    ])
}

#[test]
fn v2_tree_gives_every_part() {
    let cg = v2_tree();
    let mut r = Reader::open_v2(&cg.dir, options(Controllers::all(), 100)).unwrap();
    let s = r.read().unwrap();
    let cpu = s.cpu.as_ref().unwrap();
    assert_eq!(cpu.usage.as_ref().unwrap().total_ns, 1_000_000);
    assert_eq!(cpu.throttling.unwrap().throttled_time_ns, 3000);
    assert_eq!(cpu.psi.unwrap().full.unwrap().total_us, 157_622_356);
    let cpuset = s.cpuset.as_ref().unwrap();
    assert!(cpuset.cpus.is_empty(), "C16: empty is inherit");
    assert_eq!(cpuset.effective_cpus.iter().collect::<Vec<_>>(), [0, 1]);
    let pids = s.pids.unwrap();
    assert_eq!(
        (pids.current, pids.limit, pids.peak),
        (3, Some(Limit::Max), None)
    );
    assert_eq!(pids.source, PidsSource::PidsCurrent);
    let blkio = s.blkio.as_ref().unwrap();
    assert_eq!(blkio.source, BlkioSource::IoStat);
    assert_eq!(blkio.io_service_bytes_recursive[0].op, BlkioOp::Read);
    let rdma = s.rdma.as_ref().unwrap();
    assert_eq!(rdma.current[0].hca_objects, 2000);
    assert_eq!(rdma.limit[0].hca_handles, u32::MAX);
    let sev = s.misc.iter().find(|m| m.name.as_str() == "sev").unwrap();
    assert_eq!(
        (sev.usage, sev.limit, sev.events),
        (3, Some(Limit::Value(10)), Some(4))
    );
}

#[test]
fn v2_memory_has_v1_compatible_swap_and_cache() {
    // C13
    let cg = v2_tree();
    let mut r = Reader::open_v2(&cg.dir, options(Controllers::MEMORY, 100)).unwrap();
    let m = r.read().unwrap().memory.clone().unwrap();
    assert_eq!(m.cache, Some(40_000_000));
    assert_eq!(m.usage.usage, 104_857_600);
    assert_eq!(m.usage.limit, Some(Limit::Value(209_715_200)));
    let sw = m.swap_usage.unwrap();
    assert_eq!((sw.usage, sw.limit), (115_343_360, Some(Limit::Max)));
    assert_eq!(m.swap_only_usage.unwrap().usage, 10_485_760);
    assert_eq!(m.stat.get(MemoryStatKey::Kernel), Some(1_000_000));
    assert_eq!(m.events.unwrap().oom_kill, Some(1));
    assert!(m.use_hierarchy);
}

#[test]
fn v2_finite_swap_limit_adds_to_the_memory_limit() {
    let cg = fake_cgroup(&[
        ("memory.current", "104857600\n"),
        ("memory.max", "209715200\n"),
        ("memory.swap.current", "10485760\n"),
        ("memory.swap.max", "52428800\n"),
        ("memory.stat", "file 1\n"),
    ]);
    let mut r = Reader::open_v2(&cg.dir, options(Controllers::MEMORY, 100)).unwrap();
    let m = r.read().unwrap().memory.clone().unwrap();
    assert_eq!(m.swap_usage.unwrap().limit, Some(Limit::Value(262_144_000)));
}

#[test]
fn hugetlb_prefers_reserved_usage_and_counts_failures_from_events() {
    // C11
    let cg = v2_tree();
    let mut r = Reader::open_v2(&cg.dir, options(Controllers::HUGETLB, 100)).unwrap();
    let h = r.read().unwrap().hugetlb[0];
    assert_eq!(h.page_size.to_string(), "2MB");
    assert_eq!(
        (h.usage, h.rsvd_usage, h.failcnt),
        (4_194_304, Some(6_291_456), Some(3))
    );
    let plain = fake_cgroup(&[
        ("hugetlb.2MB.current", "4194304\n"),
        ("hugetlb.2MB.max", "max\n"),
        ("hugetlb.2MB.events", "max 3\n"),
    ]);
    let mut r = Reader::open_v2(&plain.dir, options(Controllers::HUGETLB, 100)).unwrap();
    let h = r.read().unwrap().hugetlb[0];
    assert_eq!(
        (h.usage, h.rsvd_usage, h.failcnt),
        (4_194_304, None, Some(3))
    );
}

#[test]
fn controllers_not_chosen_are_not_read() {
    let cg = v2_tree();
    let mut r = Reader::open_v2(&cg.dir, options(Controllers::PIDS, 100)).unwrap();
    let s = r.read().unwrap();
    assert!(s.pids.is_some());
    assert!(s.cpu.is_none() && s.memory.is_none() && s.blkio.is_none());
    assert!(s.hugetlb.is_empty() && s.misc.is_empty());
    assert_eq!(r.open_fds(), 1 + 2, "directory, pids.current and pids.max");
}

#[test]
fn optional_files_are_absent_not_errors_and_not_zero() {
    let cg = fake_cgroup(&[("cpu.stat", "usage_usec 1\nuser_usec 1\nsystem_usec 0\n")]);
    let mut r = Reader::open_v2(&cg.dir, options(Controllers::all(), 100)).unwrap();
    let s = r.read().unwrap();
    let cpu = s.cpu.as_ref().unwrap();
    assert_eq!((cpu.psi, cpu.throttling), (None, None));
    assert!(s.memory.is_none() && s.pids.is_none() && s.blkio.is_none());
}

#[test]
fn v2_without_pids_current_counts_the_lines_of_cgroup_procs() {
    let cg = fake_cgroup(&[
        ("cgroup.procs", "12\n345\n"),
        ("cgroup.threads", "12\n345\n346\n"),
    ]);
    let mut r = Reader::open_v2(&cg.dir, options(Controllers::PIDS, 100)).unwrap();
    let pids = r.read().unwrap().pids.unwrap();
    assert_eq!(pids.current, 2, "processes, not the threads");
    assert_eq!(pids.source, PidsSource::CgroupProcs);
    assert_eq!((pids.limit, pids.peak, pids.events_max), (None, None, None));
}

#[test]
fn v2_with_pids_current_never_counts_cgroup_procs() {
    let cg = fake_cgroup(&[
        ("pids.current", "7\n"),
        ("pids.max", "20\n"),
        ("cgroup.procs", "12\n"),
    ]);
    let mut r = Reader::open_v2(&cg.dir, options(Controllers::PIDS, 100)).unwrap();
    let pids = r.read().unwrap().pids.unwrap();
    assert_eq!((pids.current, pids.source), (7, PidsSource::PidsCurrent));
    assert_eq!(pids.limit, Some(Limit::Value(20)));
    assert_eq!(r.open_fds(), 1 + 2, "cgroup.procs is not opened");
}

#[test]
fn v2_counted_pids_follow_cgroup_procs_from_read_to_read() {
    let cg = fake_cgroup(&[("cgroup.procs", "")]);
    let mut r = Reader::open_v2(&cg.dir, options(Controllers::PIDS, 100)).unwrap();
    assert_eq!(r.read().unwrap().pids.unwrap().current, 0, "empty is 0");
    #[allow(clippy::disallowed_methods)] // changing the fixture tree
    std::fs::write(cg.dir.path().join("cgroup.procs"), "1\n2\n3\n").unwrap();
    assert_eq!(r.read().unwrap().pids.unwrap().current, 3);
}

#[test]
fn v2_malformed_cgroup_procs_is_an_error_naming_the_file_and_line() {
    let cg = fake_cgroup(&[("cgroup.procs", "12\nx\n")]);
    let mut r = Reader::open_v2(&cg.dir, options(Controllers::PIDS, 100)).unwrap();
    let err = r.read().unwrap_err();
    assert_eq!((err.kind(), err.line()), (crate::ErrorKind::Parse, Some(2)));
    assert!(err.file().unwrap().ends_with("cgroup.procs"), "{err}");
}

#[test]
fn v1_without_a_pids_directory_has_no_pids_part() {
    let cg = fake_cgroup(&[
        ("cpuacct.usage", "5\n"),
        ("cpuacct.stat", "user 2\nsystem 1\n"),
        ("cgroup.procs", "1\n"),
    ]);
    let dirs = V1Dirs {
        cpuacct: Some(cg.dir.try_clone().unwrap()),
        ..V1Dirs::default()
    };
    let mut r = Reader::open_v1(&dirs, options(Controllers::all(), 100)).unwrap();
    assert_eq!(r.read().unwrap().pids, None);
}

#[test]
fn malformed_present_file_is_an_error_naming_file_and_line() {
    let cg = fake_cgroup(&[
        ("memory.current", "1\n"),
        ("memory.stat", "anon 1\nfile x\n"),
    ]);
    let mut r = Reader::open_v2(&cg.dir, options(Controllers::MEMORY, 100)).unwrap();
    let err = r.read().unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Parse);
    assert!(err.file().unwrap().ends_with("memory.stat"), "{err}");
    assert_eq!(err.line(), Some(2));
}

#[test]
fn past_the_budget_files_are_opened_per_read_and_kept_again_later() {
    let cg = v2_tree();
    let budget = FdBudget::new(4);
    let opts = ReaderOptions {
        budget: Some(budget.clone()),
        ..options(Controllers::MEMORY, 0)
    };
    let mut r = Reader::open_v2(&cg.dir, opts.clone()).unwrap();
    assert!(!r.keeps_files(), "7 memory files do not fit in 4");
    assert_eq!(r.open_fds(), 1);
    let per_read = r.read().unwrap().memory.clone().unwrap();
    assert_eq!(per_read.usage.usage, 104_857_600);
    drop(r);
    assert_eq!(budget.in_use(), 0, "a dropped reader gives everything back");

    let big = FdBudget::new(100);
    let mut r = Reader::open_v2(
        &cg.dir,
        ReaderOptions {
            budget: Some(big.clone()),
            ..opts
        },
    )
    .unwrap();
    assert!(r.keeps_files());
    assert_eq!(r.read().unwrap().memory.as_ref().unwrap(), &per_read);
    assert_eq!(big.in_use(), r.open_fds());
}

#[test]
fn a_reader_in_reopen_mode_keeps_its_files_once_the_budget_frees() {
    let cg = v2_tree();
    let budget = FdBudget::new(12);
    let opts = ReaderOptions {
        budget: Some(budget.clone()),
        ..options(Controllers::MEMORY, 0)
    };
    let first = Reader::open_v2(&cg.dir, opts.clone()).unwrap();
    assert!(first.keeps_files());
    let mut second = Reader::open_v2(&cg.dir, opts).unwrap();
    assert!(!second.keeps_files());
    drop(first);
    second.read().unwrap();
    assert!(second.keeps_files());
}

fn v1_memory_tree(kmem_limit: bool) -> crate::test_tree::FakeCgroup {
    let mut files = vec![
        ("memory.usage_in_bytes", "4096\n"),
        ("memory.max_usage_in_bytes", "8192\n"),
        ("memory.failcnt", "0\n"),
        ("memory.limit_in_bytes", "9223372036854771712\n"),
        ("memory.memsw.usage_in_bytes", "6144\n"),
        ("memory.memsw.max_usage_in_bytes", "9000\n"),
        ("memory.memsw.failcnt", "0\n"),
        ("memory.memsw.limit_in_bytes", "9223372036854771712\n"),
        ("memory.kmem.usage_in_bytes", "1234\n"),
        ("memory.kmem.max_usage_in_bytes", "2345\n"),
        ("memory.kmem.failcnt", "0\n"),
        ("memory.stat", "cache 7\nrss 8\ntotal_rss 9\n"),
        ("memory.use_hierarchy", "1\n"),
        (
            "memory.oom_control",
            "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
        ),
        ("memory.numa_stat", "total=2 N0=2\nfile=1 N0=1\n"),
        ("cgroup.procs", ""),
    ];
    if kmem_limit {
        files.push(("memory.kmem.limit_in_bytes", "9223372036854771712\n"));
    }
    fake_cgroup(&files)
}

#[test]
fn v1_kernel_memory_without_its_limit_file_still_reads() {
    // C15
    let cg = v1_memory_tree(false);
    let dirs = V1Dirs::new().with_memory(cg.dir.try_clone().unwrap());
    let mut r = Reader::open_v1(&dirs, options(Controllers::all(), 100)).unwrap();
    let m = r.read().unwrap().memory.clone().unwrap();
    let kmem = m.kernel_usage.unwrap();
    assert_eq!(
        (kmem.usage, kmem.max_usage, kmem.failcnt),
        (1234, Some(2345), Some(0))
    );
    assert_eq!(kmem.limit, None);
    assert_eq!(m.kernel_tcp_usage, None);
    assert_eq!(
        m.usage.limit,
        Some(Limit::Max),
        "C14: v1 page-rounded maximum"
    );
    assert_eq!(m.swap_usage.unwrap().usage, 6144);
    assert_eq!(m.swap_only_usage.unwrap().usage, 2048);
    assert_eq!(m.cache, Some(7));
    assert!(m.use_hierarchy);
    assert_eq!(m.oom_control.unwrap().oom_kill, Some(2));
    let numa = m.numa.unwrap();
    assert_eq!(
        (numa.total.total, numa.file.nodes.clone()),
        (Some(2), vec![(0, 1)])
    );
    let with_limit = v1_memory_tree(true);
    let dirs = V1Dirs::new().with_memory(with_limit.dir.try_clone().unwrap());
    let mut r = Reader::open_v1(&dirs, options(Controllers::all(), 100)).unwrap();
    let kmem = r
        .read()
        .unwrap()
        .memory
        .as_ref()
        .unwrap()
        .kernel_usage
        .unwrap();
    assert_eq!(kmem.limit, Some(Limit::Max));
}

#[test]
fn v1_blkio_falls_back_from_empty_recursive_files_to_throttle() {
    // C09: the CFQ files exist but have no devices.
    let cg = fake_cgroup(&[
        ("blkio.sectors_recursive", "Total 0\n"),
        ("blkio.io_serviced_recursive", "Total 0\n"),
        ("blkio.io_service_bytes_recursive", "Total 0\n"),
        ("blkio.throttle.io_serviced_recursive", ""),
        (
            "blkio.throttle.io_serviced",
            "8:0 Read 3\n8:0 Write 1\nTotal 4\n",
        ),
        (
            "blkio.throttle.io_service_bytes",
            "8:0 Read 4096\n(unknown) Read 1\nTotal 4096\n",
        ),
    ]);
    let dirs = V1Dirs {
        blkio: Some(cg.dir.try_clone().unwrap()),
        ..V1Dirs::new()
    };
    let mut r = Reader::open_v1(&dirs, options(Controllers::IO, 100)).unwrap();
    let b = r.read().unwrap().blkio.clone().unwrap();
    assert_eq!(b.source, BlkioSource::Throttle);
    assert_eq!(b.io_serviced_recursive.len(), 2);
    assert_eq!(b.io_service_bytes_recursive.len(), 1);
    assert!(b.sectors_recursive.is_empty());
}

#[test]
fn v1_bfq_debug_wins_over_cfq() {
    let cg = fake_cgroup(&[
        ("blkio.bfq.sectors_recursive", "8:0 2048\n"),
        ("blkio.sectors_recursive", "8:0 1024\n"),
    ]);
    let dirs = V1Dirs {
        blkio: Some(cg.dir.try_clone().unwrap()),
        ..V1Dirs::new()
    };
    let mut r = Reader::open_v1(&dirs, options(Controllers::IO, 100)).unwrap();
    let b = r.read().unwrap().blkio.clone().unwrap();
    assert_eq!(
        (b.source, b.sectors_recursive[0].value),
        (BlkioSource::BfqDebug, 2048)
    );
}

#[test]
fn v1_cpu_and_cpuacct_give_usage_per_cpu_and_throttling() {
    let cpu = fake_cgroup(&[(
        "cpu.stat",
        "nr_periods 4\nnr_throttled 1\nthrottled_time 99\n",
    )]);
    let acct = fake_cgroup(&[
        ("cpuacct.usage", "100\n"),
        ("cpuacct.stat", "user 2\nsystem 1\n"),
        ("cpuacct.usage_all", "cpu user system\n0 30 20\n1 40 10\n"),
        ("cpuacct.usage_percpu", "60 40 \n"),
    ]);
    let dirs = V1Dirs {
        cpu: Some(cpu.dir.try_clone().unwrap()),
        ..V1Dirs::new().with_cpuacct(acct.dir.try_clone().unwrap())
    };
    let mut r = Reader::open_v1(&dirs, options(Controllers::CPU, 100)).unwrap();
    let c = r.read().unwrap().cpu.clone().unwrap();
    let u = c.usage.unwrap();
    assert_eq!(
        (u.total_ns, u.user_ns, u.system_ns),
        (100, 20_000_000, 10_000_000)
    );
    assert_eq!(u.percpu_ns, [60, 40]);
    assert_eq!(
        (u.percpu_user_ns, u.percpu_system_ns),
        (vec![30, 40], vec![20, 10])
    );
    assert_eq!(c.throttling.unwrap().throttled_time_ns, 99);
}

#[test]
fn v1_cpuset_reads_lists_and_flags() {
    let cg = fake_cgroup(&[
        ("cpuset.cpus", "0-2,7\n"),
        ("cpuset.mems", "0\n"),
        ("cpuset.cpu_exclusive", "1\n"),
        ("cpuset.sched_relax_domain_level", "-1\n"),
    ]);
    let dirs = V1Dirs {
        cpuset: Some(cg.dir.try_clone().unwrap()),
        ..V1Dirs::new()
    };
    let mut r = Reader::open_v1(&dirs, options(Controllers::CPUSET, 100)).unwrap();
    let c = r.read().unwrap().cpuset.clone().unwrap();
    assert_eq!(c.cpus.len(), 4);
    assert_eq!(
        (c.cpu_exclusive, c.sched_relax_domain_level),
        (Some(1), Some(-1))
    );
    assert_eq!(c.mem_hardwall, None);
}
