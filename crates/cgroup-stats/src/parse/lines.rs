//! Line and field splitting shared by the parsers (no allocation).

/// Non-blank lines with their 1-based number; a missing final newline is fine.
pub(crate) fn numbered_lines(text: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    text.split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line))
        .filter(|(_, line)| !line.trim_ascii().is_empty())
}

/// Space-separated fields of a line (runs of spaces and tabs count as one).
pub(crate) fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b' ' || b == b'\t' || b == b'\r')
        .filter(|f| !f.is_empty())
}

/// Splits `key=value` at the first `=`.
pub(crate) fn key_value(field: &[u8]) -> Option<(&[u8], &[u8])> {
    let eq = field.iter().position(|&b| b == b'=')?;
    Some((&field[..eq], &field[eq + 1..]))
}

/// Parses `MAJ:MIN` with decimal numbers.
pub(crate) fn device(field: &[u8]) -> Option<(u64, u64)> {
    let colon = field.iter().position(|&b| b == b':')?;
    let major = crate::parse::number::unsigned(&field[..colon]).ok()?;
    let minor = crate::parse::number::unsigned(&field[colon + 1..]).ok()?;
    Some((major, minor))
}
