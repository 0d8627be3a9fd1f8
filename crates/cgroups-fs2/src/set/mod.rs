//! Applying [`Resources`] to one cgroup: the write order of the reference.
//!
//! pids → memory → io → cpu → cpuset → hugetlb → rdma → unified keys → freezer. The
//! unified keys come after the typed fields so that they override them. The freezer
//! state comes last, after the unified keys (the reference has it before them):
//! `cgroup.freeze` cannot be a unified key, so nothing is overridden differently,
//! and a request that the kernel refuses part-way never leaves the cgroup newly
//! frozen. Device rules (the reference's step between cpu and cpuset) are an eBPF
//! program, attached by the manager before these writes (`crate::device_filter`).

mod cpu;
mod io;
mod memory;
mod simple;
mod unified;

use std::sync::atomic::AtomicBool;

use cgroups_core::{FreezerState, Resources, Result};

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

/// Writes `resources` in the reference order; `freeze` applies the freezer state
/// last, after the unified keys.
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
    unified::write(files, &resources.unified)?;
    match resources.freezer {
        Some(state) => freeze(state),
        None => Ok(()),
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
#[cfg(test)]
#[path = "tests_more.rs"]
mod tests_more;
