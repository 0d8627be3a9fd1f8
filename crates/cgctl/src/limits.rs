//! Turning the limit flags (and an OCI resources file) into [`Resources`].

use cgroups_core::{CpuQuota, Limit, Resources};

use crate::cli::Limits;
use crate::size::{Size, parse_count_or_max, parse_cpus, parse_size};
use crate::{Failure, Result};

/// The CFS period used for `--cpus`, in µs (the kernel default).
const CPU_PERIOD_US: u64 = 100_000;

fn size_flag(flag: &str, text: &Option<String>) -> Result<Option<Limit>> {
    let Some(text) = text else { return Ok(None) };
    match parse_size(text) {
        Ok(Size::Max) => Ok(Some(Limit::Max)),
        Ok(Size::Bytes(b)) => Ok(Some(Limit::Value(b))),
        Err(e) => Err(Failure::usage(format!("--{flag}: {e}"))),
    }
}

/// Builds the resources from the flags, starting from `--resources FILE` if given.
pub fn resources_from(limits: &Limits) -> Result<Resources> {
    let mut r = match &limits.resources {
        Some(path) => read_oci_file(path)?,
        None => Resources::default(),
    };

    if let Some(v) = size_flag("memory", &limits.memory)? {
        r.memory.limit_bytes = Some(v);
    }
    if let Some(v) = size_flag("memory-swap", &limits.memory_swap)? {
        r.memory.memory_and_swap_bytes = Some(v);
    }
    if let Some(v) = size_flag("memory-reservation", &limits.memory_reservation)? {
        r.memory.reservation_bytes = Some(v);
    }
    if let Some(v) = size_flag("memory-high", &limits.memory_high)? {
        r.memory.high_bytes = Some(v);
    }
    if let Some(cpus) = &limits.cpus {
        let quota =
            parse_cpus(cpus, CPU_PERIOD_US).map_err(|e| Failure::usage(format!("--cpus: {e}")))?;
        r.cpu.quota = Some(CpuQuota::Micros(quota));
        r.cpu.period_us = Some(CPU_PERIOD_US);
    }
    if let Some(w) = limits.cpu_weight {
        r.cpu.weight = Some(w);
    }
    if let Some(s) = limits.cpu_shares {
        r.cpu.shares = Some(s);
    }
    if let Some(c) = &limits.cpuset_cpus {
        r.cpuset.cpus = Some(c.clone());
    }
    if let Some(m) = &limits.cpuset_mems {
        r.cpuset.mems = Some(m.clone());
    }
    if let Some(p) = &limits.pids {
        let n = parse_count_or_max(p).map_err(|e| Failure::usage(format!("--pids: {e}")))?;
        r.pids_max = Some(n.map_or(Limit::Max, Limit::Value));
    }
    if let Some(w) = limits.io_weight {
        r.block_io.weight = Some(w);
    }
    Ok(r)
}

/// Reads an OCI `linux.resources` object from a JSON file.
fn read_oci_file(path: &std::path::Path) -> Result<Resources> {
    // The file is named by the person running cgctl: it is configuration, not a
    // kernel interface beneath a hierarchy root, so pathsafe's policies do not apply.
    #[allow(clippy::disallowed_methods)]
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "--resources {}: cannot read the file: {e}",
            path.display()
        ))
    })?;
    let oci: oci_spec::runtime::LinuxResources = serde_json::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "--resources {}: not an OCI linux.resources JSON object: {e}",
            path.display()
        ))
    })?;
    Resources::try_from(&oci)
        .map_err(|e| Failure::from_core(e).context(format!("--resources {}", path.display())))
}
