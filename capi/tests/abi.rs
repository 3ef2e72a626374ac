//! The C ABI called as C would call it: status codes, ownership of strings,
//! error records, and agreement with the Rust API.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "test code")]

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use tellerguard::{Engine, Lang};
use tellerguard_capi::*;

const SCAM: &str = r#"{"id": "C-1", "amount": "150000.00", "customer": {"age": 67},
    "payee": {"kind": "person", "first_time": true}, "purpose": "转到安全账户",
    "observations": ["on_phone"], "interview": {"contacted_by_official": true}}"#;

/// Assess through the C ABI; the status and the returned string.
fn assess(engine: *const TgEngine, json: &CStr, lang: i32) -> (i32, Option<String>) {
    let mut out: *mut c_char = ptr::null_mut();
    // SAFETY: a live engine (or null), a NUL-terminated string, a writable pointer.
    let status = unsafe { tg_assess_json(engine, json.as_ptr(), lang, &mut out) };
    if out.is_null() {
        return (status, None);
    }
    // SAFETY: a string from the library, freed once.
    let text = unsafe { CStr::from_ptr(out) }.to_str().map(str::to_owned).ok();
    unsafe { tg_string_free(out) };
    (status, text)
}

fn last_error() -> Option<String> {
    let p = tg_last_error();
    // SAFETY: the library's thread-local message, read before the next call.
    (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
}

fn cstr(s: &str) -> CString {
    CString::new(s).unwrap()
}

#[test]
fn assessment_matches_the_rust_api_byte_for_byte() {
    let engine = tg_engine_new_embedded();
    assert!(!engine.is_null(), "{:?}", last_error());
    let rust = Engine::embedded().unwrap();
    for (lang, c_lang) in [(Lang::Zh, TG_LANG_ZH), (Lang::En, TG_LANG_EN)] {
        let (status, text) = assess(engine, &cstr(SCAM), c_lang);
        assert_eq!(status, TG_OK);
        let mut expected = String::new();
        rust.assess_json(SCAM, lang).unwrap().write_json(&mut expected);
        assert_eq!(text.as_deref(), Some(expected.as_str()));
        assert!(expected.contains(r#""action":"stop""#), "{expected}");
    }
    assert_eq!(last_error(), None);
    unsafe { tg_engine_free(engine) };
}

#[test]
fn bad_input_is_an_escalate_record_naming_the_field() {
    let engine = tg_engine_new_embedded();
    let (status, text) =
        assess(engine, &cstr(r#"{"id": "C-2", "amount": "10", "interview": {"knows_paye": true}}"#), 0);
    assert_eq!(status, TG_INVALID_INPUT);
    let record: serde_json::Value = serde_json::from_str(&text.unwrap()).unwrap();
    assert_eq!(record["id"], "C-2");
    assert_eq!(record["action"], "escalate");
    assert!(record["error"].as_str().unwrap().contains("interview.knows_paye"), "{record}");

    let (status, text) = assess(engine, &cstr(r#"{"id": "C-3", "amount": "#), 0);
    assert_eq!(status, TG_INVALID_INPUT);
    let record: serde_json::Value = serde_json::from_str(&text.unwrap()).unwrap();
    assert_eq!((record["id"].as_str(), record["action"].as_str()), (Some("C-3"), Some("escalate")));

    let not_utf8 = CString::new(vec![b'{', 0xFF, b'}']).unwrap();
    let (status, text) = assess(engine, &not_utf8, 0);
    assert_eq!(status, TG_INVALID_INPUT);
    assert!(text.unwrap().contains("not valid UTF-8"));
    unsafe { tg_engine_free(engine) };
}

#[test]
fn null_pointers_and_unknown_languages_are_bad_arguments() {
    let engine = tg_engine_new_embedded();
    let json = cstr(SCAM);
    let mut out: *mut c_char = ptr::null_mut();

    let status = unsafe { tg_assess_json(ptr::null(), json.as_ptr(), 0, &mut out) };
    assert_eq!((status, out.is_null()), (TG_BAD_ARGUMENT, true));
    assert_eq!(last_error().as_deref(), Some("`engine` is null"));

    let status = unsafe { tg_assess_json(engine, ptr::null(), 0, &mut out) };
    assert_eq!((status, out.is_null()), (TG_BAD_ARGUMENT, true));
    assert_eq!(last_error().as_deref(), Some("`json` is null"));

    let status = unsafe { tg_assess_json(engine, json.as_ptr(), 0, ptr::null_mut()) };
    assert_eq!(status, TG_BAD_ARGUMENT);
    assert_eq!(last_error().as_deref(), Some("`out` is null"));

    let (status, text) = assess(engine, &json, 7);
    assert_eq!((status, text), (TG_BAD_ARGUMENT, None));
    assert!(last_error().unwrap().contains("got 7"));

    // A good call clears the message.
    assert_eq!(assess(engine, &json, 1).0, TG_OK);
    assert_eq!(last_error(), None);
    unsafe {
        tg_engine_free(engine);
        tg_engine_free(ptr::null_mut());
        tg_string_free(ptr::null_mut());
    }
}

#[test]
fn packs_load_from_a_folder_or_explain_why_not() {
    let rules = cstr(concat!(env!("CARGO_MANIFEST_DIR"), "/../rules"));
    let engine = unsafe { tg_engine_new_from_dir(rules.as_ptr()) };
    assert!(!engine.is_null(), "{:?}", last_error());
    let version = unsafe { CStr::from_ptr(tg_engine_rules_version(engine)) }.to_str().unwrap();
    assert_eq!(version, Engine::embedded().unwrap().version());
    unsafe { tg_engine_free(engine) };

    let missing = cstr("/no/such/rule/pack");
    let engine = unsafe { tg_engine_new_from_dir(missing.as_ptr()) };
    assert!(engine.is_null());
    assert!(last_error().unwrap().contains("/no/such/rule/pack"), "{:?}", last_error());

    assert!(unsafe { tg_engine_new_from_dir(ptr::null()) }.is_null());
    assert_eq!(last_error().as_deref(), Some("`dir` is null"));
    assert!(unsafe { tg_engine_rules_version(ptr::null()) }.is_null());
}

#[test]
fn version_is_the_crate_version() {
    let version = unsafe { CStr::from_ptr(tg_version()) }.to_str().unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
}

#[test]
fn one_engine_serves_many_threads() {
    struct Shared(*mut TgEngine);
    // SAFETY: the engine is immutable and `Sync`; the pointer is only read.
    unsafe impl Sync for Shared {}
    impl Shared {
        fn get(&self) -> *mut TgEngine {
            self.0
        }
    }
    let engine = Shared(tg_engine_new_embedded());
    let json = cstr(SCAM);
    let results: Vec<(i32, Option<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4).map(|_| scope.spawn(|| assess(engine.get(), &json, TG_LANG_ZH))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(results.iter().all(|r| r == &results[0] && r.0 == TG_OK));
    unsafe { tg_engine_free(engine.0) };
}
