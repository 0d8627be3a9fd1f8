//! The decisions of [`SystemdManager`](crate::SystemdManager) that need no bus: what an
//! existing unit means at start, whether a unit must be started, whether to freeze
//! around `SetUnitProperties` (v1), which cgroup version the controllers are on, and
//! where the unit's cgroup is.

use cgroups_core::{CgroupMode, FreezerState};

use crate::properties::CgroupVersion;
use crate::unit::UnitKind;

/// What to do when `StartTransientUnit` answers `UnitExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnExists {
    /// The unit is what we wanted: success.
    Tolerate,
    /// `ResetFailedUnit` (a failed unit stays loaded), then start again.
    ResetAndRetry,
    /// Give up with the error.
    Fail,
}

/// "Unit exists" is fine only when ensuring a slice without a pid (kubelet's pod
/// slices are ensured again and again); anything else is reset and started once more.
pub(crate) fn on_unit_exists(kind: UnitKind, pid: Option<u32>, retried: bool) -> OnExists {
    match (kind, pid, retried) {
        (UnitKind::Slice, None, _) => OnExists::Tolerate,
        (_, _, false) => OnExists::ResetAndRetry,
        (_, _, true) => OnExists::Fail,
    }
}

/// Whether a unit in `active_state` (`None`: not loaded) must be started before a
/// process can join it: anything but running (or about to run) needs a start.
pub(crate) fn needs_start(active_state: Option<&str>) -> bool {
    !matches!(active_state, Some("active" | "activating" | "reloading"))
}

/// Whether to freeze the cgroup before `SetUnitProperties` and thaw it after (v1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FreezePlan {
    /// Freeze before the properties are sent.
    pub freeze: bool,
    /// Thaw after they were sent.
    pub thaw: bool,
}

/// On cgroup v1, systemd applies device rules by denying everything and allowing the
/// list again, so a running workload can see `EPERM` on its devices for a moment:
/// freeze around the call, unless neither side has device rules.
///
/// - no device rules in the request (`devices_given` false) and the unit has the
///   defaults (`DevicePolicy=auto`, empty `DeviceAllow`; also true for a unit that is
///   not loaded) → no freeze: systemd has nothing to re-apply;
/// - an already frozen cgroup → neither freeze nor thaw (it must stay frozen);
/// - otherwise freeze, and thaw afterwards unless the request itself freezes.
pub(crate) fn freeze_before_set(
    devices_given: bool,
    unit_has_default_devices: bool,
    current: FreezerState,
    requested: Option<FreezerState>,
) -> FreezePlan {
    let none = FreezePlan {
        freeze: false,
        thaw: false,
    };
    if !devices_given && unit_has_default_devices {
        return none;
    }
    if current == FreezerState::Frozen {
        return none;
    }
    FreezePlan {
        freeze: true,
        thaw: requested != Some(FreezerState::Frozen),
    }
}

/// The cgroup version systemd's unit controllers are on: a hybrid host keeps its
/// controllers on v1 (the cgroup2 mount only tracks processes).
pub(crate) fn cgroup_version(mode: CgroupMode) -> CgroupVersion {
    match mode {
        CgroupMode::Unified => CgroupVersion::V2,
        _ => CgroupVersion::V1,
    }
}

/// The cgroup path of a unit under a manager whose own cgroup is `manager_cgroup`
/// (the user manager's `ControlGroup`, `/user.slice/.../user@1000.service`; `""` or
/// `/` for the system manager).
pub(crate) fn under_manager(manager_cgroup: &str, unit_path: &str) -> String {
    let base = manager_cgroup.trim_end_matches('/');
    format!("{base}{unit_path}")
}

/// Whether a process the fs driver may not move (`kind`) is moved by systemd instead
/// (`AttachProcessesToUnit`): a rootless caller may write only inside its delegated
/// subtree, but moving a process needs write access to the `cgroup.procs` of the
/// common ancestor of both cgroups; the user manager asks PID 1 to do it.
pub(crate) fn attach_through_systemd(
    kind: cgroups_core::ErrorKind,
    version: crate::version::SystemdVersion,
) -> bool {
    kind == cgroups_core::ErrorKind::PermissionDenied && version.has_attach_processes()
}

/// Whether a unit's `DevicePolicy` and `DeviceAllow` are systemd's defaults.
pub(crate) fn default_devices(policy: &str, allow: &[(String, String)]) -> bool {
    policy == "auto" && allow.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use FreezerState::{Frozen, Thawed, Undefined};

    #[test]
    fn unit_exists_is_tolerated_only_for_a_slice_without_pid() {
        assert_eq!(
            on_unit_exists(UnitKind::Slice, None, false),
            OnExists::Tolerate
        );
        assert_eq!(
            on_unit_exists(UnitKind::Slice, None, true),
            OnExists::Tolerate
        );
        assert_eq!(
            on_unit_exists(UnitKind::Slice, Some(7), false),
            OnExists::ResetAndRetry
        );
        assert_eq!(
            on_unit_exists(UnitKind::Scope, Some(7), false),
            OnExists::ResetAndRetry
        );
        assert_eq!(
            on_unit_exists(UnitKind::Scope, Some(7), true),
            OnExists::Fail
        );
        assert_eq!(on_unit_exists(UnitKind::Scope, None, true), OnExists::Fail);
    }

    #[test]
    fn only_running_units_are_joined_without_a_start() {
        assert!(needs_start(None));
        for state in ["inactive", "failed", "deactivating", ""] {
            assert!(needs_start(Some(state)), "{state}");
        }
        for state in ["active", "activating", "reloading"] {
            assert!(!needs_start(Some(state)), "{state}");
        }
    }

    #[test]
    fn no_freeze_when_neither_request_nor_unit_has_device_rules() {
        let plan = freeze_before_set(false, true, Thawed, None);
        assert_eq!(
            plan,
            FreezePlan {
                freeze: false,
                thaw: false
            }
        );
    }

    #[test]
    fn unit_device_rules_freeze_even_when_the_request_has_none() {
        let plan = freeze_before_set(false, false, Thawed, None);
        assert_eq!(
            plan,
            FreezePlan {
                freeze: true,
                thaw: true
            }
        );
    }

    #[test]
    fn request_with_device_rules_freezes_and_thaws() {
        let plan = freeze_before_set(true, true, Undefined, Some(Thawed));
        assert_eq!(
            plan,
            FreezePlan {
                freeze: true,
                thaw: true
            }
        );
    }

    #[test]
    fn request_that_freezes_is_not_thawed_afterwards() {
        let plan = freeze_before_set(true, true, Thawed, Some(Frozen));
        assert_eq!(
            plan,
            FreezePlan {
                freeze: true,
                thaw: false
            }
        );
    }

    #[test]
    fn frozen_cgroup_is_neither_frozen_again_nor_thawed() {
        for devices in [true, false] {
            let plan = freeze_before_set(devices, false, Frozen, None);
            assert_eq!(
                plan,
                FreezePlan {
                    freeze: false,
                    thaw: false
                }
            );
        }
    }

    #[test]
    fn hybrid_and_legacy_hosts_use_v1_properties() {
        assert_eq!(cgroup_version(CgroupMode::Unified), CgroupVersion::V2);
        assert_eq!(cgroup_version(CgroupMode::Hybrid), CgroupVersion::V1);
        assert_eq!(cgroup_version(CgroupMode::Legacy), CgroupVersion::V1);
    }

    #[test]
    fn user_manager_cgroup_prefixes_the_unit_path() {
        let user = "/user.slice/user-1000.slice/user@1000.service";
        assert_eq!(
            under_manager(user, "/app.slice/x.scope"),
            "/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope"
        );
        assert_eq!(
            under_manager("/", "/system.slice/x.scope"),
            "/system.slice/x.scope"
        );
        assert_eq!(
            under_manager("", "/system.slice/x.scope"),
            "/system.slice/x.scope"
        );
    }

    #[test]
    fn only_a_refused_move_is_left_to_systemd_and_only_from_238() {
        use crate::version::SystemdVersion;
        use cgroups_core::ErrorKind as K;
        let (denied, v) = (K::PermissionDenied, SystemdVersion);
        assert!(attach_through_systemd(denied, v(252)));
        assert!(attach_through_systemd(denied, v(238)));
        assert!(!attach_through_systemd(denied, v(237)));
        assert!(!attach_through_systemd(K::NotFound, v(252)));
        assert!(!attach_through_systemd(K::Io, v(252)));
    }

    #[test]
    fn device_defaults_are_policy_auto_and_no_entries() {
        assert!(default_devices("auto", &[]));
        assert!(!default_devices("strict", &[]));
        let entry = [("/dev/null".to_owned(), "rwm".to_owned())];
        assert!(!default_devices("auto", &entry));
    }
}
