//! Links to other sites, checked only with `yuanba check --external`: the only code that
//! touches the network.
//!
//! Politely: each URL is fetched once however many stories link to it (without its `#fragment`),
//! with `HEAD` first and `GET` only when `HEAD` fails or is refused; one request at a time per
//! host with `link_check.host_delay` seconds between two, at most [`CONCURRENCY`] hosts at once,
//! each request bounded by `link_check.timeout`; URLs under a `link_check.skip` prefix are not
//! fetched. An answer of 400 or more is an error; a host that cannot be reached (or answers 429)
//! is a warning, since that says more about the network than about the link.
//!
//! The HTTP client is `ureq` (blocking, rustls): a check is a bounded batch of independent
//! requests, for which a few threads are simpler than an async runtime.

use crate::diagnostic::Code;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::check::links::ExternalLink;
use crate::config::LinkCheck;
use crate::diagnostic::Diagnostic;

/// Hosts fetched at the same time.
pub(crate) const CONCURRENCY: usize = 8;

/// What one URL answered.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// 2xx or 3xx (redirects are followed).
    Fine,
    /// The status code, and its reason.
    Status(u16, String),
    /// No answer: DNS, connection, TLS, timeout.
    Unreachable(String),
}

/// Fetches every external link and reports the broken ones at each place they are written.
pub(crate) fn check(links: &[ExternalLink], settings: &LinkCheck) -> Vec<Diagnostic> {
    let LinksByUrl { urls, places } = links_by_url(links, settings);
    let mut diagnostics = Vec::new();
    let by_host = queues_by_host(urls, &places, &mut diagnostics);
    for fetched in fetch_all(by_host, settings) {
        for link in &places[&fetched.url] {
            if let Some(diagnostic) = report(link, &fetched.outcome) {
                diagnostics.push(diagnostic);
            }
        }
    }
    diagnostics
}

/// The links to fetch, each URL once.
struct LinksByUrl<'a> {
    /// Every URL (without fragment), in order of first appearance.
    urls: Vec<String>,
    /// Where each URL is written.
    places: HashMap<String, Vec<&'a ExternalLink>>,
}

/// The URLs of one host, fetched one after the other.
struct HostQueue {
    /// Lowercase `host[:port]`.
    host: String,
    urls: Vec<String>,
}

/// What one URL answered.
struct Fetched {
    url: String,
    outcome: Outcome,
}

/// The links not under a `link_check.skip` prefix, by URL without fragment.
fn links_by_url<'a>(links: &'a [ExternalLink], settings: &LinkCheck) -> LinksByUrl<'a> {
    let mut places: HashMap<String, Vec<&ExternalLink>> = HashMap::new();
    let mut urls: Vec<String> = Vec::new();
    for link in links {
        if settings
            .skip
            .iter()
            .any(|prefix| link.url.starts_with(prefix.as_str()))
        {
            continue;
        }
        let url = fetchable(&link.url);
        places
            .entry(url.clone())
            .or_insert_with(|| {
                urls.push(url);
                Vec::new()
            })
            .push(link);
    }
    LinksByUrl { urls, places }
}

/// The URLs grouped by host, hosts in order of first appearance; a URL without a host is an
/// error at each place it is written.
fn queues_by_host(
    urls: Vec<String>,
    places: &HashMap<String, Vec<&ExternalLink>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<HostQueue> {
    let mut by_host: Vec<HostQueue> = Vec::new();
    for url in urls {
        let authority = url
            .parse::<ureq::http::Uri>()
            .ok()
            .and_then(|uri| uri.authority().cloned());
        let Some(authority) = authority else {
            for link in &places[&url] {
                diagnostics.push(
                    link.location
                        .locate(Diagnostic::error(
                            Code::LinkExternal,
                            format!("`{}` is not a valid URL", link.url),
                        ))
                        .with_help("check for spaces or Chinese punctuation in the address"),
                );
            }
            continue;
        };
        let host = authority.as_str().to_ascii_lowercase();
        match by_host.iter_mut().find(|queue| queue.host == host) {
            Some(queue) => queue.urls.push(url),
            None => by_host.push(HostQueue {
                host,
                urls: vec![url],
            }),
        }
    }
    by_host
}

/// The URL to fetch: without `#fragment`, and `https:` for a protocol-relative `//host/…`.
fn fetchable(url: &str) -> String {
    let without_fragment = url.split('#').next().unwrap_or(url);
    match without_fragment.strip_prefix("//") {
        Some(rest) => format!("https://{rest}"),
        None => without_fragment.to_string(),
    }
}

/// Fetches each host's URLs in turn, [`CONCURRENCY`] hosts at a time.
fn fetch_all(by_host: Vec<HostQueue>, settings: &LinkCheck) -> Vec<Fetched> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(settings.timeout)))
        .http_status_as_error(false)
        .user_agent(format!("yuanba/{} (link check)", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let delay = Duration::from_secs_f64(settings.host_delay);
    let queue = Mutex::new(by_host);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENCY {
            scope.spawn(|| {
                // A poisoned lock means another worker panicked; stop taking work.
                while let Some(HostQueue { urls, .. }) = queue.lock().ok().and_then(|mut q| q.pop())
                {
                    let mut last_request: Option<Instant> = None;
                    for url in urls {
                        if let Some(wait) =
                            last_request.and_then(|at| delay.checked_sub(at.elapsed()))
                        {
                            std::thread::sleep(wait);
                        }
                        last_request = Some(Instant::now());
                        let outcome = fetch(&agent, &url, delay);
                        if let Ok(mut results) = results.lock() {
                            results.push(Fetched { url, outcome });
                        }
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by(|a, b| a.url.cmp(&b.url));
    results
}

/// `HEAD`, then `GET` when `HEAD` gives no good answer (many servers refuse or mishandle it).
fn fetch(agent: &ureq::Agent, url: &str, delay: Duration) -> Outcome {
    let head = request(agent.head(url).call());
    if head == Outcome::Fine {
        return head;
    }
    std::thread::sleep(delay);
    request(agent.get(url).call())
}

fn request(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Outcome {
    match result {
        Ok(response) if response.status().as_u16() < 400 => Outcome::Fine,
        Ok(response) => Outcome::Status(
            response.status().as_u16(),
            response
                .status()
                .canonical_reason()
                .unwrap_or_default()
                .to_string(),
        ),
        Err(error) => Outcome::Unreachable(error.to_string()),
    }
}

fn report(link: &ExternalLink, outcome: &Outcome) -> Option<Diagnostic> {
    let url = &link.url;
    let diagnostic = match outcome {
        Outcome::Fine => return None,
        Outcome::Status(429, _) => Diagnostic::warning(
            Code::LinkExternalUnreachable,
            format!("`{url}` answers 429 Too Many Requests"),
        )
        .with_help("try again later, or add the site to `link_check.skip` in site.yaml"),
        Outcome::Status(code, reason) => Diagnostic::error(
            Code::LinkExternal,
            format!("`{url}` answers {code} {reason}").trim_end().to_string(),
        )
        .with_help("correct or remove the link; if the site refuses robots, add it to `link_check.skip` in site.yaml"),
        Outcome::Unreachable(error) => Diagnostic::warning(
            Code::LinkExternalUnreachable,
            format!("cannot reach `{url}`: {error}"),
        )
        .with_help("check the address; if the site is up, try again later or raise `link_check.timeout`"),
    };
    Some(link.location.locate(diagnostic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetched_without_fragment_and_with_a_scheme() {
        assert_eq!(fetchable("https://x.org/a#b"), "https://x.org/a");
        assert_eq!(fetchable("//x.org/a"), "https://x.org/a");
    }
}
