//! The test-only constructor [`FsManager::for_test_tree`]: fake hierarchies in a
//! temp dir, opened without the cgroupfs check. Compiled only for unit tests and
//! with the `test-fixtures` feature.

use std::path::Path;

use cgroups_core::{CgroupDir, Config, Error, ErrorKind, Result, TestTree};

use crate::layout::{Planned, Role, Selection};
use crate::manager::FsManager;

impl FsManager {
    /// A manager on a fake tree for tests: each `<root>/<controller>` directory is a
    /// hierarchy (`name=systemd` lives in `systemd`, `unified` is the cgroup2
    /// hierarchy of a hybrid host, `cpu,cpuacct` is a co-mounted pair), opened with
    /// no filesystem check and with writes creating missing files. A relative config
    /// path is taken from each hierarchy root.
    ///
    /// [`Manager::kill`](cgroups_core::Manager::kill) on such a manager signals the
    /// pids that the fake `cgroup.procs` files list: list only the test's own
    /// children there.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidValue`] for an unknown controller name; errors of opening
    /// the directories.
    pub fn for_test_tree(config: Config, root: &Path, controllers: &[&str]) -> Result<FsManager> {
        let selection = Selection::new(config.controllers.as_deref())?;
        let tree = TestTree {
            require_cgroupfs: false,
            create_on_write: true,
        };
        let mut opened: Vec<(Planned, CgroupDir)> = Vec::new();
        for dir_name in controllers {
            let planned = test_tree_entry(dir_name, &config, &selection, root)?;
            let Some(planned) = planned else { continue };
            let dir = CgroupDir::open_test_root(&planned.mount_point, tree)?;
            opened.push((planned, dir));
        }
        opened.sort_by_key(|(p, _)| order_index(p.controllers[0]));
        Ok(FsManager::assemble(config, selection, opened))
    }
}

/// The position of a controller in the order (unified last).
fn order_index(controller: &str) -> usize {
    crate::controller::ORDER
        .iter()
        .position(|c| *c == controller)
        .unwrap_or(crate::controller::ORDER.len())
}

/// One directory of a test tree as a planned hierarchy; `None` when the config's
/// selection leaves it out.
fn test_tree_entry(
    dir_name: &str,
    config: &Config,
    selection: &Selection,
    root: &Path,
) -> Result<Option<Planned>> {
    let mut controllers = Vec::new();
    for name in dir_name.split(',') {
        let known = match name {
            "unified" => Some(""),
            "systemd" | "name=systemd" => Some("name=systemd"),
            other => crate::controller::ORDER
                .iter()
                .copied()
                .find(|c| *c == other),
        };
        let known = known.ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidValue,
                format!("unknown test hierarchy {name:?}"),
            )
            .with_value(name.to_owned())
        })?;
        controllers.push(known);
    }
    let first = controllers[0];
    let selected = match first {
        "" => selection.includes("unified"),
        _ => controllers.iter().any(|c| selection.includes(c)),
    };
    if !selected {
        return Ok(None);
    }
    let role = match first {
        "" => Role::Unified,
        c if crate::controller::best_effort(c) => Role::BestEffort,
        _ => Role::Controllers,
    };
    let dir = dir_name.strip_prefix("name=").unwrap_or(dir_name);
    Ok(Some(Planned {
        controllers,
        role,
        mount_point: root.join(dir),
        rel: config.path.relative_str(),
    }))
}
