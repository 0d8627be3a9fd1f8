//! cgroups-core (work in progress)
