//! Hostile fake resctrl trees and hostile names: nothing is read or written outside
//! the tree, with openat2 and with the fallback resolver.
#![allow(clippy::disallowed_methods)] // building fixture trees

mod common;

use common::{FakeTree, with_both_resolvers};
use intelrdt::{ErrorKind, Manager, RdtConfig};

fn own_group(monitoring: bool) -> RdtConfig {
    let mut config = RdtConfig::default();
    config.l3_cache_schema = Some("L3:0=ff;1=ff".into());
    config.enable_monitoring = monitoring;
    config
}

fn named(clos_id: &str) -> RdtConfig {
    let mut config = own_group(false);
    config.clos_id = Some(clos_id.into());
    config
}

#[test]
fn tasks_symlink_to_a_file_outside_the_tree_is_refused() {
    with_both_resolvers(|| {
        let tree = FakeTree::full();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        let mut m = Manager::new(tree.open(), "ctr1", own_group(false)).unwrap();
        m.apply().unwrap();
        std::fs::remove_file(tree.join("ctr1/tasks")).unwrap();
        tree.symlink(&victim, "ctr1/tasks");
        let err = m.add_task(1234).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsafePath, "{err}");
        assert_eq!(err.path(), Some(tree.join("ctr1/tasks").as_path()));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    });
}

#[test]
fn tasks_symlink_to_another_group_inside_the_tree_is_refused() {
    with_both_resolvers(|| {
        let tree = FakeTree::full();
        tree.write("other/tasks", "");
        let mut m = Manager::new(tree.open(), "ctr1", own_group(false)).unwrap();
        m.apply().unwrap();
        std::fs::remove_file(tree.join("ctr1/tasks")).unwrap();
        tree.symlink("../other/tasks", "ctr1/tasks");
        assert_eq!(m.add_task(1234).unwrap_err().kind(), ErrorKind::UnsafePath);
        assert_eq!(tree.read("other/tasks"), "");
    });
}

#[test]
fn tasks_symlink_to_a_sibling_file_in_the_group_is_refused() {
    with_both_resolvers(|| {
        let tree = FakeTree::full();
        let mut m = Manager::new(tree.open(), "ctr1", own_group(false)).unwrap();
        m.apply().unwrap();
        std::fs::remove_file(tree.join("ctr1/tasks")).unwrap();
        tree.symlink("schemata", "ctr1/tasks");
        assert_eq!(m.add_task(1234).unwrap_err().kind(), ErrorKind::UnsafePath);
        assert!(!tree.read("ctr1/schemata").contains("1234"));
    });
}

#[test]
fn mon_group_tasks_symlink_is_refused() {
    with_both_resolvers(|| {
        let tree = FakeTree::full();
        let mut m = Manager::new(tree.open(), "ctr1", own_group(true)).unwrap();
        m.apply().unwrap();
        std::fs::remove_file(tree.join("ctr1/mon_groups/ctr1/tasks")).unwrap();
        tree.symlink("/etc/hostname", "ctr1/mon_groups/ctr1/tasks");
        assert_eq!(m.add_task(1234).unwrap_err().kind(), ErrorKind::UnsafePath);
    });
}

#[test]
fn group_directory_symlink_is_refused_and_nothing_is_made_outside() {
    with_both_resolvers(|| {
        let tree = FakeTree::full();
        let outside = tempfile::tempdir().unwrap();
        tree.symlink(outside.path(), "evil");
        let mut m = Manager::new(tree.open(), "ctr1", named("evil")).unwrap();
        assert_eq!(m.apply().unwrap_err().kind(), ErrorKind::UnsafePath);
        assert_eq!(m.add_task(1).unwrap_err().kind(), ErrorKind::UnsafePath);
        assert_eq!(m.set().unwrap_err().kind(), ErrorKind::UnsafePath);
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    });
}

#[test]
fn group_directory_symlink_without_schema_is_refused_too() {
    let tree = FakeTree::full();
    tree.mkdir("real");
    tree.symlink("real", "alias");
    let mut config = RdtConfig::default();
    config.clos_id = Some("alias".into());
    let mut m = Manager::new(tree.open(), "ctr1", config).unwrap();
    assert_eq!(m.apply().unwrap_err().kind(), ErrorKind::UnsafePath);
}

#[test]
fn mon_groups_symlink_out_of_the_tree_is_refused() {
    with_both_resolvers(|| {
        let tree = FakeTree::full();
        let outside = tempfile::tempdir().unwrap();
        tree.mkdir("shared");
        tree.symlink(outside.path(), "shared/mon_groups");
        let mut config = named("shared");
        config.enable_monitoring = true;
        let mut m = Manager::new(tree.open(), "ctr1", config).unwrap();
        let err = m.apply().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsafePath, "{err}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    });
}

#[test]
fn symlinked_group_is_not_removed_through_on_destroy() {
    let tree = FakeTree::full();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("keep"), "").unwrap();
    let mut m = Manager::new(tree.open(), "ctr1", own_group(false)).unwrap();
    m.apply().unwrap();
    std::fs::remove_dir_all(tree.join("ctr1")).unwrap();
    tree.symlink(outside.path(), "ctr1");
    assert_eq!(m.destroy().unwrap_err().kind(), ErrorKind::UnsafePath);
    assert!(outside.path().join("keep").exists());
}

#[test]
fn dot_dot_and_slash_clos_ids_are_refused_before_any_syscall() {
    let tree = FakeTree::full();
    for bad in ["..", ".", "../outside", "a/b", "/etc", "a/../b", "x\0"] {
        let err = Manager::new(tree.open(), "ctr1", named(bad)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{bad:?}");
    }
    assert!(!tree.exists("a") && !tree.exists("outside"));
}

#[test]
fn hostile_container_ids_are_refused() {
    let tree = FakeTree::full();
    for bad in ["..", "../x", "a/b", ""] {
        let err = Manager::new(tree.open(), bad, own_group(true)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{bad:?}");
    }
}

#[test]
fn schema_for_a_resource_the_tree_lacks_is_refused() {
    let tree = FakeTree::cdp();
    let err = Manager::new(tree.open(), "ctr1", own_group(false)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
    let mut config = RdtConfig::default();
    config.mem_bw_schema = Some("MB:0=50".into());
    let err = Manager::new(tree.open(), "ctr1", config).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{err}");
}

#[test]
fn magic_checked_open_refuses_a_fake_tree() {
    let tree = FakeTree::full();
    let err = intelrdt::Resctrl::open(tree.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongFilesystem, "{err}");
}
