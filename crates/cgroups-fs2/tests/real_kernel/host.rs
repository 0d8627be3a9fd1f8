//! Tests that need only a cgroup2 mount (they run on the hybrid host): no
//! controller has to be enabled for children.

use std::os::fd::AsFd;
use std::time::Duration;

use cgroups_core::{ErrorKind, FreezerState, Manager, Resources};
use ktest::{Failed, Need, Test, ensure, ensure_eq};

use crate::common::{case, memory_limit, mount, read, root_enables};
use crate::kids::{Kids, Mode, wait_until};
use crate::kill::{destroy_populated, kill_fallback, kill_no_pidfd, kill_with_cgroup_kill};

pub fn tests() -> Vec<Test> {
    type Body = fn() -> Result<(), Failed>;
    let freeze = Some(Need::UnifiedFile("cgroup.freeze"));
    let list: [(&str, Body, Option<Need>); 11] = [
        (
            "nested_cgroups_are_created_without_enabling_and_destroyed",
            nested,
            None,
        ),
        (
            "freeze_stops_a_heartbeat_and_thaw_resumes_it",
            freeze_heartbeat,
            freeze,
        ),
        (
            "cgroup_kill_empties_a_forking_cgroup",
            kill_with_cgroup_kill,
            Some(Need::UnifiedFile("cgroup.kill")),
        ),
        (
            "kill_fallback_empties_a_forking_tree_and_thaws",
            kill_fallback,
            freeze,
        ),
        (
            "kill_fallback_without_pidfds_empties_a_forking_cgroup",
            kill_no_pidfd,
            freeze,
        ),
        (
            "destroy_refuses_a_populated_cgroup_until_killed",
            destroy_populated,
            None,
        ),
        (
            "threaded_subtrees_are_used_and_refuse_domain_controllers",
            threaded,
            None,
        ),
        (
            "limits_of_undelegated_controllers_are_unavailable",
            undelegated,
            None,
        ),
        (
            "unified_core_keys_are_written_and_hostile_keys_refused",
            unified_keys,
            None,
        ),
        (
            "a_relative_path_is_below_the_parent_of_the_own_cgroup",
            relative_path,
            None,
        ),
        (
            "the_directory_fd_is_a_cloexec_cgroup2_directory",
            dir_fd,
            None,
        ),
    ];
    let tests = list.into_iter().map(|(name, body, extra)| {
        let test = Test::new(name, body).needs(Need::Root).needs(Need::Unified);
        match extra {
            Some(need) => test.needs(need),
            None => test,
        }
    });
    tests.collect()
}

fn nested() -> Result<(), Failed> {
    let c = case("nested")?;
    let root_before = read("/", "cgroup.subtree_control")?;
    let leaf = c.manager("a/b")?;
    ensure!(!leaf.exists());
    ensure_eq!(leaf.freezer_state()?, FreezerState::Undefined);
    ensure_eq!(leaf.pids().map_err(|e| e.kind()), Err(ErrorKind::NotFound));

    leaf.create()?;
    leaf.create()?;
    ensure!(leaf.exists());
    ktest::assert_cgroupfs(&c.dir.join("a/b"))?;
    ensure_eq!(leaf.paths()[""], c.dir.join("a/b"));
    ensure_eq!(c.read("a/b", "cgroup.type")?, "domain");
    ensure_eq!(c.read("", "cgroup.subtree_control")?, "");
    ensure_eq!(c.read("a", "cgroup.subtree_control")?, "");
    ensure!(leaf.pids()?.is_empty());

    leaf.destroy()?;
    ensure!(!leaf.exists());
    ensure!(c.exists("a")?);
    let top = c.manager("")?;
    top.destroy()?;
    top.destroy()?;
    ensure!(!c.exists("")?);
    ensure_eq!(read("/", "cgroup.subtree_control")?, root_before);
    Ok(())
}

fn freeze_heartbeat() -> Result<(), Failed> {
    let c = case("freeze")?;
    let mut kids = Kids::default();
    let m = c.manager("")?;
    m.create()?;
    let (pid, beats) = kids.spawn(Mode::Heartbeat, &c.name)?;
    m.add_pid(pid)?;
    ensure_eq!(m.pids()?, vec![pid]);
    wait_until(Duration::from_secs(5), "heartbeats", || beats.lines() >= 3)?;

    m.freeze()?;
    ensure_eq!(m.freezer_state()?, FreezerState::Frozen);
    ensure_eq!(c.read("", "cgroup.freeze")?, "1");
    let before = beats.lines();
    std::thread::sleep(Duration::from_millis(400));
    let after = beats.lines();
    ensure!(
        after <= before + 1,
        "frozen child kept beating: {before} -> {after}"
    );

    m.thaw()?;
    ensure_eq!(m.freezer_state()?, FreezerState::Thawed);
    wait_until(Duration::from_secs(5), "heartbeats after thaw", || {
        beats.lines() >= after + 3
    })?;
    m.kill()?;
    ensure_eq!(kids.wait_signal(pid)?, Some(9));
    m.destroy()?;
    ensure!(!m.exists());
    Ok(())
}

fn threaded() -> Result<(), Failed> {
    let c = case("threaded")?;
    let mut kids = Kids::default();
    let top = c.manager("")?;
    c.manager("p/t1")?.create()?;
    let p = crate::common::root()?.open_child(&format!("{}/p", c.name))?;
    p.open_child("t1")?.write("cgroup.type", "threaded")?;
    ensure_eq!(c.read("p", "cgroup.type")?, "domain threaded");

    // A new child of a threaded root starts out "domain invalid" ...
    p.create_child_all("raw")?;
    ensure_eq!(c.read("p/raw", "cgroup.type")?, "domain invalid");
    // ... and the manager makes the ones it creates threaded.
    let t2 = c.manager("p/t2")?;
    t2.create()?;
    ensure_eq!(c.read("p/t2", "cgroup.type")?, "threaded");

    let err = c
        .manager("p/t3")?
        .create_with(&memory_limit(64 << 20))
        .err();
    let err = err.ok_or("a memory limit in a threaded subtree was accepted")?;
    ensure_eq!(err.kind(), ErrorKind::ControllerUnavailable);
    ensure_eq!(err.value(), Some("memory"));
    ensure!(!c.exists("p/t3")?);

    // The threaded root takes processes; a whole process can move on into a threaded
    // cgroup of its domain, whose cgroup.procs is not readable (EOPNOTSUPP): its
    // members are listed from cgroup.threads.
    let (pid, _) = kids.spawn(Mode::Heartbeat, &c.name)?;
    let pm = c.manager("p")?;
    pm.add_pid(pid)?;
    ensure_eq!(pm.pids()?, vec![pid]);
    ensure!(pm.threads()?.contains(&pid));
    t2.add_pid(pid)?;
    ensure!(t2.threads()?.contains(&pid));
    ensure!(t2.pids()?.contains(&pid));
    ensure!(!pm.threads()?.contains(&pid));
    ensure_eq!(top.all_pids()?.iter().filter(|p| **p == pid).count(), 1);
    top.kill_and_destroy()?;
    ensure_eq!(kids.wait_signal(pid)?, Some(9));
    ensure!(!c.exists("")?);
    Ok(())
}

/// A limit whose controller the root does not enable for children is refused with
/// the controller and the root named, and leaves nothing behind; where the root does
/// enable it (a VM tier), the same request works.
fn undelegated() -> Result<(), Failed> {
    let c = case("undelegated")?;
    let root_before = read("/", "cgroup.subtree_control")?;
    let mut hugetlb = Resources::default();
    hugetlb.hugetlb.push(cgroups_core::HugetlbLimit::new(
        "2MB",
        cgroups_core::Limit::Max,
    ));
    for (controller, r) in [("memory", memory_limit(64 << 20)), ("hugetlb", hugetlb)] {
        let m = c.manager("a/b")?;
        if root_enables(controller)? {
            m.create_with(&r)?;
            m.set(&r)?;
            ensure!(c.read("a/b", "cgroup.controllers")?.contains(controller));
            c.manager("")?.destroy()?;
            continue;
        }
        let err = m.create_with(&r).err().ok_or("create_with succeeded")?;
        ensure_eq!(err.kind(), ErrorKind::ControllerUnavailable, "{err}");
        ensure_eq!(err.value(), Some(controller));
        let path = err.path().ok_or("no path in the error")?;
        ensure!(path.starts_with(mount()?), "{err}");
        ensure!(
            err.to_string().contains(&mount()?.display().to_string()),
            "{err}"
        );
        ensure!(
            !c.exists("")?,
            "a failed create left {} behind",
            c.dir.display()
        );

        // Created first, then set: refused as well, and no limit file is written.
        m.create()?;
        let err = m.set(&r).err().ok_or("set succeeded")?;
        ensure_eq!(err.kind(), ErrorKind::ControllerUnavailable);
        ensure!(c.read("a/b", "cgroup.controllers")?.is_empty());
        c.manager("")?.destroy()?;
    }
    ensure_eq!(read("/", "cgroup.subtree_control")?, root_before);
    Ok(())
}

fn unified_keys() -> Result<(), Failed> {
    let c = case("unified")?;
    let m = c.manager("")?;
    m.create()?;
    let mut r = Resources::default();
    r.unified
        .insert("cgroup.max.descendants".into(), "3".into());
    r.unified.insert("cgroup.max.depth".into(), "2".into());
    m.set(&r)?;
    ensure_eq!(c.read("", "cgroup.max.descendants")?, "3");
    ensure_eq!(c.read("", "cgroup.max.depth")?, "2");

    let depth_at_root = read("/", "cgroup.max.depth")?;
    let mut hostile = Resources::default();
    hostile
        .unified
        .insert("../cgroup.max.depth".into(), "1".into());
    let err = m.set(&hostile).err().ok_or("a hostile key was accepted")?;
    ensure_eq!(err.kind(), ErrorKind::InvalidPath);
    ensure_eq!(read("/", "cgroup.max.depth")?, depth_at_root);

    let mut unknown = Resources::default();
    unknown.unified.insert("nosuchfile".into(), "1".into());
    let err = m.set(&unknown).err().ok_or("an unknown key was accepted")?;
    ensure_eq!(err.kind(), ErrorKind::InvalidValue);
    m.destroy()?;
    Ok(())
}

fn dir_fd() -> Result<(), Failed> {
    let c = case("dirfd")?;
    let m = c.manager("x")?;
    m.create()?;
    let fd = m.cgroup2_dir_fd().ok_or("no directory fd offered")??;
    let statfs = rustix::fs::fstatfs(fd.as_fd())?;
    #[allow(clippy::unnecessary_cast)]
    let magic = statfs.f_type as u64;
    ensure_eq!(magic, ktest::CGROUP2_SUPER_MAGIC);
    let stat = rustix::fs::fstat(fd.as_fd())?;
    ensure_eq!(
        rustix::fs::FileType::from_raw_mode(stat.st_mode),
        rustix::fs::FileType::Directory
    );
    ensure!(rustix::io::fcntl_getfd(fd.as_fd())?.contains(rustix::io::FdFlags::CLOEXEC));
    let access = rustix::fs::fcntl_getfl(fd.as_fd())? & rustix::fs::OFlags::RWMODE;
    ensure_eq!(access, rustix::fs::OFlags::RDONLY);
    drop(fd);
    c.manager("")?.destroy()?;
    Ok(())
}

/// Resolution only (nothing is created): a relative config path goes below the
/// parent of this process's own cgroup2 cgroup.
fn relative_path() -> Result<(), Failed> {
    let own = cgroups_core::ProcCgroup::of_process(None)?;
    let own = own.unified.ok_or("no 0:: line in /proc/self/cgroup")?;
    let parent = own
        .trim_matches('/')
        .rsplit_once('/')
        .map_or("", |(p, _)| p);
    let name = ktest::TestCgroup::name_for("relative");
    let path = cgroups_core::CgroupPath::parse(&format!("{name}/x"))?;
    let m = cgroups_fs2::Fs2Manager::new(cgroups_core::Config::new(path))?;
    let mut expected = mount()?;
    if !parent.is_empty() {
        expected.push(parent);
    }
    expected.push(&name);
    expected.push("x");
    ensure_eq!(m.paths()[""], expected);
    ensure!(!m.exists());
    Ok(())
}
