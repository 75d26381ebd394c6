//! Builds only the search index of a site, N times: for profiling the index on its own.
//!
//! `cargo run --release --example index_cost -- <site root> [N]`

use std::path::Path;

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args.next().expect("site root");
    let times: usize = args.next().map_or(1, |n| n.parse().expect("a number"));
    let config = yuanba::config::load(Path::new(&root), &yuanba::config::Overrides::default())
        .expect("a valid site.yaml");
    let content = yuanba::content::load(&config);
    let (site, _) = yuanba::site::assemble(content, &config);
    let started = std::time::Instant::now();
    let mut n_files = 0;
    for _ in 0..times {
        n_files += yuanba::search::build(&site, &config).len();
    }
    eprintln!("{n_files} files, {:?}", started.elapsed());
}
