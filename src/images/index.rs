//! The probe index: `<cache>/probes`, what the last build learnt of each photo file (the hash
//! of its bytes and its header), so that a rebuild with no photo changed reads no photo.
//!
//! An entry is used only while the file has the same length, modification time, change time
//! and inode (on Unix; length and modification time elsewhere): the change time moves on every
//! write and cannot be set back by tools, so a changed file is always read again. Photos keep
//! their key, the hash of their bytes with the settings, whichever way it was found.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::images::SourceFormat;

/// The file's name in the cache folder, and its first line.
const INDEX_FILE: &str = "probes";
const INDEX_HEADER: &str = "yuanba probe index 1";

/// What tells that a file changed: length, modification and change times (ns), inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    modified: i128,
    changed: i128,
    inode: u64,
}

impl Stamp {
    /// The stamp of `path`, when it can be read.
    pub(crate) fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            Some(Stamp {
                len: meta.len(),
                modified: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
                changed: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
                inode: meta.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            let modified = meta
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_nanos();
            Some(Stamp {
                len: meta.len(),
                modified: i128::try_from(modified).ok()?,
                changed: 0,
                inode: 0,
            })
        }
    }
}

/// What a probe learnt of a photo file, and the stamp it had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Known {
    pub stamp: Stamp,
    /// blake3 of its bytes.
    pub content: [u8; 32],
    pub format: SourceFormat,
    /// Displayed width and height.
    pub width: u32,
    pub height: u32,
    pub orientation: u8,
    pub has_gps: bool,
}

fn format_name(format: SourceFormat) -> &'static str {
    match format {
        SourceFormat::Jpeg => "jpeg",
        SourceFormat::Png => "png",
        SourceFormat::Webp => "webp",
    }
}

/// Reads the index of `cache_dir` (empty when there is none or it is damaged).
pub(crate) fn load(cache_dir: &Path) -> HashMap<PathBuf, Known> {
    let Ok(text) = std::fs::read_to_string(cache_dir.join(INDEX_FILE)) else {
        return HashMap::new();
    };
    let mut lines = text.lines();
    if lines.next() != Some(INDEX_HEADER) {
        return HashMap::new();
    }
    lines.filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<(PathBuf, Known)> {
    let mut parts = line.splitn(11, ' ');
    let mut next = || parts.next();
    let stamp = Stamp {
        len: next()?.parse().ok()?,
        modified: next()?.parse().ok()?,
        changed: next()?.parse().ok()?,
        inode: next()?.parse().ok()?,
    };
    let content_hex = next()?;
    let mut content = [0u8; 32];
    if content_hex.len() != 64 {
        return None;
    }
    for (idx, byte) in content.iter_mut().enumerate() {
        *byte = u8::from_str_radix(content_hex.get(idx * 2..idx * 2 + 2)?, 16).ok()?;
    }
    let format = match next()? {
        "jpeg" => SourceFormat::Jpeg,
        "png" => SourceFormat::Png,
        "webp" => SourceFormat::Webp,
        _ => return None,
    };
    let width = next()?.parse().ok()?;
    let height = next()?.parse().ok()?;
    let orientation = next()?.parse().ok().filter(|o| (1..=8).contains(o))?;
    let has_gps = match next()? {
        "gps" => true,
        "-" => false,
        _ => return None,
    };
    let path = PathBuf::from(next()?);
    Some((
        path,
        Known {
            stamp,
            content,
            format,
            width,
            height,
            orientation,
            has_gps,
        },
    ))
}

/// Writes the index of `cache_dir`: a temporary file renamed over the old one.
pub(crate) fn save(cache_dir: &Path, entries: &HashMap<PathBuf, Known>) -> std::io::Result<()> {
    let mut text = format!("{INDEX_HEADER}\n");
    let mut sorted: Vec<(&PathBuf, &Known)> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    for (path, known) in sorted {
        let Some(path) = path.to_str().filter(|p| !p.contains('\n')) else {
            continue;
        };
        let stamp = known.stamp;
        let content = blake3::Hash::from_bytes(known.content).to_hex();
        let _ = writeln!(
            text,
            "{} {} {} {} {content} {} {} {} {} {} {path}",
            stamp.len,
            stamp.modified,
            stamp.changed,
            stamp.inode,
            format_name(known.format),
            known.width,
            known.height,
            known.orientation,
            if known.has_gps { "gps" } else { "-" },
        );
    }
    std::fs::create_dir_all(cache_dir)?;
    let temporary = cache_dir.join(format!(".{INDEX_FILE}.tmp-{}", std::process::id()));
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, cache_dir.join(INDEX_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_back_as_written() {
        let dir = std::env::temp_dir().join(format!("yuanba-probe-index-{}", std::process::id()));
        let known = Known {
            stamp: Stamp {
                len: 3,
                modified: 1_700_000_000_123_456_789,
                changed: 1_700_000_001_000_000_000,
                inode: 42,
            },
            content: [7; 32],
            format: SourceFormat::Jpeg,
            width: 3024,
            height: 4032,
            orientation: 6,
            has_gps: true,
        };
        let entries = HashMap::from([(PathBuf::from("/site/a b/photo.jpg"), known.clone())]);
        save(&dir, &entries).expect("save");
        assert_eq!(load(&dir), entries);
        std::fs::write(dir.join(INDEX_FILE), "another file\n").expect("write");
        assert!(load(&dir).is_empty());
        std::fs::remove_dir_all(&dir).ok();
    }
}
