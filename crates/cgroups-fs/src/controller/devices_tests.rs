use std::cell::RefCell;
use std::path::PathBuf;

use cgroups_core::{Error, ErrorKind, Result};
use devices::{Emulator, Rule};

use super::{set, target};
use crate::files::Files;

/// A small model of the kernel's v1 devices files, written independently of the
/// emulator: a default behaviour plus a list of exceptions `(type, major, minor,
/// access)`; a write to the file of the exceptions' kind merges into the exception
/// with the same key, the other file removes access from exactly that key, and an
/// `a` line resets. `devices.list` prints the exceptions (or `a *:* rwm`).
struct Kernel {
    default_allow: RefCell<bool>,
    exceptions: RefCell<Vec<(String, String)>>,
    writes: RefCell<Vec<(String, String)>>,
    ignore_writes: bool,
}

impl Kernel {
    fn new(list: &str) -> Kernel {
        let kernel = Kernel {
            default_allow: RefCell::new(false),
            exceptions: RefCell::new(Vec::new()),
            writes: RefCell::new(Vec::new()),
            ignore_writes: false,
        };
        for line in list.lines() {
            kernel.apply("devices.allow", line);
        }
        kernel.writes.borrow_mut().clear();
        kernel
    }

    fn apply(&self, file: &str, line: &str) {
        self.writes
            .borrow_mut()
            .push((file.to_owned(), line.to_owned()));
        let fields: Vec<&str> = line.split([' ', ':']).collect();
        let allow = file == "devices.allow";
        if fields[0] == "a" {
            *self.default_allow.borrow_mut() = allow;
            self.exceptions.borrow_mut().clear();
            return;
        }
        let key = format!("{} {}:{}", fields[0], fields[1], fields[2]);
        let mut list = self.exceptions.borrow_mut();
        let pos = list.iter().position(|(k, _)| *k == key);
        if allow != *self.default_allow.borrow() {
            match pos {
                Some(i) => {
                    let merged: String = "rwm"
                        .chars()
                        .filter(|c| list[i].1.contains(*c) || fields[3].contains(*c))
                        .collect();
                    list[i].1 = merged;
                }
                None => list.push((key, fields[3].to_owned())),
            }
        } else if let Some(i) = pos {
            let left: String = list[i]
                .1
                .chars()
                .filter(|c| !fields[3].contains(*c))
                .collect();
            match left.is_empty() {
                true => {
                    list.remove(i);
                }
                false => list[i].1 = left,
            }
        }
    }

    fn writes(&self) -> Vec<(String, String)> {
        self.writes.borrow().clone()
    }
}

impl Files for Kernel {
    fn dir_path(&self) -> PathBuf {
        PathBuf::from("/sys/fs/cgroup/devices/job")
    }

    fn read(&self, file: &str) -> Result<String> {
        assert_eq!(file, "devices.list");
        if *self.default_allow.borrow() {
            return Ok("a *:* rwm\n".to_owned());
        }
        let list = self.exceptions.borrow();
        Ok(list.iter().map(|(k, a)| format!("{k} {a}\n")).collect())
    }

    fn read_optional(&self, file: &str) -> Result<Option<String>> {
        self.read(file).map(Some)
    }

    fn write(&self, file: &str, value: &str) -> Result<()> {
        assert!(file == "devices.allow" || file == "devices.deny", "{file}");
        if self.ignore_writes {
            return Ok(());
        }
        self.apply(file, value);
        Ok(())
    }

    fn exists(&self, _: &str) -> bool {
        true
    }
}

fn rules(list: &[(&str, bool)]) -> Vec<Rule> {
    list.iter()
        .map(|(t, allow)| Rule::parse(t, *allow).unwrap())
        .collect()
}

fn writes(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, v)| ((*f).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn allow_all_cgroup_is_reset_then_given_its_devices() {
    // TestSetV1Allow of the reference.
    let kernel = Kernel::new("a *:* rwm");
    let target = target(&rules(&[("c 1:5 rwm", true)])).unwrap();
    set(&kernel, &target).unwrap();
    assert_eq!(
        kernel.writes(),
        writes(&[
            ("devices.deny", "a *:* rwm"),
            ("devices.allow", "c 1:5 rwm")
        ])
    );
    assert_eq!(kernel.read("devices.list").unwrap(), "c 1:5 rwm\n");
}

#[test]
fn allow_list_update_writes_only_the_changes_and_no_reset() {
    let kernel = Kernel::new("c 1:3 rwm\nc 1:5 rwm\nc 1:7 rw\n");
    let target = target(&rules(&[
        ("c 1:5 rwm", true),
        ("c 1:7 r", true),
        ("c 1:9 rwm", true),
    ]))
    .unwrap();
    set(&kernel, &target).unwrap();
    assert_eq!(
        kernel.writes(),
        writes(&[
            ("devices.allow", "c 1:9 rwm"),
            ("devices.deny", "c 1:3 rwm"),
            ("devices.deny", "c 1:7 w"),
        ])
    );
    // Applying the same rules again writes nothing.
    set(&kernel, &target).unwrap();
    assert_eq!(kernel.writes().len(), 3);
}

#[test]
fn deny_list_target_resets_to_allow_and_denies() {
    let kernel = Kernel::new("c 1:5 rwm\n");
    let target = target(&rules(&[("a", true), ("c 1:3 rwm", false)])).unwrap();
    set(&kernel, &target).unwrap();
    assert_eq!(
        kernel.writes(),
        writes(&[
            ("devices.allow", "a *:* rwm"),
            ("devices.deny", "c 1:3 rwm")
        ])
    );
}

#[test]
fn empty_rule_list_denies_every_device() {
    let kernel = Kernel::new("a *:* rwm");
    set(&kernel, &target(&[]).unwrap()).unwrap();
    assert_eq!(kernel.writes(), writes(&[("devices.deny", "a *:* rwm")]));
    assert_eq!(kernel.read("devices.list").unwrap(), "");
}

#[test]
fn a_list_that_does_not_follow_the_writes_is_an_error() {
    let mut kernel = Kernel::new("c 1:3 rwm\n");
    kernel.ignore_writes = true;
    let target = target(&rules(&[("c 1:5 rwm", true)])).unwrap();
    let err: Error = set(&kernel, &target).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::KernelRefused);
    assert_eq!(err.value(), Some("c 1:3 rwm"));
    assert!(err.to_string().contains("devices.list"), "{err}");
}

#[test]
fn wildcard_holes_are_refused_before_any_write() {
    let err = target(&rules(&[("c *:* m", true), ("c 1:3 m", false)])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert_eq!(err.field(), Some("devices"));
    assert_eq!(err.value(), Some("deny c 1:3 m"));
}

#[test]
fn unreadable_list_is_a_parse_error_naming_the_file() {
    struct Garbage;
    impl Files for Garbage {
        fn dir_path(&self) -> PathBuf {
            PathBuf::from("/x")
        }
        fn read(&self, _: &str) -> Result<String> {
            Ok("q 1:3 rwm\n".to_owned())
        }
        fn read_optional(&self, _: &str) -> Result<Option<String>> {
            Ok(None)
        }
        fn write(&self, _: &str, _: &str) -> Result<()> {
            panic!("nothing may be written")
        }
        fn exists(&self, _: &str) -> bool {
            true
        }
    }
    let err = set(&Garbage, &Emulator::deny_all()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert_eq!(err.path(), Some(PathBuf::from("/x/devices.list").as_path()));
}
