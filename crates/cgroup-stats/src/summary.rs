//! [`UsageSummary`]: what a cgroup used, as `cgctl run` reports it.

/// What the processes of a cgroup (and its descendants) used.
///
/// Each part is `None` when its controller's files are absent (the controller is not
/// enabled for the cgroup, or no directory was given for it on v1); inside a part,
/// `None` means this kernel does not report that value. Nothing absent is reported
/// as zero.
///
/// With the `serde` feature it serializes with snake_case field names, absent
/// values as `null`.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UsageSummary {
    /// CPU time (v2 `cpu.stat`; v1 `cpuacct.usage` and `cpuacct.stat`).
    pub cpu: Option<CpuUsage>,
    /// Memory (v2 `memory.*`; v1 `memory.*_in_bytes`, `memory.oom_control`).
    pub memory: Option<MemoryUsage>,
    /// Tasks (`pids.current`, `pids.peak`).
    pub pids: Option<PidsUsage>,
}

/// CPU time used, in nanoseconds.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CpuUsage {
    /// Total CPU time (v2 `usage_usec` × 1000; v1 `cpuacct.usage`).
    pub total_ns: u64,
    /// Time in user mode (v2 `user_usec` × 1000; v1 `cpuacct.stat` `user`, 10 ms
    /// resolution).
    pub user_ns: u64,
    /// Time in kernel mode (v2 `system_usec` × 1000; v1 `cpuacct.stat` `system`).
    pub system_ns: u64,
}

/// Memory used and out-of-memory events.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MemoryUsage {
    /// Memory charged now (v2 `memory.current`; v1 `memory.usage_in_bytes`).
    pub current_bytes: u64,
    /// Highest charge seen (v2 `memory.peak`, kernel ≥ 5.19; v1
    /// `memory.max_usage_in_bytes`).
    pub peak_bytes: Option<u64>,
    /// Times the cgroup hit its limit and the OOM killer was invoked (v2
    /// `memory.events` `oom`); v1 has no such counter.
    pub oom_events: Option<u64>,
    /// Processes killed by the OOM killer (v2 `memory.events` `oom_kill`; v1
    /// `memory.oom_control` `oom_kill`; kernel ≥ 4.13).
    pub oom_kills: Option<u64>,
}

/// Number of tasks (threads and processes).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PidsUsage {
    /// Tasks now (`pids.current`).
    pub current: u64,
    /// Highest number of tasks seen (`pids.peak`, recent kernels only).
    pub peak: Option<u64>,
}
