//! A writer of `newc` cpio archives, the format the kernel unpacks as an initramfs
//! (uncompressed: no decompression under emulation at boot).

use std::io::{self, Write};
use std::path::Path;

const S_IFMT: u32 = 0o170_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFREG: u32 = 0o100_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFCHR: u32 = 0o020_000;

/// An archive being written to `W`.
#[derive(Debug)]
pub struct Cpio<W: Write> {
    out: W,
    ino: u32,
    written: u64,
    /// uid and gid of the following entries.
    owner: (u32, u32),
}

/// A device number for [`Cpio::char_device`].
#[derive(Debug, Clone, Copy)]
pub struct Dev {
    pub major: u32,
    pub minor: u32,
}

impl<W: Write> Cpio<W> {
    /// Starts an archive.
    pub fn new(out: W) -> Cpio<W> {
        Cpio {
            out,
            ino: 0,
            written: 0,
            owner: (0, 0),
        }
    }

    /// The uid and gid of the entries written after this call (root by default).
    pub fn set_owner(&mut self, uid: u32, gid: u32) {
        self.owner = (uid, gid);
    }

    /// A directory (parents first: the kernel does not make them).
    pub fn dir(&mut self, name: &str, perm: u32) -> io::Result<()> {
        self.entry(name, S_IFDIR | perm, None, &[])
    }

    /// A regular file with `data`.
    pub fn file(&mut self, name: &str, perm: u32, data: &[u8]) -> io::Result<()> {
        self.entry(name, S_IFREG | perm, None, data)
    }

    /// A regular file copied from `source`.
    pub fn copy(&mut self, name: &str, perm: u32, source: &Path) -> io::Result<()> {
        let data = std::fs::read(source)?;
        self.file(name, perm, &data)
    }

    /// A symbolic link to `target`.
    pub fn symlink(&mut self, name: &str, target: &str) -> io::Result<()> {
        self.entry(name, S_IFLNK | 0o777, None, target.as_bytes())
    }

    /// A character device node.
    pub fn char_device(&mut self, name: &str, perm: u32, dev: Dev) -> io::Result<()> {
        self.entry(name, S_IFCHR | perm, Some(dev), &[])
    }

    /// Writes the trailer and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.entry("TRAILER!!!", 0, None, &[])?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn entry(&mut self, name: &str, mode: u32, dev: Option<Dev>, data: &[u8]) -> io::Result<()> {
        let too_big = || io::Error::new(io::ErrorKind::InvalidInput, format!("{name}: too big"));
        let size = u32::try_from(data.len()).map_err(|_| too_big())?;
        let name_size = u32::try_from(name.len() + 1).map_err(|_| too_big())?;
        self.ino += 1;
        let is_trailer = name == "TRAILER!!!";
        let nlink = if mode & S_IFMT == S_IFDIR { 2 } else { 1 };
        let fields = [
            if is_trailer { 0 } else { self.ino },
            mode,
            self.owner.0,
            self.owner.1,
            if is_trailer { 1 } else { nlink },
            0, // mtime
            size,
            0, // devmajor
            0, // devminor
            dev.map_or(0, |d| d.major),
            dev.map_or(0, |d| d.minor),
            name_size,
            0, // check
        ];
        let mut header = String::from("070701");
        for f in fields {
            header.push_str(&format!("{f:08x}"));
        }
        self.put(header.as_bytes())?;
        self.put(name.as_bytes())?;
        self.put(&[0])?;
        self.pad()?;
        self.put(data)?;
        self.pad()
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn pad(&mut self) -> io::Result<()> {
        let n = (4 - self.written % 4) % 4;
        self.put(&[0u8; 3][..n as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_four_byte_aligned_and_end_with_the_trailer() {
        let mut c = Cpio::new(Vec::new());
        c.dir("bin", 0o755).unwrap();
        c.file("bin/x", 0o644, b"hello").unwrap();
        c.symlink("bin/sh", "busybox").unwrap();
        let out = c.finish().unwrap();
        assert_eq!(out.len() % 4, 0);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("070701"));
        // header(110) + "bin\0" = 114 -> padded to 116
        assert_eq!(&out[116..122], b"070701");
        assert!(text.contains("hello"));
        assert!(text.contains("TRAILER!!!"));
    }

    #[test]
    fn header_fields_are_hex_mode_and_size() {
        let mut c = Cpio::new(Vec::new());
        c.file("f", 0o755, b"abc").unwrap();
        let out = c.finish().unwrap();
        let field = |i: usize| {
            std::str::from_utf8(&out[6 + 8 * i..14 + 8 * i])
                .unwrap()
                .to_owned()
        };
        assert_eq!(field(1), format!("{:08x}", S_IFREG | 0o755));
        assert_eq!(field(6), "00000003");
        assert_eq!(field(11), "00000002");
    }

    #[test]
    fn device_nodes_carry_their_numbers() {
        let mut c = Cpio::new(Vec::new());
        c.char_device("dev/console", 0o600, Dev { major: 5, minor: 1 })
            .unwrap();
        let out = c.finish().unwrap();
        let field = |i: usize| {
            std::str::from_utf8(&out[6 + 8 * i..14 + 8 * i])
                .unwrap()
                .to_owned()
        };
        assert_eq!(field(9), "00000005");
        assert_eq!(field(10), "00000001");
    }
}
