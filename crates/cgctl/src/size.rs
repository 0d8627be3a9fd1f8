//! Parsing of the sizes, CPU counts and limits that people type.

/// A parse error for a command-line value, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError(pub String);

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ValueError {}

/// A byte size or "unlimited".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// No limit (`max`, `-1`, `unlimited`).
    Max,
    /// Bytes.
    Bytes(u64),
}

/// Parses `256M`, `1G`, `512K`, `4096`, `1.5G`, `2GiB`, `max`, `-1`.
///
/// K, M, G and T are binary multiples (KiB, MiB, GiB, TiB), as in docker and OCI
/// tools; a trailing `B` or `iB` is accepted. Fractions round down to whole bytes.
pub fn parse_size(text: &str) -> Result<Size, ValueError> {
    let t = text.trim();
    if matches!(t, "max" | "-1" | "unlimited") {
        return Ok(Size::Max);
    }
    let bad = || {
        ValueError(format!(
            "bad size {text:?}: expected a number of bytes with an optional K, M, G or T \
             suffix (binary: 1K = 1024), e.g. 256M or 1.5G, or \"max\""
        ))
    };
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    if number.is_empty() {
        return Err(bad());
    }
    let shift = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(bad()),
    };
    let (whole, frac) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if whole.is_empty() && frac.is_empty() || frac.contains('.') {
        return Err(bad());
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let mut bytes = whole
        .checked_shl(shift)
        .filter(|v| v >> shift == whole)
        .ok_or_else(bad)?;
    if !frac.is_empty() {
        let digits = frac.len().min(18) as u32;
        let frac_num: u64 = frac[..digits as usize].parse().map_err(|_| bad())?;
        let scale = 10u128.pow(digits);
        let extra = ((frac_num as u128) << shift) / scale;
        bytes = bytes.checked_add(extra as u64).ok_or_else(bad)?;
    }
    Ok(Size::Bytes(bytes))
}

/// Parses a CPU count such as `1.5` into a quota in µs for `period_us`.
pub fn parse_cpus(text: &str, period_us: u64) -> Result<u64, ValueError> {
    let bad = || {
        ValueError(format!(
            "bad CPU count {text:?}: expected a positive decimal number such as 0.5 or 2"
        ))
    };
    let value: f64 = text.trim().parse().map_err(|_| bad())?;
    if !value.is_finite() || value <= 0.0 || value > 100_000.0 {
        return Err(bad());
    }
    let quota = (value * period_us as f64).round() as u64;
    if quota < 1000 {
        return Err(ValueError(format!(
            "CPU count {text:?} is too small: the kernel needs at least 1000 µs of quota \
             per period ({period_us} µs)"
        )));
    }
    Ok(quota)
}

/// Parses a pids limit: a number or `max`.
pub fn parse_count_or_max(text: &str) -> Result<Option<u64>, ValueError> {
    match text.trim() {
        "max" | "-1" | "unlimited" => Ok(None),
        t => t.parse().map(Some).map_err(|_| {
            ValueError(format!(
                "bad number {text:?}: expected a whole number or \"max\""
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_suffixes_multiply_by_powers_of_1024() {
        assert_eq!(parse_size("256M"), Ok(Size::Bytes(256 << 20)));
        assert_eq!(parse_size("1G"), Ok(Size::Bytes(1 << 30)));
        assert_eq!(parse_size("512k"), Ok(Size::Bytes(512 << 10)));
        assert_eq!(parse_size("2GiB"), Ok(Size::Bytes(2 << 30)));
        assert_eq!(parse_size("4096"), Ok(Size::Bytes(4096)));
        assert_eq!(parse_size("1.5G"), Ok(Size::Bytes(3 << 29)));
    }

    #[test]
    fn unlimited_spellings_mean_max() {
        for t in ["max", "-1", "unlimited"] {
            assert_eq!(parse_size(t), Ok(Size::Max));
        }
    }

    #[test]
    fn unknown_suffix_is_refused_with_the_value_in_the_message() {
        let err = parse_size("12Q").unwrap_err();
        assert!(err.0.contains("12Q"), "{err}");
        for t in [
            "",
            "M",
            "1..5M",
            "-5M",
            "1.2.3",
            "99999999999999999999",
            "16777216T",
        ] {
            assert!(parse_size(t).is_err(), "{t:?} should be refused");
        }
    }

    #[test]
    fn cpus_become_quota_per_period() {
        assert_eq!(parse_cpus("1.5", 100_000), Ok(150_000));
        assert_eq!(parse_cpus("0.01", 100_000), Ok(1_000));
        assert!(parse_cpus("0.001", 100_000).is_err());
        assert!(parse_cpus("-1", 100_000).is_err());
        assert!(parse_cpus("NaN", 100_000).is_err());
    }

    #[test]
    fn counts_accept_max() {
        assert_eq!(parse_count_or_max("64"), Ok(Some(64)));
        assert_eq!(parse_count_or_max("max"), Ok(None));
        assert!(parse_count_or_max("six").is_err());
    }
}
