//! cgroups-fs2 (work in progress)
