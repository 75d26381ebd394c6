//! The query side in Rust: what `search.js` does in the browser, step for step, over the files
//! [`crate::search::build`] wrote. The tests use it to check the index; keep the two in step.
//!
//! 1. Split the query into terms at white space and each term into tokens
//!    ([`tokenize::query_terms`]).
//! 2. For each token, read its postings from `ids/<fnv1a(token) % shards>.json`; a missing
//!    token means no results.
//! 3. A term of one token (one or two atoms) matches its documents in the tiers of their masks:
//!    exactly. A term of several tokens (three or more atoms) has as *candidates* the documents
//!    where all its tokens share a tier, the best such tier first; whether the atoms really are
//!    one run is known only from the document's text ([`tokenize::Term::is_in`]).
//! 4. A document is a candidate when every term has it; its tier is the worst of its terms'
//!    best tiers. Candidates of the chosen district and year sort by tier (title, then
//!    highlights, then body), then by id (newer first).
//! 5. Confirming reads the document's chunk of `docs/` (which showing the result needs anyway)
//!    and gives its true tier, never better than the candidate's, or drops it. The page
//!    confirms lazily, in rank order: the first [`PAGE`] candidates not yet confirmed at once,
//!    re-sorted, until the first [`PAGE`] places hold confirmed hits (or [`CONFIRM_LIMIT`]
//!    documents were read). Until every candidate is confirmed, the count shown is an upper
//!    bound ([`Page::exact`]).

use std::collections::HashMap;

use serde::Deserialize;

use crate::search::index::{N_TIERS, read_varints};
use crate::search::tokenize::{self, Term};
use crate::search::{FORMAT_VERSION, Manifest};

/// Results a page shows at once (and the "more" button adds).
pub const PAGE: usize = 10;

/// Candidates confirmed at most for one page before it shows what it has.
pub const CONFIRM_LIMIT: usize = 4 * PAGE;

/// A search: the text a reader typed and the filters chosen.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<'a> {
    /// What the reader typed.
    pub text: &'a str,
    /// Only stories of this district.
    pub district: Option<&'a str>,
    /// Only stories of this year.
    pub year: Option<u32>,
}

/// One result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// The document id: the story's index in the site's order, newest first.
    pub id: u32,
    /// 0 when every term is in the title, 1 in the subtitle or highlights, 2 elsewhere.
    pub tier: u8,
}

/// The first page of results, as the search page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The hits shown, best first.
    pub hits: Vec<Hit>,
    /// Hits and candidates not confirmed yet: the count the page shows.
    pub n_hits: usize,
    /// Whether `n_hits` is exact; if not, it is an upper bound.
    pub exact: bool,
}

/// Why the index could not be read.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// A file of the index is not there.
    #[error("the search index has no {0}")]
    Missing(String),
    /// A file of the index is not what this version writes.
    #[error("the search index file {0} is not valid")]
    Invalid(String),
}

/// A document that may match: its tier, and whether the text confirmed it.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    id: u32,
    tier: u8,
    sure: bool,
}

/// The fields of a document record that are searched, by tier as the index has them.
#[derive(Deserialize)]
struct DocFields {
    title: String,
    subtitle: String,
    highlights: Vec<String>,
    place: String,
    reporters: String,
    body: String,
}

impl DocFields {
    fn tiers(&self) -> [Vec<&str>; N_TIERS] {
        let mut highlights = vec![self.subtitle.as_str()];
        highlights.extend(self.highlights.iter().map(String::as_str));
        [
            vec![&self.title],
            highlights,
            vec![&self.place, &self.reporters, &self.body],
        ]
    }

    /// The best tier where `term` occurs as one run, if any.
    fn tier_of(&self, term: &Term) -> Option<u8> {
        self.tiers()
            .iter()
            .position(|fields| {
                fields
                    .iter()
                    .any(|field| term.is_in(&tokenize::atoms(&tokenize::normalize(field))))
            })
            .map(|tier| tier as u8)
    }
}

/// Reads index files by their path under `search/`, and caches what it parsed.
struct Reader<'r> {
    read: &'r dyn Fn(&str) -> Option<Vec<u8>>,
    shards: HashMap<String, HashMap<String, String>>,
    chunks: HashMap<u32, Vec<DocFields>>,
    manifest: Manifest,
}

impl<'r> Reader<'r> {
    fn open(read: &'r dyn Fn(&str) -> Option<Vec<u8>>) -> Result<Self, QueryError> {
        let manifest: Manifest = json(read, "manifest.json")?;
        if manifest.format != FORMAT_VERSION || manifest.shards == 0 || manifest.chunk == 0 {
            return Err(QueryError::Invalid("manifest.json".to_string()));
        }
        Ok(Reader {
            read,
            shards: HashMap::new(),
            chunks: HashMap::new(),
            manifest,
        })
    }

    fn digits(&mut self, path: &str, key: &str) -> Result<Option<String>, QueryError> {
        if !self.shards.contains_key(path) {
            let shard = json(self.read, path)?;
            self.shards.insert(path.to_string(), shard);
        }
        Ok(self.shards[path].get(key).cloned())
    }

    fn doc(&mut self, id: u32) -> Result<&DocFields, QueryError> {
        let chunk = id / self.manifest.chunk;
        let path = format!("docs/{chunk}.json");
        if !self.chunks.contains_key(&chunk) {
            let docs = json(self.read, &path)?;
            self.chunks.insert(chunk, docs);
        }
        self.chunks[&chunk]
            .get((id % self.manifest.chunk) as usize)
            .ok_or(QueryError::Invalid(path))
    }

    /// The document's true tier for `terms`, or `None` when a term is not in its text.
    fn confirm(&mut self, id: u32, terms: &[Term]) -> Result<Option<u8>, QueryError> {
        let doc = self.doc(id)?;
        let tiers: Option<Vec<u8>> = terms.iter().map(|term| doc.tier_of(term)).collect();
        Ok(tiers.map(|tiers| tiers.into_iter().max().unwrap_or_default()))
    }
}

fn json<T: serde::de::DeserializeOwned>(
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
    path: &str,
) -> Result<T, QueryError> {
    let bytes = read(path).ok_or_else(|| QueryError::Missing(path.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|_| QueryError::Invalid(path.to_string()))
}

/// Every hit of `query` in the index read through `read` (paths relative to `search/`), best
/// first: every candidate confirmed.
pub fn search(
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
    query: &Query<'_>,
) -> Result<Vec<Hit>, QueryError> {
    let mut reader = Reader::open(read)?;
    let terms = tokenize::query_terms(query.text);
    let mut hits = Vec::new();
    for candidate in candidates(&mut reader, &terms, query)? {
        if candidate.sure {
            hits.push(Hit {
                id: candidate.id,
                tier: candidate.tier,
            });
        } else if let Some(tier) = reader.confirm(candidate.id, &terms)? {
            hits.push(Hit {
                id: candidate.id,
                tier,
            });
        }
    }
    hits.sort_by_key(|hit| (hit.tier, hit.id));
    Ok(hits)
}

/// The first page of `query`, confirmed lazily as `search.js` does: the files this reads are
/// the files the page downloads.
pub fn first_page(
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
    query: &Query<'_>,
) -> Result<Page, QueryError> {
    let mut reader = Reader::open(read)?;
    let terms = tokenize::query_terms(query.text);
    let mut candidates = candidates(&mut reader, &terms, query)?;
    let mut hits = Vec::new();
    let mut n_confirmed = 0;
    loop {
        while let Some(next) = candidates.get(hits.len())
            && next.sure
            && hits.len() < PAGE
        {
            hits.push(Hit {
                id: next.id,
                tier: next.tier,
            });
        }
        let shown = hits.len();
        if shown == PAGE || shown == candidates.len() || n_confirmed >= CONFIRM_LIMIT {
            break;
        }
        let window = PAGE.min(candidates.len());
        for candidate in &mut candidates[shown..window] {
            if candidate.sure {
                continue;
            }
            n_confirmed += 1;
            match reader.confirm(candidate.id, &terms)? {
                Some(tier) => {
                    candidate.tier = tier;
                    candidate.sure = true;
                }
                None => candidate.tier = u8::MAX,
            }
        }
        candidates.retain(|candidate| candidate.tier != u8::MAX);
        candidates[shown..].sort_by_key(|candidate| (candidate.tier, candidate.id));
    }
    for hit in &hits {
        reader.doc(hit.id)?;
    }
    Ok(Page {
        n_hits: candidates.len(),
        exact: candidates.iter().all(|candidate| candidate.sure),
        hits,
    })
}

/// The candidates of every term, filtered by district and year, sorted best first.
fn candidates(
    reader: &mut Reader<'_>,
    terms: &[Term],
    query: &Query<'_>,
) -> Result<Vec<Candidate>, QueryError> {
    let mut found: Option<HashMap<u32, Candidate>> = None;
    for term in terms {
        let term_found = term_candidates(reader, term)?;
        found = Some(match found {
            None => term_found,
            Some(previous) => previous
                .into_values()
                .filter_map(|candidate| {
                    let other = term_found.get(&candidate.id)?;
                    Some(Candidate {
                        id: candidate.id,
                        tier: candidate.tier.max(other.tier),
                        sure: candidate.sure && other.sure,
                    })
                })
                .map(|candidate| (candidate.id, candidate))
                .collect(),
        });
    }
    let mut candidates: Vec<Candidate> = found.unwrap_or_default().into_values().collect();
    filter(&mut candidates, &reader.manifest, query)?;
    candidates.sort_by_key(|candidate| (candidate.tier, candidate.id));
    Ok(candidates)
}

/// The documents where all of a term's tokens share a tier, with the best such tier; sure
/// when the term is one token.
fn term_candidates(
    reader: &mut Reader<'_>,
    term: &Term,
) -> Result<HashMap<u32, Candidate>, QueryError> {
    let mut masks: Option<HashMap<u32, u8>> = None;
    for key in &term.keys {
        let path = format!("ids/{}.json", tokenize::fnv1a(key) % reader.manifest.shards);
        let Some(digits) = reader.digits(&path, key)? else {
            return Ok(HashMap::new());
        };
        let docs = decode(&digits).ok_or(QueryError::Invalid(path))?;
        masks = Some(match masks {
            None => docs.into_iter().collect(),
            Some(previous) => docs
                .into_iter()
                .filter_map(|(id, mask)| Some((id, mask & previous.get(&id)?)))
                .filter(|(_, mask)| *mask != 0)
                .collect(),
        });
    }
    Ok(masks
        .unwrap_or_default()
        .into_iter()
        .map(|(id, mask)| {
            let candidate = Candidate {
                id,
                tier: mask.trailing_zeros() as u8,
                sure: term.is_exact(),
            };
            (id, candidate)
        })
        .collect())
}

/// Decodes a token's postings: documents in id order with their tier masks.
fn decode(digits: &str) -> Option<Vec<(u32, u8)>> {
    let mut docs = Vec::new();
    let mut next_base: u64 = 0;
    for value in read_varints(digits)? {
        let id = (next_base + (value >> 3)).checked_sub(1)?;
        let mask = (value & 7) as u8;
        if mask == 0 {
            return None;
        }
        docs.push((u32::try_from(id).ok()?, mask));
        next_base = id + 1;
    }
    Some(docs)
}

/// Keeps the candidates of the chosen district and year.
fn filter(
    candidates: &mut Vec<Candidate>,
    manifest: &Manifest,
    query: &Query<'_>,
) -> Result<(), QueryError> {
    if let Some(district) = query.district {
        let districts = read_varints(&manifest.doc_districts)
            .ok_or_else(|| QueryError::Invalid("manifest.json".to_string()))?;
        let wanted = manifest.districts.iter().position(|name| name == district);
        candidates.retain(|candidate| {
            wanted.is_some_and(|wanted| {
                districts.get(candidate.id as usize) == Some(&(wanted as u64))
            })
        });
    }
    if let Some(year) = query.year {
        let range = manifest
            .years
            .iter()
            .find(|[y, _, _]| *y == year)
            .map(|[_, first, count]| *first..first + count);
        candidates.retain(|candidate| {
            range
                .as_ref()
                .is_some_and(|range| range.contains(&candidate.id))
        });
    }
    Ok(())
}
