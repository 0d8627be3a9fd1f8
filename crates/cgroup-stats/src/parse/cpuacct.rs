//! cgroup v1 `cpuacct` files: `cpuacct.stat` (ticks) and `cpuacct.usage` (ns).

use crate::error::{Error, Result};
use crate::parse::flat_keyed::flat_keyed;
use crate::parse::number::counter;

/// Clock ticks per second of `cpuacct.stat` (the kernel's `USER_HZ`).
///
/// It is 100 on every architecture Linux still supports with cgroups, whatever the
/// kernel's internal `HZ`; the kernel converts to these ticks before printing.
pub const USER_HZ: u64 = 100;

const NS_PER_TICK: u64 = 1_000_000_000 / USER_HZ;

/// User and system CPU time, in nanoseconds.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CpuTimes {
    /// Time spent in user mode.
    pub user_ns: u64,
    /// Time spent in kernel mode.
    pub system_ns: u64,
}

impl CpuTimes {
    /// User and system time in nanoseconds.
    pub fn new(user_ns: u64, system_ns: u64) -> Self {
        CpuTimes { user_ns, system_ns }
    }
}

/// Parses v1 `cpuacct.stat` (`user <ticks>` and `system <ticks>`) into nanoseconds.
///
/// Ticks are [`USER_HZ`] per second, so the values have a 10 ms resolution and do not
/// add up exactly to `cpuacct.usage`.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for a malformed line, a missing
/// `user` or `system` line, or a tick count whose nanoseconds overflow `u64`.
pub fn cpuacct_stat(text: &[u8]) -> Result<CpuTimes> {
    let [user, system] = flat_keyed(text, ["user", "system"])?;
    Ok(CpuTimes {
        user_ns: ticks_to_ns(user, "user", text)?,
        system_ns: ticks_to_ns(system, "system", text)?,
    })
}

/// Parses v1 `cpuacct.usage`: total CPU time of the cgroup in nanoseconds.
///
/// # Errors
///
/// As [`counter`].
pub fn cpuacct_usage(text: &[u8]) -> Result<u64> {
    counter(text)
}

fn ticks_to_ns(ticks: Option<u64>, key: &'static str, text: &[u8]) -> Result<u64> {
    let Some(ticks) = ticks else {
        let problem = format!("there is no \"{key}\" line");
        return Err(Error::parse(problem, text));
    };
    ticks.checked_mul(NS_PER_TICK).ok_or_else(|| {
        let problem = format!("{key} time of {ticks} ticks overflows u64 nanoseconds");
        Error::parse(problem, text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn ticks_become_nanoseconds() {
        let times = cpuacct_stat(b"user 452278264\nsystem 291429664\n").unwrap();
        assert_eq!(times.user_ns, 4_522_782_640_000_000);
        assert_eq!(times.system_ns, 2_914_296_640_000_000);
    }

    #[test]
    fn usage_is_nanoseconds_as_printed() {
        assert_eq!(
            cpuacct_usage(b"12262454190222160\n").unwrap(),
            12_262_454_190_222_160
        );
    }

    #[test]
    fn missing_system_line_is_an_error() {
        let err = cpuacct_stat(b"user 1\n").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
        assert!(err.to_string().contains("\"system\""), "{err}");
    }

    #[test]
    fn overflowing_tick_count_is_an_error_not_a_wrap() {
        let err = cpuacct_stat(b"user 18446744073709551615\nsystem 0\n").unwrap_err();
        assert!(err.to_string().contains("overflows"), "{err}");
    }

    #[test]
    fn malformed_stat_line_is_an_error_naming_it() {
        let err = cpuacct_stat(b"user 1\nsystem\n").unwrap_err();
        assert_eq!(err.line(), Some(2));
    }
}
