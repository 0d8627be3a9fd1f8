//! [`Manager`]: a container's control group (CLOS) and monitoring group.

use std::path::PathBuf;

use pathsafe::Dir;

use crate::config::{GroupName, RdtConfig};
use crate::error::{Error, ErrorKind, Result, from_pathsafe};
use crate::features::Features;
use crate::monitoring::read_mon_data;
use crate::resctrl::Resctrl;
use crate::root::read_text;
use crate::schemata::Schemata;
use crate::stats::Stats;

/// The resctrl groups of one container.
///
/// The control group is the container's own directory (named after the container
/// id) or a shared one named by `closID`. With monitoring, a monitoring group
/// `mon_groups/<container id>` is made inside it.
///
/// # Ownership (what [`Manager::destroy`] removes)
///
/// - A group of the container's own (no `closID`) is removed only if this manager
///   created it; a directory of that name that already existed is left (field case
///   C33: runc removed it anyway).
/// - A group named by `closID` is shared and is never removed, also when this
///   manager created it: other containers may have joined it since.
/// - The monitoring group is the container's own and is removed (unless it went
///   with its control group).
///
/// A runtime that destroys in another process than the one that applied records
/// [`Manager::created_group`] and passes it to [`Manager::restore_ownership`].
#[derive(Debug)]
pub struct Manager {
    resctrl: Resctrl,
    container_id: String,
    config: RdtConfig,
    group: GroupName,
    features: Features,
    created: bool,
}

impl Manager {
    /// Check `config` against this resctrl and prepare the groups of `container_id`.
    ///
    /// Nothing is created yet (see [`Manager::apply`]).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] for a `closID` that is `.`, `..` or contains `/`
    /// (other than `"/"`, the root group), a container id that is not one path
    /// component, `l3CacheSchema` without CAT, `memBwSchema` without MBA, or a line
    /// for a resource this resctrl lacks; [`ErrorKind::InvalidSchemata`] for a line
    /// that does not parse; errors reading `info/`.
    pub fn new(resctrl: Resctrl, container_id: &str, config: RdtConfig) -> Result<Manager> {
        let features = resctrl.features()?;
        let group = config.check(container_id, &features)?;
        Ok(Manager {
            resctrl,
            container_id: container_id.to_owned(),
            config,
            group,
            features,
            created: false,
        })
    }

    /// The control group's directory.
    pub fn path(&self) -> PathBuf {
        match &self.group {
            GroupName::Root => self.resctrl.path().to_path_buf(),
            GroupName::Named(name) => self.resctrl.path().join(name),
        }
    }

    /// The monitoring group's directory, when monitoring is enabled.
    pub fn mon_path(&self) -> Option<PathBuf> {
        let mon = self.path().join("mon_groups").join(&self.container_id);
        self.config.enable_monitoring.then_some(mon)
    }

    /// Whether this manager created the control group (see the ownership rules).
    pub fn created_group(&self) -> bool {
        self.created
    }

    /// Set whether the control group was created by us, as recorded by an earlier
    /// process (see the ownership rules).
    pub fn restore_ownership(&mut self, created: bool) {
        self.created = created;
    }

    /// Create or join the control group, and make the monitoring group if enabled.
    ///
    /// A group named by `closID` with no schema in the config must already exist
    /// (C33 D): joining is all that is asked. Otherwise the group is made with
    /// mkdir(2) unless it exists. Calling `apply` again is harmless.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::GroupNotFound`] for a missing named group without schema;
    /// [`ErrorKind::UnsafePath`] if the group directory is a symlink; mkdir errors
    /// (`ENOSPC`: no free CLOSID or RMID), with the kernel's `last_cmd_status`.
    pub fn apply(&mut self) -> Result<()> {
        if let GroupName::Named(name) = &self.group {
            let root = &self.resctrl.root.dir;
            if self.config.clos_id().is_some() && !self.config.has_schema() {
                // Joining only: the group must open (a symlink is refused there).
                self.group_dir()?;
            } else {
                // mkdir of a symlink's name is `AlreadyExists`, mapped to UnsafePath.
                let created = self.mkdir(root, name)?;
                if created && self.resctrl.root.fake {
                    let group = root.open_dir(name).map_err(|e| from_pathsafe(&e))?;
                    fake_populate_ctrl(root, &group)?;
                }
                self.created |= created;
            }
        }
        if self.config.enable_monitoring {
            let mon_groups = self.group_dir()?.open_dir("mon_groups").map_err(|e| {
                from_pathsafe(&e).with_last_cmd_status(self.resctrl.root.last_cmd_status())
            })?;
            if self.mkdir(&mon_groups, &self.container_id)? && self.resctrl.root.fake {
                let mon = mon_groups
                    .open_dir(&self.container_id)
                    .map_err(|e| from_pathsafe(&e))?;
                fake_populate_mon(&mon)?;
            }
        }
        Ok(())
    }

    /// Move the process or thread `pid` into the control group (and the monitoring
    /// group): one write of the pid to each `tasks` file.
    ///
    /// The kernel moves the one task with that id (a thread id moves only that
    /// thread); `0` means the calling thread. Threads created afterwards inherit the
    /// group.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnsafePath`] if a `tasks` file is a symlink; write errors
    /// (`ESRCH`: no such task), with `last_cmd_status`.
    pub fn add_task(&self, pid: u32) -> Result<()> {
        let pid = pid.to_string();
        self.resctrl
            .root
            .write_once(&self.group_dir()?, "tasks", &pid)?;
        if let Some(mon) = self.mon_dir()? {
            self.resctrl.root.write_once(&mon, "tasks", &pid)?;
        }
        Ok(())
    }

    /// Write the config's schemata to the control group in one write (nothing when
    /// the config has no schema). Resources not named keep their allocation.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidSchemata`]; write errors (`EINVAL` when the kernel refuses
    /// a value) with `last_cmd_status`.
    pub fn set(&self) -> Result<()> {
        let schemata = self.config.schemata_to_write()?;
        self.write_schemata(&schemata)
    }

    /// Check `config` (same `closID` and monitoring setting) and write its schemata:
    /// an update of some resources keeps the others.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidConfig`] if the config names another group or changes
    /// monitoring; as [`Manager::new`] and [`Manager::set`].
    pub fn update(&mut self, config: RdtConfig) -> Result<()> {
        let group = config.check(&self.container_id, &self.features)?;
        let same_monitoring = config.enable_monitoring == self.config.enable_monitoring;
        if group != self.group || !same_monitoring {
            let why = "an update cannot move the container to another group or change \
                       monitoring; destroy and apply again";
            return Err(Error::invalid_config(config.clos_id().unwrap_or(""), why));
        }
        self.config = config;
        self.set()
    }

    /// Write `schemata` to the control group in one write (nothing when empty).
    ///
    /// # Errors
    ///
    /// As [`Manager::set`].
    pub fn write_schemata(&self, schemata: &Schemata) -> Result<()> {
        if schemata.is_empty() {
            return Ok(());
        }
        schemata.validate()?;
        let text = schemata.to_string();
        self.resctrl
            .root
            .write_once(&self.group_dir()?, "schemata", &text)
    }

    /// The control group's schemata as the kernel reports them.
    ///
    /// # Errors
    ///
    /// Read errors; [`ErrorKind::InvalidSchemata`].
    pub fn schemata(&self) -> Result<Schemata> {
        Schemata::parse(&read_text(&self.group_dir()?, "schemata")?)
    }

    /// The task ids in the control group's `tasks` file.
    ///
    /// # Errors
    ///
    /// Read errors; [`ErrorKind::Parse`] for a line that is not a number.
    pub fn tasks(&self) -> Result<Vec<u32>> {
        let dir = self.group_dir()?;
        let text = read_text(&dir, "tasks")?;
        let path = dir.path().join("tasks");
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| crate::features::parse_u32(&path, l))
            .collect()
    }

    /// Schemata, allocation parameters and monitoring data of this container.
    ///
    /// Monitoring data come from the monitoring group when enabled, else from the
    /// control group (whose counters include every task in it).
    ///
    /// # Errors
    ///
    /// Read and parse errors.
    pub fn stats(&self) -> Result<Stats> {
        let mut stats = Stats {
            schemata: self.schemata()?,
            root_schemata: self.resctrl.root_schemata()?,
            ..Stats::default()
        };
        for resource in &self.features.resources {
            if resource.is_cache() {
                let info = self.resctrl.cache_info(resource)?;
                stats.cache_info.insert(resource.clone(), info);
            } else if resource.is_bandwidth() {
                let info = self.resctrl.bandwidth_info(resource)?;
                stats.bandwidth_info.insert(resource.clone(), info);
            }
        }
        if self.features.cmt || self.features.mbm() {
            stats.monitoring = match self.mon_dir()? {
                Some(mon) => read_mon_data(&mon)?,
                None => read_mon_data(&self.group_dir()?)?,
            };
        }
        Ok(stats)
    }

    /// Remove what this container owns (see the ownership rules); missing
    /// directories are fine.
    ///
    /// # Errors
    ///
    /// rmdir errors other than `ENOENT`, with `last_cmd_status`.
    pub fn destroy(self) -> Result<()> {
        let root = &self.resctrl.root;
        if let GroupName::Named(name) = &self.group
            && self.config.clos_id().is_none()
            && self.created
        {
            return self.remove(&root.dir, name);
        }
        if self.config.enable_monitoring {
            let mon_groups = match self.group_dir()?.open_dir("mon_groups") {
                Ok(dir) => dir,
                Err(e) if e.kind() == pathsafe::ErrorKind::NotFound => return Ok(()),
                Err(e) => return Err(from_pathsafe(&e)),
            };
            return self.remove(&mon_groups, &self.container_id);
        }
        Ok(())
    }

    /// The features read when this manager was made.
    pub fn features(&self) -> &Features {
        &self.features
    }

    fn group_dir(&self) -> Result<Dir> {
        let root = &self.resctrl.root.dir;
        match &self.group {
            GroupName::Root => root.try_clone().map_err(|e| from_pathsafe(&e)),
            GroupName::Named(name) => root.open_dir(name).map_err(|e| {
                let err = from_pathsafe(&e);
                if err.kind() == ErrorKind::NotFound {
                    return group_missing(&self.path(), name);
                }
                err
            }),
        }
    }

    fn mon_dir(&self) -> Result<Option<Dir>> {
        if !self.config.enable_monitoring {
            return Ok(None);
        }
        let mon_groups = self
            .group_dir()?
            .open_dir("mon_groups")
            .map_err(|e| from_pathsafe(&e))?;
        let mon = mon_groups
            .open_dir(&self.container_id)
            .map_err(|e| from_pathsafe(&e))?;
        Ok(Some(mon))
    }

    fn mkdir(&self, parent: &Dir, name: &str) -> Result<bool> {
        parent.create_dir(name).map_err(|e| {
            from_pathsafe(&e)
                .with_value(name)
                .with_last_cmd_status(self.resctrl.root.last_cmd_status())
        })
    }

    fn remove(&self, parent: &Dir, name: &str) -> Result<()> {
        // Open the group first: the root's policy names a planted symlink (`Loop`,
        // mapped to UnsafePath) where rmdir(2) would only say `ENOTDIR`.
        let result = parent
            .open_dir(name)
            .map_err(|e| from_pathsafe(&e))
            .and_then(|_| {
                if self.resctrl.root.fake {
                    fake_remove(parent, name)
                } else {
                    parent.remove_dir(name).map_err(|e| from_pathsafe(&e))
                }
            });
        match result {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.with_last_cmd_status(self.resctrl.root.last_cmd_status())),
        }
    }
}

fn group_missing(path: &std::path::Path, name: &str) -> Error {
    let msg = format!(
        "the control group {} does not exist: a closID given without any schema names \
         a group that must be made beforehand (mkdir it and write its schemata), or give \
         a schema so that it is created",
        path.display()
    );
    Error::new(ErrorKind::GroupNotFound, msg)
        .with_path(path)
        .with_value(name)
}

#[cfg(feature = "test-fixtures")]
fn fake_populate_ctrl(root: &Dir, group: &Dir) -> Result<()> {
    crate::fake::populate_ctrl_group(root, group)
}

#[cfg(feature = "test-fixtures")]
fn fake_populate_mon(group: &Dir) -> Result<()> {
    crate::fake::populate_mon_group(group)
}

#[cfg(feature = "test-fixtures")]
fn fake_remove(parent: &Dir, name: &str) -> Result<()> {
    crate::fake::remove_tree(parent, name)
}

// Without `test-fixtures` no fake root exists, so these are never reached.
#[cfg(not(feature = "test-fixtures"))]
fn fake_populate_ctrl(_: &Dir, _: &Dir) -> Result<()> {
    Ok(())
}

#[cfg(not(feature = "test-fixtures"))]
fn fake_populate_mon(_: &Dir) -> Result<()> {
    Ok(())
}

#[cfg(not(feature = "test-fixtures"))]
fn fake_remove(parent: &Dir, name: &str) -> Result<()> {
    parent.remove_dir(name).map_err(|e| from_pathsafe(&e))
}
