//! The cgroup v1 devices controller as pure logic: its state, how rules change it,
//! what it decides, and the minimal rule list that turns one state into another.
//!
//! See [`Emulator`] for the kernel semantics it follows.

use std::collections::{BTreeMap, BTreeSet};

use crate::access::Access;
use crate::error::{Error, ErrorKind, Result};
use crate::rule::{DeviceType, Rule};

/// Which devices an exception covers. Ordered like the reference's output: by major,
/// then minor, then type, with the wildcard before any number and `b` before `c`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Key {
    major: Option<u32>,
    minor: Option<u32>,
    kind: DeviceType,
}

impl Key {
    fn of(rule: &Rule) -> Key {
        Key {
            major: rule.major,
            minor: rule.minor,
            kind: rule.kind,
        }
    }

    fn rule(self, access: Access, allow: bool) -> Rule {
        Rule {
            kind: self.kind,
            major: self.major,
            minor: self.minor,
            access,
            allow,
        }
    }

    fn covers(self, kind: DeviceType, major: u32, minor: u32) -> bool {
        self.kind == kind
            && self.major.is_none_or(|m| m == major)
            && self.minor.is_none_or(|m| m == minor)
    }
}

/// The state of one cgroup v1 devices controller: its mode and its exceptions.
///
/// The kernel (`security/device_cgroup.c`) keeps, per cgroup, a *default behaviour*
/// and a list of *exceptions*:
///
/// - **allow-list mode** (default deny): every device is denied except the
///   exceptions, each of which allows some accesses. An exception must cover the
///   whole requested access on its own (`c 1:5 r` lets `/dev/zero` open for reading,
///   not for reading and writing).
/// - **deny-list mode** (default allow): every device is allowed except the
///   exceptions; a request is denied as soon as one matching exception shares one
///   access with it.
///
/// A rule of type `a` resets the cgroup: `allow a` to deny-list mode with no
/// exceptions (everything allowed), `deny a` to allow-list mode with none
/// (everything denied). A rule that agrees with the mode's exceptions (an allow in
/// allow-list mode, a deny in deny-list mode) adds an exception, merging the access
/// of an exception with the same type and numbers. A rule against them removes
/// access from the exception with *exactly* the same type and numbers; the kernel
/// never narrows a wildcard exception, so `deny c 1:3 r` next to an allowed `c 1:* r`
/// would silently change nothing. [`Emulator::apply`] refuses such a rule
/// ([`ErrorKind::WildcardHole`], C29 R6) instead of pretending it worked.
///
/// `devices.list` shows the exceptions of an allow-list cgroup, one per line, but
/// only `a *:* rwm` for a deny-list cgroup (its exceptions cannot be read back).
///
/// ```
/// use devices::{Access, DeviceType, Emulator, Rule};
///
/// // What the kernel shows for a container with /dev/null and /dev/zero:
/// let current = Emulator::from_list("c 1:3 rwm\nc 1:5 rwm\n")?;
/// assert!(current.permits(DeviceType::Char, 1, 3, Access::READ | Access::WRITE));
/// assert!(!current.permits(DeviceType::Block, 8, 0, Access::READ));
///
/// // The update: keep /dev/zero, drop /dev/null, add /dev/full read-only.
/// let target = Emulator::from_rules(&[
///     "c 1:5 rwm".parse::<Rule>()?,
///     "c 1:7 r".parse::<Rule>()?,
/// ])?;
/// let steps: Vec<String> = current
///     .transition(&target)
///     .iter()
///     .map(|r| format!("{} {r}", if r.allow { "allow" } else { "deny" }))
///     .collect();
/// // No "a" reset: /dev/zero stays open throughout.
/// assert_eq!(steps, ["allow c 1:7 r", "deny c 1:3 rwm"]);
/// # Ok::<(), devices::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Emulator {
    /// `true`: deny-list mode (default allow); `false`: allow-list mode.
    default_allow: bool,
    exceptions: BTreeMap<Key, Access>,
}

impl Emulator {
    /// Allow-list mode with no exceptions: every device denied (the state after
    /// `deny a`). The same as [`Emulator::default`].
    pub fn deny_all() -> Emulator {
        Emulator::default()
    }

    /// Deny-list mode with no exceptions: every device allowed (the state of a
    /// hierarchy root, and after `allow a`).
    pub fn allow_all() -> Emulator {
        Emulator {
            default_allow: true,
            exceptions: BTreeMap::new(),
        }
    }

    /// The state that `rules` produce when applied in order to [`Emulator::deny_all`]
    /// (the starting point of a container's rules: an empty list denies every
    /// device).
    ///
    /// # Errors
    ///
    /// As [`Emulator::apply`].
    pub fn from_rules<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> Result<Emulator> {
        let mut emulator = Emulator::deny_all();
        for rule in rules {
            emulator.apply(rule)?;
        }
        Ok(emulator)
    }

    /// The state shown by a cgroup's `devices.list`.
    ///
    /// Each line is `<type> <major>:<minor> <access>` exactly as the kernel prints it
    /// (four fields separated by one space or `:`); empty lines are skipped. A line
    /// of type `a` means deny-list mode: the kernel prints nothing else then.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BadList`] for a line without four fields; the parse errors of
    /// [`Rule::parse`] for bad fields, and [`ErrorKind::NotForCgroup`] for a FIFO
    /// line. The error's [`input`](Error::input) is the line.
    pub fn from_list(text: &str) -> Result<Emulator> {
        let mut emulator = Emulator::deny_all();
        for line in text.lines() {
            if line.is_empty() {
                continue;
            }
            if line.split([' ', ':']).count() != 4 {
                let problem = "expected four fields, `<type> <major>:<minor> <access>`";
                return Err(Error::new(ErrorKind::BadList, line, problem));
            }
            let rule = Rule::parse(line, true)?;
            emulator.apply_as_kernel(&rule)?;
        }
        Ok(emulator)
    }

    /// Applies one rule with the kernel's semantics (see [`Emulator`]).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotForCgroup`] / [`ErrorKind::EmptyAccess`] for a rule the
    /// controller cannot enforce ([`Rule::validate_for_cgroup`]);
    /// [`ErrorKind::WildcardHole`] for a rule that would have to narrow a wildcard
    /// exception sharing an access with it (the kernel would ignore it). The state is
    /// unchanged on error.
    pub fn apply(&mut self, rule: &Rule) -> Result<()> {
        self.apply_checked(rule, true)
    }

    /// Applies `rule` exactly as the kernel does: a rule against the exceptions
    /// removes access from the exception with the same key only, and never fails
    /// because of a wildcard (it then simply leaves the wildcard in place). This is
    /// how the kernel applies the rules of a [`transition`](Self::transition).
    pub(crate) fn apply_as_kernel(&mut self, rule: &Rule) -> Result<()> {
        self.apply_checked(rule, false)
    }

    fn apply_checked(&mut self, rule: &Rule, refuse_holes: bool) -> Result<()> {
        rule.validate_for_cgroup()?;
        if rule.kind == DeviceType::All {
            self.default_allow = rule.allow;
            self.exceptions.clear();
            return Ok(());
        }
        let key = Key::of(rule);
        if rule.allow != self.default_allow {
            *self.exceptions.entry(key).or_insert(Access::empty()) |= rule.access;
            return Ok(());
        }
        if refuse_holes {
            self.refuse_hole(rule, key)?;
        }
        if let Some(access) = self.exceptions.get_mut(&key) {
            access.remove(rule.access);
            if access.is_empty() {
                self.exceptions.remove(&key);
            }
        }
        Ok(())
    }

    /// The wildcard exceptions that contain `key` without being it; one that shares
    /// an access with `rule` cannot be narrowed.
    fn refuse_hole(&self, rule: &Rule, key: Key) -> Result<()> {
        let wider = [
            Key { major: None, ..key },
            Key { minor: None, ..key },
            Key {
                major: None,
                minor: None,
                ..key
            },
        ];
        for wide in wider.into_iter().filter(|w| *w != key) {
            let Some(&access) = self.exceptions.get(&wide) else {
                continue;
            };
            if access.intersects(rule.access) {
                let (verb, mode) = match rule.allow {
                    true => ("allow", "denied"),
                    false => ("deny", "allowed"),
                };
                let problem = format!(
                    "`{}` is {mode} as a whole; the kernel cannot {verb} part of it and \
                     would silently ignore this rule. List the devices one by one \
                     instead of the wildcard, or drop the wildcard first",
                    wide.rule(access, !rule.allow)
                );
                let input = format!("{verb} {rule}");
                return Err(Error::new(ErrorKind::WildcardHole, &input, problem));
            }
        }
        Ok(())
    }

    /// Whether the cgroup is in allow-list mode (everything not listed is denied).
    pub fn is_allow_list(&self) -> bool {
        !self.default_allow
    }

    /// Whether every device is allowed (deny-list mode with no exceptions).
    pub fn allows_everything(&self) -> bool {
        self.default_allow && self.exceptions.is_empty()
    }

    /// The kernel's decision for a process asking for `access` to device
    /// `major:minor` of type `kind` (`access` may be empty, as for a permission
    /// probe that neither reads nor writes).
    ///
    /// Only [`DeviceType::Block`] and [`DeviceType::Char`] are devices the cgroup
    /// decides on: a [`DeviceType::Fifo`] is always permitted (the controller does
    /// not look at it) and [`DeviceType::All`], which names no single device, never.
    pub fn permits(&self, kind: DeviceType, major: u32, minor: u32, access: Access) -> bool {
        match kind {
            DeviceType::Block | DeviceType::Char => {}
            DeviceType::Fifo => return true,
            DeviceType::All => return false,
        }
        let mut matching = self
            .exceptions
            .iter()
            .filter(|(key, _)| key.covers(kind, major, minor));
        match self.default_allow {
            true => !matching.any(|(_, denied)| denied.intersects(access)),
            false => matching.any(|(_, allowed)| allowed.contains(access)),
        }
    }

    /// The rules that turn this state into `target` when written in order to
    /// `devices.allow` (allow rules) and `devices.deny` (deny rules).
    ///
    /// When both are in allow-list mode the list is minimal and has no `a` reset:
    /// each exception goes from its old access through the access it keeps to its
    /// new access, never through more than either state grants. So no request that
    /// both states deny is allowed at any step. The order also keeps every request
    /// that both states allow, unless all the exceptions covering it in both states
    /// lose one access and gain another: first the exceptions that only gain
    /// (allow rules), then those that lose and gain (a deny then an allow each),
    /// last those that only lose (deny rules); by key order within each group. (The
    /// Go reference emits all losses, then all gains: `c 1:* r` → `c 1:5 r` there
    /// passes through "/dev/zero denied".)
    ///
    /// Otherwise the list starts with one `a` rule that resets the cgroup to
    /// `target`'s mode, then lists `target`'s exceptions: the kernel cannot change
    /// the mode any other way, and the exceptions of a deny-list cgroup cannot be
    /// read back from `devices.list` so they must be rebuilt. Such a reset briefly
    /// allows (deny-list target) or denies (allow-list target) everything.
    pub fn transition(&self, target: &Emulator) -> Vec<Rule> {
        let mut rules = Vec::new();
        let empty = BTreeMap::new();
        let source = match self.default_allow || self.default_allow != target.default_allow {
            true => {
                rules.push(Rule::every_device(target.default_allow));
                &empty
            }
            false => &self.exceptions,
        };
        let (mut gain_only, mut both, mut drop_only) = (Vec::new(), Vec::new(), Vec::new());
        let keys: BTreeSet<Key> = source
            .keys()
            .chain(target.exceptions.keys())
            .copied()
            .collect();
        for key in keys {
            let old = source.get(&key).copied().unwrap_or(Access::empty());
            let new = target
                .exceptions
                .get(&key)
                .copied()
                .unwrap_or(Access::empty());
            let (dropped, gained) = (old - new, new - old);
            let drop = (!dropped.is_empty()).then(|| key.rule(dropped, target.default_allow));
            let gain = (!gained.is_empty()).then(|| key.rule(gained, !target.default_allow));
            match (drop, gain) {
                (None, Some(gain)) => gain_only.push(gain),
                (Some(drop), Some(gain)) => both.extend([drop, gain]),
                (Some(drop), None) => drop_only.push(drop),
                (None, None) => {}
            }
        }
        rules.extend(gain_only);
        rules.extend(both);
        rules.extend(drop_only);
        rules
    }

    /// The rules that build this state from scratch: for allow-list mode its
    /// exceptions as allow rules; for deny-list mode `allow a *:* rwm` followed by
    /// its exceptions as deny rules. Sorted by major, minor, type (wildcards first).
    pub fn rules(&self) -> Vec<Rule> {
        Emulator::deny_all().transition(self)
    }
}

#[cfg(test)]
#[path = "emulator_tests.rs"]
mod tests;
