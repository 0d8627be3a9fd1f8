//! Parsers of cgroup statistics files: pure functions over the bytes of a file.
//!
//! They allocate nothing on success and never turn malformed content into zero: an
//! error names the line and the text. Absent files are the reader's business, not
//! the parser's. Field cases: C10 (PSI), C14 (unlimited and negative values).

mod cpuacct;
mod flat_keyed;
mod number;
mod pressure;

pub use cpuacct::{CpuTimes, USER_HZ, cpuacct_stat, cpuacct_usage};
pub use flat_keyed::flat_keyed;
pub use number::{V1_UNLIMITED_FLOOR, counter, limit};
pub use pressure::{Pressure, PressureData, pressure};
