//! Site search: a static, sharded index of every published story under `search/`, built from
//! the [`Site`] as pure functions, and the query side that `search.js` mirrors.
//!
//! Files written (all JSON; the numbers inside strings are varints, see [`index`]):
//!
//! - `search/manifest.json`: format, build hash (the client's cache key), number of documents,
//!   shards and documents per chunk, the districts, each document's district, and the id range
//!   of each year.
//! - `search/ids/<shard>.json`: `{token: postings}`, where a token's shard is
//!   `fnv1a(token) % shards`; postings are document ids with tier masks, nothing more.
//! - `search/docs/<chunk>.json`: the document table, `chunk` documents a file by id: URL, title,
//!   date, place line, reporters, subtitle, highlights, summary and body text, for showing
//!   results, cutting snippets and confirming queries of three or more atoms. Text only, never
//!   HTML.
//!
//! A query downloads the manifest, the id shards of its tokens, and the chunks of the results
//! it shows; for a term of three or more atoms, also the chunks of the candidates it confirms
//! on the way ([`query`]). Nothing here does I/O.

pub(crate) mod index;
pub mod query;
pub(crate) mod tokenize;

use crate::diagnostic::Code;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::SiteConfig;
use crate::content::Story;
use crate::diagnostic::Diagnostic;
use crate::output::{Contents, Output};
use crate::site::{Site, permalink};
use index::DocText;

/// Bumped whenever the files or the tokenizer change, together with `search.js`.
pub const FORMAT_VERSION: u32 = 2;

/// The folder of the search page and its index, relative to the site.
pub const SEARCH_DIR: &str = "search";

/// About this many bytes of postings go into one id shard: a one-token query downloads one.
const TARGET_SHARD_BYTES: usize = 24 * 1024;

/// About this many bytes of document records go into one chunk: a page of ten results from
/// all over the site downloads ten of them.
const TARGET_CHUNK_BYTES: usize = 12 * 1024;

/// `search/manifest.json`.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct Manifest {
    /// [`FORMAT_VERSION`].
    pub format: u32,
    /// A hash of every index file: the client adds `?v=<build>` to its requests.
    pub build: String,
    /// Number of documents; ids are `0..docs`, newest first.
    pub docs: u32,
    /// Number of shards (a power of two).
    pub shards: u32,
    /// Documents per chunk of `search/docs/`.
    pub chunk: u32,
    /// District names, sorted.
    pub districts: Vec<String>,
    /// Per document, the index of its district in `districts`, as varints.
    pub doc_districts: String,
    /// `[year, first id, number of documents]`, newest year first.
    pub years: Vec<[u32; 3]>,
}

/// One entry of the document table.
#[derive(Debug, Serialize)]
struct DocRecord<'a> {
    url: String,
    title: &'a str,
    date: String,
    place: &'a str,
    reporters: &'a str,
    subtitle: &'a str,
    highlights: &'a [String],
    summary: &'a str,
    body: &'a str,
}

/// Separates the static files under `search/`, which the index owns while search is on, and
/// warns about each: they would collide with index files.
pub fn split_hidden_assets(
    assets: Vec<Output>,
    config: &SiteConfig,
) -> (Vec<Output>, Vec<Diagnostic>) {
    if !config.search {
        return (assets, Vec::new());
    }
    let (hidden, assets): (Vec<Output>, Vec<Output>) = assets
        .into_iter()
        .partition(|asset| asset.path.starts_with(SEARCH_DIR));
    let warnings = hidden
        .iter()
        .map(|asset| {
            Diagnostic::warning(
                Code::StaticSearchFolder,
                format!(
                    "{} is not copied: search/ holds the search index",
                    asset.path.display()
                ),
            )
            .with_help("move the file out of search/, or set `search: false` in site.yaml")
        })
        .collect();
    (assets, warnings)
}

/// Every file of the search index of `site`.
pub fn build(site: &Site, config: &SiteConfig) -> Vec<Output> {
    collected(|emit| build_into(site, config, emit)).0
}

/// What `run` hands to its `emit` (from any thread), collected, and what it returns.
fn collected<T>(
    run: impl FnOnce(&(dyn Fn(Output) -> Result<(), std::convert::Infallible> + Sync)) -> T,
) -> (Vec<Output>, T) {
    let files = std::sync::Mutex::new(Vec::new());
    let returned = run(&|output: Output| {
        files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(output);
        Ok(())
    });
    let files = files
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    (files, returned)
}

/// Makes every file of the search index of `site` and hands each to `emit` as soon as it is
/// made, from any thread, the manifest last (its build hash covers the others): no file
/// waits in memory for the rest. An error of `emit` stops the run.
pub fn build_into<E: Send>(
    site: &Site,
    config: &SiteConfig,
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
) -> Result<(), E> {
    let started = std::time::Instant::now();
    let texts: Vec<StoryText> = site
        .stories
        .par_iter()
        .map(|story| StoryText::new(story))
        .collect();
    let docs: Vec<DocText<'_>> = site
        .stories
        .iter()
        .zip(&texts)
        .map(|(story, text)| text.doc_text(story))
        .collect();
    config
        .timings
        .log("search (from its start): texts", started);
    let (mut hashes, n_shards) = posting_files(&docs, config.timings, emit)?;
    drop(docs);
    config
        .timings
        .log("search (from its start): postings and shards", started);
    let chunk = chunk_size(site, &texts);
    let stories: Vec<(&Story, &StoryText)> = site
        .stories
        .iter()
        .map(|story| &**story)
        .zip(&texts)
        .collect();
    let chunk_hashes: Vec<u64> = stories
        .par_chunks(chunk)
        .enumerate()
        .map(|(idx, chunk)| {
            let records: Vec<DocRecord<'_>> = chunk
                .iter()
                .map(|(story, text)| DocRecord::new(story, text, config))
                .collect();
            emit_hashed(doc_chunk(idx, &records), emit)
        })
        .collect::<Result<_, E>>()?;
    hashes.extend(chunk_hashes);
    config
        .timings
        .log("search (from its start): document table", started);
    let build = build_hash(&hashes);
    let manifest = manifest(site, build, n_shards as u32, chunk as u32);
    emit(json_output(
        "manifest.json",
        serde_json::to_vec(&manifest).unwrap_or_default(),
    ))
}

/// The text of a story that is not a field of it already.
struct StoryText {
    visit_line: String,
    reporters: String,
    body: String,
}

impl StoryText {
    fn new(story: &Story) -> Self {
        StoryText {
            visit_line: format!("{}{}{}", story.district, story.street, story.community),
            reporters: story.reporters.join("、"),
            body: crate::text::strip_html(&story.content),
        }
    }

    /// The three tiers of the story's searchable text.
    fn doc_text<'a>(&'a self, story: &'a Story) -> DocText<'a> {
        let mut tier1 = Vec::with_capacity(story.highlights.len() + 1);
        tier1.push(story.subtitle.as_str());
        tier1.extend(story.highlights.iter().map(String::as_str));
        DocText {
            tiers: [
                vec![story.title.as_str()],
                tier1,
                vec![&self.visit_line, &self.reporters, &self.body],
            ],
        }
    }
}

impl<'a> DocRecord<'a> {
    /// Appends the record as JSON, byte for byte what `serde_json` writes for it, with a
    /// faster scan for the characters to escape ([`write_json_str`]).
    fn write_json(&self, out: &mut Vec<u8>) {
        let fields = [
            ("url", self.url.as_str()),
            ("title", self.title),
            ("date", &self.date),
            ("place", self.place),
            ("reporters", self.reporters),
            ("subtitle", self.subtitle),
        ];
        let mut separator = b'{';
        for (name, value) in fields {
            out.push(separator);
            separator = b',';
            write_json_str(out, name);
            out.push(b':');
            write_json_str(out, value);
        }
        out.extend_from_slice(b",\"highlights\":[");
        for (idx, highlight) in self.highlights.iter().enumerate() {
            if idx > 0 {
                out.push(b',');
            }
            write_json_str(out, highlight);
        }
        out.extend_from_slice(b"],\"summary\":");
        write_json_str(out, self.summary);
        out.extend_from_slice(b",\"body\":");
        write_json_str(out, self.body);
        out.push(b'}');
    }

    /// About the length of the record's JSON: its texts and the names around them.
    fn estimated_len(&self) -> usize {
        let highlights: usize = self.highlights.iter().map(|h| h.len() + 3).sum();
        self.url.len()
            + self.title.len()
            + self.date.len()
            + self.place.len()
            + self.reporters.len()
            + self.subtitle.len()
            + highlights
            + self.summary.len()
            + self.body.len()
            + 120
    }

    fn new(story: &'a Story, text: &'a StoryText, config: &SiteConfig) -> Self {
        DocRecord {
            url: permalink::story_url(config, &story.slug),
            title: &story.title,
            date: format!(
                "{:04}-{:02}-{:02}",
                story.date.year(),
                story.date.month(),
                story.date.day()
            ),
            place: &text.visit_line,
            reporters: &text.reporters,
            subtitle: &story.subtitle,
            highlights: &story.highlights,
            summary: &story.summary,
            body: &text.body,
        }
    }
}

/// `search/docs/<idx>.json`.
fn doc_chunk(idx: usize, records: &[DocRecord<'_>]) -> Output {
    // Sized from the texts: growing a vector of 12 KB by doubling copies it about twice.
    let size: usize = records.iter().map(DocRecord::estimated_len).sum();
    let mut bytes = Vec::with_capacity(size + 2);
    bytes.push(b'[');
    for (idx, record) in records.iter().enumerate() {
        if idx > 0 {
            bytes.push(b',');
        }
        record.write_json(&mut bytes);
    }
    bytes.extend_from_slice(b"]\n");
    json_output(&format!("docs/{idx}.json"), bytes)
}

/// Appends `text` as a JSON string, escaped as `serde_json` escapes it: `"`, `\\`, and the
/// control characters (`\n`, `\t`, … or `\u00XX`). Eight bytes are ruled out at a time; when
/// one of them may need escaping, the first such byte is checked and the scan goes on after it.
///
/// This stays one function on purpose: it escapes every text of the document table, and the
/// eight-byte scan, the byte it stops at and the escape it writes were tuned together against
/// instruction counts (BENCHMARKS.md, "`strip_html` and `write_json_str`"). Any change here
/// needs a measurement, and the tests that compare it with `serde_json` at every offset.
fn write_json_str(out: &mut Vec<u8>, text: &str) {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = ONES * 0x80;
    // The high bit of the bytes of `word` below `n` (at most 0x80): exact for the lowest
    // flagged byte.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS;
    // Bytes below 0x23 (the control characters, space, `!`, `"`) and `\`: a superset of the
    // bytes to escape.
    let candidates = |word: u64| below(word, 0x23) | below(word ^ (ONES * u64::from(b'\\')), 1);
    let escaped = |byte: u8| byte < 0x20 || byte == b'"' || byte == b'\\';
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut copied = 0;
    let mut idx = 0;
    loop {
        // The next byte to escape, from `idx` on.
        let next = loop {
            let Some(chunk) = bytes.get(idx..idx + 8) else {
                break (idx..bytes.len()).find(|&at| escaped(bytes[at]));
            };
            let flags = candidates(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
            if flags == 0 {
                idx += 8;
                continue;
            }
            let at = idx + flags.trailing_zeros() as usize / 8;
            if escaped(bytes[at]) {
                break Some(at);
            }
            idx = at + 1;
        };
        let Some(at) = next else {
            break;
        };
        out.extend_from_slice(&bytes[copied..at]);
        let byte = bytes[at];
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0C => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xF)]);
            }
        }
        idx = at + 1;
        copied = idx;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

/// Documents per chunk, from the average size of a record (estimated from its texts).
fn chunk_size(site: &Site, texts: &[StoryText]) -> usize {
    let total: usize = site
        .stories
        .iter()
        .zip(texts)
        .map(|(story, text)| {
            let highlights: usize = story.highlights.iter().map(String::len).sum();
            story.title.len()
                + story.subtitle.len()
                + story.summary.len()
                + highlights
                + text.visit_line.len()
                + text.reporters.len()
                + text.body.len()
                + story.slug.len()
                + 150
        })
        .sum();
    let average = total / site.stories.len().max(1);
    (TARGET_CHUNK_BYTES / average.max(1)).clamp(1, 64)
}

/// Makes and emits the id shards of `docs`; returns their hashes ([`file_hash`], by shard)
/// and how many there are: a power of two that puts about [`TARGET_SHARD_BYTES`] of postings
/// in each.
fn posting_files<E: Send>(
    docs: &[DocText<'_>],
    timings: crate::timing::Timings,
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
) -> Result<(Vec<u64>, usize), E> {
    let started = std::time::Instant::now();
    let postings = index::postings(docs);
    timings.log("search: postings (from their start)", started);
    let total_bytes: usize = postings.iter().map(|(_, digits)| digits.len()).sum();
    let n_shards = (total_bytes / TARGET_SHARD_BYTES)
        .max(1)
        .next_power_of_two()
        .min(4096);
    let hashes = shards(postings, n_shards)
        .into_par_iter()
        .enumerate()
        .map(|(shard, entries)| emit_hashed(shard_file(shard, entries), emit))
        .collect::<Result<_, E>>()?;
    Ok((hashes, n_shards))
}

/// The entries of each id shard: a token's shard is `fnv1a(key) % n_shards`.
fn shards(
    postings: Vec<(index::TokenKey, Vec<u8>)>,
    n_shards: usize,
) -> Vec<Vec<(index::TokenKey, Vec<u8>)>> {
    let shard_of: Vec<u32> = postings
        .par_iter()
        .map(|(key, _)| tokenize::fnv1a(key.as_str()) % n_shards as u32)
        .collect();
    let mut sizes = vec![0; n_shards];
    for &shard in &shard_of {
        sizes[shard as usize] += 1;
    }
    let mut shards: Vec<Vec<(index::TokenKey, Vec<u8>)>> =
        sizes.into_iter().map(Vec::with_capacity).collect();
    for (entry, shard) in postings.into_iter().zip(shard_of) {
        shards[shard as usize].push(entry);
    }
    shards
}

/// `search/ids/<shard>.json`: `{"key":"digits",…}` with one token a line, keys sorted.
fn shard_file(shard: usize, mut entries: Vec<(index::TokenKey, Vec<u8>)>) -> Output {
    entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let size: usize = entries
        .iter()
        .map(|(k, d)| k.as_bytes().len() + d.len() + 6)
        .sum();
    let mut out = Vec::with_capacity(size + 4);
    out.push(b'{');
    for (idx, (key, digits)) in entries.iter().enumerate() {
        if idx > 0 {
            out.push(b',');
        }
        out.push(b'\n');
        // Keys are letters, digits, ideographs and single spaces (separators never reach a
        // key), but are escaped anyway; digits are ASCII letters, `-` and `_`.
        write_json_str(&mut out, key.as_str());
        out.extend_from_slice(b":\"");
        out.extend_from_slice(digits);
        out.push(b'"');
    }
    out.extend_from_slice(b"\n}\n");
    json_output(&format!("ids/{shard}.json"), out)
}

fn manifest(site: &Site, build: String, n_shards: u32, chunk: u32) -> Manifest {
    let mut districts: Vec<String> = site
        .stories
        .iter()
        .map(|story| story.district.clone())
        .collect();
    districts.sort();
    districts.dedup();
    let mut doc_districts = Vec::with_capacity(site.stories.len());
    let mut years: Vec<[u32; 3]> = Vec::new();
    for (id, story) in site.stories.iter().enumerate() {
        let district = districts.binary_search(&story.district).unwrap_or_default();
        index::push_varint(&mut doc_districts, district as u64);
        let year = u32::try_from(story.date.year()).unwrap_or_default();
        match years.last_mut() {
            Some(last) if last[0] == year => last[2] += 1,
            _ => years.push([year, id as u32, 1]),
        }
    }
    Manifest {
        format: FORMAT_VERSION,
        build,
        docs: site.stories.len() as u32,
        shards: n_shards,
        chunk,
        districts,
        doc_districts: String::from_utf8(doc_districts).unwrap_or_default(),
        years,
    }
}

fn json_output(name: &str, bytes: Vec<u8>) -> Output {
    Output {
        path: PathBuf::from(format!("{SEARCH_DIR}/{name}")),
        contents: Contents::Bytes(bytes),
    }
}

/// The seeds of [`file_hash`] and [`build_hash`]. (aHash, already compiled in for Tera, with
/// fixed seeds: stable across builds of one yuanba binary, which is all a cache key needs, and
/// several times faster than `SipHash` on 50 MB.)
fn hash_seeds() -> ahash::RandomState {
    ahash::RandomState::with_seeds(
        0x7975_616e_6261_0002,
        0x9e37_79b9_7f4a_7c15,
        0x6a09_e667_f3bc_c908,
        0xbb67_ae85_84ca_a73b,
    )
}

/// A hash of one index file: its path and bytes.
fn file_hash(output: &Output) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut file = hash_seeds().build_hasher();
    output.path.hash(&mut file);
    if let Contents::Bytes(bytes) = &output.contents {
        bytes.hash(&mut file);
    }
    file.finish()
}

/// Hands `output` to `emit` and returns its [`file_hash`].
fn emit_hashed<E>(
    output: Output,
    emit: &(dyn Fn(Output) -> Result<(), E> + Sync),
) -> Result<u64, E> {
    let hash = file_hash(&output);
    emit(output).map(|()| hash)
}

/// A hash of every file from the hashes of each, combined in order (the id shards, then the
/// chunks of the document table): changes whenever any index file does.
fn build_hash(file_hashes: &[u64]) -> String {
    format!("{:016x}", hash_seeds().hash_one(file_hashes))[..12].to_string()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;
    use crate::search::query::{Hit, Query, first_page, search};
    use crate::search::tokenize::{Atom, CharClass, atoms, classify, normalize};

    /// Documents per chunk in the tests: more than one, so the arithmetic is tested.
    const TEST_CHUNK: usize = 2;

    /// The id shards of `texts`, and how many there are.
    fn posting_outputs(texts: &[DocText<'_>]) -> (Vec<Output>, usize) {
        let (files, Ok((_, n_shards))) =
            collected(|emit| posting_files(texts, crate::timing::Timings::default(), emit));
        (files, n_shards)
    }

    /// The site of a temporary folder with `n` stories, loaded and assembled.
    fn site_of(root: &std::path::Path, n: usize) -> (Site, SiteConfig) {
        std::fs::write(
            root.join("site.yaml"),
            "title: t\nbase_url: https://example.org/\n",
        )
        .expect("write");
        let stories = root.join("content/stories");
        std::fs::create_dir_all(&stories).expect("mkdir");
        for idx in 0..n {
            std::fs::write(
                stories.join(format!("s{idx}.md")),
                format!(
                    "---\ntitle: 白莲社区第{idx}篇\ndate: 2024-01-{:02}\ndistrict: 成华区\n\
                     street: 白莲池街道\ncommunity: 白莲社区\nreporter: 彭戎\n---\n\n\
                     居民议事会第{idx}次开会，讨论“儿童之家”。\n",
                    idx % 28 + 1
                ),
            )
            .expect("write");
        }
        let config = crate::config::load(root, &crate::config::Overrides::default())
            .expect("a valid site.yaml");
        let (site, diagnostics) = crate::site::assemble(crate::content::load(&config), &config);
        assert!(
            !diagnostics.iter().any(Diagnostic::is_error),
            "{diagnostics:?}"
        );
        (site, config)
    }

    #[test]
    fn files_stream_out_with_the_manifest_last_and_its_hash_over_the_others() {
        let temp = tempfile::tempdir().expect("temp dir");
        let (site, config) = site_of(temp.path(), 9);
        let order = std::sync::Mutex::new(Vec::new());
        let (files, result) = collected(|emit| {
            build_into(&site, &config, &|output: Output| {
                order
                    .lock()
                    .expect("not poisoned")
                    .push(output.path.clone());
                emit(output)
            })
        });
        assert!(result.is_ok());
        let order = order.into_inner().expect("not poisoned");
        assert_eq!(order.last(), Some(&PathBuf::from("search/manifest.json")));
        assert_eq!(order.len(), files.len());
        // The build hash is that of the files in order: id shards, then document chunks.
        let by_number = |folder: &str| {
            let mut numbered: Vec<(usize, &Output)> = files
                .iter()
                .filter_map(|file| {
                    let name = file.path.strip_prefix(format!("search/{folder}")).ok()?;
                    let number = name.to_str()?.strip_suffix(".json")?.parse().ok()?;
                    Some((number, file))
                })
                .collect();
            numbered.sort_by_key(|(number, _)| *number);
            numbered.into_iter().map(|(_, file)| file_hash(file))
        };
        let hashes: Vec<u64> = by_number("ids").chain(by_number("docs")).collect();
        assert_eq!(hashes.len(), files.len() - 1);
        let manifest = files.last().map(|file| &file.contents);
        let Some(Contents::Bytes(manifest)) = manifest else {
            unreachable!("the manifest is made in memory")
        };
        let manifest: Manifest = serde_json::from_slice(manifest).expect("a manifest");
        assert_eq!(manifest.build, build_hash(&hashes));
        assert_eq!(manifest.docs, 9);
    }

    #[test]
    fn an_error_of_emit_stops_the_index_before_its_manifest() {
        let temp = tempfile::tempdir().expect("temp dir");
        let (site, config) = site_of(temp.path(), 9);
        let emitted = std::sync::Mutex::new(Vec::new());
        let result = build_into(&site, &config, &|output: Output| {
            if output.path.starts_with("search/docs") {
                return Err("disk full");
            }
            emitted.lock().expect("not poisoned").push(output.path);
            Ok(())
        });
        assert_eq!(result, Err("disk full"));
        let emitted = emitted.into_inner().expect("not poisoned");
        assert!(!emitted.is_empty(), "the id shards come first");
        assert!(!emitted.contains(&PathBuf::from("search/manifest.json")));
    }

    /// Index files for documents given as (title, highlight, body), read back by path.
    fn index_of(docs: &[(String, String, String)]) -> HashMap<String, Vec<u8>> {
        let texts: Vec<DocText<'_>> = docs
            .iter()
            .map(|(title, highlight, body)| DocText {
                tiers: [vec![title], vec![highlight], vec![body]],
            })
            .collect();
        let (mut outputs, n_shards) = posting_outputs(&texts);
        let records = test_records(docs);
        outputs.extend(
            records
                .chunks(TEST_CHUNK)
                .enumerate()
                .map(|(idx, records)| doc_chunk(idx, records)),
        );
        let mut files = files_by_name(outputs);
        files.insert(
            "manifest.json".to_string(),
            serde_json::to_vec(&test_manifest(docs.len(), n_shards)).expect("serializable"),
        );
        files
    }

    /// The document table of [`index_of`]'s documents: the highlight stands as the subtitle.
    fn test_records(docs: &[(String, String, String)]) -> Vec<DocRecord<'_>> {
        docs.iter()
            .map(|(title, highlight, body)| DocRecord {
                url: String::new(),
                title,
                date: String::new(),
                place: "",
                reporters: "",
                subtitle: highlight,
                highlights: &[],
                summary: "",
                body,
            })
            .collect()
    }

    /// The manifest of [`index_of`]'s index: even documents are in 成华区, odd ones in 锦江区;
    /// the first is from 2019, the others from 2018.
    fn test_manifest(n_docs: usize, n_shards: usize) -> Manifest {
        let mut doc_districts = Vec::new();
        for id in 0..n_docs {
            index::push_varint(&mut doc_districts, (id % 2) as u64);
        }
        Manifest {
            format: FORMAT_VERSION,
            build: "test".to_string(),
            docs: n_docs as u32,
            shards: n_shards as u32,
            chunk: TEST_CHUNK as u32,
            districts: vec!["成华区".to_string(), "锦江区".to_string()],
            doc_districts: String::from_utf8(doc_districts).expect("ASCII"),
            years: vec![[2019, 0, 1], [2018, 1, n_docs as u32 - 1]],
        }
    }

    /// The bytes of each file, by its path under `search/`.
    fn files_by_name(outputs: Vec<Output>) -> HashMap<String, Vec<u8>> {
        outputs
            .into_iter()
            .map(|output| {
                let path = output.path.to_string_lossy().replace('\\', "/");
                let name = path.trim_start_matches("search/").to_string();
                match output.contents {
                    Contents::Bytes(bytes) => (name, bytes),
                    _ => unreachable!("the index is made in memory"),
                }
            })
            .collect()
    }

    fn run(files: &HashMap<String, Vec<u8>>, query: &Query<'_>) -> Vec<Hit> {
        search(&|path: &str| files.get(path).cloned(), query).expect("a valid index")
    }

    fn query(files: &HashMap<String, Vec<u8>>, text: &str) -> Vec<Hit> {
        run(
            files,
            &Query {
                text,
                ..Query::default()
            },
        )
    }

    /// The meaning of a query, computed on the texts without any index: every term's atoms
    /// appear in one field as a run with the same gaps; the tier is the worst term's best.
    fn brute_force(docs: &[(String, String, String)], text: &str) -> Vec<Hit> {
        let terms: Vec<String> = text.split_whitespace().map(normalize).collect();
        let terms: Vec<Vec<Atom<'_>>> = terms
            .iter()
            .map(|term| atoms(term))
            .filter(|term| !term.is_empty())
            .collect();
        if terms.is_empty() {
            return Vec::new();
        }
        let mut hits = Vec::new();
        for (id, (title, highlight, body)) in docs.iter().enumerate() {
            let fields = [normalize(title), normalize(highlight), normalize(body)];
            let field_atoms: Vec<Vec<Atom<'_>>> = fields.iter().map(|f| atoms(f)).collect();
            let best = terms.iter().map(|term| {
                field_atoms.iter().position(|field| {
                    field.windows(term.len()).any(|window| {
                        window
                            .iter()
                            .zip(term)
                            .enumerate()
                            .all(|(idx, (have, want))| {
                                have.text == want.text && (idx == 0 || have.gap == want.gap)
                            })
                    })
                })
            });
            let tiers: Option<Vec<usize>> = best.collect();
            if let Some(tiers) = tiers {
                let tier = tiers.into_iter().max().unwrap_or_default();
                hits.push(Hit {
                    id: id as u32,
                    tier: tier as u8,
                });
            }
        }
        hits.sort_by_key(|hit| (hit.tier, hit.id));
        hits
    }

    fn is_word_char(c: char) -> bool {
        normalize(&c.to_string())
            .chars()
            .any(|n| classify(n) == CharClass::Word)
    }

    /// Text from a small alphabet, so tokens repeat across documents: ideographs, punctuation,
    /// spaces, Latin words and numbers (some full-width).
    fn text(max_pieces: usize) -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "白", "莲", "社", "区", "党", "建", "春", "熙", "路", "四", "联", "动", "“", "”", "，",
            "、", " ", "g20", "2018", "ＡＢ", "ab", "年",
        ]);
        prop::collection::vec(piece, 1..max_pieces).prop_map(|pieces| pieces.concat())
    }

    fn corpus() -> impl Strategy<Value = Vec<(String, String, String)>> {
        prop::collection::vec((text(12), text(12), text(40)), 2..40)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Every substring of two or more characters of every title is found (where it does
        /// not cut a Latin word or number, which are matched whole), as a title hit.
        #[test]
        fn every_substring_of_every_title_is_found(docs in corpus(), pick in any::<prop::sample::Index>()) {
            let files = index_of(&docs);
            let id = pick.index(docs.len());
            let title: Vec<char> = docs[id].0.chars().collect();
            for start in 0..title.len() {
                for end in start + 2..=title.len() {
                    let cuts_word = |at: usize| {
                        at > 0 && at < title.len() && is_word_char(title[at - 1]) && is_word_char(title[at])
                    };
                    let substring: String = title[start..end].iter().collect();
                    if cuts_word(start) || cuts_word(end) || atoms(&normalize(&substring)).is_empty() {
                        continue;
                    }
                    let hits = query(&files, &substring);
                    prop_assert!(
                        hits.contains(&Hit { id: id as u32, tier: 0 }),
                        "{substring:?} of title {:?} not found: {hits:?}", docs[id].0
                    );
                }
            }
        }

        /// The index answers exactly what the texts say: same documents, same tiers, same order.
        #[test]
        fn results_equal_a_scan_of_the_texts(docs in corpus(), text in text(6), pick in any::<prop::sample::Index>()) {
            let files = index_of(&docs);
            prop_assert_eq!(query(&files, &text), brute_force(&docs, &text));
            // A query cut from a body, where most multi-token runs are.
            let body: Vec<char> = docs[pick.index(docs.len())].2.chars().collect();
            let start = pick.index(body.len());
            let cut: String = body[start..body.len().min(start + 5)].iter().collect();
            prop_assert_eq!(query(&files, &cut), brute_force(&docs, &cut));
        }

        /// The first page, confirmed lazily, is the first page of the scan; its count is exact
        /// or an upper bound, and says which.
        #[test]
        fn the_first_page_is_the_scan_s_first_page(docs in corpus(), pick in any::<prop::sample::Index>()) {
            let files = index_of(&docs);
            let body: Vec<char> = docs[pick.index(docs.len())].2.chars().collect();
            let start = pick.index(body.len());
            let cut: String = body[start..body.len().min(start + 4)].iter().collect();
            let expected = brute_force(&docs, &cut);
            let page = first_page(
                &|path: &str| files.get(path).cloned(),
                &Query { text: &cut, ..Query::default() },
            )
            .expect("a valid index");
            prop_assert_eq!(&page.hits[..], &expected[..expected.len().min(query::PAGE)]);
            if page.exact {
                prop_assert_eq!(page.n_hits, expected.len());
            } else {
                prop_assert!(page.n_hits >= expected.len());
            }
        }
    }

    #[test]
    fn every_ascii_character_is_escaped_as_serde_json_does_at_every_offset() {
        for c in (0..0x80u8).map(char::from) {
            for prefix in 0..12 {
                let text = format!("{}{c}“白”{c}", "甲a".repeat(prefix));
                let mut out = Vec::new();
                write_json_str(&mut out, &text);
                let expected = serde_json::to_string(&text).expect("a string");
                assert_eq!(String::from_utf8(out).expect("UTF-8"), expected, "{text:?}");
            }
        }
    }

    proptest! {
        /// Strings are escaped exactly as `serde_json` escapes them.
        #[test]
        fn json_strings_are_serde_json_s(text in any::<String>(), prefix in "[a-z白]{0,9}") {
            for text in [text.clone(), format!("{prefix}{text}\"\\\u{1}\n{prefix}")] {
                let mut out = Vec::new();
                write_json_str(&mut out, &text);
                prop_assert_eq!(
                    String::from_utf8(out).expect("UTF-8"),
                    serde_json::to_string(&text).expect("a string")
                );
            }
        }
    }

    #[test]
    fn document_chunks_are_what_serde_json_writes() {
        let highlights = ["要点“一”".to_string(), "二\\\t".to_string()];
        let record = DocRecord {
            url: "/story/a/".to_string(),
            title: "标题 \"引号\"",
            date: "2024-01-02".to_string(),
            place: "成华区",
            reporters: "甲、乙",
            subtitle: "",
            highlights: &highlights,
            summary: "摘要\u{7f}\u{0}",
            body: "正文\r\n\u{8}\u{c}\u{1f}end",
        };
        let records = [
            DocRecord {
                url: record.url.clone(),
                date: record.date.clone(),
                highlights: &[],
                ..record
            },
            record,
        ];
        let Contents::Bytes(bytes) = doc_chunk(0, &records).contents else {
            unreachable!("the index is made in memory")
        };
        let mut expected = serde_json::to_vec(&records).expect("serializable");
        expected.push(b'\n');
        assert_eq!(String::from_utf8(bytes), String::from_utf8(expected));
    }

    fn docs(texts: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
        texts
            .iter()
            .map(|(a, b, c)| ((*a).to_string(), (*b).to_string(), (*c).to_string()))
            .collect()
    }

    #[test]
    fn title_hits_come_first_then_highlights_then_newer_first() {
        let docs = docs(&[
            ("其他", "", "正文说到四社联动"),
            ("其他", "要点：四社联动", ""),
            ("四社联动见成效", "", ""),
            ("更早的四社联动", "", ""),
        ]);
        let files = index_of(&docs);
        let order: Vec<(u32, u8)> = query(&files, "四社联动")
            .iter()
            .map(|hit| (hit.id, hit.tier))
            .collect();
        assert_eq!(order, [(2, 0), (3, 0), (1, 1), (0, 2)]);
    }

    #[test]
    fn a_longer_query_must_be_one_run() {
        let docs = docs(&[("四社，联动", "", ""), ("社联", "", "四社 联动")]);
        let files = index_of(&docs);
        assert!(query(&files, "四社联动").is_empty());
        assert_eq!(query(&files, "四社、联动").len(), 2);
        assert_eq!(query(&files, "社联").len(), 1);
    }

    #[test]
    fn no_hits_and_empty_queries_return_nothing() {
        let files = index_of(&docs(&[("白莲社区", "", "")]));
        assert!(query(&files, "唐梅").is_empty());
        assert!(query(&files, "白莲 唐梅").is_empty());
        assert!(query(&files, "").is_empty());
        assert!(query(&files, "，。").is_empty());
        assert_eq!(query(&files, "莲").len(), 1);
    }

    #[test]
    fn filters_by_district_and_year() {
        let files = index_of(&docs(&[
            ("白莲", "", ""),
            ("白莲", "", ""),
            ("白莲", "", ""),
        ]));
        let ids = |district, year| -> Vec<u32> {
            run(
                &files,
                &Query {
                    text: "白莲",
                    district,
                    year,
                },
            )
            .iter()
            .map(|hit| hit.id)
            .collect()
        };
        assert_eq!(ids(None, None), [0, 1, 2]);
        assert_eq!(ids(Some("成华区"), None), [0, 2]);
        assert_eq!(ids(None, Some(2018)), [1, 2]);
        assert_eq!(ids(Some("锦江区"), Some(2018)), [1]);
        assert!(ids(Some("不存在区"), None).is_empty());
        assert!(ids(None, Some(1999)).is_empty());
    }

    #[test]
    fn a_broken_index_is_an_error_not_a_panic() {
        let mut files = index_of(&docs(&[("白莲社区", "", "")]));
        let run = |files: &HashMap<String, Vec<u8>>| {
            search(
                &|path: &str| files.get(path).cloned(),
                &Query {
                    text: "白莲社区",
                    ..Query::default()
                },
            )
        };
        let mut broken = files.clone();
        for (_, bytes) in broken
            .iter_mut()
            .filter(|(path, _)| path.starts_with("ids/"))
        {
            *bytes = r#"{"白莲":"W","莲社":"W","社区":"W"}"#.as_bytes().to_vec();
        }
        assert!(run(&broken).is_err());
        files.remove("docs/0.json");
        assert!(matches!(run(&files), Err(query::QueryError::Missing(_))));
        files.remove("manifest.json");
        assert!(matches!(run(&files), Err(query::QueryError::Missing(_))));
    }

    #[test]
    fn shard_count_grows_with_the_corpus() {
        let small = docs(&[("白莲", "", "")]);
        let texts: Vec<DocText<'_>> = small
            .iter()
            .map(|(title, _, _)| DocText {
                tiers: [vec![title], Vec::new(), Vec::new()],
            })
            .collect();
        assert_eq!(posting_outputs(&texts).1, 1);
        let body: String = (0..4_000u32)
            .filter_map(|n| char::from_u32(0x4E00 + n))
            .collect();
        let large = DocText {
            tiers: [Vec::new(), Vec::new(), vec![&body]],
        };
        let (_, n_shards) = posting_outputs(&vec![large; 30]);
        assert!(n_shards > 1 && n_shards.is_power_of_two(), "{n_shards}");
    }
}
