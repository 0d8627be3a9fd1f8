//! Block I/O files: v1 `blkio.*` statistics and v2 `io.stat`.

use crate::error::{Error, Result};
use crate::model::{BlkioEntry, BlkioOp, BlkioStats};
use crate::parse::lines::{device, fields, key_value, numbered_lines};
use crate::parse::number::{counter_value, unsigned};

/// Parses one v1 blkio statistics file (`blkio.throttle.io_service_bytes`,
/// `blkio.sectors_recursive`, ...) and appends its entries to `out`.
///
/// Lines are `MAJ:MIN OP VALUE` or `MAJ:MIN VALUE`. The file's final bare
/// `Total N` line is skipped, and so are rows whose device is not `MAJ:MIN`
/// (`(unknown)` on NVMe multipath hosts, C09) and rows with an operation this
/// crate does not know; the other devices are still reported.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the line for a row with
/// a device but a value that is not a number, or too many columns.
pub fn blkio_v1(text: &[u8], out: &mut Vec<BlkioEntry>) -> Result<()> {
    for (line_no, line) in numbered_lines(text) {
        let mut cols = fields(line);
        let first = cols.next().unwrap_or_default();
        let (second, third, extra) = (cols.next(), cols.next(), cols.next());
        let err = |p: &'static str| Error::parse_line(line_no, line, p);
        if extra.is_some() {
            return Err(err("a blkio line has at most three columns"));
        }
        let Some((major, minor)) = device(first) else {
            // "Total N", "(unknown) Read 4096", "default 100": no device row.
            continue;
        };
        let (op, value) = match (second, third) {
            (Some(value), None) => (BlkioOp::None, value),
            (Some(op), Some(value)) => match BlkioOp::from_v1(op) {
                Some(op) => (op, value),
                None => {
                    log::debug!("unknown blkio operation {:?} skipped", lossy(op));
                    continue;
                }
            },
            _ => return Err(err("a blkio line has a value after the device")),
        };
        let value = counter_value(value).map_err(err)?;
        out.push(BlkioEntry {
            major,
            minor,
            op,
            value,
        });
    }
    Ok(())
}

/// Parses v2 `io.stat` into `stats` (its lists are cleared first, C08).
///
/// Each line is `MAJ:MIN key=value ...`. The kernel sometimes prints devices
/// without statistics as a bare `MAJ:MIN ` glued before the next device (`7:7
/// 7:6 7:4 rbytes=...`): the statistics belong to the last device before the
/// `key=value` fields. Lines without a device (`(unknown)`) or without fields
/// are skipped. Unknown keys and non-integer values of keys this crate does not
/// read (`cost.vrate=100.00`) are ignored.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the line for a field
/// without `=` after a device, or a known key whose value is not a number.
pub fn io_stat(text: &[u8], stats: &mut BlkioStats) -> Result<()> {
    stats.clear();
    for (line_no, line) in numbered_lines(text) {
        let mut dev = None;
        for field in fields(line) {
            if let Some(d) = device(field) {
                dev = Some(d);
                continue;
            }
            let Some((major, minor)) = dev else {
                break; // "(unknown) rbytes=..." or garbage before any device
            };
            let err = |p: &'static str| Error::parse_line(line_no, line, p);
            let (key, value) = key_value(field).ok_or_else(|| err("a field is key=value"))?;
            let Some((list, op)) = io_stat_slot(stats, key) else {
                continue;
            };
            let value = unsigned(value).map_err(err)?;
            list.push(BlkioEntry {
                major,
                minor,
                op,
                value,
            });
        }
    }
    Ok(())
}

fn io_stat_slot<'s>(
    stats: &'s mut BlkioStats,
    key: &[u8],
) -> Option<(&'s mut Vec<BlkioEntry>, BlkioOp)> {
    Some(match key {
        b"rbytes" => (&mut stats.io_service_bytes_recursive, BlkioOp::Read),
        b"wbytes" => (&mut stats.io_service_bytes_recursive, BlkioOp::Write),
        b"dbytes" => (&mut stats.io_service_bytes_recursive, BlkioOp::Discard),
        b"rios" => (&mut stats.io_serviced_recursive, BlkioOp::Read),
        b"wios" => (&mut stats.io_serviced_recursive, BlkioOp::Write),
        b"dios" => (&mut stats.io_serviced_recursive, BlkioOp::Discard),
        b"cost.usage" => (&mut stats.io_cost_usage, BlkioOp::Count),
        b"cost.wait" => (&mut stats.io_cost_wait, BlkioOp::Count),
        b"cost.indebt" => (&mut stats.io_cost_indebt, BlkioOp::Count),
        b"cost.indelay" => (&mut stats.io_cost_indelay, BlkioOp::Count),
        _ => return None,
    })
}

fn lossy(b: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b)
}

#[cfg(test)]
#[path = "blkio_tests.rs"]
mod tests;
