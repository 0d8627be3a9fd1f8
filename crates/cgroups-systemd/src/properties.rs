//! The properties of a new unit, and the properties that carry [`Resources`].
//!
//! No limit is sent when the unit starts: [`unit_properties`] only names the unit,
//! its slice, its process and turns accounting on; the limits follow with
//! `SetUnitProperties` from [`resource_properties`], then the fs driver writes the
//! same values and what systemd has no property for.

use cgroups_core::convert::{
    blkio_weight_to_io_weight, memory_and_swap_to_swap_max, shares_to_weight,
};
use cgroups_core::{Limit, Resources};

use crate::cpu::{quota_per_sec, range_to_bits};
use crate::error::{Error, ErrorKind, Result};
use crate::property::{Property, Value};
use crate::unit::{UnitKind, UnitName};
use crate::version::SystemdVersion;

/// Which cgroup version the unit's controllers are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CgroupVersion {
    /// Legacy (v1 controllers; `MemoryLimit`, `CPUShares`, `BlockIOWeight`).
    V1,
    /// Unified (`MemoryMax`, `CPUWeight`, `IOWeight`).
    V2,
}

/// The properties of `StartTransientUnit` for `unit`: `Description`, `Slice` and
/// `Delegate` (scope) or `Wants` (slice), `PIDs` when a pid is given, accounting,
/// `DefaultDependencies=false`, and on v2 `OOMPolicy` from `memory.oom_group`
/// (systemd ≥ 253; `true` → `kill`, `false` → `continue`).
pub fn unit_properties(
    unit: &UnitName,
    pid: Option<u32>,
    resources: &Resources,
    cgroup: CgroupVersion,
    version: SystemdVersion,
) -> Vec<Property> {
    let mut props = vec![Property::str(
        "Description",
        format!("cgroups-rs unit {}", unit.name()),
    )];
    match unit.kind() {
        UnitKind::Slice => props.push(Property::new(
            "Wants",
            Value::StrList(vec![unit.parent().to_owned()]),
        )),
        UnitKind::Scope => {
            props.push(Property::str("Slice", unit.parent()));
            props.push(Property::bool("Delegate", true));
        }
    }
    if let Some(pid) = pid {
        props.push(Property::new("PIDs", Value::U32List(vec![pid])));
    }
    for name in ["MemoryAccounting", "CPUAccounting", "TasksAccounting"] {
        props.push(Property::bool(name, true));
    }
    props.push(Property::bool(
        match cgroup {
            CgroupVersion::V1 => "BlockIOAccounting",
            CgroupVersion::V2 => "IOAccounting",
        },
        true,
    ));
    props.push(Property::bool("DefaultDependencies", false));
    let oom_group = match resources.unified.get("memory.oom.group").map(|v| v.trim()) {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => resources.memory.oom_group,
    };
    if let (CgroupVersion::V2, Some(group), true) =
        (cgroup, oom_group, version.has_scope_oom_policy())
    {
        let policy = if group { "kill" } else { "continue" };
        props.push(Property::str("OOMPolicy", policy));
    }
    props
}

/// The properties that carry `resources`, and a copy of `resources` with the CPU
/// quota rounded as systemd stores it (write that copy with the fs driver, so both
/// agree). Device properties come first (see
/// [`device_properties`](crate::device_props::device_properties)); pass them in
/// `device_props`.
///
/// v1: `MemoryLimit`, `CPUShares`, `CPUQuotaPeriodUSec` (≥ 242), `CPUQuotaPerSecUSec`,
/// `BlockIOWeight`, `TasksMax`, `AllowedCPUs`/`AllowedMemoryNodes` (≥ 244).
/// v2: `MemoryMax`, `MemoryLow`, `MemoryHigh`, `MemoryMin`, `MemorySwapMax`,
/// `CPUWeight` (`cpu.idle` → `CPUWeight=0` on ≥ 252, else weight or converted
/// shares), the quota, `IOWeight` (converted blkio weight), `TasksMax`, the masks,
/// then the `unified` keys systemd knows (`cpu.weight`, `cpu.max`, `cpuset.cpus`,
/// `cpuset.mems`, `memory.{high,low,min,max,swap.max}`, `pids.max`). Unlimited is
/// `u64::MAX`; a pids limit of 0 becomes 1.
///
/// # Errors
///
/// [`ErrorKind::InvalidValue`] for a cpuset list that is no list, a `unified` key or
/// value that cannot be converted, memory+swap that cannot give a swap limit.
pub fn resource_properties(
    resources: &Resources,
    cgroup: CgroupVersion,
    version: SystemdVersion,
    device_props: Vec<Property>,
) -> Result<(Vec<Property>, Resources)> {
    let mut props = device_props;
    let mut copy = resources.clone();
    let mem = &resources.memory;
    let cpu = &resources.cpu;
    let limit = |l: Limit| match l {
        Limit::Max => u64::MAX,
        Limit::Value(v) => v,
    };
    match cgroup {
        CgroupVersion::V1 => {
            if let Some(l) = mem.limit_bytes {
                props.push(Property::u64("MemoryLimit", limit(l)));
            }
            if let Some(shares) = cpu.shares {
                props.push(Property::u64("CPUShares", shares));
            }
        }
        CgroupVersion::V2 => {
            let pairs = [
                ("MemoryMax", mem.limit_bytes),
                ("MemoryLow", mem.reservation_bytes),
                ("MemoryHigh", mem.high_bytes),
                ("MemoryMin", mem.min_bytes.map(Limit::Value)),
            ];
            for (name, value) in pairs {
                if let Some(l) = value {
                    props.push(Property::u64(name, limit(l)));
                }
            }
            let swap = memory_and_swap_to_swap_max(mem.memory_and_swap_bytes, mem.limit_bytes)
                .map_err(|e| bad_value("memory+swap", e.to_string()))?;
            if let Some(l) = swap {
                props.push(Property::u64("MemorySwapMax", limit(l)));
            }
            if cpu.idle == Some(true) && version.has_cpu_idle() {
                props.push(Property::u64("CPUWeight", 0));
            } else if let Some(w) = cpu.weight.or_else(|| cpu.shares.and_then(shares_to_weight)) {
                props.push(Property::u64("CPUWeight", w));
            }
        }
    }
    push_quota(&mut props, &mut copy, version);
    match (cgroup, resources.block_io.weight) {
        (CgroupVersion::V1, Some(w)) => props.push(Property::u64("BlockIOWeight", w.into())),
        (CgroupVersion::V2, Some(w)) => {
            if let Some(w) = blkio_weight_to_io_weight(w) {
                props.push(Property::u64("IOWeight", w));
            }
        }
        _ => {}
    }
    if let Some(l) = resources.pids_max {
        props.push(Property::u64("TasksMax", tasks_max(l)));
    }
    let cpuset = [
        ("AllowedCPUs", resources.cpuset.cpus.as_deref()),
        ("AllowedMemoryNodes", resources.cpuset.mems.as_deref()),
    ];
    for (name, list) in cpuset {
        if let (Some(list), true) = (list, version.has_allowed_cpus()) {
            props.push(Property::new(name, Value::Bytes(range_to_bits(list)?)));
        }
    }
    if cgroup == CgroupVersion::V2 {
        crate::unified::push_unified(&mut props, &mut copy, version)?;
    }
    Ok((props, copy))
}

fn push_quota(props: &mut Vec<Property>, copy: &mut Resources, version: SystemdVersion) {
    let (quota, period) = (copy.cpu.quota, copy.cpu.period_us);
    if let (Some(p), true) = (period, version.has_cpu_quota_period()) {
        props.push(Property::u64("CPUQuotaPeriodUSec", p));
    }
    if let Some((per_sec, rewritten)) = quota_per_sec(quota, period) {
        props.push(Property::u64("CPUQuotaPerSecUSec", per_sec));
        copy.cpu.quota = rewritten;
    }
}

pub(crate) fn tasks_max(l: Limit) -> u64 {
    match l {
        Limit::Max => u64::MAX,
        Limit::Value(0) => 1,
        Limit::Value(v) => v,
    }
}

#[cold]
pub(crate) fn bad_value(what: &str, value: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::InvalidValue,
        format!("cannot convert {what} to a systemd property"),
    )
    .with_value(value)
}

#[cfg(test)]
#[path = "properties_tests.rs"]
mod tests;
