//! Trees a delegated user can make hostile: names that are not UTF-8, creation that
//! the kernel stops part-way, pids that do not exist.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use cgroups_core::ErrorKind;
use ktest::{Failed, TestCgroup, ensure, ensure_eq};

use crate::{Sleeper, open};

/// `bad\xff`, as `mkdir "$(printf 'bad\xff')"` makes it.
fn bad() -> &'static OsStr {
    OsStr::from_bytes(b"bad\xff")
}

/// A sleeper in `<cg>/a` and an empty `<cg>/bad\xff/inner`: every process is listed
/// and, once it is gone, the whole tree is removed.
fn raw_names_in(cg: &TestCgroup) -> Result<(), Failed> {
    let (root, dir) = open(cg)?;
    let (a, _) = dir.create_child_all("a")?;
    // The hostile directory is made the way a user would, with mkdir(2).
    let mode = rustix::fs::Mode::from_raw_mode(0o755);
    rustix::fs::mkdir(cg.path().join(bad()), mode)?;
    rustix::fs::mkdir(cg.path().join(bad()).join("inner"), mode)?;
    let sleeper = Sleeper::start()?;
    cg.adopt_child(sleeper.pid())?;
    a.add_pid(sleeper.pid())?;

    ensure_eq!(dir.all_pids()?, [sleeper.pid()]);
    ensure_eq!(dir.all_threads()?, [sleeper.pid()]);
    let names = dir.child_names()?;
    ensure!(names.iter().any(|n| n == bad()), "{names:?}");
    ensure_eq!(dir.open_child_name(bad())?.all_pids()?, Vec::<u32>::new());

    drop(sleeper);
    root.remove_tree(cg.name())?;
    ensure!(!cg.path().exists(), "{} survived", cg.path().display());
    Ok(())
}

pub fn raw_names_v1() -> Result<(), Failed> {
    raw_names_in(&TestCgroup::new_v1("cpu", "rawname")?)
}

pub fn raw_names_unified() -> Result<(), Failed> {
    raw_names_in(&TestCgroup::new_unified("rawname")?)
}

/// `cgroup.max.depth 1` on the test cgroup: `a` may be made below it, `a/b` not
/// (EAGAIN). The level that was made is removed again.
pub fn refused_deeper_level_is_cleaned_up() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("maxdepth")?;
    let (_, dir) = open(&cg)?;
    dir.write("cgroup.max.depth", "1")?;
    let err = dir
        .create_child_all("a/b")
        .err()
        .ok_or("the kernel allowed a level past cgroup.max.depth")?;
    ensure_eq!(
        err.errno(),
        Some(rustix::io::Errno::AGAIN.raw_os_error()),
        "{err}"
    );
    ensure!(
        !cg.path().join("a").exists(),
        "the level made before was left"
    );
    Ok(())
}

pub fn add_pid_of_a_missing_process_is_not_found() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("pids", "nopid")?;
    let (_, dir) = open(&cg)?;
    // Above PID_MAX_LIMIT (2^22): no process can have it.
    let err = dir
        .add_pid(4_194_305)
        .err()
        .ok_or("moved a process that cannot exist")?;
    ensure_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    ensure_eq!(err.errno(), Some(rustix::io::Errno::SRCH.raw_os_error()));
    ensure!(err.to_string().contains("4194305"), "{err}");
    Ok(())
}
