//! v1 `cpu`: shares, CFS bandwidth (period, quota, burst), idle, realtime bandwidth.
//!
//! Order and tolerances:
//! 1. `cpu.shares`, then read back: the kernel clamps silently (2..=262144), so a
//!    different value read back is an error that says the allowed bound.
//! 2. `cpu.cfs_period_us`, then `cpu.cfs_burst_us`: either may be refused (EINVAL)
//!    while the old quota is incompatible; when a quota is also requested the refused
//!    write is retried after the quota.
//! 3. `cpu.cfs_quota_us` (`-1` = unlimited), then the deferred period and burst.
//! 4. `cpu.idle`.
//! 5. `cpu.rt_period_us` (EINVAL deferred when a runtime is also requested), then
//!    `cpu.rt_runtime_us` and the deferred period.
//!
//! Realtime bandwidth must be in place before a SCHED_RR/SCHED_FIFO task joins (the
//! kernel refuses a realtime task in a cgroup without realtime runtime): call
//! [`Manager::set`](cgroups_core::Manager::set) before
//! [`Manager::add_pid`](cgroups_core::Manager::add_pid).
//!
//! A burst on a kernel without `cpu.cfs_burst_us` (before Linux 5.14) is an error,
//! unless the burst asked for is 0, which is what such a kernel does anyway. (The
//! reference silently drops any burst there.)

use cgroups_core::{CpuQuota, CpuResources, Error, ErrorKind, Limit, Result};
use rustix::io::Errno;

use crate::files::{Files, has_errno, read_number, rephrase};

const SHARES: &str = "cpu.shares";
const PERIOD: &str = "cpu.cfs_period_us";
const QUOTA: &str = "cpu.cfs_quota_us";
const BURST: &str = "cpu.cfs_burst_us";
const IDLE: &str = "cpu.idle";
const RT_PERIOD: &str = "cpu.rt_period_us";
const RT_RUNTIME: &str = "cpu.rt_runtime_us";

/// Whether anything is to be written to the cpu hierarchy.
pub(crate) fn wanted(c: &CpuResources) -> bool {
    c.shares.is_some()
        || c.quota.is_some()
        || c.period_us.is_some()
        || c.burst_us.is_some()
        || c.realtime_runtime_us.is_some()
        || c.realtime_period_us.is_some()
        || c.idle.is_some()
}

/// Applies the cpu settings in the order above.
pub(crate) fn set(files: &dyn Files, c: &CpuResources) -> Result<()> {
    if let Some(shares) = c.shares {
        set_shares(files, shares)?;
    }
    set_bandwidth(files, c)?;
    if let Some(idle) = c.idle {
        files.write(IDLE, if idle { "1" } else { "0" })?;
    }
    set_realtime(files, c)
}

fn set_shares(files: &dyn Files, shares: u64) -> Result<()> {
    files.write(SHARES, &shares.to_string())?;
    let stored = read_number(files, SHARES)?;
    if stored == shares {
        return Ok(());
    }
    let bound = if shares > stored {
        "maximum"
    } else {
        "minimum"
    };
    Err(Error::new(
        ErrorKind::KernelRefused,
        format!("the kernel stored cpu.shares {stored}: the {bound} allowed is {stored}"),
    )
    .with_field("cpu.shares")
    .with_path(files.dir_path().join(SHARES))
    .with_value(shares.to_string()))
}

/// A write that EINVAL may defer until a later write makes it valid.
struct Deferred {
    file: &'static str,
    value: String,
    first: Error,
}

/// Writes `value`; EINVAL is deferred when `defer` is true.
fn write_or_defer(
    files: &dyn Files,
    file: &'static str,
    value: String,
    defer: bool,
) -> Result<Option<Deferred>> {
    match files.write(file, &value) {
        Ok(()) => Ok(None),
        Err(e) if defer && has_errno(&e, Errno::INVAL) => Ok(Some(Deferred {
            file,
            value,
            first: e,
        })),
        Err(e) => Err(e),
    }
}

/// Retries a deferred write; a second failure reports both.
fn retry(files: &dyn Files, deferred: Option<Deferred>) -> Result<()> {
    let Some(d) = deferred else { return Ok(()) };
    files.write(d.file, &d.value).map_err(|e| {
        rephrase(
            e,
            ErrorKind::KernelRefused,
            format!(
                "{} refused {:?} before and after the companion write ({})",
                d.file, d.value, d.first
            ),
            "check that the values are compatible (quota, period and burst bounds)",
        )
    })
}

fn set_bandwidth(files: &dyn Files, c: &CpuResources) -> Result<()> {
    let has_quota = c.quota.is_some();
    let mut period = None;
    if let Some(p) = c.period_us {
        period = write_or_defer(files, PERIOD, p.to_string(), has_quota)?;
    }
    let mut burst = None;
    if let Some(b) = c.burst_us {
        burst = set_burst(files, b, has_quota)?;
    }
    if let Some(quota) = c.quota {
        let value = match quota {
            CpuQuota::Max => "-1".to_owned(),
            CpuQuota::Micros(us) => us.to_string(),
        };
        files.write(QUOTA, &value)?;
        retry(files, period)?;
        retry(files, burst)?;
    }
    Ok(())
}

fn set_burst(files: &dyn Files, burst: u64, has_quota: bool) -> Result<Option<Deferred>> {
    match write_or_defer(files, BURST, burst.to_string(), has_quota) {
        Err(e) if e.is_not_found() && burst == 0 => Ok(None),
        Err(e) if e.is_not_found() => Err(rephrase(
            e,
            ErrorKind::ControllerUnavailable,
            format!("cannot set a CPU burst: {BURST} does not exist"),
            "CFS burst needs Linux 5.14 or later; leave burst_us unset",
        )),
        other => other,
    }
}

fn set_realtime(files: &dyn Files, c: &CpuResources) -> Result<()> {
    let mut period = None;
    if let Some(p) = c.realtime_period_us {
        let defer = c.realtime_runtime_us.is_some();
        period = write_or_defer(files, RT_PERIOD, p.to_string(), defer)?;
    }
    if let Some(runtime) = c.realtime_runtime_us {
        let value = match runtime {
            Limit::Max => "-1".to_owned(),
            Limit::Value(us) => us.to_string(),
        };
        files.write(RT_RUNTIME, &value)?;
        retry(files, period)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeFiles, pairs};

    fn dir() -> FakeFiles {
        FakeFiles::new(
            "/fake/cpu/c",
            &[
                (SHARES, "1024"),
                (PERIOD, "10000"),
                (QUOTA, "8000"),
                (BURST, "2000"),
                (IDLE, "0"),
                (RT_PERIOD, "10000"),
                (RT_RUNTIME, "8000"),
            ],
        )
    }

    #[test]
    fn bandwidth_and_realtime_are_written_in_order() {
        let f = dir();
        let mut c = CpuResources::default();
        c.quota = Some(CpuQuota::Micros(5000));
        c.burst_us = Some(1000);
        c.period_us = Some(7000);
        c.realtime_runtime_us = Some(Limit::Value(5000));
        c.realtime_period_us = Some(7000);
        set(&f, &c).unwrap();
        let want = [
            (PERIOD, "7000"),
            (BURST, "1000"),
            (QUOTA, "5000"),
            (RT_PERIOD, "7000"),
            (RT_RUNTIME, "5000"),
        ];
        assert_eq!(f.writes(), pairs(&want));
    }

    #[test]
    fn refused_period_is_retried_after_the_quota() {
        let f = dir().fail_times(PERIOD, Errno::INVAL, 1);
        let mut c = CpuResources::default();
        c.period_us = Some(50_000);
        c.quota = Some(CpuQuota::Micros(100_000));
        set(&f, &c).unwrap();
        assert_eq!(f.writes(), pairs(&[(QUOTA, "100000"), (PERIOD, "50000")]));
    }

    #[test]
    fn refused_burst_is_retried_after_the_quota_and_period() {
        let f = dir()
            .fail_times(PERIOD, Errno::INVAL, 1)
            .fail_times(BURST, Errno::INVAL, 1);
        let mut c = CpuResources::default();
        c.period_us = Some(50_000);
        c.burst_us = Some(20_000);
        c.quota = Some(CpuQuota::Micros(40_000));
        set(&f, &c).unwrap();
        let want = [(QUOTA, "40000"), (PERIOD, "50000"), (BURST, "20000")];
        assert_eq!(f.writes(), pairs(&want));
    }

    #[test]
    fn refused_period_without_quota_is_an_error_at_once() {
        let f = dir().fail_times(PERIOD, Errno::INVAL, 1);
        let mut c = CpuResources::default();
        c.period_us = Some(50_000);
        let err = set(&f, &c).unwrap_err();
        assert_eq!(err.errno(), Some(Errno::INVAL.raw_os_error()));
        assert!(err.path().unwrap().ends_with(PERIOD));
        assert!(f.writes().is_empty());
    }

    #[test]
    fn period_refused_twice_reports_both_attempts() {
        let f = dir().fail_always(PERIOD, Errno::INVAL);
        let mut c = CpuResources::default();
        c.period_us = Some(1);
        c.quota = Some(CpuQuota::Micros(1000));
        let err = set(&f, &c).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::KernelRefused);
        assert_eq!(err.value(), Some("1"));
        assert_eq!(f.attempts().len(), 3);
    }

    #[test]
    fn unlimited_quota_is_written_as_minus_one() {
        let f = dir();
        let mut c = CpuResources::default();
        c.quota = Some(CpuQuota::Max);
        set(&f, &c).unwrap();
        assert_eq!(f.writes(), pairs(&[(QUOTA, "-1")]));
    }

    #[test]
    fn shares_clamped_up_by_the_kernel_name_the_minimum() {
        let f = dir().transform(SHARES, |v| v.parse::<u64>().unwrap().max(2).to_string());
        let mut c = CpuResources::default();
        c.shares = Some(1);
        let err = set(&f, &c).unwrap_err();
        assert!(err.to_string().contains("minimum allowed is 2"), "{err}");
        assert_eq!(err.field(), Some("cpu.shares"));
    }

    #[test]
    fn shares_clamped_down_by_the_kernel_name_the_maximum() {
        let f = dir().transform(SHARES, |v| {
            v.parse::<u64>().unwrap().min(262_144).to_string()
        });
        let mut c = CpuResources::default();
        c.shares = Some(300_000);
        let err = set(&f, &c).unwrap_err();
        assert!(
            err.to_string().contains("maximum allowed is 262144"),
            "{err}"
        );
    }

    #[test]
    fn shares_read_back_equal_succeed() {
        let f = dir();
        let mut c = CpuResources::default();
        c.shares = Some(512);
        set(&f, &c).unwrap();
        assert_eq!(f.content(SHARES).as_deref(), Some("512"));
    }

    #[test]
    fn burst_on_a_kernel_without_the_file_is_a_typed_error() {
        let f = FakeFiles::new("/fake/cpu/c", &[(QUOTA, "-1")]);
        let mut c = CpuResources::default();
        c.burst_us = Some(1000);
        let err = set(&f, &c).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ControllerUnavailable);
        c.burst_us = Some(0);
        set(&f, &c).unwrap();
    }

    #[test]
    fn refused_rt_period_is_retried_after_the_runtime() {
        let f = dir().fail_times(RT_PERIOD, Errno::INVAL, 1);
        let mut c = CpuResources::default();
        c.realtime_period_us = Some(20_000);
        c.realtime_runtime_us = Some(Limit::Value(15_000));
        set(&f, &c).unwrap();
        assert_eq!(
            f.writes(),
            pairs(&[(RT_RUNTIME, "15000"), (RT_PERIOD, "20000")])
        );
    }

    #[test]
    fn idle_is_written_as_a_flag() {
        let f = dir();
        let mut c = CpuResources::default();
        c.idle = Some(true);
        set(&f, &c).unwrap();
        assert_eq!(f.writes(), pairs(&[(IDLE, "1")]));
    }
}
