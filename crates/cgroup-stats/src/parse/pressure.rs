//! Pressure stall information: `cpu.pressure`, `memory.pressure`, `io.pressure`,
//! `irq.pressure` (cgroup v2) and `/proc/pressure/*`.

use crate::error::{Error, Result};
use crate::parse::number::unsigned;

/// The content of a PSI file: its `some` and `full` lines.
///
/// Either line may be absent: `cpu.pressure` has no `full` line before kernel 5.13
/// and `irq.pressure` has only `full` (C10).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Pressure {
    /// Time in which at least one task was stalled on the resource.
    pub some: Option<PressureData>,
    /// Time in which all non-idle tasks were stalled at once.
    pub full: Option<PressureData>,
}

impl Pressure {
    /// Pressure from its `some` and `full` lines.
    pub fn new(some: Option<PressureData>, full: Option<PressureData>) -> Self {
        Pressure { some, full }
    }
}

/// One PSI line: stall percentages over three windows and the total stall time.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PressureData {
    /// Share of wall time stalled over the last 10 s, in percent.
    pub avg10: f64,
    /// Over the last 60 s, in percent.
    pub avg60: f64,
    /// Over the last 300 s, in percent.
    pub avg300: f64,
    /// Total stall time in microseconds (`total=`).
    #[cfg_attr(feature = "serde", serde(rename = "total"))]
    pub total_us: u64,
}

impl PressureData {
    /// One PSI line from its averages (percent) and total stall time (µs).
    pub fn new(avg10: f64, avg60: f64, avg300: f64, total_us: u64) -> Self {
        PressureData {
            avg10,
            avg60,
            avg300,
            total_us,
        }
    }
}

/// Parses a PSI file: lines `some|full avg10=F avg60=F avg300=F total=U`.
///
/// Unknown `key=value` fields are ignored, blank lines skipped.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the line when it does not
/// start with `some` or `full`, repeats one of them, has a field without `=`, a
/// value that is not a finite non-negative number, or lacks one of the four fields.
pub fn pressure(text: &[u8]) -> Result<Pressure> {
    let mut out = Pressure::default();
    for (index, line) in text.split(|&b| b == b'\n').enumerate() {
        let line_no = index + 1;
        let mut fields = line.split(|&b| b == b' ').filter(|f| !f.is_empty());
        let Some(kind) = fields.next() else { continue };
        let slot = match kind {
            b"some" => &mut out.some,
            b"full" => &mut out.full,
            _ => {
                let problem = "a PSI line starts with \"some\" or \"full\"";
                return Err(Error::parse_line(line_no, line, problem));
            }
        };
        if slot.is_some() {
            let problem = "this kind of line appears twice";
            return Err(Error::parse_line(line_no, line, problem));
        }
        let data = parse_fields(fields).map_err(|p| Error::parse_line(line_no, line, p))?;
        *slot = Some(data);
    }
    Ok(out)
}

fn parse_fields<'a>(fields: impl Iterator<Item = &'a [u8]>) -> Result<PressureData, String> {
    let (mut avg10, mut avg60, mut avg300, mut total) = (None, None, None, None);
    for field in fields {
        let Some(eq) = field.iter().position(|&b| b == b'=') else {
            return Err(format!("field {:?} is not key=value", lossy(field)));
        };
        let (key, value) = (&field[..eq], &field[eq + 1..]);
        match key {
            b"avg10" => avg10 = Some(percent(value)?),
            b"avg60" => avg60 = Some(percent(value)?),
            b"avg300" => avg300 = Some(percent(value)?),
            b"total" => {
                let n = unsigned(value).map_err(|p| format!("total {:?}: {p}", lossy(value)))?;
                total = Some(n);
            }
            _ => {}
        }
    }
    let missing = |name: &str| format!("the {name}= field is missing");
    Ok(PressureData {
        avg10: avg10.ok_or_else(|| missing("avg10"))?,
        avg60: avg60.ok_or_else(|| missing("avg60"))?,
        avg300: avg300.ok_or_else(|| missing("avg300"))?,
        total_us: total.ok_or_else(|| missing("total"))?,
    })
}

fn percent(value: &[u8]) -> Result<f64, String> {
    let parsed = std::str::from_utf8(value)
        .ok()
        .and_then(|s| s.parse::<f64>().ok());
    match parsed {
        Some(p) if p.is_finite() && p >= 0.0 && value[0].is_ascii_digit() => Ok(p),
        _ => Err(format!("{:?} is not a percentage", lossy(value))),
    }
}

fn lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn data(avg10: f64, avg60: f64, avg300: f64, total_us: u64) -> Option<PressureData> {
        Some(PressureData {
            avg10,
            avg60,
            avg300,
            total_us,
        })
    }

    #[test]
    fn some_and_full_lines_parse() {
        // C10 (a)
        let text = b"some avg10=1.71 avg60=2.36 avg300=2.57 total=230548833\n\
                     full avg10=1.00 avg60=1.01 avg300=1.00 total=157622356\n";
        let p = pressure(text).unwrap();
        assert_eq!(p.some, data(1.71, 2.36, 2.57, 230_548_833));
        assert_eq!(p.full, data(1.00, 1.01, 1.00, 157_622_356));
    }

    #[test]
    fn some_only_file_has_no_full_data_and_no_error() {
        // C10 (b): cpu.pressure before 5.13
        let p = pressure(b"some avg10=0.00 avg60=0.00 avg300=0.00 total=98464\n").unwrap();
        assert_eq!(p.some, data(0.0, 0.0, 0.0, 98_464));
        assert_eq!(p.full, None);
    }

    #[test]
    fn non_numeric_average_is_a_parse_error() {
        // C10 (e)
        let err = pressure(b"some avg10=abc avg60=0.00 avg300=0.00 total=1\n").unwrap_err();
        assert_eq!((err.kind(), err.line()), (ErrorKind::Parse, Some(1)));
        assert!(err.to_string().contains("\"abc\""), "{err}");
    }

    #[test]
    fn nan_infinite_and_negative_averages_are_refused() {
        for bad in ["NaN", "inf", "-1.0", ""] {
            let text = format!("some avg10={bad} avg60=0.00 avg300=0.00 total=1\n");
            assert!(pressure(text.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn empty_lines_are_skipped_not_a_crash() {
        let p = pressure(b"\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n\n").unwrap();
        assert_eq!((p.some, p.full), (None, data(0.0, 0.0, 0.0, 0)));
        assert_eq!(pressure(b"").unwrap(), Pressure::default());
    }

    #[test]
    fn field_without_equals_and_missing_fields_are_errors() {
        let err = pressure(b"some avg10 avg60=0.00 avg300=0.00 total=1").unwrap_err();
        assert!(err.to_string().contains("not key=value"), "{err}");
        let err = pressure(b"some avg10=0.00 avg60=0.00 avg300=0.00\n").unwrap_err();
        assert!(err.to_string().contains("total= field is missing"), "{err}");
    }

    #[test]
    fn unknown_keys_are_ignored_unknown_line_kinds_are_not() {
        let text = b"some avg10=0.00 avg60=0.00 avg300=0.00 total=1 future=7\n";
        assert_eq!(pressure(text).unwrap().some, data(0.0, 0.0, 0.0, 1));
        let err = pressure(b"most avg10=0.00 avg60=0.00 avg300=0.00 total=1\n").unwrap_err();
        assert_eq!(err.line(), Some(1));
    }

    #[test]
    fn repeated_some_line_is_an_error() {
        let line = "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n";
        let err = pressure(format!("{line}{line}").as_bytes()).unwrap_err();
        assert_eq!(err.line(), Some(2));
    }
}
