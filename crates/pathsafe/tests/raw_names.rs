//! Names that are not UTF-8: listed, opened and removed by their raw bytes, with both
//! resolvers, under the same name rules and containment as text names.
#![allow(clippy::disallowed_methods)]

mod common;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use common::{Fixture, both};
use pathsafe::{ErrorKind, OpenMode};

/// `bad\xff`: one byte that is not UTF-8, as `mkdir "$(printf 'bad\xff')"` makes.
fn bad_name() -> &'static OsStr {
    OsStr::from_bytes(b"bad\xff")
}

fn make_bad_dir(fx: &Fixture, parent: &str) {
    let path = fx.root().join(parent).join(bad_name());
    std::fs::create_dir_all(path.join("inner")).expect("mkdir raw name");
    std::fs::write(path.join("cgroup.procs"), "").expect("write");
}

#[test]
fn a_child_whose_name_is_not_utf8_is_listed_opened_and_removed() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("cg/a");
        make_bad_dir(&fx, "cg");
        let cg = fx.open(false).open_dir("cg").unwrap();
        let mut names = cg.sub_dir_names().unwrap();
        names.sort();
        assert_eq!(names, [OsString::from("a"), bad_name().to_owned()]);

        let bad = cg.open_dir_names(&[bad_name()]).unwrap();
        assert_eq!(bad.path(), fx.root().join("cg").join(bad_name()));
        bad.open_file("cgroup.procs", OpenMode::Read).unwrap();
        let inner = cg
            .open_dir_names(&[bad_name(), OsStr::new("inner")])
            .unwrap();
        assert!(inner.path().ends_with("inner"));

        bad.remove_dir("inner").unwrap();
        std::fs::remove_file(fx.root().join("cg").join(bad_name()).join("cgroup.procs")).unwrap();
        cg.remove_dir(bad_name()).unwrap();
        assert_eq!(cg.sub_dir_names().unwrap(), [OsString::from("a")]);
        fx.assert_untouched();
    });
}

#[test]
fn the_text_listing_refuses_a_raw_name_and_says_how_to_reach_it() {
    let fx = Fixture::new();
    make_bad_dir(&fx, "");
    let err = fx.open(false).sub_dirs().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidName);
    let text = err.to_string();
    assert!(text.contains("not UTF-8"), "{text}");
    assert!(text.contains("sub_dir_names"), "{text}");
    assert!(!text.contains("without \"..\""), "wrong advice: {text}");
}

#[test]
fn no_components_open_the_directory_itself() {
    let fx = Fixture::new();
    let root = fx.open(false);
    let none: [&OsStr; 0] = [];
    assert_eq!(root.open_dir_names(&none).unwrap().path(), fx.root());
}

#[test]
fn raw_components_are_checked_like_text_names() {
    both(|_| {
        let fx = Fixture::new();
        fx.dir("a/b");
        let root = fx.open(false);
        let long = OsString::from("x".repeat(256));
        let hostile: [&[&OsStr]; 6] = [
            &[OsStr::new("..")],
            &[OsStr::new("a"), OsStr::new("..")],
            &[OsStr::new("a/b")],
            &[OsStr::new("")],
            &[OsStr::from_bytes(b"a\0")],
            &[long.as_os_str()],
        ];
        for names in hostile {
            let err = root.open_dir_names(names).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidName, "{names:?}: {err}");
        }
        for name in ["..", ".", "", "a/b"] {
            let err = root.remove_dir(name).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidName, "{name:?}: {err}");
        }
        let b = root.open_dir_names(&["a", "b"]).unwrap();
        assert_eq!(b.path(), fx.root().join("a/b"));
        fx.assert_untouched();
    });
}

#[test]
fn a_raw_component_cannot_leave_the_root_through_a_symlink() {
    both(|_| {
        let fx = Fixture::new();
        fx.link("out", "../outside").link("abs", fx.base());
        let root = fx.open(false);
        for name in ["out", "abs"] {
            let err = root.open_dir_names(&[name]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Escape, "{name}: {err}");
        }
        fx.assert_untouched();
    });
}
