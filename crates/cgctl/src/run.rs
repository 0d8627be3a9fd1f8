//! `cgctl run`: a command in a new cgroup, a summary of what it used, no leftovers.

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cgroups_core::{CgroupPath, Manager};

use crate::backend;
use crate::cli::RunArgs;
use crate::failure::{EXIT_CANNOT_EXEC, EXIT_NOT_FOUND, require_root};
use crate::summary::{self, Summary};
use crate::{Failure, Result, limits};

/// Removes the cgroup when the run ends, however it ends, unless asked to keep it.
struct Cleanup<'a> {
    manager: &'a dyn Manager,
    keep: bool,
    done: bool,
}

impl Cleanup<'_> {
    /// Kills what is left and removes the cgroup; reports failures.
    fn finish(&mut self) -> Result<()> {
        self.done = true;
        if self.keep {
            return Ok(());
        }
        let killed = self.manager.kill();
        let destroyed = self.manager.destroy();
        killed.map_err(|e| Failure::from_core(e).context("killing what was left"))?;
        destroyed.map_err(|e| Failure::from_core(e).context("removing the cgroup"))?;
        Ok(())
    }
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        if !self.done
            && !self.keep
            && let Err(e) = self.manager.kill().and_then(|()| self.manager.destroy())
        {
            eprintln!("cgctl: could not remove the cgroup: {e}");
        }
    }
}

fn unique_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("run-{}-{nanos:09}", std::process::id())
}

/// Runs the command and returns the exit status for cgctl.
pub fn run(args: RunArgs) -> Result<i32> {
    require_root("cgctl run")?;
    let resources = limits::resources_from(&args.limits)?;
    let parent = backend::parse_path(&args.parent)?;
    let name = args.name.clone().unwrap_or_else(unique_name);
    let path = CgroupPath::from_parent_and_name(&parent.to_string(), &name)?;
    let parent_backend = backend::open(parent.clone(), &args.placement)?;
    let parent_is_ours = !parent_backend.manager.exists();
    let backend = backend::open(path, &args.placement)?;
    let manager = backend.manager.as_ref();

    let mut cleanup = Cleanup {
        manager,
        keep: args.keep,
        done: false,
    };
    manager.create()?;
    manager.set(&resources)?;

    let mut command = Command::new(&args.command[0]);
    command.args(&args.command[1..]);
    let caught = crate::signals::catch()?;
    let started = Instant::now();
    let mut child = cgroups_core::spawn::spawn_in(manager, &mut command)
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
    if parent_is_ours && !args.keep {
        remove_parent_if_empty(&parent_backend);
    }

    let code = exit_code(status);
    let report = Summary::new(
        &backend,
        &args.command,
        wall,
        status,
        code,
        usage,
        &resources,
    );
    if args.json {
        println!("{}", report.to_json(args.keep.then_some(&paths)));
    } else {
        eprint!("{}", report.to_text(args.keep.then_some(&paths)));
    }
    Ok(code)
}

/// Removes the parent that this run created, in every hierarchy, when nothing else
/// lives in it (another run may have started below it meanwhile: then it stays).
fn remove_parent_if_empty(parent: &backend::Backend) {
    for (controller, dir) in parent.manager.paths() {
        let mount = if controller.is_empty() {
            parent
                .hierarchies
                .unified_mount()
                .map(std::path::Path::to_path_buf)
        } else {
            parent
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

fn spawn_failure(program: &str, e: cgroups_core::Error) -> Failure {
    let errno = e.errno();
    let mut f = Failure::from_core(e).context(format!("starting {program:?}"));
    if errno == Some(rustix::io::Errno::NOENT.raw_os_error()) {
        f.code = EXIT_NOT_FOUND;
        f.hint = Some("the command was not found: check its name and $PATH".to_owned());
    } else if errno == Some(rustix::io::Errno::ACCESS.raw_os_error())
        || errno == Some(rustix::io::Errno::NOEXEC.raw_os_error())
    {
        f.code = EXIT_CANNOT_EXEC;
        f.hint = Some("the command exists but cannot be executed".to_owned());
    }
    f
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
