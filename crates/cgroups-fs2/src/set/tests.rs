//! Write order, pids and memory rules of `set`, on the in-memory tree (which
//! records every write in order and injects errnos); the fixtures of `tests_more`.

use std::sync::atomic::AtomicBool;

use cgroups_core::{
    CpuQuota, DeviceNumber, ErrorKind, FreezerState, HugetlbLimit, Limit, RdmaLimit, Resources,
    ThrottleDevice,
};
use rustix::io::Errno;

use super::*;
use crate::fake::MemTree;

/// A tree with cgroup `c` holding the given files.
pub(super) fn cgroup(files: &[(&str, &str)]) -> MemTree {
    let tree = MemTree::new("", "");
    tree.add_cgroup("c");
    for (file, content) in files {
        tree.set(&format!("c/{file}"), content);
    }
    tree
}

/// Every file a v2 cgroup with all controllers has, with kernel defaults.
pub(super) const ALL_FILES: &[(&str, &str)] = &[
    ("pids.max", "max"),
    ("memory.swap.max", "max"),
    ("memory.max", "max"),
    ("memory.low", "0"),
    ("memory.high", "max"),
    ("memory.min", "0"),
    ("memory.oom.group", "0"),
    ("memory.current", "4096"),
    ("io.weight", "default 100"),
    ("io.max", ""),
    ("cpu.idle", "0"),
    ("cpu.weight", "100"),
    ("cpu.max", "max 100000"),
    ("cpu.max.burst", "0"),
    ("cpuset.cpus", ""),
    ("cpuset.mems", ""),
    ("hugetlb.2MB.max", "max"),
    ("hugetlb.2MB.rsvd.max", "max"),
    ("hugetlb.1GB.max", "max"),
    ("hugetlb.1GB.rsvd.max", "max"),
    ("rdma.max", ""),
];

pub(super) fn run_mode(
    tree: &MemTree,
    r: &Resources,
    mode: CpuMaxMode,
) -> cgroups_core::Result<()> {
    let rsvd = AtomicBool::new(true);
    let ctx = SetContext {
        cpu_max: mode,
        hugetlb_rsvd: &rsvd,
    };
    apply(&tree.files("c"), r, &ctx, &mut |_| Ok(()))
}

pub(super) fn run(tree: &MemTree, r: &Resources) -> cgroups_core::Result<()> {
    run_mode(tree, r, CpuMaxMode::Create)
}

pub(super) fn writes(tree: &MemTree) -> Vec<String> {
    tree.writes()
        .iter()
        .map(|w| w.strip_prefix("c/").unwrap_or(w).to_owned())
        .collect()
}

pub(super) fn dev(major: u32, minor: u32) -> DeviceNumber {
    DeviceNumber { major, minor }
}

fn everything() -> Resources {
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(100));
    r.memory.limit_bytes = Some(Limit::Value(1 << 30));
    r.memory.memory_and_swap_bytes = Some(Limit::Value(2 << 30));
    r.memory.reservation_bytes = Some(Limit::Value(1 << 20));
    r.block_io.weight = Some(500);
    r.block_io
        .throttle_read_bps
        .push(ThrottleDevice::new(dev(8, 0), Limit::Value(10)));
    r.cpu.idle = Some(false);
    r.cpu.weight = Some(200);
    r.cpu.quota = Some(CpuQuota::Micros(50000));
    r.cpuset.cpus = Some("0".into());
    r.hugetlb
        .push(HugetlbLimit::new("2MB", Limit::Value(4 << 20)));
    r.rdma
        .insert("mlx5_0".into(), RdmaLimit::new(Some(2), None));
    r.freezer = Some(FreezerState::Thawed);
    r.unified.insert("memory.high".into(), "max".into());
    r
}

#[test]
fn files_are_written_in_the_reference_order_unified_then_the_freezer_last() {
    let tree = cgroup(ALL_FILES);
    let log = std::cell::RefCell::new(Vec::new());
    let rsvd = AtomicBool::new(true);
    let ctx = SetContext {
        cpu_max: CpuMaxMode::Create,
        hugetlb_rsvd: &rsvd,
    };
    let mut freeze = |s: FreezerState| {
        log.borrow_mut().push(format!(
            "freezer {s:?} after {} writes",
            tree.writes().len()
        ));
        Ok(())
    };
    apply(&tree.files("c"), &everything(), &ctx, &mut freeze).unwrap();
    assert_eq!(
        writes(&tree),
        [
            "pids.max 100",
            "memory.swap.max 1073741824",
            "memory.max 1073741824",
            "memory.low 1048576",
            "io.weight 4950",
            "io.max 8:0 rbps=10",
            "cpu.idle 0",
            "cpu.weight 200",
            "cpu.max 50000 100000",
            "cpuset.cpus 0",
            "hugetlb.2MB.max 4194304",
            "hugetlb.2MB.rsvd.max 4194304",
            "rdma.max mlx5_0 hca_handle=2",
            "memory.high max",
        ]
    );
    assert_eq!(log.into_inner(), ["freezer Thawed after 14 writes"]);
}

#[test]
fn a_unified_write_the_kernel_refuses_leaves_the_freezer_alone() {
    let tree = cgroup(ALL_FILES);
    tree.fail("c/memory.high", None, Errno::INVAL, 1);
    let mut r = everything();
    r.freezer = Some(FreezerState::Frozen);
    let rsvd = AtomicBool::new(true);
    let ctx = SetContext {
        cpu_max: CpuMaxMode::Create,
        hugetlb_rsvd: &rsvd,
    };
    let mut froze = false;
    let mut freeze = |_: FreezerState| {
        froze = true;
        Ok(())
    };
    let err = apply(&tree.files("c"), &r, &ctx, &mut freeze).unwrap_err();
    assert!(err.to_string().contains("memory.high"), "{err}");
    assert!(!froze, "the cgroup was frozen by a request that failed");
}

#[test]
fn empty_resources_write_nothing() {
    let tree = cgroup(ALL_FILES);
    run(&tree, &Resources::default()).unwrap();
    assert!(tree.log().is_empty());
}

// C21
#[test]
fn pids_limit_zero_is_written_as_one_and_max_as_max() {
    for (limit, expected) in [
        (Limit::Value(100), "100"),
        (Limit::Value(0), "1"),
        (Limit::Max, "max"),
    ] {
        let tree = cgroup(ALL_FILES);
        let mut r = Resources::default();
        r.pids_max = Some(limit);
        run(&tree, &r).unwrap();
        assert_eq!(writes(&tree), [format!("pids.max {expected}")]);
    }
}

pub(super) fn memory(total: Option<Limit>, limit: Option<Limit>) -> Resources {
    let mut r = Resources::default();
    r.memory.memory_and_swap_bytes = total;
    r.memory.limit_bytes = limit;
    r
}

// C19
#[test]
fn swap_equal_to_memory_disables_swap_and_is_written_first() {
    let tree = cgroup(ALL_FILES);
    run(
        &tree,
        &memory(Some(Limit::Value(1000)), Some(Limit::Value(1000))),
    )
    .unwrap();
    assert_eq!(writes(&tree), ["memory.swap.max 0", "memory.max 1000"]);
}

#[test]
fn swap_max_is_the_total_minus_memory() {
    let tree = cgroup(ALL_FILES);
    run(
        &tree,
        &memory(Some(Limit::Value(500)), Some(Limit::Value(200))),
    )
    .unwrap();
    assert_eq!(writes(&tree), ["memory.swap.max 300", "memory.max 200"]);
}

#[test]
fn unlimited_total_gives_unlimited_swap() {
    let tree = cgroup(ALL_FILES);
    run(&tree, &memory(Some(Limit::Max), Some(Limit::Value(1000)))).unwrap();
    assert_eq!(writes(&tree), ["memory.swap.max max", "memory.max 1000"]);
}

#[test]
fn a_memory_update_without_swap_never_writes_an_empty_swap_value() {
    let tree = cgroup(ALL_FILES);
    run(&tree, &memory(None, Some(Limit::Value(1000)))).unwrap();
    assert!(
        writes(&tree).iter().all(|w| w != "memory.swap.max "),
        "{:?}",
        writes(&tree)
    );
    assert_eq!(writes(&tree).last().unwrap(), "memory.max 1000");
}

#[test]
fn a_total_below_memory_is_refused_before_any_write() {
    let tree = cgroup(ALL_FILES);
    let err = run(
        &tree,
        &memory(Some(Limit::Value(300)), Some(Limit::Value(400))),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert!(tree.log().is_empty());
}

#[test]
fn missing_swap_file_is_fine_for_max_and_zero_only() {
    for (total, ok) in [
        (Limit::Max, true),
        (Limit::Value(1000), true),
        (Limit::Value(1300), false),
    ] {
        let tree = cgroup(ALL_FILES);
        tree.unset("c/memory.swap.max");
        let result = run(&tree, &memory(Some(total), Some(Limit::Value(1000))));
        match ok {
            true => assert_eq!(writes(&tree), ["memory.max 1000"], "{total:?}"),
            false => {
                let err = result.unwrap_err();
                assert_eq!(err.errno(), Some(Errno::NOENT.raw_os_error()));
                assert!(writes(&tree).is_empty());
            }
        }
    }
}

// C22
#[test]
fn only_max_means_max_for_memory_files() {
    let tree = cgroup(ALL_FILES);
    let mut r = memory(None, Some(Limit::Max));
    r.memory.reservation_bytes = Some(Limit::Value(134217728));
    run(&tree, &r).unwrap();
    let w = writes(&tree);
    assert!(w.contains(&"memory.max max".to_owned()), "{w:?}");
    assert_eq!(w.last().unwrap(), "memory.low 134217728");

    let tree = cgroup(ALL_FILES);
    let mut r = memory(None, Some(Limit::Value(268435456)));
    r.memory.reservation_bytes = Some(Limit::Max);
    run(&tree, &r).unwrap();
    let w = writes(&tree);
    assert!(w.contains(&"memory.max 268435456".to_owned()), "{w:?}");
    assert_eq!(w.last().unwrap(), "memory.low max");
}

#[test]
fn negative_oci_memory_values_other_than_minus_one_are_refused_at_the_edge() {
    let err = cgroups_core::convert::memory_from_oci(-2, "memory.limit").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert_eq!(
        cgroups_core::convert::memory_from_oci(-1, "x").unwrap(),
        Some(Limit::Max)
    );
}

#[test]
fn memory_high_min_and_oom_group_come_from_the_typed_fields() {
    let tree = cgroup(ALL_FILES);
    let mut r = Resources::default();
    r.memory.high_bytes = Some(Limit::Value(1 << 20));
    r.memory.min_bytes = Some(4096);
    r.memory.oom_group = Some(true);
    run(&tree, &r).unwrap();
    assert_eq!(
        writes(&tree),
        [
            "memory.high 1048576",
            "memory.min 4096",
            "memory.oom.group 1"
        ]
    );
}

#[test]
fn check_before_update_refuses_limits_at_or_below_usage_and_writes_nothing() {
    for (total, limit) in [
        (None, Some(4096)),
        (Some(4000), None),
        (Some(100), Some(50)),
    ] {
        let tree = cgroup(ALL_FILES);
        let mut r = memory(total.map(Limit::Value), limit.map(Limit::Value));
        r.memory.check_before_update = true;
        let err = run(&tree, &r).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{total:?} {limit:?}");
        assert!(err.to_string().contains("4096"), "{err}");
        assert!(tree.log().is_empty());
    }
}

#[test]
fn check_before_update_lets_higher_limits_through_and_skips_unknown_usage() {
    let tree = cgroup(ALL_FILES);
    let mut r = memory(None, Some(Limit::Value(8192)));
    r.memory.check_before_update = true;
    run(&tree, &r).unwrap();
    assert_eq!(writes(&tree).last().unwrap(), "memory.max 8192");

    let tree = cgroup(ALL_FILES);
    tree.unset("c/memory.current");
    let mut r = memory(None, Some(Limit::Value(1)));
    r.memory.check_before_update = true;
    run(&tree, &r).unwrap();
    assert_eq!(writes(&tree).last().unwrap(), "memory.max 1");
}
