//! OCI `linux.resources` → [`Resources`] (feature `oci`).
//!
//! **Outside the semver promise**: the `oci-spec` types change with its releases, and
//! this conversion follows them in minor releases of this crate.
//!
//! Every OCI numeric convention goes through [`convert`](crate::convert), once:
//! `0` = unset and `-1` = unlimited for memory (C22), a negative CPU quota =
//! unlimited (C20), pids `< 0` = unlimited and `0` = 1 (C21), the memory+swap total
//! kept as such (converted to `memory.swap.max` by the v2 driver, C19), empty cpuset
//! strings = unset (C16). Kernel memory limits (`memory.kernel`,
//! `memory.kernelTCP`) and `memory.useHierarchy` are ignored: current kernels
//! removed or ignore them (C15). Device rules are translated by
//! `devices::Rule::from_oci`. The result is not validated: drivers call
//! [`validate`](crate::validate::validate) for the version they drive.

use oci_spec::runtime as oci;

use crate::convert::{
    cpu_quota_from_oci, memory_from_oci, nonzero_from_oci, pids_from_oci, realtime_runtime_from_oci,
};
use crate::{
    BlockIoResources, CpuResources, CpusetResources, DeviceNumber, Error, ErrorKind, HugetlbLimit,
    Limit, MemoryResources, NetworkResources, RdmaLimit, Resources, ThrottleDevice, WeightDevice,
};

impl TryFrom<&oci::LinuxResources> for Resources {
    type Error = Error;

    /// Translates OCI `linux.resources`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidValue`] naming the OCI field for numbers the model cannot
    /// hold (a memory value below −1, a swappiness above 255, `cpu.idle` other than 0
    /// or 1, device numbers outside `u32`) and for device rules the devices crate
    /// refuses (kept as `source()`).
    fn try_from(spec: &oci::LinuxResources) -> Result<Resources, Error> {
        let mut out = Resources::default();
        if let Some(memory) = spec.memory() {
            out.memory = memory_from(memory)?;
        }
        if let Some(cpu) = spec.cpu() {
            out.cpu = cpu_from(cpu)?;
            out.cpuset = CpusetResources {
                cpus: cpu.cpus().clone().filter(|s| !s.is_empty()),
                mems: cpu.mems().clone().filter(|s| !s.is_empty()),
            };
        }
        if let Some(pids) = spec.pids() {
            out.pids_max = Some(pids_from_oci(pids.limit()));
        }
        if let Some(block_io) = spec.block_io() {
            out.block_io = block_io_from(block_io)?;
        }
        for limit in spec.hugepage_limits().iter().flatten() {
            out.hugetlb.push(HugetlbLimit {
                page_size: limit.page_size().clone(),
                limit: hugepage_limit(limit.limit())?,
            });
        }
        if let Some(network) = spec.network() {
            out.network = NetworkResources {
                class_id: network.class_id(),
                priorities: (network.priorities().iter().flatten())
                    .map(|p| (p.name().clone(), p.priority()))
                    .collect(),
            };
        }
        for (device, rdma) in spec.rdma().iter().flatten() {
            let limit = RdmaLimit {
                hca_handles: rdma.hca_handles(),
                hca_objects: rdma.hca_objects(),
            };
            out.rdma.insert(device.clone(), limit);
        }
        for (key, value) in spec.unified().iter().flatten() {
            out.unified.insert(key.clone(), value.clone());
        }
        if let Some(rules) = spec.devices() {
            out.devices = Some(rules.iter().map(device_rule).collect::<Result<_, _>>()?);
        }
        Ok(out)
    }
}

fn memory_from(memory: &oci::LinuxMemory) -> Result<MemoryResources, Error> {
    let signed = |value: Option<i64>, field| match value {
        Some(v) => memory_from_oci(v, field),
        None => Ok(None),
    };
    let swappiness =
        match memory.swappiness() {
            Some(v) => Some(u8::try_from(v).map_err(|_| {
                out_of_range("memory.swappiness", v, "a swappiness must be 0..=100")
            })?),
            None => None,
        };
    if memory.kernel().is_some() || memory.kernel_tcp().is_some() {
        log::debug!("OCI kernel memory limits ignored: the kernel no longer enforces them");
    }
    Ok(MemoryResources {
        limit_bytes: signed(memory.limit(), "memory.limit")?,
        memory_and_swap_bytes: signed(memory.swap(), "memory.swap")?,
        reservation_bytes: signed(memory.reservation(), "memory.reservation")?,
        swappiness,
        oom_kill_disable: memory.disable_oom_killer(),
        check_before_update: memory.check_before_update().unwrap_or(false),
        ..MemoryResources::default()
    })
}

fn cpu_from(cpu: &oci::LinuxCpu) -> Result<CpuResources, Error> {
    let idle = match cpu.idle() {
        None => None,
        Some(0) => Some(false),
        Some(1) => Some(true),
        Some(v) => return Err(out_of_range("cpu.idle", v, "cpu.idle must be 0 or 1")),
    };
    let realtime_runtime_us = match cpu.realtime_runtime() {
        Some(v) => realtime_runtime_from_oci(v, "cpu.realtimeRuntime")?,
        None => None,
    };
    Ok(CpuResources {
        shares: cpu.shares().and_then(nonzero_from_oci),
        weight: None,
        quota: cpu.quota().and_then(cpu_quota_from_oci),
        period_us: cpu.period().and_then(nonzero_from_oci),
        burst_us: cpu.burst(),
        realtime_runtime_us,
        realtime_period_us: cpu.realtime_period().and_then(nonzero_from_oci),
        idle,
    })
}

fn block_io_from(block_io: &oci::LinuxBlockIo) -> Result<BlockIoResources, Error> {
    let nonzero = |w: Option<u16>| w.filter(|w| *w != 0);
    let mut out = BlockIoResources {
        weight: nonzero(block_io.weight()),
        leaf_weight: nonzero(block_io.leaf_weight()),
        ..BlockIoResources::default()
    };
    for d in block_io.weight_device().iter().flatten() {
        out.weight_devices.push(WeightDevice {
            device: device_number(d.major(), d.minor(), "blockIO.weightDevice")?,
            weight: nonzero(d.weight()),
            leaf_weight: nonzero(d.leaf_weight()),
        });
    }
    let throttles = [
        (
            block_io.throttle_read_bps_device(),
            &mut out.throttle_read_bps,
        ),
        (
            block_io.throttle_write_bps_device(),
            &mut out.throttle_write_bps,
        ),
        (
            block_io.throttle_read_iops_device(),
            &mut out.throttle_read_iops,
        ),
        (
            block_io.throttle_write_iops_device(),
            &mut out.throttle_write_iops,
        ),
    ];
    for (devices, target) in throttles {
        for d in devices.iter().flatten() {
            target.push(ThrottleDevice {
                device: device_number(d.major(), d.minor(), "blockIO.throttle")?,
                // A rate of 0 removes the throttle (v1 deletes the rule on 0).
                rate: if d.rate() == 0 {
                    Limit::Max
                } else {
                    Limit::Value(d.rate())
                },
            });
        }
    }
    Ok(out)
}

fn device_number(major: i64, minor: i64, field: &'static str) -> Result<DeviceNumber, Error> {
    let number = |n: i64| {
        u32::try_from(n).map_err(|_| out_of_range(field, n, "device numbers must fit in u32"))
    };
    Ok(DeviceNumber {
        major: number(major)?,
        minor: number(minor)?,
    })
}

fn hugepage_limit(limit: i64) -> Result<Limit, Error> {
    match limit {
        -1 => Ok(Limit::Max),
        v if v < 0 => Err(out_of_range(
            "hugepageLimits.limit",
            v,
            "a byte count or -1",
        )),
        v => Ok(Limit::Value(v.unsigned_abs())),
    }
}

fn device_rule(entry: &oci::LinuxDeviceCgroup) -> Result<devices::Rule, Error> {
    devices::Rule::from_oci(entry).map_err(|err| {
        Error::new(ErrorKind::InvalidValue, "device rule refused")
            .with_field("devices")
            .with_value(entry.to_string())
            .with_source(err)
    })
}

#[cold]
fn out_of_range(field: &'static str, value: impl ToString, why: &str) -> Error {
    Error::new(ErrorKind::InvalidValue, why)
        .with_field(field)
        .with_value(value.to_string())
}

#[cfg(test)]
#[path = "oci_tests.rs"]
mod tests;
