//! Unit tests of the mountinfo parser: field cases C01, C02, C03 and edge cases.

use super::*;
use crate::ErrorKind;

fn one(line: &str) -> MountInfo {
    let mut all = parse_mountinfo(line).expect("parses");
    assert_eq!(all.len(), 1);
    all.remove(0)
}

/// C01: octal escapes of space, tab, newline, backslash are decoded in root, mount
/// point, fs type and source; quotes are literal; short escapes stay verbatim.
#[test]
fn c01_escaped_characters_are_decoded() {
    let text = "\
101 20 8:1 / /srv/my\\040disk rw,relatime shared:10 - ext4 /dev/sdb1 rw
102 20 8:1 /sub\\011dir /srv/tab\\011mnt rw,relatime - ext4 /dev/sdb1 rw
103 20 8:1 / /srv/back\\134slash rw,relatime - ext4 /dev/sdb1 rw
104 20 8:1 /data/\"q\" /srv/\"quoted\"dir rw,relatime - ext4 /dev/sdb1 rw
105 20 8:1 / /srv/odd\\12x rw,relatime - ext4 /dev/sdb1 rw
106 20 0:50 / /mnt/share rw,relatime - cifs //fs01/team\\040docs rw,vers=3.0
";
    let mounts = parse_mountinfo(text).expect("C01 parses");
    assert_eq!(mounts.len(), 6);
    assert_eq!(mounts[0].mount_point, "/srv/my disk");
    assert_eq!(mounts[1].mount_point, "/srv/tab\tmnt");
    assert_eq!(mounts[1].root, "/sub\tdir");
    assert_eq!(mounts[2].mount_point, "/srv/back\\slash");
    assert_eq!(mounts[3].mount_point, "/srv/\"quoted\"dir");
    assert_eq!(mounts[3].root, "/data/\"q\"");
    assert_eq!(mounts[4].mount_point, "/srv/odd\\12x");
    assert_eq!(mounts[5].source, "//fs01/team docs");
    assert!(mounts.iter().any(|m| m.mount_point == "/srv/my disk"));
}

#[test]
fn c01_newline_escape_and_escaped_fs_type() {
    let m = one("1 0 8:1 /a\\012b /m\\012n rw - fuse\\040x src rw");
    assert_eq!(m.root, "/a\nb");
    assert_eq!(m.mount_point, "/m\nn");
    assert_eq!(m.fs_type, "fuse x");
}

/// C02: zero, one or many optional fields; the line without a separator fails.
#[test]
fn c02_optional_fields_zero_one_or_many() {
    let text = "\
30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:12 - cgroup cgroup rw,cpu,cpuacct
32 1 8:3 / /data rw,relatime shared:409 master:1 - xfs /dev/sdc1 rw,attr2
33 1 0:40 / /mnt/x rw,relatime shared:7 propagate_from:3 unbindable extra:1 - tmpfs tmpfs rw
";
    let mounts = parse_mountinfo(text).expect("C02 parses");
    let optional: Vec<&str> = mounts.iter().map(|m| m.optional_fields.as_str()).collect();
    assert_eq!(
        optional,
        [
            "",
            "shared:12",
            "shared:409 master:1",
            "shared:7 propagate_from:3 unbindable extra:1"
        ]
    );
    assert_eq!(mounts[1].fs_type, "cgroup");
    assert_eq!(mounts[1].super_options, "rw,cpu,cpuacct");
    assert_eq!(mounts[2].fs_type, "xfs");
    assert_eq!(mounts[2].source, "/dev/sdc1");
    assert_eq!(mounts[3].fs_type, "tmpfs");
    assert_eq!(mounts[3].super_options, "rw");
}

#[test]
fn c02_line_without_separator_is_a_parse_error_naming_the_line() {
    let text = "\
30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
34 1 0:41 / /mnt/y rw,relatime aufs none rw
";
    let err = parse_mountinfo(text).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    let msg = err.to_string();
    assert!(msg.contains("line 2"), "{msg}");
    assert!(msg.contains("/mnt/y rw,relatime aufs none rw"), "{msg}");
}

/// C03: cgroup2 is recognised by fs type wherever it is mounted.
#[test]
fn c03_cgroup2_mounted_in_unusual_places() {
    let text = "\
25 1 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
28 25 0:25 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,memory
2318 30 0:319 / /run/cgroupv2 rw,relatime shared:710 - cgroup2 none rw
116 32 0:32 / /cgroup2 rw,relatime shared:93 - cgroup2 none rw
";
    let mounts = parse_mountinfo(text).expect("C03 parses");
    assert_eq!(mounts.len(), 6);
    let cgroup2: Vec<&str> = mounts
        .iter()
        .filter(|m| m.fs_type == "cgroup2")
        .map(|m| m.mount_point.as_str())
        .collect();
    assert_eq!(
        cgroup2,
        ["/sys/fs/cgroup/unified", "/run/cgroupv2", "/cgroup2"]
    );
    assert_eq!(mounts[4].mount_id, 2318);
    assert_eq!((mounts[4].major, mounts[4].minor), (0, 319));
    assert_eq!(mounts[4].source, "none");
}

#[test]
fn raw_spaces_in_super_options_stay_in_super_options() {
    let line = "31 21 0:23 / /DATA/foo rw,relatime - cifs //foo/BLA\\040BLA/ rw,unc=\\\\foo\\BLA BLA,uid=1";
    let m = one(line);
    assert_eq!(m.source, "//foo/BLA BLA/");
    assert_eq!(m.super_options, "rw,unc=\\\\foo\\BLA BLA,uid=1");
}

#[test]
fn blank_lines_and_missing_final_newline_are_fine() {
    let text = "\n1 0 8:1 / / rw - ext4 /dev/sda1 rw\n\n2 1 0:5 / /proc rw - proc proc rw";
    let mounts = parse_mountinfo(text).expect("parses");
    assert_eq!(mounts.len(), 2);
    assert_eq!(mounts[1].mount_point, "/proc");
}

#[test]
fn malformed_lines_fail_cleanly() {
    let cases = [
        "x 0 8:1 / / rw - ext4 /dev/sda1 rw",
        "1 0 8-1 / / rw - ext4 /dev/sda1 rw",
        "1 0 8:1 / / rw - ext4",
        "1 0 8:1 /",
        "1 0 8:1 / / rw -",
        "99999999999 0 8:1 / / rw - ext4 /dev/sda1 rw",
        "\\",
    ];
    for line in cases {
        let err = parse_mountinfo(line).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse, "{line}");
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}

#[test]
fn escapes_yielding_invalid_utf8_are_kept_as_printed() {
    let m = one("1 0 8:1 / /bad\\377name rw - ext4 /dev/sda1 rw");
    assert_eq!(m.mount_point, "/bad\\377name");
    let m = one("1 0 8:1 / /big\\777 rw - ext4 /dev/sda1 rw");
    assert_eq!(m.mount_point, "/big\\777");
}
