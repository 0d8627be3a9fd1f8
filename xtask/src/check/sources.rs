//! (b) source rules: the leak lint is never silenced, and no macro outside pathsafe
//! expands to `pathsafe::` paths (the lint does not look inside macro bodies).

use std::path::{Path, PathBuf};

use super::Problem;
use super::features::Package;

/// The lint name, assembled so that this file does not match its own rule.
fn lint() -> String {
    ["exported", "private", "dependencies"].join("_")
}

/// Scans the `.rs` and `.toml` files of the tree at `root` (not `target*`, not `.git`).
pub fn check(root: &Path, packages: &[Package]) -> Vec<Problem> {
    let mut files = Vec::new();
    collect_files(root, &mut files);
    let mut problems = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let shown = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let is_rs = file.extension().is_some_and(|e| e == "rs");
        problems.extend(lint_escapes(&text, is_rs, &shown));
        let in_pathsafe = owner(&file, packages).is_some_and(|p| p.name == "pathsafe");
        if is_rs && !in_pathsafe {
            problems.extend(pathsafe_in_macros(&text, &shown));
        }
    }
    problems
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if name != ".git" && !name.starts_with("target") {
                collect_files(&path, out);
            }
        } else if name.ends_with(".rs") || name.ends_with(".toml") {
            out.push(path);
        }
    }
}

/// The package whose directory is the longest prefix of `file`.
fn owner<'a>(file: &Path, packages: &'a [Package]) -> Option<&'a Package> {
    packages
        .iter()
        .filter(|p| file.starts_with(&p.dir))
        .max_by_key(|p| p.dir.components().count())
}

/// `allow(..)`/`expect(..)` of the lint in Rust, `"allow"` or `-A` for it in TOML.
pub fn lint_escapes(text: &str, is_rs: bool, shown: &str) -> Vec<Problem> {
    let lint = lint();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let Some(at) = line.find(&lint) else { continue };
        let before = &line[..at];
        let silenced = match is_rs {
            true => ["allow(", "expect("].iter().any(|a| before.contains(a)),
            false => line.contains("allow") || line.contains("-A"),
        };
        if silenced {
            out.push(Problem {
                place: format!("{shown}:{}", n + 1),
                what: format!("`{}` silences {lint}", line.trim()),
            });
        }
    }
    out
}

/// Every `pathsafe::` inside the body of a `macro_rules!`.
pub fn pathsafe_in_macros(text: &str, shown: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("macro_rules!") {
        let start = from + found;
        if !starts_its_line(text, start) {
            // Mentioned in a string or comment, not a definition (rustfmt puts each
            // definition at the start of its line).
            from = start + "macro_rules!".len();
            continue;
        }
        let Some((open, close)) = body_span(text, start) else {
            break;
        };
        let body = &text[open..close];
        let mut at = 0;
        while let Some(hit) = body[at..].find("pathsafe::") {
            let line = text[..open + at + hit].lines().count();
            out.push(Problem {
                place: format!("{shown}:{line}"),
                what: "a macro outside pathsafe expands to a `pathsafe::` path: callers \
                       would depend on pathsafe"
                    .to_owned(),
            });
            at += hit + "pathsafe::".len();
        }
        from = close;
    }
    out
}

/// Whether only whitespace precedes `at` on its line.
fn starts_its_line(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..at].trim().is_empty()
}

/// The byte range of the macro's body: from its first bracket to the matching one.
fn body_span(text: &str, start: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let open = start + text[start..].find(['{', '(', '['])?;
    let mut depth = 0usize;
    for (i, b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some((open, i + 1));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowing_the_leak_lint_is_found_in_rust_and_toml() {
        let rs = format!("#![allow(dead_code, {})]\nfn f() {{}}\n", lint());
        assert_eq!(lint_escapes(&rs, true, "a.rs").len(), 1);
        let toml = format!("[lints.rust]\n{} = \"allow\"\n", lint());
        assert_eq!(lint_escapes(&toml, false, "Cargo.toml").len(), 1);
        let warn = format!("#![warn({})]\n", lint());
        assert!(lint_escapes(&warn, true, "a.rs").is_empty());
    }

    #[test]
    fn pathsafe_path_in_a_macro_body_is_found_with_its_line() {
        let text = "fn a() {}\nmacro_rules! m {\n    () => { ::pathsafe::Dir::open() };\n}\n\
                    fn b() { pathsafe::x(); }\n";
        let p = pathsafe_in_macros(text, "lib.rs");
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].place, "lib.rs:3");
    }

    #[test]
    fn pathsafe_outside_macros_is_not_a_macro_problem() {
        assert!(
            pathsafe_in_macros("use pathsafe::Dir;\nmacro_rules! m { () => {} }\n", "x").is_empty()
        );
        let quoted = "let s = \"macro_rules! m { pathsafe::x }\";\n";
        assert!(pathsafe_in_macros(quoted, "x").is_empty());
    }
}
