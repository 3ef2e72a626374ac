//! Properties that must hold for any input: parsing and assessing never
//! panic, assessments are deterministic, and more evidence never lowers the
//! score or softens the action.

use proptest::prelude::*;
use tellerguard::{Action, Engine, Observation, Operation, PayeeKind};

fn texts() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "[a-z ]{0,20}".prop_map(Some),
        prop::sample::select(vec![
            "装修",
            "安全账户",
            "安 全 帐 户",
            "谨防安全账户",
            "刷单返佣",
            "给孙子看病",
            "USDT",
            "safe account",
            "生活费",
            "已提示客户谨防资金清查",
            "解冻费",
            "彩礼",
            "帐篷",
            "ＡＱ账户",
            "\u{200b}",
            "💰",
            "注销校园贷",
        ])
        .prop_map(|s| Some(s.to_string())),
        "\\PC{0,40}".prop_map(Some),
    ]
}

fn operations() -> impl Strategy<Value = Operation> {
    (
        1u64..5_000_000,
        prop::option::of(0u8..=130),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        texts(),
        texts(),
        prop::collection::vec(prop::sample::select(Observation::ALL.to_vec()), 0..4),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        prop::sample::select(vec![PayeeKind::Person, PayeeKind::Company, PayeeKind::Unknown]),
    )
        .prop_map(|(amount, age, first_time, flagged, purpose, remark, observations, official, knows, kind)| {
            let mut op = Operation::new("prop", amount.into());
            op.customer.age = age;
            op.payee.first_time = first_time;
            op.payee.flagged = flagged;
            op.payee.kind = kind;
            op.purpose = purpose;
            op.remark = remark;
            op.observations = observations;
            op.interview.contacted_by_official = official;
            op.interview.knows_payee = knows;
            op
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn parsing_arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = Operation::from_json(&s);
    }

    #[test]
    fn assessing_is_deterministic_and_bounded(op in operations()) {
        let engine = Engine::embedded().unwrap();
        let a = engine.assess(&op);
        let b = engine.assess(&op);
        prop_assert_eq!(&a, &b);
        prop_assert!(a.score <= 100);
        prop_assert!(a.typologies.windows(2).all(|w| w[0].score >= w[1].score));
        if op.payee.flagged == Some(true) {
            prop_assert_eq!(a.action, Action::Stop);
        }
    }

    #[test]
    fn more_observations_never_lower_the_score(op in operations(), extra in prop::sample::select(Observation::ALL.to_vec())) {
        let engine = Engine::embedded().unwrap();
        let before = engine.assess(&op);
        let mut more = op.clone();
        if !more.observations.contains(&extra) {
            more.observations.push(extra);
        }
        let after = engine.assess(&more);
        prop_assert!(after.score >= before.score, "{} -> {}", before.score, after.score);
        let hard = |a: Action| if a >= Action::Escalate { a } else { Action::Proceed };
        prop_assert!(hard(after.action) >= hard(before.action));
    }

    #[test]
    fn a_signature_never_softens_escalation(op in operations()) {
        let engine = Engine::embedded().unwrap();
        let before = engine.assess(&op).action;
        let mut signed = op.clone();
        signed.confirmation.warning_read = Some(true);
        signed.confirmation.signed = Some(true);
        let after = engine.assess(&signed).action;
        if before >= Action::Escalate {
            prop_assert_eq!(after, before);
        } else {
            prop_assert!(after <= before);
        }
    }
}
