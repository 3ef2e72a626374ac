//! Text normalization for phrase matching.
//!
//! Every text field is turned once into a *dense* form, and every phrase of
//! the pack is turned into the same form when the pack is compiled, so that
//! a phrase matches however the customer or the teller typed it:
//!
//! 1. full-width ASCII becomes ASCII (`ＡＱ` → `aq`), and other compatibility
//!    characters are decomposed (NFKD: compatibility ideographs, circled
//!    digits); combining marks are dropped (`ānquán` → `anquan`);
//! 2. letters are lower-cased;
//! 3. the pack's fold table maps variant characters (`帐` → `账`, `帳` → `账`,
//!    traditional to simplified, look-alike Cyrillic letters to Latin);
//! 4. everything that is not a letter or a digit (spaces, punctuation,
//!    symbols, emoji, zero-width characters) is dropped, so `安 全 账 户`,
//!    `安.全.账.户` and `安\u{200b}全账户` all read `安全账户`.
//!
//! Each character of the dense text remembers the span of the original character
//! it came from, so evidence quotes the original text, and whether a
//! separator was dropped just before it, so English phrases can require word
//! boundaries ("unsafe account" does not contain "safe account").

/// One character of the dense text and where it came from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DenseChar {
    pub(crate) c: char,
    /// Byte span of the original character.
    pub(crate) start: u32,
    pub(crate) end: u32,
    /// How many clause breaks (，。；！？ , ; ! ? and line ends) precede it.
    pub(crate) clause: u16,
    /// A separator (or the field start) precedes this dense character.
    boundary_before: bool,
    /// A question mark was dropped since the previous dense character.
    question_before: bool,
}

/// A normalized text and the map back to the original.
///
/// The characters are kept in one array with their origins; the dense text
/// as a string is only built when a regex needs it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Dense {
    chars: Vec<DenseChar>,
    text: String,
    pending_boundary: bool,
    pending_question: bool,
    clause: u16,
}

impl Dense {
    fn clear(&mut self) {
        self.chars.clear();
        self.text.clear();
        self.pending_boundary = true;
        self.pending_question = false;
        self.clause = 0;
    }

    fn separator(&mut self, c: char) {
        self.pending_boundary = true;
        self.pending_question |= matches!(c, '?' | '？');
        // Not '.': dots split characters to dodge filters (安.全.账.户) and
        // sit inside amounts.
        // Nor '、', which enumerates inside a clause (a quoted list of warnings).
        if matches!(c, ',' | ';' | '!' | '?' | '\n' | '\r' | '。' | '；' | '！' | '？' | '，') {
            self.clause = self.clause.saturating_add(1);
        }
    }

    #[inline]
    fn push(&mut self, c: char, start: usize, end: usize) {
        self.chars.push(DenseChar {
            c,
            start: start as u32,
            end: end as u32,
            clause: self.clause,
            boundary_before: self.pending_boundary,
            question_before: self.pending_question,
        });
        self.pending_boundary = false;
        self.pending_question = false;
    }

    /// The dense characters.
    pub(crate) fn chars(&self) -> &[DenseChar] {
        &self.chars
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The dense text as a string, built on first use after each change.
    pub(crate) fn text(&mut self) -> &str {
        if self.text.is_empty() && !self.chars.is_empty() {
            self.text.extend(self.chars.iter().map(|d| d.c));
        }
        &self.text
    }

    /// The dense character index of byte `at` (a character boundary) of
    /// [`Dense::text`]: the number of characters before it.
    pub(crate) fn char_index(&self, at: usize) -> usize {
        self.text.as_bytes().get(..at).map_or(self.chars.len(), char_count)
    }

    fn is_ascii_alnum(&self, ci: usize) -> bool {
        self.chars.get(ci).is_some_and(|d| d.c.is_ascii_alphanumeric())
    }

    /// Whether a word may start at dense character `ci`: the field starts
    /// there, the previous character is not an ASCII letter or digit, or a
    /// separator was dropped just before it.
    pub(crate) fn starts_word(&self, ci: usize) -> bool {
        ci == 0 || !self.is_ascii_alnum(ci - 1) || self.chars.get(ci).is_some_and(|d| d.boundary_before)
    }

    /// Whether a word may end just before dense character `ci`.
    pub(crate) fn ends_word(&self, ci: usize) -> bool {
        !self.is_ascii_alnum(ci) || self.chars.get(ci).is_some_and(|d| d.boundary_before)
    }

    /// Whether a question mark was dropped just before dense character `ci`.
    pub(crate) fn follows_question(&self, ci: usize) -> bool {
        self.chars.get(ci).is_some_and(|d| d.question_before)
    }

    /// The clause number of dense character `ci`.
    pub(crate) fn clause(&self, ci: usize) -> u16 {
        self.chars.get(ci).map_or(self.clause, |d| d.clause)
    }

    /// The byte span in the original text of dense characters `start..end`.
    pub(crate) fn original_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let first = self.chars.get(start)?;
        let last = self.chars.get(end.checked_sub(1)?)?;
        Some((first.start as usize, last.end as usize))
    }
}

/// The fold table and the normalization procedure.
#[derive(Clone, Debug, Default)]
pub(crate) struct Normalizer {
    /// Sorted by source character; `None` drops the character.
    fold: Vec<(char, Option<char>)>,
    /// Bit `c % FILTER_BITS` is set for every source character `c` of
    /// `fold`: most characters are no fold source, and one bit test says so
    /// without searching the table.
    filter: Vec<u64>,
}

/// Bits in the fold filter (8 KiB): more than the characters of the BMP's
/// CJK block, so ideographs rarely share a bit.
const FILTER_BITS: usize = 1 << 16;

impl Normalizer {
    /// A normalizer with the given fold pairs (later pairs win on duplicates).
    pub(crate) fn new(pairs: impl IntoIterator<Item = (char, Option<char>)>) -> Normalizer {
        let mut fold: Vec<(char, Option<char>)> = pairs.into_iter().collect();
        fold.sort_by_key(|&(from, _)| from);
        fold.dedup_by_key(|&mut (from, _)| from);
        let mut filter = vec![0u64; FILTER_BITS / 64];
        for &(from, _) in &fold {
            let bit = from as usize % FILTER_BITS;
            if let Some(word) = filter.get_mut(bit / 64) {
                *word |= 1 << (bit % 64);
            }
        }
        Normalizer { fold, filter }
    }

    fn folded(&self, c: char) -> Option<Option<char>> {
        if !self.may_fold(c) {
            return None;
        }
        self.fold.binary_search_by_key(&c, |&(from, _)| from).ok().and_then(|i| self.fold.get(i)).map(|&(_, to)| to)
    }

    /// Normalize `src` into `out`, replacing what it held.
    pub(crate) fn normalize_into(&self, src: &str, out: &mut Dense) {
        out.clear();
        out.chars.reserve(src.len());
        let bytes = src.as_bytes();
        let mut at = 0;
        // The common cases are decoded here from the bytes: ASCII, and an
        // ideograph that is no fold source (what `push_char` would do with
        // them, directly). Everything else takes the full procedure.
        while let Some(&lead) = bytes.get(at) {
            if lead.is_ascii() {
                push_ascii(char::from(lead), at, at + 1, out);
                at += 1;
                continue;
            }
            if let Some(c) = ideograph_at(bytes, at).filter(|&c| !self.may_fold(c)) {
                out.push(c, at, at + 3);
                at += 3;
                continue;
            }
            let Some(c) = src.get(at..).and_then(|rest| rest.chars().next()) else { break };
            let end = at + c.len_utf8();
            self.push_char(c, at, end, out);
            at = end;
        }
    }

    /// The heap bytes of the fold table and its filter.
    pub(crate) fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(self.fold.as_slice()) + 8 * self.filter.len()
    }

    /// False when `c` is certainly no fold source.
    #[inline]
    fn may_fold(&self, c: char) -> bool {
        let bit = c as usize % FILTER_BITS;
        self.filter.get(bit / 64).is_none_or(|word| word & (1 << (bit % 64)) != 0)
    }

    /// The dense form of a phrase, as a new string.
    #[cfg(test)]
    pub(crate) fn normalize(&self, src: &str) -> String {
        let mut dense = String::with_capacity(src.len());
        self.normalize_onto(src, &mut dense);
        dense
    }

    /// The dense form of a phrase, appended to `out`.
    ///
    /// Most phrases hold only ASCII and ideographs that fold to nothing
    /// else; their dense form is built directly, without the map back to
    /// the original that [`Normalizer::normalize_into`] keeps.
    pub(crate) fn normalize_onto(&self, src: &str, out: &mut String) {
        let start = out.len();
        for c in src.chars() {
            if c.is_ascii() {
                if c.is_ascii_alphanumeric() {
                    out.push(c.to_ascii_lowercase());
                }
            } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) && !self.may_fold(c) {
                out.push(c);
            } else {
                out.truncate(start);
                out.push_str(&self.normalize_with_origins(src));
                return;
            }
        }
    }

    /// [`Normalizer::normalize_onto`] through the full procedure.
    fn normalize_with_origins(&self, src: &str) -> String {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Dense> = std::cell::RefCell::new(Dense::default());
        }
        let build = |dense: &mut Dense| {
            self.normalize_into(src, dense);
            dense.text();
            std::mem::take(&mut dense.text)
        };
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut dense) => build(&mut dense),
            Err(_) => build(&mut Dense::default()),
        })
    }

    fn push_char(&self, c: char, start: usize, end: usize, out: &mut Dense) {
        if c.is_ascii() {
            push_ascii(c, start, end, out);
            return;
        }
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '。' | '、' => {
                out.separator(c);
                return;
            }
            _ => c,
        };
        if c.is_ascii() {
            push_ascii(c, start, end, out);
            return;
        }
        if let Some(to) = self.folded(c) {
            if let Some(to) = to {
                self.push_final(to, start, end, out);
            }
            return;
        }
        if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            out.push(c, start, end);
            return;
        }
        unicode_normalization::char::decompose_compatible(c, |d| {
            if ('\u{0300}'..='\u{036F}').contains(&d) {
                return; // a combining accent: drop it, it is no separator
            }
            for lower in d.to_lowercase() {
                match self.folded(lower) {
                    Some(Some(to)) => self.push_final(to, start, end, out),
                    Some(None) => {}
                    None => self.push_final(lower, start, end, out),
                }
            }
        });
    }

    fn push_final(&self, c: char, start: usize, end: usize, out: &mut Dense) {
        if c.is_ascii() {
            push_ascii(c, start, end, out);
        } else if c.is_alphanumeric() {
            out.push(c, start, end);
        } else {
            out.separator(c);
        }
    }
}

/// The number of characters in the UTF-8 `bytes`: every byte but the
/// continuation bytes (`10xxxxxx`), counted eight at a time. The same as
/// `str::chars().count()`, which counts a short text byte by byte.
pub(crate) fn char_count(bytes: &[u8]) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut continuation = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        // Bit 7 of a byte set and its bit 6 (shifted up to bit 7) clear.
        continuation += (word & !(word << 1) & HIGH).count_ones() as usize;
    }
    continuation += chunks.remainder().iter().filter(|&&b| (b as i8) < -0x40).count();
    bytes.len() - continuation
}

/// The CJK Unified Ideograph (U+4E00..=U+9FFF) whose UTF-8 form starts at
/// byte `at` of `bytes` (a valid UTF-8 string), if one does: a three-byte
/// sequence led by 0xE4..=0xE9.
#[inline(always)]
fn ideograph_at(bytes: &[u8], at: usize) -> Option<char> {
    let (&lead, &second, &third) = (bytes.get(at)?, bytes.get(at + 1)?, bytes.get(at + 2)?);
    if !(0xE4..=0xE9).contains(&lead) {
        return None;
    }
    let code = (u32::from(lead & 0x0F) << 12) | (u32::from(second & 0x3F) << 6) | u32::from(third & 0x3F);
    if code < 0x4E00 {
        return None;
    }
    char::from_u32(code)
}

#[inline]
fn push_ascii(c: char, start: usize, end: usize, out: &mut Dense) {
    if c.is_ascii_alphanumeric() {
        out.push(c.to_ascii_lowercase(), start, end);
    } else {
        out.separator(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalizer() -> Normalizer {
        Normalizer::new([('帐', Some('账')), ('帳', Some('账')), ('戶', Some('户')), ('а', Some('a'))])
    }

    #[test]
    fn char_count_agrees_with_chars_count() {
        let pieces = ["a", "安", "é", "😀", "ä", "\u{200b}", " ", "Ж"];
        let mut text = String::new();
        for n in 0..90 {
            assert_eq!(char_count(text.as_bytes()), text.chars().count(), "{text:?}");
            text.push_str(pieces[(n * 7 + n / 3) % pieces.len()]);
        }
        assert_eq!(char_count("安全账户".as_bytes()), 4);
        assert_eq!(char_count(b""), 0);
    }

    #[test]
    fn spaced_variant_and_full_width_forms_fold_together() {
        let n = normalizer();
        for raw in ["安全账户", "安 全 账 户", "安.全.帐.户", "安\u{200b}全账户", "安💰全账户", "安全\u{3000}帳戶"]
        {
            assert_eq!(n.normalize(raw), "安全账户", "{raw}");
        }
        assert_eq!(n.normalize("ＡＱ帳戶"), "aq账户");
        assert_eq!(n.normalize("Safe Account"), "safeaccount");
        assert_eq!(n.normalize("sаfe аccount"), "safeaccount");
        assert_eq!(n.normalize("ānquán zhànghù"), "anquanzhanghu");
        assert_eq!(n.normalize("１０万"), "10万");
    }

    #[test]
    fn the_direct_phrase_path_agrees_with_the_full_procedure() {
        let n = normalizer();
        for raw in
            ["安全账户", "Safe Account", "a-b c_d 9", "安全帐户", "ＡＱ", "ānquán", "转入safe account。", "", "!!"]
        {
            assert_eq!(n.normalize(raw), n.normalize_with_origins(raw), "{raw}");
        }
    }

    /// The byte-level fast path gives what the character-by-character
    /// procedure gives, at the edges of the ideograph block too.
    #[test]
    fn the_fast_path_agrees_with_the_procedure_character_by_character() {
        let n = normalizer();
        let by_character = |src: &str| {
            let mut out = Dense::default();
            out.clear();
            for (start, c) in src.char_indices() {
                n.push_char(c, start, start + c.len_utf8(), &mut out);
            }
            out
        };
        let view = |d: &Dense| {
            d.chars()
                .iter()
                .map(|c| (c.c, c.start, c.end, c.clause, c.boundary_before, c.question_before))
                .collect::<Vec<_>>()
        };
        for src in [
            "一鿿䷀ꀀ㐀",
            "转入安全帳戶, 配合清查！安全账户？无",
            "ＡＱ 转账 88273。Safe Account",
            "安💰全\u{200b}账户 é ā",
            "",
            "x",
        ] {
            let mut fast = Dense::default();
            n.normalize_into(src, &mut fast);
            assert_eq!(view(&fast), view(&by_character(src)), "{src}");
        }
    }

    #[test]
    fn origin_maps_back_to_the_original_span() {
        let n = normalizer();
        let mut d = Dense::default();
        let src = "请转 安 全 帐 户!";
        n.normalize_into(src, &mut d);
        let at = d.text().find("安全账户").unwrap();
        let (first, last) = (d.char_index(at), d.char_index(at + "安全账户".len()));
        assert_eq!((first, last), (2, 6));
        let (s, e) = d.original_span(first, last).unwrap();
        assert_eq!(&src[s..e], "安 全 帐 户");
    }

    #[test]
    fn commas_break_clauses_but_dots_do_not() {
        let n = normalizer();
        let mut d = Dense::default();
        n.normalize_into("派来的人, 事后退还", &mut d);
        let at = d.text().find("人事").unwrap();
        let at = d.char_index(at);
        assert_ne!(d.clause(at), d.clause(at + 1));
        n.normalize_into("安.全.账.户", &mut d);
        assert_eq!(d.clause(0), d.clause(3));
    }

    #[test]
    fn a_question_mark_is_remembered_on_the_next_character() {
        let n = normalizer();
        let mut d = Dense::default();
        n.normalize_into("安全账户？ 无，公检法来电?无", &mut d);
        let marked: Vec<usize> = (0..d.chars().len()).filter(|&i| d.follows_question(i)).collect();
        // 无 after "？ " (index 4) and after "?" (index 10); not after "，".
        assert_eq!(marked, vec![4, 10]);
        n.normalize_into("无", &mut d);
        assert!(!d.follows_question(0));
    }

    #[test]
    fn word_boundaries_are_remembered() {
        let n = normalizer();
        let mut d = Dense::default();
        // Character index of `needle` in the dense text.
        let find = |d: &mut Dense, needle: &str| {
            let at = d.text().find(needle).unwrap();
            d.char_index(at)
        };
        n.normalize_into("unsafe account", &mut d);
        let at = find(&mut d, "safeaccount");
        assert!(!d.starts_word(at));
        n.normalize_into("a safe account", &mut d);
        let at = find(&mut d, "safeaccount");
        assert!(d.starts_word(at));
        assert!(d.ends_word(d.chars().len()));
        n.normalize_into("safe accounts", &mut d);
        assert!(!d.ends_word("safeaccount".len()));
        n.normalize_into("转入safe account。", &mut d);
        let at = find(&mut d, "safe");
        assert!(d.starts_word(at) && d.ends_word(d.chars().len()));
    }
}
