//! CPU values as systemd stores them: the quota in whole percents, and CPU or
//! memory-node lists as byte masks.

use cgroups_core::CpuQuota;
use cgroups_core::convert::DEFAULT_CPU_PERIOD_US;

use crate::error::{Error, ErrorKind, Result};

/// systemd keeps `CPUQuotaPerSecUSec` in steps of 10 ms per second (1 %).
const QUOTA_STEP_US: u64 = 10_000;

/// `CPUQuotaPerSecUSec` for a quota and period, and the quota rewritten so that
/// cgroupfs gets the same number systemd writes.
///
/// `None` when neither is set. An unset or `Max` quota is `u64::MAX` (infinity).
/// Otherwise quota·1 000 000/period (period default 100 000 µs) rounded **up** to a
/// whole percent; the returned quota is that value·period/1 000 000, so 12 345 µs per
/// 100 ms becomes 130 000 µs/s and a quota of 13 000 µs.
pub fn quota_per_sec(
    quota: Option<CpuQuota>,
    period_us: Option<u64>,
) -> Option<(u64, Option<CpuQuota>)> {
    if quota.is_none() && period_us.is_none() {
        return None;
    }
    let period = u128::from(period_us.unwrap_or(DEFAULT_CPU_PERIOD_US).max(1));
    match quota {
        Some(CpuQuota::Micros(q)) if q > 0 => {
            let per_sec = (u128::from(q) * 1_000_000).div_ceil(period);
            let step = u128::from(QUOTA_STEP_US);
            let rounded = per_sec.div_ceil(step) * step;
            let rounded = u64::try_from(rounded).unwrap_or(u64::MAX - 1);
            let back = u128::from(rounded) * period / 1_000_000;
            let back = u64::try_from(back).unwrap_or(u64::MAX);
            Some((rounded, Some(CpuQuota::Micros(back))))
        }
        _ => Some((u64::MAX, quota)),
    }
}

/// Largest CPU or node number accepted in a list (systemd's `CPU_SET` limit is 8192
/// CPUs; a larger number would only make a huge mask).
const MAX_BIT: u32 = 8191;

/// A cpuset list (`0-3,7`) as the byte mask of `AllowedCPUs`/`AllowedMemoryNodes`:
/// byte 0 holds CPUs 0–7 (bit 0 = CPU 0), the mask is as long as its highest bit
/// needs. Elements are trimmed; empty elements are skipped.
///
/// # Errors
///
/// [`ErrorKind::InvalidValue`] for a number that is not a `u32`, a range whose start
/// is above its end, a number above 8191, or a list with no number at all.
pub fn range_to_bits(list: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    for element in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (start, end) = match element.split_once('-') {
            Some((a, b)) => (number(list, a)?, number(list, b)?),
            None => (number(list, element)?, number(list, element)?),
        };
        if start > end {
            return Err(bad(list, "a range starts above its end"));
        }
        if end > MAX_BIT {
            return Err(bad(list, "a CPU or node number is above 8191"));
        }
        for bit in start..=end {
            let index = (bit / 8) as usize;
            if bytes.len() <= index {
                bytes.resize(index + 1, 0);
            }
            bytes[index] |= 1 << (bit % 8);
        }
    }
    if bytes.is_empty() {
        return Err(bad(list, "the list names no CPU or node"));
    }
    Ok(bytes)
}

fn number(list: &str, text: &str) -> Result<u32> {
    text.parse()
        .map_err(|_| bad(list, "not a number or a range of numbers"))
}

#[cold]
fn bad(list: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::InvalidValue,
        format!("invalid cpuset list: {why}"),
    )
    .with_value(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_rounds_up_to_a_whole_percent_and_is_written_back() {
        let q = |q| Some(CpuQuota::Micros(q));
        assert_eq!(quota_per_sec(q(50_000), None), Some((500_000, q(50_000))));
        assert_eq!(quota_per_sec(q(12_345), None), Some((130_000, q(13_000))));
        assert_eq!(
            quota_per_sec(q(1_000), Some(10_000)),
            Some((100_000, q(1_000)))
        );
        // 1 ms per 30 ms = 33.3 % → 34 %, written back as 10 200 µs per 30 ms.
        assert_eq!(
            quota_per_sec(q(10_001), Some(30_000)),
            Some((340_000, q(10_200)))
        );
        assert_eq!(
            quota_per_sec(q(1), Some(1_000_000)),
            Some((10_000, q(10_000)))
        );
    }

    #[test]
    fn quota_unset_or_max_is_infinity() {
        assert_eq!(quota_per_sec(None, None), None);
        assert_eq!(quota_per_sec(None, Some(50_000)), Some((u64::MAX, None)));
        let max = Some(CpuQuota::Max);
        assert_eq!(quota_per_sec(max, None), Some((u64::MAX, max)));
    }

    #[test]
    fn huge_quota_saturates_instead_of_overflowing() {
        let (per_sec, _) = quota_per_sec(Some(CpuQuota::Micros(u64::MAX)), Some(1)).unwrap();
        assert_eq!(per_sec, u64::MAX - 1);
    }

    #[test]
    fn cpu_lists_become_little_endian_masks() {
        assert_eq!(range_to_bits("0").unwrap(), [0x01]);
        assert_eq!(range_to_bits("0-3,7").unwrap(), [0x8f]);
        assert_eq!(range_to_bits("8").unwrap(), [0x00, 0x01]);
        assert_eq!(range_to_bits(" 1 , 9-10 ,").unwrap(), [0x02, 0x06]);
        assert_eq!(range_to_bits("0-15").unwrap(), [0xff, 0xff]);
        assert_eq!(range_to_bits("3,3,1-2").unwrap(), [0x0e]);
    }

    #[test]
    fn bad_cpu_lists_are_refused() {
        for bad in [
            "",
            ",",
            "3-1",
            "a",
            "1-",
            "-1",
            "1 - 2",
            "0-8192",
            "4294967296",
        ] {
            let err = range_to_bits(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidValue, "{bad:?}");
        }
    }
}
