//! A parser for `/proc/<pid>/mountinfo`
//! ([proc_pid_mountinfo(5)](https://man7.org/linux/man-pages/man5/proc_pid_mountinfo.5.html)).
//!
//! One line per mount, fields separated by single spaces:
//!
//! ```text
//! 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//! (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
//! ```
//!
//! (7) is zero or more optional fields (`shared:N`, `master:N`, `propagate_from:N`,
//! `unbindable`, and whatever later kernels add), ended by a lone `-` (8). The kernel
//! escapes space, tab, newline and backslash as `\040`, `\011`, `\012`, `\134` in the
//! root, the mount point, the filesystem type and the source; other characters,
//! quotes included, are printed raw. Some filesystems (cifs, 9p) print raw spaces in
//! their super options, so (11) is the rest of the line.

use crate::{Error, Result};

/// One mount, one line of `/proc/<pid>/mountinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountInfo {
    /// (1) Unique id of the mount (may be reused after unmount).
    pub mount_id: u32,
    /// (2) Id of the parent mount (its own id for the root of the tree).
    pub parent_id: u32,
    /// (3) Major device number of `st_dev` for files on this filesystem.
    pub major: u32,
    /// (3) Minor device number.
    pub minor: u32,
    /// (4) The directory of the filesystem that forms the root of this mount, unescaped
    /// (for a cgroup mount inside a cgroup namespace, a cgroup path).
    pub root: String,
    /// (5) Where it is mounted, relative to the reader's root, unescaped.
    pub mount_point: String,
    /// (6) Per-mount options (`rw,nosuid,relatime`).
    pub mount_options: String,
    /// (7) The optional fields, space-separated as printed (`"shared:409 master:1"`),
    /// or `""`.
    pub optional_fields: String,
    /// (9) Filesystem type (`cgroup`, `cgroup2`, `fuse.lxcfs`), unescaped.
    pub fs_type: String,
    /// (10) Filesystem-specific source, unescaped (`cgroup`, `/dev/sda1`, `none`).
    pub source: String,
    /// (11) Per-superblock options; for cgroup v1 they name the controllers
    /// (`rw,cpu,cpuacct`). Printed raw by some filesystems, spaces included.
    pub super_options: String,
}

/// Parse the text of `/proc/<pid>/mountinfo`.
///
/// Empty lines are skipped; a final line without `\n` is fine.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) naming the line number and the line
/// when a line has too few fields, no ` - ` separator, or a number that does not
/// parse.
///
/// ```
/// let text = "30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n";
/// let mounts = pathsafe::parse_mountinfo(text).unwrap();
/// assert_eq!(mounts[0].fs_type, "cgroup");
/// assert_eq!(mounts[0].super_options, "rw,memory");
/// ```
pub fn parse_mountinfo(text: &str) -> Result<Vec<MountInfo>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
        .map(|(index, line)| parse_line(line).map_err(|why| bad(index, line, why)))
        .collect()
}

fn bad(index: usize, line: &str, why: &str) -> Error {
    Error::parse("mountinfo", index + 1, line, why)
}

fn parse_line(line: &str) -> std::result::Result<MountInfo, &'static str> {
    let mut fields = line.split(' ');
    let mut next = |what| fields.next().ok_or(what);
    let mount_id = number(next("missing mount id")?, "mount id is not a number")?;
    let parent_id = number(next("missing parent id")?, "parent id is not a number")?;
    let (major, minor) = device(next("missing major:minor")?)?;
    let root = unescape(next("missing root")?);
    let mount_point = unescape(next("missing mount point")?);
    let mount_options = next("missing mount options")?.to_owned();

    let rest: Vec<&str> = fields.collect();
    let Some(sep) = rest.iter().position(|f| *f == "-") else {
        return Err("no \" - \" separator after the optional fields");
    };
    let optional_fields = rest[..sep].join(" ");
    let after = &rest[sep + 1..];
    if after.len() < 3 {
        return Err("expected filesystem type, source and super options after \" - \"");
    }
    Ok(MountInfo {
        mount_id,
        parent_id,
        major,
        minor,
        root,
        mount_point,
        mount_options,
        optional_fields,
        fs_type: unescape(after[0]),
        source: unescape(after[1]),
        super_options: after[2..].join(" "),
    })
}

fn number(field: &str, why: &'static str) -> std::result::Result<u32, &'static str> {
    field.parse().map_err(|_| why)
}

fn device(field: &str) -> std::result::Result<(u32, u32), &'static str> {
    let why = "major:minor is not two numbers";
    let (major, minor) = field.split_once(':').ok_or(why)?;
    Ok((number(major, why)?, number(minor, why)?))
}

/// Decode `\ooo` (exactly three octal digits, value < 256) escapes; anything else,
/// such as `\12x`, stays verbatim. If decoding would yield bytes that are not UTF-8,
/// the field is kept as printed (escaped) rather than altered.
fn unescape(field: &str) -> String {
    if !field.contains('\\') {
        return field.to_owned();
    }
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if let Some(value) = octal_escape(&bytes[i..]) {
            out.push(value);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| field.to_owned())
}

/// The byte of a `\ooo` escape at the start of `bytes`, if there is one.
fn octal_escape(bytes: &[u8]) -> Option<u8> {
    let [b'\\', a, b, c, ..] = *bytes else {
        return None;
    };
    let digit = |d: u8| (b'0'..=b'7').contains(&d).then(|| u32::from(d - b'0'));
    let value = digit(a)? * 64 + digit(b)? * 8 + digit(c)?;
    u8::try_from(value).ok()
}

#[cfg(test)]
#[path = "mountinfo_tests.rs"]
mod tests;
