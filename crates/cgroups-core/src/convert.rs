//! Value conversions between the v1, v2 and OCI conventions, in one place.
//!
//! Each function documents the rule and the field case it answers.

use crate::{CpuQuota, Error, ErrorKind, Limit, Result};

/// v1 `cpu.shares` → v2 `cpu.weight` with the quadratic formula (C17): 0 → `None`
/// (unset), ≤ 2 → 1, ≥ 262144 → 10000, 1024 → 100.
///
/// Between the ends, with `l = log2(shares)`, the weight is
/// `ceil(10^((l² + 125·l)/612 − 7/34))`, a parabola in log space through
/// (2, 1), (1024, 100) and (262144, 10000), so the v1 default maps to the v2 default.
/// The exponent is computed as `(l² + 125·l − 126)/612`, the same value with one
/// rounding fewer, which makes 1024 land exactly on 2.0 (and 100, not 101).
/// The old linear formula (`1 + (s − 2)·9999/262142`, runc ≤ 1.3) gave 1024 → 39.
pub fn shares_to_weight(shares: u64) -> Option<u64> {
    const MAX_SHARES: u64 = 262_144;
    match shares {
        0 => None,
        1..=2 => Some(1),
        MAX_SHARES.. => Some(10_000),
        _ => {
            let l = (shares as f64).log2();
            let exponent = (l * l + 125.0 * l - 126.0) / 612.0;
            let weight = 10f64.powf(exponent).ceil();
            // The parabola is monotonic between the ends, so this only guards
            // against a libm rounding surprise.
            Some((weight as u64).clamp(1, 10_000))
        }
    }
}

/// blkio weight (10..=1000) → `io.weight` (1..=10000): `1 + (w − 10) · 9999 / 990` (C18).
/// 0 → `None`; 1..=9 are refused by validation before this is called and clamp to 1.
/// Values above 1000 (also refused by validation) clamp to 10000. Computed in 64-bit
/// integers (runc once did it in 16 bits and wrapped).
pub fn blkio_weight_to_io_weight(weight: u16) -> Option<u64> {
    match weight {
        0 => None,
        1..=10 => Some(1),
        w => Some((1 + (u64::from(w) - 10) * 9999 / 990).min(10_000)),
    }
}

/// The field named in memory+swap conversion errors.
const MEMORY_AND_SWAP_FIELD: &str = "memory.memory_and_swap_bytes";

/// memory+swap (v1/OCI meaning) and memory → the value for `memory.swap.max` (C19).
/// `Ok(None)` = do not write the file.
///
/// Rules, in order:
/// 1. memory `Max` and memory+swap unset → `Max` (both unlimited);
/// 2. memory+swap unset → `None`; memory+swap `Max` → `Max`;
/// 3. memory `Max` → memory+swap as given (it is then the swap limit);
/// 4. no memory limit → error (swap cannot be derived);
/// 5. memory+swap below memory → error;
/// 6. otherwise the difference; `Value(0)` means "write `0`": swap disabled.
///
/// # Errors
///
/// [`ErrorKind::InvalidValue`] naming `memory.memory_and_swap_bytes`.
pub fn memory_and_swap_to_swap_max(
    memory_and_swap: Option<Limit>,
    memory: Option<Limit>,
) -> Result<Option<Limit>> {
    match (memory_and_swap, memory) {
        (None, Some(Limit::Max)) => Ok(Some(Limit::Max)),
        (None, _) => Ok(None),
        (Some(Limit::Max), _) => Ok(Some(Limit::Max)),
        (Some(total), Some(Limit::Max)) => Ok(Some(total)),
        (Some(Limit::Value(total)), None) => Err(Error::new(
            ErrorKind::InvalidValue,
            "memory+swap is set but memory is not: the swap limit cannot be derived",
        )
        .with_field(MEMORY_AND_SWAP_FIELD)
        .with_value(total.to_string())
        .with_hint("set memory.limit_bytes too, or set memory+swap to Max")),
        (Some(Limit::Value(total)), Some(Limit::Value(mem))) => match total.checked_sub(mem) {
            Some(swap) => Ok(Some(Limit::Value(swap))),
            None => Err(Error::new(
                ErrorKind::InvalidValue,
                format!("memory+swap must be at least the memory limit ({mem})"),
            )
            .with_field(MEMORY_AND_SWAP_FIELD)
            .with_value(total.to_string())),
        },
    }
}

/// The period the kernel uses when none is given, in µs.
pub const DEFAULT_CPU_PERIOD_US: u64 = 100_000;

/// The `cpu.max` line to write when creating a cgroup (C20 create table); `None` = no
/// write. For an update, [`cpu_max_update`] keeps unset parts at their current value.
///
/// An unset quota with a period is written as `max <period>`; an unset period is the
/// default 100000 µs.
pub fn cpu_max_create(quota: Option<CpuQuota>, period_us: Option<u64>) -> Option<String> {
    if quota.is_none() && period_us.is_none() {
        return None;
    }
    let quota = quota.unwrap_or(CpuQuota::Max);
    Some(cpu_max_line(
        quota,
        period_us.unwrap_or(DEFAULT_CPU_PERIOD_US),
    ))
}

/// The `cpu.max` line for an update of a cgroup whose file currently reads `current`
/// (C20 update rule): a part not given keeps its current value.
///
/// # Errors
///
/// [`ErrorKind::Parse`] when `current` is not `<quota|max> [<period>]`.
pub fn cpu_max_update(
    quota: Option<CpuQuota>,
    period_us: Option<u64>,
    current: &str,
) -> Result<Option<String>> {
    if quota.is_none() && period_us.is_none() {
        return Ok(None);
    }
    let (current_quota, current_period) = parse_cpu_max(current)?;
    let quota = quota.unwrap_or(current_quota);
    let period = period_us.unwrap_or(current_period);
    Ok(Some(cpu_max_line(quota, period)))
}

fn cpu_max_line(quota: CpuQuota, period_us: u64) -> String {
    match quota {
        CpuQuota::Max => format!("max {period_us}"),
        CpuQuota::Micros(q) => format!("{q} {period_us}"),
    }
}

/// Parses `cpu.max` text: `max 100000`, `50000 100000`, or a quota alone.
pub fn parse_cpu_max(text: &str) -> Result<(CpuQuota, u64)> {
    let bad = || {
        Error::new(ErrorKind::Parse, "cpu.max is not \"<quota|max> <period>\"")
            .with_path("cpu.max")
            .with_value(text.trim())
    };
    let mut fields = text.split_whitespace();
    let quota = match fields.next().ok_or_else(bad)? {
        "max" => CpuQuota::Max,
        q => CpuQuota::Micros(q.parse().map_err(|_| bad())?),
    };
    let period = match fields.next() {
        Some(p) => p.parse().map_err(|_| bad())?,
        None => DEFAULT_CPU_PERIOD_US,
    };
    if fields.next().is_some() {
        return Err(bad());
    }
    Ok((quota, period))
}

/// The text for `pids.max` (C21): `Max` → `max`, `Value(0)` → `1`, else the number.
///
/// A limit of 0 would let no task in; systemd refuses `TasksMax=0`, so every driver
/// writes 1 and they agree.
pub fn pids_max_value(limit: Limit) -> String {
    match limit {
        Limit::Max => "max".to_owned(),
        Limit::Value(0) => "1".to_owned(),
        Limit::Value(n) => n.to_string(),
    }
}

/// OCI `pids.limit` → the model (C21): negative → `Max`, 0 → `Value(1)` (systemd parity).
pub fn pids_from_oci(limit: i64) -> Limit {
    match limit {
        i64::MIN..=-1 => Limit::Max,
        0 => Limit::Value(1),
        n => Limit::Value(n.unsigned_abs()),
    }
}

/// OCI memory numbers (bytes; 0 = unset, −1 = unlimited) → the model (C22). Other
/// negative values are refused with a typed error naming `field`.
///
/// runc writes such values and lets the kernel refuse them; the typed model cannot
/// carry them, so they are refused here, with the same outcome: an error, never a
/// silent `max`.
pub fn memory_from_oci(value: i64, field: &'static str) -> Result<Option<Limit>> {
    signed_limit_from_oci(value, field, "a byte count")
}

fn signed_limit_from_oci(value: i64, field: &'static str, unit: &str) -> Result<Option<Limit>> {
    match value {
        0 => Ok(None),
        -1 => Ok(Some(Limit::Max)),
        v if v < 0 => Err(Error::new(
            ErrorKind::InvalidValue,
            format!("negative value other than -1 (unlimited); expected {unit}"),
        )
        .with_field(field)
        .with_value(v.to_string())
        .with_hint("use -1 for unlimited or 0 to leave the value unset")),
        v => Ok(Some(Limit::Value(v.unsigned_abs()))),
    }
}

/// OCI `cpu.quota` (µs; 0 = unset, negative = unlimited) → the model (C20).
pub fn cpu_quota_from_oci(quota: i64) -> Option<CpuQuota> {
    match quota {
        0 => None,
        q if q < 0 => Some(CpuQuota::Max),
        q => Some(CpuQuota::Micros(q.unsigned_abs())),
    }
}

/// An OCI number where 0 means "unset" (`cpu.period`, `cpu.shares`, blkio weights,
/// `cpu.realtimePeriod`) → `None` for 0.
pub fn nonzero_from_oci(value: u64) -> Option<u64> {
    (value != 0).then_some(value)
}

/// OCI `cpu.realtimeRuntime` (µs; 0 = unset, −1 = unlimited) → the model. Other
/// negative values are refused naming `field`.
pub fn realtime_runtime_from_oci(value: i64, field: &'static str) -> Result<Option<Limit>> {
    signed_limit_from_oci(value, field, "microseconds")
}

/// The text a v2 limit file takes: `max` or the number.
pub fn limit_value(limit: Limit) -> String {
    match limit {
        Limit::Max => "max".to_owned(),
        Limit::Value(v) => v.to_string(),
    }
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
