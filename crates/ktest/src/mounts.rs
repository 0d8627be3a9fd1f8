//! Cgroup hierarchies of this machine, read from `/proc/self/mountinfo`.

use std::path::PathBuf;
use std::sync::OnceLock;

/// One mounted cgroup hierarchy (a line of mountinfo with fstype `cgroup` or `cgroup2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hierarchy {
    /// Where it is mounted, e.g. `/sys/fs/cgroup/cpu`.
    pub mount_point: PathBuf,
    /// `true` for cgroup2, `false` for a v1 hierarchy.
    pub unified: bool,
    /// The super options of a v1 hierarchy split at commas (`rw`, `cpu`, `name=systemd`).
    pub options: Vec<String>,
}

impl Hierarchy {
    /// Whether this v1 hierarchy carries `controller` (a super options token).
    pub fn has_controller(&self, controller: &str) -> bool {
        !self.unified && self.options.iter().any(|o| o == controller)
    }

    /// Whether this is a v1 hierarchy with the memory controller bound to it.
    pub fn is_v1_memory(&self) -> bool {
        self.has_controller("memory")
    }
}

/// Every cgroup hierarchy mounted in this process's mount namespace, read once.
pub fn hierarchies() -> &'static [Hierarchy] {
    static CACHE: OnceLock<Vec<Hierarchy>> = OnceLock::new();
    CACHE.get_or_init(|| {
        std::fs::read_to_string("/proc/self/mountinfo")
            .map(|text| parse_mountinfo(&text))
            .unwrap_or_default()
    })
}

/// The v1 hierarchy that carries `controller`, if one is mounted.
pub fn v1_hierarchy(controller: &str) -> Option<&'static Hierarchy> {
    hierarchies().iter().find(|h| h.has_controller(controller))
}

/// The cgroup2 mount: `/sys/fs/cgroup` (pure v2) or `/sys/fs/cgroup/unified` (hybrid)
/// when mounted there, else the first cgroup2 mount found.
pub fn unified_hierarchy() -> Option<&'static Hierarchy> {
    let all = hierarchies();
    let usual = ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"];
    all.iter()
        .find(|h| h.unified && usual.iter().any(|u| h.mount_point.as_os_str() == *u))
        .or_else(|| all.iter().find(|h| h.unified))
}

/// Parses mountinfo text (see proc(5)) into the cgroup hierarchies it lists.
pub fn parse_mountinfo(text: &str) -> Vec<Hierarchy> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<Hierarchy> {
    let (before, after) = line.split_once(" - ")?;
    let mount_point = before.split(' ').nth(4)?;
    let mut tail = after.split(' ');
    let fstype = tail.next()?;
    let _source = tail.next()?;
    let super_options = tail.next().unwrap_or("");
    let unified = match fstype {
        "cgroup2" => true,
        "cgroup" => false,
        _ => return None,
    };
    Some(Hierarchy {
        mount_point: PathBuf::from(unescape(mount_point)),
        unified,
        options: super_options.split(',').map(str::to_owned).collect(),
    })
}

/// Undoes the octal escapes (`\040` for a space) that mountinfo uses in paths.
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match (bytes[i], octal) {
            (b'\\', Some(d)) => {
                let value = d.iter().fold(0u32, |acc, b| acc * 8 + u32::from(b - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

    #[test]
    fn hybrid_mountinfo_lists_v1_and_unified_hierarchies() {
        let h = parse_mountinfo(HYBRID);
        assert_eq!(h.len(), 4);
        assert!(h[0].has_controller("cpu"));
        assert!(h[1].is_v1_memory());
        assert!(h[2].has_controller("name=systemd"));
        assert!(h[3].unified);
        assert!(!h[3].has_controller("rw"));
    }

    #[test]
    fn comounted_controllers_are_each_found() {
        let line = "5 1 0:5 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct";
        let h = parse_mountinfo(line);
        assert!(h[0].has_controller("cpuacct"));
        assert_eq!(
            h[0].mount_point,
            PathBuf::from("/sys/fs/cgroup/cpu,cpuacct")
        );
    }

    #[test]
    fn escaped_mount_points_are_unescaped() {
        let line = "5 1 0:5 / /tmp/a\\040b rw - cgroup2 cgroup2 rw";
        assert_eq!(
            parse_mountinfo(line)[0].mount_point,
            PathBuf::from("/tmp/a b")
        );
    }

    #[test]
    fn optional_fields_before_the_separator_are_skipped() {
        let line = "5 1 0:5 / /sys/fs/cgroup rw shared:9 master:2 - cgroup2 cgroup2 rw,nsdelegate";
        let h = parse_mountinfo(line);
        assert_eq!(h[0].mount_point, PathBuf::from("/sys/fs/cgroup"));
        assert!(h[0].unified);
    }
}
