//! What a deploy remembers between runs, in the site's cache folder
//! (`.yuanba/cache/deploy/<target>.json`): for each file of the site its size, modification
//! time and MD5, so that an unchanged file is not read and hashed again; and for S3 the ETag the
//! object got when it was uploaded, for servers whose ETags are not MD5s.
//!
//! The record is only an optimization: a missing, old or corrupt one means more hashing (and,
//! for S3, a `HEAD` per object whose ETag says nothing), never a wrong deploy.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;

/// The folder deploy records are kept in.
pub(crate) fn folder(config: &SiteConfig) -> PathBuf {
    config.root.join(".yuanba").join("cache").join("deploy")
}

/// A file's size and modification time, as a number that changes when either does.
pub(crate) fn stamp(metadata: &std::fs::Metadata) -> u128 {
    metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos())
}

/// One file as the last deploy saw it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Size in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since 1970.
    pub stamp: u128,
    /// MD5, lower-case hex.
    pub md5: String,
    /// The ETag the target gave the object, when it is S3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

/// The record of one target.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Record {
    /// By key.
    pub files: HashMap<String, Entry>,
}

/// Hashes known from the record, looked up by key, size and modification time.
pub(crate) type HashCache = Record;

impl Record {
    /// The record of `target` in `folder`; empty when there is none or it cannot be read.
    pub(crate) fn load(folder: &Path, target: &str) -> Record {
        std::fs::read(path(folder, target))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes the record (to a temporary file, then renamed over the old one); best effort: a
    /// record that cannot be written only costs hashing next time.
    pub(crate) fn save(&self, folder: &Path, target: &str) {
        let Ok(json) = serde_json::to_vec(self) else {
            return;
        };
        if std::fs::create_dir_all(folder).is_err() {
            return;
        }
        let final_path = path(folder, target);
        let temporary = final_path.with_extension(format!("json.{}", std::process::id()));
        if std::fs::write(&temporary, json).is_ok()
            && std::fs::rename(&temporary, &final_path).is_err()
        {
            let _ = std::fs::remove_file(&temporary);
        }
    }

    /// The MD5 of the file at `key` if the record saw it with this size and time.
    pub(crate) fn get(&self, key: &str, size: u64, stamp: u128) -> Option<String> {
        self.files
            .get(key)
            .filter(|entry| entry.size == size && entry.stamp == stamp && !entry.md5.is_empty())
            .map(|entry| entry.md5.clone())
    }
}

fn path(folder: &Path, target: &str) -> PathBuf {
    folder.join(format!("{target}.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips_and_a_corrupt_one_is_empty() {
        let temp = tempfile::tempdir().expect("temp dir");
        let mut record = Record::default();
        record.files.insert(
            "index.html".to_string(),
            Entry {
                size: 3,
                stamp: 7,
                md5: "abc".to_string(),
                etag: Some("\"abc\"".to_string()),
            },
        );
        record.save(temp.path(), "production");
        let loaded = Record::load(temp.path(), "production");
        assert_eq!(loaded.get("index.html", 3, 7).as_deref(), Some("abc"));
        assert_eq!(loaded.get("index.html", 3, 8), None);
        assert_eq!(loaded.get("index.html", 4, 7), None);
        std::fs::write(temp.path().join("production.json"), "{not json").expect("write");
        assert!(Record::load(temp.path(), "production").files.is_empty());
        assert!(Record::load(temp.path(), "missing").files.is_empty());
    }
}
