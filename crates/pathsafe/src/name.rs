//! Names.
use crate::Result;

/// One plain component.
pub fn check_file_name(name: &str) -> Result<()> {
    let _ = name;
    todo!()
}
/// Relative path of plain components.
pub fn check_rel_path(path: &str) -> Result<Vec<&str>> {
    let _ = path;
    todo!()
}
/// Clean lexically.
pub fn clean_lexically(path: &str) -> String {
    let _ = path;
    todo!()
}
/// Lexically within.
pub fn is_lexically_within(root: &str, path: &str) -> bool {
    let _ = (root, path);
    todo!()
}
/// Strip root.
pub fn strip_root(root: &str, path: &str) -> String {
    let _ = (root, path);
    todo!()
}
