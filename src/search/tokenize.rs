//! How text becomes searchable: normalisation, atoms, and the tokens the index stores.
//!
//! `search.js` does exactly the same in the browser; a change here is a change there (and to
//! `search::FORMAT_VERSION`).
//!
//! - **Normalise** one unit at a time (a character and the combining marks after it): NFKC, then
//!   lower case. Per unit, so the browser can map every normalised character back to the
//!   original text it marks; for the precomposed text of Chinese news this is plain NFKC.
//! - **Atoms**: each CJK ideograph (or kana, hangul) is an atom; a run of other letters and
//!   digits (a Latin word, a number, `g20`) is one atom. Everything else separates atoms. Each
//!   atom records whether a separator came before it (a *gap*).
//! - **Tokens**: every atom (so one-character queries work), and every pair of neighbouring
//!   atoms in the same field, written `ab` when they touch and `a b` across a gap. A longer
//!   query is looked up by its pairs and confirmed as one run in the text ([`Term::is_in`]).
//!
//! A query term matches where its atoms appear consecutively with the same gaps: any substring of
//! two or more characters of Chinese text, and Latin words and numbers as whole words. What the
//! separators are (`，` or `、`, one or three) does not matter.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The normalised form of `text`: NFKC and lower case, one unit at a time.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// Appends the normalised form of `text` to `out` (see [`normalize`]).
pub(crate) fn normalize_into(text: &str, out: &mut String) {
    out.reserve(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        // Most of a Chinese text is copied as it is, a run at a time.
        let run = stable_run(rest);
        out.push_str(&rest[..run]);
        rest = &rest[run..];
        let Some(c) = rest.chars().next() else {
            break;
        };
        // The next character, with the combining marks after it.
        let mut end = c.len_utf8();
        while let Some(mark) = rest[end..].chars().next().filter(|m| is_combining_mark(*m)) {
            end += mark.len_utf8();
        }
        normalize_cluster(&rest[..end], out);
        rest = &rest[end..];
    }
}

/// The length of the longest start of `text` that normalising leaves as it is: stable
/// characters but upper-case ASCII, and not the last one when a combining mark follows it.
fn stable_run(text: &str) -> usize {
    let mut last_start = 0;
    for (idx, c) in text.char_indices() {
        if is_stable(c) && !c.is_ascii_uppercase() {
            last_start = idx;
            continue;
        }
        return if idx > 0 && is_combining_mark(c) {
            last_start
        } else {
            idx
        };
    }
    text.len()
}

/// Appends the normalised form of one character and the combining marks after it.
fn normalize_cluster(cluster: &str, out: &mut String) {
    for_each_normalized_in_cluster(cluster, |c| out.push(c));
}

/// Calls `emit` with each character of the normalised form of one character and the combining
/// marks after it.
fn for_each_normalized_in_cluster(cluster: &str, mut emit: impl FnMut(char)) {
    let mut chars = cluster.chars();
    let Some(c) = chars.next() else {
        return;
    };
    let has_marks = chars.next().is_some();
    if !has_marks && is_stable(c) {
        emit(c.to_ascii_lowercase());
    } else if !has_marks && ('\u{FF01}'..='\u{FF5E}').contains(&c) {
        // Full-width ASCII (`，`, `１`, `Ａ`): NFKC is the ASCII character.
        let ascii = char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c);
        emit(ascii.to_ascii_lowercase());
    } else if !has_marks && is_unchanged(c) {
        emit(c);
    } else {
        // Lower-cased as a string, as `normalize` does (a final sigma is a string rule).
        let composed: String = cluster.nfkc().collect();
        composed.to_lowercase().chars().for_each(emit);
    }
}

/// Calls `emit` with each character of [`normalize`]`(text)`, in order, unit by unit as
/// [`scan_atoms`] reads them: the tests hold it to [`normalize`].
#[cfg(test)]
fn for_each_normalized(text: &str, mut emit: impl FnMut(char)) {
    let mut idx = 0;
    while idx < text.len() {
        match next_unit(text, idx) {
            Unit::Stable(c, end) => {
                emit(c.to_ascii_lowercase());
                idx = end;
            }
            Unit::Cluster(end) => {
                for_each_normalized_in_cluster(&text[idx..end], &mut emit);
                idx = end;
            }
        }
    }
}

/// A unit of text to normalise: a character and the combining marks after it.
enum Unit {
    /// A character on its own that normalising leaves as it is but for ASCII lower case, and
    /// where the next unit starts.
    Stable(char, usize),
    /// Anything else, and where the next unit starts.
    Cluster(usize),
}

/// The unit of `text` that starts at byte `start` (a character boundary before its end).
#[inline]
fn next_unit(text: &str, start: usize) -> Unit {
    let bytes = text.as_bytes();
    // ASCII and the unified ideographs (lead bytes `E4`–`E9`) are decoded here, the rest by std.
    let (c, end) = match bytes[start] {
        byte @ 0..=0x7F => (char::from(byte), start + 1),
        lead @ 0xE4..=0xE9 if start + 2 < bytes.len() => {
            let code = u32::from(lead & 0x0F) << 12
                | u32::from(bytes[start + 1] & 0x3F) << 6
                | u32::from(bytes[start + 2] & 0x3F);
            (
                char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER),
                start + 3,
            )
        }
        _ => {
            let c = text[start..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            (c, start + c.len_utf8())
        }
    };
    let mut cluster_end = end;
    // No combining mark starts with an ASCII byte or the lead byte of `U+4000..U+A000`.
    while bytes
        .get(cluster_end)
        .is_some_and(|byte| !byte.is_ascii() && !(0xE4..=0xE9).contains(byte))
    {
        match text[cluster_end..].chars().next() {
            Some(mark) if is_combining_mark(mark) => cluster_end += mark.len_utf8(),
            _ => break,
        }
    }
    if cluster_end == end && is_stable(c) {
        Unit::Stable(c, end)
    } else {
        Unit::Cluster(cluster_end)
    }
}

/// Whether NFKC and lower-casing leave `c` alone on its own (the CJK punctuation of news
/// text: `，` is not, `。` and `“` are).
fn is_unchanged(c: char) -> bool {
    let once = std::iter::once(c);
    unicode_normalization::is_nfkc_quick(once) == unicode_normalization::IsNormalized::Yes && {
        let mut lower = c.to_lowercase();
        lower.next() == Some(c) && lower.next().is_none()
    }
}

/// Characters that NFKC and lower-casing leave alone (after ASCII lower-casing): the fast path
/// for nearly all of a Chinese text.
fn is_stable(c: char) -> bool {
    c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c) || is_common_punctuation(c)
}

/// Dashes, quotes and CJK punctuation of news text (`—“”‘’、。《》「」【】`) that NFKC and
/// lower-casing leave alone and that are separators: a fast path, tested against the tables.
fn is_common_punctuation(c: char) -> bool {
    matches!(c, '\u{2013}'..='\u{2014}' | '\u{2018}'..='\u{201F}' | '\u{3001}'..='\u{3002}' | '\u{3008}'..='\u{3011}')
}

/// What kind of atom a normalised character belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CharClass {
    /// An ideograph, kana or hangul syllable: an atom on its own.
    Cjk,
    /// A letter or digit of any other script: part of a word atom.
    Word,
    /// Punctuation, spaces, symbols: separates atoms.
    Separator,
}

/// The class of a normalised character.
pub(crate) fn classify(c: char) -> CharClass {
    if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return CharClass::Cjk;
    }
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() {
            CharClass::Word
        } else {
            CharClass::Separator
        };
    }
    if is_common_punctuation(c) {
        return CharClass::Separator;
    }
    if !c.is_alphanumeric() {
        CharClass::Separator
    } else if crate::text::is_cjk(c) {
        CharClass::Cjk
    } else {
        CharClass::Word
    }
}

/// One atom of a normalised text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Atom<'a> {
    /// The atom's text (a slice of the normalised text).
    pub text: &'a str,
    /// Whether a separator stands between this atom and the one before it.
    pub gap: bool,
}

/// The atoms of a normalised text, in order.
pub(crate) fn atoms(normalized: &str) -> Vec<Atom<'_>> {
    let mut atoms = Vec::new();
    let mut gap = false;
    let mut word_start: Option<usize> = None;
    for (idx, c) in normalized.char_indices() {
        let class = classify(c);
        if class != CharClass::Word
            && let Some(start) = word_start.take()
        {
            atoms.push(Atom {
                text: &normalized[start..idx],
                gap,
            });
            gap = false;
        }
        match class {
            CharClass::Cjk => {
                atoms.push(Atom {
                    text: &normalized[idx..idx + c.len_utf8()],
                    gap,
                });
                gap = false;
            }
            CharClass::Word => {
                word_start.get_or_insert(idx);
            }
            CharClass::Separator => gap = true,
        }
    }
    if let Some(start) = word_start {
        atoms.push(Atom {
            text: &normalized[start..],
            gap,
        });
    }
    atoms
}

/// What [`scan_atoms`] reports atoms to.
pub(crate) trait AtomSink {
    /// An ideograph, kana or hangul syllable; `gap`: whether a separator came before it.
    fn cjk(&mut self, c: char, gap: bool);
    /// A run of other letters and digits; `gap`: whether a separator came before it.
    fn word(&mut self, word: &str, gap: bool);
    /// A unified ideograph (`U+4E00..=U+9FFF`, given by code point) right after the unified
    /// ideograph `previous`, with no separator between: most atoms of a Chinese text.
    #[inline]
    fn next_ideograph(&mut self, previous: u32, code: u32) {
        let _ = previous;
        self.cjk(char::from_u32(code).unwrap_or_default(), false);
    }
}

/// Reports each atom of [`normalize`]`(text)` and whether a separator came before it (the
/// [`atoms`] of the normalised text) to `sink`, in one pass without building the normalised
/// text. `word` is scratch space for the word being read.
pub(crate) fn scan_atoms(text: &str, word: &mut String, sink: &mut impl AtomSink) {
    word.clear();
    let mut scanner = AtomScanner {
        word,
        gap: false,
        sink,
    };
    let bytes = text.as_bytes();
    let mut idx = 0;
    while idx < text.len() {
        if let Some(mut previous) = unified_ideograph(bytes, idx) {
            scanner.cjk(char::from_u32(previous).unwrap_or_default());
            idx += 3;
            // The rest of a run of ideographs: no word to end, no separator before.
            while let Some(code) = unified_ideograph(bytes, idx) {
                scanner.sink.next_ideograph(previous, code);
                previous = code;
                idx += 3;
            }
            continue;
        }
        if let Some((unit, len)) = quick_unit(bytes, idx) {
            match unit {
                QuickUnit::Word(c) => scanner.word.push(c),
                QuickUnit::Separator => scanner.separator(),
            }
            idx += len;
            continue;
        }
        match next_unit(text, idx) {
            Unit::Stable(c, end) => {
                scanner.push(c.to_ascii_lowercase());
                idx = end;
            }
            Unit::Cluster(end) => {
                for_each_normalized_in_cluster(&text[idx..end], |c| scanner.push(c));
                idx = end;
            }
        }
    }
    scanner.end_word();
}

/// The unified ideograph (`U+4E00..=U+9FFF`, most of a Chinese text) that starts at byte
/// `start` of valid UTF-8, when no combining mark follows it: a unit that normalising leaves
/// as it is, decoded without the general path of [`next_unit`].
#[inline]
fn unified_ideograph(bytes: &[u8], start: usize) -> Option<u32> {
    let lead = *bytes.get(start)?;
    if !(0xE4..=0xE9).contains(&lead) || start + 2 >= bytes.len() {
        return None;
    }
    let code = u32::from(lead & 0x0F) << 12
        | u32::from(bytes[start + 1] & 0x3F) << 6
        | u32::from(bytes[start + 2] & 0x3F);
    (code >= 0x4E00 && no_mark_at(bytes, start + 3)).then_some(code)
}

/// Whether no combining mark starts at byte `idx` of valid UTF-8, as far as its first bytes
/// tell: none starts with an ASCII byte or the lead byte of `U+4000..U+A000`, and none is in
/// `U+2000..U+2040`, `U+3000..U+302A` or `U+FF00..U+FF80` (the punctuation of news text).
#[inline]
fn no_mark_at(bytes: &[u8], idx: usize) -> bool {
    // The next ideograph or ASCII byte (most of the time), without slicing.
    match bytes.get(idx) {
        None => return true,
        Some(&lead) if lead < 0x80 || lead.wrapping_sub(0xE4) < 6 => return true,
        Some(_) => {}
    }
    match bytes.get(idx..).unwrap_or_default() {
        [] | [0x00..=0x7F | 0xE4..=0xE9, ..] | [0xE2, 0x80, ..] | [0xEF, 0xBC | 0xBD, ..] => true,
        [0xE3, 0x80, third, ..] => *third < 0xAA,
        _ => false,
    }
}

/// What [`quick_unit`] read.
enum QuickUnit {
    /// A letter or digit, normalised (ASCII lower case).
    Word(char),
    /// Punctuation or white space.
    Separator,
}

/// The unit that starts at byte `start` of valid UTF-8 when it is ASCII, full-width ASCII
/// (`，`, `！`, `１`: NFKC makes them ASCII) or common punctuation ([`is_common_punctuation`])
/// and no combining mark follows it, with its length: the rest of a Chinese text but the
/// ideographs, without the general path of [`next_unit`].
#[inline]
fn quick_unit(bytes: &[u8], start: usize) -> Option<(QuickUnit, usize)> {
    let ascii = |byte: u8| {
        if byte.is_ascii_alphanumeric() {
            QuickUnit::Word(char::from(byte.to_ascii_lowercase()))
        } else {
            QuickUnit::Separator
        }
    };
    let (unit, len) = match bytes.get(start..).unwrap_or_default() {
        [byte, ..] if byte.is_ascii() => (ascii(*byte), 1),
        // U+2013..=U+2014, U+2018..=U+201F; U+3001..=U+3002, U+3008..=U+3011.
        [0xE2, 0x80, 0x93 | 0x94 | 0x98..=0x9F, ..]
        | [0xE3, 0x80, 0x81 | 0x82 | 0x88..=0x91, ..] => (QuickUnit::Separator, 3),
        // U+FF01..=U+FF3F and U+FF40..=U+FF5E: the ASCII character 0xFEE0 below.
        [0xEF, 0xBC, third @ 0x81..=0xBF, ..] => (ascii(third - 0x80 + 0x20), 3),
        [0xEF, 0xBD, third @ 0x80..=0x9E, ..] => (ascii(third - 0x80 + 0x60), 3),
        _ => return None,
    };
    no_mark_at(bytes, start + len).then_some((unit, len))
}

/// The state of [`scan_atoms`]: [`atoms`] on one character at a time.
struct AtomScanner<'a, S> {
    word: &'a mut String,
    gap: bool,
    sink: &'a mut S,
}

impl<S: AtomSink> AtomScanner<'_, S> {
    /// A CJK atom.
    #[inline]
    fn cjk(&mut self, c: char) {
        if !self.word.is_empty() {
            self.end_word();
        }
        self.sink.cjk(c, self.gap);
        self.gap = false;
    }

    /// Punctuation or white space.
    #[inline]
    fn separator(&mut self) {
        if !self.word.is_empty() {
            self.end_word();
        }
        self.gap = true;
    }

    #[inline]
    fn push(&mut self, c: char) {
        // The unified ideographs first: most of a Chinese text.
        let class = if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            CharClass::Cjk
        } else {
            classify(c)
        };
        match class {
            CharClass::Cjk => self.cjk(c),
            CharClass::Word => self.word.push(c),
            CharClass::Separator => self.separator(),
        }
    }

    #[inline(never)]
    fn end_word(&mut self) {
        if !self.word.is_empty() {
            self.sink.word(self.word, self.gap);
            self.word.clear();
            self.gap = false;
        }
    }
}

/// The key of the token for two neighbouring atoms: `ab`, or `a b` across a gap.
pub(crate) fn pair_key(first: &str, second: Atom<'_>) -> String {
    let mut key = String::with_capacity(first.len() + second.text.len() + 1);
    key.push_str(first);
    if second.gap {
        key.push(' ');
    }
    key.push_str(second.text);
    key
}

/// One term of a query: its atoms, and the tokens it is looked up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    /// The atoms as (text, gap before), normalised.
    pub atoms: Vec<(String, bool)>,
    /// Its one atom, or the keys of its neighbouring pairs (the first gap of a term does not
    /// count: the term may start anywhere).
    pub keys: Vec<String>,
}

impl Term {
    /// Whether the index alone decides this term (one token); a longer term's documents are
    /// only candidates, to be confirmed against their text.
    pub(crate) fn is_exact(&self) -> bool {
        self.keys.len() == 1
    }

    /// Whether the term's atoms occur as one run, with the same gaps, in the atoms of a field.
    pub(crate) fn is_in(&self, field_atoms: &[Atom<'_>]) -> bool {
        field_atoms.windows(self.atoms.len()).any(|window| {
            window
                .iter()
                .zip(&self.atoms)
                .enumerate()
                .all(|(idx, (have, (text, gap)))| {
                    have.text == text && (idx == 0 || have.gap == *gap)
                })
        })
    }
}

/// The query terms of what a reader typed: split at white space, normalised, and cut into
/// atoms. Terms without any atom (only punctuation) are dropped, and so are repeated ones.
pub(crate) fn query_terms(query: &str) -> Vec<Term> {
    let mut terms: Vec<Term> = Vec::new();
    for term in query.split_whitespace() {
        let normalized = normalize(term);
        let term_atoms = atoms(&normalized);
        if term_atoms.is_empty() {
            continue;
        }
        let keys = match term_atoms.as_slice() {
            [only] => vec![only.text.to_string()],
            _ => term_atoms
                .windows(2)
                .map(|pair| pair_key(pair[0].text, pair[1]))
                .collect(),
        };
        if terms.iter().any(|seen| seen.keys == keys) {
            continue;
        }
        terms.push(Term {
            atoms: term_atoms
                .iter()
                .map(|atom| (atom.text.to_string(), atom.gap))
                .collect(),
            keys,
        });
    }
    terms
}

/// FNV-1a, 32 bits, over the UTF-8 bytes of a token: which shard holds it (modulo the number of
/// shards). Chosen because `search.js` computes it in four lines.
pub(crate) fn fnv1a(token: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in token.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atom_texts(text: &str) -> Vec<(String, bool)> {
        atoms(&normalize(text))
            .into_iter()
            .map(|atom| (atom.text.to_string(), atom.gap))
            .collect()
    }

    #[test]
    fn normalizes_width_and_case() {
        assert_eq!(normalize("ＡＢＣ１２３"), "abc123");
        assert_eq!(normalize("白莲，社区！"), "白莲,社区!");
        assert_eq!(normalize("Hello WORLD"), "hello world");
        // A decomposed é (e + U+0301) composes, so it matches a typed é.
        assert_eq!(normalize("Cafe\u{301}"), "café");
        assert_eq!(normalize("㈱"), "(株)");
        assert_eq!(normalize("Ⅻ"), "xii");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// The fast paths change nothing: the result is NFKC then lower case.
        #[test]
        fn normalizing_is_nfkc_then_lower_case(
            text in proptest::string::string_regex(
                "[a-zA-Z0-9 白莲社区ＡＢ１，。“Ⅻ㈱é\u{301}\u{308}eE]{0,24}"
            ).expect("regex")
        ) {
            let expected = text.nfkc().collect::<String>().to_lowercase();
            proptest::prop_assert_eq!(normalize(&text), expected);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// The one-pass forms agree with normalising first: the same characters, the same atoms.
        #[test]
        fn one_pass_scans_equal_normalizing_first(
            text in proptest::string::string_regex(
                "[a-zA-Z0-9 白莲社区ＡＢ１，。“Ⅻ㈱é\u{301}\u{308}\u{20D0}eEΣσ가あ\u{3000}一\u{9FFF}䷿\u{4DB5}ꀀ、—《》！？：（ｚ｀～\u{3029}\u{302A}\u{3099}\u{FE20}\u{203F}\u{2040}-]{0,24}"
            ).expect("regex")
        ) {
            let normalized = normalize(&text);
            let mut chars = String::new();
            for_each_normalized(&text, |c| chars.push(c));
            proptest::prop_assert_eq!(&chars, &normalized);
            let expected: Vec<(String, bool)> = atoms(&normalized)
                .into_iter()
                .map(|atom| (atom.text.to_string(), atom.gap))
                .collect();
            let mut scanned = Scanned::default();
            scan_atoms(&text, &mut String::from("left over"), &mut scanned);
            proptest::prop_assert_eq!(scanned.0, expected);
        }
    }

    /// Atoms as (text, gap), from [`scan_atoms`].
    #[derive(Default)]
    struct Scanned(Vec<(String, bool)>);

    impl AtomSink for Scanned {
        fn cjk(&mut self, c: char, gap: bool) {
            self.0.push((c.to_string(), gap));
        }

        fn word(&mut self, word: &str, gap: bool) {
            self.0.push((word.to_string(), gap));
        }
    }

    #[test]
    fn one_pass_normalizing_handles_marks_and_sigma() {
        let one_pass = |text: &str| {
            let mut out = String::new();
            for_each_normalized(text, |c| out.push(c));
            out
        };
        assert_eq!(one_pass("Cafe\u{301} ＡＢ，白莲"), "café ab,白莲");
        assert_eq!(one_pass("\u{301}a"), normalize("\u{301}a"));
        assert_eq!(one_pass("ΟΔΟΣ"), normalize("ΟΔΟΣ"));
        assert_eq!(one_pass(""), "");
    }

    #[test]
    fn no_combining_mark_starts_where_the_quick_paths_assume_none() {
        let assumed = (0x2000..0x2040).chain(0x3000..0x302A).chain(0xFF00..0xFF80);
        for c in assumed.chain(0x4000..0xA000).filter_map(char::from_u32) {
            assert!(!is_combining_mark(c), "{c:?}");
            assert!(no_mark_at(c.to_string().as_bytes(), 0), "{c:?}");
        }
        for mark in ['\u{301}', '\u{20D0}', '\u{302A}', '\u{3099}', '\u{FE20}'] {
            assert!(is_combining_mark(mark));
            assert!(!no_mark_at(mark.to_string().as_bytes(), 0), "{mark:?}");
        }
    }

    #[test]
    fn quick_units_are_what_normalising_makes_of_them() {
        // The units a Chinese text is mostly made of take the quick path...
        for c in [
            'a', 'Z', '7', ' ', ',', '，', '！', '１', 'Ａ', '。', '、', '“', '”', '—', '《',
        ] {
            let text = format!("{c}白");
            assert!(quick_unit(text.as_bytes(), 0).is_some(), "{c:?}");
        }
        // ...but not before a combining mark, nor a character NFKC changes otherwise.
        for text in [
            "e\u{301}",
            "，\u{3099}",
            "。\u{302A}",
            "㈱",
            "Ⅻ",
            "\u{3000}",
        ] {
            assert!(quick_unit(text.as_bytes(), 0).is_none(), "{text:?}");
        }
        for code in (0..0x80)
            .chain(0x2000..0x2040)
            .chain(0x3000..0x3040)
            .chain(0xFF00..0xFF80)
        {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let text = c.to_string();
            let Some((unit, len)) = quick_unit(text.as_bytes(), 0) else {
                continue;
            };
            assert_eq!(len, text.len(), "{c:?}");
            let normalized = normalize(&text);
            match unit {
                QuickUnit::Word(word) => assert_eq!(normalized, word.to_string(), "{c:?}"),
                QuickUnit::Separator => assert!(
                    normalized
                        .chars()
                        .all(|n| classify(n) == CharClass::Separator),
                    "{c:?}"
                ),
            }
        }
    }

    #[test]
    fn common_punctuation_is_stable_and_separates() {
        let ranges = [
            0x2013..=0x2014,
            0x2018..=0x201F,
            0x3001..=0x3002,
            0x3008..=0x3011,
        ];
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            assert!(is_common_punctuation(c));
            assert_eq!(c.to_string().nfkc().collect::<String>(), c.to_string());
            assert_eq!(c.to_lowercase().to_string(), c.to_string());
            assert!(!c.is_alphanumeric() && !is_combining_mark(c), "{c}");
        }
    }

    #[test]
    fn chinese_is_one_atom_per_character_latin_one_per_word() {
        assert_eq!(
            atom_texts("G20峰会 2018年"),
            vec![
                ("g20".to_string(), false),
                ("峰".to_string(), false),
                ("会".to_string(), false),
                ("2018".to_string(), true),
                ("年".to_string(), false),
            ]
        );
        assert_eq!(
            atom_texts("“四社联动”"),
            ["四", "社", "联", "动"]
                .iter()
                .enumerate()
                .map(|(idx, atom)| ((*atom).to_string(), idx == 0))
                .collect::<Vec<_>>()
        );
        assert!(atom_texts("，。！—— …").is_empty());
    }

    #[test]
    fn query_terms_are_pairs_or_single_atoms() {
        let query_terms = |query: &str| -> Vec<Vec<String>> {
            query_terms(query)
                .into_iter()
                .map(|term| term.keys)
                .collect()
        };
        assert_eq!(query_terms("儿童之家"), vec![vec!["儿童", "童之", "之家"]]);
        assert_eq!(query_terms("莲"), vec![vec!["莲"]]);
        assert_eq!(query_terms("Hello"), vec![vec!["hello"]]);
        assert_eq!(query_terms("“盘活”"), vec![vec!["盘活"]]);
        assert_eq!(query_terms("3月18日"), vec![vec!["3月", "月18", "18日"]]);
        assert_eq!(
            query_terms("白莲  社区，居民 白莲"),
            vec![vec!["白莲"], vec!["社区", "区 居", "居民"]]
        );
        assert!(query_terms(" ，， ").is_empty());
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        // Reference values of FNV-1a 32 (also asserted by the browser test through search.js).
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }
}
