//! mountinfo.
use crate::Result;

/// One line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountInfo {
    /// id.
    pub mount_id: u32,
    /// parent.
    pub parent_id: u32,
    /// major.
    pub major: u32,
    /// minor.
    pub minor: u32,
    /// root.
    pub root: String,
    /// mount point.
    pub mount_point: String,
    /// options.
    pub mount_options: String,
    /// optional.
    pub optional_fields: String,
    /// fs type.
    pub fs_type: String,
    /// source.
    pub source: String,
    /// super options.
    pub super_options: String,
}

/// Parse.
pub fn parse_mountinfo(text: &str) -> Result<Vec<MountInfo>> {
    let _ = text;
    todo!()
}
