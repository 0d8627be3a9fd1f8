//! The path-attack catalogue. Every case runs with openat2 and with the forced
//! fallback, asserts the prescribed outcome (the error kind of a refusal, or where a
//! rootfs lookup lands) and that nothing outside the root was read or written: the
//! sentinels keep content and mtime, no file appears next to the root, and no read
//! returns the sentinel's content.
#![allow(clippy::disallowed_methods)]

mod common;

#[path = "attacks/magic.rs"]
mod magic;
#[path = "attacks/rootfs.rs"]
mod rootfs;

use std::fmt::Debug;

use common::{Fixture, both, read_all};
use pathsafe::{Dir, ErrorKind, OpenMode, ProcFs, check_file_name};

/// `result` must be an error of `kind`.
pub fn refused<T: Debug>(result: pathsafe::Result<T>, kind: ErrorKind, case: &str) {
    match result {
        Ok(value) => panic!("{case}: expected {kind:?}, got Ok({value:?})"),
        Err(err) => assert_eq!(err.kind(), kind, "{case}: {err}"),
    }
}

/// A tree with an ordinary cgroup-like directory.
fn cgroup_tree() -> Fixture {
    let fx = Fixture::new();
    fx.dir("cg/child").file("cg/memory.max", "inside\n");
    fx
}

/// Every way a `Dir` opens a relative path must refuse `rel` with `kind`.
fn assert_dir_refuses(root: &Dir, rel: &str, kind: ErrorKind) {
    refused(
        root.open_file(rel, OpenMode::Read),
        kind,
        &format!("read {rel:?}"),
    );
    refused(
        root.open_file(rel, OpenMode::Write),
        kind,
        &format!("write {rel:?}"),
    );
    refused(
        root.open_file(rel, OpenMode::ReadWrite),
        kind,
        &format!("rdwr {rel:?}"),
    );
    refused(root.open_dir(rel), kind, &format!("open_dir {rel:?}"));
}

#[test]
fn dotdot_names_are_refused_before_any_lookup() {
    let cases = [
        "..",
        "../secret",
        "../outside/secret",
        "cg/../../secret",
        "cg/..",
        "./../secret",
        "../root/cg/memory.max",
        "cg/child/../../../secret",
    ];
    both(|_| {
        let fx = cgroup_tree();
        let root = fx.open(true);
        let cg = root.open_dir("cg").unwrap();
        for rel in cases {
            assert_dir_refuses(&root, rel, ErrorKind::InvalidName);
            assert_dir_refuses(&cg, rel, ErrorKind::InvalidName);
            refused(root.exists(rel), ErrorKind::InvalidName, rel);
        }
        fx.assert_untouched();
    });
}

#[test]
fn absolute_names_are_refused_beneath_cgroup_roots() {
    both(|_| {
        let fx = cgroup_tree();
        let secret = fx.secret().to_string_lossy().into_owned();
        let cases = [
            "/",
            "/etc/passwd",
            "//secret",
            "/../secret",
            "/cg/memory.max",
            &secret,
        ];
        let root = fx.open(true);
        for rel in cases {
            assert_dir_refuses(&root, rel, ErrorKind::InvalidName);
            refused(root.exists(rel), ErrorKind::InvalidName, rel);
            refused(root.create_dir(rel), ErrorKind::InvalidName, rel);
        }
        fx.assert_untouched();
    });
}

/// Symlinks planted inside the tree that point out of it.
fn symlink_tree() -> Fixture {
    let fx = cgroup_tree();
    let secret = fx.secret();
    fx.link("rel_out", "../secret")
        .link("rel_sibling", "../outside/secret")
        .link("abs_out", &secret)
        .link("abs_in", fx.root().join("cg/memory.max"))
        .link("chain1", "chain2")
        .link("chain2", "cg/chain3")
        .link("cg/chain3", "../../secret")
        .link("dir_out", "../outside")
        .link("cg/up", "../../secret")
        .link("create_out", "../created-by-attack")
        .link("loop1", "loop2")
        .link("loop2", "loop1")
        .link("self", "self");
    for n in 0..45 {
        fx.link(&format!("long{n}"), format!("long{}", n + 1));
    }
    fx.file("long45", "end of a long chain");
    fx
}

#[test]
fn symlinks_out_of_the_root_are_refused() {
    let escapes = [
        "rel_out",
        "rel_sibling",
        "abs_out",
        "abs_in",
        "chain1",
        "dir_out/secret",
        "cg/up",
        "create_out",
    ];
    both(|_| {
        let fx = symlink_tree();
        let root = fx.open(true);
        for rel in escapes {
            assert_dir_refuses(&root, rel, ErrorKind::Escape);
        }
        refused(
            root.exists("dir_out/secret"),
            ErrorKind::Escape,
            "exists dir_out/secret",
        );
        refused(
            root.open_dir("dir_out"),
            ErrorKind::Escape,
            "open_dir dir_out",
        );
        fx.assert_untouched();
    });
}

#[test]
fn looping_symlinks_fail_with_loop() {
    both(|_| {
        let fx = symlink_tree();
        let root = fx.open(true);
        for rel in ["loop1", "loop2", "self", "self/x", "long0"] {
            assert_dir_refuses(&root, rel, ErrorKind::Loop);
        }
        // Forty links are allowed, like the kernel's MAXSYMLINKS.
        let text = read_all(root.open_file("long5", OpenMode::Read).unwrap());
        assert_eq!(text, "end of a long chain");
        fx.assert_untouched();
    });
}

#[test]
fn hostile_hugepage_sizes_and_unified_keys_are_refused() {
    let names = [
        "../2MB",
        "2MB/../../x",
        "memory.max\0",
        "a/b",
        "..",
        ".",
        "",
        "/memory.max",
        "hugetlb.2MB.max/..",
        "hugetlb.../2MB.limit_in_bytes",
        "cg/memory.max",
        "memory.max/",
    ];
    both(|_| {
        let fx = cgroup_tree();
        let root = fx.open(true);
        for name in names {
            refused(check_file_name(name), ErrorKind::InvalidName, name);
            refused(root.create_dir(name), ErrorKind::InvalidName, name);
            refused(root.remove_dir(name), ErrorKind::InvalidName, name);
        }
        let not_paths = ["../2MB", "2MB/../../x", "memory.max\0", "..", "/memory.max"];
        for rel in not_paths
            .into_iter()
            .chain(["hugetlb.2MB.max/..", "memory.max/"])
        {
            assert_dir_refuses(&root, rel, ErrorKind::InvalidName);
        }
        // Second fence: a name that slips past as a relative path still stays beneath.
        let sneaky = "hugetlb.../2MB.limit_in_bytes";
        refused(
            root.open_file(sneaky, OpenMode::Write),
            ErrorKind::NotFound,
            sneaky,
        );
        fx.assert_untouched();
    });
}

#[test]
fn non_cgroup_filesystems_are_refused_where_cgroupfs_is_expected() {
    let fx = Fixture::new();
    let mut paths = vec![
        fx.root().to_path_buf(),
        "/tmp".into(),
        "/proc".into(),
        "/sys".into(),
        "/dev".into(),
        "/".into(),
    ];
    // On a hybrid host /sys/fs/cgroup is a tmpfs holding the hierarchies.
    let fs = pathsafe::FsType::of(std::fs::File::open("/sys/fs/cgroup").unwrap()).unwrap();
    if !fs.is_cgroup() {
        paths.push("/sys/fs/cgroup".into());
    }
    both(|_| {
        for path in &paths {
            let err = Dir::open_cgroup_root(path).unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::WrongFilesystem,
                "{}: {err}",
                path.display()
            );
            assert_eq!(err.path(), Some(path.as_path()));
        }
        for path in [
            fx.root(),
            "/sys".as_ref(),
            "/proc/self".as_ref(),
            "/proc/sys".as_ref(),
        ] {
            let err = ProcFs::open_at(path).unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::WrongFilesystem,
                "{}: {err}",
                path.display()
            );
        }
    });
    fx.assert_untouched();
}
