//! Block I/O statistics: v1 `blkio.*` families and v2 `io.stat`.

use crate::parse::Pressure;

/// The operation column of a block I/O entry.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlkioOp {
    /// No operation column (v1 `sectors`, `time`).
    None,
    /// Reads.
    Read,
    /// Writes.
    Write,
    /// Synchronous I/O (v1).
    Sync,
    /// Asynchronous I/O (v1).
    Async,
    /// Discards (v1 ≥ 4.19; v2 `dbytes`/`dios`).
    Discard,
    /// The per-device sum (v1).
    Total,
    /// A count without direction (v2 io cost figures).
    Count,
}

impl BlkioOp {
    /// The column as the kernel and the Go reference spell it (`""` for none).
    pub fn as_str(self) -> &'static str {
        match self {
            BlkioOp::None => "",
            BlkioOp::Read => "Read",
            BlkioOp::Write => "Write",
            BlkioOp::Sync => "Sync",
            BlkioOp::Async => "Async",
            BlkioOp::Discard => "Discard",
            BlkioOp::Total => "Total",
            BlkioOp::Count => "Count",
        }
    }

    /// The v1 column named `text`, if known.
    pub(crate) fn from_v1(text: &[u8]) -> Option<BlkioOp> {
        Some(match text {
            b"Read" => BlkioOp::Read,
            b"Write" => BlkioOp::Write,
            b"Sync" => BlkioOp::Sync,
            b"Async" => BlkioOp::Async,
            b"Discard" => BlkioOp::Discard,
            b"Total" => BlkioOp::Total,
            _ => return None,
        })
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for BlkioOp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One value for one device (Go reference: `BlkioStatEntry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BlkioEntry {
    /// Device major number.
    pub major: u64,
    /// Device minor number.
    pub minor: u64,
    /// The operation column.
    pub op: BlkioOp,
    /// The value (bytes, I/Os, sectors or ns, by family).
    pub value: u64,
}

/// Which files the block I/O figures came from.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum BlkioSource {
    /// Nothing was read.
    #[default]
    None,
    /// v1 `blkio.bfq.*_recursive` with the BFQ debug files.
    BfqDebug,
    /// v1 `blkio.bfq.io_serviced_recursive`, `io_service_bytes_recursive`.
    Bfq,
    /// v1 CFQ `blkio.*_recursive`.
    Cfq,
    /// v1 `blkio.throttle.*_recursive`.
    ThrottleRecursive,
    /// v1 `blkio.throttle.io_serviced`, `io_service_bytes` (this cgroup only).
    Throttle,
    /// v2 `io.stat`.
    IoStat,
}

/// Block I/O statistics (Go reference: `BlkioStats`).
///
/// v1 reads the first family whose first file exists and is not empty, in the
/// order BFQ debug, BFQ, CFQ, throttle recursive, throttle (C09); `source` says
/// which. v2 reads `io.stat` (C08): `rbytes`/`wbytes`/`dbytes` go to
/// `io_service_bytes_recursive`, `rios`/`wios`/`dios` to
/// `io_serviced_recursive`, the io cost figures to the `io_cost_*` lists.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BlkioStats {
    /// Which files were read.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub source: BlkioSource,
    /// Bytes transferred.
    pub io_service_bytes_recursive: Vec<BlkioEntry>,
    /// I/O operations.
    pub io_serviced_recursive: Vec<BlkioEntry>,
    /// Queued I/Os (v1 CFQ/BFQ debug).
    #[cfg_attr(feature = "serde", serde(rename = "io_queue_recursive"))]
    pub io_queued_recursive: Vec<BlkioEntry>,
    /// Service time, ns (v1 CFQ/BFQ debug).
    pub io_service_time_recursive: Vec<BlkioEntry>,
    /// Wait time, ns (v1 CFQ/BFQ debug).
    pub io_wait_time_recursive: Vec<BlkioEntry>,
    /// Merged requests (v1 CFQ/BFQ debug).
    pub io_merged_recursive: Vec<BlkioEntry>,
    /// Disk time, ms (v1 CFQ/BFQ debug).
    pub io_time_recursive: Vec<BlkioEntry>,
    /// Sectors transferred (v1 CFQ/BFQ debug).
    pub sectors_recursive: Vec<BlkioEntry>,
    /// v2 `cost.usage` (iocost controller).
    pub io_cost_usage: Vec<BlkioEntry>,
    /// v2 `cost.wait`.
    pub io_cost_wait: Vec<BlkioEntry>,
    /// v2 `cost.indebt`.
    pub io_cost_indebt: Vec<BlkioEntry>,
    /// v2 `cost.indelay`.
    pub io_cost_indelay: Vec<BlkioEntry>,
    /// `io.pressure` (v2 only).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
    pub psi: Option<Pressure>,
}

/// A v1 block I/O statistics family member: which list a file fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlkioList {
    ServiceBytes,
    Serviced,
    Queued,
    ServiceTime,
    WaitTime,
    Merged,
    Time,
    Sectors,
}

impl BlkioStats {
    pub(crate) fn list(&mut self, which: BlkioList) -> &mut Vec<BlkioEntry> {
        match which {
            BlkioList::ServiceBytes => &mut self.io_service_bytes_recursive,
            BlkioList::Serviced => &mut self.io_serviced_recursive,
            BlkioList::Queued => &mut self.io_queued_recursive,
            BlkioList::ServiceTime => &mut self.io_service_time_recursive,
            BlkioList::WaitTime => &mut self.io_wait_time_recursive,
            BlkioList::Merged => &mut self.io_merged_recursive,
            BlkioList::Time => &mut self.io_time_recursive,
            BlkioList::Sectors => &mut self.sectors_recursive,
        }
    }

    /// Empties every list, keeping capacity.
    pub(crate) fn clear(&mut self) {
        self.source = BlkioSource::None;
        for list in [
            &mut self.io_service_bytes_recursive,
            &mut self.io_serviced_recursive,
            &mut self.io_queued_recursive,
            &mut self.io_service_time_recursive,
            &mut self.io_wait_time_recursive,
            &mut self.io_merged_recursive,
            &mut self.io_time_recursive,
            &mut self.sectors_recursive,
            &mut self.io_cost_usage,
            &mut self.io_cost_wait,
            &mut self.io_cost_indebt,
            &mut self.io_cost_indelay,
        ] {
            list.clear();
        }
        self.psi = None;
    }
}
