//! Which driver manages a cgroup: cgroupfs (the cgroup files, `cgroups-fs1` and
//! `cgroups-fs2`) or systemd (transient units over D-Bus, `cgroups-systemd`), and
//! why `--driver auto` picks one.

use cgroups_systemd::{Bus, Client};

use crate::{Failure, Result};

/// The directory systemd creates when it is the init system (`sd_booted()` checks it
/// with `lstat`).
pub const SYSTEMD_RUN_DIR: &str = "/run/systemd/system";

/// The system bus socket the systemd driver talks to.
pub const SYSTEM_BUS: &str = "/run/dbus/system_bus_socket";

/// `--driver` as typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DriverArg {
    /// systemd when it is the init system and answers on the system bus, else cgroupfs.
    #[default]
    Auto,
    /// Transient systemd units over D-Bus.
    Systemd,
    /// The cgroup files directly.
    Cgroupfs,
}

/// The driver in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// `cgroups-fs1` / `cgroups-fs2` on the cgroup files.
    Cgroupfs,
    /// `cgroups-systemd`: transient units, then the fs drivers.
    Systemd,
}

impl Driver {
    /// The name used in `--driver`, summaries and `cgctl info`.
    pub fn name(self) -> &'static str {
        match self {
            Driver::Cgroupfs => "cgroupfs",
            Driver::Systemd => "systemd",
        }
    }
}

/// A driver and the reason it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub driver: Driver,
    pub reason: String,
}

/// Chooses the driver for `asked`. `booted` says whether systemd is the init system;
/// `bus` asks systemd for its version on the system bus. Neither is called when the
/// answer does not depend on it (`--driver cgroupfs` probes nothing).
///
/// # Errors
/// `--driver systemd` where systemd is not the init system or does not answer: a
/// failure (exit 125) naming what is missing.
pub fn decide(
    asked: DriverArg,
    booted: impl FnOnce() -> bool,
    bus: impl FnOnce() -> Result<String, String>,
) -> Result<Choice> {
    let choice = |driver, reason: String| Ok(Choice { driver, reason });
    if asked == DriverArg::Cgroupfs {
        return choice(
            Driver::Cgroupfs,
            "asked for with --driver cgroupfs".to_owned(),
        );
    }
    let explicit = asked == DriverArg::Systemd;
    if !booted() {
        let why = format!("systemd is not the init system ({SYSTEMD_RUN_DIR} is not a directory)");
        if explicit {
            return Err(missing(&why));
        }
        return choice(Driver::Cgroupfs, why);
    }
    match bus() {
        Ok(version) if explicit => choice(
            Driver::Systemd,
            format!("asked for with --driver systemd (systemd {version})"),
        ),
        Ok(version) => choice(
            Driver::Systemd,
            format!("systemd {version} is the init system and answers on the system bus"),
        ),
        Err(e) => {
            let why = format!(
                "systemd is the init system but does not answer on the system bus \
                 ({SYSTEM_BUS}): {e}"
            );
            if explicit {
                return Err(missing(&why));
            }
            choice(Driver::Cgroupfs, why)
        }
    }
}

fn missing(why: &str) -> Failure {
    let mut f = Failure::usage(format!("--driver systemd: {why}"));
    f.hint = Some(
        "the systemd driver needs systemd as PID 1 and its system bus; use --driver \
         cgroupfs (or auto) here"
            .to_owned(),
    );
    f
}

/// Whether systemd is the init system: [`SYSTEMD_RUN_DIR`] is a directory (not a
/// symlink to one), as `sd_booted()` decides.
pub fn systemd_booted() -> bool {
    std::fs::symlink_metadata(SYSTEMD_RUN_DIR).is_ok_and(|m| m.is_dir())
}

/// systemd's version over the system bus, or why it did not answer. The connection
/// stays open for the rest of the run; cgroups-systemd makes its socket close-on-exec,
/// so a command started after an auto fallback to cgroupfs does not inherit it.
pub fn system_bus_version() -> Result<String, String> {
    Client::new(Bus::System)
        .version()
        .map_err(|e| e.to_string())
}

/// [`decide`] on this machine.
pub fn choose(asked: DriverArg) -> Result<Choice> {
    decide(asked, systemd_booted, system_bus_version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never_booted() -> bool {
        panic!("probed systemd although the answer did not depend on it")
    }

    fn never_bus() -> Result<String, String> {
        panic!("asked the bus although the answer did not depend on it")
    }

    fn answers() -> Result<String, String> {
        Ok("257.9-1".to_owned())
    }

    fn silent() -> Result<String, String> {
        Err("connection refused".to_owned())
    }

    #[test]
    fn cgroupfs_asked_for_probes_nothing() {
        let c = decide(DriverArg::Cgroupfs, never_booted, never_bus).unwrap();
        assert_eq!(c.driver, Driver::Cgroupfs);
    }

    #[test]
    fn auto_without_systemd_as_init_is_cgroupfs_and_says_why() {
        let c = decide(DriverArg::Auto, || false, never_bus).unwrap();
        assert_eq!(c.driver, Driver::Cgroupfs);
        assert!(c.reason.contains("/run/systemd/system"), "{}", c.reason);
    }

    #[test]
    fn auto_with_systemd_answering_is_systemd() {
        let c = decide(DriverArg::Auto, || true, answers).unwrap();
        assert_eq!(c.driver, Driver::Systemd);
        assert!(c.reason.contains("257.9-1"), "{}", c.reason);
    }

    #[test]
    fn auto_with_a_silent_bus_is_cgroupfs_naming_the_bus() {
        let c = decide(DriverArg::Auto, || true, silent).unwrap();
        assert_eq!(c.driver, Driver::Cgroupfs);
        assert!(c.reason.contains(SYSTEM_BUS), "{}", c.reason);
        assert!(c.reason.contains("connection refused"), "{}", c.reason);
    }

    #[test]
    fn systemd_asked_for_without_systemd_fails_naming_what_is_missing() {
        let f = decide(DriverArg::Systemd, || false, never_bus).unwrap_err();
        assert_eq!(f.code, crate::failure::EXIT_CGCTL);
        assert!(f.message.contains("/run/systemd/system"), "{}", f.message);
        let f = decide(DriverArg::Systemd, || true, silent).unwrap_err();
        assert_eq!(f.code, crate::failure::EXIT_CGCTL);
        assert!(f.message.contains("system bus"), "{}", f.message);
        assert!(f.message.contains("connection refused"), "{}", f.message);
    }

    #[test]
    fn systemd_asked_for_and_answering_is_systemd() {
        let c = decide(DriverArg::Systemd, || true, answers).unwrap();
        assert_eq!(c.driver, Driver::Systemd);
    }
}
