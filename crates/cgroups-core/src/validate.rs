//! Validation of [`Resources`] before anything touches the kernel.
//!
//! [`validate`] refuses, naming the field ([`Error::field`]) and the value, what no
//! kernel of the given cgroup version accepts, and what a hostile config could use to
//! reach files outside the cgroup (unified keys, hugepage sizes). Drivers call it
//! first, so that a bad request writes nothing.
//!
//! Decisions for settings one version does not have:
//!
//! | field | on v1 | on v2 |
//! |---|---|---|
//! | `cpu.weight` | refused (use `shares`) | 1..=10000 |
//! | `cpu.shares` | 2..=262144 | any; converted and clamped (C17) |
//! | `memory.high_bytes`, `min_bytes`, `oom_group` | refused | accepted |
//! | `memory.oom_kill_disable = true` | accepted | refused: v2 cannot disable the OOM killer |
//! | `memory.swappiness` | 0..=100 | ignored with a `log::warn` (no such file) |
//! | `network` (`net_cls`, `net_prio`) | accepted | ignored with a `log::warn` (v1 only) |
//! | `unified` | refused | keys must be plain file names |
//! | `memory.memory_and_swap_bytes` | ≥ `limit_bytes` | the C19 rules |

use std::ops::RangeInclusive;

use crate::convert::memory_and_swap_to_swap_max;
use crate::{
    BlockIoResources, CpuQuota, CpuResources, Error, ErrorKind, Limit, MemoryResources, Resources,
    Result,
};

/// Which cgroup version the resources are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// cgroup v1.
    V1,
    /// cgroup v2.
    V2,
}

/// Checks every field of `resources` for `version`; the error names the first bad
/// field ([`Error::field`](crate::Error::field)) and its value. Nothing is written by
/// this function.
///
/// # Errors
///
/// [`ErrorKind::InvalidValue`] for an out-of-range or malformed value or a setting
/// the version does not have; [`ErrorKind::InvalidPath`] for a unified key or
/// hugepage size that is not a plain file name.
pub fn validate(resources: &Resources, version: Version) -> Result<()> {
    validate_cpu(&resources.cpu, version)?;
    validate_cpuset(resources)?;
    validate_memory(&resources.memory, version)?;
    validate_block_io(&resources.block_io)?;
    validate_hugetlb(resources)?;
    validate_rdma(resources)?;
    validate_network(resources, version)?;
    validate_unified(resources, version)
}

#[cold]
fn bad(field: &'static str, value: impl ToString, why: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidValue, why)
        .with_field(field)
        .with_value(value.to_string())
}

fn check_range<T>(field: &'static str, value: Option<T>, range: RangeInclusive<T>) -> Result<()>
where
    T: PartialOrd + std::fmt::Display + Copy,
{
    match value {
        Some(v) if !range.contains(&v) => Err(bad(
            field,
            v,
            format!("must be in {}..={}", range.start(), range.end()),
        )),
        _ => Ok(()),
    }
}

fn validate_cpu(cpu: &CpuResources, version: Version) -> Result<()> {
    if version == Version::V1 {
        check_range("cpu.shares", cpu.shares, 2..=262_144)?;
        if let Some(weight) = cpu.weight {
            return Err(bad(
                "cpu.weight",
                weight,
                "cpu.weight is cgroup v2 only; set shares",
            ));
        }
    }
    check_range("cpu.weight", cpu.weight, 1..=10_000)?;
    check_range("cpu.period_us", cpu.period_us, 1000..=1_000_000)?;
    if let Some(CpuQuota::Micros(q)) = cpu.quota
        && q < 1000
    {
        return Err(bad("cpu.quota", q, "a quota must be at least 1000 µs"));
    }
    Ok(())
}

fn validate_cpuset(resources: &Resources) -> Result<()> {
    let lists = [
        ("cpuset.cpus", &resources.cpuset.cpus),
        ("cpuset.mems", &resources.cpuset.mems),
    ];
    for (field, list) in lists {
        let Some(list) = list else { continue };
        match parse_cpuset_list(list) {
            Ok(ranges) if !ranges.is_empty() => {}
            Ok(_) => {
                return Err(bad(
                    field,
                    list,
                    "an empty list means \"inherit\": leave it unset",
                )
                .with_hint("use None to keep the parent's set (C16)"));
            }
            Err(err) => return Err(err.with_field(field)),
        }
    }
    Ok(())
}

/// Parses a cpuset list such as `0-2,7,12-14` into its ranges (C16).
///
/// Surrounding whitespace is ignored; `""` (or `"\n"`) gives no ranges, which on
/// reading means "not set: inherit from the parent". Ranges are returned as written,
/// never expanded, so a hostile `0-4294967295` costs nothing.
///
/// # Errors
///
/// [`ErrorKind::InvalidValue`] for anything else: `3-1`, `1-`, `0-3,*4^2`, `1,,2`.
pub fn parse_cpuset_list(text: &str) -> Result<Vec<RangeInclusive<u32>>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let malformed = || {
        Error::new(
            ErrorKind::InvalidValue,
            "not a cpuset list such as \"0-3,7\"",
        )
        .with_value(text)
    };
    let number = |s: &str| -> Result<u32> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        s.parse().map_err(|_| malformed())
    };
    let mut ranges = Vec::new();
    for item in text.split(',') {
        let range = match item.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (number(from)?, number(to)?);
                if from > to {
                    return Err(malformed());
                }
                from..=to
            }
            None => {
                let n = number(item)?;
                n..=n
            }
        };
        ranges.push(range);
    }
    Ok(ranges)
}

fn validate_memory(memory: &MemoryResources, version: Version) -> Result<()> {
    match version {
        Version::V1 => {
            check_range("memory.swappiness", memory.swappiness, 0..=100)?;
            let v2_only = [
                ("memory.high_bytes", memory.high_bytes.is_some()),
                ("memory.min_bytes", memory.min_bytes.is_some()),
                ("memory.oom_group", memory.oom_group.is_some()),
            ];
            if let Some((field, _)) = v2_only.iter().find(|(_, set)| *set) {
                return Err(bad(field, "set", "cgroup v1 has no such setting"));
            }
            if let (Some(Limit::Value(total)), Some(Limit::Value(mem))) =
                (memory.memory_and_swap_bytes, memory.limit_bytes)
                && total < mem
            {
                return Err(bad(
                    "memory.memory_and_swap_bytes",
                    total,
                    format!("memory+swap must be at least the memory limit ({mem})"),
                ));
            }
        }
        Version::V2 => {
            if memory.oom_kill_disable == Some(true) {
                return Err(bad(
                    "memory.oom_kill_disable",
                    true,
                    "cgroup v2 cannot disable the OOM killer",
                ));
            }
            if let Some(swappiness) = memory.swappiness {
                log::warn!("memory.swappiness {swappiness} ignored: cgroup v2 has no such file");
            }
            memory_and_swap_to_swap_max(memory.memory_and_swap_bytes, memory.limit_bytes)?;
        }
    }
    Ok(())
}

fn validate_block_io(block_io: &BlockIoResources) -> Result<()> {
    check_range("block_io.weight", block_io.weight, 10..=1000)?;
    check_range("block_io.leaf_weight", block_io.leaf_weight, 10..=1000)?;
    for device in &block_io.weight_devices {
        check_range("block_io.weight_devices.weight", device.weight, 10..=1000)?;
        check_range(
            "block_io.weight_devices.leaf_weight",
            device.leaf_weight,
            10..=1000,
        )?;
    }
    Ok(())
}

fn validate_hugetlb(resources: &Resources) -> Result<()> {
    const FIELD: &str = "hugetlb.page_size";
    for limit in &resources.hugetlb {
        let size = limit.page_size.as_str();
        if pathsafe::check_file_name(size).is_err() {
            return Err(Error::new(
                ErrorKind::InvalidPath,
                "a hugepage size must be a plain name",
            )
            .with_field(FIELD)
            .with_value(size));
        }
        if !is_page_size_name(size) {
            return Err(
                bad(FIELD, size, "not a hugepage size as cgroup files spell it").with_hint(
                    "use <number>KB, <number>MB or <number>GB, such as 2MB or 1GB (C12)",
                ),
            );
        }
    }
    Ok(())
}

/// `<digits>(KB|MB|GB)` without a leading zero, as in `hugetlb.2MB.max`.
fn is_page_size_name(size: &str) -> bool {
    let Some(digits) = ["KB", "MB", "GB"]
        .iter()
        .find_map(|unit| size.strip_suffix(unit))
    else {
        return false;
    };
    !digits.is_empty() && !digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

fn validate_rdma(resources: &Resources) -> Result<()> {
    for device in resources.rdma.keys() {
        if !is_plain_token(device, 64) {
            return Err(bad(
                "rdma",
                device,
                "an RDMA device name must be one plain token",
            ));
        }
    }
    Ok(())
}

/// Non-empty, at most `max` bytes, no whitespace, control character, `/` or `=`:
/// something that cannot change the meaning of a `rdma.max` or `net_prio.ifpriomap`
/// line.
fn is_plain_token(token: &str, max: usize) -> bool {
    !token.is_empty()
        && token.len() <= max
        && token
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != '/' && c != '=')
}

fn validate_network(resources: &Resources, version: Version) -> Result<()> {
    let network = &resources.network;
    if version == Version::V2 && (network.class_id.is_some() || !network.priorities.is_empty()) {
        log::warn!("net_cls/net_prio settings ignored: cgroup v2 has no such controllers");
        return Ok(());
    }
    for (interface, _) in &network.priorities {
        // IFNAMSIZ is 16 with the terminating NUL.
        if !is_plain_token(interface, 15) {
            return Err(bad(
                "network.priorities",
                interface,
                "not a network interface name",
            ));
        }
    }
    Ok(())
}

fn validate_unified(resources: &Resources, version: Version) -> Result<()> {
    if version == Version::V1 && !resources.unified.is_empty() {
        let keys: Vec<&str> = resources.unified.keys().map(String::as_str).collect();
        return Err(bad(
            "unified",
            keys.join(","),
            "unified settings need cgroup v2",
        ));
    }
    for key in resources.unified.keys() {
        if pathsafe::check_file_name(key).is_err() {
            return Err(Error::new(
                ErrorKind::InvalidPath,
                "a unified key must be a plain file name",
            )
            .with_field("unified")
            .with_value(key.as_str())
            .with_hint("use a file name of the cgroup directory, such as memory.high"));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
