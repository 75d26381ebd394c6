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

/// Numbers for the atoms of one document while sorting its tokens: a CJK atom is its code
/// point, a word `WORD_BASE` plus its index in the document's word list.
const WORD_BASE: u64 = 1 << 22;

/// Marks a pair in a token number: `PAIR | first << 32 | gap << 31 | second`.
const PAIR: u64 = 1 << 63;

/// The document's words, numbered in order of appearance.
#[derive(Default)]
struct Words {
    ids: FastMap<Box<str>, u64>,
    texts: Vec<Box<str>>,
}

impl Words {
    fn atom_number(&mut self, atom: Atom<'_>) -> u64 {
        let mut chars = atom.text.chars();
        if let (Some(c), None) = (chars.next(), chars.next())
            && tokenize::classify(c) == tokenize::CharClass::Cjk
        {
            return u64::from(c);
        }
        if let Some(id) = self.ids.get(atom.text) {
            return *id;
        }
        let id = WORD_BASE + self.texts.len() as u64;
        self.texts.push(atom.text.into());
        self.ids.insert(atom.text.into(), id);
        id
    }

    fn text(&self, number: u64) -> String {
        match number.checked_sub(WORD_BASE) {
            Some(idx) => self.texts[idx as usize].to_string(),
            None => char::from_u32(number as u32)
                .map(String::from)
                .unwrap_or_default(),
        }
    }

    /// The [`Key`] of a token number.
    fn key(&self, token: u64) -> Key {
        if token & PAIR == 0 {
            return if token < WORD_BASE {
                Key::Packed(token)
            } else {
                Key::Word(self.text(token).into())
            };
        }
        let first = (token >> 32) & 0x7FFF_FFFF;
        let gap = (token >> 31) & 1;
        let second = token & 0x7FFF_FFFF;
        if first < WORD_BASE && second < WORD_BASE {
            return Key::Packed(first << 33 | gap << 32 | second);
        }
        let mut key = self.text(first);
        if gap == 1 {
            key.push(' ');
        }
        key.push_str(&self.text(second));
        Key::WordPair(key.into())
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

/// The tokens of one document, sorted by partition, and their positions.
struct DocTokens {
    tokens: Vec<DocToken>,
    /// Positions as `tier << 28 | position`, each token's sorted; none for single atoms.
    slots: Vec<u32>,
}

/// The tokens of one document. Occurrences are sorted as plain numbers (`token << 32 | slot`),
/// which is most of the work of building the index.
fn doc_tokens(doc: &DocText<'_>) -> DocTokens {
    let mut words = Words::default();
    let mut occurrences: Vec<u128> = Vec::new();
    let mut numbers: Vec<u64> = Vec::new();
    for (tier, fields) in doc.tiers.iter().enumerate() {
        let tier_bits = (tier as u32) << 28;
        let mut next_position: u32 = 0;
        for field in fields {
            let normalized = tokenize::normalize(field);
            let atoms = tokenize::atoms(&normalized);
            numbers.clear();
            numbers.extend(atoms.iter().map(|atom| words.atom_number(*atom)));
            for (idx, number) in numbers.iter().enumerate() {
                occurrences.push(u128::from(*number) << 32 | u128::from(tier_bits));
                let position = next_position.saturating_add(idx as u32);
                if idx > 0 && position <= MAX_POSITION + 1 {
                    let gap = u64::from(atoms[idx].gap);
                    let pair = PAIR | numbers[idx - 1] << 32 | gap << 31 | number;
                    let slot = tier_bits | (position - 1);
                    occurrences.push(u128::from(pair) << 32 | u128::from(slot));
                }
            }
            // One position of space between fields, so no run of positions spans two.
            next_position = next_position.saturating_add(atoms.len() as u32 + 1);
        }
    }
    occurrences.sort_unstable();
    occurrences.dedup();
    let mut tokens: Vec<DocToken> = Vec::new();
    let mut slots = Vec::new();
    let mut current: Option<u64> = None;
    for occurrence in occurrences {
        let token = (occurrence >> 32) as u64;
        let slot = occurrence as u32;
        if current != Some(token) {
            current = Some(token);
            let key = words.key(token);
            tokens.push(DocToken {
                partition: key.partition(),
                key,
                mask: 0,
                slots: slots.len()..slots.len(),
            });
        }
        if let Some(last) = tokens.last_mut() {
            last.mask |= 1u8 << (slot >> 28);
            if token & PAIR != 0 {
                slots.push(slot);
                last.slots.end = slots.len();
            }
        }
    }
    tokens.sort_unstable_by_key(|token| token.partition);
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
        let body = "白莲，社 g20峰 g20 ab";
        let docs = [doc("", body)];
        let mut keys: Vec<String> = postings(&docs).into_iter().map(|(key, _)| key).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "ab", "g20", "g20 ab", "g20峰", "峰", "峰 g20", "白", "白莲", "社", "社 g20", "莲",
                "莲 社"
            ]
        );
        let mut words = Words::default();
        let atoms = tokenize::atoms("g20峰");
        let first = words.atom_number(atoms[0]);
        let second = words.atom_number(atoms[1]);
        assert!(words.key(PAIR | first << 32 | second).is_pair());
        assert!(!words.key(first).is_pair());
        assert_eq!(words.key(second), Key::Packed(u64::from('峰')));
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
