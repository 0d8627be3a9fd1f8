use std::collections::HashMap;

use super::*;
use crate::CpuQuota;

fn with_memory(limit: i64, swap: i64) -> oci::LinuxResources {
    let mut memory = oci::LinuxMemory::default();
    memory.set_limit(Some(limit)).set_swap(Some(swap));
    let mut spec = oci::LinuxResources::default();
    spec.set_memory(Some(memory));
    spec
}

fn throttle(major: i64, minor: i64, rate: u64) -> oci::LinuxThrottleDevice {
    let builder = oci::LinuxThrottleDeviceBuilder::default();
    builder
        .major(major)
        .minor(minor)
        .rate(rate)
        .build()
        .unwrap()
}

#[test]
fn empty_spec_sets_nothing() {
    let r = Resources::try_from(&oci::LinuxResources::default()).unwrap();
    assert!(r.is_empty());
}

#[test]
fn memory_numbers_follow_c22() {
    let r = Resources::try_from(&with_memory(-1, 0)).unwrap();
    assert_eq!(r.memory.limit_bytes, Some(Limit::Max));
    assert_eq!(r.memory.memory_and_swap_bytes, None);
    let r = Resources::try_from(&with_memory(268_435_456, 536_870_912)).unwrap();
    assert_eq!(r.memory.limit_bytes, Some(Limit::Value(268_435_456)));
    assert_eq!(
        r.memory.memory_and_swap_bytes,
        Some(Limit::Value(536_870_912))
    );
    let err = Resources::try_from(&with_memory(-2, 0)).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidValue, Some("memory.limit"))
    );
}

#[test]
fn cpu_numbers_follow_c20_and_zero_is_unset() {
    let mut cpu = oci::LinuxCpu::default();
    cpu.set_shares(Some(0))
        .set_quota(Some(-1))
        .set_period(Some(0))
        .set_idle(Some(1));
    cpu.set_cpus(Some(String::new()))
        .set_mems(Some("0".to_owned()));
    let mut spec = oci::LinuxResources::default();
    spec.set_cpu(Some(cpu));
    let r = Resources::try_from(&spec).unwrap();
    assert_eq!(r.cpu.shares, None);
    assert_eq!(r.cpu.quota, Some(CpuQuota::Max));
    assert_eq!(r.cpu.period_us, None);
    assert_eq!(r.cpu.idle, Some(true));
    assert_eq!(
        r.cpuset.cpus, None,
        "an empty cpuset string means unset (C16)"
    );
    assert_eq!(r.cpuset.mems.as_deref(), Some("0"));
}

#[test]
fn cpu_idle_other_than_zero_or_one_is_refused() {
    let mut cpu = oci::LinuxCpu::default();
    cpu.set_idle(Some(2));
    let mut spec = oci::LinuxResources::default();
    spec.set_cpu(Some(cpu));
    assert_eq!(
        Resources::try_from(&spec).unwrap_err().field(),
        Some("cpu.idle")
    );
}

#[test]
fn pids_follow_c21() {
    for (oci_limit, want) in [
        (0, Limit::Value(1)),
        (-1, Limit::Max),
        (100, Limit::Value(100)),
    ] {
        let mut pids = oci::LinuxPids::default();
        pids.set_limit(oci_limit);
        let mut spec = oci::LinuxResources::default();
        spec.set_pids(Some(pids));
        assert_eq!(
            Resources::try_from(&spec).unwrap().pids_max,
            Some(want),
            "{oci_limit}"
        );
    }
}

#[test]
fn block_io_devices_and_throttles_translate() {
    let weight = oci::LinuxWeightDeviceBuilder::default()
        .major(8)
        .minor(16)
        .weight(500u16)
        .leaf_weight(0u16)
        .build()
        .unwrap();
    let read = throttle(8, 0, 1_048_576);
    let off = throttle(8, 0, 0);
    let mut block_io = oci::LinuxBlockIo::default();
    block_io.set_weight(Some(0));
    block_io.set_weight_device(Some(vec![weight]));
    block_io.set_throttle_read_bps_device(Some(vec![read]));
    block_io.set_throttle_write_iops_device(Some(vec![off]));
    let mut spec = oci::LinuxResources::default();
    spec.set_block_io(Some(block_io));
    let r = Resources::try_from(&spec).unwrap();
    assert_eq!(r.block_io.weight, None);
    let w = r.block_io.weight_devices[0];
    assert_eq!(
        (w.device, w.weight, w.leaf_weight),
        (
            DeviceNumber {
                major: 8,
                minor: 16
            },
            Some(500),
            None
        )
    );
    assert_eq!(
        r.block_io.throttle_read_bps[0].rate,
        Limit::Value(1_048_576)
    );
    assert_eq!(r.block_io.throttle_write_iops[0].rate, Limit::Max);
}

#[test]
fn negative_device_numbers_are_refused() {
    let throttle = throttle(-1, 0, 1);
    let mut block_io = oci::LinuxBlockIo::default();
    block_io.set_throttle_read_bps_device(Some(vec![throttle]));
    let mut spec = oci::LinuxResources::default();
    spec.set_block_io(Some(block_io));
    assert_eq!(
        Resources::try_from(&spec).unwrap_err().field(),
        Some("blockIO.throttle")
    );
}

#[test]
fn hugepages_rdma_unified_and_network_are_copied() {
    let mut huge = oci::LinuxHugepageLimit::default();
    huge.set_page_size("2MB".to_owned()).set_limit(-1);
    let rdma = oci::LinuxRdmaBuilder::default()
        .hca_handles(2u32)
        .build()
        .unwrap();
    let mut prio = oci::LinuxInterfacePriority::default();
    prio.set_name("eth0".to_owned()).set_priority(5);
    let mut network = oci::LinuxNetwork::default();
    network
        .set_class_id(Some(0x10001))
        .set_priorities(Some(vec![prio]));
    let mut spec = oci::LinuxResources::default();
    spec.set_hugepage_limits(Some(vec![huge]));
    spec.set_rdma(Some(HashMap::from([("mlx4_0".to_owned(), rdma)])));
    spec.set_unified(Some(HashMap::from([(
        "memory.high".to_owned(),
        "max".to_owned(),
    )])));
    spec.set_network(Some(network));
    let r = Resources::try_from(&spec).unwrap();
    assert_eq!(
        r.hugetlb,
        [HugetlbLimit {
            page_size: "2MB".to_owned(),
            limit: Limit::Max
        }]
    );
    assert_eq!(r.rdma["mlx4_0"].hca_handles, Some(2));
    assert_eq!(r.unified["memory.high"], "max");
    assert_eq!(r.network.class_id, Some(0x10001));
    assert_eq!(r.network.priorities, [("eth0".to_owned(), 5)]);
}

#[test]
fn device_rules_go_through_the_devices_crate() {
    let mut deny_all = oci::LinuxDeviceCgroup::default();
    deny_all.set_allow(false).set_access(Some("rwm".to_owned()));
    let mut spec = oci::LinuxResources::default();
    spec.set_devices(Some(vec![deny_all]));
    let r = Resources::try_from(&spec).unwrap();
    let rules = r.devices.unwrap();
    assert_eq!(rules.len(), 1);
    assert!(!rules[0].allow);

    let mut no_access = oci::LinuxDeviceCgroup::default();
    no_access.set_allow(true);
    spec.set_devices(Some(vec![no_access]));
    let err = Resources::try_from(&spec).unwrap_err();
    assert_eq!(err.field(), Some("devices"));
    assert!(std::error::Error::source(&err).is_some());
}
