//! v1 `blkio`: weights and throttles.
//!
//! Weight file names depend on the I/O scheduler: `blkio.weight` and
//! `blkio.weight_device` (CFQ, before Linux 5.0) when `blkio.weight` exists, else
//! `blkio.bfq.weight` and `blkio.bfq.weight_device` (BFQ). The leaf weights keep
//! their CFQ names. Order: weight, leaf weight, per device its weight then its leaf
//! weight, then the four throttle files. Per-device files take one entry per write,
//! so several devices mean several writes ("M:m value" each).
//!
//! A throttle of [`Limit::Max`] writes `M:m 0`, which removes the device's throttle.

use cgroups_core::{BlockIoResources, ErrorKind, Limit, Result, ThrottleDevice};

use crate::files::{Files, rephrase};

const LEAF_WEIGHT: &str = "blkio.leaf_weight";
const LEAF_WEIGHT_DEVICE: &str = "blkio.leaf_weight_device";

/// Whether anything is to be written to the blkio hierarchy.
pub(crate) fn wanted(b: &BlockIoResources) -> bool {
    b.weight.is_some()
        || b.leaf_weight.is_some()
        || !b.weight_devices.is_empty()
        || !b.throttle_read_bps.is_empty()
        || !b.throttle_write_bps.is_empty()
        || !b.throttle_read_iops.is_empty()
        || !b.throttle_write_iops.is_empty()
}

/// The weight files of the scheduler in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WeightNames {
    weight: &'static str,
    weight_device: &'static str,
}

fn weight_names(files: &dyn Files) -> WeightNames {
    if files.exists("blkio.weight") {
        WeightNames {
            weight: "blkio.weight",
            weight_device: "blkio.weight_device",
        }
    } else {
        WeightNames {
            weight: "blkio.bfq.weight",
            weight_device: "blkio.bfq.weight_device",
        }
    }
}

/// Applies the blkio settings in the order above.
pub(crate) fn set(files: &dyn Files, b: &BlockIoResources) -> Result<()> {
    if b.weight.is_some() || b.leaf_weight.is_some() || !b.weight_devices.is_empty() {
        set_weights(files, b)?;
    }
    let throttles: [(&str, &[ThrottleDevice]); 4] = [
        ("blkio.throttle.read_bps_device", &b.throttle_read_bps),
        ("blkio.throttle.write_bps_device", &b.throttle_write_bps),
        ("blkio.throttle.read_iops_device", &b.throttle_read_iops),
        ("blkio.throttle.write_iops_device", &b.throttle_write_iops),
    ];
    for (file, devices) in throttles {
        for t in devices {
            let rate = match t.rate {
                Limit::Max => 0,
                Limit::Value(v) => v,
            };
            let line = format!("{}:{} {rate}", t.device.major, t.device.minor);
            files.write(file, &line)?;
        }
    }
    Ok(())
}

fn set_weights(files: &dyn Files, b: &BlockIoResources) -> Result<()> {
    let names = weight_names(files);
    if let Some(w) = b.weight {
        write_weight(files, names.weight, &w.to_string())?;
    }
    if let Some(w) = b.leaf_weight {
        write_weight(files, LEAF_WEIGHT, &w.to_string())?;
    }
    for wd in &b.weight_devices {
        let dev = format!("{}:{}", wd.device.major, wd.device.minor);
        if let Some(w) = wd.weight {
            write_weight(files, names.weight_device, &format!("{dev} {w}"))?;
        }
        if let Some(w) = wd.leaf_weight {
            write_weight(files, LEAF_WEIGHT_DEVICE, &format!("{dev} {w}"))?;
        }
    }
    Ok(())
}

/// Writes a weight file; a missing file means no proportional I/O scheduler.
fn write_weight(files: &dyn Files, file: &str, value: &str) -> Result<()> {
    files.write(file, value).map_err(|e| {
        if !e.is_not_found() {
            return e;
        }
        rephrase(
            e,
            ErrorKind::ControllerUnavailable,
            format!("cannot set a blkio weight: {file} does not exist"),
            "blkio weights need the CFQ or BFQ I/O scheduler on the device; \
             leave the weights unset or switch the scheduler",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeFiles, pairs};
    use cgroups_core::{DeviceNumber, WeightDevice};

    fn dev(major: u32, minor: u32) -> DeviceNumber {
        DeviceNumber { major, minor }
    }

    fn throttle(major: u32, minor: u32, rate: Limit) -> ThrottleDevice {
        ThrottleDevice::new(dev(major, minor), rate)
    }

    fn weights() -> BlockIoResources {
        let mut b = BlockIoResources::default();
        b.weight = Some(500);
        b.leaf_weight = Some(300);
        b.weight_devices = vec![WeightDevice::new(dev(8, 0), Some(700), Some(100))];
        b
    }

    const THROTTLE_FILES: [(&str, &str); 4] = [
        ("blkio.throttle.read_bps_device", ""),
        ("blkio.throttle.write_bps_device", ""),
        ("blkio.throttle.read_iops_device", ""),
        ("blkio.throttle.write_iops_device", ""),
    ];

    #[test]
    fn cfq_kernel_gets_legacy_weight_file_names() {
        let f = FakeFiles::new(
            "/fake/blkio/c",
            &[
                ("blkio.weight", "500"),
                ("blkio.weight_device", ""),
                (LEAF_WEIGHT, "500"),
                (LEAF_WEIGHT_DEVICE, ""),
            ],
        );
        set(&f, &weights()).unwrap();
        let want = [
            ("blkio.weight", "500"),
            (LEAF_WEIGHT, "300"),
            ("blkio.weight_device", "8:0 700"),
            (LEAF_WEIGHT_DEVICE, "8:0 100"),
        ];
        assert_eq!(f.writes(), pairs(&want));
    }

    #[test]
    fn bfq_kernel_gets_bfq_weight_file_names() {
        let f = FakeFiles::new(
            "/fake/blkio/c",
            &[
                ("blkio.bfq.weight", "100"),
                ("blkio.bfq.weight_device", ""),
                (LEAF_WEIGHT, "500"),
                (LEAF_WEIGHT_DEVICE, ""),
            ],
        );
        set(&f, &weights()).unwrap();
        let want = [
            ("blkio.bfq.weight", "500"),
            (LEAF_WEIGHT, "300"),
            ("blkio.bfq.weight_device", "8:0 700"),
            (LEAF_WEIGHT_DEVICE, "8:0 100"),
        ];
        assert_eq!(f.writes(), pairs(&want));
    }

    #[test]
    fn weight_without_a_weight_file_is_a_typed_error() {
        // This host: only the throttle files exist.
        let f = FakeFiles::new("/fake/blkio/c", &THROTTLE_FILES);
        let mut b = BlockIoResources::default();
        b.weight = Some(500);
        let err = set(&f, &b).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ControllerUnavailable);
        assert!(err.path().unwrap().ends_with("blkio.bfq.weight"));
        assert_eq!(err.value(), Some("500"));
    }

    #[test]
    fn each_throttle_entry_is_one_write_in_file_order() {
        let f = FakeFiles::new("/fake/blkio/c", &THROTTLE_FILES);
        let mut b = BlockIoResources::default();
        b.throttle_read_bps = vec![
            throttle(8, 0, Limit::Value(1000)),
            throttle(8, 16, Limit::Max),
        ];
        b.throttle_write_bps = vec![throttle(8, 0, Limit::Value(2000))];
        b.throttle_read_iops = vec![throttle(253, 1, Limit::Value(30))];
        b.throttle_write_iops = vec![
            throttle(8, 0, Limit::Value(40)),
            throttle(8, 16, Limit::Value(50)),
        ];
        set(&f, &b).unwrap();
        let want = [
            ("blkio.throttle.read_bps_device", "8:0 1000"),
            ("blkio.throttle.read_bps_device", "8:16 0"),
            ("blkio.throttle.write_bps_device", "8:0 2000"),
            ("blkio.throttle.read_iops_device", "253:1 30"),
            ("blkio.throttle.write_iops_device", "8:0 40"),
            ("blkio.throttle.write_iops_device", "8:16 50"),
        ];
        assert_eq!(f.writes(), pairs(&want));
    }

    #[test]
    fn throttles_alone_do_not_probe_weight_files() {
        let f = FakeFiles::new("/fake/blkio/c", &THROTTLE_FILES);
        let mut b = BlockIoResources::default();
        b.throttle_read_bps = vec![throttle(8, 0, Limit::Value(1))];
        set(&f, &b).unwrap();
        assert_eq!(f.written_files(), vec!["blkio.throttle.read_bps_device"]);
    }
}
