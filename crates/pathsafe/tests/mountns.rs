//! Mounts planted beneath roots: a tmpfs over a child cgroup, a tmpfs and a procfs
//! bind mount below /proc. Each is made in a private mount namespace (`unshare
//! --mount --propagation private` re-running this binary), so the host never sees it.
//!
//! Expected, with openat2 and with the fallback:
//! - cgroup2 root: crossing into the tmpfs is an `Escape` (`RESOLVE_NO_XDEV`);
//! - v1 root: the lookup may cross, but what it opens is tmpfs: `WrongFilesystem`;
//! - procfs: crossing into the tmpfs, or into a bind mount of another procfs file
//!   (same device, other mount), is an `Escape`;
//! - a root of `Dir::open_fs_root` (and a test root with `no_xdev`) on a temp dir:
//!   crossing into a tmpfs or into a bind mount of the same filesystem is an `Escape`.
// The re-run child reports to the parent on stdout.
#![allow(clippy::disallowed_methods, clippy::print_stdout)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::both;
use ktest::{Failed, Need, Test, TestCgroup};
use pathsafe::{Dir, ErrorKind, FsType, OpenMode, ProcBase, ProcFs, TestRoot};

/// Set in the re-run child: the checks run inside the private mount namespace.
const INNER: &str = "PATHSAFE_MOUNTNS_INNER";
/// Set in the re-run child of the fs-root test: the temp dir holding the root.
const INNER_FS_ROOT: &str = "PATHSAFE_MOUNTNS_FS_ROOT";

fn planted_mounts_beneath_roots_are_refused() -> Result<(), Failed> {
    let v2 = TestCgroup::new_unified("pathsafe-mnt")?;
    let v1 = TestCgroup::new_v1("cpu", "pathsafe-mnt")?;
    for cg in [&v2, &v1] {
        let dir = Dir::open_cgroup_root(cg.path())?;
        dir.create_dir("child")?;
    }
    let exe = std::env::current_exe()?;
    let output = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--"])
        .arg(exe)
        .env(INNER, "1")
        .env("V2_ROOT", v2.hierarchy_root())
        .env("V2_NAME", v2.name())
        .env("V1_ROOT", v1.hierarchy_root())
        .env("V1_NAME", v1.name())
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    if !output.status.success() || !text.contains("mountns checks passed") {
        return Err(format!("inner run failed ({}):\n{text}", output.status).into());
    }
    v1.remove()?;
    v2.remove()
}

/// Runs inside the private mount namespace.
fn inner() {
    let env = |name: &str| PathBuf::from(std::env::var_os(name).expect(name));
    let (v2_root, v2_name) = (env("V2_ROOT"), env("V2_NAME"));
    let (v1_root, v1_name) = (env("V1_ROOT"), env("V1_NAME"));
    for cg in [v2_root.join(&v2_name), v1_root.join(&v1_name)] {
        plant_tmpfs(&cg.join("child"));
    }
    plant_tmpfs(Path::new("/proc/sys/fs/binfmt_misc"));
    rustix::mount::mount_bind("/proc/sys/kernel/ostype", "/proc/sys/kernel/domainname")
        .expect("bind mount over /proc/sys/kernel/domainname");

    both(|_| {
        let v2 = Dir::open_cgroup_root(&v2_root).unwrap();
        let v2_child = format!("{}/child", v2_name.display());
        expect(v2.open_dir(&v2_child), ErrorKind::Escape, "cgroup2 dir");
        let rel = format!("{v2_child}/planted");
        expect(
            v2.open_file(&rel, OpenMode::Read),
            ErrorKind::Escape,
            "cgroup2 file",
        );

        let v1 = Dir::open_cgroup_root(&v1_root).unwrap();
        let v1_child = format!("{}/child", v1_name.display());
        expect(v1.open_dir(&v1_child), ErrorKind::WrongFilesystem, "v1 dir");
        let rel = format!("{v1_child}/planted");
        expect(
            v1.open_file(&rel, OpenMode::Read),
            ErrorKind::WrongFilesystem,
            "v1 file",
        );

        let proc = ProcFs::open().unwrap();
        for rel in ["sys/fs/binfmt_misc/planted", "sys/kernel/domainname"] {
            let result = proc.open_file(ProcBase::Root, rel, OpenMode::Read);
            expect(result, ErrorKind::Escape, rel);
        }
        // Unmounted neighbours still open.
        assert!(
            proc.open_file(ProcBase::Root, "sys/kernel/ostype", OpenMode::Read)
                .is_ok()
        );
    });
    println!("mountns checks passed");
}

fn planted_mounts_beneath_fs_roots_are_refused() -> Result<(), Failed> {
    let tmp = tempfile::tempdir()?;
    let root = tmp.path().join("root");
    for dir in ["sub", "bound", "src"] {
        std::fs::create_dir_all(root.join(dir))?;
    }
    std::fs::write(root.join("src/f"), "bound file")?;
    let exe = std::env::current_exe()?;
    let output = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--"])
        .arg(exe)
        .env(INNER_FS_ROOT, &root)
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    if !output.status.success() || !text.contains("fs-root mountns checks passed") {
        return Err(format!("inner run failed ({}):\n{text}", output.status).into());
    }
    Ok(())
}

/// Runs inside the private mount namespace: `root/sub` gets a filesystem of another
/// type than the temp dir's (tmpfs, or ramfs where the temp dir is itself a tmpfs, as
/// in the VM tiers), `root/bound` a bind mount of `root/src` (same device, another
/// mount).
fn inner_fs_root(root: &Path) {
    let fs = FsType::of(std::fs::File::open(root).expect("open root")).expect("fstatfs");
    let planted_type = if fs == FsType::Tmpfs {
        "ramfs"
    } else {
        "tmpfs"
    };
    plant_fs(&root.join("sub"), planted_type);
    let planted_fs =
        FsType::of(std::fs::File::open(root.join("sub")).expect("open sub")).expect("fstatfs sub");
    assert_ne!(
        planted_fs, fs,
        "the planted {planted_type} must differ from the temp dir"
    );
    rustix::mount::mount_bind(root.join("src"), root.join("bound"))
        .expect("bind mount src over bound");
    both(|_| {
        let fs_root = Dir::open_fs_root(root, fs).unwrap();
        let opts = TestRoot {
            no_xdev: true,
            ..TestRoot::default()
        };
        let test_root = Dir::open_test_root(root, opts).unwrap();
        for (dir, name) in [(&fs_root, "fs root"), (&test_root, "no_xdev test root")] {
            expect(dir.open_dir("sub"), ErrorKind::Escape, name);
            let planted = dir.open_file("sub/planted", OpenMode::Read);
            expect(planted, ErrorKind::Escape, name);
            let bound = dir.open_file("bound/f", OpenMode::Read);
            expect(bound, ErrorKind::Escape, name);
            // The same file through its own mount is fine.
            assert!(dir.open_file("src/f", OpenMode::Read).is_ok(), "{name}");
        }
        // The planted filesystem opened as a root of its own type is a fine fs root.
        let planted = Dir::open_fs_root(root.join("sub"), planted_fs).unwrap();
        assert!(planted.open_file("planted", OpenMode::Read).is_ok());
        let wrong = Dir::open_fs_root(root.join("sub"), fs);
        expect(
            wrong,
            ErrorKind::WrongFilesystem,
            "the planted filesystem as the temp dir's type",
        );
    });
    println!("fs-root mountns checks passed");
}

fn plant_tmpfs(target: &Path) {
    plant_fs(target, "tmpfs");
}

fn plant_fs(target: &Path, fstype: &str) {
    use rustix::mount::MountFlags;
    rustix::mount::mount("pathsafe-test", target, fstype, MountFlags::empty(), None)
        .unwrap_or_else(|e| panic!("mount {fstype} on {}: {e}", target.display()));
    std::fs::write(target.join("planted"), "planted").expect("write planted file");
}

fn expect<T: std::fmt::Debug>(result: pathsafe::Result<T>, kind: ErrorKind, case: &str) {
    match result {
        Ok(value) => panic!("{case}: expected {kind:?}, got Ok({value:?})"),
        Err(err) => assert_eq!(err.kind(), kind, "{case}: {err}"),
    }
}

fn main() {
    if std::env::var_os(INNER).is_some() {
        inner();
        return;
    }
    if let Some(root) = std::env::var_os(INNER_FS_ROOT) {
        inner_fs_root(Path::new(&root));
        return;
    }
    ktest::main(vec![
        Test::new(
            "planted_mounts_beneath_roots_are_refused",
            planted_mounts_beneath_roots_are_refused,
        )
        .needs(Need::Root)
        .needs(Need::Unified)
        .needs(Need::V1Controller("cpu")),
        Test::new(
            "planted_mounts_beneath_fs_roots_are_refused",
            planted_mounts_beneath_fs_roots_are_refused,
        )
        .needs(Need::Root),
    ])
}
