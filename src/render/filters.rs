//! Template filters and functions, as small pure functions registered in `tera_env.rs`.

use crate::text;

/// `2018-03-18…` → `2018年3月18日`; `None` when the text does not start with a date.
pub(crate) fn zh_date(value: &str) -> Option<String> {
    let date_part = value.get(..10)?;
    let date = date_part.parse::<jiff::civil::Date>().ok()?;
    Some(format!(
        "{}年{}月{}日",
        date.year(),
        date.month(),
        date.day()
    ))
}

/// Plain text of `html`, at most `length` characters.
pub(crate) fn excerpt(html: &str, length: usize) -> String {
    text::truncate_chars(&text::strip_html(html), length)
}

/// Joins the site's base with a path relative to it: `style.css` → `/news/style.css`.
/// Full URLs pass through unchanged.
pub(crate) fn url(base: &str, path: &str) -> String {
    if path.contains("://") || path.starts_with("//") {
        return path.to_string();
    }
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_dates() {
        assert_eq!(
            zh_date("2018-03-18T00:00:00+08:00").as_deref(),
            Some("2018年3月18日")
        );
        assert_eq!(zh_date("2018-12-01").as_deref(), Some("2018年12月1日"));
        assert_eq!(zh_date("20180318"), None);
        assert_eq!(zh_date("2018-13-01"), None);
        assert_eq!(zh_date("白莲社区白莲社区白莲社区"), None);
    }

    #[test]
    fn excerpts_are_plain_text() {
        assert_eq!(
            excerpt("<p>白莲<strong>社区</strong>创新</p>", 4),
            "白莲社区…"
        );
        assert_eq!(excerpt("<p>a &amp; b</p>", 10), "a & b");
    }

    #[test]
    fn urls_join_the_base() {
        assert_eq!(url("/", "style.css"), "/style.css");
        assert_eq!(url("/news/", "/style.css"), "/news/style.css");
        assert_eq!(url("/news/", "newsletter/"), "/news/newsletter/");
        assert_eq!(url("https://x.org/news/", "a/"), "https://x.org/news/a/");
        assert_eq!(url("/", ""), "/");
        assert_eq!(url("/news/", "https://cdn/x"), "https://cdn/x");
    }
}
