//! Lexical path arithmetic (no filesystem access).
//!
//! These functions only look at strings. They are for comparing and displaying paths
//! (mount points, cgroup paths from `/proc/<pid>/cgroup`), never for deciding what to
//! open: opening goes through a root handle.

/// Clean `path` lexically, never letting a relative path climb out or turn absolute.
///
/// `""` stays `""`. An absolute path is cleaned as usual (`.` and empty components
/// dropped, `..` removes the previous component and stops at `/`, no trailing `/`). A
/// relative path is cleaned as if it started at `/` and then made relative again, so
/// leading `..` components vanish: `"../../../var"` gives `"var"` and `".."` gives
/// `"."`.
///
/// ```
/// assert_eq!(pathsafe::clean_lexically("/foo/bar/../"), "/foo");
/// assert_eq!(pathsafe::clean_lexically("a/../../b"), "b");
/// ```
pub fn clean_lexically(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let rooted = clean_rooted(path);
    if path.starts_with('/') {
        return rooted;
    }
    match rooted.strip_prefix('/') {
        Some("") | None => ".".to_owned(),
        Some(rel) => rel.to_owned(),
    }
}

/// Whether `path` is `root` or lies beneath it, comparing whole components.
///
/// Both are first cleaned as absolute paths (so `"/foo/bar/../baz"` is not within
/// `"/foo/bar"`), then `path` must equal `root` or start with `root` plus `/`:
/// `"/a"` contains `"/a/b"` but not `"/aa"`.
///
/// ```
/// assert!(pathsafe::is_lexically_within("/foo/bar", "/foo/bar/baz"));
/// assert!(!pathsafe::is_lexically_within("/foo/bar", "/foo/bara"));
/// ```
pub fn is_lexically_within(root: &str, path: &str) -> bool {
    let root = clean_rooted(root);
    let path = clean_rooted(path);
    let root = root.trim_end_matches('/');
    let path = format!("{path}/");
    path.starts_with(&format!("{root}/"))
}

/// Make `path` relative to `root`, as an absolute path inside it.
///
/// Both are cleaned as absolute paths. If they are equal the result is `"/"`; if
/// `root` is `/` the result is `path`; if `path` lies beneath `root` the `root` prefix
/// is removed once; otherwise `path` (cleaned) is returned unchanged.
///
/// ```
/// assert_eq!(pathsafe::strip_root("/a/b", "/a/b/c"), "/c");
/// assert_eq!(pathsafe::strip_root("/a/b", "/a/c/b"), "/a/c/b");
/// ```
pub fn strip_root(root: &str, path: &str) -> String {
    let root = clean_rooted(root);
    let path = clean_rooted(path);
    if root == path {
        return "/".to_owned();
    }
    if root == "/" {
        return path;
    }
    match path.strip_prefix(&root) {
        Some(rest) if rest.starts_with('/') => rest.to_owned(),
        _ => path,
    }
}

/// Clean `path` as if it started at `/`; the result always starts with `/`.
pub(crate) fn clean_rooted(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            name => parts.push(name),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_reference_vectors() {
        let cases = [
            ("", ""),
            ("rootfs", "rootfs"),
            ("../../../var", "var"),
            ("/../../../var", "/var"),
            ("/foo/bar/", "/foo/bar"),
            ("/foo/bar/../", "/foo"),
            ("..", "."),
            (".", "."),
            ("a/../../b", "b"),
            ("/", "/"),
            ("//a//b/./c/", "/a/b/c"),
        ];
        for (input, want) in cases {
            assert_eq!(clean_lexically(input), want, "{input:?}");
        }
    }

    #[test]
    fn within_compares_whole_components() {
        let yes = [
            ("/foo", "/foo"),
            ("/bar/baz", "/bar/baz"),
            ("/bar/baz/", "/bar/baz/"),
            ("/", "/foo/bar"),
            ("/", "/"),
            ("/foo/bar", "/foo/bar/baz/abcd"),
            ("/foo/bar/", "/foo/bar"),
            ("/foo/", "/foo/bar/baz/boop"),
        ];
        for (root, path) in yes {
            assert!(is_lexically_within(root, path), "({root}, {path})");
        }
        let no = [
            ("/foo", "/bar"),
            ("/foo/bar/baz", "/foo/boo/baz/abc"),
            ("/foo/bar", "/foo/bara"),
            ("/foo/bar", "/foo/ba/r"),
            ("/a", "/aa"),
            ("/foo/bar", "/foo/bar/../baz"),
        ];
        for (root, path) in no {
            assert!(!is_lexically_within(root, path), "({root}, {path})");
        }
    }

    #[test]
    fn strip_root_matches_reference_vectors() {
        let cases = [
            ("/a/b", "/a/b/c", "/c"),
            ("/", "/a/b/c", "/a/b/c"),
            ("/a/b", "/a/c/b", "/a/c/b"),
            ("/abc/def", "/foo/abc/def/bar", "/foo/abc/def/bar"),
            ("/foo/bar", "/foo/barSAMECOMPONENT", "/foo/barSAMECOMPONENT"),
            ("/foo/bar", "/foo/bar/foo/bar/baz", "/foo/bar/baz"),
            ("/foo/bar", "/foo/bar/../baz", "/foo/baz"),
            ("/foo/bar", "../../../../../../foo/bar/baz", "/baz"),
            ("/foo/bar/../baz", "/foo/baz/bar", "/bar"),
            ("/foo/bar/../baz", "/foo/baz/../bar/../baz/./foo", "/foo"),
            ("foo/bar", "/foo/bar/baz/bee", "/baz/bee"),
            ("/a/b", "/a/b", "/"),
        ];
        for (root, path, want) in cases {
            assert_eq!(strip_root(root, path), want, "({root}, {path})");
        }
    }
}
