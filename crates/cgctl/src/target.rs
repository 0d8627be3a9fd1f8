//! What `update`, `freeze`, `thaw`, `kill`, `ps`, `destroy` and `stats` work on: a
//! cgroup path, or a systemd scope named by its unit or by its cgroup.
//!
//! - `cgctl-job.scope` (no `/`, ends in `.scope`): a unit name; needs systemd, which
//!   says where the unit's cgroup is (`ControlGroup`).
//! - `/cgctl.slice/cgctl-job.scope`: a path shaped like a scope's cgroup (slices down
//!   to a `.scope`, as systemd places them). `--driver systemd` takes it as that
//!   scope; `auto` does when the scope is cgctl's (`cgctl-*.scope`), systemd runs and
//!   the unit is loaded; otherwise it is a plain cgroup path.
//! - any other path: a cgroup for the cgroupfs driver (also below a delegated scope:
//!   systemd does not manage what is inside a delegated unit).
//!
//! The commands that change something (`update`, `freeze`, `thaw`, `kill`,
//! `destroy`) act only on cgctl's own scopes: another unit (`init.scope`,
//! `systemd-journald.service`, a container runtime's scope), by name or, where
//! systemd runs, by its cgroup, is refused ([`Access::Change`]); `ps` and `stats`
//! read any scope. `--driver cgroupfs` takes any cgroup path as typed.

use cgroups_core::CgroupPath;
use cgroups_systemd::unit::UnitName;
use cgroups_systemd::{Bus, Client, ErrorKind};

use crate::backend::{self, Backend};
use crate::cli::Placement;
use crate::driver::{self, Driver, DriverArg};
use crate::{Failure, Result};

/// The prefix of the scopes `cgctl run` creates.
pub const UNIT_PREFIX: &str = "cgctl";

const SCOPE_IFACE: &str = "org.freedesktop.systemd1.Scope";

/// The unit types systemd knows, by suffix: a name without `/` ending in one of these
/// is a unit name, not a relative cgroup path.
const UNIT_SUFFIXES: [&str; 11] = [
    "service",
    "scope",
    "slice",
    "socket",
    "mount",
    "automount",
    "swap",
    "target",
    "path",
    "timer",
    "device",
];

/// What a command does to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reads it (`ps`, `stats`): any scope.
    Read,
    /// Changes it (`update`, `freeze`, `thaw`, `kill`, `destroy`): only cgctl's scopes.
    Change,
}

/// How a target was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A cgroup path that is no scope's cgroup.
    Path(CgroupPath),
    /// A path that is the cgroup of this scope.
    ScopePath(CgroupPath, UnitName),
    /// A unit name.
    Unit(String),
}

/// What a target resolved to.
#[derive(Debug)]
pub enum Target {
    /// A cgroup for the cgroupfs driver.
    Cgroup(CgroupPath),
    /// A loaded systemd scope.
    Unit(UnitName),
    /// A scope systemd does not have loaded.
    MissingUnit(String),
}

/// Parses a target as typed.
pub fn shape(text: &str) -> Result<Shape> {
    if !text.contains('/') && unit_type(text).is_some() {
        return Ok(Shape::Unit(text.to_owned()));
    }
    let path = backend::parse_path(text)?;
    Ok(match scope_of(&path) {
        Some(unit) => Shape::ScopePath(path, unit),
        None => Shape::Path(path),
    })
}

/// The scope whose cgroup `path` is, when it has that shape: a `.scope` last
/// component below the slices its parent slice expands to (`/a.slice/a-b.slice/x.scope`
/// is `x.scope` in `a-b.slice`; `/x.scope` is in `-.slice`).
pub fn scope_of(path: &CgroupPath) -> Option<UnitName> {
    let components: Vec<&str> = path.components().collect();
    let (last, parents) = components.split_last()?;
    let stem = last.strip_suffix(".scope")?;
    let dir = parents.last().copied().unwrap_or("-.slice");
    // systemd escapes some directory names with a leading `_` (`cpu.slice` lives in
    // `/_cpu.slice`): the slice is the name whose cgroup path gives this one back.
    let shown = path.to_string();
    std::iter::once(dir)
        .chain(dir.strip_prefix('_'))
        .filter_map(|slice| UnitName::new(slice, "", stem).ok())
        .find(|unit| unit.cgroup_path() == shown)
}

/// The unit type of a name that ends like a unit (`service` for `a.service`).
fn unit_type(name: &str) -> Option<&'static str> {
    let (stem, suffix) = name.rsplit_once('.')?;
    let known = UNIT_SUFFIXES.iter().find(|&&s| s == suffix)?;
    (!stem.is_empty()).then_some(*known)
}

/// Whether the last component of `path` is named like a unit's cgroup
/// (`/system.slice/systemd-journald.service`).
fn is_unit_cgroup(path: &CgroupPath) -> bool {
    path.components().last().and_then(unit_type).is_some()
}

/// Refuses to change a unit cgctl did not make.
fn foreign(unit: &str) -> Failure {
    let mut f = Failure::usage(format!(
        "{unit} is not a scope made by `cgctl run` ({UNIT_PREFIX}-NAME.scope); \
         cgctl does not change, freeze, kill or stop units of systemd or of other programs"
    ));
    f.hint = Some(format!(
        "use systemctl for {unit}; `cgctl ps` and `cgctl stats` read any scope, and \
         --driver cgroupfs works on a cgroup path as typed"
    ));
    f
}

/// Whether `cgctl run` made this scope (`cgctl-*.scope`).
pub fn made_by_cgctl(unit: &UnitName) -> bool {
    unit.kind() == cgroups_systemd::unit::UnitKind::Scope && is_cgctl_scope_name(unit.name())
}

/// Whether `name` is shaped like the scopes `cgctl run` makes (`cgctl-NAME.scope`).
pub fn is_cgctl_scope_name(name: &str) -> bool {
    name.strip_prefix(UNIT_PREFIX)
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|rest| rest.strip_suffix(".scope"))
        .is_some_and(|stem| !stem.is_empty())
}

/// Resolves a target for `asked`, asking systemd only where the answer depends on it.
/// With [`Access::Change`], a unit that is not cgctl's is refused (see the module).
pub fn resolve(text: &str, asked: DriverArg, access: Access) -> Result<Target> {
    let target = resolve_any(text, asked, access)?;
    if access == Access::Change
        && let Target::Unit(unit) = &target
        && !made_by_cgctl(unit)
    {
        return Err(foreign(unit.name()));
    }
    Ok(target)
}

fn resolve_any(text: &str, asked: DriverArg, access: Access) -> Result<Target> {
    let shape = shape(text)?;
    match (asked, shape) {
        (DriverArg::Cgroupfs, Shape::Unit(name)) => Err(Failure::usage(format!(
            "{name} is a systemd unit name: the cgroupfs driver takes a cgroup path \
             (use --driver systemd or auto for units)"
        ))),
        (DriverArg::Cgroupfs, Shape::Path(p) | Shape::ScopePath(p, _)) => Ok(Target::Cgroup(p)),
        (_, Shape::Path(p)) if asked == DriverArg::Auto => {
            // A unit's own cgroup where systemd runs is systemd's to change.
            if access == Access::Change
                && is_unit_cgroup(&p)
                && driver::choose(asked)?.driver == Driver::Systemd
            {
                return Err(foreign(&format!("{p} (a unit's cgroup)")));
            }
            Ok(Target::Cgroup(p))
        }
        (_, Shape::Path(p)) => Err(Failure::usage(format!(
            "{p} is not the cgroup of a systemd scope: with --driver systemd name the unit \
             (cgctl-job.scope) or its cgroup (/cgctl.slice/cgctl-job.scope)"
        ))),
        (_, Shape::Unit(name)) => {
            if unit_type(&name) != Some("scope") {
                let mut f = Failure::usage(format!(
                    "{name} is not a scope: cgctl works on the scopes `cgctl run` makes \
                     ({UNIT_PREFIX}-NAME.scope) and reads other scopes"
                ));
                f.hint = Some(format!("use systemctl for {name}"));
                return Err(f);
            }
            let choice = driver::choose(asked)?;
            if choice.driver != Driver::Systemd {
                return Err(Failure::usage(format!(
                    "{name} is a systemd unit name, but the systemd driver is not available: {}",
                    choice.reason
                )));
            }
            unit_by_name(&name)
        }
        (DriverArg::Systemd, Shape::ScopePath(_, unit)) => {
            driver::choose(asked)?;
            loaded(unit)
        }
        (_, Shape::ScopePath(path, unit)) => {
            if driver::choose(asked)?.driver != Driver::Systemd {
                return Ok(Target::Cgroup(path));
            }
            if !made_by_cgctl(&unit) {
                // Another program's scope: read through cgroupfs, never changed.
                return match access {
                    Access::Read => Ok(Target::Cgroup(path)),
                    Access::Change => Err(foreign(unit.name())),
                };
            }
            match loaded(unit)? {
                Target::MissingUnit(_) => Ok(Target::Cgroup(path)),
                found => Ok(found),
            }
        }
    }
}

fn client() -> Client {
    Client::new(Bus::System)
}

fn bus_failure(unit: &str, e: cgroups_systemd::Error) -> Failure {
    Failure::usage(format!("asking systemd about {unit}: {e}"))
}

/// The unit if systemd has it loaded.
fn loaded(unit: UnitName) -> Result<Target> {
    match client().get_unit(unit.name()) {
        Ok(_) => Ok(Target::Unit(unit)),
        Err(e) if e.kind() == ErrorKind::NoSuchUnit => {
            Ok(Target::MissingUnit(unit.name().to_owned()))
        }
        Err(e) => Err(bus_failure(unit.name(), e)),
    }
}

/// The scope `name`, placed where systemd says its cgroup is.
fn unit_by_name(name: &str) -> Result<Target> {
    let cgroup = match client().unit_property(name, SCOPE_IFACE, "ControlGroup") {
        Ok(cgroup) => cgroup,
        Err(e) if e.kind() == ErrorKind::NoSuchUnit => {
            return Ok(Target::MissingUnit(name.to_owned()));
        }
        Err(e) => return Err(bus_failure(name, e)),
    };
    let path = CgroupPath::parse(&cgroup)?;
    match scope_of(&path) {
        Some(unit) if unit.name() == name => Ok(Target::Unit(unit)),
        _ => Err(Failure::usage(format!(
            "{name} has its cgroup at {cgroup:?}, not where systemd places a scope of \
             that name: cgctl cannot manage it (give the cgroup path with --driver cgroupfs)"
        ))),
    }
}

/// Opens the backend of an existing target; a missing cgroup or unit is an error.
pub fn open_existing(text: &str, placement: &Placement, access: Access) -> Result<Backend> {
    let backend = match resolve(text, placement.driver, access)? {
        Target::Cgroup(path) => backend::open(path, placement)?,
        Target::Unit(unit) => backend::open_unit(unit, placement)?,
        Target::MissingUnit(name) => {
            return Err(Failure::usage(format!(
                "systemd has no unit {name} loaded (it stopped, or never ran)"
            )));
        }
    };
    if !backend.manager.exists() {
        return Err(Failure::usage(format!(
            "cgroup {} does not exist in this machine's hierarchies",
            backend.describe()
        )));
    }
    Ok(backend)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> CgroupPath {
        CgroupPath::parse(text).unwrap()
    }

    #[test]
    fn unit_name_without_slash_is_a_unit() {
        assert_eq!(
            shape("cgctl-job.scope").unwrap(),
            Shape::Unit("cgctl-job.scope".to_owned())
        );
    }

    #[test]
    fn scope_cgroup_in_nested_slices_is_that_scope() {
        let Shape::ScopePath(_, unit) = shape("/a.slice/a-b.slice/cgctl-x.scope").unwrap() else {
            panic!("not a scope path");
        };
        assert_eq!(unit.name(), "cgctl-x.scope");
        assert_eq!(unit.parent(), "a-b.slice");
        let Shape::ScopePath(_, root) = shape("/cgctl-y.scope").unwrap() else {
            panic!("not a scope path");
        };
        assert_eq!(root.parent(), "-.slice");
    }

    #[test]
    fn paths_systemd_would_not_make_are_plain_cgroups() {
        for text in [
            "/cgctl/run-1",
            "/b-c.slice/cgctl-x.scope",
            "/a.slice/a-b.slice/cgctl-x.scope/sub",
            "/plain/cgctl-x.scope",
            "cgctl/job",
        ] {
            assert!(matches!(shape(text).unwrap(), Shape::Path(_)), "{text}");
        }
        assert!(scope_of(&path("/a.slice/x.scope")).is_some());
        assert!(scope_of(&path("/a.slice/b.slice/x.scope")).is_none());
    }

    #[test]
    fn scopes_in_slices_systemd_escapes_are_found() {
        let unit = scope_of(&path("/_cpu.slice/cgctl-x.scope")).expect("escaped slice");
        assert_eq!(unit.name(), "cgctl-x.scope");
        assert_eq!(unit.cgroup_path(), "/_cpu.slice/cgctl-x.scope");
        let unit = scope_of(&path("/__x.slice/cgctl-x.scope")).expect("leading underscore");
        assert_eq!(unit.cgroup_path(), "/__x.slice/cgctl-x.scope");
        // No slice has these directories: `cpu.slice` is escaped, `x.slice` is not.
        assert!(scope_of(&path("/cpu.slice/cgctl-x.scope")).is_none());
        assert!(scope_of(&path("/_x.slice/cgctl-x.scope")).is_none());
    }

    #[test]
    fn only_cgctl_scopes_are_taken_by_auto() {
        let ours = UnitName::new("cgctl.slice", "", "cgctl-job").unwrap();
        let theirs = UnitName::new("system.slice", "", "docker-abc").unwrap();
        let lookalike = UnitName::new("system.slice", "", "cgctlx-abc").unwrap();
        assert!(made_by_cgctl(&ours));
        assert!(!made_by_cgctl(&theirs));
        assert!(!made_by_cgctl(&lookalike));
    }

    #[test]
    fn cgroupfs_driver_takes_paths_and_refuses_unit_names() {
        let t = resolve(
            "/cgctl.slice/cgctl-x.scope",
            DriverArg::Cgroupfs,
            Access::Change,
        )
        .unwrap();
        assert!(matches!(t, Target::Cgroup(p) if p.to_string() == "/cgctl.slice/cgctl-x.scope"));
        let f = resolve("cgctl-x.scope", DriverArg::Cgroupfs, Access::Change).unwrap_err();
        assert!(f.message.contains("--driver systemd"), "{}", f.message);
    }

    #[test]
    fn auto_takes_a_plain_path_without_asking_systemd() {
        let t = resolve("/cgctl/run-1", DriverArg::Auto, Access::Change).unwrap();
        assert!(matches!(t, Target::Cgroup(_)));
    }

    #[test]
    fn cgctl_scope_names_are_told_from_lookalikes() {
        assert!(is_cgctl_scope_name("cgctl-job.scope"));
        for other in [
            "cgctl-.scope",
            "cgctlx-job.scope",
            "cgctl-job.slice",
            "init.scope",
            "cgctl.scope",
        ] {
            assert!(!is_cgctl_scope_name(other), "{other}");
        }
        let slice = UnitName::new("cgctl.slice", "", "cgctl-job.slice").unwrap();
        assert!(!made_by_cgctl(&slice));
    }

    #[test]
    fn a_unit_of_another_type_by_name_is_refused_without_asking_systemd() {
        for name in ["systemd-journald.service", "dbus.socket", "user-0.slice"] {
            assert_eq!(shape(name).unwrap(), Shape::Unit(name.to_owned()));
            let f = resolve(name, DriverArg::Auto, Access::Change).unwrap_err();
            assert!(f.message.contains("is not a scope"), "{}", f.message);
            let f = resolve(name, DriverArg::Cgroupfs, Access::Read).unwrap_err();
            assert!(f.message.contains("unit name"), "{}", f.message);
        }
        // Relative cgroup paths with a dot stay paths.
        assert!(matches!(shape("jobs/v1.2").unwrap(), Shape::Path(_)));
        assert!(matches!(shape("build.1").unwrap(), Shape::Path(_)));
    }

    #[test]
    fn a_units_cgroup_is_recognised_by_its_last_component() {
        assert!(is_unit_cgroup(&path(
            "/system.slice/systemd-journald.service"
        )));
        assert!(is_unit_cgroup(&path("/init.scope")));
        assert!(!is_unit_cgroup(&path("/cgctl.slice/cgctl-x.scope/sub")));
        assert!(!is_unit_cgroup(&path("/cgctl/run-1")));
    }

    #[test]
    fn systemd_driver_refuses_a_path_that_is_no_scope() {
        let f = resolve("/cgctl/run-1", DriverArg::Systemd, Access::Change).unwrap_err();
        assert!(f.message.contains("cgctl-job.scope"), "{}", f.message);
    }
}
