//! The root filesystems of the systemd container tiers: `debootstrap --variant=minbase`
//! of a Debian suite with systemd, dbus and libpam-systemd (bookworm also apparmor, for
//! `apparmor_parser` in the systemd VM tier, and dbus-user-session, for the session bus
//! of `user@UID.service` there), made once into `target/vm/rootfs-<suite>/`
//! from the Debian mirror the machine's apt sources use. The package list is written to
//! [`PACKAGES_MARKER`] in the rootfs; a rootfs made with another list is made again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::apt::{self, Apt};
use super::run::{find_in_path, output, step};

/// The packages debootstrap adds to the minimal base of every suite.
const INCLUDE: &str = "systemd,systemd-sysv,dbus,libpam-systemd";

/// The file in a finished rootfs naming the packages it was made with.
pub const PACKAGES_MARKER: &str = "cgtest-packages";

/// The packages debootstrap adds for `suite`: bookworm (the systemd VM tier's rootfs)
/// also gets apparmor, which carries `/sbin/apparmor_parser`, and dbus-user-session,
/// which gives every user manager a D-Bus session bus at `/run/user/<uid>/bus`.
pub fn include(suite: &str) -> String {
    match suite {
        "bookworm" => format!("{INCLUDE},apparmor,dbus-user-session"),
        _ => INCLUDE.to_owned(),
    }
}

/// The package list `dir` was made with, if it has one.
pub fn packages_of(dir: &Path) -> Option<String> {
    std::fs::read_to_string(dir.join(PACKAGES_MARKER)).ok()
}

/// `target/vm/rootfs-<suite>`.
pub fn rootfs_dir(vm_dir: &Path, suite: &str) -> PathBuf {
    vm_dir.join(format!("rootfs-{suite}"))
}

/// A rootfs has systemd and dbus once debootstrap finished.
fn has_systemd(dir: &Path) -> bool {
    dir.join("lib/systemd/systemd").exists() && dir.join("usr/bin/dbus-daemon").exists()
}

/// A rootfs is complete once debootstrap finished (it is renamed from `.part` then)
/// with the packages [`include()`] names for `suite` now.
fn is_ready(dir: &Path, suite: &str) -> bool {
    has_systemd(dir) && packages_of(dir).is_some_and(|p| p == include(suite))
}

/// Makes the rootfs of every suite in `suites` that is missing, printing each step with
/// its time; per suite, its directory or why it could not be made.
pub fn prepare(vm_dir: &Path, suites: &[&str]) -> BTreeMap<String, Result<PathBuf, String>> {
    let missing: Vec<&str> = suites
        .iter()
        .copied()
        .filter(|s| !is_ready(&rootfs_dir(vm_dir, s), s))
        .collect();
    let mut out: BTreeMap<String, Result<PathBuf, String>> = suites
        .iter()
        .map(|s| (s.to_string(), Ok(rootfs_dir(vm_dir, s))))
        .collect();
    if missing.is_empty() {
        println!("vm-prepare: systemd rootfs ({}) cached", suites.join(", "));
        return out;
    }
    let tools = std::fs::create_dir_all(vm_dir)
        .map_err(|e| format!("cannot create {}: {e}", vm_dir.display()))
        .and_then(|()| install_debootstrap())
        .and_then(|()| mirror());
    // The suites at the same time: debootstrap mostly waits for downloads.
    let made: Vec<(&str, Result<(), String>)> = std::thread::scope(|scope| {
        let running: Vec<_> = missing
            .iter()
            .map(|&suite| {
                let tools = tools.clone();
                let made = scope.spawn(move || {
                    let (mirror, keyring) = tools?;
                    step(&format!("debootstrap {suite} ({})", include(suite)), || {
                        debootstrap(vm_dir, suite, &mirror, keyring.as_deref())
                    })
                });
                (suite, made)
            })
            .collect();
        running
            .into_iter()
            .map(|(suite, made)| {
                let made = made
                    .join()
                    .unwrap_or_else(|_| Err("the debootstrap thread panicked".to_owned()));
                (suite, made)
            })
            .collect()
    });
    for (suite, made) in made {
        if let Err(e) = made {
            out.insert(suite.to_owned(), Err(format!("no {suite} rootfs: {e}")));
        }
    }
    out
}

fn install_debootstrap() -> Result<(), String> {
    if find_in_path("debootstrap").is_some() {
        return Ok(());
    }
    step("apt-get update", || {
        output(Apt::Machine.command().arg("update")).map(|_| ())
    })?;
    step("apt-get install debootstrap", || {
        output(Apt::Machine.command().args([
            "install",
            "-y",
            "--no-install-recommends",
            "debootstrap",
        ]))
        .map(|_| ())
    })
}

/// The Debian mirror of the machine's apt sources and the keyring they name.
fn mirror() -> Result<(String, Option<String>), String> {
    let sources = apt::machine_sources();
    let codename = apt::codename();
    let mirror = apt::debian_mirror(&sources, codename.as_deref())?;
    let keyring = codename
        .as_deref()
        .and_then(|c| apt::main_source(&sources, c))
        .and_then(|s| s.signed_by.clone());
    Ok((mirror, keyring))
}

/// Mount points at or below `dir` (a killed debootstrap outside its own mount
/// namespace could leave /proc or /sys mounted there).
fn mounts_below(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let dir = dir.to_string_lossy().into_owned();
    text.lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|m| *m == dir || m.starts_with(&format!("{dir}/")))
        .map(str::to_owned)
        .collect()
}

/// debootstrap into `rootfs-<suite>.part` in a private mount namespace (its /proc and
/// /sys mounts never reach the machine's), then renamed to `rootfs-<suite>`.
fn debootstrap(
    vm_dir: &Path,
    suite: &str,
    mirror: &str,
    keyring: Option<&str>,
) -> Result<(), String> {
    let dir = rootfs_dir(vm_dir, suite);
    let part = dir.with_extension("part");
    for stale in [&part, &dir] {
        if !stale.exists() {
            continue;
        }
        let mounted = mounts_below(stale);
        if !mounted.is_empty() {
            return Err(format!(
                "{} has mounts below it ({}): unmount them, then remove it",
                stale.display(),
                mounted.join(", ")
            ));
        }
        std::fs::remove_dir_all(stale)
            .map_err(|e| format!("cannot remove {}: {e}", stale.display()))?;
    }
    let mut cmd = Command::new("unshare");
    cmd.args(["--mount", "--propagation", "private", "debootstrap"])
        .args([
            "--variant=minbase",
            &format!("--include={}", include(suite)),
        ]);
    if let Some(k) = keyring {
        cmd.arg(format!("--keyring={k}"));
    }
    cmd.arg(suite).arg(&part).arg(mirror);
    println!("vm-prepare: {cmd:?}");
    output(&mut cmd)?;
    if !has_systemd(&part) {
        return Err(format!(
            "debootstrap finished but {} has no systemd or dbus-daemon",
            part.display()
        ));
    }
    let marker = part.join(PACKAGES_MARKER);
    std::fs::write(&marker, include(suite))
        .map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    std::fs::rename(&part, &dir).map_err(|e| format!("cannot rename {}: {e}", part.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfinished_or_empty_rootfs_is_not_ready() {
        let tmp = std::env::temp_dir().join(format!("xtask-rootfs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(tmp.join("lib/systemd")).unwrap();
        assert!(!is_ready(&tmp, "bookworm"));
        std::fs::write(tmp.join("lib/systemd/systemd"), "").unwrap();
        assert!(!is_ready(&tmp, "bookworm"));
        std::fs::create_dir_all(tmp.join("usr/bin")).unwrap();
        std::fs::write(tmp.join("usr/bin/dbus-daemon"), "").unwrap();
        // Made before the package list was recorded: made again.
        assert!(!is_ready(&tmp, "bookworm"));
        std::fs::write(tmp.join(PACKAGES_MARKER), include("trixie")).unwrap();
        assert!(is_ready(&tmp, "trixie"));
        // The bookworm list has apparmor since: a rootfs without it is made again.
        assert!(!is_ready(&tmp, "bookworm"));
        std::fs::write(tmp.join(PACKAGES_MARKER), include("bookworm")).unwrap();
        assert!(is_ready(&tmp, "bookworm"));
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn the_rootfs_of_a_suite_lies_in_the_vm_directory() {
        let d = rootfs_dir(Path::new("/t/vm"), "trixie");
        assert_eq!(d, Path::new("/t/vm/rootfs-trixie"));
        assert_eq!(
            d.with_extension("part"),
            Path::new("/t/vm/rootfs-trixie.part")
        );
    }
}
