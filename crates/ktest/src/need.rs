//! What a real-kernel test needs, and the probes that decide whether it is present.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use crate::mounts;

/// Something a real-kernel test needs from the machine. Each need is probed when the
/// test list is built; a test whose need is absent is listed as ignored with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Need {
    /// The effective user id is 0.
    Root,
    /// A mounted v1 hierarchy carries this controller (or `name=...` token).
    V1Controller(&'static str),
    /// One mounted v1 hierarchy carries both controllers (`cpu,cpuacct` co-mounted).
    V1Comounted(&'static str, &'static str),
    /// A cgroup2 mount exists (pure v2 or the `unified` mount of a hybrid).
    Unified,
    /// Only cgroup2 is mounted: no v1 hierarchy at all (not even `name=systemd`), so
    /// systemd and the drivers put every controller on cgroup2.
    PureV2,
    /// The controller is listed in the cgroup2 root's `cgroup.controllers` and enabled
    /// in its `cgroup.subtree_control` (tests never enable it at the root themselves).
    V2Controller(&'static str),
    /// This interface file exists in a non-root cgroup2 cgroup (probed by creating and
    /// removing a temporary child of the cgroup2 root).
    UnifiedFile(&'static str),
    /// A process may be moved into a v1 memory cgroup: only where the environment says
    /// so (`CGTEST_ALLOW_MEMORY_ATTACH=1`, set inside the VM tiers).
    V1MemoryAttach,
    /// systemd is the init system (`/run/systemd/system` is a directory).
    Systemd,
    /// A scratch block device the test may read and write ([`crate::io_disk`]:
    /// `CGTEST_IO_DISK` names it; the `vm-v2` tier attaches one).
    IoDisk,
    /// Swap is on (`/proc/swaps` lists a device or file).
    Swap,
    /// The run happens in this tier (`CGTEST_TIER`, default `host`).
    Tier(&'static str),
}

impl Need {
    /// The name used in `CGTEST_TIER_PROVIDES`: `root`, `v1:<controller>`,
    /// `v1:<a>,<b>` (co-mounted), `unified`, `io-disk`, `swap`,
    /// `v2:<controller>`, `file:<name>`, `memory-attach`, `systemd`, `tier:<name>`.
    pub fn name(&self) -> String {
        match self {
            Need::Root => "root".to_owned(),
            Need::V1Controller(c) => format!("v1:{c}"),
            Need::V1Comounted(a, b) => format!("v1:{a},{b}"),
            Need::Unified => "unified".to_owned(),
            Need::PureV2 => "pure-v2".to_owned(),
            Need::V2Controller(c) => format!("v2:{c}"),
            Need::UnifiedFile(f) => format!("file:{f}"),
            Need::V1MemoryAttach => "memory-attach".to_owned(),
            Need::Systemd => "systemd".to_owned(),
            Need::IoDisk => "io-disk".to_owned(),
            Need::Swap => "swap".to_owned(),
            Need::Tier(t) => format!("tier:{t}"),
        }
    }

    /// Probes the machine: `Ok(())` when the need is present, else the reason it is not.
    pub fn probe(&self) -> Result<(), String> {
        match *self {
            Need::Root => probe_root(),
            Need::V1Controller(c) => match mounts::v1_hierarchy(c) {
                Some(_) => Ok(()),
                None => Err(format!("no v1 {c} hierarchy")),
            },
            Need::V1Comounted(a, b) => match mounts::v1_hierarchy(a) {
                Some(h) if h.has_controller(b) => Ok(()),
                Some(_) => Err(format!("v1 {a} and {b} are not co-mounted")),
                None => Err(format!("no v1 {a} hierarchy")),
            },
            Need::Unified => mounts::unified_hierarchy()
                .map(|_| ())
                .ok_or_else(|| "no cgroup2 mount".to_owned()),
            Need::PureV2 => probe_pure_v2(mounts::hierarchies()),
            Need::V2Controller(c) => probe_v2_controller(c),
            Need::UnifiedFile(f) => probe_unified_file(f),
            Need::V1MemoryAttach => probe_memory_attach(),
            Need::Systemd => match Path::new("/run/systemd/system").is_dir() {
                true => Ok(()),
                false => Err("systemd is not the init system".to_owned()),
            },
            Need::IoDisk => crate::io_disk().map(|_| ()),
            Need::Swap => crate::disk::swap_is_on(),
            Need::Tier(t) => {
                let tier = current_tier();
                match tier == t {
                    true => Ok(()),
                    false => Err(format!("runs in the {t} tier, this is {tier}")),
                }
            }
        }
    }
}

/// Pure v2: a cgroup2 mount and no v1 hierarchy among `mounted`.
fn probe_pure_v2(mounted: &[mounts::Hierarchy]) -> Result<(), String> {
    match mounted.iter().find(|h| !h.unified) {
        Some(v1) => Err(format!(
            "a v1 hierarchy is mounted at {} (hybrid or legacy layout)",
            v1.mount_point.display()
        )),
        None if mounted.is_empty() => Err("no cgroup2 mount".to_owned()),
        None => Ok(()),
    }
}

/// The tier this run belongs to: `CGTEST_TIER`, or `host` when unset or empty.
pub fn current_tier() -> String {
    match std::env::var("CGTEST_TIER") {
        Ok(t) if !t.is_empty() => t,
        _ => "host".to_owned(),
    }
}

/// Whether moving a process into a v1 memory cgroup is allowed in this run: the
/// environment says so (`CGTEST_ALLOW_MEMORY_ATTACH=1`) and this process is not in the
/// shared host's own memory cgroup (`/process_api/...`), whatever the environment says.
pub fn memory_attach_allowed() -> bool {
    std::env::var("CGTEST_ALLOW_MEMORY_ATTACH").is_ok_and(|v| v == "1") && !in_host_memory_cgroup()
}

/// The shared development host puts every process in the v1 memory cgroup
/// `/process_api/<id>`, which belongs to the machine (docs/testing.md, host rules).
fn in_host_memory_cgroup() -> bool {
    let text = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    lists_host_memory_cgroup(&text)
}

fn lists_host_memory_cgroup(proc_self_cgroup: &str) -> bool {
    proc_self_cgroup.lines().any(|line| {
        let mut fields = line.splitn(3, ':');
        let (_, controllers, path) = (fields.next(), fields.next(), fields.next());
        controllers.is_some_and(|c| c.split(',').any(|c| c == "memory"))
            && path.is_some_and(|p| p.starts_with("/process_api"))
    })
}

fn probe_root() -> Result<(), String> {
    match rustix::process::geteuid().is_root() {
        true => Ok(()),
        false => Err("not root".to_owned()),
    }
}

fn probe_memory_attach() -> Result<(), String> {
    if mounts::v1_hierarchy("memory").is_none() {
        return Err("no v1 memory hierarchy".to_owned());
    }
    match memory_attach_allowed() {
        true => Ok(()),
        false => Err("no process may join a v1 memory cgroup on this host: \
                      runs in the v1 VM tier"
            .to_owned()),
    }
}

fn probe_v2_controller(controller: &str) -> Result<(), String> {
    let root = mounts::unified_hierarchy().ok_or_else(|| "no cgroup2 mount".to_owned())?;
    let read = |file: &str| {
        std::fs::read_to_string(root.mount_point.join(file))
            .map_err(|e| format!("cannot read {}: {e}", root.mount_point.join(file).display()))
    };
    let listed = |text: &str| text.split_whitespace().any(|c| c == controller);
    if !listed(&read("cgroup.controllers")?) {
        return Err(format!("v2 controller {controller} is not available"));
    }
    if !listed(&read("cgroup.subtree_control")?) {
        return Err(format!(
            "v2 controller {controller} is not enabled for children of the cgroup2 root"
        ));
    }
    Ok(())
}

fn probe_unified_file(file: &str) -> Result<(), String> {
    static LISTING: Mutex<Option<Result<Vec<String>, String>>> = Mutex::new(None);
    let mut guard = LISTING.lock().unwrap_or_else(|e| e.into_inner());
    let listing = guard.get_or_insert_with(list_child_cgroup_files);
    match listing {
        Ok(files) if files.iter().any(|f| f == file) => Ok(()),
        Ok(_) => Err(format!("no {file} in a cgroup2 child cgroup")),
        Err(reason) => Err(reason.clone()),
    }
}

/// Creates a temporary child of the cgroup2 root, lists its files and removes it.
fn list_child_cgroup_files() -> Result<Vec<String>, String> {
    probe_root()?;
    let cgroup = crate::TestCgroup::new_unified("probe").map_err(|e| {
        format!(
            "cannot create a probe cgroup: {}",
            e.message().unwrap_or("?")
        )
    })?;
    let entries = std::fs::read_dir(cgroup.path())
        .map_err(|e| format!("cannot list {}: {e}", cgroup.path().display()))?;
    let names = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    drop(cgroup);
    Ok(names)
}

/// Probes every need of a test (each distinct need once per process) and returns the
/// first absent one with its reason.
pub(crate) fn first_absent(needs: &[Need]) -> Option<(Need, String)> {
    static CACHE: Mutex<Option<HashMap<Need, Result<(), String>>>> = Mutex::new(None);
    let mut guard = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let cache = guard.get_or_insert_with(HashMap::new);
    needs.iter().find_map(|need| {
        let result = cache.entry(*need).or_insert_with(|| need.probe());
        result.clone().err().map(|reason| (*need, reason))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn need_names_match_the_tier_provides_syntax() {
        assert_eq!(Need::V1Controller("memory").name(), "v1:memory");
        assert_eq!(Need::V1MemoryAttach.name(), "memory-attach");
        assert_eq!(Need::PureV2.name(), "pure-v2");
        assert_eq!(Need::V1Comounted("cpu", "cpuacct").name(), "v1:cpu,cpuacct");
        assert_eq!(Need::UnifiedFile("cgroup.kill").name(), "file:cgroup.kill");
        assert_eq!(Need::Tier("v1-vm").name(), "tier:v1-vm");
    }

    #[test]
    fn the_hosts_own_memory_cgroup_is_recognised() {
        let host = "5:devices:/\n4:memory:/process_api/7d5a39\n0::/\n";
        assert!(lists_host_memory_cgroup(host));
        let vm = "4:memory:/\n3:cpu,cpuacct:/process_api\n0::/\n";
        assert!(!lists_host_memory_cgroup(vm));
    }

    #[test]
    fn memory_attach_is_refused_inside_the_hosts_memory_cgroup() {
        if in_host_memory_cgroup() {
            // Whatever CGTEST_ALLOW_MEMORY_ATTACH says.
            assert!(!memory_attach_allowed());
        } else {
            let env = std::env::var("CGTEST_ALLOW_MEMORY_ATTACH").is_ok_and(|v| v == "1");
            assert_eq!(memory_attach_allowed(), env);
        }
    }

    #[test]
    fn pure_v2_is_only_cgroup2_mounted() {
        let pure = "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
        assert_eq!(probe_pure_v2(&mounts::parse_mountinfo(pure)), Ok(()));
        let hybrid = "\
32 31 0:29 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
";
        let err = probe_pure_v2(&mounts::parse_mountinfo(hybrid)).unwrap_err();
        assert!(err.contains("/sys/fs/cgroup/systemd"), "{err}");
        assert!(probe_pure_v2(&[]).is_err());
    }

    #[test]
    fn an_absent_tier_is_reported_with_its_name() {
        let reason = Need::Tier("no-such-tier").probe().unwrap_err();
        assert!(reason.contains("no-such-tier"), "{reason}");
    }
}
