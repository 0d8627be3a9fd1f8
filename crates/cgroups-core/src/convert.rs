//! Value conversions between the v1, v2 and OCI conventions, in one place.
//!
//! Each function documents the rule and the field case it answers.

use crate::{CpuQuota, Limit, Result};

/// v1 `cpu.shares` → v2 `cpu.weight` with the quadratic formula (C17): 0 → `None`
/// (unset), ≤ 2 → 1, ≥ 262144 → 10000, 1024 → 100.
pub fn shares_to_weight(shares: u64) -> Option<u64> {
    let _ = shares;
    todo!()
}

/// blkio weight (10..=1000) → `io.weight` (1..=10000): `1 + (w − 10) · 9999 / 990` (C18).
/// 0 → `None`; 1..=9 are refused by validation before this is called and clamp to 1.
pub fn blkio_weight_to_io_weight(weight: u16) -> Option<u64> {
    let _ = weight;
    todo!()
}

/// memory+swap (v1/OCI meaning) and memory → the value for `memory.swap.max` (C19).
/// `Ok(None)` = do not write the file.
pub fn memory_and_swap_to_swap_max(
    memory_and_swap: Option<Limit>,
    memory: Option<Limit>,
) -> Result<Option<Limit>> {
    let _ = (memory_and_swap, memory);
    todo!()
}

/// The `cpu.max` line to write when creating a cgroup (C20 create table); `None` = no
/// write. For an update, [`cpu_max_update`] keeps unset parts at their current value.
pub fn cpu_max_create(quota: Option<CpuQuota>, period_us: Option<u64>) -> Option<String> {
    let _ = (quota, period_us);
    todo!()
}

/// The `cpu.max` line for an update of a cgroup whose file currently reads `current`
/// (C20 update rule): a part not given keeps its current value.
pub fn cpu_max_update(
    quota: Option<CpuQuota>,
    period_us: Option<u64>,
    current: &str,
) -> Result<Option<String>> {
    let _ = (quota, period_us, current);
    todo!()
}

/// The text for `pids.max` (C21): `Max` → `max`, `Value(0)` → `1`, else the number.
pub fn pids_max_value(limit: Limit) -> String {
    let _ = limit;
    todo!()
}

/// OCI `pids.limit` → the model (C21): negative → `Max`, 0 → `Value(1)` (systemd parity).
pub fn pids_from_oci(limit: i64) -> Limit {
    let _ = limit;
    todo!()
}

/// OCI memory numbers (bytes; 0 = unset, −1 = unlimited) → the model (C22). Other
/// negative values are refused with a typed error naming `field`.
pub fn memory_from_oci(value: i64, field: &'static str) -> Result<Option<Limit>> {
    let _ = (value, field);
    todo!()
}

/// The text a v2 limit file takes: `max` or the number.
pub fn limit_value(limit: Limit) -> String {
    match limit {
        Limit::Max => "max".to_owned(),
        Limit::Value(v) => v.to_string(),
    }
}
