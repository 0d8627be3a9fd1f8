//! Which v2 controllers a request needs, as a small set.

use cgroups_core::Resources;

/// cgroup v2 controllers that this driver writes files of, in the order the kernel
/// lists them in `cgroup.controllers`.
const NAMES: [&str; 8] = [
    "cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc",
];

/// Controllers that the kernel does not allow in a threaded subtree (they are not
/// "threaded controllers"): `cpu`, `cpuset` and `pids` are threaded, these are not.
///
/// The Go reference also counts `cpu` as a domain controller; the kernel marks the cpu
/// controller threaded, so `cpu.max` and `cpu.weight` work in threaded cgroups and we
/// do not refuse them there.
const DOMAIN_ONLY: [&str; 5] = ["io", "memory", "hugetlb", "rdma", "misc"];

/// A set of v2 controllers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Controllers(u16);

impl Controllers {
    /// The empty set.
    pub(crate) const NONE: Controllers = Controllers(0);

    fn bit(name: &str) -> Option<u16> {
        NAMES.iter().position(|n| *n == name).map(|i| 1 << i)
    }

    /// The set holding the listed names; names this driver does not know (e.g.
    /// `perf_event`) are left out.
    pub(crate) fn parse(list: &str) -> Controllers {
        let mut set = Controllers::NONE;
        for name in list.split_whitespace() {
            set.insert(name);
        }
        set
    }

    /// Adds `name` if it is a known controller.
    pub(crate) fn insert(&mut self, name: &str) {
        if let Some(bit) = Self::bit(name) {
            self.0 |= bit;
        }
    }

    /// Whether `name` is in the set.
    pub(crate) fn contains(self, name: &str) -> bool {
        Self::bit(name).is_some_and(|bit| self.0 & bit != 0)
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The controllers of `self` that are not in `other`.
    pub(crate) fn without(self, other: Controllers) -> Controllers {
        Controllers(self.0 & !other.0)
    }

    /// The controllers of `self` that cannot be used in a threaded subtree.
    pub(crate) fn domain_only(self) -> Controllers {
        Controllers(self.0 & Controllers::parse(&DOMAIN_ONLY.join(" ")).0)
    }

    /// The names, in kernel order.
    pub(crate) fn names(self) -> impl Iterator<Item = &'static str> {
        NAMES.iter().copied().filter(move |n| self.contains(n))
    }

    /// The line for `cgroup.subtree_control` that enables every controller of the set:
    /// `+cpu +memory`.
    pub(crate) fn enable_line(self) -> String {
        let words: Vec<String> = self.names().map(|n| format!("+{n}")).collect();
        words.join(" ")
    }
}

impl std::fmt::Display for Controllers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.names().collect();
        f.write_str(&names.join(" "))
    }
}

/// The controller whose files a unified key names (`memory.high` → `memory`), or
/// `None` for core files (`cgroup.*`), pressure files (`*.pressure`, present without
/// any controller) and prefixes this driver does not know.
pub(crate) fn controller_of_key(key: &str) -> Option<&'static str> {
    if key.ends_with(".pressure") {
        return None;
    }
    let (prefix, _) = key.split_once('.')?;
    NAMES.iter().copied().find(|n| *n == prefix)
}

/// The controllers that applying `resources` needs enabled in the cgroup's parent.
pub(crate) fn needed(resources: &Resources) -> Controllers {
    let mut set = Controllers::NONE;
    if resources.pids_max.is_some() {
        set.insert("pids");
    }
    let m = &resources.memory;
    let memory = m.limit_bytes.is_some()
        || m.memory_and_swap_bytes.is_some()
        || m.reservation_bytes.is_some()
        || m.high_bytes.is_some()
        || m.min_bytes.is_some()
        || m.oom_group.is_some();
    if memory {
        set.insert("memory");
    }
    let b = &resources.block_io;
    let io = b.weight.is_some()
        || b.weight_devices.iter().any(|d| d.weight.is_some())
        || !b.throttle_read_bps.is_empty()
        || !b.throttle_write_bps.is_empty()
        || !b.throttle_read_iops.is_empty()
        || !b.throttle_write_iops.is_empty();
    if io {
        set.insert("io");
    }
    let c = &resources.cpu;
    let cpu = c.shares.is_some()
        || c.weight.is_some()
        || c.quota.is_some()
        || c.period_us.is_some()
        || c.burst_us.is_some()
        || c.idle.is_some();
    if cpu {
        set.insert("cpu");
    }
    if resources.cpuset.cpus.is_some() || resources.cpuset.mems.is_some() {
        set.insert("cpuset");
    }
    if !resources.hugetlb.is_empty() {
        set.insert("hugetlb");
    }
    if resources
        .rdma
        .values()
        .any(|l| l.hca_handles.is_some() || l.hca_objects.is_some())
    {
        set.insert("rdma");
    }
    for key in resources.unified.keys() {
        if let Some(controller) = controller_of_key(key) {
            set.insert(controller);
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use cgroups_core::{CpuQuota, HugetlbLimit, Limit, RdmaLimit};

    #[test]
    fn empty_resources_need_no_controller() {
        assert!(needed(&Resources::default()).is_empty());
    }

    #[test]
    fn a_memory_limit_needs_only_memory() {
        let mut r = Resources::default();
        r.memory.limit_bytes = Some(Limit::Value(1 << 20));
        assert_eq!(needed(&r).to_string(), "memory");
    }

    #[test]
    fn check_before_update_alone_needs_nothing() {
        let mut r = Resources::default();
        r.memory.check_before_update = true;
        assert!(needed(&r).is_empty());
    }

    #[test]
    fn every_group_maps_to_its_controller_in_kernel_order() {
        let mut r = Resources::default();
        r.pids_max = Some(Limit::Max);
        r.memory.oom_group = Some(true);
        r.block_io.weight = Some(100);
        r.cpu.quota = Some(CpuQuota::Max);
        r.cpuset.mems = Some("0".into());
        r.hugetlb.push(HugetlbLimit::new("2MB", Limit::Max));
        r.rdma
            .insert("mlx5_0".into(), RdmaLimit::new(Some(1), None));
        r.unified.insert("misc.max".into(), "res 1".into());
        assert_eq!(
            needed(&r).to_string(),
            "cpuset cpu io memory hugetlb pids rdma misc"
        );
    }

    #[test]
    fn unified_keys_need_the_controller_of_their_prefix() {
        let mut r = Resources::default();
        r.unified.insert("memory.high".into(), "max".into());
        r.unified.insert("cgroup.max.depth".into(), "3".into());
        r.unified
            .insert("cpu.pressure".into(), "some 150000 1000000".into());
        r.unified.insert("nosuch.file".into(), "1".into());
        assert_eq!(needed(&r).to_string(), "memory");
    }

    #[test]
    fn the_enable_line_has_one_plus_word_per_controller() {
        let set = Controllers::parse("memory pids perf_event cpu");
        assert_eq!(set.enable_line(), "+cpu +memory +pids");
    }

    #[test]
    fn cpu_cpuset_and_pids_are_allowed_in_threaded_subtrees() {
        let set = Controllers::parse("cpu cpuset pids memory io hugetlb");
        assert_eq!(set.domain_only().to_string(), "io memory hugetlb");
    }

    #[test]
    fn without_removes_what_the_other_set_has() {
        let want = Controllers::parse("cpu memory pids");
        let have = Controllers::parse("cpu io");
        assert_eq!(want.without(have).to_string(), "memory pids");
    }
}
