//! [`Table`]: the entries of one parsed file, with the lines that were skipped.

/// Why a line produced no entry.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkipKind {
    /// Empty or only whitespace.
    Blank,
    /// Starts with `#` (after leading whitespace); passwd, group, subuid and subgid.
    Comment,
    /// A NIS compat line of passwd or group: starts with `+` or `-` (`+`, `+@netgroup`,
    /// `-user`). They tell glibc to consult NIS; this crate never treats them as
    /// users or groups.
    NisCompat,
    /// Not in the file's format (see [`SkippedLine::reason`]); only in
    /// [`ParseMode::Lenient`](crate::ParseMode::Lenient), strict parsing fails instead.
    Malformed,
}

/// A line that produced no entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLine {
    line: usize,
    kind: SkipKind,
    reason: &'static str,
}

impl SkippedLine {
    pub(crate) fn new(line: usize, kind: SkipKind, reason: &'static str) -> SkippedLine {
        SkippedLine { line, kind, reason }
    }

    /// The 1-based line number.
    pub fn line(&self) -> usize {
        self.line
    }

    /// Why it was skipped.
    pub fn kind(&self) -> SkipKind {
        self.kind
    }

    /// In words, e.g. `"uid is not a number"`.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// The entries of one parsed file in file order, plus the lines that were skipped.
///
/// Lookups return the *first* matching entry, as glibc does for duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table<T> {
    source: String,
    entries: Vec<T>,
    lines: Vec<usize>,
    skipped: Vec<SkippedLine>,
}

impl<T> Table<T> {
    pub(crate) fn new(source: String) -> Table<T> {
        Table {
            source,
            entries: Vec::new(),
            lines: Vec::new(),
            skipped: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, line: usize, entry: T) {
        self.entries.push(entry);
        self.lines.push(line);
    }

    pub(crate) fn skip(&mut self, skipped: SkippedLine) {
        self.skipped.push(skipped);
    }

    /// The name of the file in messages: a path, or the `source` given to
    /// [`ParseOptions`](crate::ParseOptions) (`"<input>"` by default).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The entries, in file order.
    pub fn entries(&self) -> &[T] {
        &self.entries
    }

    /// The entries, in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.entries.iter()
    }

    /// The entries with their 1-based line numbers.
    pub fn iter_with_lines(&self) -> impl Iterator<Item = (usize, &T)> {
        self.lines.iter().copied().zip(&self.entries)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The 1-based line number of entry `index`.
    pub fn line_of(&self, index: usize) -> Option<usize> {
        self.lines.get(index).copied()
    }

    /// Every line that produced no entry, in file order.
    pub fn skipped(&self) -> &[SkippedLine] {
        &self.skipped
    }

    /// How many lines were skipped for `kind`.
    pub fn skipped_count(&self, kind: SkipKind) -> usize {
        self.skipped.iter().filter(|s| s.kind == kind).count()
    }

    /// The entries, dropping the rest.
    pub fn into_entries(self) -> Vec<T> {
        self.entries
    }

    /// The first entry matching `pred`, with its line number.
    pub(crate) fn find(&self, mut pred: impl FnMut(&T) -> bool) -> Option<(usize, &T)> {
        self.iter_with_lines().find(|(_, entry)| pred(entry))
    }
}

impl<'a, T> IntoIterator for &'a Table<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}
