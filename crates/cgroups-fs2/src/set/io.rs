//! Block I/O: `io.bfq.weight` or `io.weight`, then `io.max`.

use cgroups_core::convert::{blkio_weight_to_io_weight, limit_value};
use cgroups_core::{BlockIoResources, Error, ErrorKind, Result, ThrottleDevice};

use crate::files::Files;

/// Writes weights, then one `io.max` line per throttle entry.
///
/// Weights (C18): when `io.bfq.weight` exists, the blkio-scale weight (10..=1000) is
/// written to it unchanged, and per-device weights as `M:m W` lines. Otherwise the
/// weight is converted to the `io.weight` scale (1..=10000), and per-device weights go
/// to `io.weight` as `M:m W` converted the same way. (The reference drops per-device
/// weights when BFQ is missing or too old; we use `io.weight`, and refuse them with
/// an error when the kernel's BFQ has no per-device entries, instead of losing them.)
///
/// Throttles: one write per entry, in the order read bytes, write bytes, read ops,
/// write ops: `8:0 rbps=1048576`, `Limit::Max` as `8:0 rbps=max`.
pub(crate) fn write(files: &dyn Files, b: &BlockIoResources) -> Result<()> {
    let devices: Vec<(String, u16)> = b
        .weight_devices
        .iter()
        .filter_map(|d| {
            d.weight
                .map(|w| (format!("{}:{}", d.device.major, d.device.minor), w))
        })
        .collect();
    if b.weight.is_some() || !devices.is_empty() {
        match files.read_optional("io.bfq.weight")? {
            Some(current) => write_bfq(files, b.weight, &devices, &current)?,
            None => write_io_weight(files, b.weight, &devices)?,
        }
    }
    let groups: [(&[ThrottleDevice], &str); 4] = [
        (&b.throttle_read_bps, "rbps"),
        (&b.throttle_write_bps, "wbps"),
        (&b.throttle_read_iops, "riops"),
        (&b.throttle_write_iops, "wiops"),
    ];
    for (entries, key) in groups {
        for t in entries {
            let line = format!(
                "{}:{} {key}={}",
                t.device.major,
                t.device.minor,
                limit_value(t.rate)
            );
            files.write("io.max", &line)?;
        }
    }
    Ok(())
}

fn write_bfq(
    files: &dyn Files,
    weight: Option<u16>,
    devices: &[(String, u16)],
    current: &str,
) -> Result<()> {
    if let Some(w) = weight {
        files.write("io.bfq.weight", &w.to_string())?;
    }
    if devices.is_empty() {
        return Ok(());
    }
    // Kernels before 5.4 print a single number and take no per-device entries.
    if current.trim().parse::<u64>().is_ok() {
        let msg = "this kernel's io.bfq.weight takes no per-device weights (needs Linux 5.4)";
        return Err(Error::new(ErrorKind::KernelRefused, msg)
            .with_path(files.dir_path().join("io.bfq.weight"))
            .with_field("block_io.weight_devices")
            .with_value(current.trim()));
    }
    for (device, w) in devices {
        files.write("io.bfq.weight", &format!("{device} {w}"))?;
    }
    Ok(())
}

fn write_io_weight(
    files: &dyn Files,
    weight: Option<u16>,
    devices: &[(String, u16)],
) -> Result<()> {
    if let Some(w) = weight.and_then(blkio_weight_to_io_weight) {
        files.write("io.weight", &w.to_string())?;
    }
    for (device, w) in devices {
        if let Some(w) = blkio_weight_to_io_weight(*w) {
            files.write("io.weight", &format!("{device} {w}"))?;
        }
    }
    Ok(())
}
