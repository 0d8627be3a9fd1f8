//! One module per v1 controller: what it writes, in which order, with which fallbacks.
//!
//! Each module offers `wanted` (does the request touch this controller?) and `set`
//! (write it) over the [`Files`] trait, so that unit tests can record the exact
//! writes on an in-memory directory.

pub(crate) mod blkio;
pub(crate) mod cpu;
pub(crate) mod cpuset;
pub(crate) mod devices;
pub(crate) mod freezer;
pub(crate) mod hugetlb;
pub(crate) mod memory;
pub(crate) mod net;
pub(crate) mod pids;
pub(crate) mod rdma;

use cgroups_core::{Resources, Result};

use crate::files::Files;

/// The v1 hierarchies, in the order used to create, join and set (the reference's
/// order: cpuset first so that it is populated before anything joins, freezer after
/// the limits).
pub(crate) const ORDER: [&str; 15] = [
    "cpuset",
    "devices",
    "memory",
    "cpu",
    "cpuacct",
    "pids",
    "blkio",
    "hugetlb",
    "net_cls",
    "net_prio",
    "perf_event",
    "freezer",
    "rdma",
    "name=systemd",
    "misc",
];

/// Hierarchies that are created and joined on a best-effort basis: their errors are
/// logged and the hierarchy is left out.
pub(crate) fn best_effort(controller: &str) -> bool {
    matches!(controller, "name=systemd" | "misc")
}

/// The controllers that `r` needs, in [`ORDER`] except that `freezer` comes last:
/// a request that fails part-way (the kernel refuses a later file) then never leaves
/// the cgroup newly frozen.
pub(crate) fn wanted(r: &Resources) -> Vec<&'static str> {
    let mut wanted: Vec<&'static str> = ORDER
        .iter()
        .copied()
        .filter(|c| match *c {
            "cpuset" => cpuset::wanted(&r.cpuset),
            "devices" => r.devices.is_some(),
            "memory" => memory::wanted(&r.memory),
            "cpu" => cpu::wanted(&r.cpu),
            "pids" => pids::wanted(r.pids_max),
            "blkio" => blkio::wanted(&r.block_io),
            "hugetlb" => hugetlb::wanted(&r.hugetlb),
            "net_cls" => net::cls_wanted(&r.network),
            "net_prio" => net::prio_wanted(&r.network),
            "freezer" => r.freezer.is_some(),
            "rdma" => rdma::wanted(&r.rdma),
            _ => false,
        })
        .collect();
    if let Some(at) = wanted.iter().position(|c| *c == "freezer") {
        let freezer = wanted.remove(at);
        wanted.push(freezer);
    }
    wanted
}

/// Writes the part of `r` that belongs to `controller`. `cpuset_names` is the file
/// naming of the cpuset hierarchy (needed for `cpuset` only). Devices are applied
/// by [`devices::set`] with the target computed before the first write.
pub(crate) fn set(
    controller: &str,
    files: &dyn Files,
    cpuset_names: cpuset::Names,
    r: &Resources,
) -> Result<()> {
    match controller {
        "cpuset" => cpuset::set(files, cpuset_names, &r.cpuset),
        "memory" => memory::set(files, &r.memory),
        "cpu" => cpu::set(files, &r.cpu),
        "pids" => pids::set(files, r.pids_max),
        "blkio" => blkio::set(files, &r.block_io),
        "hugetlb" => hugetlb::set(files, &r.hugetlb),
        "net_cls" => net::set_cls(files, &r.network),
        "net_prio" => net::set_prio(files, &r.network),
        "freezer" => match r.freezer {
            Some(state) => freezer::set(&freezer::FreezerFiles(files), state),
            None => Ok(()),
        },
        "rdma" => rdma::set(files, &r.rdma),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cgroups_core::{FreezerState, Limit};

    #[test]
    fn empty_resources_want_nothing() {
        assert!(wanted(&Resources::default()).is_empty());
    }

    #[test]
    fn wanted_controllers_follow_the_order() {
        let mut r = Resources::default();
        r.freezer = Some(FreezerState::Thawed);
        r.pids_max = Some(Limit::Value(10));
        r.memory.limit_bytes = Some(Limit::Max);
        r.cpuset.cpus = Some("0".to_owned());
        r.cpu.shares = Some(512);
        assert_eq!(wanted(&r), ["cpuset", "memory", "cpu", "pids", "freezer"]);
    }

    #[test]
    fn the_freezer_comes_after_every_limit() {
        let mut r = Resources::default();
        r.freezer = Some(FreezerState::Frozen);
        r.rdma.insert("mlx5_0".to_owned(), Default::default());
        r.rdma.get_mut("mlx5_0").unwrap().hca_handles = Some(2);
        r.pids_max = Some(Limit::Value(10));
        assert_eq!(wanted(&r), ["pids", "rdma", "freezer"]);
    }

    #[test]
    fn device_rules_want_the_devices_hierarchy() {
        let mut r = Resources::default();
        r.devices = Some(Vec::new());
        assert_eq!(wanted(&r), ["devices"]);
    }
}
