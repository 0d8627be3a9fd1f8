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

#[test]
fn no_cgroup_mount_at_all_is_unsupported() {
    // The lxcfs container view: only fuse.lxcfs, tmpfs and proc mounts.
    let text = fixture("mountinfo", "tidb__lxd-container-lxcfs-cgroupfs.mountinfo");
    let err = Hierarchies::from_mountinfo(&text).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedLayout);
}

#[test]
fn every_mountinfo_fixture_parses() {
    for (name, text) in fixtures("mountinfo") {
        let mounts = pathsafe::parse_mountinfo(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let has_cgroup = mounts
            .iter()
            .any(|m| m.fs_type == "cgroup" || m.fs_type == "cgroup2");
        match Hierarchies::from_mountinfo(&text) {
            Ok(_) => assert!(has_cgroup, "{name}: layout without cgroup mounts"),
            Err(err) => {
                assert!(!has_cgroup, "{name}: {err}");
                assert_eq!(err.kind(), ErrorKind::UnsupportedLayout, "{name}");
            }
        }
    }
}

#[test]
fn every_proc_cgroup_fixture_parses() {
    for (name, text) in fixtures("proc-pid-cgroup") {
        let p = ProcCgroup::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !p.v1.is_empty() || p.unified.is_some(),
            "{name}: nothing parsed"
        );
        assert!(!p.v1.contains_key(""), "{name}");
    }
}

#[test]
fn corpus_layouts_have_the_expected_modes() {
    let table = [
        (
            "automaxprocs__ubuntu2204-hybrid-cgroup-lines.mountinfo",
            CgroupMode::Hybrid,
            Some("/sys/fs/cgroup/unified"),
        ),
        (
            "elastic__ubuntu1804-hybrid-unified-vagrant-lxcfs.mountinfo",
            CgroupMode::Hybrid,
            Some("/sys/fs/cgroup/unified"),
        ),
        (
            "elasticapm__docker-cgroupns-v2-container.mountinfo",
            CgroupMode::Unified,
            Some("/sys/fs/cgroup"),
        ),
        (
            "elasticapm__gardener-k8s-v2-no-cgroupns-truncated-first-line.mountinfo",
            CgroupMode::Unified,
            Some("/sys/fs/cgroup"),
        ),
        (
            "elasticapm__wsl2-ubuntu2204-unified-plus-name-systemd.mountinfo",
            CgroupMode::Unified,
            Some("/sys/fs/cgroup/unified"),
        ),
        (
            "elasticapm__wsl2-ubuntu2204-v1-controllers.mountinfo",
            CgroupMode::Legacy,
            None,
        ),
        (
            "mobysys__gentoo-openrc-named-hierarchy.mountinfo",
            CgroupMode::Legacy,
            None,
        ),
        (
            "mobysys__ubuntu1404-digitalocean-aufs-cgroup-lite.mountinfo",
            CgroupMode::Legacy,
            None,
        ),
        (
            "ocgroups__bedrock-linux-duplicated-hierarchies.mountinfo",
            CgroupMode::Legacy,
            None,
        ),
        (
            "ocgroups__docker-container-systemd-aufs.mountinfo",
            CgroupMode::Legacy,
            None,
        ),
        (
            "ocgroups__fedora-cgroup2-at-systemd-hybrid.mountinfo",
            CgroupMode::Hybrid,
            Some("/sys/fs/cgroup/systemd"),
        ),
        (
            "ocgroups__fedora20-v1-devicemapper-cifs.mountinfo",
            CgroupMode::Legacy,
            None,
        ),
        (
            "tidb__k8s-pod-files-controller-colon-roots.mountinfo",
            CgroupMode::Legacy,
            None,
        ),
    ];
    for (name, mode, unified) in table {
        let found = h(&fixture("mountinfo", name));
        assert_eq!(found.mode(), mode, "{name}");
        assert_eq!(found.unified_mount(), unified.map(Path::new), "{name}");
    }
}

#[test]
fn bedrock_duplicates_collapse_to_one_mount_per_hierarchy() {
    let found = h(&fixture(
        "mountinfo",
        "ocgroups__bedrock-linux-duplicated-hierarchies.mountinfo",
    ));
    let all = found.v1_all();
    assert_eq!(all.len(), 10, "{all:#?}");
    assert!(
        all.iter()
            .all(|h| h.mount_point.starts_with("/sys/fs/cgroup/")),
        "{all:#?}"
    );
    let mut seen: Vec<&str> = all.iter().flat_map(|h| names(h)).collect();
    let before = seen.len();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(
        seen.len(),
        before,
        "a controller appears in two hierarchies"
    );
}

#[test]
fn fedora20_reversed_cpu_cpuacct_options_are_one_hierarchy() {
    let found = h(&fixture(
        "mountinfo",
        "ocgroups__fedora20-v1-devicemapper-cifs.mountinfo",
    ));
    let cpu = found.v1("cpu").unwrap();
    assert_eq!(cpu.mount_point, Path::new("/sys/fs/cgroup/cpu,cpuacct"));
    assert_eq!(names(cpu), ["cpuacct", "cpu"]);
    assert_eq!(found.v1("systemd").unwrap().controllers, ["name=systemd"]);
}

#[test]
fn gentoo_named_openrc_hierarchy_and_separate_cpu_cpuacct() {
    let found = h(&fixture(
        "mountinfo",
        "mobysys__gentoo-openrc-named-hierarchy.mountinfo",
    ));
    assert_eq!(
        found.v1("openrc").unwrap().mount_point,
        Path::new("/sys/fs/cgroup/openrc")
    );
    assert_eq!(
        found.v1("cpu").unwrap().mount_point,
        Path::new("/sys/fs/cgroup/cpu")
    );
    assert_eq!(
        found.v1("cpuacct").unwrap().mount_point,
        Path::new("/sys/fs/cgroup/cpuacct")
    );
}

#[test]
fn unknown_v1_controller_hierarchy_is_skipped() {
    let found = h(&fixture(
        "mountinfo",
        "tidb__k8s-pod-files-controller-colon-roots.mountinfo",
    ));
    assert!(found.v1("files").is_none());
    assert!(
        found
            .v1_all()
            .iter()
            .all(|h| h.mount_point != Path::new("/sys/fs/cgroup/files"))
    );
}

#[test]
fn pair_tidb_colon_roots_resolve_to_the_mount_points() {
    let found = h(&fixture(
        "mountinfo",
        "tidb__k8s-pod-files-controller-colon-roots.mountinfo",
    ));
    let proc = ProcCgroup::parse(&fixture(
        "proc-pid-cgroup",
        "tidb__k8s-files-controller-colon-paths.cgroup",
    ))
    .unwrap();
    for (controller, dir) in [
        ("memory", "/sys/fs/cgroup/memory"),
        ("cpu", "/sys/fs/cgroup/cpu,cpuacct"),
        ("cpuset", "/sys/fs/cgroup/cpuset"),
        ("net_prio", "/sys/fs/cgroup/net_cls,net_prio"),
        ("rdma", "/sys/fs/cgroup/rdma"),
        ("systemd", "/sys/fs/cgroup/systemd"),
    ] {
        assert_eq!(
            found.own_path(controller, &proc).unwrap(),
            Path::new(dir),
            "{controller}"
        );
    }
    assert!(proc.v1["memory"].ends_with(
        ":cri-containerd:0ac322a00cf64a4d58144a1974b993d91537f3ceec12928b10d881af6be8bbb2"
    ));
    assert_eq!(proc.v1["files"], "/");
}

#[test]
fn pair_gardener_v2_without_cgroupns_resolves_to_the_mount_point() {
    let found = h(&fixture(
        "mountinfo",
        "elasticapm__gardener-k8s-v2-no-cgroupns-truncated-first-line.mountinfo",
    ));
    let proc = ProcCgroup::parse(&fixture(
        "proc-pid-cgroup",
        "elasticapm__gardener-k8s-v2-no-cgroupns.cgroup",
    ))
    .unwrap();
    assert_eq!(
        found.own_path("", &proc).unwrap(),
        Path::new("/sys/fs/cgroup")
    );
}

#[test]
fn pair_docker_cgroupns_v2_resolves_to_the_mount_point() {
    let found = h(&fixture(
        "mountinfo",
        "elasticapm__docker-cgroupns-v2-container.mountinfo",
    ));
    let proc = ProcCgroup::parse(&fixture(
        "proc-pid-cgroup",
        "elasticapm__docker-cgroupns-v2.cgroup",
    ))
    .unwrap();
    assert_eq!(proc.unified.as_deref(), Some("/"));
    assert_eq!(
        found.own_path("", &proc).unwrap(),
        Path::new("/sys/fs/cgroup")
    );
}

#[test]
fn dotdot_paths_parse_but_never_resolve() {
    let proc = ProcCgroup::parse(&fixture(
        "proc-pid-cgroup",
        "elastic__v2-outside-cgroupns-dotdot.cgroup",
    ))
    .unwrap();
    assert_eq!(
        proc.unified.as_deref(),
        Some("/../../user-1000.slice/session-520.scope")
    );
    let found = h(&fixture(
        "mountinfo",
        "elasticapm__docker-cgroupns-v2-container.mountinfo",
    ));
    assert_eq!(
        found.own_path("", &proc).unwrap_err().kind(),
        ErrorKind::UnsupportedLayout
    );
}

#[test]
fn files_without_trailing_newline_keep_their_last_line() {
    let p = ProcCgroup::parse(&fixture(
        "proc-pid-cgroup",
        "elastic__docker-v2-scope-no-newline.cgroup",
    ))
    .unwrap();
    assert_eq!(
        p.unified.as_deref(),
        Some(concat!(
            "/system.slice/docker-",
            "1c8fa019edd4b9d4b2856f4932c55929c5c118c808ed5faee9a135ca6e84b039.scope"
        ))
    );
    let p = ProcCgroup::parse(&fixture(
        "proc-pid-cgroup",
        "elastic__ubuntu1804-hybrid-service-no-newline.cgroup",
    ))
    .unwrap();
    assert_eq!(
        p.unified.as_deref(),
        Some("/system.slice/networkd-dispatcher.service")
    );
    assert_eq!(p.v1["rdma"], "/");
}

#[test]
fn reversed_controller_lists_give_both_keys() {
    let p = ProcCgroup::parse(&fixture(
        "proc-pid-cgroup",
        "tidb__lxd-container-reversed-controller-names.cgroup",
    ))
    .unwrap();
    let service = "/lxc.payload.tispace_user01-lightning/system.slice/tidb-server.service";
    assert_eq!(p.v1["cpu"], service);
    assert_eq!(p.v1["cpuacct"], service);
    assert_eq!(p.v1["net_cls"], "/lxc.payload.tispace_user01-lightning");
    assert_eq!(p.unified, None);
}

#[test]
fn separate_cpu_and_cpuacct_hierarchies_and_sparse_ids() {
    let p = ProcCgroup::parse(&fixture(
        "proc-pid-cgroup",
        "elasticapm__wsl2-ubuntu2204-v1-sparse-ids.cgroup",
    ))
    .unwrap();
    assert_eq!(p.v1.len(), 15);
    assert_eq!(p.v1["misc"], "/");
    let docker = ProcCgroup::parse(&fixture(
        "proc-pid-cgroup",
        "elastic__docker-2016-v1-no-systemd.cgroup",
    ))
    .unwrap();
    assert_eq!(docker.v1.len(), 10);
    assert!(docker.v1_path("systemd").is_none());
}
