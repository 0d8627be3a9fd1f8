//! [`MemoryStat`]: the whole of `memory.stat`, known keys by name and the rest.

use crate::model::memory_stat_keys::{KEY_COUNT, MemoryStatKey};

/// The content of `memory.stat`: every line, kept without allocating per read.
///
/// Known keys ([`MemoryStatKey`]) are looked up with [`get`](Self::get); v1's
/// hierarchical `total_<key>` lines with [`total`](Self::total); keys this crate
/// does not know (newer kernels) with [`others`](Self::others). Values are as the
/// kernel prints them: bytes for sizes, counts for events, except that a
/// negative value (a kernel accounting race) reads as 0 (C14).
///
/// With `serde` it serializes as one map of every line, `name → value`, like the
/// Go reference's `stats` map.
#[derive(Clone)]
pub struct MemoryStat {
    values: [Option<u64>; KEY_COUNT],
    totals: [Option<u64>; KEY_COUNT],
    other_names: String,
    others: Vec<(u32, u32, u64)>,
    /// The key found on each line last time: the kernel prints the same keys in
    /// the same order, so the next parse checks one name per line.
    hints: Vec<Hint>,
}

/// What line `n` held last time.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hint {
    Value(MemoryStatKey),
    Total(MemoryStatKey),
    Other,
}

impl Default for MemoryStat {
    fn default() -> MemoryStat {
        MemoryStat {
            values: [None; KEY_COUNT],
            totals: [None; KEY_COUNT],
            other_names: String::new(),
            others: Vec::new(),
            hints: Vec::new(),
        }
    }
}

impl MemoryStat {
    /// The value of a known key; `None` when this kernel does not print it.
    pub fn get(&self, key: MemoryStatKey) -> Option<u64> {
        self.values[key as usize]
    }

    /// v1 only: the hierarchical `total_<key>` value.
    pub fn total(&self, key: MemoryStatKey) -> Option<u64> {
        self.totals[key as usize]
    }

    /// Any line by its name as printed (`"anon"`, `"total_rss"`, `"zswpwb"`).
    pub fn get_by_name(&self, name: &str) -> Option<u64> {
        if let Some(key) = MemoryStatKey::from_name(name.as_bytes()) {
            return self.get(key);
        }
        let total = name.strip_prefix("total_").map(str::as_bytes);
        if let Some(key) = total.and_then(MemoryStatKey::from_name) {
            return self.total(key);
        }
        self.others().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Lines whose key this crate does not know, in file order.
    pub fn others(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        let names = &self.other_names;
        let at = |s: u32, e: u32| names.get(s as usize..e as usize).unwrap_or("");
        self.others.iter().map(move |&(s, e, v)| (at(s, e), v))
    }

    /// Every line as `(name, value)`: known keys, then `total_*`, then the others.
    pub fn iter(&self) -> impl Iterator<Item = (MemoryStatName<'_>, u64)> + '_ {
        let keys = MemoryStatKey::ALL.iter().copied();
        let known = keys
            .clone()
            .filter_map(|k| self.get(k).map(|v| (MemoryStatName::Known(k), v)));
        let totals = keys.filter_map(|k| self.total(k).map(|v| (MemoryStatName::Total(k), v)));
        let others = self.others().map(|(n, v)| (MemoryStatName::Other(n), v));
        known.chain(totals).chain(others)
    }

    /// Number of lines held.
    pub fn len(&self) -> usize {
        let count = |a: &[Option<u64>]| a.iter().filter(|v| v.is_some()).count();
        count(&self.values) + count(&self.totals) + self.others.len()
    }

    /// Whether no line is held (`memory.stat` was not read or was empty).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn clear(&mut self) {
        self.values = [None; KEY_COUNT];
        self.totals = [None; KEY_COUNT];
        self.other_names.clear();
        self.others.clear();
    }

    /// Stores line number `index` (0-based among non-blank lines); the first
    /// occurrence of a name wins.
    pub(crate) fn set(&mut self, index: usize, name: &[u8], value: u64) {
        let hint = match self.hints.get(index) {
            Some(&h) if hint_matches(h, name) => h,
            _ => {
                let h = lookup(name);
                if index < self.hints.len() {
                    self.hints[index] = h;
                } else if index == self.hints.len() {
                    self.hints.push(h);
                }
                h
            }
        };
        match hint {
            Hint::Value(key) => _ = self.values[key as usize].get_or_insert(value),
            Hint::Total(key) => _ = self.totals[key as usize].get_or_insert(value),
            Hint::Other => self.push_other(name, value),
        }
    }

    fn push_other(&mut self, name: &[u8], value: u64) {
        // Names come from a kernel file; anything not UTF-8 is shown lossily.
        let start = self.other_names.len();
        match std::str::from_utf8(name) {
            Ok(name) => self.other_names.push_str(name),
            Err(_) => self.other_names.push_str(&String::from_utf8_lossy(name)),
        }
        let end = self.other_names.len();
        let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end)) else {
            return;
        };
        self.others.push((start, end, value));
    }
}

fn lookup(name: &[u8]) -> Hint {
    if let Some(key) = MemoryStatKey::from_name(name) {
        return Hint::Value(key);
    }
    let total = name.strip_prefix(b"total_");
    match total.and_then(MemoryStatKey::from_name) {
        Some(key) => Hint::Total(key),
        None => Hint::Other,
    }
}

fn hint_matches(hint: Hint, name: &[u8]) -> bool {
    match hint {
        Hint::Value(key) => key.name().as_bytes() == name,
        Hint::Total(key) => name.strip_prefix(b"total_") == Some(key.name().as_bytes()),
        Hint::Other => lookup(name) == Hint::Other,
    }
}

/// The name of a `memory.stat` line, as [`MemoryStat::iter`] gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryStatName<'a> {
    /// A known key.
    Known(MemoryStatKey),
    /// v1 `total_<key>` of a known key.
    Total(MemoryStatKey),
    /// A key this crate does not know.
    Other(&'a str),
}

impl std::fmt::Display for MemoryStatName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MemoryStatName::Known(k) => f.write_str(k.name()),
            MemoryStatName::Total(k) => write!(f, "total_{}", k.name()),
            MemoryStatName::Other(n) => f.write_str(n),
        }
    }
}

impl std::fmt::Debug for MemoryStat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.iter() {
            map.entry(&format_args!("{name}"), &value);
        }
        map.finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for MemoryStat {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.len()))?;
        for (name, value) in self.iter() {
            map.serialize_entry(&format_args!("{name}"), &value)?;
        }
        map.end()
    }
}

impl PartialEq for MemoryStat {
    /// Equal when they hold the same lines (parse hints do not count).
    fn eq(&self, other: &MemoryStat) -> bool {
        self.values == other.values
            && self.totals == other.totals
            && self.others().eq(other.others())
    }
}

impl Eq for MemoryStat {}
