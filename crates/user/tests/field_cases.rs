//! Field cases C30 and C31 of the project's case list, with their inputs exactly as
//! written there.

use user::{ErrorKind, ExecUser, ParseMode, ParseOptions, SkipKind, Table, User};

/// C31: comments, blank lines, NIS `+`/`-` lines and malformed lines in passwd.
const C31_PASSWD: &str = r"# local accounts
root:x:0:0:root:/root:/bin/sh

   daemon:x:1:1::/usr/sbin:/usr/sbin/nologin
+@netadmins::::::
-guest::::::
+
broken line without colons
web:x:notanumber:33::/var/www:/bin/sh
app:x:1500:1500::/home/app:/bin/sh
";

fn c31() -> Table<User> {
    user::parse_passwd(C31_PASSWD.as_bytes()).unwrap()
}

#[test]
fn c31_users_are_root_daemon_and_app_only() {
    let users = c31();
    let got: Vec<(&str, u32)> = users.iter().map(|u| (u.name.as_str(), u.uid)).collect();
    assert_eq!(got, [("root", 0), ("daemon", 1), ("app", 1500)]);
    assert_eq!(users.skipped_count(SkipKind::Comment), 1);
    assert_eq!(users.skipped_count(SkipKind::Blank), 1);
    assert_eq!(users.skipped_count(SkipKind::NisCompat), 3);
    assert_eq!(users.skipped_count(SkipKind::Malformed), 2);
}

#[test]
fn c31_uid_0_is_root_only_and_uid_33_is_nobody() {
    let users = c31();
    let uid0: Vec<&str> = users.all_by_uid(0).map(|u| u.name.as_str()).collect();
    assert_eq!(uid0, ["root"]);
    assert!(users.by_uid(33).is_none());
    assert!(users.iter().all(|u| u.uid != 0 || u.name == "root"));
}

#[test]
fn c31_garbage_names_do_not_resolve_and_uid_33_keeps_the_defaults() {
    let users = c31();
    let d = ExecUser::default();
    for name in [
        "web",
        "broken line without colons",
        "+",
        "+@netadmins",
        "guest",
    ] {
        let err = user::exec_user(name, &d, Some(&users), None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{name:?}");
    }
    let got = user::exec_user("33", &d, Some(&users), None).unwrap();
    assert_eq!(got, ExecUser::new(33, 0, "/"));
    let got = user::exec_user("daemon", &d, Some(&users), None).unwrap();
    assert_eq!(got, ExecUser::new(1, 1, "/usr/sbin"));
}

#[test]
fn c31_strict_mode_stops_at_the_first_malformed_line() {
    let strict = ParseOptions::new()
        .mode(ParseMode::Strict)
        .source("/etc/passwd");
    let err = strict.parse::<User>(C31_PASSWD.as_bytes()).unwrap_err();
    assert_eq!((err.kind(), err.line()), (ErrorKind::Parse, Some(8)));
    assert_eq!(err.value(), Some("broken line without colons"));
}

/// C30: a group line of about 120 KB (10 000 members), then more groups.
fn c30_group() -> String {
    let members: Vec<String> = (1..=10_000).map(|i| format!("member{i:05}")).collect();
    format!(
        "root:x:0:root\nusers:x:100:\nbulk:x:2000:{}\ntail:x:3000:member07456\n",
        members.join(",")
    )
}

const C30_PASSWD: &str = "root:x:0:0:root:/root:/bin/sh
member07456:x:7456:100::/home/member07456:/bin/sh
";

#[test]
fn c30_member_of_a_120_kb_group_line_resolves_with_the_groups_after_it() {
    let group_text = c30_group();
    assert!((110_000..130_000).contains(&group_text.lines().nth(2).unwrap().len()));
    let passwd = user::parse_passwd(C30_PASSWD.as_bytes()).unwrap();
    let group = user::parse_group(group_text.as_bytes()).unwrap();
    let got = user::exec_user(
        "member07456",
        &ExecUser::default(),
        Some(&passwd),
        Some(&group),
    );
    let want = ExecUser::new(7456, 100, "/home/member07456").with_sgids(vec![2000, 3000]);
    assert_eq!(got.unwrap(), want);
}

#[test]
fn c30_only_the_whole_file_is_capped() {
    let group_text = c30_group();
    let len = group_text.len() as u64;
    let exact = ParseOptions::new().max_bytes(len).source("/etc/group");
    assert_eq!(
        exact
            .parse::<user::Group>(group_text.as_bytes())
            .unwrap()
            .len(),
        4
    );
    let short = exact.max_bytes(len - 1);
    let err = short
        .parse::<user::Group>(group_text.as_bytes())
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.file()),
        (ErrorKind::TooLarge, Some("/etc/group"))
    );
    assert!(err.to_string().contains(&(len - 1).to_string()), "{err}");
}
