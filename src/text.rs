//! Small pure functions on text: CJK detection, tag stripping, excerpts, reading time, slugs.
//!
//! Used by `content` (summaries, reading time) and by the template filters in `render`, so both
//! agree on what an excerpt is. Nothing here does I/O or knows about stories.

/// Whether `c` is a Chinese, Japanese or Korean character or full-width punctuation.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{2FFF}'      // radicals, Kangxi
        | '\u{3000}'..='\u{303F}'    // CJK symbols and punctuation (、。「」)
        | '\u{3040}'..='\u{30FF}'    // kana
        | '\u{3100}'..='\u{31FF}'    // bopomofo, strokes
        | '\u{3400}'..='\u{4DBF}'    // extension A
        | '\u{4E00}'..='\u{9FFF}'    // unified ideographs
        | '\u{AC00}'..='\u{D7AF}'    // hangul
        | '\u{F900}'..='\u{FAFF}'    // compatibility ideographs
        | '\u{FE30}'..='\u{FE4F}'    // compatibility forms
        | '\u{FF00}'..='\u{FFEF}'    // full-width forms (，！？：)
        | '\u{20000}'..='\u{2FA1F}') // extensions B and later
}

/// Punctuation shared by Chinese and Western text (“ ” ‘ ’ … —), which counts as CJK next to CJK.
pub(crate) fn is_shared_punctuation(c: char) -> bool {
    matches!(
        c,
        '\u{2014}' | '\u{2018}'..='\u{201D}' | '\u{2026}' | '\u{00B7}'
    )
}

/// Whether a line break between `before` and `after` should vanish, as it does in Chinese text.
pub(crate) fn joins_without_space(before: char, after: char) -> bool {
    let cjkish = |c: char| is_cjk(c) || is_shared_punctuation(c);
    cjkish(before) && cjkish(after) && (is_cjk(before) || is_cjk(after))
}

/// Removes HTML tags, comments and the contents of `<script>` and `<style>`, decodes the basic
/// entities, and collapses white space.
pub(crate) fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut last_space = true;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        // Plain text up to the next markup, entity or white space is copied in one piece.
        let run = plain_run(rest);
        if run > 0 {
            out.push_str(&rest[..run]);
            last_space = false;
            rest = &rest[run..];
            continue;
        }
        match c {
            '<' => rest = &rest[skip_markup(rest)..],
            '&' => {
                let decoded = [
                    ("&amp;", '&'),
                    ("&lt;", '<'),
                    ("&gt;", '>'),
                    ("&quot;", '"'),
                    ("&#39;", '\''),
                    ("&#x27;", '\''),
                    ("&nbsp;", ' '),
                ]
                .into_iter()
                .find(|(entity, _)| rest.starts_with(entity));
                if let Some((entity, ch)) = decoded {
                    rest = &rest[entity.len()..];
                    if !(ch == ' ' && last_space) {
                        out.push(ch);
                    }
                    last_space = ch == ' ';
                } else {
                    rest = &rest[1..];
                    out.push('&');
                    last_space = false;
                }
            }
            _ => {
                rest = &rest[c.len_utf8()..];
                if !last_space {
                    out.push(' ');
                    last_space = true;
                }
            }
        }
    }
    // Nothing but a collapsed space can end the text (none starts it): no copy to trim it.
    if out.ends_with(' ') {
        out.pop();
    }
    out.shrink_to_fit();
    out
}

/// The length of the start of `text` before its first `<`, `&` or white space. Eight bytes
/// are ruled out at a time when none of them can start a stop; otherwise the first that can
/// is checked, and the scan goes on after it when it is not one (a digit, ASCII punctuation,
/// or a lead byte of Chinese punctuation such as `“”—、。《》`).
fn plain_run(text: &str) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = ONES * 0x80;
    // The high bit of the bytes of `word` below `n` (at most 0x80): exact for the lowest
    // flagged byte (a borrow can only flag bytes above a flagged one).
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    // Every byte below `0x40` (controls, space, `&`, `<`, and digits and some punctuation),
    // and `C0`–`C3` and `E0`–`E3`: a superset of the first bytes of the stops.
    let candidates =
        |word: u64| below(word, 0x40) | below((word & (ONES * 0xDF)) ^ (ONES * 0xC0), 4);
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(chunk) = bytes.get(start..start + 8) {
        let flags = candidates(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        if flags == 0 {
            start += 8;
            continue;
        }
        let idx = start + flags.trailing_zeros() as usize / 8;
        if is_stop(&bytes[idx..]) {
            return idx;
        }
        start = idx + 1;
    }
    (start..bytes.len())
        .find(|&idx| is_stop(&bytes[idx..]))
        .unwrap_or(bytes.len())
}

/// Whether `bytes` (UTF-8 from a character boundary, or from inside a character, which is
/// never a stop) starts with `<`, `&` or a white space character.
#[inline]
fn is_stop(bytes: &[u8]) -> bool {
    matches!(
        bytes,
        [b'<' | b'&' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | b' ', ..]
            // U+0085, U+00A0, U+1680, U+2000..=U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
            | [0xC2, 0x85 | 0xA0, ..]
            | [0xE1, 0x9A, 0x80, ..]
            | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..]
            | [0xE2, 0x81, 0x9F, ..]
            | [0xE3, 0x80, 0x80, ..]
    )
}

/// The length of the markup that starts `text` (at a `<`): a comment, a `<script>` or
/// `<style>` element with its contents, or one tag. Unclosed markup runs to the end.
fn skip_markup(text: &str) -> usize {
    let end_of = |marker: &str, from: usize| {
        text.get(from..)
            .and_then(|tail| find_ascii_case_insensitive(tail, marker))
            .map_or(text.len(), |at| from + at + marker.len())
    };
    if text.starts_with("<!--") {
        return end_of("-->", 4);
    }
    for element in ["script", "style"] {
        let opens = text
            .get(1..=element.len())
            .is_some_and(|name| name.eq_ignore_ascii_case(element))
            && text[element.len() + 1..]
                .starts_with(|c: char| c == '>' || c == '/' || c.is_ascii_whitespace());
        if opens {
            return end_of(">", end_of(&format!("</{element}"), 1));
        }
    }
    end_of(">", 1)
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// At most `max_chars` characters of `text`, with `…` when cut.
pub(crate) fn truncate_chars(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_string(),
        Some((idx, _)) => format!("{}…", text[..idx].trim_end()),
    }
}

/// A summary of plain text: up to about `max_chars` characters, cut after a sentence end
/// (。！？!?) when one falls in the second half, otherwise cut with `…`.
pub(crate) fn summarize(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    let Some((limit, _)) = text.char_indices().nth(max_chars) else {
        return text.to_string();
    };
    let head = &text[..limit];
    let min_len = head.len() / 2;
    let sentence_end = head
        .char_indices()
        .filter(|(idx, c)| *idx >= min_len && matches!(c, '。' | '！' | '？' | '!' | '?'))
        .map(|(idx, c)| idx + c.len_utf8())
        .next_back();
    match sentence_end {
        Some(end) => {
            // Keep a closing quote that belongs to the sentence.
            let rest = &text[end..];
            let closing = rest
                .chars()
                .take_while(|c| matches!(c, '”' | '’' | '」' | '』' | '"'))
                .map(char::len_utf8)
                .sum::<usize>();
            text[..end + closing].to_string()
        }
        None => format!("{}…", head.trim_end()),
    }
}

/// Runs of white space turned into one space, trimmed at both ends.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Minutes to read: CJK characters at about 450 a minute, other words at about 200.
pub(crate) fn reading_minutes(n_cjk_chars: usize, n_words: usize) -> usize {
    let minutes = n_cjk_chars as f64 / 450.0 + n_words as f64 / 200.0;
    (minutes.ceil() as usize).max(1)
}

/// Counts CJK characters and other (space-separated) words in plain text.
pub(crate) fn count_text(text: &str) -> (usize, usize) {
    let mut n_cjk = 0;
    let mut n_words = 0;
    let mut in_word = false;
    for c in text.chars() {
        // The common cases first: ASCII, then the unified ideographs.
        let is_word_char = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) || is_cjk(c) {
            n_cjk += 1;
            in_word = false;
            continue;
        } else {
            c.is_alphanumeric()
        };
        if is_word_char {
            if !in_word {
                n_words += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    (n_cjk, n_words)
}

/// An ASCII, URL-safe slug; Chinese is transliterated to pinyin (`白莲社区` → `bai-lian-she-qu`).
pub(crate) fn slugify(text: &str) -> String {
    slug::slugify(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_break_rule() {
        assert!(joins_without_space('莲', '社'));
        assert!(joins_without_space('。', '社'));
        assert!(joins_without_space('”', '社'));
        assert!(!joins_without_space('a', '社'));
        assert!(!joins_without_space('a', 'b'));
        assert!(!joins_without_space('”', '“'));
    }

    #[test]
    fn plain_runs_stop_at_markup_entities_and_any_white_space() {
        let reference = |text: &str| {
            text.find(|c: char| c == '<' || c == '&' || c.is_whitespace())
                .unwrap_or(text.len())
        };
        let stops = ['<', '&', ' ', '\t', '\n', '\u{0B}', '\u{0C}', '\r'];
        let non_ascii_spaces = (0x80..0x3100)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace());
        for stop in stops.into_iter().chain(non_ascii_spaces) {
            let text = format!("甲a“乙”、\u{A9}\u{2030}{stop}丙");
            assert_eq!(plain_run(&text), reference(&text), "{stop:?}");
        }
        // A stop at every offset of an eight-byte word, after plain text of every length.
        for prefix in 0..20 {
            for stop in [
                '<', '&', ' ', '\u{85}', '\u{A0}', '\u{1680}', '\u{2003}', '\u{3000}',
            ] {
                let text = format!("{}{stop}乙", "a".repeat(prefix));
                assert_eq!(plain_run(&text), reference(&text), "{text:?}");
                let text = format!("{}{stop}乙", "“甲”".repeat(prefix));
                assert_eq!(plain_run(&text), reference(&text), "{text:?}");
            }
        }
        // Every character of the first plane (the others start with F0–F4, which never stop),
        // after prefixes of 0, 3 and 4 bytes.
        for c in (0..0x1_0000).filter_map(char::from_u32) {
            for prefix in ["", "甲", "ab12"] {
                let text = format!("{prefix}{c}丙 ");
                assert_eq!(plain_run(&text), reference(&text), "{text:?}");
            }
        }
        for text in [
            "",
            "甲乙",
            "“引号”。",
            "\u{85}",
            "a\u{3000}b",
            "\u{1C}\u{1F}\u{7F}甲乙丙丁",
        ] {
            assert_eq!(plain_run(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn strip_html_decodes_and_collapses() {
        assert_eq!(
            strip_html("<p>A &amp; B</p>\n<p>&lt;c&gt;</p>"),
            "A & B <c>"
        );
        assert_eq!(strip_html("<a href=\"x>y\">链接</a>"), "y\">链接");
        assert_eq!(strip_html("1 &copy; 2"), "1 &copy; 2");
        assert_eq!(
            strip_html(
                "甲<!-- <p>注释</p> -->乙<SCRIPT>alert(\"<b>\")</script>丙<style>p{}</style>丁"
            ),
            "甲乙丙丁"
        );
        assert_eq!(strip_html("<scripts>甲</scripts>"), "甲");
        assert_eq!(strip_html("甲<!-- 没有结尾"), "甲");
        // White space of any kind, entities at the very end, a lone `<`.
        assert_eq!(
            strip_html("  甲\u{3000}\u{3000}乙 &nbsp; 丙\t\n"),
            "甲 乙 丙"
        );
        assert_eq!(strip_html("甲&amp"), "甲&amp");
        assert_eq!(strip_html("甲&"), "甲&");
        assert_eq!(strip_html("甲<"), "甲");
        assert_eq!(strip_html("<p>一</p><p>二</p>"), "一二");
    }

    #[test]
    fn summarize_cuts_at_sentence_end() {
        let text = "白莲社区以党群服务中心亲民化改造为基础。居民点赞。后面还有很多很多内容";
        assert_eq!(
            summarize(text, 25),
            "白莲社区以党群服务中心亲民化改造为基础。居民点赞。"
        );
        assert_eq!(summarize("短文本。", 120), "短文本。");
        assert_eq!(summarize("没有句号的很长很长的文本", 5), "没有句号的…");
        assert_eq!(
            summarize("他说：“好。”然后离开了很久很久", 8),
            "他说：“好。”"
        );
    }

    #[test]
    fn reading_time_counts_characters() {
        assert_eq!(count_text("白莲社区 hello world 2018"), (4, 3));
        assert_eq!(reading_minutes(0, 0), 1);
        assert_eq!(reading_minutes(900, 0), 2);
        assert_eq!(reading_minutes(901, 0), 3);
    }

    #[test]
    fn slugs_are_pinyin() {
        assert_eq!(slugify("白莲社区"), "bai-lian-she-qu");
        assert_eq!(slugify("Hello World"), "hello-world");
        assert_eq!(slugify("！！"), "");
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate_chars("白莲社区", 2), "白莲…");
        assert_eq!(truncate_chars("白莲", 2), "白莲");
    }
}
