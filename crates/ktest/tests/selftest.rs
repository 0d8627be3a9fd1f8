//! Real-kernel tests of ktest itself: test cgroups are created on cgroupfs and removed,
//! and an absent need is listed as ignored.
// ktest tests itself with std::fs: ktest is test infrastructure, not shipped.
#![allow(clippy::disallowed_methods)]

use ktest::{Failed, Need, Test, TestCgroup, ensure, ensure_eq};

fn check_create_and_remove(cg: TestCgroup) -> Result<(), Failed> {
    let path = cg.path().to_path_buf();
    ensure!(path.is_dir(), "{} was not created", path.display());
    ktest::assert_cgroupfs(&path)?;
    let prefix = format!("cgtest-{}-", std::process::id());
    ensure!(
        cg.name().starts_with(&prefix),
        "name {} lacks {prefix}",
        cg.name()
    );
    ensure_eq!(path, cg.hierarchy_root().join(cg.name()));
    ktest::assert_cgroupfs(cg.hierarchy_root())?;
    ensure!(
        path.join("cgroup.procs").exists(),
        "no cgroup.procs in {}",
        path.display()
    );
    cg.remove()?;
    ensure!(
        !path.exists(),
        "{} still exists after remove",
        path.display()
    );
    Ok(())
}

fn v1_cpu_test_cgroup_is_created_on_cgroupfs_and_removed() -> Result<(), Failed> {
    check_create_and_remove(TestCgroup::new_v1("cpu", "selftest")?)
}

fn unified_test_cgroup_is_created_on_cgroupfs_and_removed() -> Result<(), Failed> {
    check_create_and_remove(TestCgroup::new_unified("selftest")?)
}

fn dropping_a_test_cgroup_kills_its_child_and_removes_the_tree() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("freezer", "drop")?;
    let path = cg.path().to_path_buf();
    std::fs::create_dir(path.join("nested"))?;
    let pid = cg.spawn_child()?;
    ensure_eq!(cg.procs(), vec![pid]);
    std::fs::write(path.join("freezer.state"), "FROZEN")?;
    drop(cg);
    ensure!(!path.exists(), "{} survived the drop", path.display());
    let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();
    ensure!(!alive, "child {pid} survived the drop");
    Ok(())
}

fn v1_memory_test_cgroup_refuses_processes_on_the_host() -> Result<(), Failed> {
    let cg = TestCgroup::new_v1("memory", "refuse")?;
    let err = cg.adopt_child(std::process::id());
    ensure!(
        err.is_err(),
        "adopt_child into {} was allowed",
        cg.path().display()
    );
    ensure!(
        cg.spawn_child().is_err(),
        "spawn_child into v1 memory was allowed"
    );
    ensure!(
        cg.procs().is_empty(),
        "{} received a process",
        cg.path().display()
    );
    Ok(())
}

fn cleanup_guard_removes_a_cgroup_made_by_someone_else() -> Result<(), Failed> {
    let root = ktest::mounts::v1_hierarchy("pids").ok_or("no pids hierarchy")?;
    let path = root.mount_point.join(TestCgroup::name_for("guard"));
    let guard = ktest::cleanup_guard(vec![path.clone()]);
    std::fs::create_dir(&path)?;
    std::fs::create_dir(path.join("child"))?;
    guard.remove()?;
    ensure!(!path.exists(), "{} survived the guard", path.display());
    Ok(())
}

fn a_directory_outside_cgroupfs_fails_the_magic_check() -> Result<(), Failed> {
    let err = ktest::assert_cgroupfs(std::path::Path::new("/proc"));
    let Err(failed) = err else {
        return Err("/proc passed as cgroupfs".into());
    };
    let msg = failed.message().unwrap_or("");
    ensure!(
        msg.contains("not on cgroupfs"),
        "unexpected message {msg:?}"
    );
    Ok(())
}

fn cleanup_refuses_a_directory_without_the_test_prefix() -> Result<(), Failed> {
    let result = ktest::remove_tree(std::path::Path::new("/sys/fs/cgroup/cpu"), &[]);
    ensure!(result.is_err(), "remove_tree accepted a hierarchy root");
    Ok(())
}

fn unified_child_has_core_interface_files() -> Result<(), Failed> {
    let cg = TestCgroup::new_unified("files")?;
    for file in [
        "cgroup.procs",
        "cgroup.events",
        "cgroup.kill",
        "cgroup.freeze",
    ] {
        ensure!(
            cg.path().join(file).exists(),
            "no {file} in {}",
            cg.path().display()
        );
    }
    Ok(())
}

fn never_runs_outside_its_tier() -> Result<(), Failed> {
    Err("this body must never run: its tier does not exist".into())
}

fn main() {
    ktest::main(vec![
        Test::new(
            "v1_cpu_test_cgroup_is_created_on_cgroupfs_and_removed",
            v1_cpu_test_cgroup_is_created_on_cgroupfs_and_removed,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("cpu")),
        Test::new(
            "unified_test_cgroup_is_created_on_cgroupfs_and_removed",
            unified_test_cgroup_is_created_on_cgroupfs_and_removed,
        )
        .needs(Need::Root)
        .needs(Need::Unified),
        Test::new(
            "dropping_a_test_cgroup_kills_its_child_and_removes_the_tree",
            dropping_a_test_cgroup_kills_its_child_and_removes_the_tree,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("freezer")),
        Test::new(
            "v1_memory_test_cgroup_refuses_processes_on_the_host",
            v1_memory_test_cgroup_refuses_processes_on_the_host,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("memory"))
        .needs(Need::Tier("host")),
        Test::new(
            "cleanup_guard_removes_a_cgroup_made_by_someone_else",
            cleanup_guard_removes_a_cgroup_made_by_someone_else,
        )
        .needs(Need::Root)
        .needs(Need::V1Controller("pids")),
        Test::new(
            "cleanup_refuses_a_directory_without_the_test_prefix",
            cleanup_refuses_a_directory_without_the_test_prefix,
        )
        .needs(Need::V1Controller("cpu")),
        Test::new(
            "a_directory_outside_cgroupfs_fails_the_magic_check",
            a_directory_outside_cgroupfs_fails_the_magic_check,
        ),
        Test::new(
            "unified_child_has_core_interface_files",
            unified_child_has_core_interface_files,
        )
        .needs(Need::Root)
        .needs(Need::UnifiedFile("cgroup.kill"))
        .needs(Need::UnifiedFile("cgroup.freeze")),
        Test::new("never_runs_outside_its_tier", never_runs_outside_its_tier)
            .needs(Need::Tier("nonexistent")),
    ])
}
