//! Helpers shared by the integration tests: run a check with both resolvers, build
//! trees in temp dirs, and watch sentinels outside the root.
// Tests build their fixture trees with std::fs; each test binary uses a subset.
// A failing run names its resolver on stderr, next to the panic message.
#![allow(clippy::disallowed_methods, clippy::print_stderr, dead_code)]

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::os::unix::fs::symlink;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use pathsafe::{Dir, TestRoot};

/// Which resolver a run of [`both`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolver {
    /// openat2 (where the kernel supports it; otherwise this run is a second fallback run).
    Openat2,
    /// The forced component-walk fallback.
    Fallback,
}

impl Resolver {
    /// Whether roots opened in this run should report `uses_openat2()`.
    pub fn expects_openat2(self) -> bool {
        self == Resolver::Openat2 && pathsafe::openat2_supported()
    }
}

impl fmt::Display for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resolver::Openat2 => "openat2",
            Resolver::Fallback => "fallback",
        })
    }
}

/// Run `check` twice on this thread: roots opened in the first run use openat2, in the
/// second the forced fallback. A failure names the resolver.
pub fn both(mut check: impl FnMut(Resolver)) {
    for resolver in [Resolver::Openat2, Resolver::Fallback] {
        let previous = pathsafe::testing::force_fallback(resolver == Resolver::Fallback);
        let outcome = catch_unwind(AssertUnwindSafe(|| check(resolver)));
        pathsafe::testing::force_fallback(previous);
        if let Err(panic) = outcome {
            eprintln!("failed with the {resolver} resolver");
            resume_unwind(panic);
        }
    }
}

/// The content of every sentinel.
pub const SECRET: &[u8] = b"SENTINEL OUTSIDE THE ROOT\n";

/// A temp dir holding `root/` (the tree under test) and, outside it, sentinel files:
/// `secret` next to the root and `outside/secret` in a sibling directory.
pub struct Fixture {
    tmp: tempfile::TempDir,
    root: PathBuf,
    snapshot: Snapshot,
}

/// What must not change outside the root.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    entries: BTreeSet<PathBuf>,
    sentinels: Vec<(PathBuf, Vec<u8>, SystemTime)>,
}

impl Fixture {
    /// A fresh tree with an empty `root/` and the sentinels outside it.
    pub fn new() -> Fixture {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("root");
        fs::create_dir(&root).expect("mkdir root");
        fs::create_dir(tmp.path().join("outside")).expect("mkdir outside");
        for rel in ["secret", "outside/secret"] {
            fs::write(tmp.path().join(rel), SECRET).expect("write sentinel");
        }
        let snapshot = snapshot(tmp.path());
        Fixture {
            tmp,
            root,
            snapshot,
        }
    }

    /// The temp dir (parent of the root).
    pub fn base(&self) -> &Path {
        self.tmp.path()
    }

    /// The root of the tree under test.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The sentinel next to the root.
    pub fn secret(&self) -> PathBuf {
        self.tmp.path().join("secret")
    }

    /// Create directories `rel` (and parents) under the root.
    pub fn dir(&self, rel: &str) -> &Fixture {
        fs::create_dir_all(self.root.join(rel)).expect("mkdir");
        self
    }

    /// Create file `rel` under the root with `content`.
    pub fn file(&self, rel: &str, content: &str) -> &Fixture {
        fs::write(self.root.join(rel), content).expect("write");
        self
    }

    /// Create symlink `rel` under the root pointing to `target` (verbatim).
    pub fn link(&self, rel: &str, target: impl AsRef<Path>) -> &Fixture {
        symlink(target, self.root.join(rel)).expect("symlink");
        self
    }

    /// Open the root as a test root (no filesystem check).
    pub fn open(&self, create_on_write: bool) -> Dir {
        let opts = TestRoot {
            require_cgroupfs: false,
            create_on_write,
            ..Default::default()
        };
        Dir::open_test_root(&self.root, opts).expect("open test root")
    }

    /// Nothing outside the root was created, removed or written (content and mtime).
    pub fn assert_untouched(&self) {
        let now = snapshot(self.tmp.path());
        assert_eq!(now, self.snapshot, "something outside the root changed");
    }
}

impl Default for Fixture {
    fn default() -> Fixture {
        Fixture::new()
    }
}

/// Everything in `base` except below `base/root`, and the sentinels' state.
fn snapshot(base: &Path) -> Snapshot {
    let mut entries = BTreeSet::new();
    let mut stack = vec![base.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path == base.join("root") {
                continue;
            }
            if path.is_dir() && !path.is_symlink() {
                stack.push(path.clone());
            }
            entries.insert(path);
        }
    }
    let sentinels = ["secret", "outside/secret"]
        .iter()
        .map(|rel| {
            let path = base.join(rel);
            let content = fs::read(&path).expect("read sentinel");
            let mtime = fs::metadata(&path)
                .and_then(|m| m.modified())
                .expect("mtime");
            (path, content, mtime)
        })
        .collect();
    Snapshot { entries, sentinels }
}

/// Read a whole file opened by pathsafe.
pub fn read_all(mut file: fs::File) -> String {
    use std::io::Read;
    let mut text = String::new();
    file.read_to_string(&mut text).expect("read");
    text
}
