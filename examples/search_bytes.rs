//! What the search page downloads for a query: the manifest, the shards `search::query` reads,
//! the document chunks of the candidates it confirms and of the first page of results (10), as
//! `search.js` does (`search::query::first_page`).
//!
//! `cargo run --release --example search_bytes -- <site>/public/search 白莲 四社联动 …`

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use yuanba::search::query::{Query, first_page};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: search_bytes <output>/search QUERY...");
        std::process::exit(2);
    };
    let dir = Path::new(&dir);
    println!("| query | hits | files | bytes |");
    println!("| --- | ---: | ---: | ---: |");
    for text in args {
        let fetched: RefCell<BTreeMap<String, usize>> = RefCell::new(BTreeMap::new());
        let read = |path: &str| {
            let bytes = std::fs::read(dir.join(path)).ok()?;
            fetched.borrow_mut().insert(path.to_string(), bytes.len());
            Some(bytes)
        };
        let page = match first_page(
            &read,
            &Query {
                text: &text,
                ..Query::default()
            },
        ) {
            Ok(page) => page,
            Err(error) => {
                eprintln!("{text}: {error}");
                std::process::exit(1);
            }
        };
        let files = fetched.borrow();
        println!(
            "| {text} | {}{} | {} | {} |",
            if page.exact { "" } else { "≤ " },
            page.n_hits,
            files.len(),
            files.values().sum::<usize>()
        );
    }
}
