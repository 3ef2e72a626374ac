//! A character-level Aho-Corasick automaton over the pack's dense phrases.
//!
//! Phrases are mostly Chinese, three UTF-8 bytes a character, and the texts
//! scanned are short (a purpose, a remark, a payee name). A byte automaton
//! takes three steps a character and, with thousands of phrases, a sparse
//! transition search at each; this one takes one step a character:
//!
//! * every character of some phrase gets a *symbol* (`1..`); every other
//!   character is symbol `0`, which no phrase contains, so it sends the
//!   search back to the root in one step;
//! * the root's transitions are a dense table indexed by symbol; every other
//!   state keeps its few transitions sorted by symbol;
//! * each state lists every phrase that ends there (its own, then those of
//!   its failure chain, longest first), so overlapping matches are reported
//!   without walking the chain at search time.
//!
//! Matches come out in order of their end, and for one end longest first:
//! the order of a standard overlapping Aho-Corasick search.

/// The CJK Unified Ideographs block, where nearly all phrase characters are.
const CJK_FIRST: u32 = 0x4E00;
const CJK_LAST: u32 = 0x9FFF;
const ROOT: u32 = 0;

/// Character → symbol.
#[derive(Clone, Debug)]
struct Alphabet {
    ascii: [u16; 128],
    /// Indexed by `c - CJK_FIRST`; empty when no phrase has an ideograph.
    cjk: Vec<u16>,
    /// Other characters, sorted.
    other: Vec<(char, u16)>,
    len: usize,
}

impl Alphabet {
    fn new() -> Alphabet {
        Alphabet { ascii: [0; 128], cjk: Vec::new(), other: Vec::new(), len: 1 }
    }

    #[inline]
    fn symbol(&self, c: char) -> u16 {
        let code = c as u32;
        if code < 128 {
            self.ascii.get(code as usize).copied().unwrap_or(0)
        } else if (CJK_FIRST..=CJK_LAST).contains(&code) {
            self.cjk.get((code - CJK_FIRST) as usize).copied().unwrap_or(0)
        } else {
            self.other.binary_search_by_key(&c, |&(k, _)| k).ok().and_then(|i| self.other.get(i)).map_or(0, |&(_, s)| s)
        }
    }

    /// The symbol of `c`, assigning the next one if it has none yet.
    fn intern(&mut self, c: char) -> Result<u16, TooManySymbols> {
        let existing = self.symbol(c);
        if existing != 0 {
            return Ok(existing);
        }
        let next = u16::try_from(self.len).map_err(|_| TooManySymbols)?;
        let code = c as u32;
        if code < 128 {
            if let Some(slot) = self.ascii.get_mut(code as usize) {
                *slot = next;
            }
        } else if (CJK_FIRST..=CJK_LAST).contains(&code) {
            if self.cjk.is_empty() {
                self.cjk = vec![0; (CJK_LAST - CJK_FIRST + 1) as usize];
            }
            if let Some(slot) = self.cjk.get_mut((code - CJK_FIRST) as usize) {
                *slot = next;
            }
        } else {
            let at = self.other.partition_point(|&(k, _)| k < c);
            self.other.insert(at, (c, next));
        }
        self.len += 1;
        Ok(next)
    }

    fn heap_bytes(&self) -> usize {
        2 * self.cjk.capacity() + 8 * self.other.capacity()
    }
}

/// The phrases use more distinct characters than symbols fit in 16 bits.
#[derive(Debug)]
pub(crate) struct TooManySymbols;

/// What the search needs of one state, in one record so that a step reads
/// one place: its transitions `edge_symbol[edges..edges + edge_count]` (same
/// indexes in `edge_target`), sorted by symbol (none for the root, which
/// uses the dense `root` table), its failure state, and the phrases ending
/// there, `outputs[outputs_at..outputs_at + output_count]`.
#[derive(Clone, Copy, Debug, Default)]
struct State {
    edges: u32,
    edge_count: u32,
    fail: u32,
    outputs_at: u32,
    output_count: u32,
}

/// No phrase ends at this trie state.
const NO_PHRASE: u32 = u32::MAX;

/// One trie state: its children are a list kept sorted by symbol (most
/// states have one child or none).
#[derive(Clone, Copy)]
struct Node {
    first_child: u32,
    next_sibling: u32,
    /// The phrase ending here, or `NO_PHRASE`.
    own: u32,
    symbol: u16,
}

impl Node {
    fn new(symbol: u16, next_sibling: u32) -> Node {
        Node { first_child: ROOT, next_sibling, own: NO_PHRASE, symbol }
    }
}

/// The phrases' trie, states numbered as they are created; the root's
/// children are also in a dense table by symbol.
struct Trie {
    alphabet: Alphabet,
    root: Vec<u32>,
    nodes: Vec<Node>,
    /// Each phrase's length in characters.
    phrase_chars: Vec<u32>,
}

impl Trie {
    fn new(phrases: &[&str]) -> Result<Trie, TooManySymbols> {
        // Room for a state per character when most are ideographs (three
        // bytes each); more only grows the vector once or twice.
        let mut nodes = Vec::with_capacity(1 + phrases.iter().map(|p| p.len()).sum::<usize>() / 3);
        nodes.push(Node::new(0, ROOT));
        let mut trie = Trie {
            alphabet: Alphabet::new(),
            root: vec![ROOT],
            nodes,
            phrase_chars: Vec::with_capacity(phrases.len()),
        };
        for (index, phrase) in phrases.iter().enumerate() {
            let mut state = ROOT;
            let mut chars = 0u32;
            for c in phrase.chars() {
                let symbol = trie.alphabet.intern(c)?;
                state = trie.child(state, symbol);
                chars += 1;
            }
            if let Some(node) = trie.nodes.get_mut(state as usize).filter(|n| n.own == NO_PHRASE) {
                node.own = index as u32;
            }
            trie.phrase_chars.push(chars);
        }
        trie.root.resize(trie.alphabet.len, ROOT);
        Ok(trie)
    }

    /// The child of `state` on `symbol`, created if it is new.
    fn child(&mut self, state: u32, symbol: u16) -> u32 {
        let new = self.nodes.len() as u32;
        if state == ROOT {
            let at = usize::from(symbol);
            if self.root.len() <= at {
                self.root.resize(at + 1, ROOT);
            }
            match self.root.get_mut(at) {
                Some(slot) if *slot != ROOT => return *slot,
                Some(slot) => *slot = new,
                None => return ROOT,
            }
            self.nodes.push(Node::new(symbol, ROOT));
            return new;
        }
        // Walk the sorted list to the child, or to where it belongs.
        let mut before = ROOT;
        let mut next = self.nodes.get(state as usize).map_or(ROOT, |n| n.first_child);
        while let Some(node) = self.nodes.get(next as usize).filter(|_| next != ROOT) {
            match node.symbol.cmp(&symbol) {
                std::cmp::Ordering::Less => {
                    before = next;
                    next = node.next_sibling;
                }
                std::cmp::Ordering::Equal => return next,
                std::cmp::Ordering::Greater => break,
            }
        }
        self.nodes.push(Node::new(symbol, next));
        let link = if before == ROOT {
            self.nodes.get_mut(state as usize).map(|n| &mut n.first_child)
        } else {
            self.nodes.get_mut(before as usize).map(|n| &mut n.next_sibling)
        };
        if let Some(link) = link {
            *link = new;
        }
        new
    }
}

/// The compiled automaton.
#[derive(Clone, Debug)]
pub(crate) struct PhraseAutomaton {
    alphabet: Alphabet,
    /// The root's transition for each symbol (`ROOT` when none).
    root: Vec<u32>,
    states: Vec<State>,
    edge_symbol: Vec<u16>,
    edge_target: Vec<u32>,
    outputs: Vec<u32>,
    /// Each phrase's length in characters.
    phrase_chars: Vec<u32>,
}

impl PhraseAutomaton {
    /// Build the automaton of `phrases` (distinct, non-empty dense strings);
    /// a match reports a phrase by its index in `phrases`.
    pub(crate) fn new(phrases: &[&str]) -> Result<PhraseAutomaton, TooManySymbols> {
        let trie = Trie::new(phrases)?;
        let states = trie.nodes.len();
        let mut automaton = PhraseAutomaton {
            alphabet: trie.alphabet,
            root: trie.root,
            states: vec![State::default(); states],
            edge_symbol: Vec::with_capacity(states),
            edge_target: Vec::with_capacity(states),
            outputs: Vec::new(),
            phrase_chars: trie.phrase_chars,
        };

        // Breadth first: a state's failure target is shallower, so its
        // transitions and outputs are in place when they are needed. Each
        // state's transitions are written as it is reached, in symbol order,
        // so the queue is the root's children and then the transition
        // targets in the order written.
        let first: Vec<u32> = automaton.root.iter().copied().filter(|&t| t != ROOT).collect();
        let mut head = 0usize;
        loop {
            let next = match head.checked_sub(first.len()) {
                None => first.get(head),
                Some(at) => automaton.edge_target.get(at),
            };
            let Some(&state) = next else { break };
            head += 1;
            let Some(mut record) = automaton.states.get(state as usize).copied() else { continue };
            // This state's own phrase, then its failure state's list.
            record.outputs_at = automaton.outputs.len() as u32;
            let node = trie.nodes.get(state as usize).copied().unwrap_or(Node::new(0, ROOT));
            if node.own != NO_PHRASE {
                automaton.outputs.push(node.own);
            }
            let fail = automaton.states.get(record.fail as usize).copied().unwrap_or_default();
            if fail.output_count != 0 {
                let inherited = fail.outputs_at as usize..(fail.outputs_at + fail.output_count) as usize;
                automaton.outputs.extend_from_within(inherited);
            }
            record.output_count = automaton.outputs.len() as u32 - record.outputs_at;
            record.edges = automaton.edge_symbol.len() as u32;
            let mut child = node.first_child;
            while let Some(&Node { symbol, next_sibling, .. }) =
                trie.nodes.get(child as usize).filter(|_| child != ROOT)
            {
                let child_fail = automaton.step(record.fail, symbol);
                if let Some(slot) = automaton.states.get_mut(child as usize) {
                    slot.fail = child_fail;
                }
                automaton.edge_symbol.push(symbol);
                automaton.edge_target.push(child);
                child = next_sibling;
            }
            record.edge_count = automaton.edge_symbol.len() as u32 - record.edges;
            if let Some(slot) = automaton.states.get_mut(state as usize) {
                *slot = record;
            }
        }
        Ok(automaton)
    }

    /// The transition of a state other than the root on `symbol`, if it has one.
    #[inline]
    fn goto(&self, state: &State, symbol: u16) -> Option<u32> {
        let first = state.edges as usize;
        let symbols = self.edge_symbol.get(first..first + state.edge_count as usize)?;
        let at = if symbols.len() <= 8 {
            symbols.iter().position(|&s| s == symbol)?
        } else {
            symbols.binary_search(&symbol).ok()?
        };
        self.edge_target.get(first + at).copied()
    }

    /// The state after reading `symbol` in `state`, following failure links.
    #[inline]
    fn step(&self, mut state: u32, symbol: u16) -> u32 {
        if symbol == 0 {
            return ROOT;
        }
        loop {
            if state == ROOT {
                return self.root.get(usize::from(symbol)).copied().unwrap_or(ROOT);
            }
            let Some(record) = self.states.get(state as usize) else { return ROOT };
            if let Some(next) = self.goto(record, symbol) {
                return next;
            }
            state = record.fail;
        }
    }

    /// Call `found(phrase, start, end)` for every occurrence of every phrase
    /// in `text`, overlapping ones included; `start..end` are character
    /// indexes into `text`.
    #[inline]
    pub(crate) fn for_each_match(&self, text: impl Iterator<Item = char>, mut found: impl FnMut(u32, usize, usize)) {
        let mut state = ROOT;
        for (index, c) in text.enumerate() {
            state = self.step(state, self.alphabet.symbol(c));
            if state == ROOT {
                continue;
            }
            let Some(record) = self.states.get(state as usize) else { continue };
            if record.output_count == 0 {
                continue;
            }
            let (start, len) = (record.outputs_at as usize, record.output_count as usize);
            for &phrase in self.outputs.get(start..start + len).unwrap_or(&[]) {
                let chars = self.phrase_chars.get(phrase as usize).copied().unwrap_or(0) as usize;
                found(phrase, (index + 1).saturating_sub(chars), index + 1);
            }
        }
    }

    /// The heap bytes the automaton holds.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.alphabet.heap_bytes()
            + std::mem::size_of::<State>() * self.states.capacity()
            + 4 * (self.root.capacity()
                + self.edge_target.capacity()
                + self.outputs.capacity()
                + self.phrase_chars.capacity())
            + 2 * self.edge_symbol.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(phrases: &[&str], text: &str) -> Vec<(String, usize, usize)> {
        let automaton = PhraseAutomaton::new(phrases).unwrap();
        let mut out = Vec::new();
        automaton.for_each_match(text.chars(), |p, s, e| out.push((phrases[p as usize].to_string(), s, e)));
        out
    }

    /// Every occurrence, by brute force, in the automaton's order.
    fn brute_force(phrases: &[&str], text: &str) -> Vec<(String, usize, usize)> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        for end in 1..=chars.len() {
            let mut here: Vec<(String, usize, usize)> = Vec::new();
            for p in phrases {
                let n = p.chars().count();
                if n <= end && chars[end - n..end].iter().copied().eq(p.chars()) {
                    here.push((p.to_string(), end - n, end));
                }
            }
            here.sort_by_key(|(_, start, _)| *start);
            out.extend(here);
        }
        out
    }

    #[test]
    fn finds_overlapping_matches_longest_first_at_each_end() {
        let phrases = ["安全账户", "账户", "全账", "转入安全账户", "he", "she", "hers"];
        for text in ["请转入安全账户", "安全账户安全账户", "ushers", "账户全账户", "", "无关文字"]
        {
            assert_eq!(matches(&phrases, text), brute_force(&phrases, text), "{text}");
        }
        assert_eq!(
            matches(&phrases, "转入安全账户"),
            vec![
                ("全账".to_string(), 3, 5),
                ("转入安全账户".to_string(), 0, 6),
                ("安全账户".to_string(), 2, 6),
                ("账户".to_string(), 4, 6)
            ]
        );
    }

    #[test]
    fn characters_outside_every_phrase_reset_the_search() {
        let phrases = ["ab", "bc", "é"];
        assert_eq!(matches(&phrases, "axbc"), vec![("bc".to_string(), 2, 4)]);
        assert_eq!(matches(&phrases, "éab"), vec![("é".to_string(), 0, 1), ("ab".to_string(), 1, 3)]);
    }

    #[test]
    fn agrees_with_brute_force_on_generated_texts() {
        let phrases = ["aab", "ab", "b", "bab", "abba", "baa", "甲乙", "乙甲乙", "甲"];
        let alphabet = ['a', 'b', 'c', '甲', '乙'];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..2_000 {
            let mut text = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for k in 0..(x % 12) {
                text.push(alphabet[((x >> (4 * k + 8)) % alphabet.len() as u64) as usize]);
            }
            assert_eq!(matches(&phrases, &text), brute_force(&phrases, &text), "{text}");
        }
    }

    /// A state with more children than the linear search covers is
    /// searched by bisection, so its children must be in symbol order
    /// however the phrases came.
    #[test]
    fn many_children_inserted_out_of_order_are_all_found() {
        let seconds: Vec<char> = "零一二三四五六七八九十百千万亿兆".chars().collect();
        let mut phrases: Vec<String> = seconds.iter().rev().map(|c| format!("转{c}")).collect();
        phrases.extend(seconds.iter().step_by(3).map(|c| format!("入转{c}")));
        let phrases: Vec<&str> = phrases.iter().map(String::as_str).collect();
        for text in ["转零转兆", "入转三转九", "转转万转", "入转十"] {
            assert_eq!(matches(&phrases, text), brute_force(&phrases, text), "{text}");
        }
        let all: String = seconds.iter().map(|c| format!("转{c}")).collect();
        assert_eq!(matches(&phrases, &all).len(), seconds.len());
    }
}
