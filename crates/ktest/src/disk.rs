//! Block devices and swap the VM tiers attach for io and memory tests.

use std::path::PathBuf;

/// The variable a VM tier sets to the name of a scratch block device (`nvme0n1`).
pub const IO_DISK_ENV: &str = "CGTEST_IO_DISK";

/// A scratch block device that tests may read and write freely: nothing else uses
/// it, and it is made afresh for every boot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoDisk {
    /// The kernel's name, e.g. `nvme0n1`.
    pub name: String,
    /// Major number, from `/sys/block/<name>/dev`.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
}

impl IoDisk {
    /// `/dev/<name>`.
    pub fn path(&self) -> PathBuf {
        PathBuf::from("/dev").join(&self.name)
    }
}

/// The scratch disk named by `CGTEST_IO_DISK`, with its numbers from sysfs; the
/// reason when there is none.
pub fn io_disk() -> Result<IoDisk, String> {
    let name = match std::env::var(IO_DISK_ENV) {
        Ok(n) if !n.is_empty() && !n.contains('/') => n,
        _ => {
            return Err(format!(
                "no scratch block device ({IO_DISK_ENV} is not set)"
            ));
        }
    };
    let sys = PathBuf::from("/sys/block").join(&name).join("dev");
    let text = std::fs::read_to_string(&sys)
        .map_err(|e| format!("{IO_DISK_ENV}={name}: cannot read {}: {e}", sys.display()))?;
    let (major, minor) =
        parse_dev(&text).ok_or_else(|| format!("{}: not MAJ:MIN: {text:?}", sys.display()))?;
    Ok(IoDisk { name, major, minor })
}

/// `259:0\n` as `(259, 0)`.
fn parse_dev(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim().split_once(':')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Whether swap is on: `/proc/swaps` lists at least one device or file.
pub fn swap_is_on() -> Result<(), String> {
    let text = std::fs::read_to_string("/proc/swaps")
        .map_err(|e| format!("cannot read /proc/swaps: {e}"))?;
    match text.lines().skip(1).any(|l| !l.trim().is_empty()) {
        true => Ok(()),
        false => Err("no swap is on".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_numbers_are_read_from_sysfs_text() {
        assert_eq!(parse_dev("259:0\n"), Some((259, 0)));
        assert_eq!(parse_dev("8:16"), Some((8, 16)));
        assert_eq!(parse_dev("8"), None);
        assert_eq!(parse_dev("a:b"), None);
    }
}
