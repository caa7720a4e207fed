//! Normalisation: turning what reps type into comparable parts.
//!
//! The same company reaches the CRM as 「北京小米」 from WeChat, 「小米科技（北京）有限公司」
//! from a business card and 「Xiaomi Inc.」 from a web form. Comparing raw strings finds none of
//! these; comparing the *distinctive part* of each name does. The rules, in the order applied:
//!
//! - **Width and case**: full-width ASCII (ＡＢＣ，１２３) becomes half-width, the ideographic
//!   space a space, Latin letters lower case.
//! - **Script**: traditional characters become simplified ones (華為技術 → 华为技术), because
//!   Hong Kong and Taiwan cards, and some reps' input methods, write the same company in the
//!   other script. For comparison only: the stored name stays as typed. The conversion is
//!   OpenCC's dictionaries through the `hanconv` crate (pure Rust).
//! - **Units** (read before anything is stripped): a number after 第 or before a unit word
//!   (第一中学, 一分厂, 3号店, 第六人民医院) and a direction before 区/门/店 (东区店) name one
//!   unit of several; digits and Chinese numerals read alike (第1中学 = 第一中学). `score`
//!   never flags two names whose units differ: they are one character apart and two
//!   customers.
//! - **Parentheses**: （深圳） / (北京) are taken out; a place inside becomes the *region*, a
//!   legal form inside (（有限合伙）) is dropped, anything else stays in the name.
//! - **Branch**: a trailing 分公司 / 分店 / 办事处 / 营业部 / 分部 / branch marks a branch
//!   office; the place before it is the *branch*. A branch is a different customer from its
//!   head office, so it is kept apart from the rest of the name.
//! - **Legal forms and trade words**: 股份有限公司, 有限责任公司, 有限公司, 集团, 控股, 公司,
//!   and the words small businesses register under — 厂, 店, 门店, 经营部, 商行, 工作室,
//!   事务所, 合作社, 中心 — Co., Ltd., Inc., LLC, GmbH... are dropped from the end (repeatedly):
//!   reps leave them out (东莞市华达五金厂 is 「华达五金」 on the phone).
//! - **Group markers**: a name that drops 集团 / 控股 / Group (also as （集团） inside) is
//!   marked a *group*: 万向控股集团 and 万向集团 are one, but a bare group and a company of the
//!   same name in a named trade (新华联集团 / 新华联医药) are two customers (see `score`).
//! - **Region markers**: a leading province or city (北京市, 广东省, 深圳), any two- or
//!   three-character city written with 市 (寿光市, 义乌市: the list cannot hold every city),
//!   and a leading district (朝阳区) are the *region*, not the name.
//! - **National markers**: a leading 中国 / 中华 is dropped (中国平安保险 → 平安保险): the
//!   registered name carries it, people do not say it.
//! - **Industry**: trailing industry words (科技, 信息技术, 软件, 贸易, tech, trading...) are the
//!   *industry*, kept as a list of words so that 软件 and 软件技术 agree while 科技 and 信息技术
//!   do not (北京小米科技 and 北京小米信息技术 are two companies). Synonyms share one spelling
//!   (技术 = 科技 = technology; 物流 = logistics), so a Chinese name meets its English form.
//! - **Double taps**: a branch marker, legal form or industry word whose last character was
//!   typed twice (科技技, 有限公司司) still counts as that word; a doubled character in the
//!   core stays (拼多多 is a name).
//! - What is left is the **core** (小米, 华信, acme); its pinyin (xiaomi) lets a Chinese core
//!   match a Latin one.
//! - **Person names**: titles and honorifics (经理, 总监, 总, 先生, 女士, 老师, 主任, 董事长,
//!   老/小 prefixes...) are stripped to surname + given name where present (王经理 → 王;
//!   王建国总监 → 王建国). An honorific that says a gender (先生, 哥 / 女士, 小姐, 姐) is kept as
//!   the person's *gender*: 王先生 and 王女士 are two people, never collapsed. Latin names keep
//!   their words (Zhang Ming → zhang, ming).
//! - **E-mail domains**: public providers (qq.com, 163.com, gmail.com, ...) never count as a
//!   company match, as Odoo does; only the full address does.
//! - Phones go through the core's phone normaliser (E.164) and the credit code through its
//!   validator, so both compare exactly.
//!
//! Why hand-written: no maintained crate knows Chinese legal forms, region markers or titles;
//! the width conversion is one arithmetic rule over two Unicode blocks, not worth a dependency.
//! Pinyin comes from the `pinyin` crate, as in search; traditional → simplified from `hanconv`
//! (OpenCC's dictionaries; `zhconv` is GPL, `ferrous-opencc` pulls a CLI's dependencies into
//! the library); similarity from `strsim` (in `score`).
//! The word lists themselves live in `vocabulary`.

use pinyin::ToPinyin;

use super::vocabulary::{
    BRANCH_MARKERS, DIRECTIONS, DIRECTION_UNITS, FEMALE_HONORIFICS, GROUP_FORMS, INDUSTRY_SYNONYMS,
    INDUSTRY_WORDS, LEGAL_FORMS, MALE_HONORIFICS, NATIONAL_MARKERS, PLACES, PUBLIC_MAIL, SURNAMES,
    TITLES, UNIT_WORDS,
};
use crate::search::terms::is_han;
use crate::validate::fold_full_width;

/// A company name split into the parts compared separately.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CompanyName {
    /// The distinctive part: `小米`, `acme`.
    pub core: String,
    /// Province or city the name carries (`北京`), if any.
    pub region: Option<String>,
    /// Industry words, outermost last: `[信息, 技术]`.
    pub industry: Vec<String>,
    /// The branch office (`海淀`), or `*` for a branch whose place is not named.
    pub branch: Option<String>,
    /// Pinyin (or Latin letters) of the core, no separators: `xiaomi`.
    pub core_latin: String,
    /// The name is a group's or a holding's (集团, 控股, Group).
    #[serde(default)]
    pub group: bool,
    /// Numbered units and directions the name carries (`1中学`, `3号店`, `东区`): what tells
    /// two units of one organisation apart.
    #[serde(default)]
    pub units: Vec<String>,
}

/// A person's name without titles.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PersonName {
    /// Chinese surname (`王`, `欧阳`), or empty for a Latin-only name.
    pub surname: String,
    /// Chinese given name, empty when only a title was given (王经理).
    pub given: String,
    /// Pinyin of surname + given (`zhangming`) or the Latin words glued in order written.
    pub latin: String,
    /// The same, given name first (`mingzhang`): how Western-style e-mails spell it.
    pub latin_reversed: String,
    /// The gender an honorific gave (王先生, 王女士), if any.
    #[serde(default)]
    pub gender: Option<Gender>,
}

/// The gender an honorific says (先生 / 女士): two contacts of different genders are two people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

/// Full-width ASCII to half-width, the ideographic space to a space, lower case.
pub fn fold_width(text: &str) -> String {
    text.chars()
        .map(fold_full_width)
        .flat_map(char::to_lowercase)
        .collect()
}

/// [`fold_width`], then traditional characters to simplified ones (華為 → 华为), so that a
/// name typed in either script compares as one. For comparison only: the stored name stays as
/// typed.
pub fn comparable(text: &str) -> String {
    hanconv::t2s(fold_width(text))
}

fn canonical_industry(word: &str) -> String {
    INDUSTRY_SYNONYMS
        .iter()
        .find(|(from, _)| *from == word)
        .map(|(_, to)| to.to_string())
        .unwrap_or_else(|| word.to_string())
}

/// Whether `domain` belongs to a public e-mail provider.
pub fn is_public_mail_domain(domain: &str) -> bool {
    let domain = domain.trim().to_ascii_lowercase();
    PUBLIC_MAIL.contains(&domain.as_str())
        || domain.starts_with("yahoo.")
        || domain.starts_with("hotmail.")
        || domain.starts_with("outlook.")
}

/// The company part of an e-mail address's domain, or `None` for a public provider.
pub fn company_domain(email: &str) -> Option<String> {
    let domain = email.rsplit_once('@')?.1.trim().to_ascii_lowercase();
    (!domain.is_empty() && !is_public_mail_domain(&domain)).then_some(domain)
}

/// The letters of a domain's first label (`huaxin-soft.com.cn` → `huaxinsoft`).
pub fn domain_label(domain: &str) -> String {
    let label = domain.split('.').next().unwrap_or_default();
    label.chars().filter(char::is_ascii_alphabetic).collect()
}

/// The letters of an e-mail's local part, and its words (`zhang.ming` → `zhangming`, and
/// `[zhang, ming]`).
pub fn email_local(email: &str) -> (String, Vec<String>) {
    let local = email
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let words: Vec<String> = local
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    (words.concat(), words)
}

/// Pinyin of the Chinese characters and the letters and digits of everything else, glued.
pub fn latin_of(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(py) = c.to_pinyin() {
            out.push_str(py.plain());
        }
    }
    out
}

fn strip_suffix_any<'a>(text: &'a str, list: &[&'static str]) -> Option<(&'a str, &'static str)> {
    let trimmed = text.trim_end_matches(|c: char| c.is_whitespace() || ",.&-_".contains(c));
    list.iter()
        .filter(|w| trimmed.ends_with(**w))
        .max_by_key(|w| w.len())
        .map(|w| (&trimmed[..trimmed.len() - w.len()], *w))
        .filter(|(rest, w)| {
            // A Latin word only counts as a whole word.
            !w.is_ascii() || rest.is_empty() || !rest.ends_with(|c: char| c.is_ascii_alphanumeric())
        })
}

/// [`strip_suffix_any`] for the generic words of a company name, where a word whose last
/// character was typed twice (科技技, 有限公司司: an input method's double tap) still counts as
/// the word — no real company doubles the end of 科技. The distinctive part is left alone
/// (拼多多 is a name).
fn strip_generic<'a>(text: &'a str, list: &[&'static str]) -> Option<(&'a str, &'static str)> {
    let trimmed = text.trim_end_matches(|c: char| c.is_whitespace() || ",.&-_".contains(c));
    let mut end = trimmed.chars().rev();
    if let (Some(last), Some(before)) = (end.next(), end.next()) {
        let single = &trimmed[..trimmed.len() - last.len_utf8()];
        if last == before && is_han(last) && list.iter().any(|w| single.ends_with(w)) {
            return strip_suffix_any(single, list);
        }
    }
    strip_suffix_any(trimmed, list)
}

/// Whether `name` reads differently now that a generic word typed with its last character
/// twice counts as the word (see [`strip_generic`]): the stored names a store must profile
/// again once. Cheap for the names that double no character, which is nearly all of them.
pub fn read_differently_with_doubled_ends(name: &str) -> bool {
    let mut chars = name.chars().peekable();
    let mut doubled = false;
    while let Some(c) = chars.next() {
        doubled |= is_han(c) && chars.peek() == Some(&c);
    }
    doubled && parse_company(name, strip_generic) != parse_company(name, strip_suffix_any)
}

/// A leading city of two or three characters written with 市 (寿光市, 义乌市) that is not in
/// [`PLACES`]: a city prefix whatever the city. 超市 and 门市 are shops, not cities.
fn leading_city(text: &str) -> Option<&str> {
    let (at, _) = text
        .char_indices()
        .skip(2)
        .take(2)
        .find(|(_, c)| *c == '市')?;
    let city = &text[..at];
    let all_han = city.chars().all(is_han);
    (all_han && !city.ends_with(['超', '门']) && !text[at + '市'.len_utf8()..].trim().is_empty())
        .then_some(city)
}

fn strip_place_prefix(text: &str) -> Option<(&str, String)> {
    let trimmed = text.trim_start();
    let Some(place) = PLACES
        .iter()
        .filter(|p| trimmed.starts_with(**p))
        .max_by_key(|p| p.len())
    else {
        let city = leading_city(trimmed)?;
        let rest = &trimmed[city.len() + '市'.len_utf8()..];
        return Some((rest, city.to_string()));
    };
    let mut rest = &trimmed[place.len()..];
    for suffix in ["特别行政区", "自治区", "省", "市"] {
        if let Some(r) = rest.strip_prefix(suffix) {
            rest = r;
            break;
        }
    }
    // Never take the whole name: 北京 alone is a name, not a region.
    if rest.trim().is_empty() {
        return None;
    }
    Some((rest, place.to_string()))
}

/// A known place inside a name, after its first two characters, that ends the name or comes
/// just before a direction or a number (永辉超市福州东区 → 永辉超市东区, region 福州): the
/// city a shop of a chain is in, which reps write in front of the name as often as inside.
fn strip_place_inside(text: &str) -> Option<(String, &'static str)> {
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).skip(2).collect();
    for at in starts {
        let here = &text[at..];
        let Some(place) = PLACES
            .iter()
            .filter(|p| !p.is_ascii() && here.starts_with(**p))
            .max_by_key(|p| p.len())
        else {
            continue;
        };
        let rest = here[place.len()..].trim_start_matches('市');
        let mut next = rest.chars();
        let unit_follows = match (next.next(), next.next()) {
            (None, _) => true,
            (Some(d), Some(u)) if DIRECTIONS.contains(&d) && DIRECTION_UNITS.contains(&u) => true,
            (Some(c), _) => c.is_ascii_digit(),
        };
        if unit_follows {
            return Some((format!("{}{rest}", &text[..at]), place));
        }
    }
    None
}

/// A leading district (朝阳区, 浦东新区, 余杭县) of at most four characters.
fn strip_district_prefix(text: &str) -> &str {
    for (i, c) in text.char_indices().take(5) {
        if (c == '区' || c == '县') && i > 0 {
            let rest = &text[i + c.len_utf8()..];
            if !rest.trim().is_empty() {
                return rest;
            }
        }
    }
    text
}

/// The place named somewhere in `text` (an address, a name), if any.
pub fn place_in(text: &str) -> Option<String> {
    let folded = comparable(text);
    PLACES
        .iter()
        .filter_map(|p| folded.find(p).map(|at| (at, p)))
        .min_by_key(|(at, p)| (*at, usize::MAX - p.len()))
        .map(|(_, p)| p.to_string())
}

/// Splits a company name into core, region, industry and branch (see the module doc).
pub fn company(name: &str) -> CompanyName {
    parse_company(name, strip_generic)
}

/// The word stripper company names are read with.
type Strip = for<'a> fn(&'a str, &[&'static str]) -> Option<(&'a str, &'static str)>;

fn parse_company(name: &str, strip_word: Strip) -> CompanyName {
    let (folded, units) = read_units(&comparable(name));
    let mut out = CompanyName {
        units,
        ..Default::default()
    };
    // Parentheses: places become the region, the rest is dropped or kept.
    let mut text = String::new();
    let mut rest = folded.as_str();
    while let Some(open) = rest.find(['(', '（', '[', '【']) {
        text.push_str(&rest[..open]);
        let after = &rest[open..];
        let inner_start = after.chars().next().map(char::len_utf8).unwrap_or(1);
        let Some(close) = after.find([')', '）', ']', '】']) else {
            rest = &after[inner_start..];
            continue;
        };
        let inner = after[inner_start..close].trim();
        if let Some(place) = place_in(inner) {
            out.region.get_or_insert(place);
        } else if let Some((rest, form)) = strip_suffix_any(inner, LEGAL_FORMS) {
            out.group |= rest.trim().is_empty() && GROUP_FORMS.contains(&form);
        } else if !inner.is_empty() {
            text.push(' ');
            text.push_str(inner);
            text.push(' ');
        }
        let close_len = after[close..]
            .chars()
            .next()
            .map(char::len_utf8)
            .unwrap_or(1);
        rest = &after[close + close_len..];
    }
    text.push_str(rest);
    let mut text = text
        .replace(
            ['·', '•', '・', '。', '，', ',', '、', '"', '\'', '“', '”'],
            " ",
        )
        .trim()
        .to_string();

    // Branch office: keep what names it apart.
    if let Some((head, _)) = strip_word(&text, BRANCH_MARKERS) {
        let head = head.trim_end();
        let (main, branch) = match LEGAL_FORMS
            .iter()
            .filter_map(|f| head.rfind(f).map(|at| (at, f.len())))
            .max_by_key(|(at, len)| at + len)
        {
            Some((at, len)) if at + len < head.len() => {
                (head[..at + len].to_string(), head[at + len..].to_string())
            }
            _ => match PLACES
                .iter()
                .find(|p| head.ends_with(**p) && head.len() > p.len())
            {
                Some(p) => (head[..head.len() - p.len()].to_string(), p.to_string()),
                None => (head.to_string(), "*".to_string()),
            },
        };
        out.branch = Some(branch.trim().trim_end_matches(['市', '区']).to_string());
        text = main;
    }

    // Legal forms, then leading region and district, then industry words from the end.
    loop {
        match strip_word(&text, LEGAL_FORMS) {
            Some((rest, form)) if !rest.trim().is_empty() => {
                out.group |= GROUP_FORMS.contains(&form);
                text = rest.trim_end().to_string();
            }
            _ => break,
        }
    }
    if let Some((rest, place)) = strip_place_prefix(&text) {
        out.region.get_or_insert(place);
        text = rest.trim_start().to_string();
    }
    if let Some(rest) = NATIONAL_MARKERS
        .iter()
        .find_map(|m| text.strip_prefix(m))
        .filter(|rest| rest.chars().count() >= 2)
    {
        text = rest.to_string();
    }
    if text.chars().next().is_some_and(is_han) {
        text = strip_district_prefix(&text).to_string();
    }
    let mut industry = Vec::new();
    loop {
        match strip_word(&text, INDUSTRY_WORDS) {
            Some((rest, word)) if !rest.trim().is_empty() => {
                industry.push(canonical_industry(word));
                text = rest.trim_end().to_string();
            }
            _ => break,
        }
    }
    industry.reverse();
    // Legal forms may sit inside too (小米集团科技): strip once more after the industry.
    while let Some((rest, form)) = strip_word(&text, LEGAL_FORMS) {
        if rest.trim().is_empty() {
            break;
        }
        out.group |= GROUP_FORMS.contains(&form);
        text = rest.trim_end().to_string();
    }
    if let Some((rest, place)) = strip_place_inside(&text) {
        if out.region.as_deref().is_none_or(|r| r == place) {
            out.region = Some(place.to_string());
            text = rest;
        }
    }
    out.core = text
        .chars()
        .filter(|c| c.is_alphanumeric() || is_han(*c))
        .collect();
    out.industry = industry;
    out.core_latin = latin_of(&out.core);
    out
}

/// The value of a number written in digits or in Chinese numerals up to 999 (三 → 3, 十二 →
/// 12, 二十 → 20, 一百零五 → 105), or `None`.
fn number_value(text: &str) -> Option<u32> {
    if text.chars().all(|c| c.is_ascii_digit()) {
        return text.parse().ok();
    }
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|d| d as u32)
    };
    let (mut total, mut current) = (0u32, None::<u32>);
    for c in text.chars() {
        match c {
            '〇' | '零' => current = Some(0),
            '两' => current = Some(2),
            '十' => {
                total += current.unwrap_or(1) * 10;
                current = None;
            }
            '百' => {
                total += current.unwrap_or(1) * 100;
                current = None;
            }
            c => current = Some(digit(c)?),
        }
    }
    Some(total + current.unwrap_or(0))
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || "零〇一二三四五六七八九十百两".contains(c)
}

/// Numbered units (第一中学 → `1中学`, 二分厂 → `2分厂`, 3号店 → `3号店`, 第六人民医院 → `6人民医院`)
/// and directions of branches (东区店 → `东区`) in a folded name. A numeral counts only after
/// 第 or before a unit word, so 统一 or 三一重工 carry no unit.
pub fn units_in(folded: &str) -> Vec<String> {
    read_units(folded).1
}

/// `folded` with the number of each unit in digits (第一中学 → 第1中学, so that the two
/// spellings compare as one), and the units (see [`units_in`]).
fn read_units(folded: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = folded.chars().collect();
    let mut units = Vec::new();
    let mut text = String::with_capacity(folded.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if DIRECTIONS.contains(&c)
            && chars
                .get(i + 1)
                .is_some_and(|n| DIRECTION_UNITS.contains(n))
        {
            units.push(format!("{c}{}", chars[i + 1]));
            text.push(c);
            text.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if !is_numeral(c) {
            text.push(c);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_numeral(chars[i]) {
            i += 1;
        }
        let ordinal = start > 0 && chars[start - 1] == '第';
        let run: String = chars[start..i].iter().collect();
        let rest: String = chars[i..].iter().collect();
        let word = UNIT_WORDS
            .iter()
            .filter(|w| rest.starts_with(**w))
            .max_by_key(|w| w.len());
        let Some(n) = number_value(&run) else {
            text.push_str(&run);
            continue;
        };
        match word {
            Some(word) => {
                units.push(format!("{n}{word}"));
                text.push_str(&format!("{n}{word}"));
                i += word.chars().count();
            }
            None if ordinal => {
                units.push(format!("第{n}"));
                text.push_str(&n.to_string());
            }
            None => text.push_str(&run),
        }
    }
    units.sort();
    units.dedup();
    (text, units)
}

/// Whether two industry word lists can describe the same company: one is a prefix of the
/// other (软件 ~ 软件技术), or either is unknown.
pub fn industries_agree(a: &[String], b: &[String]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// Strips titles and honorifics from a person's name (see the module doc). `None` when what is
/// left does not look like a name.
pub fn person(raw: &str) -> Option<PersonName> {
    let folded = comparable(raw);
    let text = folded.trim();
    if text.is_empty() {
        return None;
    }
    if text.chars().any(is_han) {
        let mut name: String = text.chars().filter(|c| is_han(*c)).collect();
        for prefix in ["老", "小", "阿"] {
            if let Some(rest) = name.strip_prefix(prefix) {
                if SURNAMES.iter().any(|s| rest.starts_with(s)) && rest.chars().count() <= 3 {
                    name = rest.to_string();
                }
            }
        }
        let mut gender = None;
        while let Some((rest, title)) = strip_suffix_any(&name, TITLES) {
            if rest.is_empty() {
                break;
            }
            if MALE_HONORIFICS.contains(&title) {
                gender = Some(Gender::Male);
            } else if FEMALE_HONORIFICS.contains(&title) {
                gender = Some(Gender::Female);
            }
            name = rest.to_string();
        }
        let surname = SURNAMES.iter().find(|s| name.starts_with(**s))?;
        let given = name[surname.len()..].to_string();
        if given.chars().count() > 3 {
            return None;
        }
        let (s_py, g_py) = (latin_of(surname), latin_of(&given));
        Some(PersonName {
            surname: surname.to_string(),
            latin: format!("{s_py}{g_py}"),
            latin_reversed: if given.is_empty() {
                String::new()
            } else {
                format!("{g_py}{s_py}")
            },
            given,
            gender,
        })
    } else {
        let words: Vec<String> = text
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() > 1 || text.len() <= 3)
            .filter(|w| !["mr", "mrs", "ms", "dr", "miss", "prof"].contains(w))
            .map(str::to_string)
            .collect();
        if words.len() < 2 {
            return None;
        }
        let mut reversed = words.clone();
        reversed.reverse();
        Some(PersonName {
            surname: String::new(),
            given: String::new(),
            latin: words.concat(),
            latin_reversed: reversed.concat(),
            gender: None,
        })
    }
}

/// Whether a whole customer name reads as a person (a sole trader, an individual client): a
/// Chinese surname and one or two characters, nothing that marks a company.
pub fn looks_like_person(name: &str) -> bool {
    let folded = comparable(name);
    let han: String = folded.chars().filter(|c| is_han(*c)).collect();
    let n = han.chars().count();
    han.chars().count() == folded.chars().filter(|c| !c.is_whitespace()).count()
        && (2..=4).contains(&n)
        && SURNAMES
            .iter()
            .any(|s| han.starts_with(s) && han.len() > s.len())
        && INDUSTRY_WORDS.iter().all(|w| !han.ends_with(w))
        && LEGAL_FORMS.iter().all(|w| !han.ends_with(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_forms_regions_and_width_do_not_change_the_core() {
        let a = company("小米科技（北京）有限公司");
        let b = company("北京市小米科技有限责任公司");
        let c = company("ＸＩＡＯＭＩ Inc.");
        assert_eq!(a.core, "小米");
        assert_eq!(b.core, "小米");
        assert_eq!(a.region.as_deref(), Some("北京"));
        assert_eq!(b.region.as_deref(), Some("北京"));
        assert_eq!(a.industry, vec!["科技"]);
        let english = company("Xiaomi Technology Co., Ltd.");
        assert_eq!(
            (english.core_latin.as_str(), english.industry.clone()),
            ("xiaomi", vec!["科技".to_string()])
        );
        assert_eq!(c.core, "xiaomi");
        assert_eq!(a.core_latin, c.core_latin);
    }

    #[test]
    fn a_generic_word_typed_with_its_last_character_twice_is_still_that_word() {
        let typed = company("上海凤利科技技");
        assert_eq!(
            (typed.core.as_str(), typed.industry.clone()),
            ("凤利", vec!["科技".to_string()])
        );
        assert_eq!(company("华信软件有限公司司").core, "华信");
        // A doubled character in the distinctive part is a name, not a slip.
        assert_eq!(company("拼多多").core, "拼多多");
        assert_eq!(company("乐乐科技").core, "乐乐");
        assert!(read_differently_with_doubled_ends("上海凤利科技技"));
        assert!(!read_differently_with_doubled_ends("拼多多"));
        assert!(!read_differently_with_doubled_ends("沃实实业"));
    }

    #[test]
    fn industries_are_kept_apart_from_the_core() {
        let a = company("北京小米科技");
        let b = company("北京小米信息技术");
        assert_eq!(a.core, b.core);
        assert!(!industries_agree(&a.industry, &b.industry));
        let soft = company("华信软件");
        let soft_tech = company("北京华信软件技术有限公司");
        assert!(industries_agree(&soft.industry, &soft_tech.industry));
    }

    #[test]
    fn a_branch_office_is_marked_with_its_place() {
        let hq = company("北京华信软件技术有限公司");
        let branch = company("北京华信软件技术有限公司上海分公司");
        assert_eq!(hq.branch, None);
        assert_eq!(branch.branch.as_deref(), Some("上海"));
        assert_eq!(branch.core, "华信");
    }

    #[test]
    fn titles_collapse_to_surname_and_given_name() {
        for raw in ["王经理", "王总监", "王先生", "老王", "王总"] {
            let p = person(raw).expect(raw);
            assert_eq!((p.surname.as_str(), p.given.as_str()), ("王", ""), "{raw}");
        }
        let p = person("王建国董事长").expect("a name");
        assert_eq!((p.surname.as_str(), p.given.as_str()), ("王", "建国"));
        let p = person("欧阳娜娜").expect("a name");
        assert_eq!(p.surname, "欧阳");
        assert_eq!(person("张明").map(|p| p.latin), Some("zhangming".into()));
        assert_eq!(
            person("Ming Zhang").map(|p| p.latin_reversed),
            Some("zhangming".into())
        );
    }

    #[test]
    fn public_mail_providers_are_never_a_company_domain() {
        assert_eq!(company_domain("a@qq.com"), None);
        assert_eq!(company_domain("b@Gmail.com"), None);
        assert_eq!(company_domain("c@yahoo.co.jp"), None);
        assert_eq!(
            company_domain("zhang.ming@xxtech.com").as_deref(),
            Some("xxtech.com")
        );
        assert_eq!(domain_label("huaxin-soft.com.cn"), "huaxinsoft");
    }

    #[test]
    fn odd_input_never_panics_and_a_name_is_never_stripped_to_nothing() {
        for raw in [
            "",
            " ",
            "（北京",
            "(",
            "）)",
            "有限公司",
            "北京",
            "Co., Ltd.",
            "😀😀",
            "分公司",
            "ａ",
            "--__--",
            "北京市朝阳区",
            "王",
            "老",
            "总经理",
            "@@@",
            "x@",
            "（（（深圳）））",
        ] {
            let parsed = company(raw);
            let _ = person(raw);
            let _ = looks_like_person(raw);
            let _ = place_in(raw);
            assert!(parsed.core.chars().count() <= raw.chars().count(), "{raw}");
        }
        assert_eq!(
            company("有限公司").core,
            "有限公司",
            "a name is never stripped to nothing"
        );
        assert!(!company("Co., Ltd.").core.is_empty());
        let long = "华".repeat(10_000);
        assert_eq!(company(&long).core.chars().count(), 10_000);
    }

    #[test]
    fn person_like_customer_names_are_recognised() {
        assert!(looks_like_person("张伟"));
        assert!(!looks_like_person("张伟科技"));
        assert!(!looks_like_person("北京小米"));
    }
}
