//! Commands on an existing cgroup: update, freeze, thaw, kill, ps, destroy. The
//! target is a cgroup path or a systemd scope (see [`crate::target`]).

use crate::backend::{self, Backend};
use crate::cli::{DestroyArgs, PathArg, Placement, PsArgs, UpdateArgs};
use crate::driver::Driver;
use crate::failure::require_root;
use crate::target::{self, Access, Target};
use crate::{Failure, Result, limits};

/// The target of a command that changes it: only cgctl's own scopes (see
/// [`crate::target`]).
fn existing(path: &str, placement: &Placement) -> Result<Backend> {
    target::open_existing(path, placement, Access::Change)
}

/// `cgctl update PATH [limits]`.
pub fn update(args: UpdateArgs) -> Result<i32> {
    require_root("cgctl update")?;
    let resources = limits::resources_from(&args.limits)?;
    if resources.is_empty() {
        return Err(Failure::usage(
            "nothing to update: give at least one limit flag",
        ));
    }
    let backend = existing(&args.path, &args.placement)?;
    // systemd: the unit's properties first, then the files systemd does not write.
    backend.manager.set(&resources)?;
    eprintln!("cgctl: updated {}", backend.describe());
    Ok(0)
}

/// `cgctl freeze PATH`.
pub fn freeze(args: PathArg) -> Result<i32> {
    require_root("cgctl freeze")?;
    let backend = existing(&args.path, &args.placement)?;
    backend.manager.freeze()?;
    eprintln!("cgctl: froze {}", backend.describe());
    Ok(0)
}

/// `cgctl thaw PATH`.
pub fn thaw(args: PathArg) -> Result<i32> {
    require_root("cgctl thaw")?;
    let backend = existing(&args.path, &args.placement)?;
    backend.manager.thaw()?;
    eprintln!("cgctl: thawed {}", backend.describe());
    Ok(0)
}

/// `cgctl kill PATH`.
pub fn kill(args: PathArg) -> Result<i32> {
    require_root("cgctl kill")?;
    let backend = existing(&args.path, &args.placement)?;
    backend.manager.kill()?;
    eprintln!("cgctl: killed every process of {}", backend.describe());
    Ok(0)
}

/// `cgctl ps PATH`: one pid per line on stdout.
pub fn ps(args: PsArgs) -> Result<i32> {
    let backend = target::open_existing(&args.path, &args.placement, Access::Read)?;
    let m = backend.manager.as_ref();
    let mut pids = match (args.threads, args.recursive) {
        (true, _) => m.threads()?,
        (false, true) => m.all_pids()?,
        (false, false) => m.pids()?,
    };
    pids.sort_unstable();
    pids.dedup();
    let mut out = String::new();
    for pid in pids {
        out.push_str(&pid.to_string());
        out.push('\n');
    }
    crate::out(&out);
    Ok(0)
}

/// `cgctl destroy TARGET [--kill]`: removes the cgroup; a systemd scope is stopped
/// and reset (its cgroup goes with it).
pub fn destroy(args: DestroyArgs) -> Result<i32> {
    require_root("cgctl destroy")?;
    let backend = match target::resolve(&args.path, args.placement.driver, Access::Change)? {
        Target::Cgroup(path) => backend::open(path, &args.placement)?,
        Target::Unit(unit) => backend::open_unit(unit, &args.placement)?,
        Target::MissingUnit(name) => {
            eprintln!("cgctl: systemd has no unit {name} loaded; nothing to remove");
            return Ok(0);
        }
    };
    if !backend.manager.exists() && backend.driver == Driver::Cgroupfs {
        eprintln!("cgctl: {} does not exist; nothing to remove", backend.path);
        return Ok(0);
    }
    if args.kill {
        backend.manager.kill()?;
    } else if backend.driver == Driver::Systemd && !backend.manager.all_pids()?.is_empty() {
        // Stopping the unit would kill them: ask for it, as cgroupfs does.
        let mut f = Failure::usage(format!(
            "{} still has processes; stopping it would kill them",
            backend.describe()
        ));
        f.hint = Some(format!("use `cgctl destroy --kill {}`", args.path));
        return Err(f);
    }
    backend.manager.destroy().map_err(|e| {
        let busy = e.kind() == cgroups_core::ErrorKind::Busy;
        let mut f = Failure::from_core(e);
        if busy {
            f.hint = Some(format!("use `cgctl destroy --kill {}`", args.path));
        }
        f
    })?;
    match backend.driver {
        Driver::Systemd => eprintln!("cgctl: stopped and removed {}", backend.describe()),
        Driver::Cgroupfs => {
            eprintln!("cgctl: removed {}", backend.path);
            remove_default_parent_if_empty(&backend.path, &args.placement);
        }
    }
    Ok(0)
}

/// After the last run kept below cgctl's default parent is destroyed, the parent
/// goes too (`cgctl run` made it).
fn remove_default_parent_if_empty(path: &cgroups_core::CgroupPath, placement: &Placement) {
    let components: Vec<&str> = path.components().collect();
    if components.len() != 2 || components[0] != crate::cli::DEFAULT_PARENT.trim_start_matches('/')
    {
        return;
    }
    if let Ok(parent) =
        backend::parse_path(crate::cli::DEFAULT_PARENT).and_then(|p| backend::open(p, placement))
    {
        crate::run::remove_if_empty(&parent);
    }
}
