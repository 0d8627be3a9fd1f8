//! Building rootfs trees in temp dirs, and running a check with both resolvers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A temp dir holding `rootfs/` and, beside it, `outside/` with sentinel files that
/// no lookup inside the rootfs may ever read.
pub struct Tree {
    pub dir: tempfile::TempDir,
}

pub const SENTINEL_PASSWD: &str = "evil:x:0:0:host sentinel:/evil:/bin/sh\n";
pub const SENTINEL_GROUP: &str = "evil:x:0:evil,app\n";

impl Tree {
    pub fn new() -> Tree {
        let tree = Tree {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        tree.mkdir("rootfs/etc");
        tree.write_abs(&tree.outside().join("passwd"), SENTINEL_PASSWD.as_bytes());
        tree.write_abs(&tree.outside().join("group"), SENTINEL_GROUP.as_bytes());
        tree
    }

    pub fn rootfs(&self) -> PathBuf {
        self.dir.path().join("rootfs")
    }

    pub fn outside(&self) -> PathBuf {
        self.dir.path().join("outside")
    }

    /// Create `rel` (below the rootfs) and its parents.
    #[allow(clippy::disallowed_methods)]
    pub fn mkdir(&self, rel: &str) {
        std::fs::create_dir_all(self.dir.path().join(rel)).expect("mkdir");
    }

    /// Write `content` to `rel` inside the rootfs (parents created).
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        self.write_abs(
            &self.rootfs().join(rel.trim_start_matches('/')),
            content.as_ref(),
        );
    }

    #[allow(clippy::disallowed_methods)]
    fn write_abs(&self, path: &Path, content: &[u8]) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }

    /// Make `rel` inside the rootfs a symlink to `target` (taken literally).
    #[allow(clippy::disallowed_methods)]
    pub fn symlink(&self, rel: &str, target: impl AsRef<Path>) {
        let link = self.rootfs().join(rel.trim_start_matches('/'));
        std::fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(target, link).expect("symlink");
    }

    /// Make `rel` inside the rootfs a FIFO.
    pub fn fifo(&self, rel: &str) {
        let path = self.rootfs().join(rel.trim_start_matches('/'));
        let mode = rustix::fs::Mode::from_raw_mode(0o644);
        rustix::fs::mknodat(rustix::fs::CWD, &path, rustix::fs::FileType::Fifo, mode, 0)
            .expect("mkfifo");
    }
}

/// Run `check` once with openat2 (where the kernel has it) and once with the
/// component-walk fallback; the name of the resolver is passed for messages.
pub fn with_both_resolvers(check: impl Fn(&str)) {
    let mut ran = 0;
    for fallback in [false, true] {
        if !fallback && !pathsafe::openat2_supported() {
            continue;
        }
        let previous = pathsafe::testing::force_fallback(fallback);
        let probe = pathsafe::Rootfs::open("/").expect("open /");
        assert_eq!(
            probe.uses_openat2(),
            !fallback,
            "the resolver switch did not take"
        );
        let name = if fallback { "fallback" } else { "openat2" };
        check(name);
        pathsafe::testing::force_fallback(previous);
        ran += 1;
    }
    assert!(ran >= 1);
}
