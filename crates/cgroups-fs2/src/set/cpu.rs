//! CPU: `cpu.idle`, `cpu.weight`, `cpu.max.burst`, `cpu.max`.

use cgroups_core::convert::{cpu_max_create, cpu_max_update, shares_to_weight};
use cgroups_core::{CpuResources, Result};
use rustix::io::Errno;

use crate::files::Files;

/// Whether `cpu.max` is written from scratch or as an update of its current value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CpuMaxMode {
    /// The cgroup was just made by this manager and this is its first `set`: the C20
    /// create table applies (an unset period is 100000, an unset quota `max`).
    Create,
    /// Any other case: a part that is not given keeps its current value (C20 update
    /// rule), so an update with only a period keeps the quota.
    Update,
}

/// Writes the CPU settings in the reference order: `cpu.idle` first, then the weight
/// (`weight`, or `shares` converted with the quadratic formula), `cpu.max.burst`,
/// `cpu.max`, and the burst again if the kernel refused it before the new quota.
///
/// The kernel refuses a burst larger than the current quota with EINVAL; when the
/// same request also sets a quota, the burst is retried after `cpu.max`.
pub(crate) fn write(files: &dyn Files, c: &CpuResources, mode: CpuMaxMode) -> Result<()> {
    if let Some(idle) = c.idle {
        files.write("cpu.idle", if idle { "1" } else { "0" })?;
    }
    if let Some(weight) = c.weight.or_else(|| c.shares.and_then(shares_to_weight)) {
        files.write("cpu.weight", &weight.to_string())?;
    }
    let mut deferred_burst = None;
    if let Some(burst) = c.burst_us {
        match files.write("cpu.max.burst", &burst.to_string()) {
            Err(e) if e.errno() == Some(Errno::INVAL.raw_os_error()) && c.quota.is_some() => {
                log::debug!("cpu.max.burst {burst} refused before the new quota; retrying after");
                deferred_burst = Some(burst);
            }
            other => other?,
        }
    }
    let line = match mode {
        CpuMaxMode::Create => cpu_max_create(c.quota, c.period_us),
        CpuMaxMode::Update if c.quota.is_some() || c.period_us.is_some() => {
            let current = files.read("cpu.max")?;
            cpu_max_update(c.quota, c.period_us, &current)?
        }
        CpuMaxMode::Update => None,
    };
    if let Some(line) = line {
        files.write("cpu.max", &line)?;
    }
    if let Some(burst) = deferred_burst {
        files.write("cpu.max.burst", &burst.to_string())?;
    }
    Ok(())
}
