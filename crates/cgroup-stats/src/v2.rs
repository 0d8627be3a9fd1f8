//! The usage summary of a cgroup v2 cgroup.

use cgroups_core::CgroupDir;

use crate::error::{Error, Result};
use crate::file::FileReader;
use crate::parse::{counter, flat_keyed};
use crate::summary::{CpuUsage, MemoryUsage, PidsUsage, UsageSummary};

/// Reads what a cgroup v2 cgroup used: `cpu.stat`, `memory.current`, `memory.peak`,
/// `memory.events`, `pids.current`, `pids.peak`.
///
/// `cpu.stat` is always present on cgroup v2 (its usage keys do not need the `cpu`
/// controller), so its absence is an error. The memory part is `None` when
/// `memory.current` is absent (memory controller not enabled), the pids part when
/// `pids.current` is absent; `memory.peak`, `memory.events`, `oom_kill` and
/// `pids.peak` are each optional. `memory.events` counts include descendants
/// unless cgroup2 is mounted with `memory_localevents`.
///
/// The pids part is not derived from `cgroup.procs` when the pids controller is
/// off: `pids.current` counts tasks in the whole subtree, which a process list of
/// one directory cannot give, and [`PidsUsage`] has no field to say which one
/// it holds. The [`Reader`](crate::Reader) does count, for the Go-shaped
/// [`PidsStats`](crate::PidsStats), and marks the value with its source.
///
/// # Errors
///
/// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) when `cpu.stat` is absent
/// (not a cgroup2 directory, or the cgroup was removed);
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the file and line of
/// malformed content; [`ErrorKind::Io`](crate::ErrorKind::Io) for other read errors.
///
/// # Compatibility
///
/// `cpu.stat` without the cpu controller: kernel ≥ 4.15. `memory.peak`: ≥ 5.19.
pub fn read_v2_summary(dir: &CgroupDir) -> Result<UsageSummary> {
    let mut files = FileReader::new(dir);
    Ok(UsageSummary {
        cpu: Some(read_cpu(&mut files)?),
        memory: read_memory(&mut files)?,
        pids: read_pids(&mut files)?,
    })
}

fn read_cpu(files: &mut FileReader<'_>) -> Result<CpuUsage> {
    let keys = ["usage_usec", "user_usec", "system_usec"];
    files.parse("cpu.stat", |text| {
        let [total, user, system] = flat_keyed(text, keys)?;
        Ok(CpuUsage {
            total_ns: usec_to_ns(total, keys[0], text)?,
            user_ns: usec_to_ns(user, keys[1], text)?,
            system_ns: usec_to_ns(system, keys[2], text)?,
        })
    })
}

fn usec_to_ns(usec: Option<u64>, key: &str, text: &[u8]) -> Result<u64> {
    let Some(usec) = usec else {
        return Err(Error::parse(format!("there is no {key} line"), text));
    };
    usec.checked_mul(1000)
        .ok_or_else(|| Error::parse(format!("{key} {usec} overflows u64 nanoseconds"), text))
}

fn read_memory(files: &mut FileReader<'_>) -> Result<Option<MemoryUsage>> {
    let Some(current_bytes) = files.parse_optional("memory.current", counter)? else {
        return Ok(None);
    };
    let peak_bytes = files.parse_optional("memory.peak", counter)?;
    let events = files.parse_optional("memory.events", |t| flat_keyed(t, ["oom", "oom_kill"]))?;
    let [oom_events, oom_kills] = events.unwrap_or([None, None]);
    Ok(Some(MemoryUsage {
        current_bytes,
        peak_bytes,
        oom_events,
        oom_kills,
    }))
}

fn read_pids(files: &mut FileReader<'_>) -> Result<Option<PidsUsage>> {
    let Some(current) = files.parse_optional("pids.current", counter)? else {
        return Ok(None);
    };
    let peak = files.parse_optional("pids.peak", counter)?;
    Ok(Some(PidsUsage { current, peak }))
}

#[cfg(test)]
#[path = "v2_tests.rs"]
mod tests;
