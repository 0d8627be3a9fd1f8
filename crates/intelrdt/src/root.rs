//! The resctrl root handle and the few file operations this crate needs, all through
//! `pathsafe` beneath that root.
//!
//! The root is opened with the path-safety layer's strict policy for kernel
//! filesystems: its fstatfs(2) magic must be `RDTGROUP_SUPER_MAGIC`, and every lookup
//! beneath it refuses any symlink and any crossing into another mount (resctrl has
//! neither), so a planted `tasks` symlink fails there, before anything is written.

use std::io::{Read, Write};
use std::path::Path;

use pathsafe::{Dir, FsType, OpenMode};

use crate::error::{Error, ErrorKind, Result, from_pathsafe};

/// The largest kernel file this crate reads (schemata of a machine with many
/// domains are a few KiB).
const MAX_READ: u64 = 1 << 20;

/// A directory handle on the resctrl root, and whether it is a test tree.
#[derive(Debug)]
pub(crate) struct Root {
    pub(crate) dir: Dir,
    /// A fake tree on an ordinary filesystem: mkdir and rmdir of groups emulate
    /// kernfs (see `fake.rs`).
    pub(crate) fake: bool,
}

impl Root {
    /// Open `path`, which must be the resctrl filesystem.
    pub(crate) fn open(path: &Path) -> Result<Root> {
        Root::open_as(path, FsType::Resctrl)
    }

    /// Open `path` as a root of filesystem type `fs` with resctrl's policy (no
    /// symlinks, no mounts beneath). Production passes resctrl; unit tests pass the
    /// type of a temp dir to run the production policy on a tree of their own.
    fn open_as(path: &Path, fs: FsType) -> Result<Root> {
        match Dir::open_fs_root(path, fs) {
            Ok(dir) => Ok(Root { dir, fake: false }),
            Err(e) if e.kind() == pathsafe::ErrorKind::WrongFilesystem => Err(wrong_fs(path, &e)),
            Err(e) => Err(from_pathsafe(&e)),
        }
    }

    /// Test-only: any directory, filesystem not checked, with kernfs emulation and
    /// the production policy on symlinks and mounts.
    #[cfg(feature = "test-fixtures")]
    pub(crate) fn open_fake(path: &Path) -> Result<Root> {
        let opts = pathsafe::TestRoot {
            create_on_write: true,
            no_symlinks: true,
            no_xdev: true,
            ..pathsafe::TestRoot::default()
        };
        let dir = Dir::open_test_root(path, opts).map_err(|e| from_pathsafe(&e))?;
        Ok(Root { dir, fake: true })
    }

    pub(crate) fn try_clone(&self) -> Result<Root> {
        let dir = self.dir.try_clone().map_err(|e| from_pathsafe(&e))?;
        Ok(Root {
            dir,
            fake: self.fake,
        })
    }

    /// `info/last_cmd_status`, when readable: the kernel's reason for the last
    /// refused resctrl command of any process.
    pub(crate) fn last_cmd_status(&self) -> Option<String> {
        read_text(&self.dir, "info/last_cmd_status").ok()
    }

    /// Write `data` to `dir/name` in one write(2); a symlinked `name` is refused by the
    /// root's policy. On failure the error carries `info/last_cmd_status`.
    pub(crate) fn write_once(&self, dir: &Dir, name: &str, data: &str) -> Result<()> {
        let path = dir.path().join(name);
        let fail = |e: Error| {
            e.with_value(data)
                .with_last_cmd_status(self.last_cmd_status())
        };
        let mut file = dir
            .open_file(name, OpenMode::Write)
            .map_err(|e| fail(from_pathsafe(&e)))?;
        loop {
            match file.write(data.as_bytes()) {
                Ok(n) if n == data.len() => return Ok(()),
                Ok(n) => {
                    let msg = format!(
                        "write {:?} to {}: short write of {n} bytes",
                        data,
                        path.display()
                    );
                    return Err(fail(Error::new(ErrorKind::Io, msg).with_path(path)));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(fail(Error::io(&format!("write {data:?} to"), &path, &e))),
            }
        }
    }
}

fn wrong_fs(path: &Path, err: &pathsafe::Error) -> Error {
    let msg = format!(
        "{} is not the resctrl filesystem (RDTGROUP_SUPER_MAGIC 0x7655821); mount it \
         with `mount -t resctrl resctrl {0}` ({err})",
        path.display()
    );
    Error::new(ErrorKind::WrongFilesystem, msg).with_path(path)
}

/// Read `dir/rel` as text (at most 1 MiB).
pub(crate) fn read_text(dir: &Dir, rel: &str) -> Result<String> {
    let path = dir.path().join(rel);
    let file = dir
        .open_file(rel, OpenMode::Read)
        .map_err(|e| from_pathsafe(&e))?;
    let mut text = String::new();
    file.take(MAX_READ)
        .read_to_string(&mut text)
        .map_err(|e| Error::io("read", &path, &e))?;
    Ok(text)
}

/// Read `dir/rel` as text, `None` when it does not exist.
pub(crate) fn read_optional(dir: &Dir, rel: &str) -> Result<Option<String>> {
    match read_text(dir, rel) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::disallowed_methods)] // building fixture trees

    use super::*;

    /// Run `test` with openat2 roots, then with the fallback walk.
    fn with_both_resolvers(test: impl Fn()) {
        for fallback in [false, true] {
            let before = pathsafe::testing::force_fallback(fallback);
            test();
            pathsafe::testing::force_fallback(before);
        }
    }

    /// A production root (no fake-tree emulation) on a temp dir, with the temp
    /// dir's own filesystem type in place of resctrl.
    fn production_root(path: &Path) -> Root {
        let fs = FsType::of(std::fs::File::open(path).unwrap()).unwrap();
        let root = Root::open_as(path, fs).unwrap();
        assert!(!root.fake);
        root
    }

    #[test]
    fn production_root_writes_a_plain_tasks_file() {
        with_both_resolvers(|| {
            let tmp = tempfile::tempdir().unwrap();
            std::fs::create_dir(tmp.path().join("g")).unwrap();
            std::fs::write(tmp.path().join("g/tasks"), "").unwrap();
            let root = production_root(tmp.path());
            let group = root.dir.open_dir("g").unwrap();
            root.write_once(&group, "tasks", "42").unwrap();
            let text = std::fs::read_to_string(tmp.path().join("g/tasks")).unwrap();
            assert_eq!(text, "42");
        });
    }

    #[test]
    fn production_root_refuses_symlinked_tasks_and_groups() {
        with_both_resolvers(|| {
            let tmp = tempfile::tempdir().unwrap();
            let victim = tmp.path().join("victim");
            std::fs::write(&victim, "untouched").unwrap();
            let tree = tmp.path().join("resctrl");
            std::fs::create_dir_all(tree.join("g")).unwrap();
            std::os::unix::fs::symlink(&victim, tree.join("g/tasks")).unwrap();
            std::fs::write(tree.join("g/schemata"), "").unwrap();
            std::os::unix::fs::symlink("schemata", tree.join("g/sibling")).unwrap();
            std::os::unix::fs::symlink("g", tree.join("alias")).unwrap();
            let root = production_root(&tree);
            let group = root.dir.open_dir("g").unwrap();
            for name in ["tasks", "sibling"] {
                let err = root.write_once(&group, name, "42").unwrap_err();
                assert_eq!(err.kind(), ErrorKind::UnsafePath, "{err}");
                assert_eq!(err.path(), Some(tree.join("g").join(name).as_path()));
            }
            let err = from_pathsafe(&root.dir.open_dir("alias").unwrap_err());
            assert_eq!(err.kind(), ErrorKind::UnsafePath, "{err}");
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
            assert_eq!(
                std::fs::read_to_string(tree.join("g/schemata")).unwrap(),
                ""
            );
        });
    }

    #[test]
    fn root_that_is_not_resctrl_names_the_mount_command() {
        let tmp = tempfile::tempdir().unwrap();
        let err = Root::open(tmp.path()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WrongFilesystem, "{err}");
        assert!(err.to_string().contains("mount -t resctrl"), "{err}");
    }
}
