//! Test trees only (feature `test-fixtures`): what kernfs does on mkdir and rmdir of a
//! resctrl group, emulated on an ordinary filesystem.
//!
//! On resctrl, mkdir of a group makes the kernel populate it (`tasks`, `schemata`,
//! `mon_groups/`, `mon_data/`, ...) and rmdir removes a group with everything in it.
//! A directory in a temp dir does neither, so a fake tree gets the same shape here.
//! Emptying a directory lists it with `openat(dir, ".")` and getdents64 and unlinks
//! with unlinkat(2) (the path-safety layer has no file removal); test trees only.

use std::io::Write;

use pathsafe::{Dir, OpenMode};
use rustix::fs::{AtFlags, FileType, Mode, OFlags};

use crate::error::{Error, Result, from_pathsafe};
use crate::root::read_optional;

/// Populate a new control group `group` (below the fake root `root`).
pub(crate) fn populate_ctrl_group(root: &Dir, group: &Dir) -> Result<()> {
    create_file(group, "tasks", "")?;
    // A new group starts with the default (full) allocation: the root's schemata.
    let schemata = read_optional(root, "schemata")?.unwrap_or_default();
    create_file(group, "schemata", &schemata)?;
    if root.exists("mon_groups").map_err(|e| from_pathsafe(&e))? {
        group
            .create_dir("mon_groups")
            .map_err(|e| from_pathsafe(&e))?;
        group
            .create_dir("mon_data")
            .map_err(|e| from_pathsafe(&e))?;
    }
    Ok(())
}

/// Populate a new monitoring group.
pub(crate) fn populate_mon_group(group: &Dir) -> Result<()> {
    create_file(group, "tasks", "")?;
    group
        .create_dir("mon_data")
        .map_err(|e| from_pathsafe(&e))?;
    Ok(())
}

fn create_file(dir: &Dir, name: &str, content: &str) -> Result<()> {
    let mut file = dir
        .open_file(name, OpenMode::Write)
        .map_err(|e| from_pathsafe(&e))?;
    file.write_all(content.as_bytes())
        .map_err(|e| Error::io("write", &dir.path().join(name), &e))
}

/// Remove `parent/name` with everything below it, as rmdir of a group does.
pub(crate) fn remove_tree(parent: &Dir, name: &str) -> Result<()> {
    let dir = parent.open_dir(name).map_err(|e| from_pathsafe(&e))?;
    empty_dir(&dir)?;
    parent.remove_dir(name).map_err(|e| from_pathsafe(&e))
}

fn empty_dir(dir: &Dir) -> Result<()> {
    let io = |e: rustix::io::Errno| {
        let err = std::io::Error::from_raw_os_error(e.raw_os_error());
        Error::io("getdents64", dir.path(), &err)
    };
    let mut entries = Vec::new();
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(dir, ".", flags, Mode::empty()).map_err(io)?;
    for entry in rustix::fs::Dir::new(fd).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != "." && name != ".." {
            entries.push((name, entry.file_type()));
        }
    }
    for (name, kind) in entries {
        if kind == FileType::Directory {
            remove_tree(dir, &name)?;
        } else {
            rustix::fs::unlinkat(dir, name.as_str(), AtFlags::empty()).map_err(io)?;
        }
    }
    Ok(())
}
