//! The query side in Rust: what `search.js` does in the browser, step for step, over the files
//! [`crate::search::build`] wrote. The tests use it to check the index; keep the two in step.
//!
//! 1. Split the query into terms at white space and each term into tokens
//!    ([`tokenize::query_terms`]).
//! 2. For each token, read its postings from `ids/<fnv1a(token) % shards>.json`; a missing
//!    token means no results.
//! 3. A term of one token matches its documents in the tiers of their masks. A term of several
//!    tokens (three or more atoms) matches a document in a tier where token `k` occurs at
//!    position `p + k` for some `p`, read from `positions/<shard>.json`.
//! 4. A document is a hit when every term matches it; its tier is the worst of its terms' best
//!    tiers. Hits sort by tier (title, then highlights, then body), then by id (newer first).

use std::collections::HashMap;

use crate::search::index::{N_TIERS, read_varints};
use crate::search::{FORMAT_VERSION, Manifest, tokenize};

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

/// The postings of one token: documents in id order with their tier masks, and (for tokens of
/// two atoms, when asked for) each document's positions by tier.
struct Postings {
    docs: Vec<(u32, u8)>,
    positions: Vec<[Vec<u32>; N_TIERS]>,
}

/// Reads index files by their path under `search/`, and caches the shards it parsed.
struct Reader<'r> {
    read: &'r dyn Fn(&str) -> Option<Vec<u8>>,
    shards: HashMap<String, HashMap<String, String>>,
}

impl Reader<'_> {
    fn json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, QueryError> {
        let bytes = (self.read)(path).ok_or_else(|| QueryError::Missing(path.to_string()))?;
        serde_json::from_slice(&bytes).map_err(|_| QueryError::Invalid(path.to_string()))
    }

    fn digits(&mut self, path: &str, key: &str) -> Result<Option<String>, QueryError> {
        if !self.shards.contains_key(path) {
            let shard = self.json(path)?;
            self.shards.insert(path.to_string(), shard);
        }
        Ok(self.shards[path].get(key).cloned())
    }
}

/// Runs `query` against the index read through `read` (paths relative to `search/`).
pub fn search(
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
    query: &Query<'_>,
) -> Result<Vec<Hit>, QueryError> {
    let mut reader = Reader {
        read,
        shards: HashMap::new(),
    };
    let manifest: Manifest = reader.json("manifest.json")?;
    if manifest.format != FORMAT_VERSION || manifest.shards == 0 {
        return Err(QueryError::Invalid("manifest.json".to_string()));
    }
    let terms = tokenize::query_terms(query.text);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let mut hits: Option<HashMap<u32, u8>> = None;
    for term in &terms {
        let Some(term_hits) = term_hits(&mut reader, &manifest, term)? else {
            return Ok(Vec::new());
        };
        hits = Some(match hits {
            None => term_hits,
            Some(previous) => previous
                .into_iter()
                .filter_map(|(id, tier)| term_hits.get(&id).map(|other| (id, tier.max(*other))))
                .collect(),
        });
    }
    let mut hits: Vec<Hit> = hits
        .unwrap_or_default()
        .into_iter()
        .map(|(id, tier)| Hit { id, tier })
        .collect();
    filter(&mut hits, &manifest, query)?;
    hits.sort_by_key(|hit| (hit.tier, hit.id));
    Ok(hits)
}

/// The documents one term matches, with its best tier in each; `None` when a token is missing.
fn term_hits(
    reader: &mut Reader<'_>,
    manifest: &Manifest,
    keys: &[String],
) -> Result<Option<HashMap<u32, u8>>, QueryError> {
    let with_positions = keys.len() > 1;
    let mut postings = Vec::with_capacity(keys.len());
    for key in keys {
        let shard = tokenize::fnv1a(key) % manifest.shards;
        let Some(ids) = reader.digits(&format!("ids/{shard}.json"), key)? else {
            return Ok(None);
        };
        let positions = if with_positions {
            let path = format!("positions/{shard}.json");
            let digits = reader.digits(&path, key)?;
            Some(digits.ok_or(QueryError::Invalid(path))?)
        } else {
            None
        };
        let decoded = decode(&ids, positions.as_deref())
            .ok_or_else(|| QueryError::Invalid(format!("ids/{shard}.json")))?;
        postings.push(decoded);
    }
    let by_doc: Vec<HashMap<u32, usize>> = postings
        .iter()
        .map(|posting| {
            posting
                .docs
                .iter()
                .enumerate()
                .map(|(idx, (id, _))| (*id, idx))
                .collect()
        })
        .collect();
    let mut hits = HashMap::new();
    'docs: for (first_idx, (id, _)) in postings[0].docs.iter().enumerate() {
        let mut entries = Vec::with_capacity(keys.len());
        entries.push(first_idx);
        for doc_index in &by_doc[1..] {
            let Some(idx) = doc_index.get(id) else {
                continue 'docs;
            };
            entries.push(*idx);
        }
        let best = (0..N_TIERS).find(|tier| {
            let mask_bit = 1u8 << tier;
            let in_tier = postings
                .iter()
                .zip(&entries)
                .all(|(posting, idx)| posting.docs[*idx].1 & mask_bit != 0);
            in_tier && (!with_positions || is_run(&postings, &entries, *tier))
        });
        if let Some(tier) = best {
            hits.insert(*id, tier as u8);
        }
    }
    Ok(Some(hits))
}

/// Whether token `k` occurs at `p + k` in `tier` for some `p`.
fn is_run(postings: &[Postings], entries: &[usize], tier: usize) -> bool {
    let first = &postings[0].positions[entries[0]][tier];
    first.iter().any(|start| {
        postings
            .iter()
            .zip(entries)
            .enumerate()
            .skip(1)
            .all(|(offset, (posting, idx))| {
                posting.positions[*idx][tier]
                    .binary_search(&(start + offset as u32))
                    .is_ok()
            })
    })
}

/// Decodes a token's postings, and its positions when given.
fn decode(ids: &str, positions: Option<&str>) -> Option<Postings> {
    let mut docs = Vec::new();
    let mut next_base: u64 = 0;
    for value in read_varints(ids)? {
        let id = (next_base + (value >> 3)).checked_sub(1)?;
        docs.push((u32::try_from(id).ok()?, (value & 7) as u8));
        next_base = id + 1;
    }
    let mut by_doc = Vec::new();
    if let Some(positions) = positions {
        let mut values = read_varints(positions)?.into_iter();
        for (_, mask) in &docs {
            let mut tiers: [Vec<u32>; N_TIERS] = Default::default();
            for (tier, in_tier) in tiers.iter_mut().enumerate() {
                if mask & (1 << tier) == 0 {
                    continue;
                }
                let count = values.next()?;
                let mut position = 0;
                for _ in 0..count {
                    position += u32::try_from(values.next()?).ok()?;
                    in_tier.push(position);
                }
            }
            by_doc.push(tiers);
        }
    }
    Some(Postings {
        docs,
        positions: by_doc,
    })
}

/// Keeps the hits of the chosen district and year.
fn filter(hits: &mut Vec<Hit>, manifest: &Manifest, query: &Query<'_>) -> Result<(), QueryError> {
    if let Some(district) = query.district {
        let districts = read_varints(&manifest.doc_districts)
            .ok_or_else(|| QueryError::Invalid("manifest.json".to_string()))?;
        let wanted = manifest.districts.iter().position(|name| name == district);
        hits.retain(|hit| {
            wanted.is_some_and(|wanted| districts.get(hit.id as usize) == Some(&(wanted as u64)))
        });
    }
    if let Some(year) = query.year {
        let range = manifest
            .years
            .iter()
            .find(|[y, _, _]| *y == year)
            .map(|[_, first, count]| *first..first + count);
        hits.retain(|hit| range.as_ref().is_some_and(|range| range.contains(&hit.id)));
    }
    Ok(())
}
