//! Which hierarchies a manager uses and where its cgroup is in each.
//!
//! Pure planning from [`Hierarchies`] (mountinfo) and, for relative cgroup paths,
//! `/proc/self/cgroup`; opening the roots happens in the manager's constructors.

use std::path::{Path, PathBuf};

use cgroups_core::{CgroupMode, CgroupPath, Error, ErrorKind, Hierarchies, ProcCgroup, Result};

use crate::controller::{ORDER, best_effort};

/// How the driver treats a hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A v1 hierarchy whose controllers are configured.
    Controllers,
    /// `name=systemd` or `misc`: created and joined on a best-effort basis.
    BestEffort,
    /// The cgroup2 hierarchy of a hybrid host: created and joined, nothing written.
    Unified,
}

/// A hierarchy to use, before its root is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Planned {
    /// Names from [`ORDER`] bound to this hierarchy (co-mounted ones together); `""`
    /// alone for the unified hierarchy.
    pub(crate) controllers: Vec<&'static str>,
    pub(crate) role: Role,
    pub(crate) mount_point: PathBuf,
    /// The cgroup below the mount point, without a leading `/` (`""` = the root).
    pub(crate) rel: String,
}

/// The hierarchies a [`Config`](cgroups_core::Config) selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selection(Option<Vec<&'static str>>);

impl Selection {
    /// Checks the names of `Config::controllers`: names from [`ORDER`], `systemd` for
    /// `name=systemd`, and `unified` for the cgroup2 hierarchy of a hybrid host.
    pub(crate) fn new(controllers: Option<&[String]>) -> Result<Selection> {
        let Some(list) = controllers else {
            return Ok(Selection(None));
        };
        let mut names = Vec::new();
        for name in list {
            let known = match name.as_str() {
                "systemd" => Some("name=systemd"),
                "unified" => Some("unified"),
                other => ORDER.iter().copied().find(|c| *c == other),
            };
            let Some(known) = known else {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("unknown v1 controller {name:?} in Config::controllers"),
                )
                .with_value(name.clone())
                .with_hint("use names as in /proc/cgroups, name=systemd, or unified"));
            };
            names.push(known);
        }
        Ok(Selection(Some(names)))
    }

    /// Whether `controller` (or `unified`) is selected.
    pub(crate) fn includes(&self, controller: &str) -> bool {
        match &self.0 {
            None => true,
            Some(names) => names.contains(&controller),
        }
    }
}

/// Plans the hierarchies of this machine's layout for `path`.
///
/// A hierarchy is used when one of its controllers is selected; it then serves every
/// controller bound to it (`cpu` selected on a `cpu,cpuacct` mount also gives the
/// `cpuacct` path). `own` is the caller's `/proc/self/cgroup`, needed when `path` is
/// relative.
pub(crate) fn plan(
    hierarchies: &Hierarchies,
    selection: &Selection,
    path: &CgroupPath,
    own: Option<&ProcCgroup>,
) -> Result<Vec<Planned>> {
    if hierarchies.mode() == CgroupMode::Unified {
        return Err(Error::new(
            ErrorKind::UnsupportedLayout,
            "this machine has no cgroup v1 hierarchies (pure cgroup v2)",
        )
        .with_hint("use the cgroup v2 driver, cgroups-fs2"));
    }
    let mut planned: Vec<Planned> = Vec::new();
    for name in ORDER {
        let Some(h) = hierarchies.v1(name) else {
            continue;
        };
        let used = ORDER
            .iter()
            .any(|c| selection.includes(c) && hierarchies.v1(c) == Some(h));
        if !used || planned.iter().any(|p| p.mount_point == h.mount_point) {
            continue;
        }
        let controllers: Vec<&'static str> = ORDER
            .iter()
            .copied()
            .filter(|c| hierarchies.v1(c) == Some(h))
            .collect();
        let role = match controllers.iter().any(|c| best_effort(c)) {
            true => Role::BestEffort,
            false => Role::Controllers,
        };
        let rel = resolve(hierarchies, name, path, own, &h.mount_point)?;
        planned.push(Planned {
            controllers,
            role,
            mount_point: h.mount_point.clone(),
            rel,
        });
    }
    if hierarchies.mode() == CgroupMode::Hybrid
        && selection.includes("unified")
        && let Some(mount) = hierarchies.unified_mount()
    {
        let rel = resolve(hierarchies, "", path, own, mount)?;
        planned.push(Planned {
            controllers: vec![""],
            role: Role::Unified,
            mount_point: mount.to_path_buf(),
            rel,
        });
    }
    Ok(planned)
}

/// The cgroup below the mount point: an absolute path is taken from the mount point
/// (OCI `cgroupsPath` style); a relative one is below the caller's own cgroup in that
/// hierarchy ([`Hierarchies::own_path`], which handles a mount root that is not `/`,
/// C05).
fn resolve(
    hierarchies: &Hierarchies,
    controller: &str,
    path: &CgroupPath,
    own: Option<&ProcCgroup>,
    mount_point: &Path,
) -> Result<String> {
    if path.is_absolute() {
        return Ok(path.relative_str());
    }
    let own = own.ok_or_else(|| {
        Error::new(
            ErrorKind::NotFound,
            "a relative cgroup path needs /proc/self/cgroup",
        )
    })?;
    let own_dir = hierarchies.own_path(controller, own)?;
    let below = own_dir
        .strip_prefix(mount_point)
        .ok()
        .and_then(Path::to_str)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::UnsupportedLayout,
                "this process's own cgroup is not below the hierarchy's mount point",
            )
            .with_path(own_dir.clone())
            .with_hint("use an absolute cgroup path")
        })?;
    let base = CgroupPath::parse(&format!("/{below}"))?;
    Ok(path.resolve_against(&base).relative_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

    fn names(plan: &[Planned]) -> Vec<Vec<&'static str>> {
        plan.iter().map(|p| p.controllers.clone()).collect()
    }

    #[test]
    fn unknown_controller_names_are_refused() {
        let err = Selection::new(Some(&["cpux".to_owned()])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        let sel = Selection::new(Some(&["systemd".to_owned(), "pids".to_owned()])).unwrap();
        assert!(sel.includes("name=systemd"));
        assert!(!sel.includes("memory"));
        assert!(!sel.includes("unified"));
    }

    #[test]
    fn hybrid_plan_follows_the_order_and_appends_unified() {
        let h = Hierarchies::from_mountinfo(HYBRID).unwrap();
        let path = CgroupPath::parse("/pods/c1").unwrap();
        let plan = plan(&h, &Selection(None), &path, None).unwrap();
        assert_eq!(
            names(&plan),
            [
                vec!["cpuset"],
                vec!["devices"],
                vec!["memory"],
                vec!["cpu", "cpuacct"],
                vec!["pids"],
                vec!["freezer"],
                vec!["name=systemd"],
                vec![""],
            ]
        );
        assert!(plan.iter().all(|p| p.rel == "pods/c1"));
        assert_eq!(
            plan[3].mount_point,
            PathBuf::from("/sys/fs/cgroup/cpu,cpuacct")
        );
        assert_eq!(plan[6].role, Role::BestEffort);
        assert_eq!(plan[7].role, Role::Unified);
    }

    #[test]
    fn restricted_selection_never_plans_memory() {
        let h = Hierarchies::from_mountinfo(HYBRID).unwrap();
        let sel = Selection::new(Some(&["cpu".to_owned(), "pids".to_owned()])).unwrap();
        let path = CgroupPath::parse("/x").unwrap();
        let plan = plan(&h, &sel, &path, None).unwrap();
        assert_eq!(names(&plan), [vec!["cpu", "cpuacct"], vec!["pids"]]);
    }

    #[test]
    fn relative_path_is_below_the_own_cgroup_in_each_hierarchy() {
        let h = Hierarchies::from_mountinfo(HYBRID).unwrap();
        let own = ProcCgroup::parse(
            "9:name=systemd:/user.slice\n8:pids:/p\n4:memory:/process_api/42\n\
             2:cpu,cpuacct:/c\n0::/u\n",
        )
        .unwrap();
        let sel = Selection::new(Some(&[
            "pids".to_owned(),
            "cpu".to_owned(),
            "systemd".to_owned(),
            "unified".to_owned(),
        ]))
        .unwrap();
        let path = CgroupPath::parse("job").unwrap();
        let plan = plan(&h, &sel, &path, Some(&own)).unwrap();
        let rels: Vec<&str> = plan.iter().map(|p| p.rel.as_str()).collect();
        assert_eq!(rels, ["c/job", "p/job", "user.slice/job", "u/job"]);
    }

    #[test]
    fn relative_path_inside_a_container_strips_the_mount_root() {
        let text = "1 0 0:1 /docker/abc /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";
        let h = Hierarchies::from_mountinfo(text).unwrap();
        let own = ProcCgroup::parse("3:pids:/docker/abc/init\n").unwrap();
        let path = CgroupPath::parse("sub").unwrap();
        let plan = plan(&h, &Selection(None), &path, Some(&own)).unwrap();
        assert_eq!(plan[0].rel, "init/sub");
    }

    #[test]
    fn relative_path_outside_the_mount_root_is_refused() {
        let text = "1 0 0:1 /docker/abc /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";
        let h = Hierarchies::from_mountinfo(text).unwrap();
        let own = ProcCgroup::parse("3:pids:/elsewhere\n").unwrap();
        let path = CgroupPath::parse("sub").unwrap();
        let err = plan(&h, &Selection(None), &path, Some(&own)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedLayout);
    }

    #[test]
    fn pure_v2_host_is_refused() {
        let text = "1 0 0:1 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        let h = Hierarchies::from_mountinfo(text).unwrap();
        let path = CgroupPath::parse("/x").unwrap();
        let err = plan(&h, &Selection(None), &path, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedLayout);
    }
}
