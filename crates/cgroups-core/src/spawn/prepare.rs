//! Turning a [`Spawn`] into what `execve(2)` takes, in the parent: the `PATH` search,
//! `argv` and `envp` as C strings, the directory. The child only uses the result.

use std::collections::BTreeMap;
use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use rustix::io::Errno;

use crate::sys::ExecImage;
use crate::{Error, ErrorKind, Result};

use super::Spawn;

/// The search path when the child's environment has no `PATH` (the C library's
/// `confstr(_CS_PATH)` default, which `execvp(3)` uses too).
pub(super) const DEFAULT_PATH: &str = "/bin:/usr/bin";

/// A [`Spawn`] ready to exec: every string checked for NUL bytes and converted.
#[derive(Debug)]
pub(super) struct Prepared {
    /// The program as the caller named it, for messages.
    pub(super) program: OsString,
    /// The file to exec: `program` itself when it contains a `/`, else the `PATH` hit.
    pub(super) path: CString,
    pub(super) argv: Vec<CString>,
    /// The child's environment, sorted by name, as `KEY=VALUE`.
    pub(super) envp: Vec<CString>,
    pub(super) cwd: Option<CString>,
}

impl Prepared {
    /// Prepares `spec` with this process's environment as the inherited one.
    pub(super) fn new(spec: &Spawn) -> Result<Prepared> {
        Prepared::with_parent_env(spec, std::env::vars_os())
    }

    /// Prepares `spec` as if this process's environment were `parent_env`.
    pub(super) fn with_parent_env(
        spec: &Spawn,
        parent_env: impl IntoIterator<Item = (OsString, OsString)>,
    ) -> Result<Prepared> {
        let env = child_env(spec, parent_env)?;
        let path = resolve(
            &spec.program,
            env.get(OsStr::new("PATH")).map(|p| p.as_os_str()),
        )?;

        let argv = std::iter::once(&spec.program)
            .chain(&spec.args)
            .map(|a| c_string("argument", a))
            .collect::<Result<Vec<_>>>()?;
        let envp = env
            .into_iter()
            .map(|(key, value)| {
                let mut pair = key;
                pair.push("=");
                pair.push(value);
                c_string("environment variable", &pair)
            })
            .collect::<Result<Vec<_>>>()?;
        let cwd = spec
            .current_dir
            .as_deref()
            .map(|d| c_string("working directory", d.as_os_str()))
            .transpose()?;
        Ok(Prepared {
            program: spec.program.clone(),
            path: c_string("program", path.as_os_str())?,
            argv,
            envp,
            cwd,
        })
    }

    /// The view the clone3 child execs.
    pub(super) fn image(&self) -> ExecImage<'_> {
        ExecImage {
            path: &self.path,
            argv: &self.argv,
            envp: &self.envp,
            cwd: self.cwd.as_deref(),
        }
    }

    /// The same exec as a `std::process::Command`, for the fork path: the resolved
    /// file, `argv[0]` as given, exactly this environment, this directory.
    pub(super) fn command(&self) -> Command {
        let mut command = Command::new(OsStr::from_bytes(self.path.as_bytes()));
        command
            .arg0(&self.program)
            .args(
                self.argv
                    .iter()
                    .skip(1)
                    .map(|a| OsStr::from_bytes(a.as_bytes())),
            )
            .env_clear();
        for pair in &self.envp {
            let bytes = pair.as_bytes();
            if let Some(eq) = bytes.iter().position(|&b| b == b'=') {
                let (key, value) = bytes.split_at(eq);
                let value = value.get(1..).unwrap_or_default();
                command.env(OsStr::from_bytes(key), OsStr::from_bytes(value));
            }
        }
        if let Some(dir) = &self.cwd {
            command.current_dir(OsStr::from_bytes(dir.as_bytes()));
        }
        command
    }
}

/// The child's environment: `parent_env` unless cleared, with the spec's changes.
fn child_env(
    spec: &Spawn,
    parent_env: impl IntoIterator<Item = (OsString, OsString)>,
) -> Result<BTreeMap<OsString, OsString>> {
    let mut env: BTreeMap<OsString, OsString> = match spec.env_clear {
        true => BTreeMap::new(),
        false => parent_env.into_iter().collect(),
    };
    for (key, value) in &spec.env {
        let bytes = key.as_bytes();
        if bytes.is_empty() || bytes.contains(&b'=') {
            return Err(invalid(
                "environment variable name",
                key,
                "is empty or has a '='",
            ));
        }
        match value {
            Some(value) => env.insert(key.clone(), value.clone()),
            None => env.remove(key),
        };
    }
    Ok(env)
}

/// The file to exec for `program`: itself when it contains a `/`; else the first
/// executable regular file `<dir>/<program>` over the `:`-separated `search` (an empty
/// entry is the current directory), made absolute against this process's directory.
///
/// # Errors
///
/// `ENOENT` when no entry has it (or `program` is empty); `EACCES` when entries have
/// it but none is an executable regular file, as `execvp(3)` reports.
pub(super) fn resolve(program: &OsStr, search: Option<&OsStr>) -> Result<PathBuf> {
    let not_found = |errno: Errno, why: &'static str| {
        Error::from_errno("cannot start the program", program, errno.raw_os_error()).with_hint(why)
    };
    if program.is_empty() {
        return Err(not_found(Errno::NOENT, "the program name is empty"));
    }
    if program.as_bytes().contains(&b'/') {
        return Ok(PathBuf::from(program));
    }
    let search = search.unwrap_or(OsStr::new(DEFAULT_PATH));
    let mut denied = false;
    for dir in search.as_bytes().split(|&b| b == b':') {
        let dir = match dir {
            b"" => Path::new("."),
            dir => Path::new(OsStr::from_bytes(dir)),
        };
        let candidate = dir.join(program);
        match probe(&candidate) {
            Probe::Executable => return Ok(absolute(candidate)),
            Probe::NotExecutable => denied = true,
            Probe::Missing => {}
        }
    }
    match denied {
        true => Err(not_found(
            Errno::ACCESS,
            "PATH has the program, but no entry is an executable file",
        )),
        false => Err(not_found(
            Errno::NOENT,
            "the program is in no PATH directory: check its name and PATH",
        )),
    }
}

/// What `execve` would make of a `PATH` candidate.
#[derive(Debug, PartialEq, Eq)]
enum Probe {
    Executable,
    /// It exists but is not an executable regular file (or cannot be reached).
    NotExecutable,
    Missing,
}

fn probe(candidate: &Path) -> Probe {
    use rustix::fs::{Access, FileType};
    match rustix::fs::stat(candidate) {
        Err(Errno::NOENT | Errno::NOTDIR | Errno::NAMETOOLONG | Errno::LOOP) => Probe::Missing,
        Err(_) => Probe::NotExecutable,
        Ok(stat) if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile => {
            Probe::NotExecutable
        }
        Ok(_) => match rustix::fs::access(candidate, Access::EXEC_OK) {
            Ok(()) => Probe::Executable,
            Err(_) => Probe::NotExecutable,
        },
    }
}

/// `path` against this process's working directory when it is relative, so that the
/// child's own `chdir` cannot change which file a `PATH` hit names.
fn absolute(path: PathBuf) -> PathBuf {
    match (path.is_relative(), std::env::current_dir()) {
        (true, Ok(cwd)) => cwd.join(path),
        _ => path,
    }
}

fn c_string(what: &'static str, value: &OsStr) -> Result<CString> {
    CString::new(value.to_owned().into_vec())
        .map_err(|_| invalid(what, value, "contains a NUL byte"))
}

#[cold]
fn invalid(what: &'static str, value: &OsStr, why: &str) -> Error {
    Error::new(ErrorKind::InvalidValue, format!("the {what} {why}"))
        .with_value(value.to_string_lossy())
        .with_hint("execve(2) takes NUL-terminated strings and NAME=VALUE pairs")
}

#[cfg(test)]
#[path = "prepare_tests.rs"]
mod tests;
