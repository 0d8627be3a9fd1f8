//! Raw cgroup v2 keys (`Resources::unified`) that systemd has a property for.
//!
//! Keys systemd does not know are left to the fs2 driver, which writes every key
//! last anyway; the properties only keep systemd's view in step.

use cgroups_core::{CpuQuota, Limit, Resources};

use crate::cpu::{quota_per_sec, range_to_bits};
use crate::error::Result;
use crate::properties::{bad_value, tasks_max};
use crate::property::{Property, Value};
use crate::version::SystemdVersion;

/// Appends the properties of the known `unified` keys; a `cpu.max` key is rewritten
/// in `copy` with the rounded quota.
pub(crate) fn push_unified(
    props: &mut Vec<Property>,
    copy: &mut Resources,
    version: SystemdVersion,
) -> Result<()> {
    let unified = copy.unified.clone();
    let idle = unified.get("cpu.idle").map(|v| v.trim()) == Some("1") && version.has_cpu_idle();
    if idle {
        props.push(Property::u64("CPUWeight", 0));
    }
    for (key, value) in &unified {
        check_key(key)?;
        let value = value.trim();
        let memory =
            |name: &str| -> Result<Property> { Ok(Property::u64(name, limit(key, value)?)) };
        match key.as_str() {
            "cpu.weight" if idle => log::warn!("cpu.idle=1 wins over cpu.weight={value}"),
            "cpu.weight" => props.push(Property::u64("CPUWeight", number(key, value)?)),
            "cpu.max" => {
                let (quota, period) = cpu_max(key, value)?;
                if let (Some(p), true) = (period, version.has_cpu_quota_period()) {
                    props.push(Property::u64("CPUQuotaPeriodUSec", p));
                }
                if let Some((per_sec, rewritten)) = quota_per_sec(Some(quota), period) {
                    props.push(Property::u64("CPUQuotaPerSecUSec", per_sec));
                    if let Some(CpuQuota::Micros(q)) = rewritten {
                        let period = period.unwrap_or(cgroups_core::convert::DEFAULT_CPU_PERIOD_US);
                        copy.unified.insert(key.clone(), format!("{q} {period}"));
                    }
                }
            }
            "cpuset.cpus" | "cpuset.mems" if version.has_allowed_cpus() => {
                let name = match key.as_str() {
                    "cpuset.cpus" => "AllowedCPUs",
                    _ => "AllowedMemoryNodes",
                };
                props.push(Property::new(name, Value::Bytes(range_to_bits(value)?)));
            }
            "memory.high" => props.push(memory("MemoryHigh")?),
            "memory.low" => props.push(memory("MemoryLow")?),
            "memory.min" => props.push(memory("MemoryMin")?),
            "memory.max" => props.push(memory("MemoryMax")?),
            "memory.swap.max" => props.push(memory("MemorySwapMax")?),
            "pids.max" => {
                let l = match limit(key, value)? {
                    u64::MAX => Limit::Max,
                    v => Limit::Value(v),
                };
                props.push(Property::u64("TasksMax", tasks_max(l)));
            }
            _ => log::debug!("unified key {key} has no systemd property"),
        }
    }
    Ok(())
}

fn check_key(key: &str) -> Result<()> {
    match key.find('.') {
        _ if key.contains('/') => Err(bad_value("a unified key with '/'", key)),
        None | Some(0) => Err(bad_value("a unified key without a controller prefix", key)),
        Some(_) => Ok(()),
    }
}

fn number(key: &str, value: &str) -> Result<u64> {
    value.parse().map_err(|_| bad_value(key, value))
}

fn limit(key: &str, value: &str) -> Result<u64> {
    match value {
        "max" => Ok(u64::MAX),
        v => number(key, v),
    }
}

fn cpu_max(key: &str, value: &str) -> Result<(CpuQuota, Option<u64>)> {
    let mut fields = value.split_ascii_whitespace();
    let quota = match fields.next() {
        Some("max") => CpuQuota::Max,
        Some(q) => CpuQuota::Micros(number(key, q)?),
        None => return Err(bad_value(key, value)),
    };
    let period = fields.next().map(|p| number(key, p)).transpose()?;
    match fields.next() {
        Some(_) => Err(bad_value(key, value)),
        None => Ok((quota, period)),
    }
}
