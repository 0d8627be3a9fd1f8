use std::collections::BTreeMap;

use cgroups_core::{CpuQuota, Limit, Resources};

use super::*;

const V: SystemdVersion = SystemdVersion(252);

fn props(r: &Resources, cg: CgroupVersion, v: SystemdVersion) -> Vec<Property> {
    resource_properties(r, cg, v, Vec::new()).unwrap().0
}

fn unified(pairs: &[(&str, &str)]) -> Resources {
    let mut r = Resources::default();
    r.unified = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect::<BTreeMap<_, _>>();
    r
}

#[test]
fn scope_properties_name_slice_delegate_pid_and_accounting() {
    let unit = UnitName::parse_runtime("system.slice:ct:a1").unwrap();
    let got = unit_properties(&unit, Some(42), &Resources::default(), CgroupVersion::V2, V);
    assert_eq!(
        got,
        [
            Property::str("Description", "cgroups-rs unit ct-a1.scope"),
            Property::str("Slice", "system.slice"),
            Property::bool("Delegate", true),
            Property::new("PIDs", Value::U32List(vec![42])),
            Property::bool("MemoryAccounting", true),
            Property::bool("CPUAccounting", true),
            Property::bool("TasksAccounting", true),
            Property::bool("IOAccounting", true),
            Property::bool("DefaultDependencies", false),
        ]
    );
}

#[test]
fn slice_properties_want_the_parent_and_v1_uses_blockio_accounting() {
    let unit = UnitName::new("kubepods.slice", "", "kubepods-p1.slice").unwrap();
    let got = unit_properties(&unit, None, &Resources::default(), CgroupVersion::V1, V);
    assert_eq!(
        got[1],
        Property::new("Wants", Value::StrList(vec!["kubepods.slice".into()]))
    );
    assert!(!got.iter().any(|p| p.name == "PIDs" || p.name == "Delegate"));
    assert!(got.contains(&Property::bool("BlockIOAccounting", true)));
}

#[test]
fn oom_group_becomes_oom_policy_from_253_on_v2_only() {
    let unit = UnitName::parse_runtime("system.slice:ct:a1").unwrap();
    let r = unified(&[("memory.oom.group", "1")]);
    let has = |cg, v| {
        unit_properties(&unit, None, &r, cg, SystemdVersion(v))
            .contains(&Property::str("OOMPolicy", "kill"))
    };
    assert!(has(CgroupVersion::V2, 253));
    assert!(!has(CgroupVersion::V2, 252));
    assert!(!has(CgroupVersion::V1, 253));
    let mut typed = Resources::default();
    typed.memory.oom_group = Some(false);
    let got = unit_properties(&unit, None, &typed, CgroupVersion::V2, SystemdVersion(253));
    assert!(got.contains(&Property::str("OOMPolicy", "continue")));
}

#[test]
fn v2_memory_cpu_pids_io_and_masks_become_properties() {
    let mut r = Resources::default();
    r.memory.limit_bytes = Some(Limit::Value(64 << 20));
    r.memory.memory_and_swap_bytes = Some(Limit::Value(96 << 20));
    r.memory.reservation_bytes = Some(Limit::Value(1 << 20));
    r.memory.high_bytes = Some(Limit::Max);
    r.memory.min_bytes = Some(4096);
    r.cpu.shares = Some(1024);
    r.cpu.quota = Some(CpuQuota::Micros(12_345));
    r.cpu.period_us = Some(100_000);
    r.pids_max = Some(Limit::Value(0));
    r.block_io.weight = Some(500);
    r.cpuset.cpus = Some("0-1".into());
    r.cpuset.mems = Some("0".into());
    let (got, copy) = resource_properties(&r, CgroupVersion::V2, V, Vec::new()).unwrap();
    assert_eq!(
        got,
        [
            Property::u64("MemoryMax", 64 << 20),
            Property::u64("MemoryLow", 1 << 20),
            Property::u64("MemoryHigh", u64::MAX),
            Property::u64("MemoryMin", 4096),
            Property::u64("MemorySwapMax", 32 << 20),
            Property::u64("CPUWeight", 100),
            Property::u64("CPUQuotaPeriodUSec", 100_000),
            Property::u64("CPUQuotaPerSecUSec", 130_000),
            Property::u64("IOWeight", 4950),
            Property::u64("TasksMax", 1),
            Property::new("AllowedCPUs", Value::Bytes(vec![0x03])),
            Property::new("AllowedMemoryNodes", Value::Bytes(vec![0x01])),
        ]
    );
    assert_eq!(copy.cpu.quota, Some(CpuQuota::Micros(13_000)));
}

#[test]
fn v1_uses_memory_limit_shares_and_blockio_weight() {
    let mut r = Resources::default();
    r.memory.limit_bytes = Some(Limit::Max);
    r.cpu.shares = Some(512);
    r.block_io.weight = Some(300);
    r.pids_max = Some(Limit::Max);
    assert_eq!(
        props(&r, CgroupVersion::V1, V),
        [
            Property::u64("MemoryLimit", u64::MAX),
            Property::u64("CPUShares", 512),
            Property::u64("BlockIOWeight", 300),
            Property::u64("TasksMax", u64::MAX),
        ]
    );
}

#[test]
fn version_gates_drop_period_masks_and_idle_on_old_systemd() {
    let mut r = Resources::default();
    r.cpu.period_us = Some(50_000);
    r.cpu.idle = Some(true);
    r.cpu.weight = Some(300);
    r.cpuset.cpus = Some("0".into());
    assert_eq!(
        props(&r, CgroupVersion::V2, SystemdVersion(241)),
        [
            Property::u64("CPUWeight", 300),
            Property::u64("CPUQuotaPerSecUSec", u64::MAX),
        ]
    );
    let new = props(&r, CgroupVersion::V2, V);
    assert!(new.contains(&Property::u64("CPUWeight", 0)));
    assert!(new.contains(&Property::u64("CPUQuotaPeriodUSec", 50_000)));
    assert!(new.contains(&Property::new("AllowedCPUs", Value::Bytes(vec![1]))));
}

#[test]
fn unified_cpu_idle_and_weight_follow_the_reference_table() {
    let p = |pairs: &[(&str, &str)]| props(&unified(pairs), CgroupVersion::V2, V);
    assert_eq!(p(&[]), []);
    assert_eq!(p(&[("cpu.idle", "1")]), [Property::u64("CPUWeight", 0)]);
    assert_eq!(p(&[("cpu.idle", "0")]), []);
    assert_eq!(
        p(&[("cpu.idle", "1"), ("cpu.weight", "1000")]),
        [Property::u64("CPUWeight", 0)]
    );
    assert_eq!(
        p(&[("cpu.idle", "0"), ("cpu.weight", "1000")]),
        [Property::u64("CPUWeight", 1000)]
    );
    assert_eq!(p(&[("memory.oom.group", "1")]), []);
}

#[test]
fn unified_memory_pids_and_cpu_max_convert_and_rewrite_the_quota() {
    let r = unified(&[
        ("cpu.max", " 12345 100000 "),
        ("memory.max", "max"),
        ("memory.swap.max", "0"),
        ("pids.max", "0"),
        ("io.max", "8:0 rbps=1"),
    ]);
    let (got, copy) = resource_properties(&r, CgroupVersion::V2, V, Vec::new()).unwrap();
    assert_eq!(
        got,
        [
            Property::u64("CPUQuotaPeriodUSec", 100_000),
            Property::u64("CPUQuotaPerSecUSec", 130_000),
            Property::u64("MemoryMax", u64::MAX),
            Property::u64("MemorySwapMax", 0),
            Property::u64("TasksMax", 1),
        ]
    );
    assert_eq!(copy.unified["cpu.max"], "13000 100000");
    assert_eq!(copy.unified["io.max"], "8:0 rbps=1");
}

#[test]
fn bad_unified_keys_and_values_are_refused() {
    for (k, v) in [
        ("a/b.max", "1"),
        ("nodot", "1"),
        (".max", "1"),
        ("memory.max", "lots"),
        ("cpu.max", "1 2 3"),
        ("cpu.max", ""),
        ("cpuset.cpus", "3-1"),
    ] {
        let got = resource_properties(&unified(&[(k, v)]), CgroupVersion::V2, V, Vec::new());
        assert_eq!(got.unwrap_err().kind(), ErrorKind::InvalidValue, "{k}={v}");
    }
}

#[test]
fn device_properties_come_first() {
    let mut r = Resources::default();
    r.pids_max = Some(Limit::Value(5));
    let dev = vec![Property::str("DevicePolicy", "strict")];
    let (got, _) = resource_properties(&r, CgroupVersion::V2, V, dev).unwrap();
    assert_eq!(got[0].name, "DevicePolicy");
    assert_eq!(got[1], Property::u64("TasksMax", 5));
}
