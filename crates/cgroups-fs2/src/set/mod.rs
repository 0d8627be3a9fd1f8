//! Applying [`Resources`] to one cgroup: the write order of the reference.
//!
//! pids → memory → io → cpu → cpuset → hugetlb → rdma → freezer → unified keys. The
//! unified keys come last so that they override the typed fields. Device rules (the
//! reference's step between cpu and cpuset) need an eBPF program and are refused
//! before anything is written (see [`refuse_devices`]).

mod cpu;
mod io;
mod memory;
mod simple;
mod unified;

use std::sync::atomic::AtomicBool;

use cgroups_core::{Error, ErrorKind, FreezerState, Resources, Result};

pub(crate) use cpu::CpuMaxMode;
pub(crate) use unified::check_keys;

use crate::files::Files;

/// What a `set` call needs to know beyond the resources.
#[derive(Debug)]
pub(crate) struct SetContext<'a> {
    /// How `cpu.max` is written (C20).
    pub(crate) cpu_max: CpuMaxMode,
    /// Whether `hugetlb.<size>.rsvd.max` files may exist (sticky per manager).
    pub(crate) hugetlb_rsvd: &'a AtomicBool,
}

/// Device rules on cgroup v2 are an eBPF program attached to the cgroup.
///
/// TODO(devices crate: eBPF program generation and attach): apply them here. Until
/// then a request with device rules is refused, never silently ignored.
pub(crate) fn refuse_devices(resources: &Resources) -> Result<()> {
    match &resources.devices {
        None => Ok(()),
        Some(_) => {
            let msg = "device rules on cgroup v2 need an eBPF program, which this driver \
                       cannot attach yet";
            Err(Error::new(ErrorKind::ControllerUnavailable, msg)
                .with_field("devices")
                .with_value("devices")
                .with_hint("leave Resources::devices as None"))
        }
    }
}

/// Writes `resources` in the reference order; `freeze` applies the freezer state at
/// its place in the order (after the limits, before the unified keys).
pub(crate) fn apply(
    files: &dyn Files,
    resources: &Resources,
    ctx: &SetContext<'_>,
    freeze: &mut dyn FnMut(FreezerState) -> Result<()>,
) -> Result<()> {
    simple::pids(files, resources.pids_max)?;
    memory::write(files, &resources.memory)?;
    io::write(files, &resources.block_io)?;
    cpu::write(files, &resources.cpu, ctx.cpu_max)?;
    simple::cpuset(files, &resources.cpuset)?;
    simple::hugetlb(files, &resources.hugetlb, ctx.hugetlb_rsvd)?;
    simple::rdma(files, &resources.rdma)?;
    if let Some(state) = resources.freezer {
        freeze(state)?;
    }
    unified::write(files, &resources.unified)
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
#[cfg(test)]
#[path = "tests_more.rs"]
mod tests_more;
