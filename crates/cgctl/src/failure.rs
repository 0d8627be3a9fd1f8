//! cgctl's own failures and their exit codes.

use std::fmt;

/// cgctl failed before or around the command (exit status 125), or could not start
/// it (126, 127).
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
    pub hint: Option<String>,
}

/// Exit status when cgctl itself fails.
pub const EXIT_CGCTL: i32 = 125;
/// Exit status when the command cannot be executed.
pub const EXIT_CANNOT_EXEC: i32 = 126;
/// Exit status when the command is not found.
pub const EXIT_NOT_FOUND: i32 = 127;

impl Failure {
    /// A bad flag or value.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_CGCTL,
            message: message.into(),
            hint: None,
        }
    }

    /// An error from the cgroup libraries, with a hint chosen from its kind and the
    /// flag that set the field at fault.
    pub fn from_core(e: cgroups_core::Error) -> Failure {
        use cgroups_core::ErrorKind as K;
        let flag = e.field().and_then(flag_of_field);
        let hint = match e.kind() {
            K::PermissionDenied => Some("cgctl needs root (or a delegated cgroup) for this"),
            K::ControllerUnavailable => Some(
                "the controller is missing from this kernel or layout, or its hierarchy \
                 is not among --controllers: drop the flag or add the controller",
            ),
            K::UnsupportedLayout => Some("see `cgctl info` for this machine's cgroup layout"),
            K::Busy => Some("processes are still in the cgroup: use `cgctl kill` first"),
            K::NotFound => Some("check the path with `cgctl info` and `cgctl ps`"),
            K::KernelRefused => Some(
                "the kernel refused this value on this machine (cpusets: only CPUs and \
                 memory nodes that exist, see /sys/devices/system/cpu/online)",
            ),
            _ => None,
        };
        let mut message = match (e.kind(), e.value()) {
            // The drivers speak to programmers ("add it to Config::controllers");
            // say the same in the CLI's terms from the error's structured parts.
            (K::ControllerUnavailable, Some(controller)) => match e.path() {
                Some(path) => format!(
                    "the {controller} controller is not available to {}",
                    path.display()
                ),
                None => format!("the {controller} controller is not available"),
            },
            _ => e.to_string(),
        };
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            let text = s.to_string();
            if !message.contains(&text) {
                message.push_str(&format!(": {text}"));
            }
            source = s.source();
        }
        if let Some(flag) = flag {
            message = format!("{flag}: {message}");
        }
        Failure {
            code: EXIT_CGCTL,
            message,
            hint: hint.map(str::to_owned),
        }
    }

    /// Prefixes the message with what was being done.
    pub fn context(mut self, what: impl fmt::Display) -> Failure {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl From<cgroups_core::Error> for Failure {
    fn from(e: cgroups_core::Error) -> Failure {
        Failure::from_core(e)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cgctl: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Refuses clearly when not running as root.
pub fn require_root(what: &str) -> Result<(), Failure> {
    if rustix::process::geteuid().is_root() {
        return Ok(());
    }
    Err(Failure {
        code: EXIT_CGCTL,
        message: format!(
            "{what} needs root: creating and changing cgroups is a privileged operation"
        ),
        hint: Some("run it with sudo, or as root".to_owned()),
    })
}

/// The cgctl flag that sets a `Resources` field, for messages in the CLI's terms.
fn flag_of_field(field: &str) -> Option<&'static str> {
    Some(match field {
        "memory.limit_bytes" => "--memory",
        "memory.memory_and_swap_bytes" => "--memory-swap",
        "memory.reservation_bytes" => "--memory-reservation",
        "memory.high" | "memory.high_bytes" => "--memory-high",
        "cpu.shares" => "--cpu-shares",
        "cpu.weight" => "--cpu-weight (on cgroup v1 use --cpu-shares)",
        "cpu.quota" | "cpu.period_us" => "--cpus",
        "cpuset.cpus" => "--cpuset-cpus",
        "cpuset.mems" => "--cpuset-mems",
        "pids_max" => "--pids",
        "block_io.weight" => "--io-weight",
        _ => return None,
    })
}
