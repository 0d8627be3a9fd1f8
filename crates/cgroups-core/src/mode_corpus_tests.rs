//! Layouts and paths from the captured corpus (tests/fixtures).

use super::*;

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
