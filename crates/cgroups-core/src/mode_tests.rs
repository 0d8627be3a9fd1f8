// Fixture files are read with std::fs in tests only.
#![allow(clippy::disallowed_methods)]

use std::path::Path;

use super::*;

fn fixture(kind: &str, name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixtures(kind: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            let text = fixture(kind, &name);
            (name, text)
        })
        .collect();
    out.sort();
    assert!(out.len() >= 3, "fixtures missing in {}", dir.display());
    out
}

fn h(text: &str) -> Hierarchies {
    Hierarchies::from_mountinfo(text).unwrap_or_else(|e| panic!("{e}"))
}

fn names(v: &V1Hierarchy) -> Vec<&str> {
    v.controllers.iter().map(String::as_str).collect()
}

#[test]
fn c03_extra_cgroup2_mounts_do_not_move_the_unified_root() {
    let found = h(&fixture("cases", "c03-extra-cgroup2.mountinfo"));
    assert_eq!(found.mode(), CgroupMode::Hybrid);
    assert_eq!(
        found.unified_mount(),
        Some(Path::new("/sys/fs/cgroup/unified"))
    );
    assert_eq!(found.unified_mount_root(), Some("/"));
    assert_eq!(
        found.v1("memory").unwrap().mount_point,
        Path::new("/sys/fs/cgroup/memory")
    );
}

#[test]
fn c03_cgroup2_elsewhere_is_found_by_type_not_path() {
    let text = "116 32 0:32 / /cgroup2 rw,relatime shared:93 - cgroup2 none rw\n\
                2318 30 0:319 / /run/cgroupv2 rw,relatime shared:710 - cgroup2 none rw\n";
    let found = h(text);
    assert_eq!(found.mode(), CgroupMode::Unified);
    assert_eq!(found.unified_mount(), Some(Path::new("/cgroup2")));
}

#[test]
fn c04_one_entry_per_hierarchy_first_mount_wins() {
    let found = h(&fixture("cases", "c04-bind-mounted-duplicates.mountinfo"));
    assert_eq!(found.mode(), CgroupMode::Legacy);
    let all = found.v1_all();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].mount_point, Path::new("/sys/fs/cgroup/systemd"));
    assert_eq!(names(&all[0]), ["name=systemd"]);
    assert_eq!(names(&all[1]), ["cpu", "cpuacct"]);
    assert_eq!(names(&all[2]), ["cpuset"]);
    assert!(all.iter().all(|h| !h.mount_point.starts_with("/host")));
}

#[test]
fn c04_controllers_match_whole_tokens() {
    let found = h(&fixture("cases", "c04-bind-mounted-duplicates.mountinfo"));
    let cpu = found.v1("cpu").unwrap();
    assert_eq!(cpu.mount_point, Path::new("/sys/fs/cgroup/cpu,cpuacct"));
    assert_eq!(found.v1("cpuacct"), Some(cpu));
    assert_eq!(
        found.v1("cpuset").unwrap().mount_point,
        Path::new("/sys/fs/cgroup/cpuset")
    );
    assert_eq!(found.v1("systemd"), found.v1("name=systemd"));
    assert!(found.v1("systemd").is_some());
    assert!(found.v1("cpuacc").is_none());
    assert!(found.v1("memory").is_none());
    assert!(found.v1("").is_none());
}

#[test]
fn c04_proc_cgroup_matches_the_hierarchies() {
    let proc = ProcCgroup::parse("4:cpuset:/\n3:cpu,cpuacct:/\n1:name=systemd:/\n").unwrap();
    let found = h(&fixture("cases", "c04-bind-mounted-duplicates.mountinfo"));
    let own = found.own_path("cpu", &proc).unwrap();
    assert_eq!(own, Path::new("/sys/fs/cgroup/cpu,cpuacct"));
    assert_eq!(
        found.own_path("systemd", &proc).unwrap(),
        Path::new("/sys/fs/cgroup/systemd")
    );
}

#[test]
fn c05_own_path_inside_a_container_is_relative_to_the_mount_root() {
    let found = h(&fixture("cases", "c05-container-mount-root.mountinfo"));
    let proc = ProcCgroup::parse(
        "5:memory:/kubepods/besteffort/pod-aaaa/ctr-1111\n\
         3:cpu,cpuacct:/kubepods/besteffort/pod-aaaa/ctr-1111\n",
    )
    .unwrap();
    assert_eq!(
        found.own_path("memory", &proc).unwrap(),
        Path::new("/sys/fs/cgroup/memory")
    );
    assert_eq!(
        found.own_path("cpu", &proc).unwrap(),
        Path::new("/sys/fs/cgroup/cpu,cpuacct")
    );

    let child = ProcCgroup::parse("5:memory:/kubepods/besteffort/pod-aaaa/ctr-1111/sub\n").unwrap();
    assert_eq!(
        found.own_path("memory", &child).unwrap(),
        Path::new("/sys/fs/cgroup/memory/sub")
    );
}

#[test]
fn c05_cgroup_outside_the_mount_root_is_an_error_never_an_outside_path() {
    let found = h(&fixture("cases", "c05-container-mount-root.mountinfo"));
    for path in [
        "/kubepods/besteffort/pod-bbbb",
        "/kubepods/besteffort/pod-aaaa/ctr-11112",
        "/",
        "/kubepods/besteffort/pod-aaaa/ctr-1111/../../x",
        "relative",
    ] {
        let proc = ProcCgroup::parse(&format!("5:memory:{path}\n")).unwrap();
        let err = found.own_path("memory", &proc).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedLayout, "{path}");
    }
}

#[test]
fn own_path_reports_missing_hierarchy_or_entry() {
    let found = h(&fixture("cases", "c05-container-mount-root.mountinfo"));
    let proc = ProcCgroup::parse("5:memory:/x\n").unwrap();
    assert_eq!(
        found.own_path("pids", &proc).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        found.own_path("cpu", &proc).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        found.own_path("", &proc).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn c06_colons_inside_the_path_are_kept() {
    let text = "\
12:memory:/system.slice/containerd.service/kubepods-burstable-pod1111.slice:cri-containerd:0a1b2c
4:cpu,cpuacct:/system.slice/sshd@7-10.0.0.5:22-10.0.0.9:40000.service
1:name=systemd:/system.slice/sshd@7-10.0.0.5:22-10.0.0.9:40000.service
0::/system.slice/containerd.service/kubepods-burstable-pod1111.slice:cri-containerd:0a1b2c
";
    let p = ProcCgroup::parse(text).unwrap();
    let containerd =
        "/system.slice/containerd.service/kubepods-burstable-pod1111.slice:cri-containerd:0a1b2c";
    let sshd = "/system.slice/sshd@7-10.0.0.5:22-10.0.0.9:40000.service";
    assert_eq!(p.v1["memory"], containerd);
    assert_eq!(p.v1["cpu"], sshd);
    assert_eq!(p.v1["cpuacct"], sshd);
    assert_eq!(p.v1["name=systemd"], sshd);
    assert_eq!(p.unified.as_deref(), Some(containerd));
}

#[test]
fn c06_a_line_with_fewer_than_two_colons_is_an_error_naming_it() {
    let err = ProcCgroup::parse("1:name=systemd:/\nmalformed\n").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert_eq!(err.value(), Some("malformed"));
    assert!(err.to_string().contains("line 2"), "{err}");
    assert!(ProcCgroup::parse("3:cpu\n").is_err());
}

#[test]
fn c07_hybrid_lines_and_the_unified_entry() {
    let a = ProcCgroup::parse(
        "12:hugetlb:/\n11:memory:/init.scope\n2:cpu,cpuacct:/init.scope\n\
         1:name=systemd:/init.scope\n0::/init.scope\n",
    )
    .unwrap();
    let expected: Vec<(&str, &str)> = vec![
        ("cpu", "/init.scope"),
        ("cpuacct", "/init.scope"),
        ("hugetlb", "/"),
        ("memory", "/init.scope"),
        ("name=systemd", "/init.scope"),
    ];
    let got: Vec<(&str, &str)> = a.v1.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(got, expected);
    assert_eq!(a.unified.as_deref(), Some("/init.scope"));
    assert!(!a.v1.contains_key(""));

    let b = ProcCgroup::parse("1:name=systemd:/\n0::/init.scope").unwrap();
    assert_eq!(b.unified.as_deref(), Some("/init.scope"));
    assert_eq!(b.v1_path("systemd"), Some("/"));

    let c = ProcCgroup::parse(concat!(
        "3:memory:/docker/0a1b2c\n",
        "1:name=systemd:/docker/0a1b2c\n",
        "0::/system.slice/containerd.service\n",
    ))
    .unwrap();
    assert_eq!(
        c.unified.as_deref(),
        Some("/system.slice/containerd.service")
    );
    assert_eq!(c.v1["memory"], "/docker/0a1b2c");
}

#[test]
fn c07_line_order_does_not_matter() {
    let forward = ProcCgroup::parse("0::/a\n2:cpu:/b\n").unwrap();
    let backward = ProcCgroup::parse("2:cpu:/b\n0::/a\n").unwrap();
    assert_eq!(forward, backward);
}

#[path = "mode_corpus_tests.rs"]
mod corpus;
