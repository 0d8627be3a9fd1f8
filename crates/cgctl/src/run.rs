//! `cgctl run`: a command in a new cgroup, a summary of what it used, no leftovers.

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cgroups_core::spawn::Spawn;
use cgroups_core::{CgroupPath, Manager, Resources};

use crate::backend::{self, Backend};
use crate::cli::{DEFAULT_PARENT, Placement, RunArgs};
use crate::driver::Driver;
use crate::failure::{EXIT_CANNOT_EXEC, EXIT_NOT_FOUND, require_root};
use crate::summary::{self, Summary};
use crate::{Failure, Result, limits};

/// What a [`Cleanup`] ends: the cgroup (cgroupfs) or the unit (systemd).
#[derive(Clone, Copy)]
pub(crate) enum Ends {
    Cgroup,
    Unit,
}

impl Ends {
    fn doing(self) -> &'static str {
        match self {
            Ends::Cgroup => "removing the cgroup",
            Ends::Unit => "stopping the unit",
        }
    }
    fn failed(self) -> &'static str {
        match self {
            Ends::Cgroup => "could not remove the cgroup",
            Ends::Unit => "could not stop the unit",
        }
    }
}

/// Kills what is left and destroys the cgroup or unit when the run ends, however it
/// ends, while `active` (not with `--keep`; for systemd once the unit is this run's).
pub(crate) struct Cleanup<'a> {
    pub(crate) manager: &'a dyn Manager,
    pub(crate) ends: Ends,
    pub(crate) active: bool,
    pub(crate) done: bool,
}

impl Cleanup<'_> {
    /// Kills what is left and destroys; reports failures.
    pub(crate) fn finish(&mut self) -> Result<()> {
        self.done = true;
        if !self.active {
            return Ok(());
        }
        let killed = self.manager.kill();
        let destroyed = self.manager.destroy();
        killed.map_err(|e| Failure::from_core(e).context("killing what was left"))?;
        destroyed.map_err(|e| Failure::from_core(e).context(self.ends.doing()))?;
        Ok(())
    }
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        if !self.done
            && self.active
            && let Err(e) = self.manager.kill().and_then(|()| self.manager.destroy())
        {
            eprintln!("cgctl: {}: {e}", self.ends.failed());
        }
    }
}

pub fn unique_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("run-{}-{nanos:09}", std::process::id())
}

/// Runs the command and returns the exit status for cgctl.
pub fn run(args: RunArgs) -> Result<i32> {
    require_root("cgctl run")?;
    let resources = limits::resources_from(&args.limits)?;
    let choice = crate::driver::choose(args.placement.driver)?;
    log::debug!("driver {}: {}", choice.driver.name(), choice.reason);
    match choice.driver {
        Driver::Systemd => crate::sdrun::run(&args, &resources),
        Driver::Cgroupfs => run_cgroupfs(&args, &resources),
    }
}

fn run_cgroupfs(args: &RunArgs, resources: &Resources) -> Result<i32> {
    let parent = backend::parse_path(args.parent.as_deref().unwrap_or(DEFAULT_PARENT))?;
    let name = args.name.clone().unwrap_or_else(unique_name);
    let path = CgroupPath::from_parent_and_name(&parent.to_string(), &name)?;
    // Declared before the leaf's guard so that it is dropped after it: parents are
    // removed once the leaf is gone, on every exit path.
    let _parents = ParentCleanup {
        levels: missing_levels(&parent, &args.placement)?,
        keep: args.keep,
    };
    let backend = backend::open(path, &args.placement)?;
    if backend.manager.exists() {
        return Err(Failure::usage(format!(
            "cgroup {} already exists: `cgctl run` only runs in a new cgroup (choose another \
             --name, or remove it with `cgctl destroy`)",
            backend.path
        )));
    }
    let manager = backend.manager.as_ref();

    let mut cleanup = Cleanup {
        manager,
        ends: Ends::Cgroup,
        active: !args.keep,
        done: false,
    };
    manager.create()?;
    manager.set(resources)?;

    // Inherited stdio: clone3(CLONE_INTO_CGROUP) where the cgroup is cgroup2 only.
    let mut spawn = Spawn::new(&args.command[0]);
    spawn.args(&args.command[1..]);
    let caught = crate::signals::catch()?;
    let started = Instant::now();
    let mut child = spawn
        .start_in(manager)
        .map_err(|e| spawn_failure(&args.command[0], e))?;
    let forwarder = crate::signals::forward_to(caught, child.id());
    let status = child
        .wait()
        .map_err(|e| Failure::usage(format!("waiting for the command: {e}")));
    forwarder.stop();
    let status = status?;
    let wall = started.elapsed();

    let usage = summary::read(&backend);
    let paths = manager.paths();
    cleanup.finish()?;

    let code = exit_code(status);
    let report = Summary::new(
        &backend,
        &args.command,
        wall,
        status,
        code,
        usage,
        resources,
    );
    if args.json {
        crate::out(&format!(
            "{}\n",
            report.to_json(args.keep.then_some(&paths))
        ));
    } else {
        eprint!("{}", report.to_text(args.keep.then_some(&paths)));
    }
    Ok(code)
}

/// The levels of the parent path that do not exist yet (outermost first): this run
/// creates them, so it removes them again.
fn missing_levels(parent: &CgroupPath, placement: &Placement) -> Result<Vec<Backend>> {
    let components: Vec<&str> = parent.components().collect();
    let mut missing = Vec::new();
    for depth in 1..=components.len() {
        let level = CgroupPath::parse(&format!("/{}", components[..depth].join("/")))?;
        let backend = backend::open(level, placement)?;
        if !missing.is_empty() || !backend.manager.exists() {
            missing.push(backend);
        }
    }
    Ok(missing)
}

/// Removes, deepest first, the parent levels a run created, when they are empty.
struct ParentCleanup {
    levels: Vec<Backend>,
    keep: bool,
}

impl Drop for ParentCleanup {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        for level in self.levels.iter().rev() {
            remove_if_empty(level);
        }
    }
}

/// Removes the cgroup of `level` from every hierarchy where it has no child cgroup
/// (another run may have started below it meanwhile: then it stays).
pub fn remove_if_empty(level: &Backend) {
    for (controller, dir) in level.manager.paths() {
        let mount = if controller.is_empty() {
            level
                .hierarchies
                .unified_mount()
                .map(std::path::Path::to_path_buf)
        } else {
            level
                .hierarchies
                .v1(&controller)
                .map(|h| h.mount_point.clone())
        };
        let Some(mount) = mount else { continue };
        let Ok(rel) = dir.strip_prefix(&mount) else {
            continue;
        };
        let rel = rel.to_string_lossy();
        let Ok(root) = cgroups_core::CgroupDir::open_root(&mount) else {
            continue;
        };
        let empty = root
            .open_child(&rel)
            .and_then(|d| d.children())
            .is_ok_and(|c| c.is_empty());
        if empty && let Err(e) = root.remove_tree(&rel) {
            log::debug!("leaving the parent {}: {e}", dir.display());
        }
    }
}

/// The failure of a command that could not be started: 127 when it was not found
/// (`ENOENT`), 126 when it cannot be executed (`EACCES`, `ENOEXEC`), else 125.
pub fn exec_failure(errno: Option<i32>, mut f: Failure) -> Failure {
    use rustix::io::Errno;
    let is = |e: Errno| errno == Some(e.raw_os_error());
    if is(Errno::NOENT) {
        f.code = EXIT_NOT_FOUND;
        f.hint = Some("the command was not found: check its name and $PATH".to_owned());
    } else if is(Errno::ACCESS) || is(Errno::NOEXEC) {
        f.code = EXIT_CANNOT_EXEC;
        f.hint = Some("the command exists but cannot be executed".to_owned());
    }
    f
}

fn spawn_failure(program: &str, e: cgroups_core::Error) -> Failure {
    let errno = e.errno();
    exec_failure(
        errno,
        Failure::from_core(e).context(format!("starting {program:?}")),
    )
}

/// The shell convention: the exit code, or 128 + the signal number.
pub fn exit_code(status: ExitStatus) -> i32 {
    match (status.code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(signal)) => 128 + signal,
        (None, None) => 255,
    }
}

/// Formats a duration as seconds with milliseconds.
pub fn seconds(d: Duration) -> String {
    format!("{}.{:03}s", d.as_secs(), d.subsec_millis())
}
