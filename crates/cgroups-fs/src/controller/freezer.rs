//! v1 `freezer`: `freezer.state` and `freezer.self_freezing` (C24).
//!
//! Freezing: write `FROZEN`, read the state back; while it reads `FREEZING`, write
//! `FROZEN` again (a task in uninterruptible sleep can keep the cgroup there, and a
//! new write makes the kernel retry). Every 25th try pauses 10 µs; every 50th try
//! first writes `THAWED` and pauses 10 ms so that stuck tasks can run and reach a
//! freezable point. After 1000 tries the cgroup is thawed and the call fails with
//! [`ErrorKind::Timeout`]; any other failure also thaws: a cgroup is never left
//! `FREEZING`. Thawing is a single write.
//!
//! Reading the state: `THAWED` → thawed; `FROZEN` → frozen, unless
//! `freezer.self_freezing` reads 0 (only an ancestor is frozen: this cgroup was not
//! asked to freeze, so it reports thawed); `FREEZING` → [`FreezerState::Undefined`]
//! at once (no waiting loop, so a stuck freeze can be retried and a query never
//! hangs); a vanished cgroup → `Undefined`.

use std::time::Duration;

use cgroups_core::{Error, ErrorKind, FreezerState, Result};

use crate::files::Files;

const STATE: &str = "freezer.state";
const SELF_FREEZING: &str = "freezer.self_freezing";

/// How many times `FROZEN` is written before giving up.
pub(crate) const FREEZE_TRIES: u32 = 1000;

/// The freezer files of one cgroup, and time: what the freeze loop acts on.
pub(crate) trait FreezerIo {
    /// Writes `freezer.state`.
    fn write_state(&self, state: &str) -> Result<()>;
    /// Reads `freezer.state`.
    fn read_state(&self) -> Result<String>;
    /// Reads `freezer.self_freezing`; `None` when the kernel has no such file.
    fn read_self_freezing(&self) -> Result<Option<String>>;
    /// Sleeps.
    fn pause(&self, duration: Duration);
    /// The file, for messages.
    fn state_path(&self) -> std::path::PathBuf;
}

/// [`FreezerIo`] on real files with real sleeps.
pub(crate) struct FreezerFiles<'a>(pub(crate) &'a dyn Files);

impl FreezerIo for FreezerFiles<'_> {
    fn write_state(&self, state: &str) -> Result<()> {
        self.0.write(STATE, state)
    }

    fn read_state(&self) -> Result<String> {
        self.0.read(STATE)
    }

    fn read_self_freezing(&self) -> Result<Option<String>> {
        self.0.read_optional(SELF_FREEZING)
    }

    fn pause(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn state_path(&self) -> std::path::PathBuf {
        self.0.dir_path().join(STATE)
    }
}

/// Applies a requested state: `Frozen` freezes (and waits), `Thawed` thaws.
/// `Undefined` is not a state one can ask for and is refused.
pub(crate) fn set(io: &dyn FreezerIo, state: FreezerState) -> Result<()> {
    match state {
        FreezerState::Frozen => freeze(io),
        FreezerState::Thawed => thaw(io),
        _ => Err(Error::new(
            ErrorKind::InvalidValue,
            "the freezer can only be set to Frozen or Thawed",
        )
        .with_field("freezer")
        .with_value(format!("{state:?}"))),
    }
}

/// Thaws: one write of `THAWED`.
pub(crate) fn thaw(io: &dyn FreezerIo) -> Result<()> {
    io.write_state("THAWED")
}

/// Freezes and waits until the kernel reports `FROZEN`; thaws again on failure.
pub(crate) fn freeze(io: &dyn FreezerIo) -> Result<()> {
    let result = freeze_loop(io);
    if result.is_err()
        && let Err(e) = io.write_state("THAWED")
    {
        log::warn!("freezer: could not thaw after a failed freeze: {e}");
    }
    result
}

fn freeze_loop(io: &dyn FreezerIo) -> Result<()> {
    for i in 0..FREEZE_TRIES {
        if i % 50 == 49 {
            io.write_state("THAWED")?;
            io.pause(Duration::from_millis(10));
        }
        io.write_state("FROZEN")?;
        if i % 25 == 24 {
            io.pause(Duration::from_micros(10));
        }
        let state = io.read_state()?;
        match state.trim() {
            "FREEZING" => continue,
            "FROZEN" => return Ok(()),
            other => {
                return Err(Error::new(
                    ErrorKind::KernelRefused,
                    format!("unexpected freezer state {other} after writing FROZEN"),
                )
                .with_path(io.state_path())
                .with_value(other.to_owned())
                .with_hint("another agent may be thawing this cgroup; try again"));
            }
        }
    }
    Err(Error::new(
        ErrorKind::Timeout,
        format!("unable to freeze: still FREEZING after {FREEZE_TRIES} tries; thawed again"),
    )
    .with_path(io.state_path())
    .with_hint("a task is stuck in uninterruptible sleep (D state); retry later"))
}

/// Reads the current state (see the module page).
pub(crate) fn state(io: &dyn FreezerIo) -> Result<FreezerState> {
    let text = match io.read_state() {
        Ok(text) => text,
        Err(e) if e.is_not_found() => return Ok(FreezerState::Undefined),
        Err(e) => return Err(e),
    };
    match text.trim() {
        "THAWED" => Ok(FreezerState::Thawed),
        "FREEZING" => Ok(FreezerState::Undefined),
        "FROZEN" => match io.read_self_freezing()?.as_deref().map(str::trim) {
            None | Some("1") => Ok(FreezerState::Frozen),
            Some("0") => Ok(FreezerState::Thawed),
            Some(other) => Err(parse_error(io, SELF_FREEZING, other)),
        },
        other => Err(parse_error(io, STATE, other)),
    }
}

fn parse_error(io: &dyn FreezerIo, file: &str, value: &str) -> Error {
    let path = io.state_path().with_file_name(file);
    Error::new(ErrorKind::Parse, format!("unexpected content in {file}"))
        .with_path(path)
        .with_value(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::VecDeque;

    /// Scripted reads of freezer.state; records writes and pauses.
    struct Script {
        reads: RefCell<VecDeque<Result<String>>>,
        self_freezing: Option<String>,
        writes: RefCell<Vec<String>>,
        pauses: RefCell<Vec<Duration>>,
    }

    impl Script {
        fn new(reads: Vec<&str>) -> Script {
            Script {
                reads: RefCell::new(reads.into_iter().map(|r| Ok(r.to_owned())).collect()),
                self_freezing: None,
                writes: RefCell::new(Vec::new()),
                pauses: RefCell::new(Vec::new()),
            }
        }

        fn writes_of(&self, state: &str) -> usize {
            self.writes.borrow().iter().filter(|w| *w == state).count()
        }
    }

    impl FreezerIo for Script {
        fn write_state(&self, state: &str) -> Result<()> {
            self.writes.borrow_mut().push(state.to_owned());
            Ok(())
        }

        fn read_state(&self) -> Result<String> {
            self.reads.borrow_mut().pop_front().unwrap_or_else(|| {
                Err(Error::from_errno(
                    "read",
                    "/fake/freezer.state",
                    rustix::io::Errno::NODEV.raw_os_error(),
                ))
            })
        }

        fn read_self_freezing(&self) -> Result<Option<String>> {
            Ok(self.self_freezing.clone())
        }

        fn pause(&self, duration: Duration) {
            self.pauses.borrow_mut().push(duration);
        }

        fn state_path(&self) -> std::path::PathBuf {
            "/fake/freezer/c/freezer.state".into()
        }
    }

    #[test]
    fn freezing_twice_then_frozen_succeeds_after_three_writes() {
        let s = Script::new(vec!["FREEZING\n", "FREEZING\n", "FROZEN\n"]);
        freeze(&s).unwrap();
        assert_eq!(*s.writes.borrow(), ["FROZEN", "FROZEN", "FROZEN"]);
    }

    #[test]
    fn stuck_freezing_gives_up_after_the_budget_and_thaws() {
        let s = Script::new(vec!["FREEZING\n"; FREEZE_TRIES as usize]);
        let err = freeze(&s).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert!(err.to_string().contains("unable to freeze"), "{err}");
        assert_eq!(s.writes_of("FROZEN"), FREEZE_TRIES as usize);
        assert_eq!(s.writes.borrow().last().map(String::as_str), Some("THAWED"));
        // Every 50th try thawed first: 20 of those, plus the final thaw.
        assert_eq!(s.writes_of("THAWED"), 21);
        let pauses = s.pauses.borrow();
        assert_eq!(
            pauses
                .iter()
                .filter(|p| **p == Duration::from_millis(10))
                .count(),
            20
        );
        assert_eq!(
            pauses
                .iter()
                .filter(|p| **p == Duration::from_micros(10))
                .count(),
            40
        );
    }

    #[test]
    fn thawed_after_freezing_is_an_unexpected_state_and_thaws() {
        let s = Script::new(vec!["THAWED\n"]);
        let err = freeze(&s).unwrap_err();
        assert!(
            err.to_string().contains("unexpected freezer state THAWED"),
            "{err}"
        );
        assert_eq!(*s.writes.borrow(), ["FROZEN", "THAWED"]);
    }

    #[test]
    fn a_vanished_cgroup_during_freeze_is_an_error_not_a_hang() {
        let s = Script::new(vec!["FREEZING\n"]);
        let err = freeze(&s).unwrap_err();
        assert!(err.is_not_found());
    }

    #[test]
    fn thaw_is_a_single_write_without_reading_back() {
        let s = Script::new(vec![]);
        thaw(&s).unwrap();
        assert_eq!(*s.writes.borrow(), ["THAWED"]);
        assert!(s.reads.borrow().is_empty());
    }

    #[test]
    fn undefined_cannot_be_requested() {
        let s = Script::new(vec![]);
        let err = set(&s, FreezerState::Undefined).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert!(s.writes.borrow().is_empty());
    }

    #[test]
    fn state_reads_thawed_and_frozen() {
        assert_eq!(
            state(&Script::new(vec!["THAWED\n"])).unwrap(),
            FreezerState::Thawed
        );
        assert_eq!(
            state(&Script::new(vec!["FROZEN\n"])).unwrap(),
            FreezerState::Frozen
        );
    }

    #[test]
    fn frozen_only_by_an_ancestor_reads_as_thawed() {
        let mut s = Script::new(vec!["FROZEN\n"]);
        s.self_freezing = Some("0\n".to_owned());
        assert_eq!(state(&s).unwrap(), FreezerState::Thawed);
        let mut s = Script::new(vec!["FROZEN\n"]);
        s.self_freezing = Some("1\n".to_owned());
        assert_eq!(state(&s).unwrap(), FreezerState::Frozen);
        let mut s = Script::new(vec!["FROZEN\n"]);
        s.self_freezing = Some("2\n".to_owned());
        assert_eq!(state(&s).unwrap_err().kind(), ErrorKind::Parse);
    }

    #[test]
    fn freezing_state_is_reported_without_waiting() {
        let s = Script::new(vec!["FREEZING\n", "FROZEN\n"]);
        assert_eq!(state(&s).unwrap(), FreezerState::Undefined);
        assert!(s.pauses.borrow().is_empty());
    }

    #[test]
    fn vanished_cgroup_state_is_undefined() {
        assert_eq!(
            state(&Script::new(vec![])).unwrap(),
            FreezerState::Undefined
        );
    }

    #[test]
    fn garbage_state_is_a_parse_error() {
        assert_eq!(
            state(&Script::new(vec!["MELTED"])).unwrap_err().kind(),
            ErrorKind::Parse
        );
    }
}
