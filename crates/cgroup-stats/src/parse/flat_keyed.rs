//! Flat keyed files: one `key value` pair per line (`cpu.stat`, `memory.stat`,
//! `memory.events`, v1 `memory.oom_control`, `pids.events`).

use crate::error::{Error, Result};
use crate::parse::number::counter_value;

/// Looks up `keys` in a flat keyed file without allocating.
///
/// Returns the value of each key in the order asked, `None` for a key the file does
/// not have (older kernels lack newer keys, e.g. `oom_kill` before 4.13). Values are
/// counters: a negative value reads as `0` (C14). The first occurrence of a key
/// wins. Blank lines are skipped.
///
/// Every line must have the `key value` shape; the values of keys not asked for are
/// not parsed, so a future kernel may add keys of another value type.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the 1-based line for a line
/// without a key and a value, or for a requested key whose value is not a number.
pub fn flat_keyed<const N: usize>(text: &[u8], keys: [&str; N]) -> Result<[Option<u64>; N]> {
    let mut values = [None; N];
    for (index, line) in text.split(|&b| b == b'\n').enumerate() {
        let line_no = index + 1;
        if line.trim_ascii().is_empty() {
            continue;
        }
        let Some((key, value)) = split_pair(line) else {
            let problem = "the line is not in \"key value\" format";
            return Err(Error::parse_line(line_no, line, problem));
        };
        let Some(slot) = keys.iter().position(|k| k.as_bytes() == key) else {
            continue;
        };
        if values[slot].is_none() {
            let n = counter_value(value).map_err(|p| Error::parse_line(line_no, line, p))?;
            values[slot] = Some(n);
        }
    }
    Ok(values)
}

/// Splits `key value` at the first space; both parts must be non-empty.
pub(crate) fn split_pair(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let line = line.trim_ascii_end();
    let space = line.iter().position(|&b| b == b' ')?;
    let (key, value) = (&line[..space], line[space + 1..].trim_ascii_start());
    (!key.is_empty() && !value.is_empty()).then_some((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn requested_keys_come_back_in_the_order_asked() {
        let text = b"nr_periods 2000\nnr_throttled 200\nthrottled_time 18446744073709551615\n";
        let [time, periods] = flat_keyed(text, ["throttled_time", "nr_periods"]).unwrap();
        assert_eq!((time, periods), (Some(u64::MAX), Some(2000)));
    }

    #[test]
    fn missing_key_is_none_not_zero() {
        let text = b"oom_kill_disable 0\nunder_oom 0\n";
        assert_eq!(flat_keyed(text, ["oom_kill"]).unwrap(), [None]);
    }

    #[test]
    fn negative_memory_stat_value_saturates_to_zero() {
        let text = b"total_rss -4096\ntotal_cache 8192\n";
        let values = flat_keyed(text, ["total_rss", "total_cache"]).unwrap();
        assert_eq!(values, [Some(0), Some(8192)]);
    }

    #[test]
    fn line_without_value_is_an_error_naming_the_line() {
        let err = flat_keyed(b"usage_usec 1\nbroken\nuser_usec 2\n", ["usage_usec"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
        assert_eq!(err.line(), Some(2));
        assert_eq!(err.value(), Some("broken"));
        assert!(err.to_string().contains("line 2 \"broken\""), "{err}");
    }

    #[test]
    fn bad_value_of_a_requested_key_is_an_error() {
        let err = flat_keyed(b"rss rss\n", ["rss"]).unwrap_err();
        assert_eq!((err.kind(), err.line()), (ErrorKind::Parse, Some(1)));
        let err = flat_keyed(b"a 1\nthrottled_time fortytwo\n", ["throttled_time"]);
        assert_eq!(err.unwrap_err().line(), Some(2));
    }

    #[test]
    fn values_of_keys_not_asked_for_are_not_parsed() {
        let text = b"cost.vrate 100.00\nusage_usec 5\n";
        assert_eq!(flat_keyed(text, ["usage_usec"]).unwrap(), [Some(5)]);
    }

    #[test]
    fn blank_lines_and_missing_final_newline_are_fine() {
        let values = flat_keyed(b"\na 1\n\nb 2", ["a", "b"]).unwrap();
        assert_eq!(values, [Some(1), Some(2)]);
        assert_eq!(flat_keyed(b"", ["a"]).unwrap(), [None]);
    }

    #[test]
    fn v2_memory_stat_reports_page_cache_as_file_not_cache() {
        // C13: v2 has no `cache` key; the page cache is `file`.
        let text = b"anon 50000000\nfile 40000000\nkernel 1000000\n";
        let values = flat_keyed(text, ["cache", "file", "anon"]).unwrap();
        assert_eq!(values, [None, Some(40_000_000), Some(50_000_000)]);
    }

    #[test]
    fn key_must_match_whole_not_as_prefix() {
        let text = b"total_rss 7\nrss 3\n";
        assert_eq!(flat_keyed(text, ["rss"]).unwrap(), [Some(3)]);
    }
}
