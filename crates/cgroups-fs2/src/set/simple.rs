//! The one-file controllers: `pids.max`, `cpuset.cpus`/`.mems`, `hugetlb.<size>.max`
//! (+ `.rsvd.max`), `rdma.max`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use cgroups_core::convert::{limit_value, pids_max_value};
use cgroups_core::{CpusetResources, HugetlbLimit, Limit, RdmaLimit, Result};
use rustix::io::Errno;

use crate::files::Files;

/// `pids.max` (C21): `Max` → `max`, `Value(0)` → `1`, else the number.
pub(crate) fn pids(files: &dyn Files, limit: Option<Limit>) -> Result<()> {
    match limit {
        Some(limit) => files.write("pids.max", &pids_max_value(limit)),
        None => Ok(()),
    }
}

/// `cpuset.cpus` then `cpuset.mems`, as given (v2 needs no copying from the parent).
pub(crate) fn cpuset(files: &dyn Files, c: &CpusetResources) -> Result<()> {
    if let Some(cpus) = &c.cpus {
        files.write("cpuset.cpus", cpus)?;
    }
    if let Some(mems) = &c.mems {
        files.write("cpuset.mems", mems)?;
    }
    Ok(())
}

/// `hugetlb.<size>.max` for each limit, and the same value in
/// `hugetlb.<size>.rsvd.max` (reservations, Linux 5.7) while the kernel has those
/// files: the first ENOENT on a `.rsvd.max` turns them off for good (`rsvd` is
/// sticky per manager), as they exist for every size or for none.
pub(crate) fn hugetlb(files: &dyn Files, limits: &[HugetlbLimit], rsvd: &AtomicBool) -> Result<()> {
    for l in limits {
        let value = limit_value(l.limit);
        files.write(&format!("hugetlb.{}.max", l.page_size), &value)?;
        if !rsvd.load(Ordering::Relaxed) {
            continue;
        }
        match files.write(&format!("hugetlb.{}.rsvd.max", l.page_size), &value) {
            Err(e) if e.errno() == Some(Errno::NOENT.raw_os_error()) => {
                log::debug!("no hugetlb .rsvd.max files on this kernel: {e}");
                rsvd.store(false, Ordering::Relaxed);
            }
            other => other?,
        }
    }
    Ok(())
}

/// One `rdma.max` write per device: `mlx5_0 hca_handle=2 hca_object=2000`, with unset
/// fields left out (they keep their value); a device with neither is skipped.
pub(crate) fn rdma(files: &dyn Files, limits: &BTreeMap<String, RdmaLimit>) -> Result<()> {
    for (device, l) in limits {
        let mut line = device.clone();
        if let Some(handles) = l.hca_handles {
            line.push_str(&format!(" hca_handle={handles}"));
        }
        if let Some(objects) = l.hca_objects {
            line.push_str(&format!(" hca_object={objects}"));
        }
        if line.len() > device.len() {
            files.write("rdma.max", &line)?;
        }
    }
    Ok(())
}
