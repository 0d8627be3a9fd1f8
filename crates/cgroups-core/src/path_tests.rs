use super::*;

fn parse(path: &str) -> CgroupPath {
    CgroupPath::parse(path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn refused(path: &str) {
    let err = CgroupPath::parse(path).expect_err(path);
    assert_eq!(err.kind(), ErrorKind::InvalidPath, "{path:?}");
    assert_eq!(err.value(), Some(path));
}

#[test]
fn leading_slash_means_from_the_hierarchy_root() {
    let p = parse("/machine.slice/ctr-1");
    assert!(p.is_absolute());
    assert_eq!(
        p.components().collect::<Vec<_>>(),
        ["machine.slice", "ctr-1"]
    );
    assert_eq!(p.relative_str(), "machine.slice/ctr-1");
    assert_eq!(p.to_string(), "/machine.slice/ctr-1");

    let r = parse("a/b");
    assert!(!r.is_absolute());
    assert_eq!(r.to_string(), "a/b");
}

#[test]
fn root_is_just_a_slash() {
    let root = parse("/");
    assert!(root.is_root());
    assert_eq!(root.relative_str(), "");
    assert_eq!(root.to_string(), "/");
    assert!(!parse("a").is_root());
}

#[test]
fn one_trailing_slash_is_accepted() {
    assert_eq!(parse("/a/b/"), parse("/a/b"));
    assert_eq!(parse("a/"), parse("a"));
    refused("a//");
    refused("/a//");
}

#[test]
fn hostile_names_are_refused_never_rewritten() {
    for path in [
        "",
        "//",
        "..",
        ".",
        "/..",
        "/.",
        "../x",
        "a/..",
        "a/../b",
        "./a",
        "a/./b",
        "a//b",
        "/a//b",
        "///a",
        "a/b/../../..",
        "/../../../../etc",
        "a\0b",
        "\0",
        "a\nb",
    ] {
        refused(path);
    }
    refused(&"x".repeat(256));
}

#[test]
fn names_that_only_look_like_dots_are_plain_names() {
    for path in [
        "...",
        "a..b",
        "..a",
        "a..",
        ".hidden",
        "a.",
        "sshd@7-10.0.0.5:22.service",
    ] {
        assert_eq!(parse(path).relative_str(), path);
    }
    assert_eq!(parse(&"x".repeat(255)).components().count(), 1);
}

#[test]
fn parent_and_name_combine_and_name_must_be_one_component() {
    let p = CgroupPath::from_parent_and_name("/system.slice", "ctr").unwrap();
    assert_eq!(p, parse("/system.slice/ctr"));
    let rel = CgroupPath::from_parent_and_name("", "ctr").unwrap();
    assert_eq!(rel, parse("ctr"));
    for name in ["", "..", ".", "a/b", "/a", "a\0"] {
        let err = CgroupPath::from_parent_and_name("/p", name).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidPath, "{name:?}");
    }
    assert!(CgroupPath::from_parent_and_name("/p/../q", "ctr").is_err());
}

#[test]
fn join_only_goes_down() {
    let base = parse("/a/b");
    assert_eq!(base.join("c/d").unwrap(), parse("/a/b/c/d"));
    assert_eq!(base.join("").unwrap(), base);
    for sub in ["..", "../c", "c/../..", "/c", "c//d", "."] {
        let err = base.join(sub).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidPath, "{sub:?}");
    }
}

#[test]
fn resolve_against_puts_relative_paths_below_the_base() {
    let own = parse("/user.slice/session-1.scope");
    assert_eq!(
        parse("ctr").resolve_against(&own),
        parse("/user.slice/session-1.scope/ctr")
    );
    assert_eq!(parse("/abs").resolve_against(&own), parse("/abs"));
    assert_eq!(parse("x").resolve_against(&parse("/")), parse("/x"));
}

#[test]
fn contains_compares_whole_components() {
    let a = parse("/a");
    assert!(a.contains(&parse("/a")));
    assert!(a.contains(&parse("/a/b/c")));
    assert!(!a.contains(&parse("/aa")));
    assert!(!a.contains(&parse("/ab/c")));
    assert!(!parse("/a/b").contains(&a));
    assert!(parse("/").contains(&parse("/anything")));
    assert!(!parse("foo").contains(&parse("/foo/bar")));
    // runc#5351: "foo" must not reach the sibling "foo2".
    assert!(!parse("/foo").contains(&parse("/foo2")));
}

/// `/` followed by `n` bytes of `x/x/x...` (components of one byte).
fn deep(n: usize) -> String {
    let mut path = String::from("/");
    while path.len() < n + 1 {
        if path.len() > 1 {
            path.push('/');
        }
        path.push('x');
    }
    path
}

#[test]
fn paths_longer_than_the_limit_are_refused() {
    let longest = deep(CgroupPath::MAX_LEN - 1);
    assert_eq!(longest.len(), CgroupPath::MAX_LEN);
    assert_eq!(parse(&longest).to_string().len(), CgroupPath::MAX_LEN);
    let too_long = format!("{longest}x");
    refused(&too_long);
    let err = CgroupPath::parse(&too_long).unwrap_err();
    assert!(err.to_string().contains("3841 bytes"), "{err}");
    // 16 components of 255 bytes: each is fine, the whole is not (4096 bytes).
    let wide = format!("/{}", vec!["y".repeat(255); 16].join("/"));
    refused(&wide);
}

#[test]
fn joining_past_the_limit_is_refused() {
    let base = parse(&deep(CgroupPath::MAX_LEN - 3));
    assert!(base.join("z").is_ok());
    let err = base.join("zz").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPath);
    let parent = deep(CgroupPath::MAX_LEN - 2);
    let err = CgroupPath::from_parent_and_name(&parent, "zz").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPath);
}
