//! Building the index: postings of every token, grouped into shards, and their encoding.
//!
//! Documents are numbered in the site's order (newest first), so "newer first" is "smaller id
//! first" everywhere. Each document has three *tiers* of text, ranked in this order: the title;
//! the subtitle and highlights; the place line, reporters and body. For every token the index
//! keeps the documents that contain it with a three-bit mask of the tiers it occurs in, and for
//! tokens of two atoms also the atom positions in each tier, so that a query of three or more
//! atoms is confirmed as one consecutive run without shipping any text. One- and two-atom
//! queries (one token) never need positions, so positions sit in files of their own.
//!
//! Numbers are written as a base-64 varint string (`VARINT_DIGITS`, five bits a digit, the
//! sixth bit says "more digits follow", least significant first) that `search.js` decodes in a
//! few lines: about 1 byte for a posting of a common token.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use crate::search::tokenize::{self, Atom};

/// The digits of the varint strings, in value order: `0`–`9`, `A`–`Z`, `a`–`z`, `-`, `_`.
pub const VARINT_DIGITS: &[u8; 64] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// Number of tiers of a document.
pub const N_TIERS: usize = 3;

/// Positions at or above this are not recorded (a tier of 268 million atoms is not a story).
const MAX_POSITION: u32 = (1 << 28) - 1;

/// Documents tokenized at once: bounds the memory of occurrences in flight.
const BATCH: usize = 256;

/// Partitions of the token table, merged in parallel.
const N_PARTITIONS: usize = 64;

/// The searchable text of one document, by tier; each tier is a list of separate fields
/// (no token spans two fields).
#[derive(Debug, Clone, Default)]
pub struct DocText<'a> {
    /// Fields of each tier.
    pub tiers: [Vec<&'a str>; N_TIERS],
}

/// A token as stored while building: ideographs packed in a number, anything with a word as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    /// One CJK atom (its code point), or two: `first << 33 | gap << 32 | second`.
    Packed(u64),
    /// A word atom.
    Word(Box<str>),
    /// Two atoms, at least one a word, as the key string.
    WordPair(Box<str>),
}

impl Key {
    fn is_pair(&self) -> bool {
        match self {
            Key::Packed(packed) => *packed >= 1 << 33,
            Key::Word(_) => false,
            Key::WordPair(_) => true,
        }
    }

    fn to_key_string(&self) -> String {
        match self {
            Key::Word(text) | Key::WordPair(text) => text.to_string(),
            Key::Packed(packed) => {
                let char_of = |bits: u64| char::from_u32(bits as u32).unwrap_or('\u{FFFD}');
                let second = char_of(packed & 0xFFFF_FFFF);
                if *packed < 1 << 33 {
                    return second.to_string();
                }
                let mut key = String::new();
                key.push(char_of(packed >> 33));
                if packed & (1 << 32) != 0 {
                    key.push(' ');
                }
                key.push(second);
                key
            }
        }
    }

    fn partition(&self) -> usize {
        let hash = match self {
            Key::Packed(packed) => packed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40,
            Key::Word(text) | Key::WordPair(text) => u64::from(tokenize::fnv1a(text)),
        };
        (hash % N_PARTITIONS as u64) as usize
    }
}

fn single_char(text: &str) -> Option<char> {
    let mut chars = text.chars();
    let first = chars.next()?;
    chars.next().is_none().then_some(first)
}

fn atom_key(atom: Atom<'_>) -> Key {
    match single_char(atom.text) {
        Some(c) if tokenize::classify(c) == tokenize::CharClass::Cjk => Key::Packed(u64::from(c)),
        _ => Key::Word(atom.text.into()),
    }
}

fn pair_key(first: Atom<'_>, second: Atom<'_>) -> Key {
    let cjk = |atom: Atom<'_>| {
        single_char(atom.text).filter(|c| tokenize::classify(*c) == tokenize::CharClass::Cjk)
    };
    match (cjk(first), cjk(second)) {
        (Some(a), Some(b)) => {
            Key::Packed(u64::from(a) << 33 | u64::from(second.gap) << 32 | u64::from(b))
        }
        _ => Key::WordPair(tokenize::pair_key(first.text, second).into()),
    }
}

/// One token of one document: which tiers, and where (for pairs).
struct DocToken {
    partition: usize,
    key: Key,
    mask: u8,
    /// The token's positions in [`DocTokens::slots`].
    slots: std::ops::Range<usize>,
}

/// The tokens of one document, sorted by partition and key, and their positions.
struct DocTokens {
    tokens: Vec<DocToken>,
    /// Positions as `tier << 28 | position`, each token's sorted; none for single atoms.
    slots: Vec<u32>,
}

/// The tokens of one document.
fn doc_tokens(doc: &DocText<'_>) -> DocTokens {
    let mut occurrences: Vec<(usize, Key, u32)> = Vec::new();
    for (tier, fields) in doc.tiers.iter().enumerate() {
        let tier_bits = (tier as u32) << 28;
        let mut next_position: u32 = 0;
        for field in fields {
            let normalized = tokenize::normalize(field);
            let atoms = tokenize::atoms(&normalized);
            for (idx, atom) in atoms.iter().enumerate() {
                let key = atom_key(*atom);
                occurrences.push((key.partition(), key, tier_bits));
                let position = next_position.saturating_add(idx as u32);
                if idx > 0 && position <= MAX_POSITION + 1 {
                    let key = pair_key(atoms[idx - 1], *atom);
                    occurrences.push((key.partition(), key, tier_bits | (position - 1)));
                }
            }
            // One position of space between fields, so no run of positions spans two.
            next_position = next_position.saturating_add(atoms.len() as u32 + 1);
        }
    }
    occurrences.sort_unstable();
    let mut tokens: Vec<DocToken> = Vec::new();
    let mut slots = Vec::new();
    for (partition, key, slot) in occurrences {
        let tier_bit = 1u8 << (slot >> 28);
        let is_pair = key.is_pair();
        match tokens.last_mut() {
            Some(last) if last.key == key => last.mask |= tier_bit,
            _ => tokens.push(DocToken {
                partition,
                key,
                mask: tier_bit,
                slots: slots.len()..slots.len(),
            }),
        }
        if is_pair && slots.last() != Some(&slot) {
            slots.push(slot);
            if let Some(last) = tokens.last_mut() {
                last.slots.end = slots.len();
            }
        }
    }
    DocTokens { tokens, slots }
}

/// The documents of one token, encoded.
#[derive(Debug, Default)]
pub struct Posting {
    /// The next document id minus one: delta encoding starts from -1.
    next_base: u32,
    /// `(id delta) << 3 | tier mask` per document, as varint digits.
    pub ids: Vec<u8>,
    /// For pairs, per document and per tier in its mask: the count, then the positions as
    /// deltas (the first from 0), as varint digits.
    pub positions: Vec<u8>,
}

impl Posting {
    fn push(&mut self, doc_id: u32, token: &DocToken, slots: &[u32]) {
        let delta = u64::from(doc_id + 1 - self.next_base);
        push_varint(&mut self.ids, delta << 3 | u64::from(token.mask));
        self.next_base = doc_id + 1;
        if !token.key.is_pair() {
            return;
        }
        // Slots are sorted by tier, then position.
        let mut rest = &slots[token.slots.clone()];
        for tier in 0..N_TIERS as u32 {
            let n_in_tier = rest.partition_point(|slot| *slot >> 28 == tier);
            let (in_tier, after) = rest.split_at(n_in_tier);
            rest = after;
            if token.mask & (1 << tier) == 0 {
                continue;
            }
            push_varint(&mut self.positions, in_tier.len() as u64);
            let mut previous = 0;
            for slot in in_tier {
                let position = slot & MAX_POSITION;
                push_varint(&mut self.positions, u64::from(position - previous));
                previous = position;
            }
        }
    }
}

/// Appends `value` as varint digits.
pub fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 32 {
        out.push(VARINT_DIGITS[(32 | (value & 31)) as usize]);
        value >>= 5;
    }
    out.push(VARINT_DIGITS[value as usize]);
}

/// Reads varints from digits; `None` at a character that is not a digit or a cut-off number.
pub fn read_varints(digits: &str) -> Option<Vec<u64>> {
    let mut values = Vec::new();
    let mut value: u64 = 0;
    let mut shift = 0;
    for byte in digits.bytes() {
        let digit = VARINT_DIGITS.iter().position(|d| *d == byte)? as u64;
        if shift > 60 {
            return None;
        }
        value |= (digit & 31) << shift;
        if digit & 32 == 0 {
            values.push(value);
            value = 0;
            shift = 0;
        } else {
            shift += 5;
        }
    }
    (shift == 0).then_some(values)
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<MultiplyHasher>>;

/// A fast hasher for keys that are already well spread (packed code points, short strings).
#[derive(Default)]
struct MultiplyHasher(u64);

impl Hasher for MultiplyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0 ^ value)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }
}

/// Every token of the corpus with its posting, as (key string, posting), in no fixed order.
pub fn postings(docs: &[DocText<'_>]) -> Vec<(String, Posting)> {
    let mut partitions: Vec<FastMap<Key, Posting>> =
        (0..N_PARTITIONS).map(|_| FastMap::default()).collect();
    for (batch_idx, batch) in docs.chunks(BATCH).enumerate() {
        let docs: Vec<DocTokens> = batch.par_iter().map(doc_tokens).collect();
        let first_id = (batch_idx * BATCH) as u32;
        partitions
            .par_iter_mut()
            .enumerate()
            .for_each(|(partition, map)| {
                for (offset, doc) in docs.iter().enumerate() {
                    let doc_id = first_id + offset as u32;
                    let start = doc
                        .tokens
                        .partition_point(|token| token.partition < partition);
                    for token in doc.tokens[start..]
                        .iter()
                        .take_while(|token| token.partition == partition)
                    {
                        if let Some(posting) = map.get_mut(&token.key) {
                            posting.push(doc_id, token, &doc.slots);
                        } else {
                            let mut posting = Posting::default();
                            posting.push(doc_id, token, &doc.slots);
                            map.insert(token.key.clone(), posting);
                        }
                    }
                }
            });
    }
    partitions
        .into_par_iter()
        .flat_map_iter(|map| {
            map.into_iter()
                .map(|(key, posting)| (key.to_key_string(), posting))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(title: &'a str, body: &'a str) -> DocText<'a> {
        DocText {
            tiers: [vec![title], Vec::new(), vec![body]],
        }
    }

    #[test]
    fn varints_round_trip() {
        let values = [0, 1, 31, 32, 1023, 1024, 1 << 40, u64::from(u32::MAX)];
        let mut digits = Vec::new();
        for value in values {
            push_varint(&mut digits, value);
        }
        let text = String::from_utf8(digits).expect("ASCII");
        assert_eq!(read_varints(&text), Some(values.to_vec()));
        assert_eq!(read_varints("!"), None);
        // A digit with the "more" bit and nothing after it.
        assert_eq!(read_varints("W"), None);
    }

    #[test]
    fn keys_print_as_the_browser_computes_them() {
        assert_eq!(Key::Packed(u64::from('莲')).to_key_string(), "莲");
        let atoms = tokenize::atoms("白莲，社");
        assert_eq!(pair_key(atoms[0], atoms[1]).to_key_string(), "白莲");
        assert_eq!(pair_key(atoms[1], atoms[2]).to_key_string(), "莲 社");
        let atoms = tokenize::atoms("g20峰");
        assert_eq!(pair_key(atoms[0], atoms[1]).to_key_string(), "g20峰");
        assert!(pair_key(atoms[0], atoms[1]).is_pair());
        assert!(!atom_key(atoms[0]).is_pair());
    }

    #[test]
    fn postings_keep_tiers_and_positions() {
        let docs = [doc("白莲社区", "社区，白莲"), doc("其他", "白莲白莲")];
        let postings: HashMap<String, Posting> = postings(&docs).into_iter().collect();
        let bailian = &postings["白莲"];
        // Doc 0 in title and body (mask 0b101), doc 1 (delta 1) in body only (0b100).
        assert_eq!(
            read_varints(std::str::from_utf8(&bailian.ids).expect("ASCII")),
            Some(vec![1 << 3 | 0b101, 1 << 3 | 0b100])
        );
        // Doc 0: title one at 0, body one at 2 (社 区 白 莲); doc 1: body at 0 and 2.
        assert_eq!(
            read_varints(std::str::from_utf8(&bailian.positions).expect("ASCII")),
            Some(vec![1, 0, 1, 2, 2, 0, 2])
        );
        assert!(postings.contains_key("区 白"));
        assert!(!postings.contains_key("区白"));
        assert!(postings["莲"].positions.is_empty());
    }
}
