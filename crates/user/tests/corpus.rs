//! The captured passwd, group, subuid and subgid files of the corpus (see
//! `fixtures/README.md`): every file parses, and the notable values hold.

use user::{
    ErrorKind, ExecUser, Group, IdentityMapping, ParseMode, ParseOptions, SkipKind, SubIdRange,
    Table, User,
};

macro_rules! fixture {
    ($path:literal) => {
        (
            $path,
            include_bytes!(concat!("fixtures/", $path)).as_slice(),
        )
    };
}

const PASSWD: [(&str, &[u8]); 3] = [
    fixture!("passwd/mobysys__getexecuser-odd-entries.passwd"),
    fixture!("passwd/mobysys__invalid-negative-and-overflow.passwd"),
    fixture!("passwd/shadow__debian-nis-compat-entries.passwd"),
];
const GROUP: [(&str, &[u8]); 3] = [
    fixture!("group/mobysys__duplicate-name-and-overflow-gid.group"),
    fixture!("group/mobysys__getexecuser-numeric-names-64k-line.group"),
    fixture!("group/shadow__debian-nis-compat-entries.group"),
];
const SUBID: [(&str, &[u8]); 3] = [
    fixture!("subuid/shadow__comments-duplicates-overlaps.subgid"),
    fixture!("subuid/shadow__invalid-empty-start.subuid"),
    fixture!("subuid/shadow__numeric-and-named-owners.subuid"),
];

fn parse<R: user::Record>(files: &[(&str, &[u8])], name: &str) -> Table<R> {
    let (path, bytes) = files
        .iter()
        .find(|(p, _)| p.contains(name))
        .expect("fixture");
    ParseOptions::new().source(*path).parse(*bytes).expect(path)
}

fn malformed_lines<T>(table: &Table<T>) -> Vec<usize> {
    let skipped = table
        .skipped()
        .iter()
        .filter(|s| s.kind() == SkipKind::Malformed);
    skipped.map(|s| s.line()).collect()
}

fn names<T>(table: &Table<T>, name: impl Fn(&T) -> &str) -> Vec<&str> {
    table.iter().map(name).collect()
}

#[test]
fn every_corpus_file_parses_leniently_and_strict_mode_fails_only_on_garbage() {
    let strict = ParseOptions::new().mode(ParseMode::Strict);
    for (path, bytes) in PASSWD {
        let lenient = ParseOptions::new().parse::<User>(bytes).expect(path);
        let strict = strict
            .parse::<User>(bytes)
            .map(|_| ())
            .map_err(|e| e.line());
        assert_eq!(strict, first_malformed(&lenient), "{path}");
    }
    for (path, bytes) in GROUP {
        let lenient = ParseOptions::new().parse::<Group>(bytes).expect(path);
        let strict = strict
            .parse::<Group>(bytes)
            .map(|_| ())
            .map_err(|e| e.line());
        assert_eq!(strict, first_malformed(&lenient), "{path}");
    }
    for (path, bytes) in SUBID {
        let lenient = ParseOptions::new().parse::<SubIdRange>(bytes).expect(path);
        let strict = strict
            .parse::<SubIdRange>(bytes)
            .map(|_| ())
            .map_err(|e| e.line());
        assert_eq!(strict, first_malformed(&lenient), "{path}");
    }
}

fn first_malformed<T>(table: &Table<T>) -> Result<(), Option<usize>> {
    malformed_lines(table)
        .first()
        .map_or(Ok(()), |line| Err(Some(*line)))
}

#[test]
fn moby_odd_entries_passwd_ignores_garbage_and_keeps_numeric_names() {
    let users: Table<User> = parse(&PASSWD, "odd-entries");
    let want = [
        "root",
        "adm",
        "111",
        "odd",
        "2147483647",
        "2147483648",
        "9223372036854775807",
        "user7456",
    ];
    assert_eq!(names(&users, |u| &u.name), want);
    assert_eq!(malformed_lines(&users), [10]);
    assert_eq!(users.skipped_count(SkipKind::Blank), 1);
    let odd = users.by_name("odd").unwrap();
    assert_eq!(
        (odd.uid, odd.gid, odd.home.as_str(), odd.shell.as_str()),
        (111, 112, "/home/odd", "")
    );
    let garbage = users.by_name("111").unwrap();
    assert_eq!(
        (garbage.uid, garbage.home.as_str(), garbage.shell.as_str()),
        (222, "/var/garbage", "")
    );
    assert_eq!(users.all_by_uid(0).count(), 4);
}

#[test]
fn moby_exec_user_vectors_against_the_corpus_files() {
    let users: Table<User> = parse(&PASSWD, "odd-entries");
    let groups: Table<Group> = parse(&GROUP, "64k-line");
    let defaults = ExecUser::new(8888, 8888, "/8888").with_sgids(vec![8888]);
    let d = vec![8888];
    let cases: &[(&str, u32, u32, &[u32], &str)] = &[
        ("root", 0, 0, &[0, 1234], "/root"),
        ("adm", 42, 43, &[1234], "/var/adm"),
        ("root:adm", 0, 43, &d, "/root"),
        ("adm:1234", 42, 1234, &d, "/var/adm"),
        ("42:1234", 42, 1234, &d, "/var/adm"),
        ("1337:1234", 1337, 1234, &d, "/8888"),
        ("1337", 1337, 8888, &d, "/8888"),
        ("", 8888, 8888, &d, "/8888"),
        ("111", 111, 112, &d, "/home/odd"),
        ("111:444", 111, 444, &d, "/home/odd"),
        ("7456", 7456, 100, &[1234, 1000], "/home/user7456"),
        ("7456:2147483647", 7456, 2_147_483_647, &d, "/home/user7456"),
        ("2147483647:43", 2_147_483_647, 43, &d, "/8888"),
        ("2147483647", 2_147_483_647, 8888, &d, "/8888"),
    ];
    for &(spec, uid, gid, sgids, home) in cases {
        let got = user::exec_user(spec, &defaults, Some(&users), Some(&groups)).expect(spec);
        assert_eq!(
            got,
            ExecUser::new(uid, gid, home).with_sgids(sgids.to_vec()),
            "{spec:?}"
        );
    }
}

#[test]
fn moby_invalid_passwd_numeric_names_never_resolve_as_names() {
    let users: Table<User> = parse(&PASSWD, "invalid-negative");
    // "-42:x:12:13:..." starts with '-': a NIS compat (exclusion) line, never a user.
    assert!(users.by_name("-42").is_none());
    assert_eq!(users.skipped_count(SkipKind::NisCompat), 1);
    assert!(users.by_name("9223372036854775808").is_some());
    assert_eq!(malformed_lines(&users), [9]);
    let range = [
        "-42",
        "-43",
        "2147483648",
        "9223372036854775807",
        "9223372036854775808",
    ];
    for spec in range {
        let err = user::exec_user(spec, &ExecUser::default(), Some(&users), None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Range, "{spec:?}");
    }
    let err = user::exec_user("notuser", &ExecUser::default(), Some(&users), None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn shadow_nis_passwd_skips_compat_lines_and_first_duplicate_wins() {
    let users: Table<User> = parse(&PASSWD, "shadow__debian");
    assert_eq!(users.len(), 21);
    assert_eq!(users.skipped_count(SkipKind::NisCompat), 2);
    assert!(users.iter().all(|u| !u.name.starts_with(['+', '-'])));
    assert_eq!(users.by_name("foo").map(|u| u.uid), Some(1000));
    assert_eq!(users.iter().filter(|u| u.name == "foo").count(), 2);
    let gnats = users.by_name("gnats").unwrap();
    assert_eq!(gnats.gecos, "Gnats Bug-Reporting System (admin)");
    assert!(malformed_lines(&users).is_empty());
}

#[test]
fn moby_duplicate_group_first_wins_and_overflow_gid_is_a_range_error() {
    let groups: Table<Group> = parse(&GROUP, "duplicate-name");
    assert_eq!(groups.skipped_count(SkipKind::Blank), 1);
    assert_eq!(malformed_lines(&groups), [9]);
    assert_eq!(groups.iter().filter(|g| g.name == "adm").count(), 2);
    assert_eq!(
        groups.by_name("toolarge").map(|g| g.gid),
        Some(2_147_483_648)
    );
    assert_eq!(
        groups.by_name("9223372036854775808").map(|g| g.gid),
        Some(0)
    );
    let extra = |req: &[&str]| user::additional_groups(req, Some(&groups));
    assert_eq!(extra(&["adm"]).unwrap(), [43]);
    assert_eq!(extra(&["adm", "grp", "43"]).unwrap(), [43, 1234]);
    for bad in ["toolarge", "2147483648", "9223372036854775808", "-1"] {
        assert_eq!(extra(&[bad]).unwrap_err().kind(), ErrorKind::Range, "{bad}");
    }
    assert_eq!(
        extra(&["adm-duplicate"]).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn moby_64k_group_line_without_trailing_newline_is_read_whole() {
    let (_, bytes) = GROUP[1];
    assert!(bytes.len() > 65_536 && !bytes.ends_with(b"\n"));
    let groups: Table<Group> = parse(&GROUP, "64k-line");
    let large = groups.by_name("largegroup").unwrap();
    assert_eq!((large.gid, large.members.len()), (1000, 7500));
    assert_eq!(large.members.last().map(String::as_str), Some("user7500"));
    assert_eq!(groups.by_name("444").map(|g| g.gid), Some(555));
    assert_eq!(
        user::additional_groups(&["largegroup"], Some(&groups)).unwrap(),
        [1000]
    );
}

#[test]
fn shadow_nis_group_skips_the_three_compat_lines() {
    let groups: Table<Group> = parse(&GROUP, "shadow__debian");
    assert_eq!(groups.skipped_count(SkipKind::NisCompat), 3);
    assert_eq!(groups.len(), 42);
    assert!(groups.iter().all(|g| !g.name.starts_with(['+', '-'])));
    assert_eq!(
        groups.by_name("users").map(|g| g.members.clone()),
        Some(vec!["foo".into()])
    );
    assert_eq!(
        groups.by_gid(65534).map(|g| g.name.as_str()),
        Some("nogroup")
    );
}

#[test]
fn shadow_subgid_comments_duplicates_and_overlaps() {
    let ranges: Table<SubIdRange> = parse(&SUBID, "comments-duplicates");
    assert_eq!(ranges.skipped_count(SkipKind::Comment), 4);
    assert_eq!(ranges.len(), 10);
    let foo: Vec<(u32, u32)> = ranges
        .ranges_for("foo", None)
        .iter()
        .map(|r| (r.start, r.count))
        .collect();
    assert_eq!(foo.len(), 8);
    assert_eq!(
        foo[..3],
        [(10_000, 500), (100_000, 10_000), (100_000, 5000)]
    );
    let root: Vec<u32> = ranges
        .ranges_for("root", Some(0))
        .iter()
        .map(|r| r.start)
        .collect();
    assert_eq!(root, [500_000]);
    // "roo" is not "root"; foo's overlapping ranges cannot form a kernel id map.
    assert!(ranges.ranges_for("ro", None).is_empty());
    let err = IdentityMapping::from_sub_ids("foo", None, &ranges, &ranges).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidMap, "{err}");
    let root = IdentityMapping::from_sub_ids("root", None, &ranges, &ranges).unwrap();
    assert_eq!(root.to_host(999, 0).unwrap(), (500_999, 500_000));
}

#[test]
fn shadow_subuid_with_an_empty_start_skips_that_line_or_fails_strictly() {
    let ranges: Table<SubIdRange> = parse(&SUBID, "invalid-empty-start");
    assert_eq!(ranges.entries(), [SubIdRange::new("root", 200_000, 10_000)]);
    assert_eq!(malformed_lines(&ranges), [1]);
    let (_, bytes) = SUBID[1];
    let err = ParseOptions::new()
        .mode(ParseMode::Strict)
        .parse::<SubIdRange>(bytes)
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.line(), err.value()),
        (ErrorKind::Parse, Some(1), Some("root::5000"))
    );
}

#[test]
fn shadow_subuid_owners_match_by_name_or_uid() {
    let ranges: Table<SubIdRange> = parse(&SUBID, "numeric-and-named");
    let starts = |name, uid| -> Vec<u32> {
        ranges
            .ranges_for(name, uid)
            .iter()
            .map(|r| r.start)
            .collect()
    };
    assert_eq!(starts("nobody", Some(65534)), [200_000, 300_000, 400_000]);
    assert_eq!(starts("root", Some(0)), [500_000, 510_000]);
    assert_eq!(starts("root", None), [500_000]);
    assert_eq!(starts("bin", Some(2)), [190_000]);
    assert_eq!(starts("alice", Some(1000)), [100_000]);
}
