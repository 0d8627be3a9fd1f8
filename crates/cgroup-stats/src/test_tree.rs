//! Fake cgroup directories for unit tests (a temp dir opened through
//! `cgroups-core`'s test-only constructor).

// Tests build their fixture trees with std::fs; production code never opens files.
#![allow(clippy::disallowed_methods)]

use cgroups_core::{CgroupDir, TestTree};
use tempfile::TempDir;

/// A temp hierarchy holding one cgroup directory `job` with the given files.
pub(crate) struct FakeCgroup {
    _root: TempDir,
    pub(crate) dir: CgroupDir,
}

pub(crate) fn fake_cgroup(files: &[(&str, &str)]) -> FakeCgroup {
    let root = tempfile::tempdir().expect("temp dir");
    let job = root.path().join("job");
    std::fs::create_dir(&job).expect("mkdir job");
    for (name, content) in files {
        std::fs::write(job.join(name), content).expect("write fixture file");
    }
    let tree = TestTree::default();
    let hierarchy = CgroupDir::open_test_root(root.path(), tree).expect("open test root");
    let dir = hierarchy.open_child("job").expect("open job");
    FakeCgroup { _root: root, dir }
}
