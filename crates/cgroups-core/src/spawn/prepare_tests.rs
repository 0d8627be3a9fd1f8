//! The parent-side preparation of a [`Spawn`]: argv, envp, the `PATH` search.
// The fake PATH directories are built with std::fs in tests only.
#![allow(clippy::disallowed_methods)]

use std::ffi::{CStr, OsString};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::*;

fn file(dir: &Path, name: &str, mode: u32) {
    let path = dir.join(name);
    std::fs::write(&path, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn strings(list: &[CString]) -> Vec<&str> {
    list.iter().map(|c| c.to_str().unwrap()).collect()
}

fn parent(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect()
}

#[test]
fn argv_starts_with_the_program_as_given() {
    let mut spec = Spawn::new("sh");
    spec.args(["-c", "exit 3"]);
    let prepared = Prepared::with_parent_env(&spec, parent(&[("PATH", "/bin")])).unwrap();
    assert_eq!(strings(&prepared.argv), ["sh", "-c", "exit 3"]);
    assert_eq!(prepared.path.as_c_str(), c"/bin/sh");
}

#[test]
fn environment_is_inherited_with_changes_applied_and_sorted() {
    let mut spec = Spawn::new("/bin/true");
    spec.env("B", "new").env("C", "3").env_remove("A");
    let inherited = parent(&[("A", "1"), ("B", "old"), ("D", "4")]);
    let prepared = Prepared::with_parent_env(&spec, inherited).unwrap();
    assert_eq!(strings(&prepared.envp), ["B=new", "C=3", "D=4"]);
}

#[test]
fn env_clear_keeps_only_what_is_set_afterwards() {
    let mut spec = Spawn::new("/bin/true");
    spec.env("GONE", "x").env_clear().env("ONLY", "1");
    let prepared = Prepared::with_parent_env(&spec, parent(&[("HOME", "/root")])).unwrap();
    assert_eq!(strings(&prepared.envp), ["ONLY=1"]);
}

#[test]
fn variable_name_with_equals_sign_is_refused() {
    let mut spec = Spawn::new("/bin/true");
    spec.env("A=B", "1");
    let err = Prepared::with_parent_env(&spec, parent(&[])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");
    assert_eq!(err.value(), Some("A=B"));
}

#[test]
fn nul_byte_in_an_argument_or_directory_is_refused() {
    let mut spec = Spawn::new("/bin/true");
    spec.arg("a\0b");
    let err = Prepared::with_parent_env(&spec, parent(&[])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");

    let mut spec = Spawn::new("/bin/true");
    spec.current_dir("/tmp\0x");
    let err = Prepared::with_parent_env(&spec, parent(&[])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");
}

#[test]
fn path_search_takes_the_first_executable_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    for d in [&a, &b, &c] {
        std::fs::create_dir(d).unwrap();
    }
    file(&a, "tool", 0o644); // not executable
    std::fs::create_dir(b.join("tool")).unwrap(); // a directory
    file(&c, "tool", 0o755);
    let search = std::env::join_paths([&a, &b, &c]).unwrap();
    assert_eq!(
        resolve("tool".as_ref(), Some(&search)).unwrap(),
        c.join("tool")
    );
}

#[test]
fn path_hits_that_cannot_be_executed_report_eacces() {
    let dir = tempfile::tempdir().unwrap();
    file(dir.path(), "tool", 0o644);
    let err = resolve("tool".as_ref(), Some(dir.path().as_os_str())).unwrap_err();
    assert_eq!(err.errno(), Some(Errno::ACCESS.raw_os_error()), "{err}");
}

#[test]
fn program_in_no_path_entry_reports_enoent() {
    let dir = tempfile::tempdir().unwrap();
    let search = format!("{}:/nonexistent-dir", dir.path().display());
    let err = resolve("no-such-tool".as_ref(), Some(search.as_ref())).unwrap_err();
    assert_eq!(err.errno(), Some(Errno::NOENT.raw_os_error()), "{err}");
    assert_eq!(err.kind(), ErrorKind::NotFound);

    let err = resolve("".as_ref(), None).unwrap_err();
    assert_eq!(err.errno(), Some(Errno::NOENT.raw_os_error()), "{err}");
}

#[test]
fn program_with_a_slash_is_not_searched() {
    let found = resolve("./not/searched".as_ref(), Some("/bin".as_ref())).unwrap();
    assert_eq!(found, Path::new("./not/searched"));
}

#[test]
fn the_childs_path_is_searched_and_default_path_applies_without_one() {
    let dir = tempfile::tempdir().unwrap();
    file(dir.path(), "only-here", 0o755);
    let mut spec = Spawn::new("only-here");
    spec.env("PATH", dir.path());
    let prepared = Prepared::with_parent_env(&spec, parent(&[("PATH", "/bin")])).unwrap();
    let want = dir.path().join("only-here");
    assert_eq!(prepared.path.to_str().unwrap(), want.to_str().unwrap());

    let mut spec = Spawn::new("sh");
    spec.env_clear();
    let prepared = Prepared::with_parent_env(&spec, parent(&[("PATH", "/nowhere")])).unwrap();
    assert_eq!(prepared.path.as_c_str(), c"/bin/sh", "{DEFAULT_PATH}");
}

#[test]
fn relative_path_hits_are_made_absolute_against_this_process() {
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(absolute("bin/tool".into()), cwd.join("bin/tool"));
    assert_eq!(absolute("/bin/tool".into()), Path::new("/bin/tool"));
}

#[test]
fn fork_path_command_execs_the_same_file_argv_env_and_directory() {
    let mut spec = Spawn::new("sh");
    spec.args(["-c", ":"])
        .env_clear()
        .env("K", "v=w")
        .current_dir("/tmp");
    let prepared = Prepared::with_parent_env(&spec, parent(&[])).unwrap();
    let command = prepared.command();
    assert_eq!(command.get_program(), "/bin/sh");
    let args: Vec<_> = command.get_args().collect();
    assert_eq!(args, ["-c", ":"]);
    let envs: Vec<_> = command.get_envs().collect();
    assert_eq!(envs, [("K".as_ref(), Some("v=w".as_ref()))]);
    assert_eq!(command.get_current_dir(), Some(Path::new("/tmp")));

    let image = prepared.image();
    assert_eq!(image.cwd, Some(c"/tmp"));
    assert_eq!(
        image.argv.first().map(CString::as_c_str),
        Some(c"sh" as &CStr)
    );
}
