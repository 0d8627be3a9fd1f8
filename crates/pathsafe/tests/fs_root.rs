//! `Dir::open_fs_root`: a root of one filesystem type with no symlinks and no mounts
//! beneath it (resctrl in production), and test roots that reproduce that policy; each
//! with openat2 and with the fallback. Mount crossings are in `mountns.rs`.
#![allow(clippy::disallowed_methods)]

mod common;

use std::path::Path;

use common::{Fixture, both, read_all};
use pathsafe::{Dir, ErrorKind, FsType, OpenMode, TestRoot};

/// The real filesystem type of the temp dir (ext4, tmpfs, ...), from fstatfs.
fn fs_of(path: &Path) -> FsType {
    FsType::of(std::fs::File::open(path).expect("open")).expect("fstatfs")
}

/// A tree with a file, a directory and symlinks pointing inside and outside it.
fn linked_tree() -> Fixture {
    let fx = Fixture::new();
    let secret = fx.secret();
    fx.dir("a/b")
        .file("a/f", "inside")
        .link("in_dir", "a")
        .link("in_file", "a/f")
        .link("a/sibling", "f")
        .link("a/up", "../a/f")
        .link("abs_out", &secret)
        .link("rel_out", "../secret")
        .link("dangling", "missing");
    fx
}

/// Every lookup through a symlink, inside or outside the tree.
const THROUGH_SYMLINKS: [&str; 9] = [
    "in_dir",
    "in_dir/f",
    "in_file",
    "a/sibling",
    "a/up",
    "abs_out",
    "rel_out",
    "dangling",
    "in_dir/b",
];

fn assert_refused<T: std::fmt::Debug>(result: pathsafe::Result<T>, kind: ErrorKind, case: &str) {
    match result {
        Ok(value) => panic!("{case}: expected {kind:?}, got Ok({value:?})"),
        Err(err) => assert_eq!(err.kind(), kind, "{case}: {err}"),
    }
}

/// Every symlink in [`THROUGH_SYMLINKS`] is refused with `Loop` for every kind of open.
fn assert_no_symlink_is_followed(root: &Dir) {
    for rel in THROUGH_SYMLINKS {
        assert_refused(root.open_dir(rel), ErrorKind::Loop, rel);
        for mode in [OpenMode::Read, OpenMode::Write] {
            assert_refused(root.open_file(rel, mode), ErrorKind::Loop, rel);
        }
    }
}

#[test]
fn fs_root_of_the_matching_type_opens_beneath_it() {
    both(|resolver| {
        let fx = linked_tree();
        let fs = fs_of(fx.root());
        let root = Dir::open_fs_root(fx.root(), fs).unwrap();
        assert_eq!(root.uses_openat2(), resolver.expects_openat2());
        assert_eq!(root.fs_type(), fs);
        assert_eq!(root.path(), fx.root());
        let a = root.open_dir("a").unwrap();
        assert_eq!(a.path(), fx.root().join("a"));
        assert_eq!(
            read_all(a.open_file("f", OpenMode::Read).unwrap()),
            "inside"
        );
        assert_eq!(
            read_all(root.open_file("a/f", OpenMode::Read).unwrap()),
            "inside"
        );
        assert!(a.create_dir("c").unwrap());
        assert!(fx.root().join("a/c").is_dir());
        fx.assert_untouched();
    });
}

#[test]
fn fs_root_compares_types_by_magic() {
    let fx = Fixture::new();
    let fs = fs_of(fx.root());
    let raw = FsType::Other(fs.magic());
    let root = Dir::open_fs_root(fx.root(), raw).unwrap();
    assert_eq!(root.fs_type(), fs);
}

#[test]
fn fs_root_of_another_type_is_wrong_filesystem() {
    let fx = Fixture::new();
    let fs = fs_of(fx.root());
    assert_ne!(fs, FsType::Resctrl, "the temp dir cannot be resctrl");
    let err = Dir::open_fs_root(fx.root(), FsType::Resctrl).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongFilesystem, "{err}");
    assert_eq!(err.path(), Some(fx.root()));
    assert!(err.to_string().contains("resctrl"), "{err}");
    let other = FsType::Other(fs.magic() ^ 0x1000);
    let err = Dir::open_fs_root(fx.root(), other).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongFilesystem, "{err}");
    let wanted = format!("{:#x}", other.magic());
    assert!(err.to_string().contains(&wanted), "{err}");
    for cgroup in [FsType::Cgroup1, FsType::Cgroup2] {
        let err = Dir::open_fs_root(fx.root(), cgroup).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WrongFilesystem, "{err}");
    }
}

#[test]
fn missing_fs_root_is_not_found() {
    let err = Dir::open_fs_root("/nonexistent/pathsafe", FsType::Resctrl).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert_eq!(err.path(), Some(Path::new("/nonexistent/pathsafe")));
}

#[test]
fn every_symlink_beneath_an_fs_root_is_loop() {
    both(|_| {
        let fx = linked_tree();
        let root = Dir::open_fs_root(fx.root(), fs_of(fx.root())).unwrap();
        assert_no_symlink_is_followed(&root);
        fx.assert_untouched();
        assert_eq!(
            std::fs::read_to_string(fx.root().join("a/f")).unwrap(),
            "inside"
        );
    });
}

#[test]
fn dirs_opened_beneath_an_fs_root_keep_its_policy() {
    both(|_| {
        let fx = linked_tree();
        let root = Dir::open_fs_root(fx.root(), fs_of(fx.root())).unwrap();
        let a = root.open_dir("a").unwrap();
        for rel in ["sibling", "up"] {
            assert_refused(a.open_file(rel, OpenMode::Read), ErrorKind::Loop, rel);
        }
        let copy = a.try_clone().unwrap();
        assert_refused(
            copy.open_file("up", OpenMode::Read),
            ErrorKind::Loop,
            "clone",
        );
    });
}

#[test]
fn final_symlinks_beneath_an_fs_root_exist_but_are_no_directories() {
    both(|_| {
        let fx = linked_tree();
        let root = Dir::open_fs_root(fx.root(), fs_of(fx.root())).unwrap();
        assert!(root.exists("in_dir").unwrap());
        assert!(root.exists("dangling").unwrap());
        assert_refused(root.exists("in_dir/f"), ErrorKind::Loop, "exists in_dir/f");
        assert_refused(root.create_dir("in_dir"), ErrorKind::AlreadyExists, "mkdir");
        assert_eq!(root.sub_dirs().unwrap(), ["a"]);
    });
}

#[test]
fn dot_dot_beneath_an_fs_root_is_refused_before_any_lookup() {
    let fx = linked_tree();
    let root = Dir::open_fs_root(fx.root(), fs_of(fx.root())).unwrap();
    for rel in ["..", "../secret", "a/../a/f", "/a/f"] {
        assert_refused(
            root.open_file(rel, OpenMode::Read),
            ErrorKind::InvalidName,
            rel,
        );
    }
}

#[test]
fn plain_test_root_follows_the_same_inside_symlinks() {
    // The control for the tests above: without the policy these symlinks resolve.
    both(|_| {
        let fx = linked_tree();
        let root = fx.open(false);
        for rel in ["in_file", "in_dir/f", "a/sibling", "a/up"] {
            assert_eq!(
                read_all(root.open_file(rel, OpenMode::Read).unwrap()),
                "inside"
            );
        }
    });
}

#[test]
fn test_root_with_no_symlinks_refuses_symlinks_like_an_fs_root() {
    both(|resolver| {
        let fx = linked_tree();
        let opts = TestRoot {
            create_on_write: true,
            no_symlinks: true,
            ..TestRoot::default()
        };
        let root = Dir::open_test_root(fx.root(), opts).unwrap();
        assert_eq!(root.uses_openat2(), resolver.expects_openat2());
        assert_no_symlink_is_followed(&root);
        // Creating on write still works where no symlink is in the way.
        root.open_file("a/new", OpenMode::Write).unwrap();
        assert!(fx.root().join("a/new").is_file());
        fx.assert_untouched();
    });
}
