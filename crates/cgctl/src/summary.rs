//! The report printed after `cgctl run`: what the command used, read from the
//! cgroup's own files before the cgroup is removed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

use cgroups_core::{Limit, Resources};
use serde::Serialize;

use crate::backend::Backend;
use crate::run::seconds;

/// What the cgroup's files said; `None` where this kernel does not report a value.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Usage {
    /// CPU time of every task, in ns.
    pub cpu_total_ns: Option<u64>,
    /// User-mode CPU time, in ns.
    pub cpu_user_ns: Option<u64>,
    /// Kernel-mode CPU time, in ns.
    pub cpu_system_ns: Option<u64>,
    /// Highest memory use seen, in bytes.
    pub memory_peak_bytes: Option<u64>,
    /// Tasks killed by the OOM killer.
    pub oom_kills: Option<u64>,
    /// Highest number of tasks seen.
    pub pids_peak: Option<u64>,
}

/// Reads the usage of the backend's cgroup. Failures to read are reported as
/// warnings in the summary, never turned into zeros.
pub fn read(backend: &Backend) -> Result<Usage, String> {
    crate::usage::read(backend)
}

/// The whole report.
#[derive(Debug, Serialize)]
pub struct Summary {
    cgroup: String,
    driver: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    command: Vec<String>,
    exit_code: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    signal: Option<i32>,
    wall_time_ms: u64,
    usage: Usage,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage_error: Option<String>,
    #[serde(skip)]
    wall: Duration,
    #[serde(skip)]
    memory_limit: Option<Limit>,
    #[serde(skip)]
    pids_limit: Option<Limit>,
}

impl Summary {
    /// Collects the report.
    pub fn new(
        backend: &Backend,
        command: &[String],
        wall: Duration,
        status: ExitStatus,
        exit_code: i32,
        usage: Result<Usage, String>,
        resources: &Resources,
    ) -> Summary {
        use std::os::unix::process::ExitStatusExt;
        let (usage, usage_error) = match usage {
            Ok(u) => (u, None),
            Err(e) => (Usage::default(), Some(e)),
        };
        Summary {
            cgroup: backend.path.to_string(),
            driver: backend.driver.name(),
            unit: backend.unit.clone(),
            command: command.to_vec(),
            exit_code,
            signal: status.signal(),
            wall_time_ms: u64::try_from(wall.as_millis()).unwrap_or(u64::MAX),
            usage,
            usage_error,
            wall,
            memory_limit: resources.memory.limit_bytes,
            pids_limit: resources.pids_max,
        }
    }

    /// JSON, with the kept paths when the cgroup was kept.
    pub fn to_json(&self, kept: Option<&BTreeMap<String, PathBuf>>) -> String {
        let mut doc = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let (Some(paths), Some(obj)) = (kept, doc.as_object_mut()) {
            let named: BTreeMap<&str, &PathBuf> = paths
                .iter()
                .map(|(k, v)| (if k.is_empty() { "unified" } else { k.as_str() }, v))
                .collect();
            obj.insert("kept_paths".to_owned(), serde_json::json!(named));
        }
        doc.to_string()
    }

    /// Text for people, on stderr.
    pub fn to_text(&self, kept: Option<&BTreeMap<String, PathBuf>>) -> String {
        let u = &self.usage;
        let ended = match self.signal {
            Some(sig) => format!(
                "was killed by signal {sig} (exit status {})",
                self.exit_code
            ),
            None => format!("exited with status {}", self.exit_code),
        };
        let mut out = format!(
            "cgctl: {} {ended} after {}\n",
            self.cgroup,
            seconds(self.wall)
        );
        match &self.unit {
            Some(unit) => out.push_str(&format!("  driver  {} (unit {unit})\n", self.driver)),
            None => out.push_str(&format!("  driver  {}\n", self.driver)),
        }
        let ns = |v: Option<u64>| v.map_or("n/a".to_owned(), |n| seconds(Duration::from_nanos(n)));
        out.push_str(&format!(
            "  cpu     total {}  user {}  system {}\n",
            ns(u.cpu_total_ns),
            ns(u.cpu_user_ns),
            ns(u.cpu_system_ns)
        ));
        let peak = u.memory_peak_bytes.map_or("n/a".to_owned(), bytes);
        let limit = match self.memory_limit {
            Some(Limit::Value(b)) => format!(" (limit {})", bytes(b)),
            _ => String::new(),
        };
        let ooms = u.oom_kills.map_or("n/a".to_owned(), |n| n.to_string());
        out.push_str(&format!("  memory  peak {peak}{limit}  oom kills {ooms}\n"));
        let pids = u.pids_peak.map_or("n/a".to_owned(), |n| n.to_string());
        let plimit = match self.pids_limit {
            // pids.max 0 is written as 1 (C21: systemd parity), so report what the
            // kernel enforced.
            Some(Limit::Value(n)) => format!(" (limit {})", n.max(1)),
            _ => String::new(),
        };
        out.push_str(&format!("  pids    peak {pids}{plimit}\n"));
        if let Some(e) = &self.usage_error {
            out.push_str(&format!("  warning: some usage could not be read: {e}\n"));
        }
        match kept {
            Some(paths) => {
                out.push_str("  kept:\n");
                for p in paths.values() {
                    out.push_str(&format!("    {}\n", p.display()));
                }
            }
            None if self.unit.is_some() => out.push_str("  unit stopped, cgroup removed\n"),
            None => out.push_str("  cgroup removed\n"),
        }
        out
    }
}

/// Bytes in the largest binary unit that keeps one decimal.
fn bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = b as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{b} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
