//! `KillUnit`: signals to a unit's processes, sent by systemd.
//!
//! `StopUnit` sends the unit's stop signal (`SIGTERM` by default) and waits
//! `TimeoutStopSec` (90 s by default) before `SIGKILL`: a process that ignores
//! `SIGTERM` holds the stop job that long, longer than [`JOB_TIMEOUT`](crate::JOB_TIMEOUT).
//! [`Client::kill_unit`] with [`KillWho::All`] and `SIGKILL` first makes the stop
//! prompt.

use crate::client::{MANAGER, PATH};
use crate::{Client, Result};

/// Which processes of a unit [`Client::kill_unit`] signals (`KillUnit`'s `whom`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KillWho {
    /// Every process in the unit's cgroup and its sub-cgroups (`"all"`).
    All,
    /// The unit's main process (`"main"`; a scope has none: systemd refuses).
    Main,
    /// The unit's control process, one running an `ExecStop=` or the like
    /// (`"control"`; a scope has none).
    Control,
}

impl KillWho {
    /// The `whom` string of `KillUnit`.
    pub fn as_str(self) -> &'static str {
        match self {
            KillWho::All => "all",
            KillWho::Main => "main",
            KillWho::Control => "control",
        }
    }
}

impl Client {
    /// `KillUnit(unit, who, signal)`: systemd sends `signal` (a raw signal number,
    /// `SIGKILL` is 9) to `who` of `unit`. The call returns once the signal is
    /// sent, not when the processes are gone; the unit stays loaded (stop it with
    /// [`stop_unit`](Client::stop_unit)).
    ///
    /// # Errors
    /// [`ErrorKind::NoSuchUnit`](crate::ErrorKind::NoSuchUnit) when the unit is not
    /// loaded; [`ErrorKind::MethodFailed`](crate::ErrorKind::MethodFailed) when
    /// systemd refuses (an invalid signal, no main or control process to signal);
    /// other call errors.
    pub fn kill_unit(&self, unit: &str, who: KillWho, signal: i32) -> Result<()> {
        self.call(PATH, MANAGER, "KillUnit", |b| {
            b.push_param3(unit, who.as_str(), signal)
        })
        .map(drop)
        .map_err(|e| e.with_unit(unit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kill_who_is_the_whom_string_systemd_expects() {
        assert_eq!(KillWho::All.as_str(), "all");
        assert_eq!(KillWho::Main.as_str(), "main");
        assert_eq!(KillWho::Control.as_str(), "control");
    }
}
