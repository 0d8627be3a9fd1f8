//! Host device discovery on a mknod-made tree and on the real `/dev`.

use std::path::Path;

use devices::DeviceType;
use devices::host::{devices_in, host_devices};
use ktest::{Failed, ensure, ensure_eq};
use rustix::fs::{CWD, FileType, Mode, makedev, mknodat};

fn node(path: &Path, kind: FileType, major: u32, minor: u32) -> Result<(), Failed> {
    let mode = Mode::from_raw_mode(0o640);
    mknodat(CWD, path, kind, mode, makedev(major, minor))?;
    Ok(())
}

pub fn device_walk_lists_nodes_and_skips_links_fifos_and_pseudo_dirs() -> Result<(), Failed> {
    let tmp = tempfile::tempdir()?;
    let top = tmp.path();
    for dir in [
        "dri",
        "pts",
        "shm",
        "fd",
        "mqueue",
        ".lxc",
        ".lxd-mounts",
        ".udev",
        "a/b",
    ] {
        std::fs::create_dir_all(top.join(dir))?;
    }
    node(&top.join("null"), FileType::CharacterDevice, 1, 3)?;
    rustix::fs::chown(
        top.join("null"),
        Some(rustix::process::Uid::from_raw(1000)),
        Some(rustix::process::Gid::from_raw(1001)),
    )?;
    node(&top.join("sda"), FileType::BlockDevice, 8, 0)?;
    node(&top.join("dri/card0"), FileType::CharacterDevice, 226, 0)?;
    node(&top.join("a/b/deep"), FileType::BlockDevice, 259, 7)?;
    node(&top.join("console"), FileType::CharacterDevice, 5, 1)?;
    node(&top.join("dri/console"), FileType::CharacterDevice, 5, 1)?;
    for skipped in [
        "pts/0",
        "shm/x",
        "fd/3",
        "mqueue/q",
        ".lxc/d",
        ".lxd-mounts/d",
        ".udev/d",
    ] {
        node(&top.join(skipped), FileType::CharacterDevice, 136, 0)?;
    }
    node(&top.join("pipe"), FileType::Fifo, 0, 0)?;
    std::fs::write(top.join("plain"), "not a device")?;
    std::os::unix::fs::symlink(top.join("null"), top.join("link-to-null"))?;
    std::os::unix::fs::symlink(top.join("dri"), top.join("link-to-dri"))?;
    std::os::unix::fs::symlink("/dev", top.join("link-to-dev"))?;

    let found = devices_in(top)?;
    let listed: Vec<(String, DeviceType, u32, u32)> = found
        .iter()
        .map(|d| {
            let rel = d.path.strip_prefix(top).unwrap_or(&d.path);
            (rel.display().to_string(), d.kind, d.major, d.minor)
        })
        .collect();
    ensure_eq!(
        listed,
        vec![
            ("a/b/deep".to_owned(), DeviceType::Block, 259, 7),
            ("dri/card0".to_owned(), DeviceType::Char, 226, 0),
            ("null".to_owned(), DeviceType::Char, 1, 3),
            ("sda".to_owned(), DeviceType::Block, 8, 0),
        ]
    );
    let null = &found[2];
    ensure_eq!((null.mode, null.uid, null.gid), (0o640, 1000, 1001));
    ensure_eq!(
        null.rule(devices::Access::READ, true).to_string(),
        "c 1:3 r"
    );
    Ok(())
}

pub fn host_dev_lists_null_and_only_devices() -> Result<(), Failed> {
    let found = host_devices()?;
    ensure!(
        found
            .iter()
            .any(|d| d.path == Path::new("/dev/null") && (d.major, d.minor) == (1, 3)),
        "/dev/null (c 1:3) missing from {} devices",
        found.len()
    );
    for d in &found {
        ensure!(
            matches!(d.kind, DeviceType::Block | DeviceType::Char),
            "{d:?}"
        );
        ensure!(!d.path.starts_with("/dev/pts"), "{d:?}");
        ensure!(d.path.file_name() != Some("console".as_ref()), "{d:?}");
    }
    Ok(())
}
