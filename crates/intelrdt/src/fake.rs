//! Test trees only (feature `test-fixtures`): what kernfs does on mkdir and rmdir of a
//! resctrl group, emulated on an ordinary filesystem.
//!
//! On resctrl, mkdir of a group makes the kernel populate it (`tasks`, `schemata`,
//! `mon_groups/`, `mon_data/`, ...) and rmdir removes a group with everything in it.
//! A directory in a temp dir does neither, so a fake tree gets the same shape here.
//! Emptying a directory lists and unlinks its children with the path-safety layer's
//! test-only helpers.

use std::io::Write;

use pathsafe::{Dir, OpenMode};

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
    for name in dir.file_names().map_err(|e| from_pathsafe(&e))? {
        dir.remove_file(&name).map_err(|e| from_pathsafe(&e))?;
    }
    for name in dir.sub_dirs().map_err(|e| from_pathsafe(&e))? {
        remove_tree(dir, &name)?;
    }
    Ok(())
}
