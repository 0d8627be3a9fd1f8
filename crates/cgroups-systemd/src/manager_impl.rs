//! The [`Manager`] trait of [`SystemdManager`]: units over the bus, the rest by the
//! fs driver on the unit's cgroup.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::path::PathBuf;

use cgroups_core::validate::{Version, validate};
use cgroups_core::{FreezerState, Manager, Resources};

use super::{CoreResult, Fs, SystemdManager};
use crate::decide;
use crate::error::{Error, ErrorKind};
use crate::kill::KillWho;
use crate::properties::CgroupVersion;
use crate::unit::UnitKind;

impl Manager for SystemdManager {
    /// A slice is started (an existing one is fine); a running scope gets the fs
    /// driver's cgroup; a scope that is not running is left to the first
    /// [`add_pid`](Manager::add_pid) (see the type's documentation), after checking
    /// that systemd answers.
    fn create(&self) -> CoreResult<()> {
        match self.unit.kind() {
            UnitKind::Slice => self.apply(None, &Resources::default()),
            UnitKind::Scope => match self.active_state()? {
                Some(state) if !decide::needs_start(Some(&state)) => {
                    self.after_start(None, &Resources::default())
                }
                _ => self.systemd_version().map(drop),
            },
        }
    }

    /// Starts a scope that is not running with `PIDs=[pid]`; otherwise the fs driver
    /// moves `pid`, and where it may not (rootless, `pid` outside the delegated
    /// subtree) systemd does (`AttachProcessesToUnit`, systemd ≥ 238).
    fn add_pid(&self, pid: u32) -> CoreResult<()> {
        let state = self.active_state()?;
        match self.unit.kind() {
            UnitKind::Scope if decide::needs_start(state.as_deref()) => {
                self.apply(Some(pid), &Resources::default())
            }
            _ => self.move_pid("", pid),
        }
    }

    /// The fs driver moves `pid` into `sub`; where it may not, systemd does.
    fn add_pid_to(&self, sub: &str, pid: u32) -> CoreResult<()> {
        self.move_pid(sub, pid)
    }

    fn set(&self, resources: &Resources) -> CoreResult<()> {
        let version = match self.cgroup {
            CgroupVersion::V1 => Version::V1,
            CgroupVersion::V2 => Version::V2,
        };
        validate(resources, version)?;
        if decide::needs_start(self.active_state()?.as_deref()) {
            return Err(self.not_started());
        }
        let fs = self.fs();
        if let Fs::V2(m) = &*fs {
            // Pre-flight: controllers available and enabled along the path.
            m.create_with(resources)?;
        }
        let copy = self.set_properties(resources)?;
        fs.manager().set(&copy)
    }

    fn freeze(&self) -> CoreResult<()> {
        self.fs().manager().freeze()
    }

    fn thaw(&self) -> CoreResult<()> {
        self.fs().manager().thaw()
    }

    fn freezer_state(&self) -> CoreResult<FreezerState> {
        self.fs().manager().freezer_state()
    }

    fn pids(&self) -> CoreResult<Vec<u32>> {
        self.fs().manager().pids()
    }

    fn all_pids(&self) -> CoreResult<Vec<u32>> {
        self.fs().manager().all_pids()
    }

    fn threads(&self) -> CoreResult<Vec<u32>> {
        self.fs().manager().threads()
    }

    fn kill(&self) -> CoreResult<()> {
        self.fs().manager().kill()
    }

    /// For a scope, `KillUnit(all, SIGKILL)` first: processes left in it die at
    /// once (`StopUnit` alone sends `SIGTERM` and waits 90 s for a process that
    /// ignores it, longer than [`JOB_TIMEOUT`](crate::JOB_TIMEOUT)). Then `StopUnit`
    /// and `ResetFailedUnit` (a unit that is not loaded is stopped), then the fs
    /// driver's `destroy` for what systemd left.
    ///
    /// A slice is only stopped: the processes below it belong to its scopes and
    /// services, which systemd stops as they are configured to stop. Nor is a scope
    /// that holds the calling process killed (the stop's `SIGTERM` reaches it, as
    /// before). A failed kill is logged and the stop goes on.
    fn destroy(&self) -> CoreResult<()> {
        let name = self.unit.name();
        let holds_us = || {
            let pids = self.fs().manager().all_pids().unwrap_or_default();
            pids.contains(&std::process::id())
        };
        if self.unit.kind() == UnitKind::Scope && !holds_us() {
            let sigkill = rustix::process::Signal::KILL.as_raw();
            match self.client.kill_unit(name, KillWho::All, sigkill) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NoSuchUnit => {}
                Err(e) => log::warn!("killing what is left in {name}: {e}"),
            }
        }
        self.client.stop_unit(name).map_err(Error::into_core)?;
        self.fs().manager().destroy()
    }

    fn exists(&self) -> bool {
        self.fs().manager().exists()
    }

    fn paths(&self) -> BTreeMap<String, PathBuf> {
        self.fs().manager().paths()
    }

    fn oom_kill_count(&self) -> CoreResult<u64> {
        self.fs().manager().oom_kill_count()
    }

    fn procs_files(&self) -> CoreResult<Vec<File>> {
        self.fs().manager().procs_files()
    }

    fn cgroup2_dir_fd(&self) -> Option<CoreResult<OwnedFd>> {
        self.fs().manager().cgroup2_dir_fd()
    }
}
