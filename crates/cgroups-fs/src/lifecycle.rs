//! Creating, joining and removing the cgroup in every hierarchy.

use cgroups_core::{CgroupDir, Error, ErrorKind, Result};

use crate::controller::cpuset::{self, Names};
use crate::files::Files;
use crate::manager::{FsManager, Hierarchy};

/// Creates the cgroup in every active hierarchy, in order (idempotent).
///
/// In the cpuset hierarchy each level is made and filled from its parent before the
/// next one (C25). If a hierarchy fails (and the failure is not tolerated), the
/// directories this call created are removed again, in every hierarchy, and nothing
/// that existed before is touched.
pub(crate) fn create(m: &FsManager) -> Result<()> {
    let mut created: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, h) in m.active() {
        let mut made = Vec::new();
        let result = match h.has("cpuset") {
            true => create_cpuset_levels(h, m.cpuset_names, &mut made),
            false => h
                .root
                .create_child_all(&h.rel)
                .map(|(_, levels)| made = levels),
        };
        created.push((i, made));
        if let Err(e) = result
            && let Err(e) = m.tolerate(i, h, e)
        {
            roll_back(m, &created);
            return Err(e);
        }
    }
    Ok(())
}

/// Makes every level of the cpuset path, top-down, filling each level's empty
/// `cpus`/`mems` from its parent before going deeper.
fn create_cpuset_levels(h: &Hierarchy, names: Names, made: &mut Vec<String>) -> Result<()> {
    walk_levels(h, names, |prefix| {
        let (dir, levels) = h.root.create_child_all(prefix)?;
        made.extend(levels);
        Ok(dir)
    })
}

/// Fills empty `cpus`/`mems` along the existing path (before a join).
fn inherit_along(h: &Hierarchy, rel: &str, names: Names) -> Result<()> {
    walk_levels_of(h, rel, names, |prefix| h.root.open_child(prefix))
}

fn walk_levels(
    h: &Hierarchy,
    names: Names,
    open: impl FnMut(&str) -> Result<CgroupDir>,
) -> Result<()> {
    walk_levels_of(h, &h.rel, names, open)
}

/// Opens (or makes) each level of `rel` from the top and inherits into it from the
/// level above (the hierarchy root for the first).
fn walk_levels_of(
    h: &Hierarchy,
    rel: &str,
    names: Names,
    mut open: impl FnMut(&str) -> Result<CgroupDir>,
) -> Result<()> {
    let mut parent: Option<CgroupDir> = None;
    let mut prefix = String::new();
    for component in rel.split('/').filter(|c| !c.is_empty()) {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(component);
        let child = open(&prefix)?;
        let above: &dyn Files = match &parent {
            Some(p) => p,
            None => &h.root,
        };
        cpuset::inherit_if_empty(&child, above, names)?;
        parent = Some(child);
    }
    Ok(())
}

/// Removes what a failed [`create`] made, innermost first; failures are logged (the
/// original error is what the caller needs).
fn roll_back(m: &FsManager, created: &[(usize, Vec<String>)]) {
    for (i, levels) in created.iter().rev() {
        let Some(h) = m.hierarchies.get(*i) else {
            continue;
        };
        for rel in levels.iter().rev() {
            if let Err(e) = h.root.remove_tree(rel) {
                log::warn!("could not remove {rel} after a failed create: {e}");
            }
        }
    }
}

/// Moves `pid` into the cgroup (or its sub-cgroup `sub`; `""` is the cgroup
/// itself) in every active hierarchy. The cgroup itself must not be a hierarchy
/// root unless the manager allows root writes.
pub(crate) fn join(m: &FsManager, sub: Option<&str>, pid: u32) -> Result<()> {
    let sub_rel = match sub {
        None | Some("") => None,
        Some(sub) => Some(check_sub(m, sub)?),
    };
    if sub_rel.is_none() {
        m.refuse_root("move a process into", true)?;
    }
    for (i, h) in m.active() {
        let rel = match &sub_rel {
            Some(s) if h.rel.is_empty() => s.clone(),
            Some(s) => format!("{}/{s}", h.rel),
            None => h.rel.clone(),
        };
        let result = (|| {
            if h.has("cpuset") {
                inherit_along(h, &rel, m.cpuset_names)?;
            }
            h.root.open_child(&rel)?.add_pid(pid)
        })();
        if let Err(e) = result {
            m.tolerate(i, h, e)?;
        }
    }
    Ok(())
}

/// Validates a sub-cgroup path: relative, plain components, never escaping.
fn check_sub(m: &FsManager, sub: &str) -> Result<String> {
    if sub.starts_with('/') {
        return Err(Error::new(
            ErrorKind::InvalidPath,
            format!("sub-cgroup {sub:?} must be a path relative to the cgroup"),
        )
        .with_value(sub.to_owned()));
    }
    let joined = m.config.path.join(sub)?;
    if !m.config.path.contains(&joined) {
        return Err(Error::new(
            ErrorKind::InvalidPath,
            format!("sub-cgroup {sub:?} escapes the cgroup {}", m.config.path),
        )
        .with_value(sub.to_owned()));
    }
    let inner: Vec<&str> = joined
        .components()
        .skip(m.config.path.components().count())
        .collect();
    Ok(inner.join("/"))
}

/// Removes the cgroup and its sub-cgroups from every hierarchy (idempotent).
pub(crate) fn destroy(m: &FsManager) -> Result<()> {
    if m.hierarchies.iter().any(|h| h.rel.is_empty()) {
        return Err(Error::new(
            ErrorKind::InvalidPath,
            format!(
                "refusing to remove {}: it is a hierarchy root",
                m.config.path
            ),
        )
        .with_value(m.config.path.to_string()));
    }
    let left = m.pids_everywhere()?;
    if !left.is_empty() {
        let shown: Vec<String> = left.iter().take(8).map(u32::to_string).collect();
        return Err(Error::new(
            ErrorKind::Busy,
            format!(
                "cgroup {} still has {} processes ({})",
                m.config.path,
                left.len(),
                shown.join(", ")
            ),
        )
        .with_hint("call kill() first"));
    }
    let active: Vec<usize> = m.active().into_iter().map(|(i, _)| i).collect();
    let mut first_error = None;
    for (i, h) in m.hierarchies.iter().enumerate().rev() {
        match h.root.remove_tree(&h.rel) {
            Ok(()) => {}
            Err(e) if !active.contains(&i) => {
                log::debug!("ignoring removal error in a dropped hierarchy: {e}");
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
