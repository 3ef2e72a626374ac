//! Rule packs: where their files come from, and what the files look like.
//!
//! A pack is a folder with a `pack.toml` (name, version, level thresholds,
//! the counter-procedure policy and the normalization table) and one TOML
//! file per typology, plus any shared files; files are read in name order. The default pack in `rules/`
//! is embedded into the library at build time.

pub(crate) mod syntax;

use std::path::Path;

use crate::error::{Diagnostic, Error, ErrorKind};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_pack.rs"));
}

/// The name of the pack's main file.
pub const PACK_FILE: &str = "pack.toml";

/// The text of a rule pack's files, ready to compile.
///
/// ```
/// let pack = tellerguard::PackSource::embedded();
/// assert!(pack.file_names().any(|name| name == "safe_account.toml"));
/// ```
#[derive(Clone, Debug)]
pub struct PackSource {
    files: Vec<(String, String)>,
}

impl PackSource {
    /// The default pack embedded in the library.
    pub fn embedded() -> PackSource {
        PackSource::from_files(embedded::FILES.iter().map(|(n, t)| (n.to_string(), t.to_string())))
    }

    /// A pack from in-memory files: `(file name, text)`. One must be `pack.toml`.
    pub fn from_files<N: Into<String>, T: Into<String>>(files: impl IntoIterator<Item = (N, T)>) -> PackSource {
        PackSource { files: files.into_iter().map(|(n, t)| (n.into(), t.into())).collect() }
    }

    /// Read a pack folder: `pack.toml` and every `*.toml` file beside it.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<PackSource, Error> {
        let dir = dir.as_ref();
        let io_error = |what: &Path, e: std::io::Error| {
            Error::single(Diagnostic::new(ErrorKind::Io, format!("cannot read `{}`: {e}", what.display())))
        };
        let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, e))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_error(dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".toml") {
                names.push(name);
            }
        }
        names.sort();
        let mut files = Vec::with_capacity(names.len());
        for name in names {
            let path = dir.join(&name);
            let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
            files.push((name, text));
        }
        Ok(PackSource { files })
    }

    /// The names of the files, in the order given.
    pub fn file_names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(n, _)| n.as_str())
    }

    /// The text of a file, by name.
    pub fn file(&self, name: &str) -> Option<&str> {
        self.files.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str())
    }

    /// Replace or add a file (handy for testing a changed rule).
    pub fn set_file(&mut self, name: impl Into<String>, text: impl Into<String>) {
        let name = name.into();
        let text = text.into();
        match self.files.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = text,
            None => self.files.push((name, text)),
        }
    }

    /// A 64-bit FNV-1a hash of every file name and text, in name order.
    pub(crate) fn content_hash(&self) -> u64 {
        let mut sorted: Vec<&(String, String)> = self.files.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for (name, text) in sorted {
            for byte in name.bytes().chain([0]).chain(text.bytes()).chain([0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    }
}
