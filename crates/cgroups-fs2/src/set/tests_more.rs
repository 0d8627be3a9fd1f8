//! Write rules of `set` for io, cpu, cpuset, hugetlb, rdma, unified keys and device
//! rules, on the in-memory tree.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use cgroups_core::{
    CpuQuota, ErrorKind, HugetlbLimit, Limit, RdmaLimit, Resources, ThrottleDevice, WeightDevice,
};
use rustix::io::Errno;

use super::tests::{ALL_FILES, cgroup, dev, memory, run, run_mode, writes};
use super::*;

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
    let device = WeightDevice::new(dev(8, 16), Some(w), None);
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
    let t = |major, rate| ThrottleDevice::new(dev(major, 0), rate);
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
    r.hugetlb
        .push(HugetlbLimit::new("1GB", Limit::Value(1 << 30)));
    r.hugetlb.push(HugetlbLimit::new("64KB", Limit::Max));
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
    r.hugetlb
        .push(HugetlbLimit::new("2MB", Limit::Value(2 << 20)));
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
    let both = RdmaLimit::new(Some(100), Some(300));
    r.rdma.insert("mlx5_1".into(), both);
    r.rdma
        .insert("mlx4_0".into(), RdmaLimit::new(None, Some(5)));
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
