//! The systemd version, from the manager's `Version` property.

/// Parses the manager's `Version` string: leading `"` and `v` characters are
/// skipped, then the leading decimal digits are the version (`"v245.4-1.fc32"` →
/// 245, `"252.39-1~deb12u2"` → 252). `None` when there are no digits.
pub fn parse_version(text: &str) -> Option<u32> {
    let rest = text.trim_start_matches(['"', 'v']);
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// Features of systemd that properties depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SystemdVersion(pub u32);

impl SystemdVersion {
    /// An unknown version: every gated feature is off.
    pub const UNKNOWN: SystemdVersion = SystemdVersion(0);

    /// `AttachProcessesToUnit`: the manager moves a process into a unit's cgroup,
    /// asking PID 1 when it may not itself (238).
    pub fn has_attach_processes(self) -> bool {
        self.0 >= 238
    }

    /// `DeviceAllow=char-MAJOR` and `/dev/char/M:m` without an existing node (240).
    pub fn has_major_device_groups(self) -> bool {
        self.0 >= 240
    }

    /// `CPUQuotaPeriodUSec` (242).
    pub fn has_cpu_quota_period(self) -> bool {
        self.0 >= 242
    }

    /// `AllowedCPUs` and `AllowedMemoryNodes` (244).
    pub fn has_allowed_cpus(self) -> bool {
        self.0 >= 244
    }

    /// `CPUWeight=0` meaning `cpu.idle` (252).
    pub fn has_cpu_idle(self) -> bool {
        self.0 >= 252
    }

    /// `OOMPolicy` on scopes (253).
    pub fn has_scope_oom_policy(self) -> bool {
        self.0 >= 253
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_strings_of_distributions_parse_to_their_major() {
        assert_eq!(parse_version("\"219\""), Some(219));
        assert_eq!(parse_version("v245.4-1.fc32"), Some(245));
        assert_eq!(parse_version("241-1"), Some(241));
        assert_eq!(parse_version("v241-1"), Some(241));
        assert_eq!(parse_version("333.45\""), Some(333));
        assert_eq!(parse_version("v321-0"), Some(321));
        assert_eq!(parse_version("252.39-1~deb12u2"), Some(252));
    }

    #[test]
    fn version_without_digits_is_none() {
        for bad in ["NaN", "", "v", "\"", "x252"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
    }

    #[test]
    fn gates_switch_on_at_their_release() {
        assert!(!SystemdVersion(239).has_major_device_groups());
        assert!(SystemdVersion(240).has_major_device_groups());
        assert!(!SystemdVersion(241).has_cpu_quota_period());
        assert!(SystemdVersion(242).has_cpu_quota_period());
        assert!(!SystemdVersion(243).has_allowed_cpus());
        assert!(SystemdVersion(244).has_allowed_cpus());
        assert!(!SystemdVersion(251).has_cpu_idle());
        assert!(SystemdVersion(252).has_cpu_idle());
        assert!(!SystemdVersion(252).has_scope_oom_policy());
        assert!(SystemdVersion(253).has_scope_oom_policy());
        assert!(!SystemdVersion::UNKNOWN.has_major_device_groups());
    }
}
