//! Memory: `memory.swap.max` (first), `memory.max`, `memory.low`, `memory.high`,
//! `memory.min`, `memory.oom.group`.

use cgroups_core::convert::{limit_value, memory_and_swap_to_swap_max};
use cgroups_core::{Error, ErrorKind, Limit, MemoryResources, Result};
use rustix::io::Errno;

use crate::files::Files;

/// Writes the memory settings in the reference order.
///
/// `memory.swap.max` comes first and holds the converted value (C19): the model keeps
/// the v1/OCI meaning "memory + swap". A computed `0` (memory+swap equal to memory) is
/// written as `0` and disables swap; "unset" writes nothing. When the kernel has no
/// swap accounting the file is missing: that is fine for `max` and `0` (both mean
/// "no swap limit beyond what exists"), an error for any other value.
///
/// Only [`Limit::Max`] becomes `max` (C22): the model cannot express other negative
/// numbers, the OCI edge refuses them.
pub(crate) fn write(files: &dyn Files, m: &MemoryResources) -> Result<()> {
    if m.check_before_update {
        check_usage(files, m)?;
    }
    if let Some(swap) = memory_and_swap_to_swap_max(m.memory_and_swap_bytes, m.limit_bytes)? {
        write_swap(files, swap)?;
    }
    if let Some(limit) = m.limit_bytes {
        files.write("memory.max", &limit_value(limit))?;
    }
    if let Some(low) = m.reservation_bytes {
        files.write("memory.low", &limit_value(low))?;
    }
    if let Some(high) = m.high_bytes {
        files.write("memory.high", &limit_value(high))?;
    }
    if let Some(min) = m.min_bytes {
        files.write("memory.min", &min.to_string())?;
    }
    if let Some(group) = m.oom_group {
        files.write("memory.oom.group", if group { "1" } else { "0" })?;
    }
    Ok(())
}

fn write_swap(files: &dyn Files, swap: Limit) -> Result<()> {
    let value = limit_value(swap);
    match files.write("memory.swap.max", &value) {
        Err(e)
            if e.errno() == Some(Errno::NOENT.raw_os_error())
                && matches!(swap, Limit::Max | Limit::Value(0)) =>
        {
            log::debug!("no memory.swap.max (swap accounting off): {value} needs no write");
            Ok(())
        }
        other => other,
    }
}

/// Refuses a limit at or below the current usage (`memory.current`), before anything
/// is written. A usage that cannot be read skips the check, as in the reference.
fn check_usage(files: &dyn Files, m: &MemoryResources) -> Result<()> {
    let positive = |l: Option<Limit>| match l {
        Some(Limit::Value(v)) if v > 0 => Some(v),
        _ => None,
    };
    let limit = positive(m.limit_bytes);
    let total = positive(m.memory_and_swap_bytes);
    if limit.is_none() && total.is_none() {
        return Ok(());
    }
    let usage = match files
        .read("memory.current")
        .map(|s| s.trim().parse::<u64>())
    {
        Ok(Ok(usage)) => usage,
        other => {
            log::debug!("memory usage unknown, limit not checked: {other:?}");
            return Ok(());
        }
    };
    let checks = [
        (total, "memory.memory_and_swap_bytes", "memory+swap limit"),
        (limit, "memory.limit_bytes", "memory limit"),
    ];
    for (value, field, what) in checks {
        if let Some(v) = value.filter(|v| *v <= usage) {
            let msg = format!(
                "refusing the {what} of {v} bytes: the cgroup {} already uses {usage} bytes \
                 (memory.current)",
                files.dir_path().display()
            );
            return Err(Error::new(ErrorKind::InvalidValue, msg)
                .with_field(field)
                .with_value(v.to_string())
                .with_path(files.dir_path().join("memory.current"))
                .with_hint("choose a higher limit, or let the kernel reclaim by not checking"));
        }
    }
    Ok(())
}
