//! Walks over cgroup trees: collecting descendants and removing a subtree depth
//! first with the retry policy of [`retry`](crate::retry).

use rustix::io::Errno;

use crate::error::from_pathsafe;
use crate::retry::rmdir_with_retries;
use crate::{ErrorKind, Result};

/// Opens the child cgroups of `dir` onto `stack`; with `tolerant`, children that
/// vanish (or a `dir` that vanished) are skipped.
pub(crate) fn push_children(
    dir: &pathsafe::Dir,
    stack: &mut Vec<pathsafe::Dir>,
    tolerant: bool,
) -> Result<()> {
    let names = match dir.sub_dirs().map_err(from_pathsafe) {
        Ok(names) => names,
        Err(err) if tolerant && err.is_not_found() => return Ok(()),
        Err(err) => return Err(err),
    };
    for name in names {
        match dir.open_dir(&name).map_err(from_pathsafe) {
            Ok(child) => stack.push(child),
            Err(err) if err.is_not_found() => continue,
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// Removes the child `name` of `parent` and its subtree (see [`CgroupDir::remove_tree`](crate::CgroupDir::remove_tree)).
pub(crate) fn remove_entry(parent: &pathsafe::Dir, name: &str) -> Result<()> {
    let rmdir = || parent.remove_dir(name).map_err(from_pathsafe);
    match rmdir() {
        Ok(()) => return Ok(()),
        Err(err) if err.errno() == Some(Errno::NOENT.raw_os_error()) => return Ok(()),
        Err(_) => {}
    }

    let dir = match parent.open_dir(name).map_err(from_pathsafe) {
        Ok(dir) => dir,
        Err(err) if err.is_not_found() => return Ok(()),
        Err(err) => return Err(err),
    };
    let children = match dir.sub_dirs().map_err(from_pathsafe) {
        Ok(children) => children,
        Err(err) if err.is_not_found() => return Ok(()),
        Err(err) => return Err(err),
    };
    for child in children {
        remove_entry(&dir, &child)?;
    }
    drop(dir);

    rmdir_with_retries(rmdir, std::thread::sleep).map_err(|err| {
        if err.kind() == ErrorKind::Busy {
            err.with_hint("the cgroup still has processes or child cgroups; kill them first")
        } else {
            err
        }
    })
}
