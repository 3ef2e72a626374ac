//! tellerguard against general-purpose rule engines on the same rules and
//! the same operations.
//!
//! 21 rules are cut from the default pack (`rules/safe_account.toml` and
//! `rules/common.toml`, with their phrase sets read from those files): phrase
//! matches on the free texts, observations, interview answers, amounts and
//! ages. Each rule is written once as a small condition tree below (the
//! default pack's clauses that reach into other files, such as the
//! exceptions for a fake kidnapping or a documented company bill, are left
//! out, so every engine needs only these phrase sets) and rendered into
//!
//! * a tellerguard pack of just these rules,
//! * one CEL program per rule (`cel`), evaluated against one reused context,
//! * one Sigma rule per rule (`rsigma-eval`), evaluated against a flat JSON
//!   event,
//! * with `--features zen`, one decision table (`zen-engine`, hit policy
//!   `collect`) with a row per rule, evaluated against the same JSON event,
//!
//! Before timing, every engine must fire exactly the rules tellerguard fires
//! on every operation of the workload; a disagreement aborts the run.
//!
//! ```text
//! cargo run --release --manifest-path benches/peers/Cargo.toml [-- SECONDS]
//! cargo run --release --manifest-path benches/peers/Cargo.toml --features zen [-- SECONDS]
//! ```

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};
use tellerguard::{workload, Assessment, Engine, Kind, Lang, Observation, Operation, PackSource, PayeeKind};

/// Operations in the workload (the same generator and seed as the benches).
const OPS: usize = 10_000;
const SEED: u64 = 20_260_101;

/// A condition over the flattened operation. Yes/no answers are `1`, `0` or
/// `-1` (not known); an unknown answer or age never satisfies an atom, which
/// is tellerguard's three-valued logic for conditions without negated
/// unknowns (`!=` on a yes/no field is true when it is not known).
#[derive(Clone, Debug)]
enum C {
    /// A phrase set matched in purpose, remark or interview.purpose.
    Text(&'static str),
    Obs(&'static str),
    /// Yes/no field known to equal the value.
    Is(&'static str, bool),
    /// Yes/no field not known to equal the value.
    IsNot(&'static str, bool),
    Ge(&'static str, i64),
    Lt(&'static str, i64),
    Eq(&'static str, &'static str),
    Ne(&'static str, &'static str),
    And(Vec<C>),
    Or(Vec<C>),
}

use C::*;

/// Flat field name → tellerguard path.
const FIELDS: &[(&str, &str)] = &[
    ("own", "payee.own_account"),
    ("first_time", "payee.first_time"),
    ("knows", "interview.knows_payee"),
    ("official", "interview.contacted_by_official"),
    ("stranger", "interview.contacted_by_stranger"),
    ("secret", "interview.told_to_keep_secret"),
    ("promised", "interview.promised_return"),
    ("family", "interview.family_aware"),
    ("documents", "interview.has_documents"),
    ("amount", "amount"),
    ("age", "customer.age"),
    ("transfers", "customer.transfers_last_24h"),
    ("kind", "kind"),
    ("payee_kind", "payee.kind"),
];

fn path(flat: &str) -> &'static str {
    FIELDS.iter().find(|(f, _)| *f == flat).map(|(_, p)| *p).unwrap_or_else(|| panic!("no field {flat}"))
}

fn not_own() -> C {
    IsNot("own", true)
}

fn instructed() -> C {
    Or(vec![Obs("on_phone"), Obs("following_instructions")])
}

/// The rules, as in the default pack without the clauses that read phrase
/// sets of other files.
fn rules() -> Vec<(&'static str, C)> {
    vec![
        ("safe_account.demand", Text("safe_account_demand")),
        ("safe_account.case_story", And(vec![Text("case_story"), not_own()])),
        ("safe_account.official_contact_unknown_payee", And(vec![Is("official", true), Is("knows", false), not_own()])),
        (
            "safe_account.official_named_for_person",
            And(vec![Text("officials"), Eq("payee_kind", "person"), not_own(), IsNot("first_time", false)]),
        ),
        (
            "safe_account.elderly_instructed_deposits",
            And(vec![
                Ge("age", 60),
                Obs("breaking_deposits"),
                Or(vec![Obs("on_phone"), Obs("following_instructions"), Obs("secretive")]),
                not_own(),
            ]),
        ),
        ("general.told_to_keep_secret", Or(vec![Is("secret", true), Text("secrecy")])),
        ("general.coached_answers", Text("anti_bank_coaching")),
        ("general.secretive", And(vec![Obs("secretive"), not_own()])),
        ("general.remote_control", And(vec![Or(vec![Obs("remote_control_app"), Text("remote_control")]), not_own()])),
        (
            "general.instructed_older_or_large",
            And(vec![
                instructed(),
                not_own(),
                IsNot("first_time", false),
                Or(vec![Ge("age", 60), Ge("amount", 50_000)]),
            ]),
        ),
        ("general.instructed", And(vec![instructed(), not_own()])),
        (
            "general.stranger_companion",
            And(vec![
                Obs("accompanied_by_stranger"),
                Or(vec![Ge("age", 65), Eq("kind", "cash_withdrawal")]),
                Or(vec![Ne("payee_kind", "company"), IsNot("knows", true), IsNot("documents", true)]),
            ]),
        ),
        ("general.cash_handover", Text("cash_handover")),
        ("general.stranger_asked_unknown_payee", And(vec![Is("stranger", true), Is("knows", false)])),
        (
            "general.doesnt_know_payee",
            And(vec![Is("knows", false), not_own(), Ne("payee_kind", "company"), Ge("amount", 10_000)]),
        ),
        (
            "general.institution_paid_to_person",
            And(vec![Eq("payee_kind", "person"), not_own(), Text("institutional_purpose")]),
        ),
        ("general.promised_return", And(vec![Is("promised", true), not_own()])),
        ("general.family_unaware_large", And(vec![Is("family", false), Ge("amount", 50_000), not_own()])),
        ("general.breaking_deposits", And(vec![Obs("breaking_deposits"), not_own(), Ge("amount", 20_000)])),
        ("general.deadline", Text("deadline")),
        (
            "general.just_under_threshold",
            And(vec![Ge("amount", 45_000), Lt("amount", 50_000), Ge("transfers", 1), not_own()]),
        ),
    ]
}

fn text_sets(c: &C, out: &mut BTreeSet<&'static str>) {
    match c {
        Text(s) => {
            out.insert(s);
        }
        And(p) | Or(p) => p.iter().for_each(|c| text_sets(c, out)),
        _ => {}
    }
}

/// The phrase sets of the default pack's files, lower-cased.
fn phrase_sets(names: &BTreeSet<&'static str>) -> Vec<(&'static str, Vec<String>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules/");
    let mut all = std::collections::BTreeMap::new();
    for file in ["safe_account.toml", "common.toml"] {
        let text = std::fs::read_to_string(format!("{dir}{file}")).unwrap_or_else(|e| panic!("{file}: {e}"));
        let doc: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        if let Some(phrases) = doc.get("phrases").and_then(toml::Value::as_table) {
            for (name, list) in phrases {
                let list: Vec<String> = list
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(toml::Value::as_str)
                    .map(str::to_lowercase)
                    .collect();
                all.insert(name.clone(), list);
            }
        }
    }
    names
        .iter()
        .map(|n| (*n, all.get(*n).cloned().unwrap_or_else(|| panic!("phrase set `{n}` not found in {dir}"))))
        .collect()
}

// ---------------------------------------------------------------- renderers --

fn tellerguard_condition(c: &C) -> String {
    match c {
        Text(s) => format!("text ~ {s}"),
        Obs(o) => format!("observations.{o}"),
        Is(f, true) => path(f).to_string(),
        Is(f, false) => format!("{} == false", path(f)),
        IsNot(f, v) => format!("{} != {v}", path(f)),
        Ge(f, n) => format!("{} >= {n}", path(f)),
        Lt(f, n) => format!("{} < {n}", path(f)),
        Eq(f, v) => format!("{} == {v}", path(f)),
        Ne(f, v) => format!("{} != {v}", path(f)),
        And(p) => format!("({})", p.iter().map(tellerguard_condition).collect::<Vec<_>>().join(" and ")),
        Or(p) => format!("({})", p.iter().map(tellerguard_condition).collect::<Vec<_>>().join(" or ")),
    }
}

fn tellerguard_pack(rules: &[(&str, C)], sets: &[(&str, Vec<String>)]) -> PackSource {
    let pack = r#"
[pack]
name = "peers"
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
escalate = { zh = "上报", en = "escalate" }
stop = { zh = "停止", en = "stop" }
"#;
    let mut file = String::from("[phrases]\n");
    for (name, list) in sets {
        let quoted: Vec<String> = list.iter().map(|p| format!("{p:?}")).collect();
        let _ = writeln!(file, "{name} = [{}]", quoted.join(", "));
    }
    file.push_str("\n[warnings.W_PEER]\nzh = \"警告\"\nen = \"warning\"\n");
    for (id, c) in rules {
        let _ = write!(
            file,
            "\n[[rule]]\nid = \"{id}\"\nweight = 40\nwhen = \"{}\"\nwarning = \"W_PEER\"\n",
            tellerguard_condition(c)
        );
    }
    PackSource::from_files([("pack.toml", pack.to_string()), ("peers.toml", file)])
}

fn cel_string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn cel_expr(c: &C, sets: &[(&str, Vec<String>)]) -> String {
    match c {
        Text(s) => {
            let list = &sets.iter().find(|(n, _)| n == s).expect("set").1;
            let items: Vec<String> = list.iter().map(|p| cel_string(p)).collect();
            format!("[{}].exists(p, text.contains(p))", items.join(", "))
        }
        Obs(o) => format!("'{o}' in obs"),
        Is(f, v) => format!("{f} == {}", i64::from(*v)),
        IsNot(f, v) => format!("{f} != {}", i64::from(*v)),
        Ge(f, n) if *f == "amount" => format!("amount >= {n}.0"),
        Lt(f, n) if *f == "amount" => format!("amount < {n}.0"),
        Ge(f, n) => format!("{f} >= {n}"),
        Lt(f, n) => format!("{f} < {n}"),
        Eq(f, v) => format!("{f} == '{v}'"),
        Ne(f, v) => format!("{f} != '{v}'"),
        And(p) => format!("({})", p.iter().map(|c| cel_expr(c, sets)).collect::<Vec<_>>().join(" && ")),
        Or(p) => format!("({})", p.iter().map(|c| cel_expr(c, sets)).collect::<Vec<_>>().join(" || ")),
    }
}

fn yaml_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A Sigma condition over named selections, which it adds to `selections`.
fn sigma_condition(c: &C, sets: &[(&str, Vec<String>)], selections: &mut Vec<String>) -> String {
    let mut select = |body: String| {
        let name = format!("s{}", selections.len());
        selections.push(format!("    {name}:\n{body}"));
        name
    };
    match c {
        Text(s) => {
            let list = &sets.iter().find(|(n, _)| n == s).expect("set").1;
            let mut body = String::from("        text|contains:\n");
            for p in list {
                let _ = writeln!(body, "            - {}", yaml_string(p));
            }
            select(body)
        }
        Obs(o) => select(format!("        obs_{o}: 1\n")),
        Is(f, v) => select(format!("        {f}: {}\n", i64::from(*v))),
        IsNot(f, v) => format!("not {}", select(format!("        {f}: {}\n", i64::from(*v)))),
        Ge(f, n) => select(format!("        {f}|gte: {n}\n")),
        Lt(f, n) => select(format!("        {f}|lt: {n}\n")),
        Eq(f, v) => select(format!("        {f}: '{v}'\n")),
        Ne(f, v) => format!("not {}", select(format!("        {f}: '{v}'\n"))),
        And(p) => {
            let parts: Vec<String> = p.iter().map(|c| sigma_condition(c, sets, selections)).collect();
            format!("({})", parts.join(" and "))
        }
        Or(p) => {
            let parts: Vec<String> = p.iter().map(|c| sigma_condition(c, sets, selections)).collect();
            format!("({})", parts.join(" or "))
        }
    }
}

fn sigma_yaml(rules: &[(&str, C)], sets: &[(&str, Vec<String>)]) -> String {
    let mut docs = Vec::new();
    for (id, c) in rules {
        let mut selections = Vec::new();
        let condition = sigma_condition(c, sets, &mut selections);
        docs.push(format!(
            "title: {id}\nlogsource:\n    category: teller\ndetection:\n{}    condition: {condition}\nlevel: high\n",
            selections.concat()
        ));
    }
    docs.join("---\n")
}

/// A ZEN expression of `c` over the flat event.
#[cfg(feature = "zen")]
fn zen_expr(c: &C, sets: &[(&str, Vec<String>)]) -> String {
    // ZEN strings have no escapes: quote with the mark the phrase lacks.
    let quote = |s: &str| if s.contains('\'') { format!("\"{s}\"") } else { format!("'{s}'") };
    match c {
        Text(s) => {
            let list = &sets.iter().find(|(n, _)| n == s).expect("set").1;
            let items: Vec<String> = list.iter().map(|p| quote(p)).collect();
            format!("some([{}], contains(text, #))", items.join(", "))
        }
        Obs(o) => format!("obs_{o} == 1"),
        Is(f, v) => format!("{f} == {}", i64::from(*v)),
        IsNot(f, v) => format!("{f} != {}", i64::from(*v)),
        Ge(f, n) => format!("{f} >= {n}"),
        Lt(f, n) => format!("{f} < {n}"),
        Eq(f, v) => format!("{f} == '{v}'"),
        Ne(f, v) => format!("{f} != '{v}'"),
        And(p) => format!("({})", p.iter().map(|c| zen_expr(c, sets)).collect::<Vec<_>>().join(" and ")),
        Or(p) => format!("({})", p.iter().map(|c| zen_expr(c, sets)).collect::<Vec<_>>().join(" or ")),
    }
}

/// One `collect` decision table: a row per rule, its condition a standalone
/// expression, its output the rule id.
#[cfg(feature = "zen")]
fn zen_decision(rules: &[(&str, C)], sets: &[(&str, Vec<String>)]) -> Json {
    for (_, list) in sets {
        assert!(list.iter().all(|p| !(p.contains('\'') && p.contains('"'))), "a phrase ZEN cannot quote");
    }
    let rows: Vec<Json> = rules
        .iter()
        .enumerate()
        .map(|(i, (id, c))| json!({"_id": format!("r{i}"), "when": zen_expr(c, sets), "rule": format!("'{id}'")}))
        .collect();
    json!({
        "nodes": [
            {"id": "in", "name": "operation", "type": "inputNode", "content": {}},
            {"id": "table", "name": "rules", "type": "decisionTableNode", "content": {
                "hitPolicy": "collect",
                "inputs": [{"id": "when", "name": "condition"}],
                "outputs": [{"id": "rule", "name": "rule", "field": "rule"}],
                "rules": rows
            }},
            {"id": "out", "name": "fired", "type": "outputNode", "content": {}}
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "table"},
            {"id": "e2", "sourceId": "table", "targetId": "out"}
        ]
    })
}

/// zen-engine's decision and the runtime that drives its async evaluation.
#[cfg(feature = "zen")]
struct Zen {
    decision: zen_engine::Decision,
    runtime: tokio::runtime::Runtime,
}

#[cfg(feature = "zen")]
impl Zen {
    fn new(rules: &[(&str, C)], sets: &[(&str, Vec<String>)]) -> Zen {
        let content: zen_engine::model::DecisionContent =
            serde_json::from_value(zen_decision(rules, sets)).unwrap_or_else(|e| panic!("ZEN decision: {e}"));
        let decision = zen_engine::DecisionEngine::default()
            .create_decision(std::sync::Arc::new(content))
            .unwrap_or_else(|e| panic!("ZEN decision: {e}"));
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        Zen { decision, runtime }
    }

    fn fired(&self, event: &Json) -> Fired {
        let response = self
            .runtime
            .block_on(self.decision.evaluate(event.clone().into()))
            .unwrap_or_else(|e| panic!("ZEN evaluation: {e}"));
        let result: Json = response.result.into();
        let rows = result.as_array().cloned().unwrap_or_default();
        rows.iter().filter_map(|row| row.get("rule").and_then(Json::as_str)).map(str::to_string).collect()
    }
}

// ------------------------------------------------------------------- inputs --

/// The operation as the flat record the peers read.
struct Flat {
    text: String,
    amount: f64,
    ints: Vec<(&'static str, i64)>,
    kind: &'static str,
    payee_kind: &'static str,
    obs: Vec<&'static str>,
}

fn tri(v: Option<bool>) -> i64 {
    v.map_or(-1, i64::from)
}

fn flatten(op: &Operation) -> Flat {
    let texts = [op.purpose.as_deref(), op.remark.as_deref(), op.interview.purpose.as_deref()];
    let text = texts.iter().flatten().map(|t| t.to_lowercase()).collect::<Vec<_>>().join("\n");
    let i = &op.interview;
    Flat {
        text,
        amount: op.amount.to_string().parse().expect("amount"),
        ints: vec![
            ("own", tri(op.payee.own_account)),
            ("first_time", tri(op.payee.first_time)),
            ("knows", tri(i.knows_payee)),
            ("official", tri(i.contacted_by_official)),
            ("stranger", tri(i.contacted_by_stranger)),
            ("secret", tri(i.told_to_keep_secret)),
            ("promised", tri(i.promised_return)),
            ("family", tri(i.family_aware)),
            ("documents", tri(i.has_documents)),
            ("age", op.customer.age.map_or(-1, i64::from)),
            ("transfers", op.customer.transfers_last_24h.map_or(-1, i64::from)),
        ],
        kind: match op.kind {
            Kind::Transfer => "transfer",
            Kind::Remittance => "remittance",
            Kind::CashWithdrawal => "cash_withdrawal",
        },
        payee_kind: match op.payee.kind {
            PayeeKind::Person => "person",
            PayeeKind::Company => "company",
            PayeeKind::Unknown => "unknown",
        },
        obs: Observation::ALL.into_iter().filter(|o| op.observed(*o)).map(Observation::as_str).collect(),
    }
}

fn sigma_event(f: &Flat) -> Json {
    let mut event = json!({"text": f.text, "amount": f.amount, "kind": f.kind, "payee_kind": f.payee_kind});
    for (name, v) in &f.ints {
        event[*name] = json!(v);
    }
    for o in Observation::ALL {
        event[format!("obs_{}", o.as_str())] = json!(i64::from(f.obs.contains(&o.as_str())));
    }
    event
}

/// CEL variables of one operation, converted once.
fn cel_vars(f: &Flat) -> Vec<(&'static str, cel::Value)> {
    let mut vars: Vec<(&'static str, cel::Value)> = vec![
        ("text", f.text.clone().into()),
        ("amount", f.amount.into()),
        ("kind", f.kind.to_string().into()),
        ("payee_kind", f.payee_kind.to_string().into()),
        ("obs", f.obs.iter().map(|o| cel::Value::from(o.to_string())).collect::<Vec<_>>().into()),
    ];
    vars.extend(f.ints.iter().map(|(n, v)| (*n, cel::Value::from(*v))));
    vars
}

// ------------------------------------------------------------------ engines --

type Fired = BTreeSet<String>;

fn tellerguard_fired(engine: &Engine, op: &Operation) -> Fired {
    engine.assess(op).matches.iter().map(|m| m.rule.to_string()).collect()
}

struct Cel {
    programs: Vec<(&'static str, cel::Program)>,
}

impl Cel {
    fn run(&self, ctx: &mut cel::Context<'_, '_>, vars: &[(&'static str, cel::Value)], mut fired: impl FnMut(&str)) {
        for (name, value) in vars {
            ctx.add_variable_from_value(*name, value.clone());
        }
        for (id, program) in &self.programs {
            match program.execute(ctx) {
                Ok(cel::Value::Bool(true)) => fired(id),
                Ok(_) => {}
                Err(e) => panic!("CEL rule {id} failed: {e:?}"),
            }
        }
    }
}

/// Operations per second of `step` over `n` inputs, for about `seconds`.
fn throughput(n: usize, seconds: f64, mut step: impl FnMut(usize)) -> f64 {
    for i in 0..n.min(1_000) {
        step(i);
    }
    let start = Instant::now();
    let deadline = Duration::from_secs_f64(seconds);
    let mut done = 0usize;
    while start.elapsed() < deadline {
        for i in 0..n.min(500) {
            step((done + i) % n);
        }
        done += n.min(500);
    }
    done as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let seconds: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let rules = rules();
    let mut names = BTreeSet::new();
    rules.iter().for_each(|(_, c)| text_sets(c, &mut names));
    let sets = phrase_sets(&names);
    let phrases: usize = sets.iter().map(|(_, l)| l.len()).sum();

    let ops = workload::generate(OPS, SEED);
    let flats: Vec<Flat> = ops.iter().map(flatten).collect();

    let engine = Engine::new(&tellerguard_pack(&rules, &sets)).unwrap_or_else(|e| panic!("tellerguard pack: {e}"));
    assert_eq!(engine.rule_count(), rules.len());

    let cel = Cel {
        programs: rules
            .iter()
            .map(|(id, c)| {
                let src = cel_expr(c, &sets);
                (*id, cel::Program::compile(&src).unwrap_or_else(|e| panic!("CEL {id}: {e:?}\n{src}")))
            })
            .collect(),
    };
    let cel_inputs: Vec<_> = flats.iter().map(cel_vars).collect();

    let yaml = sigma_yaml(&rules, &sets);
    let collection = rsigma_parser::parse_sigma_yaml(&yaml).unwrap_or_else(|e| panic!("Sigma: {e}"));
    let mut sigma = rsigma_eval::Engine::new();
    sigma.add_collection(&collection).unwrap_or_else(|e| panic!("Sigma: {e}"));
    assert_eq!(sigma.rule_count(), rules.len(), "Sigma rules loaded");
    let events: Vec<Json> = flats.iter().map(sigma_event).collect();

    #[cfg(feature = "zen")]
    let zen = Zen::new(&rules, &sets);

    // Verify: every engine fires exactly tellerguard's rules on every operation.
    let mut ctx = cel::Context::default();
    let mut matching = 0;
    for (i, op) in ops.iter().enumerate() {
        let want = tellerguard_fired(&engine, op);
        matching += usize::from(!want.is_empty());
        let mut got = Fired::new();
        cel.run(&mut ctx, &cel_inputs[i], |id| {
            got.insert(id.to_string());
        });
        if got != want {
            eprintln!("CEL disagrees with tellerguard on {}: CEL {got:?}, tellerguard {want:?}", op.id);
            std::process::exit(1);
        }
        let got: Fired = sigma
            .evaluate(&rsigma_eval::event::JsonEvent::borrow(&events[i]))
            .into_iter()
            .map(|m| m.header.rule_title)
            .collect();
        if got != want {
            eprintln!("rsigma-eval disagrees with tellerguard on {}: Sigma {got:?}, tellerguard {want:?}", op.id);
            std::process::exit(1);
        }
        #[cfg(feature = "zen")]
        {
            let got = zen.fired(&events[i]);
            if got != want {
                eprintln!("zen-engine disagrees with tellerguard on {}: ZEN {got:?}, tellerguard {want:?}", op.id);
                std::process::exit(1);
            }
        }
    }
    println!(
        "{} rules ({phrases} phrases in {} sets), {OPS} operations (seed {SEED}), {matching} with a rule firing; \
         all engines agree on every operation",
        rules.len(),
        sets.len()
    );

    let mut out = Assessment::default();
    let mut results = vec![(
        "tellerguard",
        throughput(ops.len(), seconds, |i| {
            engine.assess_into(&ops[i], Lang::Zh, &mut out);
            std::hint::black_box(&out);
        }),
    )];
    let mut count = 0usize;
    results.push(("cel 0.15.0", throughput(ops.len(), seconds, |i| cel.run(&mut ctx, &cel_inputs[i], |_| count += 1))));
    results.push((
        "rsigma-eval 0.23.0",
        throughput(ops.len(), seconds, |i| {
            std::hint::black_box(sigma.evaluate(&rsigma_eval::event::JsonEvent::borrow(&events[i])));
        }),
    ));
    #[cfg(feature = "zen")]
    results.push((
        "zen-engine 2.1.6",
        throughput(ops.len(), seconds, |i| {
            std::hint::black_box(zen.fired(&events[i]));
        }),
    ));
    std::hint::black_box(count);

    let ours = results[0].1;
    println!("\n| engine | assessments/s | tellerguard is |");
    println!("|---|---:|---:|");
    for (name, per_sec) in &results {
        println!("| {name} | {per_sec:.0} | {:.1}× |", ours / per_sec);
    }
}
