//! CPU and memory node lists (`cpuset.cpus`, `cpuset.mems`): `0-2,7,12-14`.

use crate::error::{Error, Result};
use crate::model::IdList;
use crate::parse::number::unsigned;

/// Parses a cpuset list into `list` (cleared first).
///
/// An empty file (or a lone newline) gives an empty list, which means "not set,
/// inherit from the parent" (C16), not "no CPUs".
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for a range whose start is above
/// its end (`3-1`), an open range (`1-`), a number above 65535, or anything that
/// is not a number (`0-3,*4^2`).
pub fn id_list(text: &[u8], list: &mut IdList) -> Result<()> {
    list.clear();
    let text = text.trim_ascii();
    if text.is_empty() {
        return Ok(());
    }
    for item in text.split(|&b| b == b',') {
        let (first, last) = match item.iter().position(|&b| b == b'-') {
            Some(dash) => (id(&item[..dash], text)?, id(&item[dash + 1..], text)?),
            None => {
                let n = id(item, text)?;
                (n, n)
            }
        };
        if first > last {
            let problem = format!("the range {first}-{last} runs backwards");
            return Err(Error::parse(problem, text));
        }
        list.push(first, last);
    }
    Ok(())
}

fn id(digits: &[u8], text: &[u8]) -> Result<u16> {
    let n = unsigned(digits).map_err(|p| Error::parse(p, text))?;
    u16::try_from(n).map_err(|_| Error::parse("a CPU or node number is at most 65535", text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<u16>> {
        let mut list = IdList::default();
        id_list(text.as_bytes(), &mut list)?;
        Ok(list.iter().collect())
    }

    #[test]
    fn ranges_and_single_numbers_expand() {
        // C16
        assert_eq!(parse("0-2,7,12-14\n").unwrap(), [0, 1, 2, 7, 12, 13, 14]);
        assert_eq!(parse("1-4,6,9\n").unwrap(), [1, 2, 3, 4, 6, 9]);
        assert_eq!(parse("5\n").unwrap(), [5]);
    }

    #[test]
    fn empty_list_means_inherit_not_an_error() {
        assert_eq!(parse("").unwrap(), Vec::<u16>::new());
        assert_eq!(parse("\n").unwrap(), Vec::<u16>::new());
    }

    #[test]
    fn backwards_open_and_garbage_ranges_are_errors() {
        for bad in ["3-1", "1-", "0-3,*4^2", "0,1,2-5,8-7", "70000", "1,,2"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_list_is_held_as_ranges() {
        let mut list = IdList::default();
        id_list(b"0-65535", &mut list).unwrap();
        assert_eq!(list.ranges(), [(0, 65535)]);
        assert_eq!(list.len(), 65536);
        assert!(list.contains(4000));
    }
}
