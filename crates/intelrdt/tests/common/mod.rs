//! Fake resctrl trees in temp dirs, laid out and formatted as the kernel does.
#![allow(clippy::disallowed_methods, dead_code)] // building fixture trees

use std::path::{Path, PathBuf};

pub const PADDED_SCHEMATA: &str =
    include_str!("../fixtures/resctrl/goresctrl__l2l3mb-padded.schemata");
pub const CDP_SCHEMATA: &str =
    include_str!("../fixtures/resctrl/goresctrl__cdp-l3data-l3code.schemata");
pub const MON_FEATURES: &str = include_str!("../fixtures/resctrl/goresctrl__l3mon.mon_features");

/// A fake resctrl root.
pub struct FakeTree {
    pub dir: tempfile::TempDir,
}

impl FakeTree {
    /// L2 + L3 CAT, MBA and L3 monitoring; root schemata as the kernel prints them.
    pub fn full() -> FakeTree {
        let tree = FakeTree {
            dir: tempfile::tempdir().unwrap(),
        };
        tree.cache_info("L3", "fffff", 1, 16);
        tree.cache_info("L2", "0ffff", 2, 8);
        tree.write("info/MB/bandwidth_gran", "10\n");
        tree.write("info/MB/delay_linear", "1\n");
        tree.write("info/MB/min_bandwidth", "10\n");
        tree.write("info/MB/num_closids", "8\n");
        tree.write("info/L3_MON/mon_features", MON_FEATURES);
        tree.write("info/L3_MON/num_rmids", "176\n");
        tree.write("info/last_cmd_status", "ok\n");
        tree.write("schemata", PADDED_SCHEMATA);
        tree.write("tasks", "1\n2\n");
        tree.mkdir("mon_groups");
        tree.mkdir("mon_data/mon_L3_00");
        tree.mkdir("mon_data/mon_L3_01");
        tree
    }

    /// L3 with CDP (`-o cdp`), no MBA, no monitoring.
    pub fn cdp() -> FakeTree {
        let tree = FakeTree {
            dir: tempfile::tempdir().unwrap(),
        };
        tree.cache_info("L3CODE", "7ff", 1, 8);
        tree.cache_info("L3DATA", "7ff", 1, 8);
        tree.write("info/last_cmd_status", "ok\n");
        tree.write("schemata", CDP_SCHEMATA);
        tree.write("tasks", "");
        tree
    }

    fn cache_info(&self, res: &str, mask: &str, min_bits: u32, closids: u32) {
        self.write(&format!("info/{res}/cbm_mask"), &format!("{mask}\n"));
        self.write(
            &format!("info/{res}/min_cbm_bits"),
            &format!("{min_bits}\n"),
        );
        self.write(&format!("info/{res}/num_closids"), &format!("{closids}\n"));
        self.write(&format!("info/{res}/shareable_bits"), "0\n");
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, content: &str) {
        let path = self.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap()
    }

    pub fn mkdir(&self, rel: &str) {
        std::fs::create_dir_all(self.join(rel)).unwrap();
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.join(rel).symlink_metadata().is_ok()
    }

    pub fn symlink(&self, target: impl AsRef<Path>, rel: &str) {
        std::os::unix::fs::symlink(target, self.join(rel)).unwrap();
    }

    pub fn open(&self) -> intelrdt::Resctrl {
        intelrdt::Resctrl::open_test_tree(self.path()).unwrap()
    }
}

/// Run `test` once with openat2 (where the kernel has it) and once with the
/// component-walk fallback of the path-safety layer.
pub fn with_both_resolvers(test: impl Fn()) {
    let before = pathsafe::testing::force_fallback(false);
    test();
    pathsafe::testing::force_fallback(true);
    test();
    pathsafe::testing::force_fallback(before);
}
