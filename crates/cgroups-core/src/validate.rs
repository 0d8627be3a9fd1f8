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
//! | `cpu.shares = 0` | refused (2..=262144) | refused (it would be dropped silently) |
//!
//! Numbers that no kernel accepts are refused on both versions, so that a request
//! never fails part-way on a value that could have been checked before the first
//! write:
//!
//! | field | accepted | why |
//! |---|---|---|
//! | `cpu.quota` | `Micros` 1000 ..= 2^44 − 1 ([`CPU_QUOTA_MAX_US`]) | the kernel's bandwidth limit (`EINVAL` above) |
//! | `cpu.burst_us` | ≤ 2^44 − 1, and ≤ the quota when the request sets one | the kernel refuses a burst above the quota (`EINVAL`) |
//! | `pids_max` | `Value` ≤ 4194304 ([`PIDS_MAX`]) | `PID_MAX_LIMIT`; larger values are `EINVAL` (use `Limit::Max`) |
//! | `cpuset.cpus`, `cpuset.mems` | numbers ≤ 65535 ([`CPUSET_ID_MAX`]) | far above any kernel's `NR_CPUS` (8192) and `MAX_NUMNODES` (1024) |
//! | `hugetlb.page_size` | a power of two in the kernel's spelling | `2048KB` is spelled `2MB` by the kernel; sizes that overflow 64 bits name no file |
//! | `unified` keys | not `cgroup.procs`, `cgroup.threads`, `cgroup.kill`, `cgroup.freeze`, `cgroup.subtree_control`, `cgroup.type` | they have their own APIs (moving, killing, freezing, enabling) |
//! | `unified` values | not empty, no NUL byte, no blank line | an empty write can read as 0 (C19) |
//!
//! What only the kernel can decide (a controller that is not enabled, a hugepage
//! size this machine lacks, a burst above the quota already in place, a limit below
//! current usage, a value a kernel file refuses) can still fail part-way: see
//! [`Manager::set`](crate::Manager::set) for what may then remain.

use std::ops::RangeInclusive;

#[path = "validate_unified.rs"]
mod unified;

use crate::convert::memory_and_swap_to_swap_max;
use crate::{
    BlockIoResources, CpuQuota, CpuResources, Error, ErrorKind, Limit, MemoryResources, Resources,
    Result,
};

/// The largest CPU quota (and burst) any kernel accepts, in µs: 2^44 − 1, the
/// kernel's `MAX_BW` (bandwidth is kept in 64-bit nanoseconds with 20 bits of
/// fraction). About 203 days per period: anything larger is `CpuQuota::Max`.
pub const CPU_QUOTA_MAX_US: u64 = (1 << 44) - 1;

/// The largest `pids.max` any kernel accepts: `PID_MAX_LIMIT` (2^22) on 64-bit
/// kernels; the kernel refuses larger values with `EINVAL`.
pub const PIDS_MAX: u64 = 4_194_304;

/// The largest CPU or memory-node number accepted in a cpuset list. Far above any
/// kernel configuration (`NR_CPUS` ≤ 8192, `MAX_NUMNODES` ≤ 1024), so it refuses only
/// numbers no kernel can have, such as `0-4294967295`.
pub const CPUSET_ID_MAX: u32 = 65_535;

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
    validate_pids(resources.pids_max)?;
    validate_memory(&resources.memory, version)?;
    validate_block_io(&resources.block_io)?;
    validate_hugetlb(resources)?;
    validate_rdma(resources)?;
    validate_network(resources, version)?;
    unified::validate_unified(&resources.unified, version)
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
    if version == Version::V2 && cpu.shares == Some(0) {
        return Err(bad(
            "cpu.shares",
            0,
            "shares 0 has no cpu.weight: leave shares unset (None) to keep the weight",
        ));
    }
    check_range("cpu.weight", cpu.weight, 1..=10_000)?;
    check_range("cpu.period_us", cpu.period_us, 1000..=1_000_000)?;
    if let Some(CpuQuota::Micros(q)) = cpu.quota {
        check_range("cpu.quota", Some(q), 1000..=CPU_QUOTA_MAX_US).map_err(|e| {
            e.with_hint("a quota above 2^44 - 1 µs is refused by the kernel: use CpuQuota::Max")
        })?;
    }
    check_range("cpu.burst_us", cpu.burst_us, 0..=CPU_QUOTA_MAX_US)?;
    if let (Some(burst), Some(CpuQuota::Micros(quota))) = (cpu.burst_us, cpu.quota)
        && burst > quota
    {
        return Err(bad(
            "cpu.burst_us",
            burst,
            format!("the burst may not exceed the quota ({quota} µs): the kernel refuses it"),
        ));
    }
    Ok(())
}

fn validate_pids(pids_max: Option<Limit>) -> Result<()> {
    match pids_max {
        Some(Limit::Value(n)) if n > PIDS_MAX => Err(bad(
            "pids_max",
            n,
            format!("more than {PIDS_MAX} (PID_MAX_LIMIT): the kernel refuses it"),
        )
        .with_hint("use Limit::Max for no limit")),
        _ => Ok(()),
    }
}

fn validate_cpuset(resources: &Resources) -> Result<()> {
    let lists = [
        ("cpuset.cpus", &resources.cpuset.cpus),
        ("cpuset.mems", &resources.cpuset.mems),
    ];
    for (field, list) in lists {
        let Some(list) = list else { continue };
        match parse_cpuset_list(list) {
            Ok(ranges) if ranges.iter().any(|r| *r.end() > CPUSET_ID_MAX) => {
                return Err(bad(
                    field,
                    list,
                    format!("a CPU or node number above {CPUSET_ID_MAX} exists on no kernel"),
                ));
            }
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
        if let Err(why) = check_page_size_name(size) {
            return Err(bad(FIELD, size, why)
                .with_hint("use <number>KB, <number>MB or <number>GB, such as 2MB or 1GB (C12)"));
        }
    }
    Ok(())
}

/// Whether `size` is a hugepage size as the kernel names it in `hugetlb.<size>.*`:
/// `<digits>(KB|MB|GB)` without a leading zero, a power of two that fits in 64 bits,
/// in the largest unit it is at least one of (the kernel writes 2 MiB as `2MB`,
/// never `2048KB`).
fn check_page_size_name(size: &str) -> std::result::Result<(), String> {
    const UNITS: [(&str, u64); 3] = [("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30)];
    let spelled = "not a hugepage size as cgroup files spell it".to_owned();
    let Some((digits, unit)) = UNITS
        .iter()
        .find_map(|(suffix, unit)| Some((size.strip_suffix(suffix)?, *unit)))
    else {
        return Err(spelled);
    };
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(spelled);
    }
    let bytes = digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| "the size does not fit in 64 bits: no such hugepage size".to_owned())?;
    if !bytes.is_power_of_two() {
        return Err("hugepage sizes are powers of two".to_owned());
    }
    let (name, canonical) = UNITS
        .iter()
        .rev()
        .find(|(_, u)| bytes >= *u)
        .copied()
        .unwrap_or(UNITS[0]);
    if canonical != unit {
        return Err(format!(
            "the kernel spells this size {}{name}",
            bytes / canonical
        ));
    }
    Ok(())
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

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
