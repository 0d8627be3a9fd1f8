//! [`Spawn`]: the program, arguments, environment and directory of a command to start
//! inside a cgroup.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::{Manager, Result};

use super::SpawnedChild;

/// A command to start inside a cgroup: [`Spawn::start_in`] places it there before its
/// first instruction, with `clone3(CLONE_INTO_CGROUP)` where the kernel and the
/// manager allow it (see the [module documentation](super)).
///
/// The child inherits the caller's standard input, output and error (and every file
/// descriptor without `O_CLOEXEC`, as with [`std::process::Command`]); there is no
/// stdio configuration. A caller that needs pipes or redirections uses
/// [`spawn_in`](super::spawn_in) with a configured `Command`.
///
/// ```no_run
/// # fn run(manager: &dyn cgroups_core::Manager) -> cgroups_core::Result<()> {
/// use cgroups_core::spawn::Spawn;
///
/// let mut child = Spawn::new("sleep").arg("1").env("LANG", "C").start_in(manager)?;
/// let status = child.wait()?;
/// assert!(status.success());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Spawn {
    pub(super) program: OsString,
    pub(super) args: Vec<OsString>,
    pub(super) env_clear: bool,
    /// `Some(value)` sets, `None` removes.
    pub(super) env: BTreeMap<OsString, Option<OsString>>,
    pub(super) current_dir: Option<PathBuf>,
}

impl Spawn {
    /// A command running `program`: a path when it contains a `/`, otherwise a name
    /// searched, by this process before the child starts, in the `PATH` of the
    /// child's environment (`/bin:/usr/bin` when it has none). `argv[0]` is `program`
    /// as given.
    pub fn new(program: impl AsRef<OsStr>) -> Spawn {
        Spawn {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            env_clear: false,
            env: BTreeMap::new(),
            current_dir: None,
        }
    }

    /// Appends one argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Spawn {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// Appends arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Spawn
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets an environment variable of the child (the rest is inherited from this
    /// process unless [`env_clear`](Spawn::env_clear) was called).
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Spawn {
        let value = Some(value.as_ref().to_owned());
        self.env.insert(key.as_ref().to_owned(), value);
        self
    }

    /// Removes an environment variable from the child's environment.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Spawn {
        self.env.insert(key.as_ref().to_owned(), None);
        self
    }

    /// Starts the child with no inherited variable: only those set afterwards.
    pub fn env_clear(&mut self) -> &mut Spawn {
        self.env_clear = true;
        self.env.clear();
        self
    }

    /// The child's working directory (a relative `program` is then relative to it).
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Spawn {
        self.current_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// Starts the command inside `manager`'s cgroup, in every hierarchy, before it
    /// runs its first instruction; returns when it has exec'd.
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::InvalidValue`](crate::ErrorKind::InvalidValue): a NUL byte in the
    ///   program, an argument, a variable or the directory, or `=` in a variable name.
    /// - The exec's errno when the program cannot be started, with the kind derived
    ///   from it: `ENOENT` ([`NotFound`](crate::ErrorKind::NotFound)) when it is not
    ///   found (also when no `PATH` entry has it), `EACCES` or `ENOEXEC` when it
    ///   cannot be executed; also the errno of `chdir` to the working directory.
    /// - The cgroup's refusal from `clone3` or from the `cgroup.procs` write (`EBUSY`
    ///   when the cgroup has controllers enabled for children, `ENODEV` when it was
    ///   removed, ...), and the errors of [`Manager::procs_files`].
    pub fn start_in(&self, manager: &dyn Manager) -> Result<SpawnedChild> {
        super::start::start(self, manager)
    }
}
