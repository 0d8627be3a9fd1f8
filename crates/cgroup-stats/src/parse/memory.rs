//! `memory.stat`, `memory.numa_stat`, `memory.events` and v1
//! `memory.oom_control`.

use crate::error::{Error, Result};
use crate::model::{MemoryEvents, MemoryStat, NumaStat, OomControl};
use crate::parse::flat_keyed::{flat_keyed, split_pair};
use crate::parse::lines::{fields, key_value, numbered_lines};
use crate::parse::number::{counter_value, unsigned};

/// Parses `memory.stat` (v1 or v2) into `stat`, every line: known keys by name,
/// v1 `total_*` lines, and keys this crate does not know. `stat` is cleared
/// first; once its capacity has grown to the file, parsing allocates nothing.
///
/// A negative value reads as 0 (C14).
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the line when it is not
/// `key value` or the value is not a number.
pub fn memory_stat(text: &[u8], stat: &mut MemoryStat) -> Result<()> {
    stat.clear();
    for (index, (line_no, line)) in numbered_lines(text).enumerate() {
        let Some((key, value)) = split_pair(line) else {
            let problem = "the line is not in \"key value\" format";
            return Err(Error::parse_line(line_no, line, problem));
        };
        let value = counter_value(value).map_err(|p| Error::parse_line(line_no, line, p))?;
        stat.set(index, key, value);
    }
    Ok(())
}

/// Parses v1 `memory.numa_stat` into `numa` (cleared first).
///
/// Lines are `<name>=<pages> N<node>=<pages> ...`. Names other than the eight of
/// [`NumaStat`] are skipped, and so is a line whose first column has no `=`
/// (custom kernels print `numa_locality 0 0 ...`).
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the line for a node
/// column that is not `N<0..=255>=<pages>` or a total that is not a number.
pub fn numa_stat_v1(text: &[u8], numa: &mut NumaStat) -> Result<()> {
    numa.clear();
    for (line_no, line) in numbered_lines(text) {
        let mut cols = fields(line);
        let Some((name, total)) = cols.next().and_then(key_value) else {
            continue;
        };
        let Some(slot) = numa.slot(name) else {
            continue;
        };
        let err = |p: &'static str| Error::parse_line(line_no, line, p);
        slot.total = Some(unsigned(total).map_err(err)?);
        for col in cols {
            let (node, pages) = node_column(col).map_err(err)?;
            slot.nodes.push((node, pages));
        }
    }
    Ok(())
}

/// Parses v2 `memory.numa_stat`: lines `<key> N<node>=<bytes> ...`; `each` is
/// called with the key, the node and the value of every column.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the line for a line
/// without columns or a malformed column.
pub fn numa_stat_v2(text: &[u8], mut each: impl FnMut(&[u8], u8, u64)) -> Result<()> {
    for (line_no, line) in numbered_lines(text) {
        let mut cols = fields(line);
        let key = cols.next().unwrap_or_default();
        let err = |p: &'static str| Error::parse_line(line_no, line, p);
        let mut any = false;
        for col in cols {
            let (node, value) = node_column(col).map_err(err)?;
            each(key, node, value);
            any = true;
        }
        if !any {
            return Err(err("a numa_stat line has N<node>=<value> columns"));
        }
    }
    Ok(())
}

fn node_column(col: &[u8]) -> Result<(u8, u64), &'static str> {
    let Some((node, value)) = key_value(col) else {
        return Err("a node column is N<node>=<value>");
    };
    let Some(digits) = node.strip_prefix(b"N") else {
        return Err("a node column starts with N");
    };
    let node = unsigned(digits)?;
    let node = u8::try_from(node).map_err(|_| "a node number is at most 255")?;
    Ok((node, unsigned(value)?))
}

/// Parses v2 `memory.events` (or `memory.events.local`).
///
/// # Errors
///
/// As [`flat_keyed`].
pub fn memory_events(text: &[u8]) -> Result<MemoryEvents> {
    let keys = ["low", "high", "max", "oom", "oom_kill", "oom_group_kill"];
    let [low, high, max, oom, oom_kill, oom_group_kill] = flat_keyed(text, keys)?;
    Ok(MemoryEvents {
        low,
        high,
        max,
        oom,
        oom_kill,
        oom_group_kill,
    })
}

/// Parses v1 `memory.oom_control`.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for a malformed line, or when
/// `oom_kill_disable` or `under_oom` is missing.
pub fn oom_control(text: &[u8]) -> Result<OomControl> {
    let [disable, under, oom_kill] =
        flat_keyed(text, ["oom_kill_disable", "under_oom", "oom_kill"])?;
    let (Some(disable), Some(under)) = (disable, under) else {
        let problem = "oom_kill_disable and under_oom are required";
        return Err(Error::parse(problem, text));
    };
    Ok(OomControl {
        oom_kill_disable: disable != 0,
        under_oom: under != 0,
        oom_kill,
    })
}

#[cfg(test)]
#[path = "memory_tests.rs"]
mod tests;
