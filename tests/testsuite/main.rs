//! Integration tests: the real `yuanba` binary on small throwaway sites.

mod base_url; // a site under a sub-path, and `--base-url`
mod build; // where pages and static files land, story order, bundles, the default theme
mod check; // `yuanba check`: the broken fixture site, JSON, --strict, writing nothing
mod cli; // help texts and bad usage
mod codes; // every diagnostic code is expected by some test
mod deploy; // `yuanba deploy` to a real S3 server, rsync to a folder, git to a bare repository
mod diagnostics; // exact messages for broken input, and odd files that must build
mod drafts; // `draft: true` and `--drafts`
mod feeds; // Atom feeds, sitemap, robots.txt, head metadata, alias redirects
mod init; // `yuanba init DIR`
mod links; // links between stories, to files and anchors; external links against a local server
mod lists; // pagination, reporter/tag/series pages, previous/next, related, summaries
mod live; // the harness for serve and build --watch: background process, HTTP and SSE clients
mod new; // `yuanba new`: archetypes, places from the registry, never overwriting
mod patch; // what serve patches, and the changes that reach every page showing them
mod photos; // photos: variants, orientation, no metadata, the cache, broken image files
mod places; // place pages, breadcrumbs, the place registry, place slugs
mod publish; // atomic publish and refused output folders
mod scheduling; // future-dated and draft stories are left out of everything
mod search; // the search index and page: what is indexed, seed queries, `search: false`
mod search_browser; // the search page in headless chromium
mod serve; // `yuanba serve` and `build --watch` driven like a user
mod slugs; // slugs from file names and front matter, and collisions
mod story_page; // escaping, Chinese line breaks, figures, byline, dates, heading ids
mod templates; // site template overrides and template errors
mod theme; // the default and plain themes' page structure, overrides, theme.yaml
mod util; // the `SiteTest` harness
