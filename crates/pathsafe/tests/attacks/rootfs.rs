//! Container rootfs lookups: field cases C34 and C35 as written, and clamps of hostile
//! paths. Here `join(R, p)` of the field cases is `Rootfs::resolve(p)`: the expected
//! value is where the lookup lands inside `R`.

use std::os::unix::fs::MetadataExt;

use pathsafe::{ErrorKind, OpenMode, Rootfs};

use crate::common::{Fixture, SECRET, both, read_all};
use crate::refused;

/// `path` must land on `R<want>` (by inode), name it `want`, and read as its content.
fn assert_lands(fx: &Fixture, rootfs: &Rootfs, path: &str, want: &str) {
    let (fd, landed) = rootfs
        .resolve(path)
        .unwrap_or_else(|e| panic!("{path:?}: {e}"));
    assert_eq!(landed, want, "{path:?}");
    let expected = std::fs::metadata(fx.root().join(want.trim_start_matches('/'))).unwrap();
    let got = rustix::fs::fstat(&fd).unwrap();
    assert_eq!(
        (got.st_dev, got.st_ino),
        (expected.dev(), expected.ino()),
        "{path:?}"
    );
    if expected.is_file() {
        let text = read_all(rootfs.open_file(path, OpenMode::Read).unwrap());
        assert_eq!(text, want, "{path:?} read the wrong file");
        assert_ne!(text.as_bytes(), SECRET);
    }
}

/// Files whose content is their own path inside the root.
fn marker(fx: &Fixture, rel: &str) {
    fx.file(rel, &format!("/{rel}"));
}

#[test]
fn c34_dotdot_clamps_at_the_root() {
    both(|resolver| {
        let fx = Fixture::new();
        fx.dir("etc").dir("a").dir("path/with/junk");
        for rel in ["upperfile.txt", "etc/passwd", "path/with/x", "etc passwd"] {
            marker(&fx, rel);
        }
        let rootfs = Rootfs::open(fx.root()).unwrap();
        assert_eq!(rootfs.uses_openat2(), resolver.expects_openat2());
        assert_lands(&fx, &rootfs, "../upperfile.txt", "/upperfile.txt");
        assert_lands(&fx, &rootfs, "/../../../../etc/passwd", "/etc/passwd");
        assert_lands(&fx, &rootfs, "a/../path/./with//junk/../x", "/path/with/x");
        assert_lands(&fx, &rootfs, "../../../", "/");
        assert_lands(&fx, &rootfs, "./../etc passwd", "/etc passwd");
        fx.assert_untouched();
    });
}

/// The tree of C35.
fn c35_tree() -> Fixture {
    let fx = Fixture::new();
    fx.dir("subdir").dir("cousinparent/cousin").dir("loop");
    fx.link("subdir/link", "../cousinparent/cousin")
        .link("subdir/link2", "/../cousinparent/cousin")
        .link("loop/a", "../../../b")
        .link("b", "/loop/a")
        .link("self", "/../../self");
    fx.file("notdir", "a regular file");
    for rel in [
        "cousinparent/cousin/test",
        "cousinparent/test",
        "test",
        "subdir/test",
    ] {
        marker(&fx, rel);
    }
    fx
}

#[test]
fn c35_dotdot_after_a_symlink_is_not_lexical() {
    both(|_| {
        let fx = c35_tree();
        let rootfs = Rootfs::open(fx.root()).unwrap();
        assert_lands(
            &fx,
            &rootfs,
            "subdir/link/test",
            "/cousinparent/cousin/test",
        );
        assert_lands(&fx, &rootfs, "subdir/link/../test", "/cousinparent/test");
        assert_lands(&fx, &rootfs, "subdir/link2/../test", "/cousinparent/test");
        assert_lands(&fx, &rootfs, "subdir/../test", "/test");
        fx.assert_untouched();
    });
}

#[test]
fn c35_loops_fail_with_loop_and_files_are_not_directories() {
    both(|_| {
        let fx = c35_tree();
        let rootfs = Rootfs::open(fx.root()).unwrap();
        refused(rootfs.resolve("loop/a"), ErrorKind::Loop, "loop/a");
        refused(rootfs.resolve("self/.."), ErrorKind::Loop, "self/..");
        refused(
            rootfs.resolve("notdir/child"),
            ErrorKind::NotADirectory,
            "notdir/child",
        );
        refused(
            rootfs.open_file("loop/a", OpenMode::Read),
            ErrorKind::Loop,
            "open loop/a",
        );
        let err = rootfs
            .open_file("notdir/child", OpenMode::Read)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotADirectory, "{err}");
        fx.assert_untouched();
    });
}

#[test]
fn outward_symlinks_in_a_rootfs_resolve_inside_it() {
    both(|_| {
        let fx = Fixture::new();
        let host_secret = fx.secret().to_string_lossy().into_owned();
        // A decoy at the host path of the sentinel, but inside the rootfs.
        let decoy = host_secret.trim_start_matches('/').to_owned();
        fx.dir(decoy.rsplit_once('/').unwrap().0);
        marker(&fx, &decoy);
        marker(&fx, "secret");
        fx.link("abs", &host_secret)
            .link("rel", "../../../../../../../../secret")
            .link("proc_root", "/proc/self/root")
            .link("chain", "abs");
        let rootfs = Rootfs::open(fx.root()).unwrap();
        let inside = format!("/{decoy}");
        assert_lands(&fx, &rootfs, "abs", &inside);
        assert_lands(&fx, &rootfs, "chain", &inside);
        assert_lands(&fx, &rootfs, &host_secret, &inside);
        assert_lands(&fx, &rootfs, "rel", "/secret");
        assert_lands(&fx, &rootfs, "../secret", "/secret");
        // The rootfs has no /proc: the magic link's path resolves (inside) to nothing.
        refused(
            rootfs.resolve("proc_root/etc"),
            ErrorKind::NotFound,
            "proc_root/etc",
        );
        fx.assert_untouched();
    });
}

#[test]
fn rootfs_writes_never_create_and_never_leave_the_root() {
    both(|_| {
        let fx = Fixture::new();
        fx.link("out", "../secret");
        let rootfs = Rootfs::open(fx.root()).unwrap();
        for path in ["../secret", "out", "/../../secret", "new"] {
            let result = rootfs.open_file(path, OpenMode::Write);
            refused(result, ErrorKind::NotFound, path);
        }
        refused(rootfs.resolve(""), ErrorKind::InvalidName, "empty path");
        refused(rootfs.resolve("a\0b"), ErrorKind::InvalidName, "NUL");
        fx.assert_untouched();
    });
}

#[test]
fn a_fifo_planted_in_a_rootfs_does_not_block_the_open() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("etc");
        let fifo = fx.root().join("etc/passwd");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let rootfs = Rootfs::open(fx.root()).unwrap();
        let text = read_all(rootfs.open_file("/etc/passwd", OpenMode::Read).unwrap());
        assert_eq!(text, "", "no writer: an empty read, not a hang");
    });
}
