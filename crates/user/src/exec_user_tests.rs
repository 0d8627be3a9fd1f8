//! Table tests for [`exec_user`] and [`additional_groups`], derived from the rules in
//! their documentation.

use super::*;
use crate::{ErrorKind, ParseOptions};

const PASSWD: &str = "\
root:x:0:0:root user:/root:/bin/bash
adm:x:42:43:adm:/var/adm:/bin/false
111:x:222:333::/var/garbage
odd:x:111:112::/home/odd:::::
2147483647:x:0:0:maxint32:/root:/bin/bash
2147483648:x:0:0:toolarge:/root:/bin/bash
user7456:x:7456:100:U:/home/user7456
big:x:3000000000:0::/:/bin/sh
biggid:x:3001:3000000000::/:/bin/sh
hugemember:x:3002:3002::/:/bin/sh
this is just some garbage data
";

const GROUP: &str = "\
root:x:0:root
adm:x:43:
grp:x:1234:root,adm,user7456
444:x:555:111
odd:x:444:
2147483647:x:1235:
toolarge:x:2147483648:
huge:x:3000000000:hugemember
largegroup:x:1000:user7456
dup:x:1234:user7456
";

fn tables() -> (Table<User>, Table<Group>) {
    let opts = ParseOptions::new();
    let passwd = opts
        .clone()
        .source("/etc/passwd")
        .parse(PASSWD.as_bytes())
        .unwrap();
    let group = opts.source("/etc/group").parse(GROUP.as_bytes()).unwrap();
    (passwd, group)
}

fn defaults() -> ExecUser {
    ExecUser::new(8888, 8888, "/8888").with_sgids(vec![8888])
}

fn resolve(spec: &str) -> Result<ExecUser> {
    let (passwd, group) = tables();
    exec_user(spec, &defaults(), Some(&passwd), Some(&group))
}

#[test]
fn specs_resolve_by_the_documented_rules() {
    let d = vec![8888];
    let cases: &[(&str, u32, u32, &[u32], &str)] = &[
        ("root", 0, 0, &[0, 1234], "/root"),
        ("root:", 0, 0, &[0, 1234], "/root"),
        ("adm", 42, 43, &[1234], "/var/adm"),
        ("root:adm", 0, 43, &d, "/root"),
        ("adm:1234", 42, 1234, &d, "/var/adm"),
        ("42:1234", 42, 1234, &d, "/var/adm"),
        ("+42", 42, 43, &[1234], "/var/adm"),
        ("1337:1234", 1337, 1234, &d, "/8888"),
        ("1337", 1337, 8888, &d, "/8888"),
        ("", 8888, 8888, &d, "/8888"),
        (":adm", 8888, 43, &d, "/8888"),
        (":", 8888, 8888, &d, "/8888"),
        // Numeric parts are ids: "111" is uid 111 (odd), not the user named "111".
        ("111", 111, 112, &d, "/home/odd"),
        ("111:444", 111, 444, &d, "/home/odd"),
        ("7456", 7456, 100, &[1234, 1000], "/home/user7456"),
        ("user7456", 7456, 100, &[1234, 1000], "/home/user7456"),
        ("7456:2147483647", 7456, 2_147_483_647, &d, "/home/user7456"),
        ("2147483647:43", 2_147_483_647, 43, &d, "/8888"),
        ("2147483647", 2_147_483_647, 8888, &d, "/8888"),
    ];
    for &(spec, uid, gid, sgids, home) in cases {
        let got = resolve(spec).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
        let want = ExecUser::new(uid, gid, home).with_sgids(sgids.to_vec());
        assert_eq!(got, want, "{spec:?}");
    }
}

#[test]
fn an_empty_spec_looks_up_the_default_uid() {
    let (passwd, group) = tables();
    let got = exec_user("", &ExecUser::default(), Some(&passwd), Some(&group)).unwrap();
    assert_eq!(got, ExecUser::new(0, 0, "/root").with_sgids(vec![0, 1234]));
}

#[test]
fn unknown_names_are_not_found_errors_naming_the_file() {
    let cases = [
        ("notuser", "notuser"),
        ("notuser:notgroup", "notuser"),
        ("notuser:adm", "notuser"),
        ("notuser:8888", "notuser"),
        ("root:notgroup", "notgroup"),
        ("8888:notgroup", "notgroup"),
        ("adm:x:y", "x:y"),
        ("garbage", "garbage"),
    ];
    for (spec, value) in cases {
        let err = resolve(spec).unwrap_err();
        assert_eq!(
            (err.kind(), err.value()),
            (ErrorKind::NotFound, Some(value)),
            "{spec:?}"
        );
        assert!(err.to_string().contains("/etc/"), "{spec:?}: {err}");
    }
}

#[test]
fn numeric_parts_out_of_range_are_range_errors_even_if_a_name_matches() {
    let specs = [
        "-1:0",
        "0:-3",
        "-5:-2",
        "-42",
        "2147483648",
        "42:2147483648",
        "2147483648:43",
        "7456:9223372036854775807",
        "9223372036854775807",
        "9223372036854775808",
        "0:9223372036854775808",
        "3000000000",
    ];
    for spec in specs {
        let err = resolve(spec).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Range, "{spec:?}: {err}");
        assert!(err.to_string().contains("0-2147483647"), "{err}");
    }
}

#[test]
fn matched_entries_with_ids_out_of_range_are_range_errors_with_file_and_line() {
    let cases = [
        ("big", 8, "3000000000"),
        ("biggid", 9, "3000000000"),
        ("hugemember", 8, "3000000000"),
    ];
    for (spec, line, value) in cases {
        let err = resolve(spec).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Range, "{spec:?}");
        assert_eq!(
            (err.line(), err.value()),
            (Some(line), Some(value)),
            "{spec:?}: {err}"
        );
    }
    let err = resolve("0:toolarge").unwrap_err();
    assert_eq!(
        (err.kind(), err.file(), err.line()),
        (ErrorKind::Range, Some("/etc/group"), Some(7))
    );
}

#[test]
fn missing_tables_mean_no_entries() {
    let (passwd, _) = tables();
    let d = defaults();
    let none = |spec| exec_user(spec, &d, None, None);
    assert_eq!(none("").unwrap(), d);
    assert_eq!(
        none("0").unwrap(),
        ExecUser::new(0, 8888, "/8888").with_sgids(vec![8888])
    );
    assert_eq!(
        none("0:0").unwrap(),
        ExecUser::new(0, 0, "/8888").with_sgids(vec![8888])
    );
    let root = exec_user("root", &d, Some(&passwd), None).unwrap();
    assert_eq!(root, ExecUser::new(0, 0, "/root").with_sgids(vec![8888]));
    let err = none("root").unwrap_err();
    assert_eq!((err.kind(), err.file()), (ErrorKind::NotFound, None));
    let err = exec_user("root:adm", &d, Some(&passwd), None).unwrap_err();
    assert_eq!(
        (err.kind(), err.value()),
        (ErrorKind::NotFound, Some("adm"))
    );
}

const EXTRA_GROUP: &str = "\
root:x:0:root
adm:x:43:
grp:x:1234:root,adm
adm:x:4343:root,adm-duplicate
2147483648:x:0:
toolarge:x:2147483648:
444:x:555:
odd:x:444:
this is just some garbage data
";

fn extra(requested: &[&str]) -> std::result::Result<Vec<u32>, (ErrorKind, Option<String>)> {
    let group = ParseOptions::new()
        .parse::<Group>(EXTRA_GROUP.as_bytes())
        .unwrap();
    additional_groups(requested, Some(&group)).map_err(|e| (e.kind(), e.value().map(Into::into)))
}

#[test]
fn additional_groups_resolve_names_and_numbers_in_order_without_duplicates() {
    assert_eq!(extra(&[]), Ok(vec![]));
    assert_eq!(extra(&["adm"]), Ok(vec![43]));
    assert_eq!(extra(&["10001", "adm"]), Ok(vec![10001, 43]));
    assert_eq!(extra(&["adm", "grp"]), Ok(vec![43, 1234]));
    assert_eq!(extra(&["43"]), Ok(vec![43]));
    assert_eq!(extra(&["adm", "43", "adm"]), Ok(vec![43]));
    assert_eq!(extra(&["444"]), Ok(vec![444]));
    assert_eq!(extra(&["+7"]), Ok(vec![7]));
}

#[test]
fn additional_groups_refuse_unknown_names_and_out_of_range_ids() {
    let not_found = |v: &str| Err((ErrorKind::NotFound, Some(v.to_owned())));
    let range = |v: &str| Err((ErrorKind::Range, Some(v.to_owned())));
    assert_eq!(extra(&["adm", "grp", "not-exist"]), not_found("not-exist"));
    assert_eq!(extra(&[""]), not_found(""));
    assert_eq!(extra(&["-1"]), range("-1"));
    assert_eq!(extra(&["2147483648"]), range("2147483648"));
    assert_eq!(
        extra(&["9223372036854775808"]),
        range("9223372036854775808")
    );
    assert_eq!(extra(&["toolarge"]), range("2147483648"));
}

#[test]
fn additional_groups_without_a_group_file_take_numbers_only() {
    assert_eq!(
        additional_groups(&["1234", "5678"], None).unwrap(),
        [1234, 5678]
    );
    let err = additional_groups(&["1234", "fake"], None).unwrap_err();
    assert_eq!(
        (err.kind(), err.value()),
        (ErrorKind::NotFound, Some("fake"))
    );
}

#[test]
fn merged_groups_keep_the_first_occurrence() {
    let mut sgids = vec![5, 1];
    merge_sgids(&mut sgids, &[1, 7, 5, 8]);
    assert_eq!(sgids, [5, 1, 7, 8]);
}
