//! Where a manager's cgroup is: the config path resolved below the cgroup2 mount.

use std::path::Path;

use cgroups_core::{CgroupPath, Error, ErrorKind, Hierarchies, ProcCgroup, Result};

/// The absolute cgroup path (from the hierarchy root) for `config_path`.
///
/// - Absolute (`/a/b`): from the hierarchy root, as OCI `cgroupsPath`.
/// - Relative (`a/b`): below the **parent** of the caller's own cgroup (`own`, the
///   caller's cgroup relative to the mount, e.g. `user.slice/session-1.scope`). The
///   caller's own cgroup has processes (the caller itself), so by the cgroup v2
///   no-internal-process rule it cannot enable controllers for children; its parent
///   can. This is what the reference driver does; a caller that wants its own cgroup
///   as the base must pass an absolute path.
pub(crate) fn resolve(
    config_path: &CgroupPath,
    own: impl FnOnce() -> Result<String>,
) -> Result<CgroupPath> {
    if config_path.is_absolute() {
        return Ok(config_path.clone());
    }
    let own = own()?;
    let parent = own.rsplit_once('/').map_or("", |(p, _)| p);
    let base = CgroupPath::parse(&format!("/{parent}"))?;
    Ok(config_path.resolve_against(&base))
}

/// The caller's own cgroup2 cgroup relative to the mount `mount` (from
/// `/proc/self/cgroup` and mount discovery).
pub(crate) fn own_relative_to(hierarchies: &Hierarchies, mount: &Path) -> Result<String> {
    let own = hierarchies.own_path("", &ProcCgroup::of_process(None)?)?;
    let rel = own.strip_prefix(mount).map_err(|_| {
        Error::new(
            ErrorKind::UnsupportedLayout,
            "the caller's cgroup is not below the mount",
        )
        .with_path(own.clone())
        .with_value(mount.display().to_string())
    })?;
    let text = rel.to_str().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidPath,
            "the caller's cgroup path is not UTF-8",
        )
        .with_path(own.clone())
    })?;
    Ok(text.trim_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> CgroupPath {
        CgroupPath::parse(p).unwrap()
    }

    #[test]
    fn an_absolute_path_is_below_the_mount_whatever_the_own_cgroup() {
        let resolved = resolve(&path("/foo/bar"), || panic!("own cgroup not needed")).unwrap();
        assert_eq!(resolved.relative_str(), "foo/bar");
    }

    #[test]
    fn a_relative_path_is_below_the_parent_of_the_own_cgroup() {
        let own = || Ok("user.slice/session-1.scope".to_owned());
        let resolved = resolve(&path("foo/bar"), own).unwrap();
        assert_eq!(resolved.relative_str(), "user.slice/foo/bar");
    }

    #[test]
    fn a_relative_path_of_a_process_in_the_root_is_below_the_root() {
        let resolved = resolve(&path("foo"), || Ok(String::new())).unwrap();
        assert_eq!(resolved.relative_str(), "foo");
        let resolved = resolve(&path("foo"), || Ok("top".into())).unwrap();
        assert_eq!(resolved.relative_str(), "foo");
    }
}
