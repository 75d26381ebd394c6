//! `yuanba init DIR`: a new site that builds at once.

use std::path::Path;

use crate::archetype;
use crate::cli::InitArgs;
use crate::exit::ExitCode;
use crate::render::builtin;

const SITE_YAML: &str = "\
# yuanba site configuration. Every key is documented in the README.
title: 我的社区新闻
description: 走进社区，记录邻里之间的新鲜事。
tagline: 百名记者进社区
base_url: https://example.org/
language: zh-CN
timezone: Asia/Shanghai
theme: default
contact:
  title: 互动通道
  intro: 欢迎向我们推荐您身边的社区故事。
  channels:
    - name: 电话
      value: 028-00000000
      href: tel:+862800000000
";

/// Runs `yuanba init`.
pub(crate) fn run(args: &InitArgs) -> ExitCode {
    let dir = args.dir.as_ref().unwrap_or(&args.root.root);
    match create_site(dir) {
        Ok(()) => {
            println!("created a new site in {}", dir.display());
            println!("build it with: yuanba build --root {}", dir.display());
            ExitCode::Success
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::Failure
        }
    }
}

fn create_site(dir: &Path) -> Result<(), String> {
    ensure_new_or_empty(dir)?;
    let today = jiff::ZonedDateTime::now().with_time_zone(
        jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC),
    );
    for file in site_files(&today) {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        write_new(&path, &file.bytes)?;
    }
    Ok(())
}

/// `yuanba init` never writes into a folder that has something in it.
fn ensure_new_or_empty(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        let mut entries =
            std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        if entries.next().is_some() {
            return Err(format!(
                "{} is not empty; yuanba init only creates a site in a new or empty folder",
                dir.display()
            ));
        }
    }
    Ok(())
}

/// One file of the new site.
struct NewFile {
    /// Relative to the site folder, with `/`.
    path: String,
    bytes: Vec<u8>,
}

/// Every file of a new site, in the order they are written: `site.yaml`, a first story dated
/// `today`, `static/`, `.gitignore`, then the default theme (templates, `theme.yaml`, the
/// archetype, static files).
fn site_files(today: &jiff::ZonedDateTime) -> Vec<NewFile> {
    let file = |path: String, bytes: Vec<u8>| NewFile { path, bytes };
    let mut files = vec![
        file("site.yaml".to_string(), SITE_YAML.as_bytes().to_vec()),
        file(
            format!("content/stories/{}/welcome.md", today.year()),
            welcome_story(today).into_bytes(),
        ),
        file("static/.gitkeep".to_string(), Vec::new()),
        file(
            ".gitignore".to_string(),
            b"# Build output, and the staging folder a build writes beside it.\n/public/\n/.public.*\n# yuanba's caches (processed photos).\n/.yuanba/\n".to_vec(),
        ),
    ];
    for (name, text) in builtin::TEMPLATES {
        files.push(file(
            format!("themes/default/templates/{name}"),
            text.as_bytes().to_vec(),
        ));
    }
    files.push(file(
        format!("themes/default/{}", crate::theme_config::THEME_FILE),
        builtin::THEME_YAML.as_bytes().to_vec(),
    ));
    files.push(file(
        format!("themes/default/archetypes/{}", archetype::STORY_FILE),
        archetype::BUILTIN_STORY.as_bytes().to_vec(),
    ));
    for (name, bytes) in builtin::STATIC {
        files.push(file(
            format!("themes/default/static/{name}"),
            bytes.to_vec(),
        ));
    }
    files
}

/// The sample story of a new site.
fn welcome_story(today: &jiff::ZonedDateTime) -> String {
    format!(
        "---\ntitle: 欢迎来到院坝\ndate: {date}\ndistrict: 成华区\nstreet: 白莲池街道\ncommunity: 白莲社区\nreporter: 编辑部\nhighlights:\n  - 用 Markdown 写稿，用 yuanba 发布\ntags: [示例]\n---\n\n这是用 yuanba 生成的第一篇报道。编辑这个文件，\n然后运行 `yuanba build`，网站就会出现在 public/ 文件夹里。\n",
        date = today.strftime("%Y-%m-%d")
    )
}

/// Writes a file that must not exist yet: never overwrites.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}
