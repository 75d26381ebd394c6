//! What a deploy to S3 does: which files to upload (by phase), which remote objects to delete,
//! how many are already there.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::deploy::files::{Phase, SiteFile};

/// The uploads and deletions of one deploy.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// Files to upload, in upload order: by phase, then by key.
    pub uploads: Vec<Upload>,
    /// Keys (relative to the prefix) to delete after every upload succeeded, sorted.
    pub deletes: Vec<String>,
    /// Files the target has already.
    pub unchanged: usize,
}

/// One file to upload.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    /// The file.
    pub file: SiteFile,
    /// Whether the target has no object at its key yet (else it has another version).
    pub new: bool,
}

impl Plan {
    /// Compares the site's files with the remote objects (key → object): a file is uploaded
    /// unless `same` says the object at its key holds its bytes; an object that no file has is
    /// deleted.
    pub(crate) fn make<R: Sync>(
        files: Vec<SiteFile>,
        remote: &HashMap<String, R>,
        same: impl Fn(&SiteFile, &R) -> bool + Sync,
    ) -> Plan {
        let compared: Vec<(SiteFile, Option<bool>)> = files
            .into_par_iter()
            .map(|file| {
                let same = remote.get(&file.key).map(|object| same(&file, object));
                (file, same)
            })
            .collect();
        let mut plan = Plan::default();
        let mut local = std::collections::HashSet::with_capacity(compared.len());
        for (file, same) in compared {
            local.insert(file.key.clone());
            match same {
                Some(true) => plan.unchanged += 1,
                Some(false) => plan.uploads.push(Upload { file, new: false }),
                None => plan.uploads.push(Upload { file, new: true }),
            }
        }
        plan.uploads
            .sort_by(|a, b| (a.file.phase, &a.file.key).cmp(&(b.file.phase, &b.file.key)));
        plan.deletes = remote
            .keys()
            .filter(|key| !local.contains(key.as_str()))
            .cloned()
            .collect();
        plan.deletes.sort();
        plan
    }

    /// The bytes to upload.
    pub(crate) fn upload_bytes(&self) -> u64 {
        self.uploads.iter().map(|upload| upload.file.size).sum()
    }

    /// The uploads of one phase.
    pub(crate) fn phase(&self, phase: Phase) -> impl Iterator<Item = &Upload> {
        self.uploads
            .iter()
            .filter(move |upload| upload.file.phase == phase)
    }

    /// Why the plan must not run when it deletes more than `max` objects: how many, and the
    /// first few.
    pub(crate) fn too_many_deletes(&self, max: usize) -> Option<String> {
        if self.deletes.len() <= max {
            return None;
        }
        let first: Vec<&str> = self.deletes.iter().take(5).map(String::as_str).collect();
        let more = self.deletes.len() - first.len();
        let and_more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        Some(format!(
            "this deploy would delete {} remote files, more than --max-deletes {max} allows: {}{and_more}; \
             nothing was changed. If that is what you want (a site that moved, a changed prefix), \
             run it again with --max-deletes {}",
            self.deletes.len(),
            first.join(", "),
            self.deletes.len()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::files::phase_of;

    fn file(key: &str, md5: &str) -> SiteFile {
        SiteFile {
            key: key.to_string(),
            path: key.into(),
            size: 1,
            stamp: 0,
            md5: md5.to_string(),
            phase: phase_of(key),
        }
    }

    #[test]
    fn uploads_go_assets_pages_indexes_and_gone_files_are_deleted() {
        let files = vec![
            file("index.html", "a"),
            file("atom.xml", "b"),
            file("style.css", "c"),
            file("same.css", "d"),
            file("stories/x/index.html", "e"),
        ];
        let remote: HashMap<String, &str> = [
            ("same.css", "d"),
            ("index.html", "old"),
            ("gone/index.html", "x"),
            ("gone.css", "y"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let plan = Plan::make(files, &remote, |file, md5| file.md5 == *md5);
        let order: Vec<(&str, bool)> = plan
            .uploads
            .iter()
            .map(|u| (u.file.key.as_str(), u.new))
            .collect();
        assert_eq!(
            order,
            [
                ("style.css", true),
                ("index.html", false),
                ("stories/x/index.html", true),
                ("atom.xml", true)
            ]
        );
        assert_eq!(plan.deletes, ["gone.css", "gone/index.html"]);
        assert_eq!(plan.unchanged, 1);
        assert!(plan.too_many_deletes(2).is_none());
        let refusal = plan.too_many_deletes(1).expect("too many");
        assert!(
            refusal.contains("would delete 2 remote files, more than --max-deletes 1"),
            "{refusal}"
        );
    }
}
