//! Scoring a pair of profiles: how likely two customers are one, and why.
//!
//! Each signal that passes its own rule gives a score and a human reason; signals combine as
//! independent evidence (`1 − Π(1 − sᵢ)`), so two moderate signals (a contact called 张明 and a
//! `zhang.ming@` address; a domain that spells the name) together flag a pair that neither
//! flags alone. The defaults follow the rule users asked for: names at least 85% similar, the
//! same phone, or the same company e-mail domain flag a likely duplicate.
//!
//! Name similarity is the normalised Levenshtein similarity (`strsim`) of the cores, or of core
//! plus industry when that is higher (a typo in a long name), then lowered when the parts kept
//! apart disagree: different industries (小米科技 / 小米信息技术), regions, branch offices or
//! cities, or when one is a bare group (新华联集团) and the other a company of that name in a
//! named trade (成都新华联医药): a company of the group is another customer, or when one is a
//! bare two-character brand (恒通) and the other that brand in a trade (恒通电子): the name
//! alone says little when thousands share it, so a phone or e-mail must back it. Two different
//! credit codes are two legal entities, and two names that carry different numbered units or
//! directions (第一中学 / 第二中学, 一分厂 / 二分厂, 3号店 / 5号店, 东区店 / 西区店) are two
//! units of one organisation: such a pair is never flagged, even with a shared phone (a chain's
//! shops often give the head office's number).

use super::normalise::{industries_agree, CompanyName};
use super::profile::Profile;
use super::rules::{DedupRules, Reason, ReasonKind};

const SAME_PHONE: f64 = 0.95;
const SAME_EMAIL: f64 = 0.95;
const SAME_DOMAIN: f64 = 0.9;
const DOMAIN_SPELLS_NAME: f64 = 0.75;
const SAME_PERSON: f64 = 0.6;
/// A person's name alone (张伟) is shared by thousands: it never flags by itself.
const PERSON_NAME_WEIGHT: f64 = 0.8;
const DISAGREE: f64 = 0.7;
const OTHER_CITY: f64 = 0.75;
const DIFFERENT_ENTITY_CAP: f64 = 0.5;

/// The score of a pair (0..=1) and the reasons behind it, strongest first.
pub fn compare(a: &Profile, b: &Profile, rules: &DedupRules) -> (f64, Vec<Reason>) {
    let mut reasons: Vec<Reason> = Vec::new();
    let mut push = |kind: ReasonKind, score: f64, detail: String| {
        reasons.push(Reason {
            kind,
            score: round(score),
            detail,
        })
    };
    let mut different_entities = different_units(a, b);
    if let (Some(x), Some(y)) = (&a.credit_code, &b.credit_code) {
        if x == y {
            push(ReasonKind::SameCreditCode, 1.0, "same credit code".into());
            different_entities = false;
        } else {
            different_entities = true;
        }
    }
    if rules.same_phone {
        if let Some(phone) = a.phones.iter().find(|p| b.phones.contains(p)) {
            push(
                ReasonKind::SamePhone,
                SAME_PHONE,
                format!("same phone {}", mask_phone(phone)),
            );
        }
    }
    if a.emails.iter().any(|e| b.emails.contains(e)) {
        push(
            ReasonKind::SameEmail,
            SAME_EMAIL,
            "same e-mail address".into(),
        );
    } else if rules.same_email_domain {
        if let Some(domain) = a.domains.iter().find(|d| b.domains.contains(d)) {
            push(
                ReasonKind::SameEmailDomain,
                SAME_DOMAIN,
                format!("same e-mail domain {domain}"),
            );
        }
    }
    // Penalties outside the names scale the name score; knowing them first lets the name
    // comparison skip pairs that cannot reach the threshold (most pairs of a scan).
    let mut outer = 1.0;
    if let (Some(x), Some(y)) = (&a.city, &b.city) {
        if x != y {
            outer *= OTHER_CITY;
        }
    }
    if a.person_like && b.person_like {
        outer *= PERSON_NAME_WEIGHT;
    }
    let name = name_similarity(a, b, rules.name_similarity / outer) * outer;
    if name >= rules.name_similarity {
        push(
            ReasonKind::SimilarName,
            name,
            format!("name {:.0}% similar", (name * 100.0).floor()),
        );
    }
    if domain_spells_name(a, b) || domain_spells_name(b, a) {
        push(
            ReasonKind::DomainMatchesName,
            DOMAIN_SPELLS_NAME,
            "e-mail domain spells the name".into(),
        );
    }
    if let Some(detail) = same_person(a, b) {
        push(ReasonKind::SameContact, SAME_PERSON, detail);
    }
    let mut score = 1.0 - reasons.iter().map(|r| 1.0 - r.score).product::<f64>();
    if reasons.is_empty() {
        score = 0.0;
    }
    if different_entities {
        score = score.min(DIFFERENT_ENTITY_CAP);
    }
    reasons.sort_by(|x, y| y.score.total_cmp(&x.score));
    (round(score), reasons)
}

/// Both names carry numbered units or directions, and they differ (第一中学 / 第二中学,
/// 3号店 / 5号店, 东区店 / 西区店): two units of one organisation, never one customer, whatever
/// else they share (the head office's phone, most of the name).
fn different_units(a: &Profile, b: &Profile) -> bool {
    fn units(p: &Profile) -> Vec<&String> {
        let mut all: Vec<&String> = p.names.iter().flat_map(|n| &n.units).collect();
        all.sort();
        all.dedup();
        all
    }
    let (x, y) = (units(a), units(b));
    !x.is_empty() && !y.is_empty() && x != y
}

/// A group with no trade named against a company of the same name in a named trade
/// (新华联集团 / 成都新华联医药): most likely a company of the group, another customer.
fn group_and_member(a: &CompanyName, b: &CompanyName) -> bool {
    let bare_group = |x: &CompanyName, y: &CompanyName| {
        x.group && x.industry.is_empty() && !y.group && !y.industry.is_empty()
    };
    bare_group(a, b) || bare_group(b, a)
}

/// `a` is a bare two-character brand (恒通: no trade, no place, no legal form) and `b` the same
/// brand in a named trade (恒通电子): thousands of companies share a two-character brand, so
/// the name alone says little; a shared phone or e-mail still flags the pair.
fn bare_and_named(a: &CompanyName, b: &CompanyName) -> bool {
    a.industry.is_empty()
        && a.region.is_none()
        && !a.group
        && a.core.chars().count() <= 2
        && a.core.chars().all(crate::search::terms::is_han)
        && !b.industry.is_empty()
}

/// The best similarity between any name of `a` and any name of `b`, or 0 when none can
/// reach `floor`.
pub fn name_similarity(a: &Profile, b: &Profile, floor: f64) -> f64 {
    let mut best: f64 = 0.0;
    for x in &a.names {
        for y in &b.names {
            best = best.max(company_similarity(x, y, floor));
        }
    }
    best
}

/// Similarity of two parsed company names (see the module doc), or 0 when it cannot reach
/// `floor`: the penalties and the length difference (a lower bound of the edit distance) are
/// checked before any edit distance is computed.
pub fn company_similarity(a: &CompanyName, b: &CompanyName, floor: f64) -> f64 {
    if a.core.is_empty() || b.core.is_empty() {
        return 0.0;
    }
    let mut penalty = 1.0;
    if !industries_agree(&a.industry, &b.industry) {
        penalty *= DISAGREE;
    }
    if let (Some(x), Some(y)) = (&a.region, &b.region) {
        if x != y {
            penalty *= DISAGREE;
        }
    }
    if a.branch != b.branch {
        penalty *= DISAGREE;
    }
    if group_and_member(a, b) || bare_and_named(a, b) || bare_and_named(b, a) {
        penalty *= DISAGREE;
    }
    if penalty < floor {
        return 0.0;
    }
    let han = |s: &str| s.chars().any(crate::search::terms::is_han);
    let bound = |x: usize, y: usize| 1.0 - x.abs_diff(y) as f64 / x.max(y).max(1) as f64;
    let sim = if han(&a.core) && han(&b.core) {
        let (core_a, core_b) = (a.core.chars().count(), b.core.chars().count());
        let ind_a: usize = a.industry.iter().map(|w| w.chars().count()).sum();
        let ind_b: usize = b.industry.iter().map(|w| w.chars().count()).sum();
        let upper = bound(core_a, core_b).max(bound(core_a + ind_a, core_b + ind_b));
        if upper * penalty < floor {
            return 0.0;
        }
        let ca: Vec<char> = a.core.chars().collect();
        let cb: Vec<char> = b.core.chars().collect();
        let core = 1.0 - strsim::generic_levenshtein(&ca, &cb) as f64 / core_a.max(core_b) as f64;
        let fa: Vec<char> = ca
            .into_iter()
            .chain(a.industry.iter().flat_map(|w| w.chars()))
            .collect();
        let fb: Vec<char> = cb
            .into_iter()
            .chain(b.industry.iter().flat_map(|w| w.chars()))
            .collect();
        let full =
            1.0 - strsim::generic_levenshtein(&fa, &fb) as f64 / fa.len().max(fb.len()) as f64;
        core.max(full)
    } else if a.core_latin.is_empty() || b.core_latin.is_empty() {
        0.0
    } else {
        if bound(a.core_latin.len(), b.core_latin.len()) * penalty < floor {
            return 0.0;
        }
        strsim::normalized_levenshtein(&a.core_latin, &b.core_latin)
    };
    sim * penalty
}

/// A company domain of `a` whose label starts with the pinyin of a core of `b`
/// (`xiaomi.com`, `huaxin-soft.com.cn` for 华信).
fn domain_spells_name(a: &Profile, b: &Profile) -> bool {
    a.domains.iter().any(|domain| {
        let label = super::normalise::domain_label(domain);
        b.names
            .iter()
            .any(|n| n.core_latin.len() >= 4 && label.starts_with(&n.core_latin))
    })
}

/// The same person on both sides: the same Chinese full name, or a full name whose pinyin is an
/// e-mail address of the other side (张明 ↔ zhang.ming@...).
fn same_person(a: &Profile, b: &Profile) -> Option<String> {
    for x in &a.people {
        for y in &b.people {
            let full = |p: &super::normalise::PersonName| !p.given.is_empty();
            if x.gender.is_some() && y.gender.is_some() && x.gender != y.gender {
                continue;
            }
            if full(x) && full(y) && x.surname == y.surname && x.given == y.given {
                return Some("same contact name".into());
            }
            let latin_only = |p: &super::normalise::PersonName| p.surname.is_empty();
            if (latin_only(x) && full(y) && (x.latin == y.latin || x.latin == y.latin_reversed))
                || (latin_only(y) && full(x) && (y.latin == x.latin || y.latin == x.latin_reversed))
            {
                return Some("contact name matches in pinyin".into());
            }
        }
    }
    let spelled = |p: &Profile, q: &Profile| {
        p.people.iter().any(|person| {
            !person.latin.is_empty()
                && (person.surname.is_empty() || !person.given.is_empty())
                && q.email_locals
                    .iter()
                    .any(|l| *l == person.latin || *l == person.latin_reversed)
        })
    };
    (spelled(a, b) || spelled(b, a)).then(|| "contact name matches an e-mail address".into())
}

/// `+8613812345678` → `138…`; other numbers keep their country code and three digits.
pub fn mask_phone(e164: &str) -> String {
    match e164.strip_prefix("+86") {
        Some(national) => format!("{}…", national.chars().take(3).collect::<String>()),
        None => format!("{}…", e164.chars().take(5).collect::<String>()),
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::profile::ProfileSource;

    fn profile(name: &str) -> Profile {
        Profile::build(&ProfileSource {
            name,
            ..Default::default()
        })
    }

    #[test]
    fn same_company_written_three_ways_is_similar() {
        let rules = DedupRules::default();
        let a = profile("小米科技（北京）有限公司");
        let b = profile("北京小米科技");
        let (score, reasons) = compare(&a, &b, &rules);
        assert!(score >= 0.85, "{score} {reasons:?}");
        assert_eq!(reasons[0].kind, ReasonKind::SimilarName);
        assert!(reasons[0].detail.starts_with("name 100%"), "{reasons:?}");
    }

    #[test]
    fn different_industry_under_one_brand_is_not_flagged() {
        let (score, _) = compare(
            &profile("北京小米科技"),
            &profile("北京小米信息技术"),
            &DedupRules::default(),
        );
        assert!(score < 0.85, "{score}");
    }

    fn flagged(a: &str, b: &str) -> bool {
        compare(&profile(a), &profile(b), &DedupRules::default()).0 >= 0.85
    }

    #[test]
    fn a_name_in_traditional_script_matches_its_simplified_form() {
        for (a, b) in [
            ("華為技術有限公司", "华为技术"),
            ("台灣積體電路製造股份有限公司", "台湾积体电路制造"),
            ("廣州市東興貿易有限公司", "东兴贸易（广州）"),
        ] {
            assert!(flagged(a, b), "{a} | {b}");
        }
    }

    #[test]
    fn trade_words_and_a_city_prefix_are_decoration_around_the_name() {
        for (a, b) in [
            ("东莞市华达五金厂", "东莞华达五金"),
            ("寿光市绿源蔬菜专业合作社", "绿源蔬菜专业合作社"),
            ("义乌市金鼎饰品商行", "金鼎饰品"),
            ("北京市金诚律师事务所", "金诚律师"),
            ("晨光摄影工作室", "晨光摄影"),
            ("瑞康健康管理中心", "瑞康健康管理"),
            ("佛山市南海区恒发陶瓷经营部", "恒发陶瓷"),
            ("老刘烟酒店", "老刘烟酒"),
            ("百果园水果门店", "百果园水果"),
        ] {
            assert!(flagged(a, b), "{a} | {b}");
        }
    }

    #[test]
    fn national_and_group_markers_are_decoration_around_the_name() {
        for (a, b) in [
            ("中国平安保险（集团）股份有限公司", "平安保险"),
            ("中华联合财产保险股份有限公司", "联合财产保险"),
            ("万向控股集团有限公司", "万向集团"),
            ("中国华润有限公司", "华润"),
        ] {
            assert!(flagged(a, b), "{a} | {b}");
        }
    }

    #[test]
    fn a_group_is_not_its_subsidiary_in_a_named_trade() {
        assert!(!flagged("新华联集团有限公司", "成都新华联医药"));
        assert!(!flagged("联想集团", "联想电子"));
    }

    #[test]
    fn ordinals_numbered_units_and_directions_keep_two_customers_apart() {
        for (a, b) in [
            ("北京师范大学附属第一中学", "北京师范大学附属第二中学"),
            ("东莞华达五金制品厂一分厂", "东莞华达五金制品厂二分厂"),
            ("好邻居便利连锁3号店", "好邻居便利连锁5号店"),
            ("永辉超市福州东区店", "永辉超市福州西区店"),
            ("上海市第六人民医院", "上海市第十人民医院"),
        ] {
            assert!(!flagged(a, b), "{a} | {b}");
        }
    }

    #[test]
    fn a_shared_phone_does_not_join_two_numbered_branches() {
        let a = Profile::build(&ProfileSource {
            name: "好邻居便利连锁3号店",
            phones: vec!["+8610800800800"],
            ..Default::default()
        });
        let b = Profile::build(&ProfileSource {
            name: "好邻居便利连锁5号店",
            phones: vec!["+8610800800800"],
            ..Default::default()
        });
        let (score, reasons) = compare(&a, &b, &DedupRules::default());
        assert!(score < 0.85, "{score} {reasons:?}");
    }

    #[test]
    fn the_same_unit_written_in_digits_or_in_words_still_matches() {
        assert!(flagged(
            "北京师范大学附属第一中学",
            "北京师范大学附属第1中学"
        ));
        assert!(flagged("好邻居便利连锁3号店", "好邻居便利连锁三号店"));
    }

    #[test]
    fn a_city_written_inside_a_chain_shop_name_is_its_region() {
        assert!(flagged("永辉超市福州东区店", "福州市永辉超市东区店"));
        assert!(!flagged("永辉超市福州东区店", "永辉超市厦门东区店"));
    }

    #[test]
    fn a_bare_two_character_brand_needs_more_than_its_name() {
        assert!(!flagged("恒通", "恒通电子"));
        let with_phone = |name| {
            Profile::build(&ProfileSource {
                name,
                phones: vec!["+8613812345678"],
                ..Default::default()
            })
        };
        let (score, _) = compare(
            &with_phone("恒通"),
            &with_phone("恒通电子"),
            &DedupRules::default(),
        );
        assert!(score >= 0.85, "{score}");
    }

    #[test]
    fn a_phone_reason_shows_only_the_prefix() {
        assert_eq!(mask_phone("+8613812345678"), "138…");
    }
}
