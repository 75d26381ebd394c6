//! Building the index: the documents of every token, grouped into shards, and their encoding.
//!
//! Documents are numbered in the site's order (newest first), so "newer first" is "smaller id
//! first" everywhere. Each document has three *tiers* of text, ranked in this order: the title;
//! the subtitle and highlights; the place line, reporters and body. For every token the index
//! keeps the documents that contain it, each with a three-bit mask of the tiers it occurs in.
//! Nothing else: a query of three or more atoms is a set of candidates (every pair in one tier)
//! that the client confirms against the document's text, which it fetches anyway to show the
//! result (see [`crate::search::query`]).
//!
//! Numbers are written as a base-64 varint string (`VARINT_DIGITS`, five bits a digit, the
//! sixth bit says "more digits follow", least significant first) that `search.js` decodes in a
//! few lines: about 1 byte for a posting of a common token.
//!
//! How it stays cheap (issue 7: the index may add at most 30% to a build): documents are
//! tokenized in parallel chunks of 32, in one pass over the text that normalises as it
//! scans ([`tokenize::scan_atoms`]); a token made of ideographs and short words (up to four
//! ASCII letters and digits: the numbers of a Chinese text) is a number, never a string, until
//! its shard is written; a document's single ideographs are counted in a direct
//! table, its other tokens listed with their repeats; each chunk groups its tokens by partition
//! (a token of unified ideographs, most of a Chinese text, in four bytes: its partition is
//! part of it), so that each partition then reads its part of a chunk in one piece and
//! appends the documents in id order to one byte buffer per token (a document's repeats of a
//! token fold into its last posting), and postings come out sorted without sorting.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use rayon::prelude::*;

use crate::search::tokenize;

/// The digits of the varint strings, in value order: `0`–`9`, `A`–`Z`, `a`–`z`, `-`, `_`.
pub(crate) const VARINT_DIGITS: &[u8; 64] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// Number of tiers of a document.
pub(crate) const N_TIERS: usize = 3;

/// Documents tokenized at once: bounds the memory of tokens in flight.
const BATCH: usize = 1024;

/// Partitions of the token table, merged in parallel.
const N_PARTITIONS: usize = 64;

/// The searchable text of one document, by tier; each tier is a list of separate fields
/// (no token spans two fields).
#[derive(Debug, Clone, Default)]
pub(crate) struct DocText<'a> {
    /// Fields of each tier.
    pub tiers: [Vec<&'a str>; N_TIERS],
}

/// Marks a pair in a packed token: `PAIR | first << 23 | gap << 22 | second`; a single atom is
/// its atom number: an ideograph (or kana, hangul) its code point, a short word
/// [`SHORT_WORD`] and its letters. Atom numbers take 22 bits, so a packed token takes 46.
const PAIR: u64 = 1 << 45;

/// Where the first atom of a pair starts in a packed token.
const FIRST_SHIFT: u32 = 23;
/// The bit of a packed pair that says a separator came between its atoms.
const GAP: u64 = 1 << 22;

/// The packed token of the pair of atoms `first` and `second` (atom numbers).
#[inline]
fn packed_pair(first: u32, gap: bool, second: u32) -> u64 {
    PAIR | u64::from(first) << FIRST_SHIFT | u64::from(gap) << 22 | u64::from(second)
}

/// Marks the atom number of a short word: a word of one to four ASCII letters and digits (most
/// words of a Chinese text are numbers: `2021`, `5`), packed like an ideograph, without a
/// string. Its letters are base 37 digits, the first lowest: `0`–`9` as 1–10, `a`–`z` as
/// 11–36 (37^4 is below 2^21).
const SHORT_WORD: u32 = 1 << 21;
const SHORT_WORD_MAX_LEN: usize = 4;
const _: () = assert!(37u32.pow(SHORT_WORD_MAX_LEN as u32) <= SHORT_WORD);

/// The atom number of `word` (normalised) when it is a short word.
#[inline]
fn short_word(word: &str) -> Option<u32> {
    if word.is_empty() || word.len() > SHORT_WORD_MAX_LEN {
        return None;
    }
    let mut number = 0;
    for byte in word.bytes().rev() {
        let digit = match byte {
            b'0'..=b'9' => byte - b'0' + 1,
            b'a'..=b'z' => byte - b'a' + 11,
            _ => return None,
        };
        number = number * 37 + u32::from(digit);
    }
    Some(SHORT_WORD | number)
}

/// Appends the text of an atom number.
fn push_atom(out: &mut String, atom: u32) {
    for_each_char_of_atom(atom, |c| out.push(c));
}

/// Calls `f` with each character of the text of an atom number.
#[inline]
fn for_each_char_of_atom(atom: u32, mut f: impl FnMut(char)) {
    if atom & SHORT_WORD == 0 {
        f(char::from_u32(atom).unwrap_or(char::REPLACEMENT_CHARACTER));
        return;
    }
    let mut number = atom & !SHORT_WORD;
    while number > 0 {
        let digit = (number % 37) as u8;
        f(char::from(if digit <= 10 {
            b'0' + digit - 1
        } else {
            b'a' + digit - 11
        }));
        number /= 37;
    }
}

/// The most bytes of a key that a [`TokenKey`] holds inline: every packed token's (two atoms
/// of at most four bytes and a space) and most words'.
const INLINE_KEY: usize = 22;

/// The key string of a token, inline when it is short, as almost all are: a heap string for
/// each of the corpus's tokens would cost an allocation each.
#[derive(Debug, Clone)]
pub(crate) enum TokenKey {
    /// The first `len` bytes of `bytes`.
    Inline {
        len: u8,
        bytes: [u8; INLINE_KEY],
    },
    Heap(Box<str>),
}

impl TokenKey {
    /// The key's text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Only ever filled from whole strings ([`TokenKey::from`], [`packed_key`]).
            TokenKey::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            TokenKey::Heap(key) => key,
        }
    }

    /// The key's UTF-8 bytes, which sort as its text does.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            TokenKey::Inline { len, bytes } => &bytes[..usize::from(*len)],
            TokenKey::Heap(key) => key.as_bytes(),
        }
    }
}

impl From<Box<str>> for TokenKey {
    fn from(key: Box<str>) -> Self {
        if key.len() > INLINE_KEY {
            return TokenKey::Heap(key);
        }
        let mut bytes = [0; INLINE_KEY];
        bytes[..key.len()].copy_from_slice(key.as_bytes());
        TokenKey::Inline {
            len: key.len() as u8,
            bytes,
        }
    }
}

/// The atom before the current one in a field, while tokenizing: an ideograph (or kana,
/// hangul) by code point, a short word by its atom number, or another word by where its key
/// is in `Scratch::word_text`.
#[derive(Clone, Copy)]
enum Previous {
    None,
    Cjk(u32),
    /// A short word by its atom number ([`short_word`]).
    Short(u32),
    Word(u32, u32),
}

/// The multiplier of the token hashes (partition and table slot).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The unified ideographs, which [`Scratch`] counts in a plain table.
const IDEOGRAPHS_START: u32 = 0x4E00;
const IDEOGRAPHS_END: u32 = 0xA000;

fn packed_partition(token: u64) -> usize {
    (token.wrapping_mul(GOLDEN) >> 58) as usize % N_PARTITIONS
}

fn word_partition(key: &str) -> usize {
    tokenize::fnv1a(key) as usize % N_PARTITIONS
}

/// Documents one task tokenizes into one [`ChunkTokens`].
const CHUNK: usize = 32;

/// Where the document (its offset in the batch) starts in an entry of [`ChunkTokens::packed`].
const DOC_SHIFT: u32 = 49;

/// The bits of a packed token.
const TOKEN_BITS: u64 = (1 << 46) - 1;

const _: () = assert!(BATCH <= 1 << (64 - DOC_SHIFT));

/// Bits of a token of unified ideographs that choose its partition: the low bits of its (last)
/// ideograph's index from `IDEOGRAPHS_START`, which its compact entry then leaves out.
const PARTITION_BITS: u32 = 6;
const _: () = assert!(N_PARTITIONS == 1 << PARTITION_BITS);

/// A compact entry ([`ChunkTokens::compact`]) that starts a document: `DOC_MARK | doc offset`.
const DOC_MARK: u32 = 1 << 31;
/// A compact entry of a pair (else of a single ideograph).
const COMPACT_PAIR: u32 = 1 << 30;
/// The compact entries of single ideographs, without their tier mask and shifted down by
/// `COMPACT_LAST_SHIFT`, are below this (a pair's have `COMPACT_PAIR`).
const SINGLES: usize = ((IDEOGRAPHS_END - IDEOGRAPHS_START) >> PARTITION_BITS) as usize + 1;
const _: () = assert!(SINGLES <= (COMPACT_PAIR >> COMPACT_LAST_SHIFT) as usize);

/// A compact entry of a pair across a gap.
const COMPACT_GAP: u32 = 1 << 29;
/// Where the index of a pair's first ideograph (15 bits) starts in a compact entry.
const COMPACT_FIRST_SHIFT: u32 = 14;
/// Where the index of the last ideograph but its partition bits (9 bits) starts; the tier
/// mask takes the 3 bits below.
const COMPACT_LAST_SHIFT: u32 = 3;
const _: () = assert!(IDEOGRAPHS_END - IDEOGRAPHS_START <= 1 << 15);
const _: () = assert!((IDEOGRAPHS_END - IDEOGRAPHS_START) >> PARTITION_BITS <= 1 << 9);

/// The partition and compact entry (without its tier mask) of a single unified ideograph, by
/// its index from `IDEOGRAPHS_START`.
#[inline]
fn compact_single(idx: u32) -> (usize, u32) {
    (
        idx as usize & (N_PARTITIONS - 1),
        (idx >> PARTITION_BITS) << COMPACT_LAST_SHIFT,
    )
}

/// The partition and compact entry (without its tier mask) of a pair of unified ideographs,
/// by their indexes from `IDEOGRAPHS_START`.
#[inline]
fn compact_pair(first_idx: u32, gap: bool, last_idx: u32) -> (usize, u32) {
    let (partition, last) = compact_single(last_idx);
    let gap = if gap { COMPACT_GAP } else { 0 };
    (
        partition,
        COMPACT_PAIR | gap | first_idx << COMPACT_FIRST_SHIFT | last,
    )
}

/// The packed token of a compact entry of `partition` (not a `DOC_MARK`).
#[inline]
fn compact_token(entry: u32, partition: usize) -> u64 {
    let last_idx = u64::from(entry >> COMPACT_LAST_SHIFT & 0x1FF) << PARTITION_BITS;
    let last = u64::from(IDEOGRAPHS_START) + (last_idx | partition as u64);
    if entry & COMPACT_PAIR == 0 {
        return last;
    }
    let first = u64::from(IDEOGRAPHS_START) + u64::from(entry >> COMPACT_FIRST_SHIFT & 0x7FFF);
    let gap = u64::from(entry & COMPACT_GAP != 0);
    PAIR | first << FIRST_SHIFT | gap << 22 | last
}

/// The tokens of consecutive documents with their tier masks, grouped by partition, in
/// document order: merging a partition reads its part in one piece.
struct ChunkTokens {
    /// Per partition, the tokens made of unified ideographs only (most of a Chinese text), in
    /// four bytes each ([`compact_pair`], [`compact_single`], with the tier mask in the low
    /// bits), each document's after a `DOC_MARK | doc offset`.
    compact: Box<[Vec<u32>; N_PARTITIONS]>,
    /// Per partition, the other packed tokens as `doc offset << DOC_SHIFT | token << 3 |
    /// mask` (the offset of the document in its batch).
    packed: Vec<Vec<u64>>,
    /// Per partition, word tokens as (doc offset, key range in `word_text`, mask).
    words: Vec<Vec<(u32, Range<u32>, u8)>>,
    /// The keys of `words`.
    word_text: String,
}

impl Default for ChunkTokens {
    fn default() -> Self {
        ChunkTokens {
            compact: Box::new(std::array::from_fn(|_| Vec::new())),
            packed: (0..N_PARTITIONS).map(|_| Vec::new()).collect(),
            words: (0..N_PARTITIONS).map(|_| Vec::new()).collect(),
            word_text: String::new(),
        }
    }
}

/// What one thread reuses from document to document.
#[derive(Default)]
struct Scratch {
    /// Masks of the single ideographs `U+4E00..U+A000` by code point (most single tokens): a
    /// table small enough to stay in the first-level cache.
    ideographs: Vec<u8>,
    /// The entries of `ideographs` in use.
    ideographs_used: Vec<u16>,
    /// Word tokens of the document as (partition, key range in `word_text`, tier bit).
    words: Vec<(u32, Range<u32>, u8)>,
    word_text: String,
    /// The word being read ([`tokenize::scan_atoms`]).
    word: String,
}

impl Scratch {
    /// Records the word token whose key is `word_text[start..]`.
    fn push_word_token(&mut self, start: usize, tier_bit: u8) {
        let partition = word_partition(&self.word_text[start..]) as u32;
        self.words.push((
            partition,
            start as u32..self.word_text.len() as u32,
            tier_bit,
        ));
    }

    /// Adds the token of `first` and `second` next to it (`first` is not `Previous::None`).
    fn add_word_pair(
        &mut self,
        first: Previous,
        gap: bool,
        second: Result<char, &str>,
        tier_bit: u8,
    ) {
        let start = self.word_text.len();
        match first {
            Previous::None => return,
            Previous::Cjk(atom) | Previous::Short(atom) => push_atom(&mut self.word_text, atom),
            Previous::Word(key_start, key_end) => self
                .word_text
                .extend_from_within(key_start as usize..key_end as usize),
        }
        if gap {
            self.word_text.push(' ');
        }
        match second {
            Ok(c) => self.word_text.push(c),
            Err(text) => self.word_text.push_str(text),
        }
        self.push_word_token(start, tier_bit);
    }

    /// Adds the tokens of one field of the document at `doc_offset` in its batch: every atom,
    /// and every pair of neighbouring atoms. Packed tokens but the single ideographs go
    /// straight to their partition in `out`, repeats and all (the merge folds repeats into
    /// one posting); the others wait in the scratch until [`Scratch::take_tokens`].
    fn add_field(&mut self, field: &str, tier_bit: u8, doc_offset: u32, out: &mut ChunkTokens) {
        if self.ideographs.is_empty() {
            self.ideographs = vec![0; (IDEOGRAPHS_END - IDEOGRAPHS_START) as usize];
        }
        let mut word = std::mem::take(&mut self.word);
        let mut tokens = FieldTokens {
            scratch: self,
            compact: &mut out.compact,
            packed: &mut out.packed,
            doc: u64::from(doc_offset) << DOC_SHIFT | u64::from(tier_bit),
            previous: Previous::None,
            tier_bit,
        };
        tokenize::scan_atoms(field, &mut word, &mut tokens);
        self.word = word;
    }

    /// Moves the document's tokens into `out`, grouped by partition; leaves the scratch
    /// empty for the next document but `word_text`, which holds the keys of `out.words`.
    fn take_tokens(&mut self, doc_offset: u32, out: &mut ChunkTokens) {
        for idx in self.ideographs_used.drain(..) {
            let mask = std::mem::take(&mut self.ideographs[idx as usize]);
            let (partition, entry) = compact_single(u32::from(idx));
            out.compact[partition].push(entry | u32::from(mask));
        }
        for (partition, range, tier_bit) in self.words.drain(..) {
            out.words[partition as usize].push((doc_offset, range, tier_bit));
        }
    }
}

/// Adds each atom of a field and the pair it makes with the one before to the scratch or to
/// the partitions.
struct FieldTokens<'a> {
    scratch: &'a mut Scratch,
    /// The chunk's compact entries by partition ([`ChunkTokens::compact`]).
    compact: &'a mut [Vec<u32>; N_PARTITIONS],
    /// The chunk's other packed tokens by partition ([`ChunkTokens::packed`]).
    packed: &'a mut [Vec<u64>],
    /// `doc offset << DOC_SHIFT | tier bit`: a packed token's entry but the token.
    doc: u64,
    previous: Previous,
    tier_bit: u8,
}

impl FieldTokens<'_> {
    #[inline]
    fn push_packed(&mut self, token: u64) {
        self.packed[packed_partition(token)].push(self.doc | token << 3);
    }

    /// Adds the pair of the unified ideographs `first` and `last`.
    #[inline]
    fn push_unified_pair(&mut self, first: u32, gap: bool, last: u32) {
        let (partition, entry) =
            compact_pair(first - IDEOGRAPHS_START, gap, last - IDEOGRAPHS_START);
        self.compact[partition].push(entry | u32::from(self.tier_bit));
    }

    /// Counts a single ideograph of `IDEOGRAPHS_START..IDEOGRAPHS_END` in the direct table.
    #[inline]
    fn add_ideograph(&mut self, code: u32) {
        let scratch = &mut *self.scratch;
        let idx = (code - IDEOGRAPHS_START) as usize;
        let entry = &mut scratch.ideographs[idx];
        if *entry == 0 {
            scratch.ideographs_used.push(idx as u16);
        }
        *entry |= self.tier_bit;
    }
}

impl tokenize::AtomSink for FieldTokens<'_> {
    #[inline]
    fn cjk(&mut self, c: char, gap: bool) {
        let code = u32::from(c);
        let unified = (IDEOGRAPHS_START..IDEOGRAPHS_END).contains(&code);
        if unified {
            self.add_ideograph(code);
        } else {
            self.push_packed(u64::from(code));
        }
        match self.previous {
            Previous::None => {}
            Previous::Cjk(first)
                if unified && (IDEOGRAPHS_START..IDEOGRAPHS_END).contains(&first) =>
            {
                self.push_unified_pair(first, gap, code);
            }
            Previous::Cjk(first) | Previous::Short(first) => {
                self.push_packed(packed_pair(first, gap, code));
            }
            Previous::Word(..) => {
                self.scratch
                    .add_word_pair(self.previous, gap, Ok(c), self.tier_bit);
            }
        }
        self.previous = Previous::Cjk(code);
    }

    #[inline]
    fn next_ideograph(&mut self, previous: u32, code: u32) {
        self.add_ideograph(code);
        self.push_unified_pair(previous, false, code);
        self.previous = Previous::Cjk(code);
    }

    fn word(&mut self, word: &str, gap: bool) {
        if let Some(atom) = short_word(word) {
            self.push_packed(u64::from(atom));
            match self.previous {
                Previous::None => {}
                Previous::Cjk(first) | Previous::Short(first) => {
                    self.push_packed(packed_pair(first, gap, atom));
                }
                Previous::Word(..) => {
                    self.scratch
                        .add_word_pair(self.previous, gap, Err(word), self.tier_bit);
                }
            }
            self.previous = Previous::Short(atom);
            return;
        }
        let scratch = &mut *self.scratch;
        let start = scratch.word_text.len();
        scratch.word_text.push_str(word);
        scratch.push_word_token(start, self.tier_bit);
        let end = scratch.word_text.len();
        scratch.add_word_pair(self.previous, gap, Err(word), self.tier_bit);
        self.previous = Previous::Word(start as u32, end as u32);
    }
}

/// Puts the tokens of consecutive documents, the first at `first_offset` in its batch, into
/// `out` (emptied first; its vectors are reused from batch to batch).
fn chunk_tokens(
    scratch: &mut Scratch,
    docs: &[DocText<'_>],
    first_offset: u32,
    out: &mut ChunkTokens,
) {
    out.compact.iter_mut().for_each(Vec::clear);
    out.packed.iter_mut().for_each(Vec::clear);
    out.words.iter_mut().for_each(Vec::clear);
    for (idx, doc) in docs.iter().enumerate() {
        let doc_offset = first_offset + idx as u32;
        for entries in out.compact.iter_mut() {
            entries.push(DOC_MARK | doc_offset);
        }
        for (tier, fields) in doc.tiers.iter().enumerate() {
            for field in fields {
                scratch.add_field(field, 1 << tier, doc_offset, out);
            }
        }
        scratch.take_tokens(doc_offset, out);
    }
    std::mem::swap(&mut out.word_text, &mut scratch.word_text);
    scratch.word_text.clear();
}

/// The documents of one token so far, encoded.
#[derive(Debug)]
struct PostingList {
    /// The last document added ([`NO_DOC`] before the first).
    last_doc: u32,
    /// Where the last document's varint starts in `values`: its first digit holds the tier
    /// mask, so a document's repeats of a token fold into it in place.
    last_at: u32,
    /// `(id delta) << 3 | tier mask` per document, as varint digit values (`0..64`, the
    /// index in `VARINT_DIGITS`: [`PostingList::into_digits`] spells them).
    values: Vec<u8>,
}

/// The most digits of a varint of 64 bits.
const MAX_VARINT_DIGITS: usize = 13;

/// No document yet in [`PostingList::last_doc`]; the delta of the first document is its id
/// plus one, as if the one before were -1.
const NO_DOC: u32 = u32::MAX;

impl Default for PostingList {
    fn default() -> Self {
        PostingList {
            last_doc: NO_DOC,
            last_at: 0,
            values: Vec::new(),
        }
    }
}

impl PostingList {
    /// Adds `doc_id` (not smaller than any before) with the tiers in `mask`.
    #[inline]
    fn push(&mut self, doc_id: u32, mask: u8) {
        if self.last_doc == doc_id {
            if let Some(first_digit) = self.values.get_mut(self.last_at as usize) {
                *first_digit |= mask;
            }
            return;
        }
        // Growing four times over: half the copies of doubling, for lists that end up from a
        // few bytes to tens of kilobytes.
        if self.values.capacity() - self.values.len() < MAX_VARINT_DIGITS {
            self.values
                .reserve((self.values.capacity() * 3).max(4 * MAX_VARINT_DIGITS));
        }
        self.last_at = self.values.len() as u32;
        let delta = u64::from(doc_id.wrapping_sub(self.last_doc));
        push_varint_values(&mut self.values, delta << 3 | u64::from(mask));
        self.last_doc = doc_id;
    }

    /// The varint digits of every document.
    fn into_digits(mut self) -> Vec<u8> {
        self.values
            .iter_mut()
            .for_each(|value| *value = spell_digit(*value));
        self.values
    }
}

/// The tokens of one partition and their postings.
#[derive(Default)]
struct Partition {
    /// The single ideographs of compact entries (the entry without its tier mask, below
    /// [`SINGLES`]): their index in `lists` plus one, 0 for none yet.
    singles: Vec<u32>,
    /// The pairs of compact entries, by the entry without its tier mask, plus one.
    compact_slots: Slots<u32>,
    /// The other packed tokens, by the token plus one.
    packed_slots: Slots<u64>,
    /// Word token to index in `lists`.
    words: FastMap<Box<str>, u32>,
    /// The postings of each token.
    lists: Vec<PostingList>,
    /// The packed token of each list (`WORD` for a word token: its key is in `words`).
    tokens: Vec<u64>,
}

impl Partition {
    /// The index in `lists` of a token, added with `token` (its packed form, made only when
    /// it is new) if it is not in `slots` yet.
    #[inline]
    fn list_of<K: SlotKey>(
        slots: &mut Slots<K>,
        lists: &mut Vec<PostingList>,
        tokens: &mut Vec<u64>,
        key: K,
        token: impl FnOnce() -> u64,
    ) -> usize {
        let (idx, new) = slots.find_or_insert(key, lists.len());
        if new {
            lists.push(PostingList::default());
            tokens.push(token());
        }
        idx
    }

    /// Makes room in each list for the batches to come, at the rate of the `done` batches so
    /// far (of `total`): growing thousands of lists a little at a time would copy most of
    /// them several times. Only after 1, 2, 4, … batches: a pass over every list after every
    /// batch would cost more than it saves.
    fn reserve_for(&mut self, done: usize, total: usize) {
        if done >= total || !done.is_power_of_two() {
            return;
        }
        for list in &mut self.lists {
            let len = list.values.len();
            let expected = len * total / done;
            if list.values.capacity() < expected {
                list.values.reserve_exact(expected - len);
            }
        }
    }

    /// Appends the batch's documents (ids from `first_id`) that have tokens here.
    ///
    /// This stays one function on purpose: it is the merge, the inner loop of the index (one
    /// table probe, one posting-list access and one varint per token occurrence, about a third
    /// of the index's cost; BENCHMARKS.md), and its three loops over the compact, packed and
    /// word entries of a chunk share the borrows of `self`'s tables. Split into functions, the
    /// loops would have to pass those tables around or go through `&mut self` again, and any
    /// change here needs an instruction count (callgrind) before and after, not just tests.
    fn append(&mut self, partition: usize, first_id: u32, chunks: &[ChunkTokens]) {
        if self.singles.is_empty() {
            self.singles = vec![0; SINGLES];
        }
        for chunk in chunks {
            let entries = &chunk.compact[partition];
            self.compact_slots.reserve(entries.len());
            let mut doc_id = first_id;
            for &entry in entries {
                if entry & DOC_MARK != 0 {
                    doc_id = first_id + (entry & !DOC_MARK);
                    continue;
                }
                let key = entry >> COMPACT_LAST_SHIFT;
                // A single ideograph: a direct table, no hashing.
                if let Some(single) = self.singles.get_mut(key as usize) {
                    if *single == 0 {
                        self.lists.push(PostingList::default());
                        self.tokens.push(compact_token(entry, partition));
                        *single = self.lists.len() as u32;
                    }
                    let idx = *single as usize - 1;
                    self.lists[idx].push(doc_id, (entry & 7) as u8);
                    continue;
                }
                let idx = Self::list_of(
                    &mut self.compact_slots,
                    &mut self.lists,
                    &mut self.tokens,
                    key + 1,
                    || compact_token(entry, partition),
                );
                self.lists[idx].push(doc_id, (entry & 7) as u8);
            }
            let entries = &chunk.packed[partition];
            self.packed_slots.reserve(entries.len());
            for entry in entries {
                let doc_id = first_id + (entry >> DOC_SHIFT) as u32;
                let token = (entry >> 3) & TOKEN_BITS;
                let idx = Self::list_of(
                    &mut self.packed_slots,
                    &mut self.lists,
                    &mut self.tokens,
                    token + 1,
                    || token,
                );
                self.lists[idx].push(doc_id, (entry & 7) as u8);
            }
            for (doc_offset, range, mask) in &chunk.words[partition] {
                let key = &chunk.word_text[range.start as usize..range.end as usize];
                let idx = if let Some(idx) = self.words.get(key) {
                    *idx
                } else {
                    let idx = self.lists.len() as u32;
                    self.lists.push(PostingList::default());
                    self.tokens.push(WORD);
                    self.words.insert(key.into(), idx);
                    idx
                };
                self.lists[idx as usize].push(first_id + doc_offset, *mask);
            }
        }
    }
}

/// A key of [`Slots`]: nonzero, spread by a multiplication.
trait SlotKey: Copy + Eq + Default {
    fn hash(self) -> u64;
}

impl SlotKey for u32 {
    #[inline]
    fn hash(self) -> u64 {
        u64::from(self)
    }
}

impl SlotKey for u64 {
    #[inline]
    fn hash(self) -> u64 {
        self
    }
}

/// An open-addressing table from nonzero keys to indexes in [`Partition::lists`], at most
/// half full (0 marks an empty slot).
#[derive(Default)]
struct Slots<K> {
    slots: Vec<(K, u32)>,
    len: usize,
}

impl<K: SlotKey> Slots<K> {
    /// Makes room for `n` more keys.
    fn reserve(&mut self, n: usize) {
        while (self.len + n) * 2 >= self.slots.len() {
            self.grow();
        }
    }

    #[inline]
    fn slot_of(key: K, mask: usize) -> usize {
        (key.hash().wrapping_mul(GOLDEN) >> 24) as usize & mask
    }

    /// The index of `key`, or `new_idx` if it is new (after [`Slots::reserve`]), and whether
    /// it is new.
    #[inline]
    fn find_or_insert(&mut self, key: K, new_idx: usize) -> (usize, bool) {
        let mask = self.slots.len() - 1;
        let mut slot = Self::slot_of(key, mask);
        loop {
            let found = self.slots[slot];
            if found.0 == key {
                return (found.1 as usize, false);
            }
            if found.0 == K::default() {
                self.slots[slot] = (key, new_idx as u32);
                self.len += 1;
                return (new_idx, true);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Doubles the table.
    #[cold]
    fn grow(&mut self) {
        let n_slots = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![(K::default(), 0); n_slots]);
        let mask = n_slots - 1;
        for entry in old.into_iter().filter(|entry| entry.0 != K::default()) {
            let mut slot = Self::slot_of(entry.0, mask);
            while self.slots[slot].0 != K::default() {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = entry;
        }
    }
}

/// In [`Partition::tokens`]: a word token (no packed token has all bits set).
const WORD: u64 = u64::MAX;

impl Partition {
    /// Every token of the partition with its postings, as (key, varint digits).
    fn into_postings(self) -> impl Iterator<Item = (TokenKey, Vec<u8>)> {
        let mut word_keys: Vec<Option<Box<str>>> = Vec::new();
        word_keys.resize_with(self.lists.len(), || None);
        for (key, idx) in self.words {
            word_keys[idx as usize] = Some(key);
        }
        self.tokens
            .into_iter()
            .zip(self.lists)
            .zip(word_keys)
            .map(|((token, list), word)| {
                let key = match word {
                    Some(key) => TokenKey::from(key),
                    None => packed_key(token),
                };
                (key, list.into_digits())
            })
    }
}

/// The key string of a packed token, as the browser computes it.
fn packed_key(token: u64) -> TokenKey {
    let atom = |bits: u64| (bits & 0x3F_FFFF) as u32;
    let mut bytes = [0; INLINE_KEY];
    let mut len = 0;
    let mut push = |c: char| len += c.encode_utf8(&mut bytes[len..]).len();
    if token & PAIR != 0 {
        for_each_char_of_atom(atom(token >> FIRST_SHIFT), &mut push);
        if token & GAP != 0 {
            push(' ');
        }
    }
    for_each_char_of_atom(atom(token), &mut push);
    TokenKey::Inline {
        len: len as u8,
        bytes,
    }
}

/// The digit of `VARINT_DIGITS` whose value is `value` (below 64), by arithmetic rather than
/// a lookup, so that spelling a list compiles to vector instructions.
#[inline]
fn spell_digit(value: u8) -> u8 {
    let add = |condition: bool, n: u8| if condition { n } else { 0 };
    // `0`–`9` from 48, `A`–`Z` from 65 (7 more), `a`–`z` from 97 (6 more again), then `-`
    // (45) and `_` (95), reached by wrapping around.
    value
        .wrapping_add(48)
        .wrapping_add(add(value > 9, 7))
        .wrapping_add(add(value > 35, 6))
        .wrapping_add(add(value == 62, 178))
        .wrapping_add(add(value == 63, 227))
}

/// Appends `value` as varint digit values (indexes in `VARINT_DIGITS`).
#[inline]
fn push_varint_values(out: &mut Vec<u8>, mut value: u64) {
    while value >= 32 {
        out.push(32 | (value & 31) as u8);
        value >>= 5;
    }
    out.push(value as u8);
}

/// Appends `value` as varint digits.
#[inline]
pub(crate) fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    if value < 32 {
        // Most postings: a common token, in the next document or the one after.
        out.push(VARINT_DIGITS[value as usize]);
        return;
    }
    let mut digits = [0u8; MAX_VARINT_DIGITS];
    let mut n_digits = 0;
    while value >= 32 {
        digits[n_digits] = VARINT_DIGITS[(32 | (value & 31)) as usize];
        n_digits += 1;
        value >>= 5;
    }
    digits[n_digits] = VARINT_DIGITS[value as usize];
    out.extend_from_slice(&digits[..=n_digits]);
}

/// Reads varints from digits; `None` at a character that is not a digit or a cut-off number.
pub(crate) fn read_varints(digits: &str) -> Option<Vec<u64>> {
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
        self.0 = (self.0 ^ value).wrapping_mul(GOLDEN).rotate_left(29);
    }
}

/// Every token of the corpus with its postings (varint digits), as (key, digits), in no
/// fixed order.
pub(crate) fn postings(docs: &[DocText<'_>]) -> Vec<(TokenKey, Vec<u8>)> {
    let mut partitions: Vec<Partition> = (0..N_PARTITIONS).map(|_| Partition::default()).collect();
    let mut chunks: Vec<ChunkTokens> = Vec::new();
    for (batch_idx, batch) in docs.chunks(BATCH).enumerate() {
        let n_chunks = batch.len().div_ceil(CHUNK);
        if chunks.len() < n_chunks {
            chunks.resize_with(n_chunks, ChunkTokens::default);
        }
        let tokens = &mut chunks[..n_chunks];
        tokens
            .par_iter_mut()
            .zip(batch.par_chunks(CHUNK))
            .enumerate()
            .for_each_init(Scratch::default, |scratch, (chunk_idx, (out, docs))| {
                chunk_tokens(scratch, docs, (chunk_idx * CHUNK) as u32, out);
            });
        let first_id = (batch_idx * BATCH) as u32;
        let tokens = &*tokens;
        let n_batches = docs.len().div_ceil(BATCH);
        partitions
            .par_iter_mut()
            .enumerate()
            .for_each(|(idx, partition)| {
                partition.append(idx, first_id, tokens);
                partition.reserve_for(batch_idx + 1, n_batches);
            });
    }
    partitions
        .into_par_iter()
        .flat_map_iter(Partition::into_postings)
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
    fn digits_are_spelled_as_in_the_alphabet() {
        for (value, digit) in VARINT_DIGITS.iter().enumerate() {
            assert_eq!(spell_digit(value as u8), *digit, "{value}");
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

    /// The keys of the tokens of one document with `body`, sorted.
    fn sorted_keys(body: &str) -> Vec<String> {
        let mut keys: Vec<String> = postings(&[doc("", body)])
            .into_iter()
            .map(|(key, _)| key.as_str().to_string())
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn keys_print_as_the_browser_computes_them() {
        assert_eq!(
            sorted_keys("白莲，社 g20峰 g20 ab"),
            [
                "ab", "g20", "g20 ab", "g20峰", "峰", "峰 g20", "白", "白莲", "社", "社 g20", "莲",
                "莲 社"
            ]
        );
        assert_eq!(packed_key(u64::from('峰')).as_str(), "峰");
    }

    #[test]
    fn short_words_and_long_words_give_the_keys_of_the_reference_tokenizer() {
        // Short words (packed) and long ones (strings) next to each other, to ideographs, to
        // kana and to non-ASCII words, with and without a separator.
        let body = "2021年5月 a1 abcd abcde 12abcdefg 9 ü 1ü z かな9 ab-cd 0 00 zzzz 年z 5";
        let keys = sorted_keys(body);
        let normalized = tokenize::normalize(body);
        let atoms = tokenize::atoms(&normalized);
        let mut expected: Vec<String> = atoms.iter().map(|atom| atom.text.to_string()).collect();
        expected.extend(
            atoms
                .windows(2)
                .map(|pair| tokenize::pair_key(pair[0].text, pair[1])),
        );
        expected.sort();
        expected.dedup();
        assert_eq!(keys, expected);
    }

    #[test]
    fn short_words_round_trip_through_their_atom_numbers() {
        for word in [
            "0", "9", "a", "z", "00", "z0", "2021", "zzzz", "0000", "a1b2",
        ] {
            let atom = short_word(word).expect("a short word");
            let mut text = String::new();
            push_atom(&mut text, atom);
            assert_eq!(text, word);
        }
        for word in ["", "abcde", "Ab", "ü", "a-b", "甲"] {
            assert_eq!(short_word(word), None, "{word:?}");
        }
    }

    #[test]
    fn postings_keep_documents_in_order_with_their_tiers() {
        let docs = [doc("白莲社区", "社区，白莲"), doc("其他", "白莲白莲")];
        let postings: HashMap<String, Vec<u8>> = postings(&docs)
            .into_iter()
            .map(|(key, digits)| (key.as_str().to_string(), digits))
            .collect();
        let digits = |key: &str| read_varints(std::str::from_utf8(&postings[key]).expect("ASCII"));
        // Doc 0 in title and body (mask 0b101), doc 1 (delta 1) in body only (0b100).
        assert_eq!(digits("白莲"), Some(vec![1 << 3 | 0b101, 1 << 3 | 0b100]));
        assert_eq!(digits("区 白"), Some(vec![1 << 3 | 0b100]));
        assert!(!postings.contains_key("区白"));
    }

    #[test]
    fn compact_entries_give_back_their_tokens() {
        let n = IDEOGRAPHS_END - IDEOGRAPHS_START;
        let edges = [0, 1, 63, 64, 65, 0x1234, n - 65, n - 64, n - 1];
        for last in (0..n).step_by(7).chain(edges) {
            let last_code = u64::from(IDEOGRAPHS_START + last);
            let (partition, entry) = compact_single(last);
            assert_eq!(entry & 7, 0);
            assert_eq!(compact_token(entry | 5, partition), last_code);
            for first in edges {
                let first_code = u64::from(IDEOGRAPHS_START + first);
                for gap in [false, true] {
                    let (partition, entry) = compact_pair(first, gap, last);
                    assert_eq!(entry & (7 | DOC_MARK), 0);
                    let token = packed_pair(first_code as u32, gap, last_code as u32);
                    assert_eq!(compact_token(entry | 3, partition), token);
                }
            }
        }
    }

    #[test]
    fn many_tokens_in_one_document_grow_the_table() {
        let body: String = (0..6_000u32)
            .filter_map(|n| char::from_u32(0x4E00 + n))
            .collect();
        let docs = [doc("", &body), doc("", &body)];
        let postings = postings(&docs);
        assert_eq!(postings.len(), 6_000 + 5_999);
        assert!(postings.iter().all(|(_, digits)| digits == b"CC"));
    }
}
