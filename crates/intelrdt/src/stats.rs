//! [`Stats`]: what a container's resctrl groups report.

use std::collections::BTreeMap;

use crate::features::{BandwidthInfo, CacheInfo};
use crate::monitoring::MonDomain;
use crate::schemata::{Resource, Schemata};

/// Allocation and monitoring state of a container (see
/// [`Manager::stats`](crate::Manager::stats)).
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// The control group's schemata (what the container may use).
    pub schemata: Schemata,
    /// The root group's schemata (what the machine offers by default).
    pub root_schemata: Schemata,
    /// Parameters of every cache resource (`L3`, `L3CODE`, `L2`, ...).
    pub cache_info: BTreeMap<Resource, CacheInfo>,
    /// Parameters of every bandwidth resource (`MB`, `SMBA`).
    pub bandwidth_info: BTreeMap<Resource, BandwidthInfo>,
    /// Monitoring data per domain, when CMT or MBM is available.
    pub monitoring: Vec<MonDomain>,
}
