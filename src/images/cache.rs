//! The image cache: `<site>/.yuanba/cache/images/` (or `images.cache_dir`), one folder per
//! photo key holding its variants and an `entry` file that lists each variant with its length
//! and blake3 hash, and the photo's average colour.
//!
//! An entry is used only when every file it lists is there with that length and hash (so a
//! damaged or half-written entry is made again, never published), and when it lists exactly
//! the variants the photo needs. An entry is written into a temporary folder and renamed into
//! place. [`prune`] removes the entries no photo of the last build used.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::images::Photo;
use crate::images::Variant;
use crate::images::process::Made;

/// The first line of an entry file.
const ENTRY_HEADER: &str = "yuanba image cache 1";

/// The name of the file that describes an entry.
const ENTRY_FILE: &str = "entry";

/// A whole cache entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Its folder.
    pub dir: PathBuf,
    /// The photo's average colour.
    pub color: [u8; 3],
}

impl Entry {
    /// The cached file of a variant.
    pub(crate) fn file(&self, variant: &Variant) -> PathBuf {
        self.dir.join(variant.cache_name())
    }
}

/// The entry of `photo`, when it is whole and complete.
pub(crate) fn lookup(cache_dir: &Path, photo: &Photo) -> Option<Entry> {
    let dir = cache_dir.join(&photo.key);
    let text = std::fs::read_to_string(dir.join(ENTRY_FILE)).ok()?;
    let (color, listed) = parse(&text)?;
    let mut wanted: Vec<String> = photo.variants.iter().map(Variant::cache_name).collect();
    wanted.sort();
    let mut names: Vec<&str> = listed.iter().map(|(name, _, _)| *name).collect();
    names.sort_unstable();
    if names != wanted {
        return None;
    }
    for (name, len, hash) in listed {
        let bytes = std::fs::read(dir.join(name)).ok()?;
        if bytes.len() as u64 != len || blake3::hash(&bytes).to_hex().as_str() != hash {
            return None;
        }
    }
    Some(Entry { dir, color })
}

/// The colour an entry records, without checking its files (for the markup, before the build
/// checks the entry).
pub(crate) fn color(cache_dir: &Path, key: &str) -> Option<[u8; 3]> {
    let text = std::fs::read_to_string(cache_dir.join(key).join(ENTRY_FILE)).ok()?;
    parse(&text).map(|(color, _)| color)
}

/// A file an entry lists: its name, length and blake3 hash (hex).
type Listed<'a> = (&'a str, u64, &'a str);

/// Reads an entry file: the colour, and each file's name, length and hash.
fn parse(text: &str) -> Option<([u8; 3], Vec<Listed<'_>>)> {
    let mut lines = text.lines();
    if lines.next()? != ENTRY_HEADER {
        return None;
    }
    let hex = lines.next()?.strip_prefix("color #")?;
    let channel = |idx: usize| u8::from_str_radix(hex.get(idx..idx + 2)?, 16).ok();
    let color = [channel(0)?, channel(2)?, channel(4)?];
    let mut files = Vec::new();
    for line in lines {
        let mut parts = line.split(' ');
        let (Some(name), Some(len), Some(hash), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return None;
        }
        files.push((name, len.parse().ok()?, hash));
    }
    Some((color, files))
}

/// Writes the entry of `photo` and returns it.
pub(crate) fn store(cache_dir: &Path, photo: &Photo, made: &Made) -> std::io::Result<Entry> {
    std::fs::create_dir_all(cache_dir)?;
    let dir = cache_dir.join(&photo.key);
    let temporary = cache_dir.join(format!(
        ".{}.tmp-{}-{:?}",
        photo.key,
        std::process::id(),
        std::thread::current().id()
    ));
    if temporary.exists() {
        std::fs::remove_dir_all(&temporary)?;
    }
    std::fs::create_dir(&temporary)?;
    let [r, g, b] = made.color;
    let mut entry = format!("{ENTRY_HEADER}\ncolor #{r:02x}{g:02x}{b:02x}\n");
    for (variant, bytes) in &made.files {
        let name = variant.cache_name();
        let mut file = std::fs::File::create(temporary.join(&name))?;
        file.write_all(bytes)?;
        let _ = writeln!(
            entry,
            "{name} {} {}",
            bytes.len(),
            blake3::hash(bytes).to_hex()
        );
    }
    // The entry file last: an entry without it is never read.
    std::fs::write(temporary.join(ENTRY_FILE), entry)?;
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    match std::fs::rename(&temporary, &dir) {
        Ok(()) => {}
        // Another process stored the same entry meanwhile: keep theirs.
        Err(_) if dir.join(ENTRY_FILE).is_file() => {
            std::fs::remove_dir_all(&temporary)?;
        }
        Err(error) => return Err(error),
    }
    Ok(Entry {
        dir,
        color: made.color,
    })
}

/// Whether `name` is a folder name [`store`] writes (a key) or leaves behind (a temporary one).
fn is_entry_name(name: &str) -> bool {
    let key = name
        .strip_prefix('.')
        .and_then(|rest| rest.split_once(".tmp-").map(|(key, _)| key))
        .unwrap_or(name);
    key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Removes every entry whose key is not in `keep` (and stale temporary folders of other
/// processes); returns how many went. Only folders named like entries are touched.
pub(crate) fn prune(cache_dir: &Path, keep: &std::collections::BTreeSet<String>) -> usize {
    let Ok(entries) = std::fs::read_dir(cache_dir) else {
        return 0;
    };
    let own_prefix = format!(".tmp-{}-", std::process::id());
    let mut n_removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_entry_name(&name) || keep.contains(&name) || name.contains(&own_prefix) {
            continue;
        }
        let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
        if is_dir && std::fs::remove_dir_all(entry.path()).is_ok() {
            n_removed += 1;
        }
    }
    n_removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_files_are_read_strictly() {
        let text = format!("{ENTRY_HEADER}\ncolor #0a0b0c\n480.webp 12 abc\n");
        let (color, files) = parse(&text).expect("parsed");
        assert_eq!(color, [10, 11, 12]);
        assert_eq!(files, vec![("480.webp", 12, "abc")]);
        assert!(parse("other\ncolor #000000\n").is_none());
        assert!(parse(&format!("{ENTRY_HEADER}\ncolor #00\n")).is_none());
        assert!(parse(&format!("{ENTRY_HEADER}\ncolor #000000\n../x 1 a\n")).is_none());
    }

    #[test]
    fn only_entry_folders_are_pruned() {
        assert!(is_entry_name("0123456789abcdef"));
        assert!(is_entry_name(".0123456789abcdef.tmp-12-ThreadId(3)"));
        assert!(!is_entry_name("notes"));
        assert!(!is_entry_name("0123456789abcdeg"));
    }
}
