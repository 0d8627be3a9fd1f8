//! Creation and controller-enabling decisions, on the in-memory tree.

use cgroups_core::ErrorKind;
use rustix::io::Errno;

use super::*;
use crate::fake::MemTree;

fn set(names: &str) -> Controllers {
    Controllers::parse(names)
}

/// Checks that `err` says `controller` is unavailable, with `says` in its message.
fn assert_unavailable(err: &cgroups_core::Error, controller: &str, says: &str) {
    assert_eq!(err.kind(), ErrorKind::ControllerUnavailable, "{err}");
    assert_eq!(err.value(), Some(controller));
    assert!(err.to_string().contains(says), "{err}");
}

/// A tree whose cgroup `a` refuses (EINVAL, once) to enable io and memory in one
/// write of its `cgroup.subtree_control`.
fn tree_refusing_io_and_memory_together() -> MemTree {
    let tree = MemTree::new("io memory", "io memory");
    tree.add_cgroup("a");
    let combined = Some("+io +memory");
    tree.fail("a/cgroup.subtree_control", combined, Errno::INVAL, 1);
    tree
}

#[test]
fn creating_a_nested_path_makes_each_missing_level_and_enables_nothing_unasked() {
    let tree = MemTree::new("cpu memory pids", "");
    tree.add_cgroup("a");
    let created = create(&tree, "a/b/c", Controllers::NONE, false).unwrap();
    assert_eq!(created.made, ["a/b", "a/b/c"]);
    assert!(created.leaf_made);
    assert_eq!(tree.log(), ["mkdir a/b", "mkdir a/b/c"]);
}

#[test]
fn an_existing_leaf_is_reported_as_not_made() {
    let tree = MemTree::new("", "");
    tree.add_cgroup("a");
    let created = create(&tree, "a", Controllers::NONE, false).unwrap();
    assert!(created.made.is_empty());
    assert!(!created.leaf_made);
}

#[test]
fn a_controller_the_root_does_not_delegate_is_unavailable_and_new_levels_are_removed() {
    let tree = MemTree::new("hugetlb", "");
    tree.add_cgroup("keep");
    let err = create(&tree, "keep/new/leaf", set("memory"), false).unwrap_err();
    assert_unavailable(&err, "memory", "memory");
    assert_eq!(err.path(), Some(std::path::Path::new("/fake/")));
    assert!(tree.has_cgroup("keep"));
    assert!(!tree.has_cgroup("keep/new"));
    let log = tree.log();
    assert_eq!(
        log[log.len() - 2..],
        ["remove keep/new/leaf", "remove keep/new"]
    );
    assert!(tree.writes().is_empty(), "{:?}", tree.writes());
}

#[test]
fn the_root_subtree_control_is_never_written_without_opt_in() {
    let tree = MemTree::new("hugetlb memory", "");
    let err = create(&tree, "a", set("hugetlb"), false).unwrap_err();
    assert_unavailable(&err, "hugetlb", "enable_at_root");
    assert!(tree.writes().is_empty());
    assert!(!tree.has_cgroup("a"));
}

#[test]
fn with_opt_in_the_root_and_each_parent_enable_only_what_is_needed() {
    let tree = MemTree::new("cpu memory pids hugetlb", "");
    create(&tree, "a/b", set("memory pids"), true).unwrap();
    assert_eq!(
        tree.writes(),
        [
            "cgroup.subtree_control +memory +pids",
            "a/cgroup.subtree_control +memory +pids"
        ]
    );
    assert_eq!(tree.get("a/b/cgroup.controllers").unwrap(), "memory pids");
}

#[test]
fn controllers_already_enabled_are_not_written_again() {
    let tree = MemTree::new("cpu memory pids", "memory");
    tree.add_cgroup("a");
    tree.set("a/cgroup.subtree_control", "memory");
    create(&tree, "a/b", set("memory pids"), true).unwrap();
    assert_eq!(
        tree.writes(),
        [
            "cgroup.subtree_control +pids",
            "a/cgroup.subtree_control +pids"
        ]
    );
}

#[test]
fn an_enabled_root_is_used_without_writing_it() {
    let tree = MemTree::new("cpu memory", "cpu memory");
    create(&tree, "a/b", set("memory"), false).unwrap();
    assert_eq!(tree.writes(), ["a/cgroup.subtree_control +memory"]);
}

#[test]
fn a_parent_lacking_the_controller_is_named_in_the_error() {
    let tree = MemTree::new("cpu memory", "cpu memory");
    tree.add_cgroup("a");
    tree.set("a/cgroup.controllers", "cpu");
    let err = create(&tree, "a/b", set("memory"), false).unwrap_err();
    assert_unavailable(&err, "memory", "/fake/a");
}

#[test]
fn ebusy_from_subtree_control_is_the_no_internal_process_rule() {
    let tree = MemTree::new("memory", "memory");
    tree.add_cgroup("a");
    tree.fail("a/cgroup.subtree_control", None, Errno::BUSY, 1);
    let err = create(&tree, "a/b", set("memory"), false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoInternalProcess);
    assert_eq!(err.errno(), Some(Errno::BUSY.raw_os_error()));
    assert!(err.to_string().contains("no-internal-process"), "{err}");
    assert!(!tree.has_cgroup("a/b"));
}

#[test]
fn a_refused_combined_enable_is_retried_per_controller_and_the_culprit_named() {
    let tree = tree_refusing_io_and_memory_together();
    tree.fail("a/cgroup.subtree_control", Some("+io"), Errno::INVAL, 1);
    let err = create(&tree, "a/b", set("memory io"), false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::KernelRefused);
    assert_eq!(err.value(), Some("+io"));
}

#[test]
fn a_combined_enable_that_works_per_controller_succeeds() {
    let tree = tree_refusing_io_and_memory_together();
    create(&tree, "a/b", set("memory io"), false).unwrap();
    assert_eq!(tree.get("a/cgroup.subtree_control").unwrap(), "io memory");
}

#[test]
fn domain_invalid_becomes_threaded_when_no_domain_controller_is_needed() {
    let tree = MemTree::new("cpu pids", "cpu pids");
    tree.add_cgroup("root");
    tree.add_cgroup("root/t");
    tree.set("root/cgroup.type", "domain threaded");
    tree.set("root/t/cgroup.type", "domain invalid");
    prepare(&tree, "root/t", set("pids cpu"), false).unwrap();
    assert_eq!(
        tree.writes(),
        [
            "root/t/cgroup.type threaded",
            "root/cgroup.subtree_control +cpu +pids"
        ]
    );
}

#[test]
fn domain_invalid_refuses_a_domain_controller_and_writes_nothing() {
    let tree = MemTree::new("memory pids", "memory pids");
    tree.add_cgroup("root");
    tree.add_cgroup("root/t");
    tree.set("root/t/cgroup.type", "domain invalid");
    let err = prepare(&tree, "root/t", set("memory pids"), false).unwrap_err();
    assert_unavailable(&err, "memory", "threaded");
    assert!(tree.writes().is_empty());
}

#[test]
fn threaded_and_domain_threaded_levels_refuse_domain_controllers_only() {
    for kind in ["threaded", "domain threaded"] {
        let tree = MemTree::new("io pids", "io pids");
        tree.add_cgroup("t");
        tree.set("t/cgroup.type", kind);
        prepare(&tree, "t", set("pids"), false).unwrap();
        let err = prepare(&tree, "t", set("io"), false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ControllerUnavailable, "{kind}");
        assert_eq!(err.value(), Some("io"));
    }
}

#[test]
fn a_missing_cgroup_type_file_counts_as_domain() {
    let tree = MemTree::new("memory", "memory");
    tree.add_cgroup("a");
    tree.unset("a/cgroup.type");
    prepare(&tree, "a", set("memory"), false).unwrap();
}

#[test]
fn a_failed_mkdir_removes_exactly_the_levels_made_before_it() {
    let tree = MemTree::new("", "");
    tree.add_cgroup("old");
    tree.fail("old/new/x", None, Errno::ACCESS, 1);
    let err = create(&tree, "old/new/x", Controllers::NONE, false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert!(tree.has_cgroup("old"));
    assert!(!tree.has_cgroup("old/new"));
    assert_eq!(
        tree.log(),
        ["mkdir old/new", "fail mkdir old/new/x", "remove old/new"]
    );
}
