//! Every captured mountinfo file in `tests/fixtures/mountinfo` parses, and the notable
//! values recorded in its MANIFEST come out exactly.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use pathsafe::{MountInfo, parse_mountinfo};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mountinfo")
}

fn parse(name: &str) -> Vec<MountInfo> {
    let text = std::fs::read_to_string(fixtures().join(name)).expect("fixture");
    parse_mountinfo(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn find<'a>(mounts: &'a [MountInfo], mount_point: &str) -> &'a MountInfo {
    let found = mounts.iter().find(|m| m.mount_point == mount_point);
    found.unwrap_or_else(|| panic!("no mount at {mount_point:?}"))
}

#[test]
fn every_fixture_parses_one_entry_per_line() {
    let mut seen = 0;
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "mountinfo") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mounts = parse_mountinfo(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        assert_eq!(mounts.len(), text.lines().count(), "{path:?}");
        seen += 1;
    }
    assert_eq!(seen, 16, "fixture count");
}

#[test]
fn manifest_line_counts_match() {
    let counts = [
        ("automaxprocs__ubuntu2204-hybrid-cgroup-lines.mountinfo", 15),
        (
            "elastic__ubuntu1804-hybrid-unified-vagrant-lxcfs.mountinfo",
            34,
        ),
        ("mobysys__gentoo-openrc-named-hierarchy.mountinfo", 222),
        (
            "mobysys__ubuntu1404-digitalocean-aufs-cgroup-lite.mountinfo",
            130,
        ),
        (
            "ocgroups__bedrock-linux-duplicated-hierarchies.mountinfo",
            55,
        ),
        ("ocgroups__fedora20-v1-devicemapper-cifs.mountinfo", 58),
        ("tidb__lxd-container-lxcfs-cgroupfs.mountinfo", 36),
    ];
    for (name, lines) in counts {
        assert_eq!(parse(name).len(), lines, "{name}");
    }
}

#[test]
fn octal_escapes_decode_and_quotes_pass_through() {
    let mounts = parse("mobysys__octal-escapes-space-tab-newline-backslash.mountinfo");
    assert_eq!(mounts[0].mount_point, "/mnt/foo bar");
    let odd = "/tmp/newline\ntab\tspace backslash\\quote1'quote2\"";
    assert_eq!(mounts[2].mount_point, odd);
    assert_eq!(mounts[2].root, odd);
    assert_eq!(mounts[1].source, "//foo/BLA BLA BLA/");
    assert!(
        mounts[1]
            .super_options
            .contains("unc=\\\\foo\\BLA BLA BLA,username")
    );
}

#[test]
fn raw_spaces_in_9p_super_options_stay_in_super_options() {
    let mounts = parse("automemlimit__docker-desktop-9p-unescaped-options.mountinfo");
    let m = &mounts[0];
    assert_eq!(m.fs_type, "9p");
    assert_eq!(m.source, "C:\\Program Files\\Docker\\Docker\\resources");
    assert!(
        m.super_options
            .contains("path=C:\\Program Files\\Docker\\Docker\\resources;")
    );
    assert!(m.super_options.ends_with("wfd=3"), "{}", m.super_options);
}

#[test]
fn cifs_with_raw_spaces_is_the_last_fedora_line() {
    let mounts = parse("ocgroups__fedora20-v1-devicemapper-cifs.mountinfo");
    let cifs = find(&mounts, "/DATA/foo_bla_bla");
    assert_eq!(cifs.fs_type, "cifs");
    assert_eq!(cifs.source, "//foo/BLA BLA BLA/");
}

#[test]
fn gentoo_escaped_space_and_named_hierarchy() {
    let mounts = parse("mobysys__gentoo-openrc-named-hierarchy.mountinfo");
    assert_eq!(find(&mounts, "/media/REMOVE ME").fs_type, "fuseblk");
    assert!(
        mounts
            .iter()
            .any(|m| m.super_options.contains("name=openrc"))
    );
    assert!(mounts.iter().all(|m| m.optional_fields.is_empty()));
}

#[test]
fn two_optional_fields_on_the_docker_root() {
    let mounts = parse("elasticapm__docker-cgroupns-v2-container.mountinfo");
    let root = find(&mounts, "/");
    assert_eq!(root.optional_fields, "shared:1863 master:1733");
    assert_eq!((root.mount_id, root.parent_id), (3984, 3905));
    assert_eq!((root.major, root.minor), (0, 73));
    assert_eq!(root.fs_type, "overlay");
    let cgroup = find(&mounts, "/sys/fs/cgroup");
    assert_eq!(
        (cgroup.fs_type.as_str(), cgroup.root.as_str()),
        ("cgroup2", "/")
    );
}

#[test]
fn cgroup2_found_by_type_wherever_it_is_mounted() {
    let fedora = parse("ocgroups__fedora-cgroup2-at-systemd-hybrid.mountinfo");
    assert_eq!(find(&fedora, "/sys/fs/cgroup/systemd").fs_type, "cgroup2");
    let gardener = parse("elasticapm__gardener-k8s-v2-no-cgroupns-truncated-first-line.mountinfo");
    let cg = find(&gardener, "/sys/fs/cgroup");
    assert_eq!(cg.fs_type, "cgroup2");
    assert!(cg.root.starts_with("/kubepods.slice/"), "{}", cg.root);
    assert!(cg.root.ends_with(".scope"));
    assert!(cg.mount_options.starts_with("ro,"));
}

#[test]
fn lxcfs_container_has_no_cgroupfs_mounts() {
    let mounts = parse("tidb__lxd-container-lxcfs-cgroupfs.mountinfo");
    assert!(
        mounts
            .iter()
            .all(|m| m.fs_type != "cgroup" && m.fs_type != "cgroup2")
    );
    assert!(mounts.iter().any(|m| m.fs_type == "fuse.lxcfs"));
}

#[test]
fn colons_in_cgroup_roots_are_kept() {
    let mounts = parse("tidb__k8s-pod-files-controller-colon-roots.mountinfo");
    let cpuset = find(&mounts, "/sys/fs/cgroup/cpuset");
    assert!(
        cpuset.root.contains(".slice:cri-containerd:"),
        "{}",
        cpuset.root
    );
    assert_eq!(cpuset.optional_fields, "master:8");
}

#[test]
fn bedrock_duplicates_every_hierarchy() {
    let mounts = parse("ocgroups__bedrock-linux-duplicated-hierarchies.mountinfo");
    let cpu: Vec<&MountInfo> = mounts
        .iter()
        .filter(|m| m.fs_type == "cgroup" && m.super_options.ends_with(",cpu,cpuacct"))
        .collect();
    assert_eq!(cpu.len(), 5);
    assert!(
        cpu.iter()
            .all(|m| (m.major, m.minor) == (cpu[0].major, cpu[0].minor))
    );
}

#[test]
fn wsl_semicolons_inside_option_values() {
    let mounts = parse("elasticapm__wsl2-ubuntu2204-v1-controllers.mountinfo");
    let c = find(&mounts, "/mnt/c");
    assert_eq!((c.fs_type.as_str(), c.source.as_str()), ("9p", "drvfs"));
    assert!(c.super_options.contains("path=C:\\;uid=1000;"));
}
