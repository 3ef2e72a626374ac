//! A broken pack fails to load with every problem named by file, line and
//! column.

use tellerguard::{Engine, ErrorKind, PackSource};

const PACK: &str = r#"
[pack]
name = "t"
version = "1"
[levels]
low = 1
medium = 30
high = 60
critical = 90
[level_actions]
low = "ask"
medium = "confirm"
high = "escalate"
critical = "stop"
[procedure.messages]
ask = { zh = "问", en = "ask" }
confirm = { zh = "签", en = "sign" }
escalate = { zh = "报", en = "report" }
stop = { zh = "停", en = "stop" }
"#;

const GOOD: &str = r#"[typology]
id = "safe_account"
name = { zh = "安全账户", en = "safe account" }

[phrases]
demand = ["安全账户"]

[patterns.card]
regex = '卡号\d{6}'
requires = ["卡号"]

[warnings.W_X]
zh = "警告"
en = "warning"

[[rule]]
id = "sa.demand"
weight = 90
when = "text ~ demand"
warning = "W_X"
"#;

fn pack_with(file: &str) -> PackSource {
    PackSource::from_files([("pack.toml", PACK), ("x.toml", file)])
}

fn load_error(file: &str) -> tellerguard::Error {
    Engine::new(&pack_with(file)).unwrap_err()
}

/// The error building the tests of a pack whose engine alone compiles: the
/// engine skips the cases at the end of a file, as they do not change its
/// decisions.
fn tests_error(file: &str) -> tellerguard::Error {
    let pack = pack_with(file);
    assert_eq!(Engine::new(&pack).unwrap().rule_count(), 1);
    tellerguard::EngineBuilder::new().build_with_tests(&pack).unwrap_err()
}

#[test]
fn the_minimal_pack_loads() {
    let engine = Engine::new(&pack_with(GOOD)).unwrap();
    assert_eq!(engine.rule_count(), 1);
    assert_eq!(engine.rule_location("sa.demand").unwrap().to_string(), "x.toml:17:6");
}

#[test]
fn unknown_field_in_a_condition() {
    let e = load_error(&GOOD.replace("text ~ demand", "text ~ demand and customer.agee >= 60"));
    assert_eq!(e.kind(), ErrorKind::Unknown);
    let loc = e.location().unwrap();
    assert_eq!((loc.file.as_str(), loc.line, loc.column), ("x.toml", 19, 27));
    let shown = e.to_string();
    assert!(shown.starts_with("x.toml:19:27: unknown field `customer.agee` (did you mean `customer.age`?)"), "{shown}");
    assert!(shown.contains("when = \"text ~ demand and customer.agee >= 60\""), "{shown}");
}

#[test]
fn unknown_phrase_set() {
    let e = load_error(&GOOD.replace("text ~ demand", "text ~ demandz"));
    assert_eq!(e.kind(), ErrorKind::Unknown);
    assert!(e.to_string().starts_with("x.toml:19:16: unknown phrase set `demandz`"), "{e}");
}

#[test]
fn bad_regex() {
    let e = load_error(&GOOD.replace(r"卡号\d{6}", r"卡号\d{6"));
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert!(e.to_string().starts_with("x.toml:9:10: bad regex in `card`"), "{e}");
}

#[test]
fn phrase_length_is_counted_in_characters() {
    // 100 ideographs (300 bytes) are within the limit of 100 characters.
    let longest = "账".repeat(100);
    let pack = pack_with(&GOOD.replace(r#"demand = ["安全账户"]"#, &format!(r#"demand = ["安全账户", "{longest}"]"#)));
    assert!(Engine::new(&pack).is_ok());
    let e = load_error(&GOOD.replace(r#"demand = ["安全账户"]"#, &format!(r#"demand = ["安全账户", "{longest}户"]"#)));
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert!(e.to_string().starts_with("x.toml:6:20: phrase is longer than 100 characters"), "{e}");
}

#[test]
fn regex_over_the_size_limit() {
    let source = pack_with(GOOD);
    let e = Engine::builder().regex_size_limit(64).build(&source).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
    let shown = e.to_string();
    assert!(
        shown.starts_with("x.toml:9:10: bad regex in `card`: compiled size exceeds the limit of 64 bytes"),
        "{shown}"
    );
    // The default limit takes it.
    assert!(Engine::new(&source).is_ok());
}

#[test]
fn duplicate_rule_id_points_at_both() {
    let twice = format!("{GOOD}\n[[rule]]\nid = \"sa.demand\"\nweight = 10\nwhen = \"amount > 1\"\n");
    let e = load_error(&twice);
    assert_eq!(e.kind(), ErrorKind::Duplicate);
    assert!(
        e.to_string().starts_with("x.toml:23:6: duplicate rule id `sa.demand`, first defined at x.toml:17:6"),
        "{e}"
    );
}

#[test]
fn weight_out_of_range_and_unknown_typology_and_question() {
    let bad = GOOD.replace("weight = 90", "weight = 150");
    assert!(load_error(&bad).to_string().starts_with("x.toml:18:10: weight of `sa.demand` must be 1 to 100, got 150"));
    let common = "[[rule]]\nid = \"g.x\"\nweight = 5\nwhen = \"amount > 1\"\ntypology = \"tax_refnd\"\nask = [\"knows_payer\"]\nwarning = \"W_G\"\n[warnings.W_G]\nzh = \"警告\"\nen = \"\"\n";
    let e = Engine::new(&PackSource::from_files([("pack.toml", PACK), ("common.toml", common)])).unwrap_err();
    let shown = e.to_string();
    assert!(shown.contains("common.toml:5:12: unknown typology id `tax_refnd`"), "{shown}");
    assert!(shown.contains("common.toml:6:8: unknown question `knows_payer`"), "{shown}");
    assert!(shown.contains("common.toml:8:1: warning `W_G` needs both a `zh` and an `en` text"), "{shown}");
    assert_eq!(e.diagnostics().len(), 3);
}

#[test]
fn every_rule_needs_a_warning() {
    let e = load_error(&GOOD.replace("warning = \"W_X\"\n", ""));
    assert!(e.to_string().starts_with("x.toml:17:6: rule `sa.demand` has no `warning`"), "{e}");
}

#[test]
fn warnings_must_be_in_both_languages() {
    let e = load_error(&GOOD.replace("en = \"warning\"", "en = \"请停止\""));
    assert!(e.to_string().contains("warning `W_X`: `zh` must be Chinese and `en` must not contain Chinese"), "{e}");
}

#[test]
fn unknown_keys_in_rule_files_are_rejected() {
    let e = load_error(&GOOD.replace("weight = 90", "weight = 90\nwieght = 3"));
    assert_eq!(e.kind(), ErrorKind::Unknown);
    assert!(e.to_string().starts_with("x.toml:19:1: unknown field `wieght`"), "{e}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let bad = GOOD.replace("text ~ demand", "text ~ nope").replace("weight = 90", "weight = 0");
    let e = load_error(&bad);
    assert_eq!(e.diagnostics().len(), 2, "{e}");
    assert!(e.to_string().ends_with("2 problems found"));
}

#[test]
fn bad_test_cases_are_errors_when_the_tests_are_built() {
    let case = "\n[[case]]\nname = \"c\"\nexpect = \"hit\"\nfires = [\"sa.nope\"]\n[case.operation]\nid = \"c1\"\namount = \"-3\"\n";
    let e = tests_error(&format!("{GOOD}{case}"));
    let shown = e.to_string();
    assert!(shown.contains("case `c` names unknown rule `sa.nope`"), "{shown}");
    assert!(shown.contains("operation `amount`: must be greater than 0"), "{shown}");
}

#[test]
fn a_syntax_error_in_trailing_cases_shows_only_when_the_tests_are_built() {
    let case = "\n[[case]]\nname = \"c\"\nexpect = \"hit\n";
    let e = tests_error(&format!("{GOOD}{case}"));
    assert_eq!(e.kind(), ErrorKind::Syntax, "{e}");
    // A case before a rule keeps the whole file read, and its error reported.
    let pack = pack_with(&format!("{case}{GOOD}"));
    assert_eq!(Engine::new(&pack).unwrap_err().kind(), ErrorKind::Syntax);
}

#[test]
fn a_missing_pack_file_is_an_io_error() {
    let e = Engine::new(&PackSource::from_files([("x.toml", GOOD)])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    let e = PackSource::from_dir("/nonexistent/tellerguard-pack").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
}

#[test]
fn a_phrase_without_letters_is_pointed_at_in_its_set() {
    let file = GOOD.replace("demand = [\"安全账户\"]", "demand = [\n    \"安全账户\",\n    \"—— !\",\n]");
    let e = load_error(&file);
    assert_eq!(e.kind(), ErrorKind::Value);
    let loc = e.location().unwrap();
    assert_eq!((loc.file.as_str(), loc.line, loc.column), ("x.toml", 8, 6), "{e}");
    assert!(e.to_string().contains("phrase `—— !` has no letters or digits"), "{e}");
}
