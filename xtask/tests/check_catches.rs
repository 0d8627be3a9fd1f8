//! `cargo xtask check` catches each rule break, proven on tiny generated workspaces
//! (under cargo's per-test tmp dir in target/): a clean one passes, each broken one
//! fails with a message that names the break.
// Builds fixture workspaces with std::fs: test code, not shipped.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;

const PATHSAFE_LIB: &str = "pub struct Dir;\npub fn open() -> Dir { Dir }\n";

/// Writes a workspace with crates `pathsafe` and `user` and returns its root.
fn workspace(case: &str, user_lib: &str, user_deps: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask-check")
        .join(case);
    let _ = std::fs::remove_dir_all(&root);
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "Cargo.toml",
        "[workspace]\nresolver = \"3\"\nmembers = [\"pathsafe\", \"user\"]\n",
    );
    write(
        "pathsafe/Cargo.toml",
        "[package]\nname = \"pathsafe\"\nversion = \"0.0.1\"\nedition = \"2024\"\n\n\
         [features]\ntest-fixtures = []\n",
    );
    write("pathsafe/src/lib.rs", PATHSAFE_LIB);
    write(
        "user/Cargo.toml",
        &format!(
            "[package]\nname = \"user\"\nversion = \"0.0.1\"\nedition = \"2024\"\n\n\
             [dependencies]\n{user_deps}\n"
        ),
    );
    write("user/src/lib.rs", user_lib);
    root
}

const PLAIN_DEP: &str = "pathsafe = { path = \"../pathsafe\" }";

/// Runs `xtask check --root` on `root`; returns (success, stdout).
fn xtask_check(root: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["check", "--root"])
        .arg(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[test]
fn workspace_that_keeps_pathsafe_private_passes() {
    let lib = "pub fn exists() -> bool { let _d = pathsafe::open(); true }\n";
    let (ok, out) = xtask_check(&workspace("clean", lib, PLAIN_DEP));
    assert!(ok, "{out}");
}

#[test]
fn pathsafe_type_in_a_pub_fn_is_caught() {
    let lib = "pub fn open() -> pathsafe::Dir { pathsafe::open() }\n";
    let (ok, out) = xtask_check(&workspace("leak-fn", lib, PLAIN_DEP));
    assert!(!ok, "{out}");
    assert!(out.contains("user/src/lib.rs:1"), "{out}");
    assert!(out.contains("private dependency 'pathsafe'"), "{out}");
}

#[test]
fn pathsafe_reexport_is_caught() {
    let (ok, out) = xtask_check(&workspace(
        "leak-use",
        "pub use pathsafe::Dir;\n",
        PLAIN_DEP,
    ));
    assert!(!ok, "{out}");
    assert!(out.contains("re-exported"), "{out}");
}

#[test]
fn allowing_the_leak_lint_is_caught() {
    let lib = format!(
        "#![allow({})]\npub fn open() -> bool {{ true }}\n",
        ["exported", "private", "dependencies"].join("_")
    );
    let (ok, out) = xtask_check(&workspace("allow", &lib, PLAIN_DEP));
    assert!(!ok, "{out}");
    assert!(out.contains("user/src/lib.rs:1"), "{out}");
}

#[test]
fn pathsafe_path_in_a_macro_of_another_crate_is_caught() {
    let lib = "#[macro_export]\nmacro_rules! open {\n    () => { ::pathsafe::open() };\n}\n";
    let (ok, out) = xtask_check(&workspace("macro", lib, PLAIN_DEP));
    assert!(!ok, "{out}");
    assert!(out.contains("user/src/lib.rs:3"), "{out}");
}

#[test]
fn test_fixtures_in_a_normal_dependency_is_caught() {
    let dep = "pathsafe = { path = \"../pathsafe\", features = [\"test-fixtures\"] }";
    let (ok, out) = xtask_check(&workspace("fixtures", "pub fn f() {}\n", dep));
    assert!(!ok, "{out}");
    assert!(out.contains("enables `test-fixtures` of pathsafe"), "{out}");
}

#[test]
fn test_fixtures_in_a_dev_dependency_passes() {
    let dep =
        "[dev-dependencies]\npathsafe = { path = \"../pathsafe\", features = [\"test-fixtures\"] }";
    let (ok, out) = xtask_check(&workspace("fixtures-dev", "pub fn f() {}\n", dep));
    assert!(ok, "{out}");
}
