//! Many short strings kept end to end in one buffer: a pack's nine thousand
//! phrases without an allocation each, both as read from the rule files and
//! in their dense form.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

/// Strings kept end to end in one buffer.
///
/// It reads from a TOML array of strings, appending each as it is read.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct PhrasePool {
    text: String,
    /// Where each string ends in `text`.
    ends: Vec<usize>,
}

impl PhrasePool {
    /// A pool with room for `strings` strings of `bytes` bytes in all.
    pub(crate) fn with_capacity(strings: usize, bytes: usize) -> PhrasePool {
        PhrasePool { text: String::with_capacity(bytes), ends: Vec::with_capacity(strings) }
    }

    /// The `i`-th string.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        let start = if i == 0 { 0 } else { *self.ends.get(i - 1)? };
        self.text.get(start..*self.ends.get(i)?)
    }

    pub(crate) fn push(&mut self, phrase: &str) {
        self.text.push_str(phrase);
        self.ends.push(self.text.len());
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Every string, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(self.ends.iter().copied()).filter_map(|(start, end)| self.text.get(start..end))
    }

    pub(crate) fn all(&self) -> Vec<&str> {
        self.iter().collect()
    }
}

impl fmt::Debug for PhrasePool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'de> Deserialize<'de> for PhrasePool {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PhrasePool, D::Error> {
        deserializer.deserialize_seq(PoolVisitor)
    }
}

struct PoolVisitor;

impl<'de> Visitor<'de> for PoolVisitor {
    type Value = PhrasePool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PhrasePool, A::Error> {
        let mut pool = PhrasePool::with_capacity(seq.size_hint().unwrap_or(0), 0);
        while seq.next_element_seed(AppendTo(&mut pool))?.is_some() {}
        Ok(pool)
    }
}

/// Reads one string onto the end of a pool.
struct AppendTo<'a>(&'a mut PhrasePool);

impl<'de> DeserializeSeed<'de> for AppendTo<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for AppendTo<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, phrase: &str) -> Result<(), E> {
        self.0.push(phrase);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Sets {
        set: PhrasePool,
    }

    #[test]
    fn reads_a_toml_array_into_one_buffer() {
        let sets: Sets = toml::from_str("set = [\"安全账户\", 'a\\b', \"\", \"转\\u8D26\"]").unwrap();
        assert_eq!(sets.set.all(), ["安全账户", "a\\b", "", "转账"]);
        assert_eq!(sets.set.len(), 4);
        assert_eq!(sets.set.get(3), Some("转账"));
        assert_eq!(sets.set.get(4), None);
        assert_eq!(format!("{:?}", sets.set), r#"["安全账户", "a\\b", "", "转账"]"#);
        let error = toml::from_str::<Sets>("set = [\"a\", 3]").err().unwrap();
        assert!(error.message().contains("expected a string"), "{error}");
        assert!(toml::from_str::<Sets>("set = []").unwrap().set.is_empty());
    }
}
