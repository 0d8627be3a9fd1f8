//! Name checks: what a cgroup path, a unified key or a hugepage size may look like.
//!
//! These refuse; they never rewrite (design: "hostile names are rejected"). A name that
//! passes is still opened through a resolver that stays beneath its root, so the checks
//! are the first of two fences, not the only one.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::{Error, Result};

/// `NAME_MAX` on Linux: the longest one component may be, in bytes.
const NAME_MAX: usize = 255;

/// Check that `name` is one plain path component.
///
/// Plain means: not empty, not `.` or `..`, no `/`, no NUL byte, at most 255 bytes.
/// Use it for unified keys (`memory.max`), hugepage size names (`2MB`) and cgroup
/// names of one level.
///
/// # Errors
///
/// [`ErrorKind::InvalidName`](crate::ErrorKind::InvalidName) naming the reason.
///
/// ```
/// assert!(pathsafe::check_file_name("memory.max").is_ok());
/// assert!(pathsafe::check_file_name("../2MB").is_err());
/// ```
pub fn check_file_name(name: &str) -> Result<()> {
    match name_problem(name) {
        None => Ok(()),
        Some(why) => Err(Error::invalid_name(None, name, why)),
    }
}

/// Check that the raw name `name` is one plain path component: the rules of
/// [`check_file_name`] on bytes, so a name that is not UTF-8 (which the kernel
/// allows, and a directory listing may return) passes.
///
/// # Errors
///
/// [`ErrorKind::InvalidName`](crate::ErrorKind::InvalidName) naming the reason.
///
/// ```
/// use std::ffi::OsStr;
/// use std::os::unix::ffi::OsStrExt;
///
/// assert!(pathsafe::check_os_name(OsStr::from_bytes(b"bad\xff")).is_ok());
/// assert!(pathsafe::check_os_name(OsStr::new("..")).is_err());
/// ```
pub fn check_os_name(name: &OsStr) -> Result<()> {
    match raw_name_problem(name.as_bytes()) {
        None => Ok(()),
        Some(why) => Err(Error::invalid_name(None, &name.to_string_lossy(), why)),
    }
}

/// Check a relative path of plain components and split it at `/`.
///
/// `""` and `"."` mean "here" and give no components. Anything else must be plain
/// components joined by single `/`: no leading or trailing `/`, no empty component
/// (`a//b`), no `.` or `..` component, no NUL byte.
///
/// # Errors
///
/// [`ErrorKind::InvalidName`](crate::ErrorKind::InvalidName) naming the offending part.
///
/// ```
/// assert_eq!(pathsafe::check_rel_path("a/b").unwrap(), ["a", "b"]);
/// assert!(pathsafe::check_rel_path("a/../b").is_err());
/// ```
pub fn check_rel_path(path: &str) -> Result<Vec<&str>> {
    if path.is_empty() || path == "." {
        return Ok(Vec::new());
    }
    if path.starts_with('/') {
        let why = "an absolute path is not allowed here";
        return Err(Error::invalid_name(None, path, why));
    }
    let parts: Vec<&str> = path.split('/').collect();
    for part in &parts {
        if let Some(why) = name_problem(part) {
            return Err(Error::invalid_name(None, path, why));
        }
    }
    Ok(parts)
}

/// Why `name` is not one plain component, or `None` if it is.
fn name_problem(name: &str) -> Option<&'static str> {
    raw_name_problem(name.as_bytes())
}

/// [`name_problem`] on raw bytes.
fn raw_name_problem(name: &[u8]) -> Option<&'static str> {
    if name.is_empty() {
        Some("an empty name or component is not allowed")
    } else if name == b"." || name == b".." {
        Some("\".\" and \"..\" are not allowed")
    } else if name.contains(&b'/') {
        Some("a name must be one component, without '/'")
    } else if name.contains(&0) {
        Some("a NUL byte is not allowed")
    } else if name.len() > NAME_MAX {
        Some("a component may be at most 255 bytes")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn refused(name: &str) -> bool {
        check_file_name(name).map_err(|e| e.kind()) == Err(ErrorKind::InvalidName)
    }

    #[test]
    fn plain_file_names_pass() {
        for name in [
            "memory.max",
            "2MB",
            "hugetlb.1GB.limit_in_bytes",
            "a b",
            "..x",
            "x..",
        ] {
            assert!(check_file_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn hostile_file_names_are_refused() {
        let long = "x".repeat(256);
        for name in [
            "",
            ".",
            "..",
            "../2MB",
            "a/b",
            "/abs",
            "memory.max\0",
            "2MB/",
            &long,
        ] {
            assert!(refused(name), "{name:?}");
        }
    }

    #[test]
    fn rel_path_splits_plain_components() {
        assert_eq!(check_rel_path("").unwrap(), Vec::<&str>::new());
        assert_eq!(check_rel_path(".").unwrap(), Vec::<&str>::new());
        assert_eq!(check_rel_path("a").unwrap(), ["a"]);
        assert_eq!(check_rel_path("a/b/c").unwrap(), ["a", "b", "c"]);
    }

    #[test]
    fn rel_path_refuses_dots_empties_and_absolutes() {
        for path in [
            "..", "a/..", "../a", "a//b", "/a", "a/", "./a", "a/./b", "a\0b", "/",
        ] {
            let err = check_rel_path(path).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidName, "{path:?}");
        }
    }

    #[test]
    fn raw_names_follow_the_same_rules_and_need_not_be_utf8() {
        use std::os::unix::ffi::OsStrExt;
        assert!(check_os_name(OsStr::from_bytes(b"bad\xff")).is_ok());
        assert!(check_os_name(OsStr::new("memory.max")).is_ok());
        let long = vec![b'x'; 256];
        for name in [&b""[..], b".", b"..", b"a/b", b"/", b"a\0b", &long] {
            let err = check_os_name(OsStr::from_bytes(name)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidName, "{name:?}");
        }
    }

    #[test]
    fn refusal_message_names_the_input() {
        let err = check_file_name("../2MB").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("\"../2MB\""), "{text}");
        assert_eq!(err.op(), "check_name");
        assert_eq!(err.errno(), None);
    }
}
