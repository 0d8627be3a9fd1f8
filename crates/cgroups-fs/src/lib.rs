//! cgroups-fs (work in progress)
