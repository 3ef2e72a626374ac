//! The C ABI of tellerguard: compile a rule pack once into an engine, then
//! assess operations given as the contract's JSON and get the contract's
//! JSON back.
//!
//! The declarations for C and C++ are in `include/tellerguard.h`;
//! `examples/assess.c` is a complete program. The rules of the road:
//!
//! * An engine is immutable once built and may be shared by any number of
//!   threads; free it once, with [`tg_engine_free`], after the last call.
//! * Every string handed out is NUL-terminated UTF-8, allocated here, and
//!   freed with [`tg_string_free`].
//! * An operation that cannot be assessed never comes back as safe to
//!   proceed: its result is the contract's error record with action
//!   `escalate`, exactly as the command-line tool writes it (without the
//!   line number).
//! * Nothing unwinds into C: a Rust panic (a bug, never expected) becomes the
//!   status [`TG_INTERNAL_ERROR`] with an `escalate` record.
//!
//! ```
//! use std::ffi::{CStr, CString};
//! use std::ptr;
//! use tellerguard_capi::*;
//!
//! let engine = tg_engine_new_embedded();
//! assert!(!engine.is_null());
//! let json = CString::new(r#"{"id": "T-1", "amount": "800.00", "purpose": "房租"}"#).unwrap();
//! let mut out = ptr::null_mut();
//! let status = unsafe { tg_assess_json(engine, json.as_ptr(), TG_LANG_ZH, &mut out) };
//! assert_eq!(status, TG_OK);
//! let result = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
//! assert!(result.contains(r#""action":"proceed""#));
//! unsafe {
//!     tg_string_free(out);
//!     tg_engine_free(engine);
//! }
//! ```

use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::ptr;

use tellerguard::{Action, Engine, Lang, Operation, PackSource};

/// The operation was assessed; the result is the contract's assessment.
pub const TG_OK: c_int = 0;
/// The operation could not be read (bad JSON, an unknown field, a value out
/// of range); the result is an error record with action `escalate`.
pub const TG_INVALID_INPUT: c_int = 1;
/// A null engine, input or result pointer, or an unknown language; there is
/// no result, and [`tg_last_error`] says which argument.
pub const TG_BAD_ARGUMENT: c_int = 2;
/// An internal error (a bug); the result is an error record with action
/// `escalate`.
pub const TG_INTERNAL_ERROR: c_int = 3;

/// Warnings in Chinese.
pub const TG_LANG_ZH: c_int = 0;
/// Warnings in English.
pub const TG_LANG_EN: c_int = 1;

/// A compiled rule pack, opaque to C.
pub struct TgEngine {
    engine: Engine,
    rules_version: CString,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

fn set_last_error(message: &str) {
    // A message never contains NUL in practice; if it does, it is cut there.
    let text = message.split('\0').next().unwrap_or_default();
    let stored = CString::new(text).ok();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = stored);
}

fn clear_last_error() {
    LAST_ERROR.with(|slot| *slot.borrow_mut() = None);
}

fn into_c_string(text: String) -> *mut c_char {
    // JSON output escapes control characters, so it holds no NUL byte.
    match CString::new(text) {
        Ok(s) => s.into_raw(),
        Err(_) => ptr::null_mut(),
    }
}

/// A new engine for C, or null with the reason in [`tg_last_error`].
fn engine_or_null(built: std::thread::Result<Result<Engine, tellerguard::Error>>) -> *mut TgEngine {
    match built {
        Ok(Ok(engine)) => {
            clear_last_error();
            let rules_version = CString::new(engine.version()).unwrap_or_default();
            Box::into_raw(Box::new(TgEngine { engine, rules_version }))
        }
        Ok(Err(error)) => {
            set_last_error(&error.to_string());
            ptr::null_mut()
        }
        Err(_) => {
            set_last_error("internal error while compiling the rule pack");
            ptr::null_mut()
        }
    }
}

/// Compile the default rule pack embedded in the library.
///
/// Returns a new engine, or null on failure, with the reason in
/// [`tg_last_error`]. Free it with [`tg_engine_free`].
#[no_mangle]
pub extern "C" fn tg_engine_new_embedded() -> *mut TgEngine {
    engine_or_null(catch_unwind(Engine::embedded))
}

/// Compile the rule pack in folder `dir` (a NUL-terminated UTF-8 path).
///
/// Returns a new engine, or null when the folder cannot be read or the pack
/// has errors; [`tg_last_error`] then lists every problem with its file,
/// line and column.
///
/// # Safety
///
/// `dir` must be null or point to a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn tg_engine_new_from_dir(dir: *const c_char) -> *mut TgEngine {
    if dir.is_null() {
        set_last_error("`dir` is null");
        return ptr::null_mut();
    }
    // SAFETY: the caller promises a NUL-terminated string.
    let Ok(dir) = unsafe { CStr::from_ptr(dir) }.to_str() else {
        set_last_error("`dir` is not valid UTF-8");
        return ptr::null_mut();
    };
    engine_or_null(catch_unwind(|| PackSource::from_dir(Path::new(dir)).and_then(|source| Engine::new(&source))))
}

/// Free an engine. Null is ignored.
///
/// # Safety
///
/// `engine` must be null or come from a `tg_engine_new_*` function, be freed
/// only once, and not be in use by another thread.
#[no_mangle]
pub unsafe extern "C" fn tg_engine_free(engine: *mut TgEngine) {
    if !engine.is_null() {
        // SAFETY: the caller hands back ownership of a pointer from `engine_or_null`.
        drop(unsafe { Box::from_raw(engine) });
    }
}

/// The compiled pack's version, such as `tellerguard-default@2026.11.0+5650fdf9d30eb4a7`.
///
/// The string belongs to the engine and lives as long as it; do not free
/// it. Null for a null engine.
///
/// # Safety
///
/// `engine` must be null or a live engine.
#[no_mangle]
pub unsafe extern "C" fn tg_engine_rules_version(engine: *const TgEngine) -> *const c_char {
    // SAFETY: the caller promises a live engine or null.
    match unsafe { engine.as_ref() } {
        Some(engine) => engine.rules_version.as_ptr(),
        None => ptr::null(),
    }
}

/// Assess one operation, given as the contract's JSON (NUL-terminated
/// UTF-8), with warnings in `lang` ([`TG_LANG_ZH`] or [`TG_LANG_EN`]).
///
/// On [`TG_OK`], `*out` is the assessment as the contract's JSON. On
/// [`TG_INVALID_INPUT`] and [`TG_INTERNAL_ERROR`], `*out` is an error
/// record `{"id"?, "error", "action": "escalate"}` naming the bad field: the
/// operation must not proceed unreviewed. Either way free `*out` with
/// [`tg_string_free`]. On [`TG_BAD_ARGUMENT`], `*out` is set to null (when
/// `out` itself is not null) and [`tg_last_error`] names the argument.
///
/// # Safety
///
/// `engine` must be null or a live engine; `json` must be null or point to
/// a NUL-terminated string; `out` must be null or point to writable memory
/// for one pointer.
#[no_mangle]
pub unsafe extern "C" fn tg_assess_json(
    engine: *const TgEngine,
    json: *const c_char,
    lang: c_int,
    out: *mut *mut c_char,
) -> c_int {
    // SAFETY: the caller promises `out` is null or writable.
    let Some(out) = (unsafe { out.as_mut() }) else {
        set_last_error("`out` is null");
        return TG_BAD_ARGUMENT;
    };
    *out = ptr::null_mut();
    // SAFETY: the caller promises a live engine or null.
    let Some(engine) = (unsafe { engine.as_ref() }) else {
        set_last_error("`engine` is null");
        return TG_BAD_ARGUMENT;
    };
    if json.is_null() {
        set_last_error("`json` is null");
        return TG_BAD_ARGUMENT;
    }
    let lang = match lang {
        TG_LANG_ZH => Lang::Zh,
        TG_LANG_EN => Lang::En,
        other => {
            set_last_error(&format!("`lang` must be TG_LANG_ZH (0) or TG_LANG_EN (1), got {other}"));
            return TG_BAD_ARGUMENT;
        }
    };
    // SAFETY: the caller promises a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(json) }.to_bytes();
    clear_last_error();
    let (status, text) = match catch_unwind(AssertUnwindSafe(|| assess(&engine.engine, bytes, lang))) {
        Ok(result) => result,
        Err(_) => {
            (TG_INTERNAL_ERROR, error_record(Operation::id_hint(&String::from_utf8_lossy(bytes)), "internal error"))
        }
    };
    *out = into_c_string(text);
    status
}

/// The assessment, or the error record, for one JSON operation.
fn assess(engine: &Engine, bytes: &[u8], lang: Lang) -> (c_int, String) {
    let Ok(json) = std::str::from_utf8(bytes) else {
        let id = Operation::id_hint(&String::from_utf8_lossy(bytes));
        return (TG_INVALID_INPUT, error_record(id, "the operation is not valid UTF-8"));
    };
    match engine.assess_json(json, lang) {
        Ok(assessment) => {
            let mut text = String::with_capacity(1024);
            assessment.write_json(&mut text);
            (TG_OK, text)
        }
        Err(error) => (TG_INVALID_INPUT, error_record(Operation::id_hint(json), &error.to_string())),
    }
}

/// The contract's record for an operation that cannot be assessed.
fn error_record(id: Option<String>, error: &str) -> String {
    let mut record = serde_json::Map::new();
    if let Some(id) = id {
        record.insert("id".into(), id.into());
    }
    record.insert("error".into(), error.into());
    record.insert("action".into(), Action::Escalate.as_str().into());
    serde_json::Value::Object(record).to_string()
}

/// Free a string returned by [`tg_assess_json`]. Null is ignored.
///
/// # Safety
///
/// `s` must be null or a string from this library, freed only once.
#[no_mangle]
pub unsafe extern "C" fn tg_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: the caller hands back ownership of a string from `into_c_string`.
        drop(unsafe { CString::from_raw(s) });
    }
}

/// Why the last call on this thread failed (a null engine, a bad
/// argument), or null when it succeeded. The string stays valid until the
/// next call into this library on the same thread; do not free it.
#[no_mangle]
pub extern "C" fn tg_last_error() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().as_ref().map_or(ptr::null(), |s| s.as_ptr()))
}

/// The library's version, such as `0.1.0`. Static; do not free it.
#[no_mangle]
pub extern "C" fn tg_version() -> *const c_char {
    static VERSION: &CStr = match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => c"unknown",
    };
    VERSION.as_ptr()
}
