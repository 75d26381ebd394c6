//! What yuanba reads as a source file: the names of editors' temporary files it ignores
//! everywhere (content, templates, static files, the watcher), the normalisation every text
//! file gets when it is read (no byte-order mark, `\n` line ends), and the MD5 of a file's bytes
//! (fingerprinted asset names, deploy comparisons).

/// The MD5 of `bytes` in lower-case hex (what S3 gives as the ETag of a single upload).
pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    use md5::Digest;
    use std::fmt::Write as _;
    let mut hex = String::with_capacity(32);
    for byte in md5::Md5::digest(bytes) {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Whether a file or folder name is hidden or an editor's temporary file (vim's `.swp`, `~` and
/// `4913`, Emacs' `.#` and `#…#`, `___jb_tmp___` (`JetBrains` IDEs), `.tmp` and `.bck`).
pub(crate) fn is_ignored_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || [
            ".swp",
            ".swx",
            ".tmp",
            ".bck",
            "___jb_tmp___",
            "___jb_old___",
        ]
        .iter()
        .any(|suffix| lower.ends_with(suffix))
        || name == "4913"
}

/// Drops a leading byte order mark and turns `\r\n` into `\n`.
pub(crate) fn normalize_text(text: String) -> String {
    let text = match text.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_is_lower_case_hex() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn normalize_strips_bom_and_crlf() {
        assert_eq!(normalize_text("\u{FEFF}a\r\nb".to_string()), "a\nb");
        assert_eq!(normalize_text("a\nb".to_string()), "a\nb");
    }

    #[test]
    fn editor_files_are_ignored() {
        for name in [
            ".story.md.swp",
            "story.md~",
            ".#story.md",
            "#story.md#",
            "4913",
            ".git",
            "story.md___jb_tmp___",
            "story.md___jb_old___",
        ] {
            assert!(is_ignored_name(name), "{name}");
        }
        assert!(!is_ignored_name("bailian.md"));
    }
}
