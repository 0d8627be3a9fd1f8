//! systemd's escaping of cgroup path components.
//!
//! systemd does not name a unit's cgroup directory exactly as the unit: a name that
//! could be mistaken for a file the kernel puts in every cgroup directory gets a `_`
//! in front. That is the case when the name
//!
//! - starts with `_` or `.` (so that every name starting with `_` is an escaped
//!   one, and no name is hidden);
//! - is `notify_on_release`, `release_agent` or `tasks` (v1 core files);
//! - starts with `cgroup.` (core files of both versions);
//! - has a controller name before its last `.` (`cpu.slice` could be a `cpu.*`
//!   file): the kernel controllers systemd manages (`cpu`, `cpuacct`, `cpuset`,
//!   `io`, `blkio`, `memory`, `devices`, `pids`) and its BPF pseudo controllers.
//!
//! So the slice `cpu.slice` lives at `/_cpu.slice`, `_x.slice` at `/__x.slice`, and
//! the scope `memory.scope` in `-.slice` at `/_memory.scope` (checked against
//! systemd 252's `ControlGroup`). Each level of a slice path is escaped on its own:
//! `cpu-a.slice` is at `/_cpu.slice/cpu-a.slice`.

use std::borrow::Cow;

/// Controller names, kernel and pseudo, that systemd guards against in escaping.
const CONTROLLERS: [&str; 13] = [
    "cpu",
    "cpuacct",
    "cpuset",
    "io",
    "blkio",
    "memory",
    "devices",
    "pids",
    "bpf-firewall",
    "bpf-devices",
    "bpf-foreign",
    "bpf-socket-bind",
    "bpf-restrict-network-interfaces",
];

/// Core files of v1 cgroup directories without a `cgroup.` prefix.
const V1_CORE_FILES: [&str; 3] = ["notify_on_release", "release_agent", "tasks"];

/// The directory name systemd gives the unit `name` (one path component).
pub(crate) fn escape_component(name: &str) -> Cow<'_, str> {
    if needs_escape(name) {
        Cow::Owned(format!("_{name}"))
    } else {
        Cow::Borrowed(name)
    }
}

fn needs_escape(name: &str) -> bool {
    if name.starts_with(['_', '.']) || name.starts_with("cgroup.") {
        return true;
    }
    if V1_CORE_FILES.contains(&name) {
        return true;
    }
    match name.rsplit_once('.') {
        Some((before, _)) => CONTROLLERS.contains(&before),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_unit_names_are_kept() {
        for name in [
            "system.slice",
            "a-cpu.slice",
            "cpux.slice",
            "mycpu.scope",
            "cpu",
            "cpu.x.slice",
            "docker-abc.scope",
            "-.slice",
        ] {
            assert_eq!(escape_component(name), name);
        }
    }

    #[test]
    fn leading_underscore_or_dot_gets_an_underscore() {
        assert_eq!(escape_component("_x.slice"), "__x.slice");
        assert_eq!(escape_component("..slice"), "_..slice");
        assert_eq!(escape_component(".hidden.scope"), "_.hidden.scope");
    }

    #[test]
    fn core_file_names_get_an_underscore() {
        for name in ["tasks", "release_agent", "notify_on_release"] {
            assert_eq!(escape_component(name), format!("_{name}"));
        }
        assert_eq!(escape_component("cgroup.procs"), "_cgroup.procs");
        assert_eq!(escape_component("cgroup.x.slice"), "_cgroup.x.slice");
        assert_eq!(escape_component("tasks.slice"), "tasks.slice");
    }

    #[test]
    fn controller_before_the_last_dot_gets_an_underscore() {
        assert_eq!(escape_component("cpu.slice"), "_cpu.slice");
        assert_eq!(escape_component("memory.scope"), "_memory.scope");
        assert_eq!(escape_component("pids.slice"), "_pids.slice");
        assert_eq!(escape_component("io.scope"), "_io.scope");
        assert_eq!(
            escape_component("bpf-firewall.slice"),
            "_bpf-firewall.slice"
        );
        assert_eq!(
            escape_component("bpf-restrict-network-interfaces.slice"),
            "_bpf-restrict-network-interfaces.slice"
        );
        // freezer, hugetlb, net_cls are not among systemd's controllers.
        assert_eq!(escape_component("freezer.slice"), "freezer.slice");
        assert_eq!(escape_component("hugetlb.slice"), "hugetlb.slice");
    }
}
