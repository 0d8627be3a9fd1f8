//! Write order, file names, conversions and errno rules of `set`, on the in-memory
//! tree (which records every write in order and injects errnos).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use cgroups_core::{
    CpuQuota, DeviceNumber, ErrorKind, FreezerState, HugetlbLimit, Limit, RdmaLimit, Resources,
    ThrottleDevice, WeightDevice,
};
use rustix::io::Errno;

use super::*;
use crate::fake::MemTree;

/// A tree with cgroup `c` holding the given files.
fn cgroup(files: &[(&str, &str)]) -> MemTree {
    let tree = MemTree::new("", "");
    tree.add_cgroup("c");
    for (file, content) in files {
        tree.set(&format!("c/{file}"), content);
    }
    tree
}

/// Every file a v2 cgroup with all controllers has, with kernel defaults.
const ALL_FILES: &[(&str, &str)] = &[
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

fn run_mode(tree: &MemTree, r: &Resources, mode: CpuMaxMode) -> cgroups_core::Result<()> {
    let rsvd = AtomicBool::new(true);
    let ctx = SetContext {
        cpu_max: mode,
        hugetlb_rsvd: &rsvd,
    };
    apply(&tree.files("c"), r, &ctx, &mut |_| Ok(()))
}

fn run(tree: &MemTree, r: &Resources) -> cgroups_core::Result<()> {
    run_mode(tree, r, CpuMaxMode::Create)
}

fn writes(tree: &MemTree) -> Vec<String> {
    tree.writes()
        .iter()
        .map(|w| w.strip_prefix("c/").unwrap_or(w).to_owned())
        .collect()
}

fn dev(major: u32, minor: u32) -> DeviceNumber {
    DeviceNumber { major, minor }
}

fn everything() -> Resources {
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(100));
    r.memory.limit_bytes = Some(Limit::Value(1 << 30));
    r.memory.memory_and_swap_bytes = Some(Limit::Value(2 << 30));
    r.memory.reservation_bytes = Some(Limit::Value(1 << 20));
    r.block_io.weight = Some(500);
    r.block_io.throttle_read_bps.push(ThrottleDevice {
        device: dev(8, 0),
        rate: Limit::Value(10),
    });
    r.cpu.idle = Some(false);
    r.cpu.weight = Some(200);
    r.cpu.quota = Some(CpuQuota::Micros(50000));
    r.cpuset.cpus = Some("0".into());
    r.hugetlb.push(HugetlbLimit {
        page_size: "2MB".into(),
        limit: Limit::Value(4 << 20),
    });
    r.rdma.insert(
        "mlx5_0".into(),
        RdmaLimit {
            hca_handles: Some(2),
            hca_objects: None,
        },
    );
    r.freezer = Some(FreezerState::Thawed);
    r.unified.insert("memory.high".into(), "max".into());
    r
}

#[test]
fn files_are_written_in_the_reference_order_with_unified_last() {
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
    assert_eq!(log.into_inner(), ["freezer Thawed after 13 writes"]);
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

fn memory(total: Option<Limit>, limit: Option<Limit>) -> Resources {
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

fn weight(w: u16) -> Resources {
    let mut r = Resources::default();
    r.block_io.weight = Some(w);
    r
}

// C18
#[test]
fn blkio_weight_is_converted_for_io_weight() {
    for (w, expected) in [(10, "1"), (100, "910"), (500, "4950"), (1000, "10000")] {
        let tree = cgroup(ALL_FILES);
        run(&tree, &weight(w)).unwrap();
        assert_eq!(writes(&tree), [format!("io.weight {expected}")]);
    }
}

#[test]
fn blkio_weight_goes_unchanged_to_io_bfq_weight_when_it_exists() {
    let tree = cgroup(ALL_FILES);
    tree.set("c/io.bfq.weight", "default 100");
    run(&tree, &weight(500)).unwrap();
    assert_eq!(writes(&tree), ["io.bfq.weight 500"]);
}

fn device_weight(w: u16) -> Resources {
    let mut r = Resources::default();
    let device = WeightDevice {
        device: dev(8, 16),
        weight: Some(w),
        leaf_weight: None,
    };
    r.block_io.weight_devices.push(device);
    r
}

#[test]
fn per_device_weights_use_bfq_entries_or_converted_io_weight() {
    let tree = cgroup(ALL_FILES);
    tree.set("c/io.bfq.weight", "default 100\n");
    run(&tree, &device_weight(300)).unwrap();
    assert_eq!(writes(&tree), ["io.bfq.weight 8:16 300"]);

    let tree = cgroup(ALL_FILES);
    run(&tree, &device_weight(300)).unwrap();
    assert_eq!(writes(&tree), ["io.weight 8:16 2930"]);
}

#[test]
fn per_device_weights_on_an_old_bfq_are_refused_not_dropped() {
    let tree = cgroup(ALL_FILES);
    tree.set("c/io.bfq.weight", "100\n");
    let err = run(&tree, &device_weight(300)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::KernelRefused);
    assert_eq!(err.field(), Some("block_io.weight_devices"));
}

#[test]
fn io_max_gets_one_write_per_entry_in_rbps_wbps_riops_wiops_order() {
    let tree = cgroup(ALL_FILES);
    let mut r = Resources::default();
    let t = |major, rate| ThrottleDevice {
        device: dev(major, 0),
        rate,
    };
    r.block_io.throttle_write_iops.push(t(8, Limit::Value(40)));
    r.block_io.throttle_read_iops.push(t(8, Limit::Value(30)));
    r.block_io.throttle_write_bps.push(t(8, Limit::Max));
    r.block_io.throttle_read_bps.push(t(8, Limit::Value(10)));
    r.block_io.throttle_read_bps.push(t(259, Limit::Value(11)));
    run(&tree, &r).unwrap();
    assert_eq!(
        writes(&tree),
        [
            "io.max 8:0 rbps=10",
            "io.max 259:0 rbps=11",
            "io.max 8:0 wbps=max",
            "io.max 8:0 riops=30",
            "io.max 8:0 wiops=40",
        ]
    );
}

fn cpu(quota: Option<CpuQuota>, period: Option<u64>) -> Resources {
    let mut r = Resources::default();
    r.cpu.quota = quota;
    r.cpu.period_us = period;
    r
}

// C20
#[test]
fn cpu_max_on_creation_follows_the_create_table() {
    let rows = [
        (cpu(None, None), None),
        (cpu(Some(CpuQuota::Max), None), Some("max 100000")),
        (
            cpu(Some(CpuQuota::Micros(1000)), Some(5000)),
            Some("1000 5000"),
        ),
        (cpu(None, Some(5000)), Some("max 5000")),
        (cpu(Some(CpuQuota::Max), Some(5000)), Some("max 5000")),
        (cpu(Some(CpuQuota::Micros(1000)), None), Some("1000 100000")),
        (
            cpu(Some(CpuQuota::Micros(42000)), Some(100000)),
            Some("42000 100000"),
        ),
    ];
    for (r, expected) in rows {
        let tree = cgroup(ALL_FILES);
        tree.set("c/cpu.max", "7000 70000");
        run_mode(&tree, &r, CpuMaxMode::Create).unwrap();
        let expected: Vec<String> = expected
            .map(|e| format!("cpu.max {e}"))
            .into_iter()
            .collect();
        assert_eq!(writes(&tree), expected, "{:?}", r.cpu);
    }
}

#[test]
fn cpu_max_update_keeps_the_part_not_given() {
    let rows = [
        (cpu(Some(CpuQuota::Micros(1000)), None), "1000 50000"),
        (cpu(None, Some(100000)), "20000 100000"),
        (cpu(Some(CpuQuota::Max), None), "max 50000"),
    ];
    for (r, expected) in rows {
        let tree = cgroup(ALL_FILES);
        tree.set("c/cpu.max", "20000 50000\n");
        run_mode(&tree, &r, CpuMaxMode::Update).unwrap();
        assert_eq!(
            writes(&tree),
            [format!("cpu.max {expected}")],
            "{:?}",
            r.cpu
        );
    }
}

#[test]
fn cpu_idle_comes_first_then_weight_burst_and_max() {
    let tree = cgroup(ALL_FILES);
    let mut r = cpu(Some(CpuQuota::Micros(20000)), Some(100000));
    r.cpu.idle = Some(true);
    r.cpu.weight = Some(50);
    r.cpu.burst_us = Some(1000);
    run(&tree, &r).unwrap();
    assert_eq!(
        writes(&tree),
        [
            "cpu.idle 1",
            "cpu.weight 50",
            "cpu.max.burst 1000",
            "cpu.max 20000 100000"
        ]
    );
}

#[test]
fn shares_are_converted_to_weight_unless_a_weight_is_given() {
    let tree = cgroup(ALL_FILES);
    let mut r = Resources::default();
    r.cpu.shares = Some(1024);
    run(&tree, &r).unwrap();
    assert_eq!(writes(&tree), ["cpu.weight 100"]);

    let tree = cgroup(ALL_FILES);
    r.cpu.weight = Some(7);
    run(&tree, &r).unwrap();
    assert_eq!(writes(&tree), ["cpu.weight 7"]);
}

#[test]
fn a_burst_refused_before_the_new_quota_is_retried_after_cpu_max() {
    let tree = cgroup(ALL_FILES);
    tree.fail("c/cpu.max.burst", None, Errno::INVAL, 1);
    let mut r = cpu(Some(CpuQuota::Micros(20000)), None);
    r.cpu.burst_us = Some(10000);
    run(&tree, &r).unwrap();
    assert_eq!(
        writes(&tree),
        ["cpu.max 20000 100000", "cpu.max.burst 10000"]
    );
}

#[test]
fn a_refused_burst_without_a_quota_is_an_error() {
    let tree = cgroup(ALL_FILES);
    tree.fail("c/cpu.max.burst", None, Errno::INVAL, 1);
    let mut r = Resources::default();
    r.cpu.burst_us = Some(10000);
    let err = run(&tree, &r).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::KernelRefused);
    assert_eq!(err.value(), Some("10000"));
}

#[test]
fn cpuset_cpus_are_written_before_mems() {
    let tree = cgroup(ALL_FILES);
    let mut r = Resources::default();
    r.cpuset.mems = Some("0".into());
    r.cpuset.cpus = Some("0-1".into());
    run(&tree, &r).unwrap();
    assert_eq!(writes(&tree), ["cpuset.cpus 0-1", "cpuset.mems 0"]);
}

// C11, C12
#[test]
fn hugetlb_limits_go_to_max_and_rsvd_max_files_named_by_page_size() {
    let tree = cgroup(ALL_FILES);
    tree.set("c/hugetlb.64KB.max", "max");
    let mut r = Resources::default();
    r.hugetlb.push(HugetlbLimit {
        page_size: "1GB".into(),
        limit: Limit::Value(1 << 30),
    });
    r.hugetlb.push(HugetlbLimit {
        page_size: "64KB".into(),
        limit: Limit::Max,
    });
    let rsvd = AtomicBool::new(true);
    let ctx = SetContext {
        cpu_max: CpuMaxMode::Create,
        hugetlb_rsvd: &rsvd,
    };
    apply(&tree.files("c"), &r, &ctx, &mut |_| Ok(())).unwrap();
    assert_eq!(
        writes(&tree),
        [
            "hugetlb.1GB.max 1073741824",
            "hugetlb.1GB.rsvd.max 1073741824",
            "hugetlb.64KB.max max"
        ]
    );
    // 64KB had no .rsvd.max: the ENOENT switched rsvd writes off for good.
    assert!(!rsvd.load(Ordering::Relaxed));
    assert_eq!(tree.log()[3], "fail c/hugetlb.64KB.rsvd.max max");
}

#[test]
fn hugetlb_rsvd_stays_off_once_the_kernel_lacked_it() {
    let tree = cgroup(ALL_FILES);
    let mut r = Resources::default();
    r.hugetlb.push(HugetlbLimit {
        page_size: "2MB".into(),
        limit: Limit::Value(2 << 20),
    });
    let rsvd = AtomicBool::new(false);
    let ctx = SetContext {
        cpu_max: CpuMaxMode::Update,
        hugetlb_rsvd: &rsvd,
    };
    apply(&tree.files("c"), &r, &ctx, &mut |_| Ok(())).unwrap();
    assert_eq!(writes(&tree), ["hugetlb.2MB.max 2097152"]);
}

#[test]
fn rdma_writes_one_line_per_device_leaving_unset_fields_out() {
    let tree = cgroup(ALL_FILES);
    let mut r = Resources::default();
    let both = RdmaLimit {
        hca_handles: Some(100),
        hca_objects: Some(300),
    };
    r.rdma.insert("mlx5_1".into(), both);
    r.rdma.insert(
        "mlx4_0".into(),
        RdmaLimit {
            hca_handles: None,
            hca_objects: Some(5),
        },
    );
    r.rdma.insert("none".into(), RdmaLimit::default());
    run(&tree, &r).unwrap();
    assert_eq!(
        writes(&tree),
        [
            "rdma.max mlx4_0 hca_object=5",
            "rdma.max mlx5_1 hca_handle=100 hca_object=300"
        ]
    );
}

#[test]
fn unified_keys_override_typed_fields_and_are_written_line_by_line() {
    let tree = cgroup(ALL_FILES);
    let mut r = memory(None, Some(Limit::Value(1000)));
    r.unified.insert("memory.max".into(), "2000".into());
    r.unified
        .insert("io.max".into(), "8:0 rbps=1\n8:16 wbps=2\n".into());
    run(&tree, &r).unwrap();
    assert_eq!(
        writes(&tree),
        [
            "memory.max 1000",
            "io.max 8:0 rbps=1",
            "io.max 8:16 wbps=2",
            "memory.max 2000"
        ]
    );
}

#[test]
fn hostile_unified_keys_are_refused() {
    for key in [
        "../../cgroup.procs",
        "a/b",
        "/memory.max",
        "",
        ".",
        "..",
        "x\0y",
    ] {
        let mut unified = BTreeMap::new();
        unified.insert(key.to_owned(), "1".to_owned());
        let err = check_keys(&unified).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidPath, "{key:?}");
        assert_eq!(err.field(), Some("unified"));
    }
    let mut fine = BTreeMap::new();
    fine.insert("memory.high".to_owned(), "max".to_owned());
    check_keys(&fine).unwrap();
}

fn unified(key: &str) -> Resources {
    let mut r = Resources::default();
    r.unified.insert(key.into(), "1".into());
    r
}

#[test]
fn a_unified_key_without_a_dot_is_not_a_controller_file() {
    let tree = cgroup(ALL_FILES);
    let err = run(&tree, &unified("nosuchfile")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert!(err.to_string().contains("CONTROLLER.PARAMETER"), "{err}");
}

#[test]
fn a_unified_key_of_a_missing_controller_names_the_controller() {
    let tree = cgroup(ALL_FILES);
    tree.set("c/cgroup.controllers", "cpu pids");
    let err = run(&tree, &unified("memory.oom.group.x")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ControllerUnavailable);
    assert_eq!(err.value(), Some("memory"));

    tree.fail("c/pids.max", None, Errno::PERM, 1);
    let err = run(&tree, &unified("pids.max")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert!(err.to_string().contains("pids.max"), "{err}");
}

#[test]
fn a_unified_value_the_kernel_refuses_keeps_its_errno() {
    let tree = cgroup(ALL_FILES);
    tree.fail("c/memory.max", None, Errno::INVAL, 1);
    let err = run(&tree, &unified("memory.max")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::KernelRefused);
    assert_eq!(err.errno(), Some(Errno::INVAL.raw_os_error()));
}

#[test]
fn device_rules_are_refused_rather_than_ignored() {
    let mut r = Resources::default();
    r.devices = Some(Vec::new());
    let err = refuse_devices(&r).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ControllerUnavailable);
    refuse_devices(&Resources::default()).unwrap();
}
