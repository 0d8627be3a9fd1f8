//! Fuzz targets of `cgroup-stats` (cargo-fuzz; nightly only). See `targets.rs`.

pub mod targets;
