//! cgroup-stats (work in progress)
