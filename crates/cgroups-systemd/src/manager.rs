//! [`SystemdManager`]: a transient systemd unit as a [`Manager`], with the fs drivers
//! writing what systemd does not manage.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock, RwLock};

use cgroups_core::{CgroupPath, Config, FreezerState, Hierarchies, Manager, Resources};
use cgroups_fs::FsManager;
use cgroups_fs2::Fs2Manager;

use crate::decide::{self, OnExists};
use crate::device_props::{DeviceContext, device_properties};
use crate::error::{Error, ErrorKind};
use crate::properties::{CgroupVersion, resource_properties, unit_properties};
use crate::property::Property;
use crate::unit::UnitName;
use crate::version::{SystemdVersion, parse_version};
use crate::{Bus, Client};

type CoreResult<T> = cgroups_core::Result<T>;

const UNIT_IFACE: &str = "org.freedesktop.systemd1.Unit";

/// The fs driver of the unit's cgroup.
#[derive(Debug)]
enum Fs {
    V1(FsManager),
    V2(Fs2Manager),
}

impl Fs {
    fn manager(&self) -> &dyn Manager {
        match self {
            Fs::V1(m) => m,
            Fs::V2(m) => m,
        }
    }
}

/// A cgroup that is a transient systemd unit (a scope or a slice), created and
/// configured over D-Bus, with the fs driver (`cgroups-fs` on v1 and hybrid hosts,
/// `cgroups-fs2` on unified ones) on the unit's cgroup for everything else.
///
/// # Scopes start with their first process
///
/// systemd refuses a scope without processes ("Scope has no PIDs"). So
/// [`create`](Manager::create) on a scope that is not running only checks that the
/// bus answers and starts nothing; the first [`add_pid`](Manager::add_pid) starts the
/// scope with `PIDs=[pid]` (the reference's `Apply(pid)`), and so does
/// [`apply`](SystemdManager::apply). Until then the cgroup does not exist:
/// [`set`](Manager::set), [`procs_files`](Manager::procs_files) and
/// [`cgroup2_dir_fd`](Manager::cgroup2_dir_fd) fail with `NotFound`. A runtime
/// therefore starts its process stopped, calls `add_pid`, then `set`, then lets it
/// run. Once the scope runs, `create` creates what the fs driver needs and `add_pid`
/// joins through the fs driver. A slice needs no process: `create` starts it
/// (an existing slice is fine), and `add_pid` writes its `cgroup.procs`.
///
/// # What goes where
///
/// - start: `StartTransientUnit` with [`unit_properties`] ("unit exists" is fine for a
///   slice without a pid; otherwise `ResetFailedUnit` and one more try), then the
///   fs driver creates the unit's cgroup path as systemd reports it (`ControlGroup`);
///   on v1 the process also joins every hierarchy systemd does not manage;
/// - [`set`](Manager::set): validation and the fs driver's pre-flight (v2: the
///   controllers the request needs, enabled along the path) before anything is sent;
///   then [`set_properties`](SystemdManager::set_properties); then the fs driver's
///   `set` with the quota rounded as systemd stores it;
/// - [`destroy`](Manager::destroy): for a scope `KillUnit(all, SIGKILL)` (unless it
///   holds the calling process), then `StopUnit` + `ResetFailedUnit`, then the fs
///   driver removes what is left (systemd 239 left sub-cgroups behind). Unlike the
///   fs drivers' `destroy`, this one ends the processes still in a scope rather
///   than failing with `Busy`;
/// - everything else is the fs driver's, on the unit's cgroup.
///
/// The user bus ([`Bus::User`]) makes the fs driver rootless-tolerant and puts the
/// unit below the user manager's own cgroup. A rootless process may move processes
/// only within its delegated subtree (the kernel wants write access to the
/// `cgroup.procs` of the common ancestor); when the fs driver is refused a move,
/// [`add_pid`](Manager::add_pid) asks systemd (`AttachProcessesToUnit`, systemd ≥ 238:
/// the user manager has PID 1 do it). [`Bus::Private`] is the system manager
/// without a bus daemon.
#[derive(Debug)]
pub struct SystemdManager {
    unit: UnitName,
    client: Client,
    cgroup: CgroupVersion,
    rootless: bool,
    version: OnceLock<SystemdVersion>,
    fs: RwLock<Arc<Fs>>,
}

impl SystemdManager {
    /// A manager for `unit` on `bus`, with the cgroup version found by mount
    /// discovery (unified → v2 properties and `cgroups-fs2`; hybrid or legacy → v1
    /// properties and `cgroups-fs`). Starts nothing; on the system bus it does not
    /// even connect.
    ///
    /// # Errors
    /// Mount discovery errors; on the user bus, errors reading the manager's
    /// `ControlGroup`; errors of the fs driver's constructor.
    pub fn new(unit: UnitName, bus: Bus) -> CoreResult<SystemdManager> {
        let cgroup = decide::cgroup_version(Hierarchies::detect()?.mode());
        SystemdManager::with_cgroup_version(unit, bus, cgroup)
    }

    /// As [`new`](Self::new) with the cgroup version given.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn with_cgroup_version(
        unit: UnitName,
        bus: Bus,
        cgroup: CgroupVersion,
    ) -> CoreResult<SystemdManager> {
        let client = Client::new(bus);
        let rootless = bus == Bus::User;
        let path = match bus {
            Bus::System | Bus::Private => unit.cgroup_path(),
            Bus::User => {
                let base = client
                    .manager_property("ControlGroup")
                    .map_err(Error::into_core)?;
                decide::under_manager(&base, &unit.cgroup_path())
            }
        };
        let fs = build_fs(cgroup, &path, rootless)?;
        Ok(SystemdManager {
            unit,
            client,
            cgroup,
            rootless,
            version: OnceLock::new(),
            fs: RwLock::new(Arc::new(fs)),
        })
    }

    /// The unit.
    pub fn unit(&self) -> &UnitName {
        &self.unit
    }

    /// The cgroup version of the unit's controllers.
    pub fn cgroup_version(&self) -> CgroupVersion {
        self.cgroup
    }

    /// The systemd version (read once per manager). A version string without digits
    /// is [`SystemdVersion::UNKNOWN`] (every gated feature off), logged.
    ///
    /// # Errors
    /// Bus errors (not cached: the next call asks again).
    pub fn systemd_version(&self) -> CoreResult<SystemdVersion> {
        if let Some(v) = self.version.get() {
            return Ok(*v);
        }
        let text = self.client.version().map_err(Error::into_core)?;
        let v = parse_version(&text).map(SystemdVersion).unwrap_or_else(|| {
            log::warn!("systemd version {text:?} has no number: gated features off");
            SystemdVersion::UNKNOWN
        });
        Ok(*self.version.get_or_init(|| v))
    }

    /// Starts the unit (with `PIDs=[pid]` when given, `OOMPolicy` from `resources` on
    /// v2), then lets the fs driver create the unit's cgroup path and enable the
    /// controllers `resources` need (v2); on v1, `pid` joins the hierarchies systemd
    /// does not manage. A running unit is not started again.
    ///
    /// # Errors
    /// `start` errors of the bus (a failed job names its result); fs driver errors.
    pub fn apply(&self, pid: Option<u32>, resources: &Resources) -> CoreResult<()> {
        if decide::needs_start(self.active_state()?.as_deref()) {
            self.start(pid, resources)?;
        }
        self.after_start(pid, resources)
    }

    /// The systemd half of [`set`](Manager::set): the properties of `resources`
    /// (devices first, version-gated) sent with `SetUnitProperties(runtime=true)`,
    /// on v1 inside a freeze when device rules are involved. Returns the copy of
    /// `resources` to give the fs driver (the CPU quota rounded as systemd stores it).
    ///
    /// Nothing is checked against the cgroup: systemd stores values for controllers
    /// it cannot enable (use [`set`](Manager::set)).
    ///
    /// # Errors
    /// `InvalidValue` for values that have no property; bus errors; a failed freeze.
    pub fn set_properties(&self, resources: &Resources) -> CoreResult<Resources> {
        let version = self.systemd_version()?;
        let devices = match &resources.devices {
            Some(rules) => self.device_props(rules, version)?,
            None => Vec::new(),
        };
        let (props, copy) = resource_properties(resources, self.cgroup, version, devices)
            .map_err(Error::into_core)?;
        let plan = match self.cgroup {
            CgroupVersion::V1 => self.freeze_plan(resources)?,
            CgroupVersion::V2 => decide::FreezePlan {
                freeze: false,
                thaw: false,
            },
        };
        let fs = self.fs();
        if plan.freeze {
            match fs.manager().freeze() {
                Ok(()) => {}
                Err(e) if freezer_missing(&e) => log::debug!("no freezer to freeze: {e}"),
                Err(e) => {
                    let _ = fs.manager().thaw();
                    return Err(e);
                }
            }
        }
        let sent = self.client.set_unit_properties(self.unit.name(), &props);
        if plan.thaw
            && let Err(e) = fs.manager().thaw()
            && !freezer_missing(&e)
        {
            sent.map_err(Error::into_core)?;
            return Err(e);
        }
        sent.map_err(Error::into_core)?;
        Ok(copy)
    }

    /// The fs driver's move of `pid` into `sub` (`""`: the unit's own cgroup), or
    /// systemd's `AttachProcessesToUnit` when the fs driver is refused.
    fn move_pid(&self, sub: &str, pid: u32) -> CoreResult<()> {
        let fs = self.fs();
        let moved = match sub {
            "" => fs.manager().add_pid(pid),
            sub => fs.manager().add_pid_to(sub, pid),
        };
        match moved {
            Err(e) if decide::attach_through_systemd(e.kind(), self.systemd_version()?) => {
                log::debug!("{e}; asking systemd to move {pid}");
                self.client
                    .attach_process(self.unit.name(), sub, pid)
                    .map_err(Error::into_core)
            }
            other => other,
        }
    }

    fn fs(&self) -> Arc<Fs> {
        Arc::clone(&self.fs.read().unwrap_or_else(|e| e.into_inner()))
    }

    fn active_state(&self) -> CoreResult<Option<String>> {
        let iface = UNIT_IFACE;
        match self
            .client
            .unit_property(self.unit.name(), iface, "ActiveState")
        {
            Ok(state) => Ok(Some(state)),
            Err(e) if e.kind() == ErrorKind::NoSuchUnit => Ok(None),
            Err(e) => Err(e.into_core()),
        }
    }

    fn start(&self, pid: Option<u32>, resources: &Resources) -> CoreResult<()> {
        let version = self.systemd_version()?;
        let props: Vec<Property> =
            unit_properties(&self.unit, pid, resources, self.cgroup, version);
        let name = self.unit.name();
        let mut retried = false;
        loop {
            let err = match self.client.start_transient_unit(name, &props) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == ErrorKind::UnitExists => e,
                Err(e) => return Err(e.into_core()),
            };
            match decide::on_unit_exists(self.unit.kind(), pid, retried) {
                OnExists::Tolerate => return Ok(()),
                OnExists::Fail => return Err(err.into_core()),
                OnExists::ResetAndRetry => {
                    if let Err(e) = self.client.reset_failed_unit(name) {
                        log::warn!("resetting {name} before starting it again: {e}");
                    }
                    retried = true;
                }
            }
        }
    }

    /// Follows the unit's `ControlGroup` (rebuilding the fs driver if systemd put the
    /// unit elsewhere than expected), then creates with the fs driver.
    fn after_start(&self, pid: Option<u32>, resources: &Resources) -> CoreResult<()> {
        let iface = self.unit.kind().interface();
        let cgroup = self
            .client
            .unit_property(self.unit.name(), iface, "ControlGroup")
            .map_err(Error::into_core)?;
        let current = self.fs();
        let expected = self.dir_of(&current);
        if !cgroup.is_empty() && !expected.ends_with(cgroup.trim_start_matches('/')) {
            log::debug!(
                "{} is at {cgroup}, not {}",
                self.unit.name(),
                expected.display()
            );
            let fs = build_fs(self.cgroup, &cgroup, self.rootless)?;
            *self.fs.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fs);
        }
        match &*self.fs() {
            Fs::V2(m) => m.create_with(resources),
            Fs::V1(m) => {
                m.create()?;
                match pid {
                    Some(pid) => m.add_pid(pid),
                    None => Ok(()),
                }
            }
        }
    }

    fn dir_of(&self, fs: &Fs) -> PathBuf {
        fs.manager()
            .paths()
            .into_values()
            .next()
            .unwrap_or_default()
    }

    fn device_props(
        &self,
        rules: &[devices::Rule],
        version: SystemdVersion,
    ) -> CoreResult<Vec<Property>> {
        let proc_devices = match version.has_major_device_groups() {
            true => String::new(),
            false => read_proc_devices()?,
        };
        let exists = |path: &str| rustix::fs::stat(path).is_ok();
        let cx = DeviceContext {
            version,
            proc_devices: &proc_devices,
            path_exists: &exists,
        };
        device_properties(rules, &cx).map_err(Error::into_core)
    }

    fn freeze_plan(&self, resources: &Resources) -> CoreResult<decide::FreezePlan> {
        let iface = self.unit.kind().interface();
        let name = self.unit.name();
        let defaults = match self.client.unit_property(name, iface, "DevicePolicy") {
            Ok(policy) => {
                let allow = self
                    .client
                    .unit_property_pairs(name, iface, "DeviceAllow")
                    .map_err(Error::into_core)?;
                decide::default_devices(&policy, &allow)
            }
            Err(e) if e.kind() == ErrorKind::NoSuchUnit => true,
            Err(e) => return Err(e.into_core()),
        };
        let current = self
            .fs()
            .manager()
            .freezer_state()
            .unwrap_or(FreezerState::Undefined);
        Ok(decide::freeze_before_set(
            resources.devices.is_some(),
            defaults,
            current,
            resources.freezer,
        ))
    }

    fn not_started(&self) -> cgroups_core::Error {
        let msg = format!(
            "the scope {} is not running: a scope starts with its first process",
            self.unit.name()
        );
        cgroups_core::Error::new(cgroups_core::ErrorKind::NotFound, msg)
            .with_value(self.unit.name())
            .with_hint("call add_pid (or SystemdManager::apply) with the process first")
    }
}

fn build_fs(cgroup: CgroupVersion, path: &str, rootless: bool) -> CoreResult<Fs> {
    let config = Config::new(CgroupPath::parse(path)?).rootless(rootless);
    match cgroup {
        CgroupVersion::V1 => FsManager::new(config).map(Fs::V1),
        CgroupVersion::V2 => Fs2Manager::new(config).map(Fs::V2),
    }
}

fn freezer_missing(e: &cgroups_core::Error) -> bool {
    matches!(
        e.kind(),
        cgroups_core::ErrorKind::ControllerUnavailable | cgroups_core::ErrorKind::NotFound
    )
}

fn read_proc_devices() -> CoreResult<String> {
    let io = |e: pathsafe::Error| {
        cgroups_core::Error::new(cgroups_core::ErrorKind::Io, "cannot read /proc/devices")
            .with_path("/proc/devices")
            .with_source(e)
    };
    let proc = pathsafe::ProcFs::open().map_err(io)?;
    proc.read_to_string(pathsafe::ProcBase::Root, "devices")
        .map_err(io)
}

#[path = "manager_impl.rs"]
mod manager_impl;
