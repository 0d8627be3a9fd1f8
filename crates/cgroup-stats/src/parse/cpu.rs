//! `cpu.stat` (v1 and v2) and the per-CPU `cpuacct` files (v1).

use crate::error::{Error, Result};
use crate::model::{BurstData, CpuStats, ThrottlingData};
use crate::parse::flat_keyed::flat_keyed;
use crate::parse::lines::{fields, numbered_lines};
use crate::parse::number::counter_value;

/// Parses v2 `cpu.stat` into `stats`: usage (µs → ns), throttling and burst.
///
/// `usage_usec`, `user_usec` and `system_usec` are required (the kernel always
/// prints them); throttling needs `nr_periods`, `nr_throttled` and
/// `throttled_usec` (present with the `cpu` controller), burst needs `nr_bursts`
/// and `burst_usec` (kernel ≥ 5.14). Other keys (`core_sched.force_idle_usec`,
/// `nr_throttled` of the future) are ignored. The per-CPU lists stay empty: v2
/// has no per-CPU figures.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for a malformed line, a missing
/// usage key or a value whose nanoseconds overflow `u64`.
pub fn cpu_stat_v2(text: &[u8], stats: &mut CpuStats) -> Result<()> {
    let keys = [
        "usage_usec",
        "user_usec",
        "system_usec",
        "nr_periods",
        "nr_throttled",
        "throttled_usec",
        "nr_bursts",
        "burst_usec",
    ];
    let [
        usage,
        user,
        system,
        periods,
        throttled,
        throttled_us,
        bursts,
        burst_us,
    ] = flat_keyed(text, keys)?;
    let us = |v: Option<u64>, key: &'static str| usec_to_ns(v, key, text);
    let u = stats.usage.get_or_insert_with(Default::default);
    u.percpu_ns.clear();
    u.percpu_system_ns.clear();
    u.percpu_user_ns.clear();
    u.total_ns = us(usage, "usage_usec")?;
    u.user_ns = us(user, "user_usec")?;
    u.system_ns = us(system, "system_usec")?;
    stats.throttling = match (periods, throttled, throttled_us) {
        (Some(periods), Some(throttled_periods), Some(t)) => Some(ThrottlingData {
            periods,
            throttled_periods,
            throttled_time_ns: us(Some(t), "throttled_usec")?,
        }),
        _ => None,
    };
    stats.burst = match (bursts, burst_us) {
        (Some(bursts), Some(t)) => Some(BurstData {
            bursts,
            burst_time_ns: us(Some(t), "burst_usec")?,
        }),
        _ => None,
    };
    Ok(())
}

/// Parses v1 `cpu.stat`: `nr_periods`, `nr_throttled`, `throttled_time` (ns)
/// and, on kernels ≥ 5.14, `nr_bursts` and `burst_time` (ns).
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for a malformed line or a
/// missing throttling key.
pub fn cpu_stat_v1(text: &[u8]) -> Result<(ThrottlingData, Option<BurstData>)> {
    let keys = [
        "nr_periods",
        "nr_throttled",
        "throttled_time",
        "nr_bursts",
        "burst_time",
    ];
    let [periods, throttled, time, bursts, burst_time] = flat_keyed(text, keys)?;
    let (Some(periods), Some(throttled_periods), Some(throttled_time_ns)) =
        (periods, throttled, time)
    else {
        let problem = "nr_periods, nr_throttled and throttled_time are all required";
        return Err(Error::parse(problem, text));
    };
    let throttling = ThrottlingData {
        periods,
        throttled_periods,
        throttled_time_ns,
    };
    let burst = match (bursts, burst_time) {
        (Some(bursts), Some(burst_time_ns)) => Some(BurstData {
            bursts,
            burst_time_ns,
        }),
        _ => None,
    };
    Ok((throttling, burst))
}

/// Parses v1 `cpuacct.usage_all` into per-CPU user and system nanoseconds.
///
/// The header must start with `cpu user system` (kernels with more columns, such
/// as `bt_user bt_system`, are fine); then one line per possible CPU. The lists
/// are cleared first and filled in file order.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for another header, or a line
/// without three numbers.
pub fn cpuacct_usage_all(text: &[u8], user: &mut Vec<u64>, system: &mut Vec<u64>) -> Result<()> {
    user.clear();
    system.clear();
    let mut lines = numbered_lines(text);
    let header_ok = lines
        .next()
        .is_some_and(|(_, h)| fields(h).take(3).eq([&b"cpu"[..], b"user", b"system"]));
    if !header_ok {
        let problem = "the header is not \"cpu user system\"";
        return Err(Error::parse_line(1, first_line(text), problem));
    }
    for (line_no, line) in lines {
        let mut f = fields(line);
        let mut next = || -> Result<u64> {
            let field = f.next().unwrap_or_default();
            counter_value(field).map_err(|p| Error::parse_line(line_no, line, p))
        };
        let (_cpu, u, s) = (next()?, next()?, next()?);
        user.push(u);
        system.push(s);
    }
    Ok(())
}

/// Parses v1 `cpuacct.usage_percpu`: nanoseconds per possible CPU, separated by
/// spaces (the kernel leaves a trailing space). The list is cleared first.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for a field that is not a number.
pub fn cpuacct_usage_percpu(text: &[u8], percpu: &mut Vec<u64>) -> Result<()> {
    percpu.clear();
    for (line_no, line) in numbered_lines(text) {
        for field in fields(line) {
            let n = counter_value(field).map_err(|p| Error::parse_line(line_no, line, p))?;
            percpu.push(n);
        }
    }
    Ok(())
}

fn first_line(text: &[u8]) -> &[u8] {
    text.split(|&b| b == b'\n').next().unwrap_or_default()
}

fn usec_to_ns(usec: Option<u64>, key: &'static str, text: &[u8]) -> Result<u64> {
    let Some(usec) = usec else {
        return Err(Error::parse(format!("there is no {key} line"), text));
    };
    usec.checked_mul(1000)
        .ok_or_else(|| Error::parse(format!("{key} {usec} overflows u64 nanoseconds"), text))
}

#[cfg(test)]
#[path = "cpu_tests.rs"]
mod tests;
