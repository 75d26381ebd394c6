//! What the search page downloads for a query: the manifest, the shards `search::query` reads,
//! and the document chunks of the first page of results (10), as `search.js` does.
//!
//! `cargo run --release --example search_bytes -- <site>/public/search 白莲 四社联动 …`

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use yuanba::search::query::{Query, search};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: search_bytes <output>/search QUERY...");
        std::process::exit(2);
    };
    let dir = Path::new(&dir);
    let manifest: serde_json::Value = std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let chunk = manifest["chunk"].as_u64().unwrap_or(1).max(1) as u32;
    println!("| query | hits | files | bytes |");
    println!("| --- | ---: | ---: | ---: |");
    for text in args {
        let fetched: RefCell<BTreeMap<String, usize>> = RefCell::new(BTreeMap::new());
        let read = |path: &str| {
            let bytes = std::fs::read(dir.join(path)).ok()?;
            fetched.borrow_mut().insert(path.to_string(), bytes.len());
            Some(bytes)
        };
        let hits = match search(
            &read,
            &Query {
                text: &text,
                ..Query::default()
            },
        ) {
            Ok(hits) => hits,
            Err(error) => {
                eprintln!("{text}: {error}");
                std::process::exit(1);
            }
        };
        for hit in hits.iter().take(10) {
            read(&format!("docs/{}.json", hit.id / chunk));
        }
        let files = fetched.borrow();
        println!(
            "| {text} | {} | {} | {} |",
            hits.len(),
            files.len(),
            files.values().sum::<usize>()
        );
    }
}
