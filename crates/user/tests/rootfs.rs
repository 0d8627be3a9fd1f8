//! Reading users and groups from hostile rootfs trees: every lookup stays inside the
//! rootfs, under openat2 and under the fallback resolver.

mod common;

use common::{Tree, with_both_resolvers};
use user::{ErrorKind, ExecUser, Root, resolve_in_rootfs};

const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
const GROUP: &str = "root:x:0:\napp:x:1000:\nvideo:x:44:app\n";

fn resolve(tree: &Tree, spec: &str) -> user::Result<ExecUser> {
    resolve_in_rootfs(&tree.rootfs(), spec, &[])
}

fn assert_not_found(result: user::Result<ExecUser>, name: &str, how: &str) {
    let err = result.expect_err(how);
    assert_eq!(
        (err.kind(), err.value()),
        (ErrorKind::NotFound, Some(name)),
        "{how}: {err}"
    );
}

#[test]
fn plain_files_resolve_with_membership_and_additional_groups() {
    let tree = Tree::new();
    tree.write("etc/passwd", PASSWD);
    tree.write("etc/group", GROUP);
    with_both_resolvers(|how| {
        let extra = ["video".to_owned(), "44".to_owned(), "5".to_owned()];
        let got = resolve_in_rootfs(&tree.rootfs(), "app", &extra).expect(how);
        assert_eq!(
            got,
            ExecUser::new(1000, 1000, "/home/app").with_sgids(vec![44, 5]),
            "{how}"
        );
        let got = resolve(&tree, "").expect(how);
        assert_eq!(got, ExecUser::new(0, 0, "/root"), "{how}");
        assert_not_found(resolve(&tree, "evil"), "evil", how);
    });
}

#[test]
fn an_absolute_symlink_resolves_inside_the_rootfs() {
    let tree = Tree::new();
    tree.write("usr/lib/passwd", PASSWD);
    tree.symlink("etc/passwd", "/usr/lib/passwd");
    with_both_resolvers(|how| {
        let got = resolve(&tree, "app").expect(how);
        assert_eq!((got.uid, got.home.as_str()), (1000, "/home/app"), "{how}");
    });
}

#[test]
fn a_relative_symlink_climbing_out_is_clamped_at_the_root() {
    let tree = Tree::new();
    tree.symlink("etc/passwd", "../../../../outside/passwd");
    tree.symlink("etc/group", "../../outside/group");
    with_both_resolvers(|how| {
        // `/outside/passwd` does not exist inside the rootfs: no passwd at all.
        assert_not_found(resolve(&tree, "evil"), "evil", how);
        assert_eq!(
            resolve(&tree, "0").expect(how),
            ExecUser::new(0, 0, "/"),
            "{how}"
        );
    });
    tree.write("outside/passwd", "inside:x:5:5::/in:/bin/sh\n");
    tree.write("outside/group", "inner:x:9:inside\n");
    with_both_resolvers(|how| {
        let got = resolve(&tree, "inside").expect(how);
        assert_eq!(got, ExecUser::new(5, 5, "/in").with_sgids(vec![9]), "{how}");
        assert_not_found(resolve(&tree, "evil"), "evil", how);
    });
}

#[test]
fn an_absolute_symlink_to_the_host_path_lands_inside_the_rootfs() {
    let tree = Tree::new();
    let host_passwd = tree.outside().join("passwd");
    let host_group = tree.outside().join("group");
    tree.symlink("etc/passwd", &host_passwd);
    tree.symlink("etc/group", &host_group);
    with_both_resolvers(|how| assert_not_found(resolve(&tree, "evil"), "evil", how));

    // The same absolute path, recreated inside the rootfs, is what gets read.
    tree.write(host_passwd.to_str().unwrap(), "mirror:x:6:6::/m:/bin/sh\n");
    tree.write(host_group.to_str().unwrap(), "mgroup:x:60:mirror\n");
    with_both_resolvers(|how| {
        let got = resolve(&tree, "mirror").expect(how);
        assert_eq!(got, ExecUser::new(6, 6, "/m").with_sgids(vec![60]), "{how}");
        assert_not_found(resolve(&tree, "evil"), "evil", how);
    });
}

#[test]
fn an_etc_symlink_to_the_host_root_is_the_rootfs_root() {
    let tree = Tree::new();
    // Replace rootfs/etc itself by a symlink that climbs far above the rootfs.
    let etc = tree.rootfs().join("etc");
    #[allow(clippy::disallowed_methods)]
    std::fs::remove_dir(&etc).unwrap();
    tree.symlink("etc", "../../../../../../..");
    tree.write("passwd", "clamped:x:7:7::/c:/bin/sh\n");
    with_both_resolvers(|how| {
        assert_eq!(resolve(&tree, "clamped").expect(how).uid, 7, "{how}");
        // The host's /etc/passwd has root; the rootfs has none.
        assert_not_found(resolve(&tree, "root"), "root", how);
    });
}

#[test]
fn dotdot_and_proc_magic_links_in_paths_stay_inside() {
    let tree = Tree::new();
    tree.write("etc/passwd", PASSWD);
    tree.symlink("etc/group", "/proc/self/root/etc/group");
    with_both_resolvers(|how| {
        let root = Root::open(tree.rootfs()).expect(how);
        let users = root
            .read::<user::User>("../../../../etc/passwd")
            .expect(how);
        assert_eq!(users.by_name("app").map(|u| u.uid), Some(1000), "{how}");
        // `/proc` does not exist inside the rootfs: no group file, not the host's.
        assert!(root.group().expect(how).is_none(), "{how}");
    });
}

#[test]
fn a_symlink_loop_is_an_error_not_a_missing_file() {
    let tree = Tree::new();
    tree.write("etc/group", GROUP);
    tree.symlink("etc/passwd", "../../../etc/passwd");
    with_both_resolvers(|how| {
        let err = resolve(&tree, "0").expect_err(how);
        assert_eq!(err.kind(), ErrorKind::Io, "{how}: {err}");
        assert_eq!(
            err.errno(),
            Some(rustix::io::Errno::LOOP.raw_os_error()),
            "{how}"
        );
        assert!(
            err.file().unwrap().ends_with("rootfs/etc/passwd"),
            "{how}: {err}"
        );
    });
}

#[test]
fn a_directory_or_fifo_is_refused_as_not_a_regular_file() {
    let tree = Tree::new();
    tree.mkdir("rootfs/etc/passwd");
    tree.fifo("etc/group");
    with_both_resolvers(|how| {
        let root = Root::open(tree.rootfs()).expect(how);
        let err = root.passwd().expect_err(how);
        assert_eq!(err.kind(), ErrorKind::NotRegularFile, "{how}");
        assert!(err.to_string().contains("a directory"), "{how}: {err}");
        // The FIFO has no writer: opening it must neither block nor be read.
        let err = root.group().expect_err(how);
        assert_eq!(err.kind(), ErrorKind::NotRegularFile, "{how}");
        assert!(err.to_string().contains("FIFO"), "{how}: {err}");
        // Even a numeric spec fails: the image is broken, say so.
        assert_eq!(
            resolve(&tree, "0:0").unwrap_err().kind(),
            ErrorKind::NotRegularFile
        );
    });
}

#[test]
fn a_symlink_to_dev_zero_resolves_inside_the_rootfs() {
    let tree = Tree::new();
    tree.symlink("etc/group", "/dev/zero");
    tree.write("etc/passwd", PASSWD);
    with_both_resolvers(|how| {
        let got = resolve(&tree, "app").expect(how);
        assert_eq!(got.sgids, Vec::<u32>::new(), "{how}");
    });
}

#[test]
fn the_size_cap_is_exact_and_named_in_the_error() {
    let tree = Tree::new();
    let entry = "beyond:x:42:\n";
    let pad = "#".repeat(99) + "\n";
    let mut exact = pad.repeat(10);
    exact.push_str(entry);
    let cap = exact.len() as u64;
    tree.write("etc/group", &exact);
    tree.write("etc/big", format!("#{exact}"));
    let root = Root::open(tree.rootfs()).unwrap().max_bytes(cap);
    let groups = root.group().unwrap().unwrap();
    assert_eq!(groups.by_name("beyond").map(|g| g.gid), Some(42));
    let err = root.read::<user::Group>("/etc/big").unwrap_err();
    assert_eq!(
        (err.kind(), err.value()),
        (ErrorKind::TooLarge, Some(&*cap.to_string()))
    );
    assert!(err.to_string().contains("etc/big"), "{err}");
}

#[test]
fn the_default_cap_refuses_a_file_over_16_mib() {
    let tree = Tree::new();
    let line = "#".repeat(1023) + "\n";
    tree.write("etc/group", line.repeat(16 * 1024) + "g:x:1:\n");
    let err = Root::open(tree.rootfs()).unwrap().group().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TooLarge);
    assert!(err.to_string().contains("16777216"), "{err}");
}

#[test]
fn c30_a_120_kb_group_line_in_a_rootfs() {
    let tree = Tree::new();
    let members: Vec<String> = (1..=10_000).map(|i| format!("member{i:05}")).collect();
    tree.write(
        "etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\nmember07456:x:7456:100::/home/member07456:/bin/sh\n",
    );
    let group = format!(
        "root:x:0:root\nusers:x:100:\nbulk:x:2000:{}\ntail:x:3000:member07456\n",
        members.join(",")
    );
    assert!(group.len() > 120_000);
    tree.write("etc/group", group);
    with_both_resolvers(|how| {
        let got = resolve(&tree, "member07456").expect(how);
        let want = ExecUser::new(7456, 100, "/home/member07456").with_sgids(vec![2000, 3000]);
        assert_eq!(got, want, "{how}");
    });
}

#[test]
fn without_etc_files_numbers_work_and_names_do_not() {
    let tree = Tree::new();
    with_both_resolvers(|how| {
        let extra = ["1234".to_owned()];
        let got = resolve_in_rootfs(&tree.rootfs(), "1000:1000", &extra).expect(how);
        assert_eq!(
            got,
            ExecUser::new(1000, 1000, "/").with_sgids(vec![1234]),
            "{how}"
        );
        assert_not_found(resolve(&tree, "app"), "app", how);
        let err = resolve_in_rootfs(&tree.rootfs(), "0", &["video".to_owned()]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{how}");
    });
}

#[test]
fn errors_name_the_file_inside_the_rootfs() {
    let tree = Tree::new();
    tree.write(
        "etc/passwd",
        "root:x:0:0::/root:/bin/sh\nweb:x:nan:33::/:/bin/sh\n",
    );
    let root = Root::open(tree.rootfs())
        .unwrap()
        .mode(user::ParseMode::Strict);
    let err = root.passwd().unwrap_err();
    let file = format!("{}/etc/passwd", tree.rootfs().display());
    assert_eq!(
        (err.kind(), err.file(), err.line()),
        (ErrorKind::Parse, Some(&*file), Some(2))
    );
    assert!(err.to_string().starts_with(&format!("{file}:2:")), "{err}");

    let lenient = Root::open(tree.rootfs()).unwrap();
    let err = lenient
        .resolve("web", &[] as &[&str], &ExecUser::default())
        .unwrap_err();
    assert!(err.to_string().contains(&file), "{err}");
}

#[test]
fn bad_roots_and_paths_are_typed_errors() {
    let tree = Tree::new();
    let err = Root::open(tree.dir.path().join("missing")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert_eq!(err.errno(), Some(rustix::io::Errno::NOENT.raw_os_error()));
    let root = Root::open(tree.rootfs()).unwrap();
    assert_eq!(
        root.read::<user::User>("").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        root.read::<user::User>("etc/\0x").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    let err = root.read::<user::User>("/etc/nothing").unwrap_err();
    assert_eq!(err.errno(), Some(rustix::io::Errno::NOENT.raw_os_error()));
    assert!(
        root.read_optional::<user::User>("/etc/passwd/x")
            .unwrap()
            .is_none()
    );
}

#[test]
fn identity_mapping_reads_subuid_and_subgid_of_the_root() {
    let tree = Tree::new();
    tree.write("etc/passwd", PASSWD);
    tree.write("etc/subuid", "app:100000:65536\n1000:300000:10\n");
    tree.write("etc/subgid", "app:200000:65536\n");
    with_both_resolvers(|how| {
        let root = Root::open(tree.rootfs()).expect(how);
        let map = root.identity_mapping("app").expect(how);
        assert_eq!(map.to_host(0, 0).expect(how), (100_000, 200_000), "{how}");
        assert_eq!(
            map.to_host(65_536, 1).expect(how),
            (300_000, 200_001),
            "{how}"
        );
        assert_eq!(
            map.to_container(300_009, 265_535).expect(how),
            (65_545, 65_535)
        );
        assert_eq!(
            map.to_host(65_546, 0).unwrap_err().kind(),
            ErrorKind::Unmapped
        );
        let err = root.identity_mapping("root").unwrap_err();
        assert_eq!(
            (err.kind(), err.value()),
            (ErrorKind::NotFound, Some("root")),
            "{how}"
        );
    });
    let bare = Tree::new();
    let err = Root::open(bare.rootfs())
        .unwrap()
        .identity_mapping("app")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("etc/subuid"), "{err}");
}
