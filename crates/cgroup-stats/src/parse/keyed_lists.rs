//! Files of named resources: `rdma.current`/`rdma.max` (`dev key=value ...`) and
//! `misc.current`/`misc.max`/`misc.events` (`name value`).

use crate::error::{Error, Result};
use crate::model::{RdmaEntry, ShortName};
use crate::parse::flat_keyed::split_pair;
use crate::parse::lines::{fields, key_value, numbered_lines};
use crate::parse::number::{counter_value, unsigned};

/// Parses `rdma.current` or `rdma.max` into `out` (cleared first): lines
/// `<device> hca_handle=<n|max> hca_object=<n|max>`; `max` is `u32::MAX`.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the line when it lacks a
/// field, has an unknown one, a value that is not a `u32` or `max`, or a device
/// name longer than 64 bytes.
pub fn rdma(text: &[u8], out: &mut Vec<RdmaEntry>) -> Result<()> {
    out.clear();
    for (line_no, line) in numbered_lines(text) {
        let err = |p: &'static str| Error::parse_line(line_no, line, p);
        let mut cols = fields(line);
        let name = cols.next().unwrap_or_default();
        let device = ShortName::new(name).ok_or_else(|| err("a bad RDMA device name"))?;
        let (mut handles, mut objects) = (None, None);
        for col in cols {
            let (key, value) = key_value(col).ok_or_else(|| err("a field is key=value"))?;
            let value = match value {
                b"max" => u32::MAX,
                v => {
                    let n = unsigned(v).map_err(err)?;
                    u32::try_from(n).map_err(|_| err("an RDMA count is at most 4294967295"))?
                }
            };
            match key {
                b"hca_handle" => handles = Some(value),
                b"hca_object" => objects = Some(value),
                _ => return Err(err("RDMA fields are hca_handle and hca_object")),
            }
        }
        let (Some(hca_handles), Some(hca_objects)) = (handles, objects) else {
            return Err(err("an RDMA line has hca_handle= and hca_object="));
        };
        out.push(RdmaEntry {
            device,
            hca_handles,
            hca_objects,
        });
    }
    Ok(())
}

/// Parses a `name value` file of misc resources (`misc.current`, `misc.max`,
/// `misc.events`, `misc.capacity`) and calls `each` with every name and value
/// (`None` for `max`). In `misc.events` the names carry a `.max` suffix.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the line when it is not
/// `name value`, the name is longer than 64 bytes, or the value is not a number
/// or `max`.
pub fn misc(text: &[u8], mut each: impl FnMut(ShortName, Option<u64>)) -> Result<()> {
    for (line_no, line) in numbered_lines(text) {
        let err = |p: &'static str| Error::parse_line(line_no, line, p);
        let (name, value) = split_pair(line).ok_or_else(|| err("a line is \"name value\""))?;
        let name = ShortName::new(name).ok_or_else(|| err("a bad misc resource name"))?;
        let value = match value {
            b"max" => None,
            v => Some(counter_value(v).map_err(err)?),
        };
        each(name, value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rdma_lines_parse_with_max_as_u32_max() {
        let mut out = Vec::new();
        let text = b"mlx4_0 hca_handle=2 hca_object=2000\nocrdma1 hca_handle=max hca_object=max\n";
        rdma(text, &mut out).unwrap();
        assert_eq!(out[0].device.as_str(), "mlx4_0");
        assert_eq!((out[0].hca_handles, out[0].hca_objects), (2, 2000));
        assert_eq!(
            (out[1].hca_handles, out[1].hca_objects),
            (u32::MAX, u32::MAX)
        );
    }

    #[test]
    fn rdma_bad_lines_are_errors() {
        let mut out = Vec::new();
        for bad in [
            "mlx4_0 hca_handle=2",
            "mlx4_0 hca_handle=x hca_object=1",
            "mlx4_0 hca_handle=4294967296 hca_object=1",
            "mlx4_0 foo=1 hca_handle=1 hca_object=1",
        ] {
            assert!(rdma(bad.as_bytes(), &mut out).is_err(), "{bad}");
        }
    }

    #[test]
    fn misc_lines_give_names_and_values() {
        let mut seen = Vec::new();
        misc(b"sev 3\nsev_es max\n", |n, v| seen.push((n.to_string(), v))).unwrap();
        assert_eq!(
            seen,
            [("sev".to_owned(), Some(3)), ("sev_es".to_owned(), None)]
        );
        assert!(misc(b"sev\n", |_, _| ()).is_err());
        assert!(misc(b"sev x\n", |_, _| ()).is_err());
    }
}
