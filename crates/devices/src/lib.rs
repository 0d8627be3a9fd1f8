//! Device cgroup rules (work in progress: the rule type lands with the devices helper).

/// A device cgroup rule (placeholder type until the rule model lands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule;
