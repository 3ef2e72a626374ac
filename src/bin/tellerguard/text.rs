//! The readable summary of an assessment, for a teller's screen.

use std::fmt::Write as _;

use tellerguard::{Action, Assessment, Engine, Evidence, Lang, Question};

fn prompt(q: Question, lang: Lang) -> &'static str {
    match (q, lang) {
        (Question::KnowsPayee, Lang::Zh) => "您认识收款人吗?是什么关系?",
        (Question::KnowsPayee, Lang::En) => "Do you know the payee personally? What is your relationship?",
        (Question::Purpose, Lang::Zh) => "这笔钱做什么用?",
        (Question::Purpose, Lang::En) => "What is the money for?",
        (Question::ContactedByStranger, Lang::Zh) => "是否有陌生人打电话、发短信或在网上让您转这笔钱?",
        (Question::ContactedByStranger, Lang::En) => "Did someone you do not know call, text or message you to ask for this payment?",
        (Question::ContactedByOfficial, Lang::Zh) => "是否有自称公安、检察院、法院、税务、社保、银行或平台客服的人联系过您?",
        (Question::ContactedByOfficial, Lang::En) => "Did anyone claiming to be police, a court, tax, social security, a bank or customer service contact you about it?",
        (Question::ToldToKeepSecret, Lang::Zh) => "对方有没有让您保密,不要告诉家人或银行?",
        (Question::ToldToKeepSecret, Lang::En) => "Were you told to keep this secret from your family or the bank?",
        (Question::PromisedReturn, Lang::Zh) => "对方有没有答应给您回报、返利、退款、奖金或贷款?",
        (Question::PromisedReturn, Lang::En) => "Were you promised a profit, refund, rebate, prize or loan in return?",
        (Question::MetInPerson, Lang::Zh) => "您见过收款人(或要钱的人)本人吗?",
        (Question::MetInPerson, Lang::En) => "Have you met the payee, or the person asking for the money, in person?",
        (Question::HasDocuments, Lang::Zh) => "有合同、发票、报价单或学校、医院的缴费单吗?",
        (Question::HasDocuments, Lang::En) => "Is there a contract, invoice, quote, or school or hospital bill?",
        (Question::FamilyAware, Lang::Zh) => "您的家人知道这笔钱吗?",
        (Question::FamilyAware, Lang::En) => "Does your family know about this payment?",
    }
}

pub(crate) fn render(engine: &Engine, a: &Assessment<'_>, lang: Lang) -> String {
    let mut s = String::new();
    let action = a.action.as_str().to_uppercase();
    let _ = writeln!(s, "[{}] {}  (score {}, level {})", a.id, action, a.score, a.level.as_str());
    for t in &a.typologies {
        let name = engine.typology_name(t.typology, lang).unwrap_or(t.typology);
        let _ = writeln!(s, "  scam pattern: {name} ({}, score {})", t.typology, t.score);
    }
    for m in &a.matches {
        let why: Vec<String> = m
            .evidence
            .iter()
            .map(|e| match e {
                Evidence::Text { field, text, .. } => format!("{field} 「{text}」"),
                Evidence::Condition { condition } => condition.to_string(),
            })
            .collect();
        let _ = writeln!(s, "  why: {} (+{}): {}", m.rule, m.weight, why.join("; "));
    }
    for w in &a.warnings {
        let _ = writeln!(s, "  ! {}: {}", w.code, w.message);
    }
    let held = a.action >= Action::Escalate;
    if !a.procedure.missing.is_empty() {
        let _ = writeln!(s, "  {}", if held { "questions still open (for the report):" } else { "ask next:" });
        for q in &a.procedure.missing {
            let _ = writeln!(s, "    - {} ({})", prompt(*q, lang), q.as_str());
        }
    }
    if a.procedure.confirmation_missing && !held {
        let _ = writeln!(s, "  signed risk confirmation: required, not yet signed");
    }
    s
}
