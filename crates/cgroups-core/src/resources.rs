//! The `Resources` model: everything a runtime can ask of cgroup v1 and v2.
//!
//! Numbers carry their unit in their name (`_bytes`, `_us`) and "unlimited" is an
//! explicit [`Limit::Max`], never `-1` or `0`. `None` always means "leave as it is".
//! The OCI/runc conventions (`0` = unset, `-1` = unlimited, memory+swap totals) are
//! translated once, in [`convert`](crate::convert) and the `oci` feature.

use std::collections::BTreeMap;

/// A limit that may be unlimited (`max` in cgroup v2 files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Limit {
    /// No limit (`max`).
    Max,
    /// A finite limit in the unit of the field.
    Value(u64),
}

/// Freezer state of a cgroup.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum FreezerState {
    /// Tasks run normally.
    Thawed,
    /// All tasks are stopped.
    Frozen,
    /// Freezing is in progress (v1 `FREEZING`), or the state could not be known
    /// because the freezer is absent or the cgroup vanished.
    Undefined,
}

/// Everything a caller can set on a cgroup. `Default` sets nothing.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Resources {
    /// Memory controller settings.
    pub memory: MemoryResources,
    /// CPU bandwidth and weight settings.
    pub cpu: CpuResources,
    /// CPU and memory-node placement.
    pub cpuset: CpusetResources,
    /// Maximum number of tasks (`pids.max`). `Value(0)` is written as `1` (C21).
    pub pids_max: Option<Limit>,
    /// Block I/O weights and throttles.
    pub block_io: BlockIoResources,
    /// Hugepage limits per page size.
    pub hugetlb: Vec<HugetlbLimit>,
    /// RDMA limits per device name.
    pub rdma: BTreeMap<String, RdmaLimit>,
    /// v1 `net_cls` and `net_prio` settings.
    pub network: NetworkResources,
    /// Freezer state to apply after the limits.
    pub freezer: Option<FreezerState>,
    /// Device rules, applied in order. `None` leaves device access as it is.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub devices: Option<Vec<devices::Rule>>,
    /// Raw cgroup v2 files and values, written last (they override the typed fields).
    /// Keys must be plain file names. Refused on cgroup v1.
    pub unified: BTreeMap<String, String>,
}

/// Memory settings. Byte values.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct MemoryResources {
    /// Hard limit: v1 `memory.limit_in_bytes`, v2 `memory.max`.
    pub limit_bytes: Option<Limit>,
    /// Memory plus swap, the v1 and OCI meaning: v1 `memory.memsw.limit_in_bytes`;
    /// on v2 converted to `memory.swap.max` = this − `limit_bytes` (C19).
    pub memory_and_swap_bytes: Option<Limit>,
    /// Soft limit / protection: v1 `memory.soft_limit_in_bytes`, v2 `memory.low`.
    pub reservation_bytes: Option<Limit>,
    /// v2 `memory.high` (throttling threshold). Refused on v1.
    pub high_bytes: Option<Limit>,
    /// v2 `memory.min` (hard protection). Refused on v1.
    pub min_bytes: Option<u64>,
    /// v1 `memory.swappiness`, 0..=100. Ignored on v2 (the kernel has no such file).
    pub swappiness: Option<u8>,
    /// v1 `memory.oom_control` = 1: do not OOM-kill, pause instead. Refused on v2.
    pub oom_kill_disable: Option<bool>,
    /// v2 `memory.oom.group`: an OOM kill takes the whole cgroup. Refused on v1.
    pub oom_group: Option<bool>,
    /// Refuse a limit at or below current usage instead of letting the kernel reclaim
    /// or OOM-kill (checked against `memory.current`/`memory.usage_in_bytes`).
    pub check_before_update: bool,
}

/// A CPU quota per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum CpuQuota {
    /// No bandwidth limit (`max`, v1 `-1`).
    Max,
    /// Microseconds of CPU time per period.
    Micros(u64),
}

/// CPU settings. Times in microseconds.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct CpuResources {
    /// v1 `cpu.shares` (2..=262144). On v2 converted to `cpu.weight` when `weight` is
    /// unset (quadratic formula, C17).
    pub shares: Option<u64>,
    /// v2 `cpu.weight` (1..=10000). Refused on v1 (use `shares`).
    pub weight: Option<u64>,
    /// Bandwidth quota: v1 `cpu.cfs_quota_us`, v2 first field of `cpu.max`.
    pub quota: Option<CpuQuota>,
    /// Bandwidth period in µs: v1 `cpu.cfs_period_us`, v2 second field of `cpu.max`.
    pub period_us: Option<u64>,
    /// Burst in µs: v1 `cpu.cfs_burst_us`, v2 `cpu.max.burst`.
    pub burst_us: Option<u64>,
    /// v1 `cpu.rt_runtime_us` (−1 = unlimited is `Limit::Max`).
    pub realtime_runtime_us: Option<Limit>,
    /// v1 `cpu.rt_period_us`.
    pub realtime_period_us: Option<u64>,
    /// `cpu.idle`: run at the lowest priority.
    pub idle: Option<bool>,
}

/// cpuset placement: lists such as `0-3,7`. Empty strings are refused (C16: an empty
/// list means "inherit" and is never written).
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct CpusetResources {
    /// `cpuset.cpus`.
    pub cpus: Option<String>,
    /// `cpuset.mems`.
    pub mems: Option<String>,
}

/// A device number pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DeviceNumber {
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
}

/// A per-device I/O weight.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WeightDevice {
    /// The block device.
    pub device: DeviceNumber,
    /// Weight, 10..=1000 (blkio scale).
    pub weight: Option<u16>,
    /// v1 leaf weight, 10..=1000.
    pub leaf_weight: Option<u16>,
}

impl WeightDevice {
    /// The weights of `device`; `None` leaves that weight unset.
    pub fn new(device: DeviceNumber, weight: Option<u16>, leaf_weight: Option<u16>) -> Self {
        WeightDevice {
            device,
            weight,
            leaf_weight,
        }
    }
}

/// A per-device throttle rate (bytes or operations per second).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ThrottleDevice {
    /// The block device.
    pub device: DeviceNumber,
    /// Rate per second; `Limit::Max` removes the throttle.
    pub rate: Limit,
}

impl ThrottleDevice {
    /// A throttle of `rate` per second on `device`.
    pub fn new(device: DeviceNumber, rate: Limit) -> Self {
        ThrottleDevice { device, rate }
    }
}

/// Block I/O settings.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct BlockIoResources {
    /// Weight on the blkio scale 10..=1000: v1 `blkio.weight`/`blkio.bfq.weight`; v2
    /// `io.bfq.weight` as is, else `io.weight` converted (C18).
    pub weight: Option<u16>,
    /// v1 `blkio.leaf_weight`, 10..=1000.
    pub leaf_weight: Option<u16>,
    /// Per-device weights.
    pub weight_devices: Vec<WeightDevice>,
    /// Read bytes per second per device.
    pub throttle_read_bps: Vec<ThrottleDevice>,
    /// Write bytes per second per device.
    pub throttle_write_bps: Vec<ThrottleDevice>,
    /// Read operations per second per device.
    pub throttle_read_iops: Vec<ThrottleDevice>,
    /// Write operations per second per device.
    pub throttle_write_iops: Vec<ThrottleDevice>,
}

/// A hugepage limit for one page size.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HugetlbLimit {
    /// The page size as cgroup file names spell it: `2MB`, `1GB`, `64KB` (C12).
    pub page_size: String,
    /// Limit in bytes.
    pub limit: Limit,
}

impl HugetlbLimit {
    /// A limit of `limit` bytes for pages of `page_size` (spelled `2MB`, `1GB`, ...).
    pub fn new(page_size: impl Into<String>, limit: Limit) -> Self {
        HugetlbLimit {
            page_size: page_size.into(),
            limit,
        }
    }
}

/// RDMA limits of one device.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RdmaLimit {
    /// Maximum HCA handles.
    pub hca_handles: Option<u32>,
    /// Maximum HCA objects.
    pub hca_objects: Option<u32>,
}

impl RdmaLimit {
    /// Limits of HCA handles and objects; `None` leaves one unset.
    pub fn new(hca_handles: Option<u32>, hca_objects: Option<u32>) -> Self {
        RdmaLimit {
            hca_handles,
            hca_objects,
        }
    }
}

/// v1 network classifier and priority settings.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct NetworkResources {
    /// `net_cls.classid`.
    pub class_id: Option<u32>,
    /// `net_prio.ifpriomap` entries: interface name and priority.
    pub priorities: Vec<(String, u32)>,
}

impl Resources {
    /// Whether nothing at all is requested.
    pub fn is_empty(&self) -> bool {
        *self == Resources::default()
    }
}
