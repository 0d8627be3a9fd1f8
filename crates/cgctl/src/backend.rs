//! Opening the manager of one cgroup: the fs driver for this machine's layout, or
//! the systemd driver for a unit.

use cgroups_core::{CgroupMode, CgroupPath, Config, Hierarchies, Manager};
use cgroups_systemd::unit::UnitName;
use cgroups_systemd::{Bus, SystemdManager};

use crate::cli::Placement;
use crate::driver::Driver;
use crate::{Failure, Result};

/// A manager for one cgroup, with the layout it was chosen for.
#[derive(Debug)]
pub struct Backend {
    pub manager: Box<dyn Manager>,
    pub hierarchies: &'static Hierarchies,
    pub path: CgroupPath,
    pub driver: Driver,
    /// The systemd unit (systemd driver).
    pub unit: Option<String>,
}

impl Backend {
    /// The cgroup for messages: `/cgctl/job` or `/cgctl.slice/cgctl-job.scope (unit
    /// cgctl-job.scope)`.
    pub fn describe(&self) -> String {
        match &self.unit {
            Some(unit) => format!("{} (unit {unit})", self.path),
            None => self.path.to_string(),
        }
    }
}

/// Opens the systemd driver for `unit` on the system bus (connects lazily).
pub fn open_unit(unit: UnitName, placement: &Placement) -> Result<Backend> {
    if placement.controllers.is_some() {
        return Err(Failure::usage(
            "--controllers is a cgroupfs flag: the systemd driver uses the hierarchies \
             systemd manages (use --driver cgroupfs to choose them)",
        ));
    }
    let hierarchies = Hierarchies::detect()?;
    let path = CgroupPath::parse(&unit.cgroup_path())?;
    let name = unit.name().to_owned();
    let manager = SystemdManager::new(unit, Bus::System)?;
    Ok(Backend {
        manager: Box::new(manager),
        hierarchies,
        path,
        driver: Driver::Systemd,
        unit: Some(name),
    })
}

/// Parses a cgroup path as a person types it: absolute from each hierarchy root;
/// a relative path is taken from the root too (cgctl works on whole hierarchies).
pub fn parse_path(text: &str) -> Result<CgroupPath> {
    let text = if text.starts_with('/') {
        text.to_owned()
    } else {
        format!("/{text}")
    };
    let path = CgroupPath::parse(&text)?;
    if path.is_root() {
        return Err(Failure::usage(
            "refusing to work on a hierarchy root: name a cgroup below it, e.g. /cgctl/job1",
        ));
    }
    Ok(path)
}

/// Opens the right driver for `path`: cgroup v2 on a unified host, the v1 driver
/// (which also joins the unified hierarchy) on legacy and hybrid hosts.
pub fn open(path: CgroupPath, placement: &Placement) -> Result<Backend> {
    let hierarchies = Hierarchies::detect()?;
    let mut config = Config::new(path.clone());
    let manager: Box<dyn Manager> = match hierarchies.mode() {
        CgroupMode::Unified => {
            if placement.controllers.is_some() {
                log::debug!("--controllers has no effect on a unified (cgroup v2) host");
            }
            Box::new(cgroups_fs2::Fs2Manager::new(config)?)
        }
        _ => {
            if let Some(list) = &placement.controllers {
                // --controllers restricts the v1 controller hierarchies; on a hybrid
                // host the cgroup2 hierarchy is joined all the same, for process
                // tracking, as runtimes do.
                let mut list = list.clone();
                let hybrid = hierarchies.mode() == CgroupMode::Hybrid;
                if hybrid && !list.iter().any(|c| c == "unified") {
                    list.push("unified".to_owned());
                }
                config = config.controllers(list);
            }
            Box::new(cgroups_fs::FsManager::new(config)?)
        }
    };
    Ok(Backend {
        manager,
        hierarchies,
        path,
        driver: Driver::Cgroupfs,
        unit: None,
    })
}
