//! The wire format: strict parsing with JSON paths, exact decimals, and
//! assessments that serialize to the contract's fields.

use tellerguard::{Action, Engine, Kind, Observation, Operation, PayeeKind};

fn err(json: &str) -> tellerguard::InputError {
    Operation::from_json(json).unwrap_err()
}

#[test]
fn a_full_operation_parses() {
    let op = Operation::from_json(
        r#"{"id":"T-1","amount":"50000.00","currency":"CNY","kind":"remittance","channel":"counter",
            "requested_at":"2026-03-01T09:30:00+08:00",
            "customer":{"age":68,"account_age_days":4000,"usual_amount":"3000","transfers_last_24h":1,"amount_last_24h":"2000"},
            "payee":{"name":"张三","account":"6222","bank":"某银行","kind":"person","first_time":true,"own_account":false,"flagged":false},
            "purpose":"装修","remark":"工程款","observations":["on_phone","breaking_deposits"],
            "interview":{"knows_payee":false,"purpose":"装修房子","contacted_by_stranger":null,"contacted_by_official":true},
            "confirmation":{"warning_read":true,"signed":false}}"#,
    )
    .unwrap();
    assert_eq!(op.amount.to_string(), "50000.00");
    assert_eq!(op.kind, Kind::Remittance);
    assert_eq!(op.payee.kind, PayeeKind::Person);
    assert_eq!(op.customer.usual_amount.unwrap().to_string(), "3000");
    assert!(op.observed(Observation::BreakingDeposits));
    assert_eq!(op.interview.contacted_by_stranger, None);
    assert_eq!(op.interview.contacted_by_official, Some(true));
}

#[test]
fn defaults_apply_when_fields_are_absent() {
    let op = Operation::from_json(r#"{"id":"T-2","amount":300}"#).unwrap();
    assert_eq!(op.currency, "CNY");
    assert_eq!(op.kind, Kind::Transfer);
    assert_eq!(op.payee.kind, PayeeKind::Unknown);
}

#[test]
fn json_numbers_keep_every_digit() {
    let op = Operation::from_json(r#"{"id":"T-3","amount":49918.11}"#).unwrap();
    assert_eq!(op.amount.to_string(), "49918.11");
    let op = Operation::from_json(r#"{"id":"T-3","amount":0.3}"#).unwrap();
    assert_eq!(op.amount.to_string(), "0.3");
}

#[test]
fn unknown_fields_name_their_path() {
    let e = err(r#"{"id":"T","amount":"1","interview":{"knows_paye":true}}"#);
    assert_eq!(e.path(), Some("interview.knows_paye"));
    assert!(e.message().contains("unknown field `knows_paye`"), "{e}");
    let e = err(r#"{"id":"T","amount":"1","colour":"red"}"#);
    assert_eq!(e.path(), Some("colour"));
}

#[test]
fn unknown_enum_values_name_their_path() {
    let e = err(r#"{"id":"T","amount":"1","observations":["on_phone","crying"]}"#);
    assert_eq!(e.path(), Some("observations[1]"));
    assert!(e.message().contains("unknown variant `crying`"), "{e}");
    let e = err(r#"{"id":"T","amount":"1","kind":"wire"}"#);
    assert_eq!(e.path(), Some("kind"));
}

#[test]
fn amounts_are_checked() {
    for (json, path, words) in [
        (r#"{"id":"T","amount":"-5"}"#, "amount", "greater than 0"),
        (r#"{"id":"T","amount":"0"}"#, "amount", "greater than 0"),
        (r#"{"id":"T","amount":"1.23456"}"#, "amount", "decimal places"),
        (r#"{"id":"T","amount":"1,000"}"#, "amount", "not a decimal amount"),
        (r#"{"id":"T","amount":true}"#, "amount", "not a decimal amount"),
        (r#"{"id":"T","amount":"5","customer":{"usual_amount":"-1"}}"#, "customer.usual_amount", "negative"),
    ] {
        let e = err(json);
        assert_eq!(e.path(), Some(path), "{json}: {e}");
        assert!(e.to_string().contains(words), "{json}: {e}");
    }
    assert!(err(r#"{"id":"T"}"#).message().contains("missing field `amount`"));
}

#[test]
fn limits_are_checked() {
    let long = "字".repeat(501);
    let e = err(&format!(r#"{{"id":"T","amount":"1","purpose":"{long}"}}"#));
    assert_eq!(e.path(), Some("purpose"));
    assert!(e.message().contains("501 characters"));
    let e = err(&format!(r#"{{"id":"{}","amount":"1"}}"#, "x".repeat(65)));
    assert_eq!(e.path(), Some("id"));
    assert_eq!(err(r#"{"id":"","amount":"1"}"#).path(), Some("id"));
    assert_eq!(err(r#"{"id":"T","amount":"1","currency":"usd"}"#).path(), Some("currency"));
    assert_eq!(err(r#"{"id":"T","amount":"1","customer":{"age":131}}"#).path(), Some("customer.age"));
    assert_eq!(err(r#"{"id":"T","amount":"1","requested_at":"2026-03-01 09:30"}"#).path(), Some("requested_at"));
    // 500 characters exactly is fine.
    assert!(Operation::from_json(&format!(r#"{{"id":"T","amount":"1","purpose":"{}"}}"#, "字".repeat(500))).is_ok());
}

#[test]
fn malformed_json_is_an_error_without_a_path() {
    let e = err(r#"{"id":"T","amount":"1""#);
    assert_eq!(e.path(), None);
    assert!(e.message().starts_with("malformed JSON"), "{e}");
    assert!(err(r#"{"id":"T","amount":"1"} trailing"#).message().starts_with("malformed JSON"));
    assert!(err(r#"{"id":"T","amount":"1","amount":"2"}"#).message().contains("duplicate field"));
}

#[test]
fn assessments_serialize_to_the_contract_fields() {
    let engine = Engine::embedded().unwrap();
    let op = Operation::from_json(
        r#"{"id":"T-9","amount":"80000","customer":{"age":72},"payee":{"kind":"person","first_time":true},
            "purpose":"转入安全账户配合公安清查资金","observations":["on_phone","secretive"]}"#,
    )
    .unwrap();
    let value: serde_json::Value = serde_json::from_str(&engine.assess(&op).to_json()).unwrap();
    let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    for key in ["id", "score", "level", "action", "typologies", "matches", "procedure", "warnings", "rules_version"] {
        assert!(keys.contains(&key), "missing `{key}` in {value}");
    }
    assert_eq!(value["id"], "T-9");
    assert_eq!(value["action"], "stop");
    assert_eq!(value["level"], "critical");
    assert_eq!(value["typologies"][0]["typology"], "safe_account");
    let demand = value["matches"].as_array().unwrap().iter().find(|m| m["rule"] == "safe_account.demand").unwrap();
    let evidence = &demand["evidence"][0];
    assert_eq!(evidence["field"], "purpose");
    assert_eq!(evidence["text"], "安全账户");
    assert_eq!(evidence["start"], 2);
    assert_eq!(evidence["end"], 6);
    for key in ["required", "missing", "confirmation_required", "confirmation_missing"] {
        assert!(value["procedure"].get(key).is_some(), "procedure lacks `{key}`");
    }
    let codes: Vec<&str> = value["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"W_SAFE_ACCOUNT") && codes.contains(&"P_STOP"), "{codes:?}");
    assert!(!codes.contains(&"P_ASK") && !codes.contains(&"P_CONFIRM"), "{codes:?}");
    assert!(value["rules_version"].as_str().unwrap().starts_with("tellerguard-default@"));
}

#[test]
fn the_plain_safe_account_case_stops_and_a_small_family_payment_does_not() {
    let engine = Engine::embedded().unwrap();
    let scam = Operation::from_json(
        r#"{"id":"S","amount":"50000","customer":{"age":70},"payee":{"kind":"person","first_time":true},
            "purpose":"转入安全账户配合公安清查资金","observations":["on_phone"],
            "interview":{"told_to_keep_secret":true}}"#,
    )
    .unwrap();
    let a = engine.assess(&scam);
    assert!(a.action >= Action::Escalate);
    assert_eq!(a.top_typology(), Some("safe_account"));
    let family = Operation::from_json(
        r#"{"id":"F","amount":"300","payee":{"name":"王芳","kind":"person","first_time":false},
            "purpose":"生活费","interview":{"knows_payee":true,"purpose":"给女儿的生活费","family_aware":true}}"#,
    )
    .unwrap();
    assert!(engine.assess(&family).action <= Action::Confirm);
}

#[test]
fn english_and_chinese_warnings_differ() {
    let engine = Engine::embedded().unwrap();
    let op = Operation::from_json(r#"{"id":"L","amount":"9000","purpose":"safe account"}"#).unwrap();
    let zh = engine.assess_in(&op, tellerguard::Lang::Zh);
    let en = engine.assess_in(&op, tellerguard::Lang::En);
    let zh_text = &zh.warnings[0].message;
    let en_text = &en.warnings[0].message;
    assert!(zh_text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    assert!(en_text.is_ascii(), "{en_text}");
}
