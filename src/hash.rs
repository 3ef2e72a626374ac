//! Fast 64-bit hashing of trusted text: the pack's content fingerprint and
//! the phrase table's keys. Eight bytes are mixed per step, which matters
//! for half a megabyte of rule files and nine thousand phrases; neither use
//! needs resistance to deliberate collisions.

/// FxHash's step: rotate, xor in one word, multiply.
fn mix(hash: u64, word: u64) -> u64 {
    (hash.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// `bytes` mixed into `hash` eight at a time, then their length, so that
/// where one string ends and the next begins counts.
pub(crate) fn mix_bytes(mut hash: u64, bytes: &[u8]) -> u64 {
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        hash = mix(hash, <[u8; 8]>::try_from(word).map_or(0, u64::from_le_bytes));
    }
    let rest = words.remainder();
    let mut last = [0u8; 8];
    if let Some(head) = last.get_mut(..rest.len()) {
        head.copy_from_slice(rest);
    }
    hash = mix(hash, u64::from_le_bytes(last));
    mix(hash, bytes.len() as u64)
}

/// MurmurHash3's finalizer: every input bit reaches every output bit.
pub(crate) fn finish(mut hash: u64) -> u64 {
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

/// The hash of one string of bytes.
pub(crate) fn of(bytes: &[u8]) -> u64 {
    finish(mix_bytes(0, bytes))
}
