//! `Dir` operations on test roots in temp dirs, each with openat2 and with the fallback.
#![allow(clippy::disallowed_methods)]

mod common;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{Fixture, both, read_all};
use pathsafe::{Dir, ErrorKind, FsType, OpenMode, TestRoot};

#[test]
fn root_reports_resolver_and_filesystem() {
    both(|resolver| {
        let fx = Fixture::new();
        let root = fx.open(false);
        assert_eq!(root.uses_openat2(), resolver.expects_openat2());
        assert_eq!(root.path(), fx.root());
        assert!(!root.fs_type().is_cgroup());
        assert_eq!(FsType::of(&root).unwrap(), root.fs_type());
    });
}

#[test]
fn open_dir_joins_display_path_and_keeps_resolver() {
    both(|resolver| {
        let fx = Fixture::new();
        fx.dir("a/b/c");
        let root = fx.open(false);
        let b = root.open_dir("a/b").unwrap();
        assert_eq!(b.path(), fx.root().join("a/b"));
        assert_eq!(b.uses_openat2(), resolver.expects_openat2());
        let c = b.open_dir("c").unwrap();
        assert_eq!(c.path(), fx.root().join("a/b/c"));
        assert_eq!(root.open_dir("").unwrap().path(), fx.root());
        assert_eq!(root.open_dir(".").unwrap().path(), fx.root());
    });
}

#[test]
fn open_dir_on_a_file_is_not_a_directory() {
    both(|_| {
        let fx = Fixture::new();
        fx.file("f", "x");
        let err = fx.open(false).open_dir("f").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotADirectory, "{err}");
    });
}

#[test]
fn open_file_reads_and_writes_existing_files() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("cg").file("cg/memory.max", "max\n");
        let root = fx.open(false);
        assert_eq!(
            read_all(root.open_file("cg/memory.max", OpenMode::Read).unwrap()),
            "max\n"
        );
        let mut file = root.open_file("cg/memory.max", OpenMode::Write).unwrap();
        file.write_all(b"1024").unwrap();
        drop(file);
        let text = read_all(
            root.open_file("cg/memory.max", OpenMode::ReadWrite)
                .unwrap(),
        );
        assert_eq!(
            text, "1024",
            "a write without create_on_write does not truncate"
        );
    });
}

#[test]
fn write_without_create_on_write_never_creates() {
    both(|_| {
        let fx = Fixture::new();
        let err = fx
            .open(false)
            .open_file("new", OpenMode::Write)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        assert!(!fx.root().join("new").exists());
    });
}

#[test]
fn create_on_write_creates_and_truncates_with_mode_0600() {
    both(|_| {
        let fx = Fixture::new();
        fx.file("old", "long old content");
        let root = fx.open(true);
        root.open_file("new", OpenMode::Write)
            .unwrap()
            .write_all(b"1")
            .unwrap();
        root.open_file("old", OpenMode::Write)
            .unwrap()
            .write_all(b"2")
            .unwrap();
        assert_eq!(std::fs::read_to_string(fx.root().join("new")).unwrap(), "1");
        assert_eq!(std::fs::read_to_string(fx.root().join("old")).unwrap(), "2");
        let mode = std::fs::metadata(fx.root().join("new"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // ReadWrite opens do not create, as the reference's test mode.
        let err = root.open_file("rw", OpenMode::ReadWrite).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn opening_a_directory_for_writing_keeps_eisdir() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("d");
        let err = fx.open(false).open_file("d", OpenMode::Write).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Os);
        assert_eq!(err.errno(), Some(21), "{err}");
    });
}

#[test]
fn symlinks_that_stay_beneath_the_root_are_followed() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("a/b")
            .file("a/b/f", "inside")
            .link("l", "a/b")
            .link("a/up", "../a/b/f");
        let root = fx.open(false);
        assert_eq!(
            read_all(root.open_file("l/f", OpenMode::Read).unwrap()),
            "inside"
        );
        assert_eq!(
            read_all(root.open_file("a/up", OpenMode::Read).unwrap()),
            "inside"
        );
        assert!(root.open_dir("l").is_ok());
    });
}

#[test]
fn create_dir_reports_created_then_existing() {
    both(|_| {
        let fx = Fixture::new();
        let root = fx.open(false);
        assert!(root.create_dir("cg").unwrap());
        assert!(!root.create_dir("cg").unwrap());
        let mode = std::fs::metadata(fx.root().join("cg"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o700, 0o700, "owner rwx");
        assert_eq!(mode & 0o022, 0, "never group/other writable");
    });
}

#[test]
fn create_dir_over_a_file_or_symlink_is_already_exists() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("d").file("f", "x").link("l", "d");
        let root = fx.open(false);
        for name in ["f", "l"] {
            let err = root.create_dir(name).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{name}: {err}");
            assert_eq!(err.op(), "mkdirat");
        }
    });
}

#[test]
fn remove_dir_keeps_the_errno() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("full/child").dir("empty");
        let root = fx.open(false);
        root.remove_dir("empty").unwrap();
        assert!(!fx.root().join("empty").exists());
        let gone = root.remove_dir("empty").unwrap_err();
        assert_eq!((gone.kind(), gone.errno()), (ErrorKind::NotFound, Some(2)));
        assert_eq!(gone.op(), "unlinkat");
        let full = root.remove_dir("full").unwrap_err();
        assert_eq!(full.errno(), Some(39), "ENOTEMPTY expected: {full}");
        assert_eq!(full.path(), Some(fx.root().join("full").as_path()));
    });
}

#[test]
fn sub_dirs_lists_only_child_directories() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("a/nested").dir("b").file("f", "x").link("l", "a");
        let mut names = fx.open(false).sub_dirs().unwrap();
        names.sort();
        assert_eq!(names, ["a", "b"]);
    });
}

#[test]
fn exists_does_not_follow_a_final_symlink() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("d").file("f", "x").link("dangling", "nowhere");
        let root = fx.open(false);
        assert!(root.exists("d").unwrap());
        assert!(root.exists("f").unwrap());
        assert!(root.exists("dangling").unwrap());
        assert!(root.exists("").unwrap());
        assert!(!root.exists("missing").unwrap());
        assert!(!root.exists("d/missing").unwrap());
        let err = root.exists("f/x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotADirectory);
    });
}

#[test]
fn try_clone_keeps_path_and_policy() {
    both(|resolver| {
        let fx = Fixture::new();
        fx.dir("a").file("a/f", "x");
        let a = fx.open(false).open_dir("a").unwrap();
        let copy = a.try_clone().unwrap();
        assert_eq!(copy.path(), a.path());
        assert_eq!(copy.uses_openat2(), resolver.expects_openat2());
        assert_eq!(read_all(copy.open_file("f", OpenMode::Read).unwrap()), "x");
    });
}

#[test]
fn test_root_requiring_cgroupfs_refuses_a_temp_dir() {
    let fx = Fixture::new();
    let opts = TestRoot {
        require_cgroupfs: true,
        create_on_write: true,
        ..Default::default()
    };
    let err = Dir::open_test_root(fx.root(), opts).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongFilesystem);
    assert_eq!(err.path(), Some(fx.root()));
}

#[test]
fn missing_root_is_not_found() {
    let err = Dir::open_test_root("/nonexistent/pathsafe", TestRoot::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.path(), Some(Path::new("/nonexistent/pathsafe")));
}

#[test]
fn errors_read_like_strace_with_the_full_path() {
    both(|resolver| {
        let fx = Fixture::new();
        fx.dir("cg");
        let err = fx
            .open(false)
            .open_file("cg/cpu.max", OpenMode::Read)
            .unwrap_err();
        let text = err.to_string();
        let op = if resolver.expects_openat2() {
            "openat2"
        } else {
            "openat"
        };
        assert_eq!(err.op(), op);
        assert!(text.starts_with(&format!("{op}(")), "{text}");
        assert!(
            text.contains("ENOENT (No such file or directory)"),
            "{text}"
        );
        assert!(text.contains("O_CLOEXEC"), "{text}");
        assert_eq!(err.path(), Some(fx.root().join("cg/cpu.max").as_path()));
    });
}

#[test]
fn file_names_and_sub_dirs_list_every_child_once() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("d")
            .file("f", "x")
            .link("link_to_dir", "d")
            .link("dangling", "none");
        let root = fx.open(false);
        let mut files = root.file_names().unwrap();
        files.sort();
        assert_eq!(files, ["dangling", "f", "link_to_dir"]);
        assert_eq!(root.sub_dirs().unwrap(), ["d"]);
    });
}

#[test]
fn remove_file_unlinks_files_and_symlinks_without_following() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("d").file("f", "x").link("out", fx.secret());
        let root = fx.open(false);
        root.remove_file("out").unwrap();
        root.remove_file("f").unwrap();
        assert!(root.file_names().unwrap().is_empty());
        let err = root.remove_file("f").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        let err = root.remove_file("d").unwrap_err();
        assert_eq!(
            err.errno(),
            Some(rustix::io::Errno::ISDIR.raw_os_error()),
            "{err}"
        );
        let err = root.remove_file("../secret").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidName, "{err}");
        fx.assert_untouched();
    });
}
