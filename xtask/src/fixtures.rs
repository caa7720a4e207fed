//! Deterministic fake CRM data for fieldsales benchmarks, demos and tests.
//!
//! This module owns everything needed to turn a `u64` seed into realistic
//! mainland-China field-sales records: the word lists (surnames and given
//! names, brand-like company roots, industries, cities with their districts,
//! administrative division codes, area codes and centre coordinates), and the
//! [`Generator`] that builds companies (short and registered names, address,
//! coordinates, unified social credit code, phone, email domain, contacts),
//! messy phone numbers, pain points, visit notes and next actions.
//!
//! Reproducibility is the point: the same seed must give the same data on
//! every machine, so that a benchmark run on a laptop and on CI measures the
//! same records and a failing test can be replayed from its seed. Three rules
//! keep it that way:
//! - the RNG is `ChaCha8Rng`, whose stream is specified, not platform-chosen;
//! - every random index is drawn from a `u32` range, because rand 0.8 samples
//!   `usize` ranges at the platform's pointer width (32-bit targets would
//!   otherwise diverge);
//! - no transcendental float function (`sin`, `cos`, ...) is used, because
//!   their last bit differs between libm implementations; coordinates come
//!   from rejection sampling with precomputed per-city scale factors.
//!
//! Changing a word list changes the data for every seed; that is expected,
//! and the pinned-output test says so when it happens.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/// A generated customer company, shaped like what a rep would enter or an
/// import from a business-registry lookup would give.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeCompany {
    /// The short name reps actually type: `华信软件`, `北京华信`.
    pub name: String,
    /// Full registered name: `北京华信软件有限公司`, `华信软件（上海）有限公司`.
    pub legal_name: String,
    /// Short industry word (`软件`, `物流`, ...), the usual CRM 行业 field.
    pub industry: String,
    /// City short name without 市: `北京`, `深圳`.
    pub city: String,
    /// Street address including city and district.
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    /// 18-character unified social credit code with a valid check character.
    pub credit_code: String,
    /// Either an 11-digit mobile or `AREA-SUBSCRIBER` for the company's city.
    pub phone: String,
    /// Company mail domain such as `huaxin-soft.com.cn`, for about 60%.
    pub email_domain: Option<String>,
    /// One to three people at the company.
    pub contacts: Vec<FakeContact>,
}

/// A person at a customer company.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FakeContact {
    pub name: String,
    pub title: String,
    /// Canonical 11-digit mobile (use [`Generator::messy_mobile`] for dirty input).
    pub mobile: String,
    pub wechat: Option<String>,
    pub email: Option<String>,
}

/// Seeded generator of fake fieldsales data. Cheap to create (a few
/// microseconds); for parallel generation use one per thread, each with its
/// own seed, since the output of one generator depends on every call before.
pub struct Generator {
    rng: ChaCha8Rng,
    // Cumulative weights for the tables sampled on every company, so a pick
    // is a binary search rather than a scan of ~100 entries.
    surname_cum: Vec<u32>,
    city_cum: Vec<u32>,
    mobile_cum: Vec<u32>,
    // Distinct first and second characters of ROOTS (with pinyin), which
    // recombined brand names are drawn from uniformly.
    leads: Vec<(char, &'static str)>,
    tails: Vec<(char, &'static str)>,
}

// ---------------------------------------------------------------------------
// Word lists
// ---------------------------------------------------------------------------

/// Surnames with pinyin and a weight in hundredths of a percent of the
/// population, roughly following published surname frequency rankings; the
/// compound surnames at the end are rare but present so that downstream
/// code meets two-character surnames.
const SURNAMES: &[(&str, &str, u32)] = &[
    ("王", "wang", 710),
    ("李", "li", 700),
    ("张", "zhang", 670),
    ("刘", "liu", 540),
    ("陈", "chen", 450),
    ("杨", "yang", 310),
    ("黄", "huang", 220),
    ("赵", "zhao", 200),
    ("吴", "wu", 200),
    ("周", "zhou", 190),
    ("徐", "xu", 150),
    ("孙", "sun", 150),
    ("马", "ma", 130),
    ("朱", "zhu", 130),
    ("胡", "hu", 120),
    ("郭", "guo", 120),
    ("何", "he", 110),
    ("高", "gao", 110),
    ("林", "lin", 110),
    ("罗", "luo", 100),
    ("郑", "zheng", 90),
    ("梁", "liang", 90),
    ("谢", "xie", 80),
    ("宋", "song", 80),
    ("唐", "tang", 80),
    ("许", "xu", 70),
    ("韩", "han", 70),
    ("冯", "feng", 70),
    ("邓", "deng", 70),
    ("曹", "cao", 70),
    ("彭", "peng", 60),
    ("曾", "zeng", 60),
    ("肖", "xiao", 60),
    ("田", "tian", 60),
    ("董", "dong", 50),
    ("袁", "yuan", 50),
    ("潘", "pan", 50),
    ("于", "yu", 50),
    ("蒋", "jiang", 50),
    ("蔡", "cai", 50),
    ("余", "yu", 50),
    ("杜", "du", 50),
    ("叶", "ye", 40),
    ("程", "cheng", 40),
    ("苏", "su", 40),
    ("魏", "wei", 40),
    ("吕", "lv", 40),
    ("丁", "ding", 40),
    ("任", "ren", 40),
    ("沈", "shen", 40),
    ("姚", "yao", 40),
    ("卢", "lu", 40),
    ("姜", "jiang", 30),
    ("崔", "cui", 30),
    ("钟", "zhong", 30),
    ("谭", "tan", 30),
    ("陆", "lu", 30),
    ("汪", "wang", 30),
    ("范", "fan", 30),
    ("金", "jin", 30),
    ("石", "shi", 30),
    ("廖", "liao", 30),
    ("贾", "jia", 30),
    ("夏", "xia", 30),
    ("韦", "wei", 30),
    ("付", "fu", 30),
    ("方", "fang", 30),
    ("白", "bai", 30),
    ("邹", "zou", 30),
    ("孟", "meng", 30),
    ("熊", "xiong", 30),
    ("秦", "qin", 30),
    ("邱", "qiu", 30),
    ("江", "jiang", 30),
    ("尹", "yin", 30),
    ("薛", "xue", 20),
    ("闫", "yan", 20),
    ("段", "duan", 20),
    ("雷", "lei", 20),
    ("侯", "hou", 20),
    ("龙", "long", 20),
    ("史", "shi", 20),
    ("陶", "tao", 20),
    ("黎", "li", 20),
    ("贺", "he", 20),
    ("顾", "gu", 20),
    ("毛", "mao", 20),
    ("郝", "hao", 20),
    ("龚", "gong", 20),
    ("邵", "shao", 20),
    ("万", "wan", 20),
    ("钱", "qian", 20),
    ("严", "yan", 20),
    ("覃", "qin", 20),
    ("武", "wu", 20),
    ("戴", "dai", 20),
    ("莫", "mo", 20),
    ("孔", "kong", 20),
    ("向", "xiang", 20),
    ("汤", "tang", 20),
    ("欧阳", "ouyang", 6),
    ("司马", "sima", 2),
    ("上官", "shangguan", 2),
    ("诸葛", "zhuge", 2),
    ("司徒", "situ", 2),
    ("东方", "dongfang", 1),
    ("皇甫", "huangfu", 1),
    ("慕容", "murong", 1),
    ("令狐", "linghu", 1),
    ("夏侯", "xiahou", 1),
    ("端木", "duanmu", 1),
    ("宇文", "yuwen", 1),
];

/// Given-name characters more often used for men.
const GIVEN_MALE: &[(&str, &str)] = &[
    ("伟", "wei"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("勇", "yong"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("斌", "bin"),
    ("超", "chao"),
    ("明", "ming"),
    ("刚", "gang"),
    ("平", "ping"),
    ("辉", "hui"),
    ("鹏", "peng"),
    ("华", "hua"),
    ("飞", "fei"),
    ("鑫", "xin"),
    ("波", "bo"),
    ("宇", "yu"),
    ("浩", "hao"),
    ("凯", "kai"),
    ("健", "jian"),
    ("俊", "jun"),
    ("帆", "fan"),
    ("旭", "xu"),
    ("宁", "ning"),
    ("龙", "long"),
    ("林", "lin"),
    ("阳", "yang"),
    ("东", "dong"),
    ("亮", "liang"),
    ("峰", "feng"),
    ("建", "jian"),
    ("志", "zhi"),
    ("文", "wen"),
    ("海", "hai"),
    ("晨", "chen"),
    ("博", "bo"),
    ("昊", "hao"),
    ("然", "ran"),
    ("哲", "zhe"),
    ("睿", "rui"),
    ("轩", "xuan"),
    ("泽", "ze"),
    ("子", "zi"),
    ("一", "yi"),
    ("天", "tian"),
    ("嘉", "jia"),
    ("铭", "ming"),
    ("航", "hang"),
    ("毅", "yi"),
    ("诚", "cheng"),
    ("坤", "kun"),
    ("锋", "feng"),
    ("立", "li"),
    ("国", "guo"),
    ("德", "de"),
    ("春", "chun"),
    ("永", "yong"),
    ("庆", "qing"),
    ("学", "xue"),
    ("振", "zhen"),
    ("彬", "bin"),
    ("豪", "hao"),
    ("翔", "xiang"),
    ("晓", "xiao"),
    ("新", "xin"),
    ("成", "cheng"),
    ("家", "jia"),
];

/// Given-name characters more often used for women.
const GIVEN_FEMALE: &[(&str, &str)] = &[
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("艳", "yan"),
    ("娟", "juan"),
    ("霞", "xia"),
    ("燕", "yan"),
    ("玲", "ling"),
    ("婷", "ting"),
    ("雪", "xue"),
    ("慧", "hui"),
    ("莉", "li"),
    ("颖", "ying"),
    ("倩", "qian"),
    ("琳", "lin"),
    ("晶", "jing"),
    ("欣", "xin"),
    ("怡", "yi"),
    ("佳", "jia"),
    ("雯", "wen"),
    ("萍", "ping"),
    ("红", "hong"),
    ("梅", "mei"),
    ("琴", "qin"),
    ("蕾", "lei"),
    ("璐", "lu"),
    ("瑶", "yao"),
    ("菲", "fei"),
    ("洁", "jie"),
    ("薇", "wei"),
    ("悦", "yue"),
    ("诗", "shi"),
    ("梦", "meng"),
    ("晓", "xiao"),
    ("思", "si"),
    ("雨", "yu"),
    ("欢", "huan"),
    ("月", "yue"),
    ("楠", "nan"),
    ("丹", "dan"),
    ("妍", "yan"),
    ("婧", "jing"),
    ("蓉", "rong"),
    ("露", "lu"),
    ("琪", "qi"),
    ("淑", "shu"),
    ("秀", "xiu"),
    ("英", "ying"),
    ("云", "yun"),
    ("玉", "yu"),
    ("凤", "feng"),
    ("兰", "lan"),
    ("桂", "gui"),
    ("珊", "shan"),
    ("可", "ke"),
    ("馨", "xin"),
    ("涵", "han"),
];

/// Characters that read naturally doubled (娜娜, 婷婷), for the minority of
/// reduplicated given names.
const GIVEN_DOUBLED: &[(&str, &str)] = &[
    ("娜", "na"),
    ("婷", "ting"),
    ("丹", "dan"),
    ("晶", "jing"),
    ("璐", "lu"),
    ("欢", "huan"),
    ("菲", "fei"),
    ("倩", "qian"),
    ("亮", "liang"),
    ("明", "ming"),
];

/// Distinctive two-character brand roots with per-syllable pinyin. The
/// syllables are kept apart because roots are also recombined (first
/// character of one, second of another) and the pinyin must follow.
/// Well-known real brands are deliberately absent; see [`DENY_ROOTS`].
const ROOTS: &[(&str, &str, &str)] = &[
    ("华信", "hua", "xin"),
    ("腾达", "teng", "da"),
    ("恒通", "heng", "tong"),
    ("瑞丰", "rui", "feng"),
    ("金桥", "jin", "qiao"),
    ("博远", "bo", "yuan"),
    ("新锐", "xin", "rui"),
    ("宏达", "hong", "da"),
    ("泰和", "tai", "he"),
    ("嘉禾", "jia", "he"),
    ("鼎盛", "ding", "sheng"),
    ("昌隆", "chang", "long"),
    ("德润", "de", "run"),
    ("天宇", "tian", "yu"),
    ("海纳", "hai", "na"),
    ("智达", "zhi", "da"),
    ("汇通", "hui", "tong"),
    ("聚力", "ju", "li"),
    ("安信", "an", "xin"),
    ("永泰", "yong", "tai"),
    ("康达", "kang", "da"),
    ("益丰", "yi", "feng"),
    ("升华", "sheng", "hua"),
    ("航宇", "hang", "yu"),
    ("凯瑞", "kai", "rui"),
    ("晟达", "sheng", "da"),
    ("科锐", "ke", "rui"),
    ("明远", "ming", "yuan"),
    ("光启", "guang", "qi"),
    ("启明", "qi", "ming"),
    ("源通", "yuan", "tong"),
    ("诚信", "cheng", "xin"),
    ("荣盛", "rong", "sheng"),
    ("佳和", "jia", "he"),
    ("宝利", "bao", "li"),
    ("正元", "zheng", "yuan"),
    ("元亨", "yuan", "heng"),
    ("方圆", "fang", "yuan"),
    ("东华", "dong", "hua"),
    ("南方", "nan", "fang"),
    ("北辰", "bei", "chen"),
    ("西域", "xi", "yu"),
    ("亚泰", "ya", "tai"),
    ("欧亚", "ou", "ya"),
    ("美达", "mei", "da"),
    ("联创", "lian", "chuang"),
    ("合力", "he", "li"),
    ("众联", "zhong", "lian"),
    ("星辰", "xing", "chen"),
    ("云帆", "yun", "fan"),
    ("峰创", "feng", "chuang"),
    ("江南", "jiang", "nan"),
    ("山河", "shan", "he"),
    ("林森", "lin", "sen"),
    ("禾丰", "he", "feng"),
    ("谷雨", "gu", "yu"),
    ("润达", "run", "da"),
    ("泽源", "ze", "yuan"),
    ("鸿运", "hong", "yun"),
    ("鹏程", "peng", "cheng"),
    ("飞扬", "fei", "yang"),
    ("翔宇", "xiang", "yu"),
    ("骏马", "jun", "ma"),
    ("龙腾", "long", "teng"),
    ("凤凰", "feng", "huang"),
    ("麒麟", "qi", "lin"),
    ("瀚海", "han", "hai"),
    ("宸宇", "chen", "yu"),
    ("煜辉", "yu", "hui"),
    ("晖阳", "hui", "yang"),
    ("耀华", "yao", "hua"),
    ("辉煌", "hui", "huang"),
    ("铭泰", "ming", "tai"),
    ("卓越", "zhuo", "yue"),
    ("睿智", "rui", "zhi"),
    ("思源", "si", "yuan"),
    ("维新", "wei", "xin"),
    ("讯达", "xun", "da"),
    ("捷通", "jie", "tong"),
    ("迅捷", "xun", "jie"),
    ("驰远", "chi", "yuan"),
    ("拓普", "tuo", "pu"),
    ("展鹏", "zhan", "peng"),
    ("开元", "kai", "yuan"),
    ("建华", "jian", "hua"),
    ("立信", "li", "xin"),
    ("成达", "cheng", "da"),
    ("富通", "fu", "tong"),
    ("贵和", "gui", "he"),
    ("祥瑞", "xiang", "rui"),
    ("福瑞", "fu", "rui"),
    ("吉祥", "ji", "xiang"),
    ("顺达", "shun", "da"),
    ("宁远", "ning", "yuan"),
    ("安平", "an", "ping"),
    ("优品", "you", "pin"),
    ("品诚", "pin", "cheng"),
    ("尚品", "shang", "pin"),
    ("臻品", "zhen", "pin"),
    ("精工", "jing", "gong"),
    ("匠心", "jiang", "xin"),
    ("铸诚", "zhu", "cheng"),
    ("钢联", "gang", "lian"),
    ("铁骑", "tie", "qi"),
    ("银河", "yin", "he"),
    ("玉泉", "yu", "quan"),
    ("珠江", "zhu", "jiang"),
    ("翠微", "cui", "wei"),
    ("青云", "qing", "yun"),
    ("蓝天", "lan", "tian"),
    ("紫荆", "zi", "jing"),
    ("红星", "hong", "xing"),
    ("彩虹", "cai", "hong"),
    ("霞光", "xia", "guang"),
    ("晨曦", "chen", "xi"),
    ("曦和", "xi", "he"),
    ("朗润", "lang", "run"),
    ("阳光", "yang", "guang"),
    ("春晖", "chun", "hui"),
    ("秋实", "qiu", "shi"),
    ("冠华", "guan", "hua"),
    ("首创", "shou", "chuang"),
    ("一诺", "yi", "nuo"),
    ("万通", "wan", "tong"),
    ("千禧", "qian", "xi"),
    ("百川", "bai", "chuan"),
    ("亿达", "yi", "da"),
    ("九州", "jiu", "zhou"),
    ("三元", "san", "yuan"),
    ("友联", "you", "lian"),
    ("邦达", "bang", "da"),
    ("国信", "guo", "xin"),
    ("民安", "min", "an"),
    ("华创", "hua", "chuang"),
    ("华瑞", "hua", "rui"),
    ("华宇", "hua", "yu"),
    ("华腾", "hua", "teng"),
    ("华盛", "hua", "sheng"),
    ("华冠", "hua", "guan"),
    ("金鼎", "jin", "ding"),
    ("金盛", "jin", "sheng"),
    ("金穗", "jin", "sui"),
    ("金源", "jin", "yuan"),
    ("金鹏", "jin", "peng"),
    ("金石", "jin", "shi"),
    ("金辉", "jin", "hui"),
    ("金达", "jin", "da"),
    ("恒信", "heng", "xin"),
    ("恒泰", "heng", "tai"),
    ("恒昌", "heng", "chang"),
    ("恒远", "heng", "yuan"),
    ("恒达", "heng", "da"),
    ("瑞达", "rui", "da"),
    ("瑞祥", "rui", "xiang"),
    ("瑞和", "rui", "he"),
    ("瑞景", "rui", "jing"),
    ("瑞康", "rui", "kang"),
    ("博瑞", "bo", "rui"),
    ("博雅", "bo", "ya"),
    ("博达", "bo", "da"),
    ("博思", "bo", "si"),
    ("博创", "bo", "chuang"),
    ("新源", "xin", "yuan"),
    ("新航", "xin", "hang"),
    ("新宇", "xin", "yu"),
    ("新力", "xin", "li"),
    ("中泰", "zhong", "tai"),
    ("中联", "zhong", "lian"),
    ("中正", "zhong", "zheng"),
    ("中达", "zhong", "da"),
    ("东辰", "dong", "chen"),
    ("东盛", "dong", "sheng"),
    ("东泰", "dong", "tai"),
    ("南华", "nan", "hua"),
    ("南洋", "nan", "yang"),
    ("北斗", "bei", "dou"),
    ("北方", "bei", "fang"),
    ("天成", "tian", "cheng"),
    ("天和", "tian", "he"),
    ("天润", "tian", "run"),
    ("天恒", "tian", "heng"),
    ("天启", "tian", "qi"),
    ("天越", "tian", "yue"),
    ("海创", "hai", "chuang"),
    ("海博", "hai", "bo"),
    ("海泰", "hai", "tai"),
    ("海川", "hai", "chuan"),
    ("宏图", "hong", "tu"),
    ("宏远", "hong", "yuan"),
    ("宏业", "hong", "ye"),
    ("宏盛", "hong", "sheng"),
    ("鸿达", "hong", "da"),
    ("鸿泰", "hong", "tai"),
    ("鸿图", "hong", "tu"),
    ("鸿鹄", "hong", "hu"),
    ("嘉信", "jia", "xin"),
    ("嘉诚", "jia", "cheng"),
    ("嘉华", "jia", "hua"),
    ("嘉瑞", "jia", "rui"),
    ("鼎信", "ding", "xin"),
    ("鼎泰", "ding", "tai"),
    ("鼎新", "ding", "xin"),
    ("鼎力", "ding", "li"),
    ("盛达", "sheng", "da"),
    ("盛世", "sheng", "shi"),
    ("盛华", "sheng", "hua"),
    ("盛通", "sheng", "tong"),
    ("昌盛", "chang", "sheng"),
    ("昌达", "chang", "da"),
    ("隆盛", "long", "sheng"),
    ("隆达", "long", "da"),
    ("德信", "de", "xin"),
    ("德胜", "de", "sheng"),
    ("德源", "de", "yuan"),
    ("德诚", "de", "cheng"),
    ("德华", "de", "hua"),
    ("宇航", "yu", "hang"),
    ("宇辰", "yu", "chen"),
    ("创联", "chuang", "lian"),
    ("创元", "chuang", "yuan"),
    ("创达", "chuang", "da"),
    ("创新", "chuang", "xin"),
    ("智通", "zhi", "tong"),
    ("智远", "zhi", "yuan"),
    ("智恒", "zhi", "heng"),
    ("智源", "zhi", "yuan"),
    ("汇智", "hui", "zhi"),
    ("汇达", "hui", "da"),
    ("汇成", "hui", "cheng"),
    ("汇泽", "hui", "ze"),
    ("聚源", "ju", "yuan"),
    ("聚鑫", "ju", "xin"),
    ("聚合", "ju", "he"),
    ("力创", "li", "chuang"),
    ("力达", "li", "da"),
    ("力恒", "li", "heng"),
    ("安泰", "an", "tai"),
    ("安达", "an", "da"),
    ("安诚", "an", "cheng"),
    ("永信", "yong", "xin"),
    ("永昌", "yong", "chang"),
    ("永盛", "yong", "sheng"),
    ("永达", "yong", "da"),
    ("康泰", "kang", "tai"),
    ("康瑞", "kang", "rui"),
    ("康华", "kang", "hua"),
    ("益民", "yi", "min"),
    ("益通", "yi", "tong"),
    ("益康", "yi", "kang"),
    ("升腾", "sheng", "teng"),
    ("升达", "sheng", "da"),
    ("航信", "hang", "xin"),
    ("航通", "hang", "tong"),
    ("凯达", "kai", "da"),
    ("凯盛", "kai", "sheng"),
    ("凯旋", "kai", "xuan"),
    ("凯航", "kai", "hang"),
    ("晟通", "sheng", "tong"),
    ("晟泰", "sheng", "tai"),
    ("科达", "ke", "da"),
    ("科信", "ke", "xin"),
    ("科创", "ke", "chuang"),
    ("科瑞", "ke", "rui"),
    ("明德", "ming", "de"),
    ("明辉", "ming", "hui"),
    ("明泰", "ming", "tai"),
    ("光华", "guang", "hua"),
    ("光远", "guang", "yuan"),
    ("启航", "qi", "hang"),
    ("启辰", "qi", "chen"),
    ("启泰", "qi", "tai"),
    ("源达", "yuan", "da"),
    ("源泰", "yuan", "tai"),
    ("诚达", "cheng", "da"),
    ("诚泰", "cheng", "tai"),
    ("诚通", "cheng", "tong"),
    ("荣达", "rong", "da"),
    ("荣华", "rong", "hua"),
    ("荣泰", "rong", "tai"),
    ("佳信", "jia", "xin"),
    ("佳达", "jia", "da"),
    ("佳诚", "jia", "cheng"),
    ("宝信", "bao", "xin"),
    ("宝泰", "bao", "tai"),
    ("宝盛", "bao", "sheng"),
    ("利达", "li", "da"),
    ("利华", "li", "hua"),
    ("利通", "li", "tong"),
    ("正信", "zheng", "xin"),
    ("正达", "zheng", "da"),
    ("正和", "zheng", "he"),
    ("元通", "yuan", "tong"),
    ("元泰", "yuan", "tai"),
    ("方达", "fang", "da"),
    ("方舟", "fang", "zhou"),
    ("亚通", "ya", "tong"),
    ("亚华", "ya", "hua"),
    ("联达", "lian", "da"),
    ("联信", "lian", "xin"),
    ("联泰", "lian", "tai"),
    ("合创", "he", "chuang"),
    ("合盛", "he", "sheng"),
    ("众信", "zhong", "xin"),
    ("众达", "zhong", "da"),
    ("众诚", "zhong", "cheng"),
    ("星河", "xing", "he"),
    ("星耀", "xing", "yao"),
    ("星途", "xing", "tu"),
    ("云海", "yun", "hai"),
    ("云图", "yun", "tu"),
    ("云启", "yun", "qi"),
    ("云腾", "yun", "teng"),
    ("峰汇", "feng", "hui"),
    ("江海", "jiang", "hai"),
    ("江源", "jiang", "yuan"),
    ("山水", "shan", "shui"),
    ("林丰", "lin", "feng"),
    ("森源", "sen", "yuan"),
    ("禾盛", "he", "sheng"),
    ("润泰", "run", "tai"),
    ("润丰", "run", "feng"),
    ("润华", "run", "hua"),
    ("泽华", "ze", "hua"),
    ("泽信", "ze", "xin"),
    ("鹏达", "peng", "da"),
    ("鹏飞", "peng", "fei"),
    ("鹏辉", "peng", "hui"),
    ("飞达", "fei", "da"),
    ("飞腾", "fei", "teng"),
    ("翔达", "xiang", "da"),
    ("骏达", "jun", "da"),
    ("龙信", "long", "xin"),
    ("龙盛", "long", "sheng"),
    ("龙达", "long", "da"),
    ("瀚宇", "han", "yu"),
    ("瀚达", "han", "da"),
    ("铭达", "ming", "da"),
    ("铭源", "ming", "yuan"),
    ("卓信", "zhuo", "xin"),
    ("卓达", "zhuo", "da"),
    ("卓远", "zhuo", "yuan"),
    ("睿达", "rui", "da"),
    ("睿信", "rui", "xin"),
    ("睿博", "rui", "bo"),
    ("思创", "si", "chuang"),
    ("思远", "si", "yuan"),
    ("维信", "wei", "xin"),
    ("维盛", "wei", "sheng"),
    ("讯通", "xun", "tong"),
    ("捷顺", "jie", "shun"),
    ("驰通", "chi", "tong"),
    ("拓达", "tuo", "da"),
    ("拓新", "tuo", "xin"),
    ("开泰", "kai", "tai"),
    ("建信", "jian", "xin"),
    ("建达", "jian", "da"),
    ("立达", "li", "da"),
    ("立新", "li", "xin"),
    ("成泰", "cheng", "tai"),
    ("富华", "fu", "hua"),
    ("富源", "fu", "yuan"),
    ("祥和", "xiang", "he"),
    ("福达", "fu", "da"),
    ("福盛", "fu", "sheng"),
    ("吉泰", "ji", "tai"),
    ("顺通", "shun", "tong"),
    ("宁泰", "ning", "tai"),
    ("优创", "you", "chuang"),
    ("尚德", "shang", "de"),
    ("精诚", "jing", "cheng"),
    ("钧达", "jun", "da"),
    ("银达", "yin", "da"),
    ("青禾", "qing", "he"),
    ("蓝海", "lan", "hai"),
    ("红日", "hong", "ri"),
    ("晨星", "chen", "xing"),
    ("朗达", "lang", "da"),
    ("阳明", "yang", "ming"),
    ("春华", "chun", "hua"),
    ("冠达", "guan", "da"),
    ("万和", "wan", "he"),
    ("万盛", "wan", "sheng"),
    ("千帆", "qian", "fan"),
    ("百达", "bai", "da"),
    ("亿丰", "yi", "feng"),
    ("九鼎", "jiu", "ding"),
    ("信达", "xin", "da"),
    ("信诚", "xin", "cheng"),
    ("信和", "xin", "he"),
    ("通达", "tong", "da"),
    ("通泰", "tong", "tai"),
    ("达信", "da", "xin"),
    ("达通", "da", "tong"),
    ("丰源", "feng", "yuan"),
    ("丰泰", "feng", "tai"),
    ("远航", "yuan", "hang"),
    ("远通", "yuan", "tong"),
    ("泰达", "tai", "da"),
    ("泰华", "tai", "hua"),
    ("泰丰", "tai", "feng"),
    ("和信", "he", "xin"),
    ("和泰", "he", "tai"),
    ("禾信", "he", "xin"),
    ("兴达", "xing", "da"),
    ("兴华", "xing", "hua"),
    ("兴盛", "xing", "sheng"),
    ("锐达", "rui", "da"),
    ("锐思", "rui", "si"),
    ("锐驰", "rui", "chi"),
    ("盈达", "ying", "da"),
    ("鑫达", "xin", "da"),
    ("鑫源", "xin", "yuan"),
    ("鑫泰", "xin", "tai"),
    ("鑫盛", "xin", "sheng"),
    ("森泰", "sen", "tai"),
    ("磐石", "pan", "shi"),
    ("坤泰", "kun", "tai"),
    ("乾元", "qian", "yuan"),
    ("乾泰", "qian", "tai"),
    ("弘远", "hong", "yuan"),
    ("弘业", "hong", "ye"),
    ("远瞻", "yuan", "zhan"),
    ("致远", "zhi", "yuan"),
    ("致诚", "zhi", "cheng"),
    ("志诚", "zhi", "cheng"),
    ("至诚", "zhi", "cheng"),
    ("同创", "tong", "chuang"),
    ("同信", "tong", "xin"),
    ("协力", "xie", "li"),
    ("共赢", "gong", "ying"),
    ("普瑞", "pu", "rui"),
    ("普惠", "pu", "hui"),
    ("美华", "mei", "hua"),
    ("美信", "mei", "xin"),
    ("英华", "ying", "hua"),
    ("英杰", "ying", "jie"),
    ("杰信", "jie", "xin"),
    ("俊达", "jun", "da"),
    ("浩然", "hao", "ran"),
    ("浩宇", "hao", "yu"),
    ("浩达", "hao", "da"),
    ("博恒", "bo", "heng"),
    ("蓝图", "lan", "tu"),
    ("数联", "shu", "lian"),
    ("数智", "shu", "zhi"),
    ("云智", "yun", "zhi"),
    ("慧通", "hui", "tong"),
    ("慧远", "hui", "yuan"),
    ("灵犀", "ling", "xi"),
    ("易达", "yi", "da"),
    ("易通", "yi", "tong"),
    ("易联", "yi", "lian"),
    ("联动", "lian", "dong"),
    ("同力", "tong", "li"),
    ("巨龙", "ju", "long"),
    ("泓达", "hong", "da"),
    ("沃土", "wo", "tu"),
    ("奥华", "ao", "hua"),
    ("奥通", "ao", "tong"),
    ("万象", "wan", "xiang"),
    ("千和", "qian", "he"),
    ("新禾", "xin", "he"),
    ("锦程", "jin", "cheng"),
    ("锦华", "jin", "hua"),
    ("锦泰", "jin", "tai"),
    ("锦绣", "jin", "xiu"),
    ("明阳", "ming", "yang"),
    ("领航", "ling", "hang"),
    ("领创", "ling", "chuang"),
    ("先锋", "xian", "feng"),
    ("前程", "qian", "cheng"),
    ("远洋", "yuan", "yang"),
    ("迈达", "mai", "da"),
    ("迈创", "mai", "chuang"),
    ("迈通", "mai", "tong"),
];

/// Recombined roots that would spell a famous real brand; such a draw falls
/// back to the unmixed root so demos never show a real company's name.
const DENY_ROOTS: &[&str] = &[
    "华为", "腾讯", "海尔", "万科", "万达", "美的", "格力", "联想", "百度", "京东", "平安", "中兴",
    "恒大", "小米", "吉利", "正泰", "汇丰", "富达", "维达", "益达", "捷达", "宇通", "紫光", "方正",
    "协和", "普华", "亚信", "友邦", "德邦", "恒瑞", "恒丰", "光明", "晨光", "百盛", "银泰", "天翼",
    "海天", "智联", "创维", "博通", "力拓", "中信", "华润", "国美", "苏宁", "网易", "海信", "顺丰",
    "中通", "圆通", "申通", "韵达", "远大", "华泰", "中天",
];

/// An industry: the word reps use in short names, a slug for mail domains,
/// and the longer phrases that appear in registered names.
#[derive(Clone, Copy)]
struct Industry {
    word: &'static str,
    slug: &'static str,
    legal: &'static [&'static str],
}

const fn ind(word: &'static str, slug: &'static str, legal: &'static [&'static str]) -> Industry {
    Industry { word, slug, legal }
}

/// Partnerships (有限合伙) are nearly always holding or investment vehicles,
/// so they get this industry whatever was drawn.
const INVEST: Industry = ind(
    "投资",
    "invest",
    &["投资管理", "股权投资", "创业投资", "企业管理"],
);

/// Public institutions (事业单位, credit code 12…) are research institutes here.
const RESEARCH: Industry = ind(
    "研究院",
    "research",
    &[
        "信息技术研究院",
        "智能制造研究院",
        "新材料研究院",
        "生物医药研究院",
        "工业技术研究院",
        "数字经济研究院",
    ],
);

const INDUSTRIES: &[Industry] = &[
    ind("软件", "soft", &["软件", "软件技术", "软件科技"]),
    ind("科技", "tech", &["科技", "科技发展"]),
    ind("电子", "elec", &["电子", "电子科技", "电子技术"]),
    ind("信息", "info", &["信息技术", "信息科技", "信息"]),
    ind("网络", "net", &["网络科技", "网络技术"]),
    ind("智能", "smart", &["智能科技", "智能装备", "智能"]),
    ind("数据", "data", &["数据科技", "数据服务", "数据技术"]),
    ind("通信", "comm", &["通信技术", "通信设备", "通信"]),
    ind("光电", "opto", &["光电科技", "光电技术"]),
    ind("自动化", "auto", &["自动化设备", "自动化科技", "自动化"]),
    ind("机械", "mech", &["机械", "机械设备", "机械制造"]),
    ind("电气", "electric", &["电气", "电气设备", "电气科技"]),
    ind("精密", "precision", &["精密机械", "精密制造", "精密仪器"]),
    ind("仪器", "inst", &["仪器仪表", "仪器", "分析仪器"]),
    ind("医疗", "med", &["医疗器械", "医疗科技", "医疗设备"]),
    ind("医药", "pharma", &["医药", "医药科技", "生物医药"]),
    ind("生物", "bio", &["生物科技", "生物技术", "生物工程"]),
    ind("环保", "eco", &["环保科技", "环保工程", "环境科技"]),
    ind(
        "新能源",
        "newenergy",
        &["新能源科技", "新能源", "新能源技术"],
    ),
    ind("能源", "energy", &["能源", "能源科技", "能源技术"]),
    ind("化工", "chem", &["化工", "化工科技", "精细化工"]),
    ind(
        "新材料",
        "material",
        &["新材料科技", "新材料", "新材料技术"],
    ),
    ind("建设", "build", &["建设工程", "建设", "建设发展"]),
    ind("建材", "bm", &["建材", "新型建材", "建筑材料"]),
    ind("装饰", "deco", &["装饰工程", "建筑装饰", "装饰设计"]),
    ind("物流", "logistics", &["物流", "国际物流", "物流科技"]),
    ind("供应链", "scm", &["供应链管理", "供应链"]),
    ind("贸易", "trade", &["贸易", "国际贸易", "进出口"]),
    ind("商贸", "trading", &["商贸"]),
    ind("实业", "group", &["实业", "实业发展"]),
    INVEST,
    ind("咨询", "consult", &["企业管理咨询", "咨询", "信息咨询"]),
    ind("传媒", "media", &["文化传媒", "传媒", "广告传媒"]),
    ind("文化", "culture", &["文化发展", "文化传播", "文化"]),
    ind("教育", "edu", &["教育科技", "教育咨询", "教育"]),
    ind("食品", "food", &["食品", "食品科技", "食品贸易"]),
    ind("餐饮", "catering", &["餐饮管理", "餐饮"]),
    ind("农业", "agri", &["农业科技", "农业发展", "农业"]),
    ind("纺织", "textile", &["纺织", "纺织科技", "纺织品"]),
    ind("服饰", "fashion", &["服饰", "服装", "服饰科技"]),
    ind("家居", "home", &["家居", "家居用品", "家具"]),
    ind("汽车", "motor", &["汽车服务", "汽车销售", "汽车科技"]),
    ind("汽配", "autoparts", &["汽车配件", "汽配"]),
    ind("包装", "pack", &["包装", "包装材料", "包装制品"]),
    ind("印刷", "print", &["印刷", "印务", "彩印"]),
    ind("检测", "testing", &["检测技术", "检测", "检验检测"]),
    ind("物业", "property", &["物业管理", "物业服务"]),
    ind("置业", "estate", &["置业", "房地产开发"]),
    ind("酒店", "hotel", &["酒店管理", "酒店"]),
    ind("人力", "hr", &["人力资源", "人力资源服务"]),
    ind("安防", "security", &["安防科技", "安防技术", "智能安防"]),
];

#[derive(Clone, Copy)]
struct District {
    name: &'static str,
    /// GB/T 2260 county-level division code, used in credit codes.
    code: u32,
    /// A few real streets in this district; empty means compose a generic one.
    streets: &'static [&'static str],
}

const fn dist(name: &'static str, code: u32, streets: &'static [&'static str]) -> District {
    District {
        name,
        code,
        streets,
    }
}

struct City {
    name: &'static str,
    /// Province with 省, empty for the four municipalities.
    province: &'static str,
    /// Pinyin initials, used in mail domains such as `bjhuaxin.com`.
    abbr: &'static str,
    area_code: &'static str,
    /// City-level division code, used by companies registered at city level.
    code: u32,
    lat: f64,
    lon: f64,
    /// 111.32 km × cos(lat), precomputed so no trigonometry runs at generation
    /// time (see the module docs on reproducibility).
    km_per_deg_lon: f64,
    /// Percent of companies whose credit code carries the city-level code
    /// rather than the district's (Shenzhen registers almost all at city level).
    city_level_pct: u32,
    /// Relative share of generated companies.
    weight: u32,
    districts: &'static [District],
}

/// Kilometres per degree of latitude (mean; good to well under 1% here).
const KM_PER_DEG_LAT: f64 = 110.574;
/// Companies are placed uniformly within this distance of the city centre.
const MAX_CENTRE_KM: f64 = 15.0;

/// Cities with 8-digit landline subscriber numbers only, so every landline
/// generated is `AREA-XXXXXXXX`.
const CITIES: &[City] = &[
    City {
        name: "北京",
        province: "",
        abbr: "bj",
        area_code: "010",
        code: 110000,
        lat: 39.9042,
        lon: 116.4074,
        km_per_deg_lon: 85.396,
        city_level_pct: 20,
        weight: 14,
        districts: &[
            dist(
                "东城区",
                110101,
                &["东长安街", "王府井大街", "东直门南大街"],
            ),
            dist("西城区", 110102, &["金融大街", "西直门外大街"]),
            dist(
                "朝阳区",
                110105,
                &["建国路", "酒仙桥路", "望京街", "东三环中路"],
            ),
            dist("丰台区", 110106, &[]),
            dist("石景山区", 110107, &[]),
            dist(
                "海淀区",
                110108,
                &["中关村大街", "知春路", "学院路", "上地信息路"],
            ),
            dist("通州区", 110112, &[]),
            dist("顺义区", 110113, &[]),
            dist("昌平区", 110114, &[]),
            dist("大兴区", 110115, &[]),
        ],
    },
    City {
        name: "上海",
        province: "",
        abbr: "sh",
        area_code: "021",
        code: 310000,
        lat: 31.2304,
        lon: 121.4737,
        km_per_deg_lon: 95.189,
        city_level_pct: 15,
        weight: 14,
        districts: &[
            dist("黄浦区", 310101, &["南京东路", "淮海中路"]),
            dist("徐汇区", 310104, &["漕溪北路", "虹桥路", "肇嘉浜路"]),
            dist("长宁区", 310105, &["延安西路", "仙霞路"]),
            dist("静安区", 310106, &["南京西路", "延安中路"]),
            dist("普陀区", 310107, &[]),
            dist("虹口区", 310109, &[]),
            dist("杨浦区", 310110, &[]),
            dist("闵行区", 310112, &[]),
            dist("宝山区", 310113, &[]),
            dist("嘉定区", 310114, &[]),
            dist("浦东新区", 310115, &["世纪大道", "张江路", "陆家嘴环路"]),
            dist("松江区", 310117, &[]),
        ],
    },
    City {
        name: "天津",
        province: "",
        abbr: "tj",
        area_code: "022",
        code: 120000,
        lat: 39.0842,
        lon: 117.2010,
        km_per_deg_lon: 86.409,
        city_level_pct: 20,
        weight: 5,
        districts: &[
            dist("和平区", 120101, &["南京路"]),
            dist("河东区", 120102, &[]),
            dist("河西区", 120103, &[]),
            dist("南开区", 120104, &[]),
            dist("河北区", 120105, &[]),
            dist("红桥区", 120106, &[]),
            dist("滨海新区", 120116, &[]),
        ],
    },
    City {
        name: "重庆",
        province: "",
        abbr: "cq",
        area_code: "023",
        code: 500000,
        lat: 29.5630,
        lon: 106.5516,
        km_per_deg_lon: 96.828,
        city_level_pct: 20,
        weight: 5,
        districts: &[
            dist("渝中区", 500103, &["解放碑步行街"]),
            dist("江北区", 500105, &[]),
            dist("沙坪坝区", 500106, &[]),
            dist("九龙坡区", 500107, &[]),
            dist("南岸区", 500108, &[]),
            dist("渝北区", 500112, &[]),
        ],
    },
    City {
        name: "广州",
        province: "广东省",
        abbr: "gz",
        area_code: "020",
        code: 440100,
        lat: 23.1291,
        lon: 113.2644,
        km_per_deg_lon: 102.372,
        city_level_pct: 20,
        weight: 10,
        districts: &[
            dist("荔湾区", 440103, &[]),
            dist("越秀区", 440104, &["环市东路", "中山五路"]),
            dist("海珠区", 440105, &[]),
            dist("天河区", 440106, &["天河路", "体育西路", "天河北路"]),
            dist("白云区", 440111, &[]),
            dist("黄埔区", 440112, &[]),
            dist("番禺区", 440113, &[]),
        ],
    },
    City {
        name: "深圳",
        province: "广东省",
        abbr: "sz",
        area_code: "0755",
        code: 440300,
        lat: 22.5431,
        lon: 114.0579,
        km_per_deg_lon: 102.814,
        city_level_pct: 95,
        weight: 12,
        districts: &[
            dist("罗湖区", 440303, &["深南东路"]),
            dist("福田区", 440304, &["深南大道", "福华一路", "益田路"]),
            dist("南山区", 440305, &["深南大道", "科苑路", "科技南路"]),
            dist("宝安区", 440306, &[]),
            dist("龙岗区", 440307, &[]),
            dist("盐田区", 440308, &[]),
            dist("龙华区", 440309, &[]),
        ],
    },
    City {
        name: "杭州",
        province: "浙江省",
        abbr: "hz",
        area_code: "0571",
        code: 330100,
        lat: 30.2741,
        lon: 120.1551,
        km_per_deg_lon: 96.139,
        city_level_pct: 20,
        weight: 8,
        districts: &[
            dist("上城区", 330102, &[]),
            dist("拱墅区", 330105, &[]),
            dist("西湖区", 330106, &["文三路", "天目山路"]),
            dist("滨江区", 330108, &["江南大道", "网商路"]),
            dist("萧山区", 330109, &[]),
            dist("余杭区", 330110, &[]),
        ],
    },
    City {
        name: "成都",
        province: "四川省",
        abbr: "cd",
        area_code: "028",
        code: 510100,
        lat: 30.5728,
        lon: 104.0668,
        km_per_deg_lon: 95.845,
        city_level_pct: 20,
        weight: 7,
        districts: &[
            dist("锦江区", 510104, &["春熙路"]),
            dist("青羊区", 510105, &[]),
            dist("金牛区", 510106, &[]),
            dist("武侯区", 510107, &["人民南路", "天府大道"]),
            dist("成华区", 510108, &[]),
        ],
    },
    City {
        name: "武汉",
        province: "湖北省",
        abbr: "wh",
        area_code: "027",
        code: 420100,
        lat: 30.5928,
        lon: 114.3055,
        km_per_deg_lon: 95.825,
        city_level_pct: 20,
        weight: 6,
        districts: &[
            dist("江岸区", 420102, &[]),
            dist("江汉区", 420103, &[]),
            dist("硚口区", 420104, &[]),
            dist("汉阳区", 420105, &[]),
            dist("武昌区", 420106, &["中南路"]),
            dist("洪山区", 420111, &["珞喻路", "光谷大道"]),
        ],
    },
    City {
        name: "南京",
        province: "江苏省",
        abbr: "nj",
        area_code: "025",
        code: 320100,
        lat: 32.0603,
        lon: 118.7969,
        km_per_deg_lon: 94.343,
        city_level_pct: 20,
        weight: 6,
        districts: &[
            dist("玄武区", 320102, &["北京东路", "中山路"]),
            dist("秦淮区", 320104, &[]),
            dist("建邺区", 320105, &[]),
            dist("鼓楼区", 320106, &["中山北路"]),
            dist("栖霞区", 320113, &[]),
            dist("雨花台区", 320114, &[]),
            dist("江宁区", 320115, &[]),
        ],
    },
    City {
        name: "西安",
        province: "陕西省",
        abbr: "xa",
        area_code: "029",
        code: 610100,
        lat: 34.3416,
        lon: 108.9398,
        km_per_deg_lon: 91.916,
        city_level_pct: 20,
        weight: 5,
        districts: &[
            dist("新城区", 610102, &[]),
            dist("碑林区", 610103, &[]),
            dist("莲湖区", 610104, &[]),
            dist("未央区", 610112, &[]),
            dist("雁塔区", 610113, &["高新路", "科技路"]),
        ],
    },
    City {
        name: "苏州",
        province: "江苏省",
        abbr: "su",
        area_code: "0512",
        code: 320500,
        lat: 31.2990,
        lon: 120.5853,
        km_per_deg_lon: 95.119,
        city_level_pct: 20,
        weight: 6,
        districts: &[
            dist("虎丘区", 320505, &[]),
            dist("吴中区", 320506, &[]),
            dist("相城区", 320507, &[]),
            dist("姑苏区", 320508, &["人民路", "干将路"]),
            dist("吴江区", 320509, &[]),
        ],
    },
    City {
        name: "青岛",
        province: "山东省",
        abbr: "qd",
        area_code: "0532",
        code: 370200,
        lat: 36.0671,
        lon: 120.3826,
        km_per_deg_lon: 89.983,
        city_level_pct: 20,
        weight: 3,
        districts: &[
            dist("市南区", 370202, &["香港中路"]),
            dist("市北区", 370203, &[]),
            dist("黄岛区", 370211, &[]),
            dist("崂山区", 370212, &[]),
            dist("李沧区", 370213, &[]),
            dist("城阳区", 370214, &[]),
        ],
    },
    City {
        name: "长沙",
        province: "湖南省",
        abbr: "cs",
        area_code: "0731",
        code: 430100,
        lat: 28.2282,
        lon: 112.9388,
        km_per_deg_lon: 98.081,
        city_level_pct: 20,
        weight: 3,
        districts: &[
            dist("芙蓉区", 430102, &[]),
            dist("天心区", 430103, &[]),
            dist("岳麓区", 430104, &[]),
            dist("开福区", 430105, &[]),
            dist("雨花区", 430111, &[]),
        ],
    },
    City {
        name: "郑州",
        province: "河南省",
        abbr: "zz",
        area_code: "0371",
        code: 410100,
        lat: 34.7466,
        lon: 113.6254,
        km_per_deg_lon: 91.470,
        city_level_pct: 20,
        weight: 3,
        districts: &[
            dist("中原区", 410102, &[]),
            dist("二七区", 410103, &[]),
            dist("管城回族区", 410104, &[]),
            dist("金水区", 410105, &[]),
            dist("惠济区", 410108, &[]),
        ],
    },
    City {
        name: "宁波",
        province: "浙江省",
        abbr: "nb",
        area_code: "0574",
        code: 330200,
        lat: 29.8683,
        lon: 121.5440,
        km_per_deg_lon: 96.534,
        city_level_pct: 20,
        weight: 3,
        districts: &[
            dist("海曙区", 330203, &[]),
            dist("江北区", 330205, &[]),
            dist("北仑区", 330206, &[]),
            dist("镇海区", 330211, &[]),
            dist("鄞州区", 330212, &[]),
        ],
    },
    City {
        name: "合肥",
        province: "安徽省",
        abbr: "hf",
        area_code: "0551",
        code: 340100,
        lat: 31.8206,
        lon: 117.2272,
        km_per_deg_lon: 94.589,
        city_level_pct: 20,
        weight: 3,
        districts: &[
            dist("瑶海区", 340102, &[]),
            dist("庐阳区", 340103, &[]),
            dist("蜀山区", 340104, &[]),
            dist("包河区", 340111, &[]),
        ],
    },
    City {
        name: "济南",
        province: "山东省",
        abbr: "jn",
        area_code: "0531",
        code: 370100,
        lat: 36.6512,
        lon: 117.1201,
        km_per_deg_lon: 89.310,
        city_level_pct: 20,
        weight: 2,
        districts: &[
            dist("历下区", 370102, &["经十路"]),
            dist("市中区", 370103, &[]),
            dist("槐荫区", 370104, &[]),
            dist("天桥区", 370105, &[]),
            dist("历城区", 370112, &[]),
        ],
    },
    City {
        name: "沈阳",
        province: "辽宁省",
        abbr: "sy",
        area_code: "024",
        code: 210100,
        lat: 41.8057,
        lon: 123.4315,
        km_per_deg_lon: 82.979,
        city_level_pct: 20,
        weight: 2,
        districts: &[
            dist("和平区", 210102, &[]),
            dist("沈河区", 210103, &[]),
            dist("大东区", 210104, &[]),
            dist("皇姑区", 210105, &[]),
            dist("铁西区", 210106, &[]),
            dist("浑南区", 210112, &[]),
        ],
    },
    City {
        name: "大连",
        province: "辽宁省",
        abbr: "dl",
        area_code: "0411",
        code: 210200,
        lat: 38.9140,
        lon: 121.6147,
        km_per_deg_lon: 86.617,
        city_level_pct: 20,
        weight: 2,
        districts: &[
            dist("中山区", 210202, &[]),
            dist("西岗区", 210203, &[]),
            dist("沙河口区", 210204, &[]),
            dist("甘井子区", 210211, &[]),
        ],
    },
    City {
        name: "佛山",
        province: "广东省",
        abbr: "fs",
        area_code: "0757",
        code: 440600,
        lat: 23.0215,
        lon: 113.1214,
        km_per_deg_lon: 102.454,
        city_level_pct: 20,
        weight: 3,
        districts: &[
            dist("禅城区", 440604, &[]),
            dist("南海区", 440605, &[]),
            dist("顺德区", 440606, &[]),
        ],
    },
    City {
        name: "无锡",
        province: "江苏省",
        abbr: "wx",
        area_code: "0510",
        code: 320200,
        lat: 31.4912,
        lon: 120.3119,
        km_per_deg_lon: 94.925,
        city_level_pct: 20,
        weight: 2,
        districts: &[
            dist("锡山区", 320205, &[]),
            dist("惠山区", 320206, &[]),
            dist("滨湖区", 320211, &[]),
            dist("梁溪区", 320213, &[]),
            dist("新吴区", 320214, &[]),
        ],
    },
    City {
        name: "福州",
        province: "福建省",
        abbr: "fz",
        area_code: "0591",
        code: 350100,
        lat: 26.0745,
        lon: 119.2965,
        km_per_deg_lon: 99.990,
        city_level_pct: 20,
        weight: 2,
        districts: &[
            dist("鼓楼区", 350102, &["五四路"]),
            dist("台江区", 350103, &[]),
            dist("仓山区", 350104, &[]),
            dist("晋安区", 350111, &[]),
        ],
    },
    City {
        name: "昆明",
        province: "云南省",
        abbr: "km",
        area_code: "0871",
        code: 530100,
        lat: 25.0389,
        lon: 102.7183,
        km_per_deg_lon: 100.858,
        city_level_pct: 20,
        weight: 2,
        districts: &[
            dist("五华区", 530102, &[]),
            dist("盘龙区", 530103, &[]),
            dist("官渡区", 530111, &[]),
            dist("西山区", 530112, &[]),
        ],
    },
    City {
        name: "哈尔滨",
        province: "黑龙江省",
        abbr: "hrb",
        area_code: "0451",
        code: 230100,
        lat: 45.8038,
        lon: 126.5350,
        km_per_deg_lon: 77.603,
        city_level_pct: 20,
        weight: 2,
        districts: &[
            dist("道里区", 230102, &["中央大街"]),
            dist("南岗区", 230103, &[]),
            dist("道外区", 230104, &[]),
            dist("香坊区", 230110, &[]),
        ],
    },
    City {
        name: "长春",
        province: "吉林省",
        abbr: "cc",
        area_code: "0431",
        code: 220100,
        lat: 43.8171,
        lon: 125.3235,
        km_per_deg_lon: 80.323,
        city_level_pct: 20,
        weight: 2,
        districts: &[
            dist("南关区", 220102, &[]),
            dist("宽城区", 220103, &[]),
            dist("朝阳区", 220104, &[]),
            dist("绿园区", 220106, &[]),
        ],
    },
    City {
        name: "南昌",
        province: "江西省",
        abbr: "nc",
        area_code: "0791",
        code: 360100,
        lat: 28.6820,
        lon: 115.8579,
        km_per_deg_lon: 97.661,
        city_level_pct: 20,
        weight: 2,
        districts: &[
            dist("东湖区", 360102, &[]),
            dist("西湖区", 360103, &[]),
            dist("青山湖区", 360111, &[]),
        ],
    },
    City {
        name: "石家庄",
        province: "河北省",
        abbr: "sjz",
        area_code: "0311",
        code: 130100,
        lat: 38.0428,
        lon: 114.5149,
        km_per_deg_lon: 87.670,
        city_level_pct: 20,
        weight: 2,
        districts: &[
            dist("长安区", 130102, &[]),
            dist("桥西区", 130104, &[]),
            dist("新华区", 130105, &[]),
            dist("裕华区", 130108, &[]),
        ],
    },
    City {
        name: "常州",
        province: "江苏省",
        abbr: "cz",
        area_code: "0519",
        code: 320400,
        lat: 31.8107,
        lon: 119.9741,
        km_per_deg_lon: 94.599,
        city_level_pct: 20,
        weight: 2,
        districts: &[
            dist("天宁区", 320402, &[]),
            dist("钟楼区", 320404, &[]),
            dist("新北区", 320411, &[]),
            dist("武进区", 320412, &[]),
        ],
    },
    City {
        name: "温州",
        province: "浙江省",
        abbr: "wz",
        area_code: "0577",
        code: 330300,
        lat: 27.9943,
        lon: 120.6994,
        km_per_deg_lon: 98.295,
        city_level_pct: 20,
        weight: 2,
        districts: &[
            dist("鹿城区", 330302, &[]),
            dist("龙湾区", 330303, &[]),
            dist("瓯海区", 330304, &[]),
        ],
    },
];

/// Generic street names are composed from a stem and a suffix, as most
/// Chinese streets are (人民 + 路, 科技 + 南路).
const STREET_STEMS: &[&str] = &[
    "人民",
    "解放",
    "建设",
    "中山",
    "新华",
    "和平",
    "文化",
    "科技",
    "创业",
    "高新",
    "长江",
    "黄河",
    "金融",
    "学府",
    "东风",
    "光明",
    "友谊",
    "胜利",
    "团结",
    "幸福",
    "滨江",
    "体育",
    "工业",
    "创新",
    "迎宾",
    "花园",
    "青年",
    "朝阳",
    "北京",
    "复兴",
    "振兴",
    "丰收",
    "软件园",
    "开发区",
    "湖滨",
    "环城",
    "站前",
    "建国",
    "民主",
    "五一",
];
const STREET_SUFFIXES: &[&str] = &[
    "路", "路", "路", "大道", "大街", "街", "东路", "西路", "南路", "北路", "中路", "一路", "二路",
    "三路",
];

/// Mainland mobile number segments (first three digits) with rough market
/// weights. Only allocated public segments: 140-144 (IoT) are excluded, and
/// so is 174 (satellite), which a customer's mobile would never use.
const MOBILE_PREFIXES: &[(u32, u32)] = &[
    (130, 6),
    (131, 5),
    (132, 5),
    (133, 5),
    (134, 5),
    (135, 7),
    (136, 7),
    (137, 7),
    (138, 9),
    (139, 9),
    (145, 1),
    (147, 2),
    (149, 1),
    (150, 5),
    (151, 5),
    (152, 5),
    (153, 4),
    (155, 4),
    (156, 4),
    (157, 3),
    (158, 5),
    (159, 5),
    (166, 2),
    (170, 1),
    (171, 1),
    (172, 1),
    (173, 2),
    (175, 2),
    (176, 2),
    (177, 3),
    (178, 2),
    (180, 4),
    (181, 3),
    (182, 4),
    (183, 3),
    (184, 2),
    (185, 4),
    (186, 5),
    (187, 5),
    (188, 4),
    (189, 4),
    (190, 1),
    (191, 2),
    (192, 1),
    (193, 2),
    (195, 2),
    (196, 1),
    (197, 1),
    (198, 3),
    (199, 3),
];

const TITLES_COMPANY: &[(&str, u32)] = &[
    ("经理", 12),
    ("部门经理", 4),
    ("总监", 6),
    ("采购主管", 8),
    ("采购经理", 10),
    ("采购专员", 5),
    ("总经理", 8),
    ("副总经理", 5),
    ("总经理助理", 3),
    ("技术负责人", 6),
    ("技术总监", 4),
    ("董事长", 3),
    ("董事会秘书", 1),
    ("IT经理", 4),
    ("信息部主任", 3),
    ("财务总监", 3),
    ("财务经理", 4),
    ("行政主管", 4),
    ("运营总监", 3),
    ("销售总监", 4),
    ("项目经理", 5),
    ("办公室主任", 3),
    ("厂长", 2),
];
const TITLES_SHOP: &[(&str, u32)] = &[("老板", 50), ("店长", 30), ("负责人", 20)];
const TITLES_INSTITUTE: &[(&str, u32)] = &[
    ("主任", 30),
    ("科长", 20),
    ("所长", 10),
    ("院长", 10),
    ("副院长", 10),
    ("采购负责人", 10),
    ("信息中心主任", 10),
];

const PAIN_POINTS: &[&str] = &[
    "价格太高",
    "交付周期长",
    "现有系统难用",
    "数据不互通",
    "售后响应慢",
    "决策链长",
    "预算有限",
    "担心数据安全",
    "员工不愿意用新系统",
    "缺少移动端",
    "报表不灵活",
    "和ERP对接困难",
    "培训成本高",
    "竞品价格更低",
    "实施周期长",
    "定制需求多",
    "原供应商不再维护",
    "合同审批慢",
    "要求账期长",
    "需要私有化部署",
    "外勤网络信号差",
    "分支机构多难管理",
];

/// Modules of our own product that come up in visits.
const FEATURES: &[&str] = &[
    "客户管理",
    "拜访签到",
    "报价",
    "审批流",
    "移动端",
    "报表",
    "离线同步",
    "库存查询",
    "订单管理",
    "线索分配",
];
const DEPARTMENTS: &[&str] = &[
    "采购部",
    "信息部",
    "IT部",
    "财务部",
    "销售部",
    "总经办",
    "技术部",
    "行政部",
];
const WEEKDAYS: &[&str] = &["周一", "周二", "周三", "周四", "周五"];

/// Visit-note sentences with slots: `{S}` surname, `{P}` pain point, `{B}`
/// budget in 万, `{U}` user count, `{n}` small count, `{M}` month, `{W}`
/// weekday, `{F}` product module, `{D}` department, `{K}` competitor root.
/// Each ends with exactly one 。 so notes can be counted by sentence.
const NOTE_SENTENCES: &[&str] = &[
    "见了{S}总，对{F}模块比较感兴趣。",
    "客户反馈{P}，需要我们出个方案。",
    "{S}经理说今年预算大概{B}万。",
    "{D}的{S}工参加了，问了很多技术细节。",
    "现场演示了{F}，反馈不错。",
    "对方目前在用{K}的系统，合同{M}月到期。",
    "{S}总比较关心{P}的问题。",
    "下{W}再约一次，带上技术同事。",
    "采购要走招标流程，预计{M}月份启动。",
    "客户要求先试用一个月再定。",
    "嫌报价偏高，{S}总希望再降一点。",
    "决策人是{S}总，下次争取约到。",
    "今天只见到{D}的对接人，老板出差了。",
    "大概有{U}个人会用，以外勤为主。",
    "{K}也在跟这个客户，报价比我们低。",
    "对离线功能很认可，他们外勤经常没信号。",
    "约了下{W}上午去{D}做详细调研。",
    "客户暂时没有需求，保持联系。",
    "合同基本谈妥，等对方法务审核。",
    "需要对接他们的ERP，技术上要再确认。",
    "{S}总让先发一份方案过去看看。",
    "在前台等了半小时，最后只聊了二十分钟。",
    "客户对价格不敏感，更看重售后。",
    "上次提的问题已经解决，客户比较满意。",
    "参会{n}人，{S}总主持。",
    "{D}提出{P}，回去跟产品确认。",
    "顺便拜访了隔壁两家，留了资料。",
];

const NEXT_ACTIONS: &[&str] = &[
    "发送报价单",
    "安排技术演示",
    "约见采购负责人",
    "提交方案书",
    "跟进合同条款",
    "电话回访",
    "邀请参加产品发布会",
    "开通试用账号",
    "准备投标文件",
    "发送产品资料",
    "约老板吃饭",
    "安排上门培训",
    "确认付款方式",
    "提交特价申请",
    "组织高层拜访",
    "整理需求清单",
    "催回签合同",
    "安排实施交付",
    "回访使用情况",
    "申请样品",
    "准备竞品对比材料",
    "拉项目群对接",
];
const ACTION_WHEN: &[&str] = &["明天", "本周内", "月底前", "尽快", "后天"];

/// GB 32100-2015 character set: digits and capitals without I, O, S, V, Z.
const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// GB 11714 organisation-code weights (positions 9-16 of a credit code).
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

// ---------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------

/// Legal form of a company; decides its registered-name pattern, credit-code
/// registration type and a few other shares (phone kind, contact titles).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Limited,
    LimitedLiability,
    JointStock,
    Group,
    ForeignStyle,
    Branch,
    Partnership,
    /// 个体工商户: credit code 92…
    Individual,
    /// 事业单位: credit code 12…
    Institute,
}

const KINDS: &[(Kind, u32)] = &[
    (Kind::Limited, 46),
    (Kind::LimitedLiability, 8),
    (Kind::JointStock, 9),
    (Kind::Group, 5),
    (Kind::ForeignStyle, 6),
    (Kind::Branch, 6),
    (Kind::Partnership, 3),
    (Kind::Individual, 14),
    (Kind::Institute, 3),
];

/// A generated person with the pinyin needed for handles and mail addresses.
struct Person {
    name: String,
    surname_py: &'static str,
    given_py: String,
    /// First letters of the given-name syllables: 明华 → "mh".
    given_initials: String,
}

fn cumulative<T>(table: &[T], weight: impl Fn(&T) -> u32) -> Vec<u32> {
    let mut total = 0;
    table
        .iter()
        .map(|t| {
            total += weight(t);
            total
        })
        .collect()
}

/// Draw an index from a cumulative-weight table.
fn weighted_index(rng: &mut ChaCha8Rng, cum: &[u32]) -> usize {
    let total = *cum.last().expect("weight tables are never empty");
    let x = rng.gen_range(0..total);
    cum.partition_point(|&c| c <= x)
}

/// The two characters of a two-character root.
fn halves(root: &str) -> (char, char) {
    let mut chars = root.chars();
    let a = chars.next().expect("roots have two characters");
    let b = chars.next().expect("roots have two characters");
    (a, b)
}

/// Characters in first-seen order without repeats (order matters: it is part
/// of what a seed means).
fn distinct_chars(items: impl Iterator<Item = (char, &'static str)>) -> Vec<(char, &'static str)> {
    let mut out: Vec<(char, &'static str)> = Vec::new();
    for item in items {
        if !out.iter().any(|o| o.0 == item.0) {
            out.push(item);
        }
    }
    out
}

/// Append `n` left-padded with zeros to `width` digits; avoids `format!`
/// on the hot path of 100k-company benchmarks.
fn push_padded(s: &mut String, n: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let mut i = buf.len();
    let mut v = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let start = i.min(buf.len().saturating_sub(width));
    for &b in &buf[start..] {
        s.push(b as char);
    }
}

fn push_num(s: &mut String, n: u32) {
    push_padded(s, n, 1);
}

/// District name without its 区 suffix, as used in branch names
/// (`海淀区` → `海淀`, `浦东新区` → `浦东`).
fn district_short(name: &str) -> &str {
    for suffix in ["新区", "回族区", "区"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return stem;
        }
    }
    name
}

/// GB 32100-2015 check character for the first 17 characters.
fn credit_check_char(first17: &[u8]) -> u8 {
    let mut weight = 1u32;
    let mut sum = 0u32;
    for &c in first17 {
        let value = CREDIT_ALPHABET
            .iter()
            .position(|&a| a == c)
            .expect("credit code characters come from the GB 32100 alphabet")
            as u32;
        sum += value * weight;
        weight = weight * 3 % 31;
    }
    CREDIT_ALPHABET[((31 - sum % 31) % 31) as usize]
}

/// GB 11714 check character of an 8-character organisation code body.
fn org_check_char(body: &[u8; 8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(ORG_WEIGHTS)
        .map(|(&c, w)| {
            let v = if c.is_ascii_digit() {
                u32::from(c - b'0')
            } else {
                u32::from(c - b'A') + 10
            };
            v * w
        })
        .sum();
    match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        d => b'0' + d as u8,
    }
}

impl Generator {
    /// A generator whose whole output is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            surname_cum: cumulative(SURNAMES, |s| s.2),
            city_cum: cumulative(CITIES, |c| c.weight),
            mobile_cum: cumulative(MOBILE_PREFIXES, |m| m.1),
            leads: distinct_chars(ROOTS.iter().map(|r| (halves(r.0).0, r.1))),
            tails: distinct_chars(ROOTS.iter().map(|r| (halves(r.0).1, r.2))),
        }
    }

    // --- sampling primitives (all through u32; see module docs) ---

    fn below(&mut self, n: u32) -> u32 {
        self.rng.gen_range(0..n)
    }

    fn between(&mut self, lo: u32, hi_inclusive: u32) -> u32 {
        self.rng.gen_range(lo..=hi_inclusive)
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    fn pick<T>(&mut self, items: &'static [T]) -> &'static T {
        let len = u32::try_from(items.len()).expect("word lists are small");
        &items[self.below(len) as usize]
    }

    fn pick_str(&mut self, items: &'static [&'static str]) -> &'static str {
        self.pick::<&str>(items)
    }

    /// Weighted pick by linear scan, for the short tables drawn rarely.
    fn pick_weighted<T>(&mut self, table: &'static [(T, u32)]) -> &'static T {
        let total: u32 = table.iter().map(|t| t.1).sum();
        let mut x = self.below(total);
        for (item, w) in table {
            if x < *w {
                return item;
            }
            x -= w;
        }
        unreachable!("x is below the total weight")
    }

    fn city(&mut self) -> &'static City {
        &CITIES[weighted_index(&mut self.rng, &self.city_cum)]
    }

    fn surname(&mut self) -> &'static (&'static str, &'static str, u32) {
        &SURNAMES[weighted_index(&mut self.rng, &self.surname_cum)]
    }

    // --- people ---

    fn person(&mut self) -> Person {
        let surname = self.surname();
        let mut name = String::with_capacity(12);
        name.push_str(surname.0);
        let mut given_py = String::with_capacity(12);
        let mut given_initials = String::with_capacity(2);
        let roll = self.below(100);
        let list = if self.chance(50) {
            GIVEN_MALE
        } else {
            GIVEN_FEMALE
        };
        let mut add = |ch: &(&str, &str), name: &mut String| {
            name.push_str(ch.0);
            given_py.push_str(ch.1);
            given_initials.push_str(&ch.1[..1]);
        };
        if roll < 3 {
            // Reduplicated names (娜娜, 明明) are a small but familiar share.
            let ch = self.pick(GIVEN_DOUBLED);
            add(ch, &mut name);
            add(ch, &mut name);
        } else if roll < 23 {
            add(self.pick(list), &mut name);
        } else {
            let first = self.pick(list);
            let mut second = self.pick(list);
            while second.0 == first.0 {
                second = self.pick(list);
            }
            add(first, &mut name);
            add(second, &mut name);
        }
        Person {
            name,
            surname_py: surname.1,
            given_py,
            given_initials,
        }
    }

    /// A person's name such as `张明` or `欧阳娜娜`, with surnames weighted by
    /// how common they are.
    pub fn person_name(&mut self) -> String {
        self.person().name
    }

    // --- phones ---

    /// An 11-digit mainland mobile number in an allocated public segment.
    pub fn mobile(&mut self) -> String {
        let prefix = MOBILE_PREFIXES[weighted_index(&mut self.rng, &self.mobile_cum)].0;
        let rest = self.below(100_000_000);
        let mut s = String::with_capacity(11);
        push_num(&mut s, prefix);
        push_padded(&mut s, rest, 8);
        s
    }

    /// A mobile number written the way reps type or paste it: grouped with
    /// spaces or dashes and/or with a `+86` / `0086` country prefix. Removing
    /// spaces and dashes and a leading `+86`/`0086` gives back a valid mobile.
    pub fn messy_mobile(&mut self) -> String {
        let m = self.mobile();
        let (a, b, c) = (&m[..3], &m[3..7], &m[7..]);
        match self.below(10) {
            0 => format!("{a} {b} {c}"),
            1 => format!("+86 {a}-{b}-{c}"),
            2 => format!("0086 {m}"),
            3 => format!("{a}-{b}-{c}"),
            4 => format!("+86{m}"),
            5 => format!("+86 {a} {b} {c}"),
            6 => format!("{a}{b} {c}"),
            7 => format!("0086-{a}-{b}-{c}"),
            8 => format!("+86-{m}"),
            // Copy-pasted from a chat, with stray spaces around it.
            _ => format!(" {m} "),
        }
    }

    fn landline(&mut self, city: &City) -> String {
        let mut s = String::with_capacity(13);
        s.push_str(city.area_code);
        s.push('-');
        // Subscriber numbers never start with 0 (trunk prefix) or 1
        // (service and mobile numbers).
        push_num(&mut s, self.between(2, 8));
        push_padded(&mut s, self.below(10_000_000), 7);
        s
    }

    // --- credit codes ---

    /// A valid unified social credit code for a random city.
    pub fn credit_code(&mut self) -> String {
        let city = self.city();
        let prefix = match self.below(100) {
            0..=84 => "91",
            85..=94 => "92",
            _ => "12",
        };
        let division = if prefix == "92" {
            // Sole traders register with their district's market bureau.
            self.pick(city.districts).code
        } else {
            self.division_code(city)
        };
        self.credit_code_for(prefix, division)
    }

    fn division_code(&mut self, city: &City) -> u32 {
        if self.chance(city.city_level_pct) {
            city.code
        } else {
            self.pick(city.districts).code
        }
    }

    fn credit_code_for(&mut self, prefix: &str, division: u32) -> String {
        let mut code = String::with_capacity(18);
        code.push_str(prefix);
        push_padded(&mut code, division, 6);
        let mut body = [b'0'; 8];
        if self.chance(55) {
            // Codes issued since 2015 carry an "MA" block.
            body[0] = b'M';
            body[1] = b'A';
            for c in body.iter_mut().skip(2) {
                *c = *self.pick(CREDIT_ALPHABET);
            }
        } else {
            // Older organisation codes are all digits.
            body[0] = b'0' + self.between(1, 7) as u8;
            for c in body.iter_mut().skip(1) {
                *c = b'0' + self.below(10) as u8;
            }
        }
        for &c in &body {
            code.push(c as char);
        }
        code.push(org_check_char(&body) as char);
        let check = credit_check_char(code.as_bytes());
        code.push(check as char);
        code
    }

    // --- companies ---

    /// A brand-like distinctive part and its pinyin. Sometimes a curated
    /// root as written; mostly a first character of some root joined to a
    /// second character of another (华 + 达 → 华达), which is how real brand
    /// names are formed. Both characters are drawn uniformly from the distinct
    /// ones: drawing them by frequency (达 ends 1 in 7 roots) tripled the
    /// duplicate rate of short names.
    fn distinctive(&mut self) -> (String, String) {
        let as_written = |r: &(&str, &str, &str)| {
            let mut py = String::with_capacity(12);
            py.push_str(r.1);
            py.push_str(r.2);
            (r.0.to_string(), py)
        };
        if self.chance(10) {
            return as_written(self.pick(ROOTS));
        }
        let i = self.below(self.leads.len() as u32) as usize;
        let j = self.below(self.tails.len() as u32) as usize;
        let ((a, a_py), (b, b_py)) = (self.leads[i], self.tails[j]);
        let mut han = String::with_capacity(6);
        han.push(a);
        han.push(b);
        // A recombination may repeat a character or spell a real brand or a
        // city (南 + 昌); none of these reads as a distinctive company name.
        if a == b || DENY_ROOTS.contains(&han.as_str()) || CITIES.iter().any(|c| c.name == han) {
            return as_written(self.pick(ROOTS));
        }
        let mut py = String::with_capacity(12);
        py.push_str(a_py);
        py.push_str(b_py);
        (han, py)
    }

    /// The region text opening a registered name: `北京`, `深圳市`, `广东`.
    fn push_legal_region(&mut self, s: &mut String, city: &City) {
        if city.province.is_empty() {
            s.push_str(city.name);
            if self.chance(60) {
                s.push('市');
            }
        } else if self.chance(5) {
            s.push_str(city.province.trim_end_matches('省'));
        } else {
            s.push_str(city.name);
            if self.chance(75) {
                s.push('市');
            }
        }
    }

    fn address(&mut self, city: &City, district: &District) -> String {
        let mut s = String::with_capacity(96);
        if !city.province.is_empty() && self.chance(25) {
            s.push_str(city.province);
        }
        s.push_str(city.name);
        s.push('市');
        s.push_str(district.name);
        // Half the time a real street of the district when we know some,
        // otherwise a generic composed one.
        if !district.streets.is_empty() && self.chance(50) {
            s.push_str(self.pick_str(district.streets));
        } else {
            s.push_str(self.pick_str(STREET_STEMS));
            s.push_str(self.pick_str(STREET_SUFFIXES));
        }
        // Small house numbers are far more common than large ones.
        let number = self.between(1, 40).min(self.between(1, 400));
        push_num(&mut s, number);
        s.push('号');
        let floor = self.between(2, 32);
        match self.below(10) {
            0 | 1 => {
                s.push_str(self.pick(ROOTS).0);
                s.push_str("大厦");
                push_num(&mut s, floor);
                s.push('层');
            }
            2 | 3 => {
                push_num(&mut s, self.between(1, 12));
                s.push_str("号楼");
                push_num(&mut s, floor * 100 + self.between(1, 20));
                s.push('室');
            }
            4 => {
                s.push_str(self.pick(ROOTS).0);
                s.push_str("中心");
                s.push(*self.pick(&['A', 'B', 'C', 'D']));
                s.push('座');
                push_num(&mut s, floor * 100 + self.between(1, 20));
                s.push('室');
            }
            5 => {
                s.push_str(self.pick(ROOTS).0);
                s.push_str("科技园");
                push_num(&mut s, self.between(1, 15));
                s.push('栋');
                push_num(&mut s, floor.min(12));
                s.push('楼');
            }
            _ => {}
        }
        s
    }

    /// A point uniformly inside the city's 15 km disc, by rejection sampling
    /// in the bounding square (no trigonometry, so results are bit-identical
    /// across platforms), rounded to 6 decimals as GPS fixes usually are.
    fn coordinates(&mut self, city: &City) -> (f64, f64) {
        loop {
            let x: f64 = self.rng.gen::<f64>() * 2.0 - 1.0;
            let y: f64 = self.rng.gen::<f64>() * 2.0 - 1.0;
            if x * x + y * y <= 1.0 {
                let lat = city.lat + y * MAX_CENTRE_KM / KM_PER_DEG_LAT;
                let lon = city.lon + x * MAX_CENTRE_KM / city.km_per_deg_lon;
                return ((lat * 1e6).round() / 1e6, (lon * 1e6).round() / 1e6);
            }
        }
    }

    fn email_domain(&mut self, d_py: &str, industry: &Industry, city: &City, kind: Kind) -> String {
        let mut s = String::with_capacity(32);
        let variant = if kind == Kind::Group && self.chance(50) {
            7
        } else {
            self.below(7)
        };
        match variant {
            0 => {
                s.push_str(d_py);
                s.push_str(".com");
            }
            1 => {
                s.push_str(d_py);
                s.push('-');
                s.push_str(industry.slug);
                s.push_str(".com.cn");
            }
            2 => {
                s.push_str(d_py);
                s.push_str(industry.slug);
                s.push_str(".com");
            }
            3 => {
                s.push_str(city.abbr);
                s.push_str(d_py);
                s.push_str(".com");
            }
            4 => {
                s.push_str(d_py);
                s.push_str(".cn");
            }
            5 => {
                s.push_str(d_py);
                s.push('-');
                s.push_str(industry.slug);
                s.push_str(".cn");
            }
            6 => {
                s.push_str(d_py);
                s.push_str(".com.cn");
            }
            _ => {
                s.push_str(d_py);
                s.push_str("group.com");
            }
        }
        s
    }

    /// A pinyin handle such as `zhangming`, `ming.zhang`, `zhang_ming88`, `zm1990`.
    fn handle(&mut self, p: &Person) -> String {
        let mut s = String::with_capacity(24);
        match self.below(5) {
            0 => {
                s.push_str(p.surname_py);
                s.push_str(&p.given_py);
            }
            1 => {
                s.push_str(&p.given_py);
                s.push('.');
                s.push_str(p.surname_py);
            }
            2 => {
                s.push_str(p.surname_py);
                s.push('_');
                s.push_str(&p.given_py);
                push_num(&mut s, self.between(1, 99));
            }
            3 => {
                s.push_str(&p.surname_py[..1]);
                s.push_str(&p.given_initials);
                push_num(&mut s, self.between(1970, 2002));
            }
            _ => {
                s.push_str(p.surname_py);
                s.push_str(&p.given_py);
                push_num(&mut s, self.between(1970, 2002));
            }
        }
        s
    }

    fn wechat(&mut self, p: &Person, mobile: &str) -> Option<String> {
        match self.below(10) {
            // Many people never set a WeChat ID and are found by mobile.
            0..=2 => Some(mobile.to_string()),
            3..=5 => {
                // WeChat IDs allow letters, digits, _ and - but no dots.
                let mut h = self.handle(p).replace('.', "_");
                // WeChat IDs are at least 6 characters; short pinyin (xuxu)
                // gets a number, as people do.
                while h.len() < 6 {
                    push_num(&mut h, self.below(10));
                }
                // ...and at most 20 (上官 + a long given name can exceed it).
                h.truncate(20);
                Some(h)
            }
            6 => {
                // Auto-assigned IDs look like wxid_ + 14 lowercase alphanumerics.
                const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
                let mut s = String::with_capacity(19);
                s.push_str("wxid_");
                for _ in 0..14 {
                    s.push(*self.pick(CHARS) as char);
                }
                Some(s)
            }
            _ => None,
        }
    }

    fn email(&mut self, p: &Person, mobile: &str, domain: Option<&str>) -> Option<String> {
        if let Some(domain) = domain {
            if self.chance(75) {
                let mut s = String::with_capacity(40);
                match self.below(3) {
                    0 => {
                        s.push_str(p.surname_py);
                        s.push_str(&p.given_py);
                    }
                    1 => {
                        s.push_str(&p.given_py);
                        s.push('.');
                        s.push_str(p.surname_py);
                    }
                    _ => {
                        s.push_str(&p.given_initials);
                        s.push_str(p.surname_py);
                    }
                }
                s.push('@');
                s.push_str(domain);
                return Some(s);
            }
        }
        match self.below(10) {
            0..=1 => Some(format!("{}@qq.com", self.between(100_000, 3_999_999_999))),
            2 => Some(format!("{}@163.com", self.handle(p))),
            3 => Some(format!("{}@126.com", self.handle(p))),
            4 => Some(format!("{mobile}@139.com")),
            5 => Some(format!("{}@foxmail.com", self.handle(p))),
            _ => None,
        }
    }

    fn contact(&mut self, kind: Kind, domain: Option<&str>) -> FakeContact {
        let p = self.person();
        let title = match kind {
            Kind::Individual => self.pick_weighted(TITLES_SHOP),
            Kind::Institute => self.pick_weighted(TITLES_INSTITUTE),
            _ => self.pick_weighted(TITLES_COMPANY),
        };
        let mobile = self.mobile();
        let wechat = self.wechat(&p, &mobile);
        let email = self.email(&p, &mobile, domain);
        FakeContact {
            name: p.name,
            title: (*title).to_string(),
            mobile,
            wechat,
            email,
        }
    }

    /// A complete fake customer company with one to three contacts.
    pub fn company(&mut self) -> FakeCompany {
        let city = self.city();
        let district = *self.pick(city.districts);
        let (d_han, d_py) = self.distinctive();
        let kind = *self.pick_weighted(KINDS);
        let industry = match kind {
            Kind::Partnership => INVEST,
            Kind::Institute => RESEARCH,
            _ => *self.pick(INDUSTRIES),
        };
        let legal_industry = *self.pick(industry.legal);

        let legal_name = self.legal_name(kind, city, &district, &d_han, legal_industry);
        let name = self.short_name(kind, city, &d_han, industry.word);

        let credit_prefix = match kind {
            Kind::Individual => "92",
            Kind::Institute => "12",
            _ => "91",
        };
        let division = if kind == Kind::Individual {
            // Sole traders register with their district's market bureau.
            district.code
        } else {
            self.division_code(city)
        };
        let credit_code = self.credit_code_for(credit_prefix, division);

        let address = self.address(city, &district);
        let (lat, lon) = self.coordinates(city);

        let landline_pct = match kind {
            Kind::Individual => 30,
            _ => 65,
        };
        let phone = if self.chance(landline_pct) {
            self.landline(city)
        } else {
            self.mobile()
        };

        let domain_pct = match kind {
            Kind::Individual => 15,
            Kind::Institute => 80,
            _ => 67,
        };
        let email_domain = if self.chance(domain_pct) {
            Some(self.email_domain(&d_py, &industry, city, kind))
        } else {
            None
        };

        let n_contacts = match (kind, self.below(100)) {
            (Kind::Individual, r) if r < 85 => 1,
            (_, r) if r < 50 => 1,
            (_, r) if r < 85 => 2,
            _ => 3,
        };
        let contacts = (0..n_contacts)
            .map(|_| self.contact(kind, email_domain.as_deref()))
            .collect();

        FakeCompany {
            name,
            legal_name,
            industry: industry.word.to_string(),
            city: city.name.to_string(),
            address,
            lat,
            lon,
            credit_code,
            phone,
            email_domain,
            contacts,
        }
    }

    fn legal_name(
        &mut self,
        kind: Kind,
        city: &City,
        district: &District,
        d_han: &str,
        legal_industry: &str,
    ) -> String {
        let mut s = String::with_capacity(64);
        match kind {
            Kind::Limited | Kind::LimitedLiability | Kind::Partnership => {
                self.push_legal_region(&mut s, city);
                s.push_str(d_han);
                s.push_str(legal_industry);
                s.push_str(match kind {
                    Kind::Limited => "有限公司",
                    Kind::LimitedLiability => "有限责任公司",
                    _ => "合伙企业（有限合伙）",
                });
            }
            Kind::JointStock => {
                // Large joint-stock companies may register without a region.
                if self.chance(70) {
                    self.push_legal_region(&mut s, city);
                }
                s.push_str(d_han);
                s.push_str(legal_industry);
                s.push_str("股份有限公司");
            }
            Kind::Group => {
                self.push_legal_region(&mut s, city);
                s.push_str(d_han);
                if self.chance(50) {
                    s.push_str(legal_industry);
                }
                s.push_str("集团有限公司");
            }
            Kind::ForeignStyle => {
                s.push_str(d_han);
                s.push_str(legal_industry);
                s.push('（');
                s.push_str(city.name);
                s.push_str("）有限公司");
            }
            Kind::Branch => {
                let hq = self.city();
                self.push_legal_region(&mut s, hq);
                s.push_str(d_han);
                s.push_str(legal_industry);
                s.push_str("有限公司");
                if std::ptr::eq(hq, city) {
                    s.push_str(district_short(district.name));
                } else {
                    s.push_str(city.name);
                }
                s.push_str("分公司");
            }
            Kind::Individual => {
                s.push_str(city.name);
                s.push('市');
                s.push_str(district.name);
                s.push_str(d_han);
                s.push_str(legal_industry);
                s.push_str(self.pick_str(&["经营部", "经营部", "商行", "工作室"]));
            }
            Kind::Institute => {
                s.push_str(city.name);
                s.push('市');
                s.push_str(d_han);
                s.push_str(legal_industry);
            }
        }
        s
    }

    /// The short name a rep types. The share of each form is tuned so that
    /// 100k companies stay under a few percent of exact duplicates.
    fn short_name(&mut self, kind: Kind, city: &City, d_han: &str, word: &str) -> String {
        let mut s = String::with_capacity(24);
        let roll = self.below(100);
        if kind == Kind::Group && roll < 50 {
            s.push_str(d_han);
            s.push_str("集团");
            return s;
        }
        if kind == Kind::Institute {
            if roll < 50 {
                s.push_str(city.name);
            }
            s.push_str(d_han);
            s.push_str("研究院");
            return s;
        }
        match roll {
            0..=54 => {
                s.push_str(d_han);
                s.push_str(word);
            }
            55..=72 => {
                s.push_str(city.name);
                s.push_str(d_han);
            }
            73..=97 => {
                s.push_str(city.name);
                s.push_str(d_han);
                s.push_str(word);
            }
            _ => s.push_str(d_han),
        }
        s
    }

    /// `n` companies in one go.
    pub fn companies(&mut self, n: usize) -> Vec<FakeCompany> {
        (0..n).map(|_| self.company()).collect()
    }

    // --- sales activity ---

    /// Zero to three distinct pain points a customer raised.
    pub fn pain_points(&mut self) -> Vec<String> {
        let n = match self.below(100) {
            0..=14 => 0,
            15..=49 => 1,
            50..=79 => 2,
            _ => 3,
        };
        let mut picked: Vec<&'static str> = Vec::with_capacity(n);
        while picked.len() < n {
            let p = *self.pick(PAIN_POINTS);
            if !picked.contains(&p) {
                picked.push(p);
            }
        }
        picked.into_iter().map(str::to_string).collect()
    }

    /// One to three short sentences of the kind a rep types after a visit.
    pub fn visit_note(&mut self) -> String {
        let n = match self.below(100) {
            0..=29 => 1,
            30..=74 => 2,
            _ => 3,
        };
        let mut used: Vec<&'static str> = Vec::with_capacity(n);
        let mut out = String::with_capacity(128);
        while used.len() < n {
            let template = *self.pick(NOTE_SENTENCES);
            // Reps don't repeat themselves within one note.
            if !used.contains(&template) {
                used.push(template);
                self.fill(template, &mut out);
            }
        }
        out
    }

    /// Expand the `{X}` slots of a note template into `out`.
    fn fill(&mut self, template: &str, out: &mut String) {
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after.find('}').expect("note templates close their slots");
            match &after[..close] {
                "S" => out.push_str(self.surname().0),
                "P" => out.push_str(self.pick_str(PAIN_POINTS)),
                "B" => push_num(out, *self.pick(&[5, 8, 10, 15, 20, 30, 50, 80, 100, 200])),
                "U" => push_num(out, self.between(2, 50) * 10),
                "n" => push_num(out, self.between(2, 8)),
                "M" => push_num(out, self.between(1, 12)),
                "W" => out.push_str(self.pick_str(WEEKDAYS)),
                "F" => out.push_str(self.pick_str(FEATURES)),
                "D" => out.push_str(self.pick_str(DEPARTMENTS)),
                "K" => out.push_str(&self.distinctive().0),
                other => unreachable!("unknown note slot {other}"),
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
    }

    /// The next step a rep plans, sometimes with a time: `下周三安排技术演示`.
    pub fn next_action(&mut self) -> String {
        let action = *self.pick(NEXT_ACTIONS);
        match self.below(10) {
            0..=5 => action.to_string(),
            6..=7 => format!("{}{action}", self.pick(ACTION_WHEN)),
            _ => format!("下{}{action}", self.pick(WEEKDAYS)),
        }
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod fingerprint;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};
    use std::time::Instant;

    /// Generated numbers must pass the product's own validator, or the benchmarks' data
    /// would be refused on the way in.
    fn is_allowed_mobile(s: &str) -> bool {
        s.len() == 11
            && fieldsales_core::validate::parse_phone(s)
                .is_ok_and(|p| p.kind() == fieldsales_core::validate::PhoneKind::Mobile)
    }

    /// Independent GB 32100-2015 verification: own alphabet, literal weights.
    fn credit_code_is_valid(code: &str) -> bool {
        const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        const WEIGHTS: [u32; 17] = [
            1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
        ];
        let chars: Vec<char> = code.chars().collect();
        if chars.len() != 18 {
            return false;
        }
        let mut values = Vec::with_capacity(18);
        for c in &chars {
            match ALPHABET.find(*c) {
                Some(v) => values.push(v as u32),
                None => return false,
            }
        }
        let sum: u32 = values[..17].iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
        let expected = (31 - sum % 31) % 31;
        values[17] == expected
    }

    /// Independent GB 11714 verification of positions 9-17.
    fn org_code_is_valid(org: &str) -> bool {
        let b = org.as_bytes();
        let w = [3, 7, 9, 10, 5, 8, 4, 2];
        let mut sum = 0;
        for (&c, weight) in b[..8].iter().zip(w) {
            let v = match c {
                b'0'..=b'9' => (c - b'0') as u32,
                b'A'..=b'Z' => (c - b'A') as u32 + 10,
                _ => return false,
            };
            sum += v * weight;
        }
        let expected = match 11 - sum % 11 {
            10 => b'X',
            11 => b'0',
            d => b'0' + d as u8,
        };
        b[8] == expected
    }

    fn strip_messy(s: &str) -> String {
        let compact: String = s.chars().filter(|c| *c != ' ' && *c != '-').collect();
        if let Some(rest) = compact.strip_prefix("+86") {
            rest.to_string()
        } else if let Some(rest) = compact.strip_prefix("0086") {
            rest.to_string()
        } else {
            compact
        }
    }

    /// City → (area code, province code, approximate centre), written out
    /// here rather than read from `CITIES` so the tests check the data.
    fn reference_city(name: &str) -> (&'static str, &'static str, f64, f64) {
        match name {
            "北京" => ("010", "11", 39.90, 116.41),
            "上海" => ("021", "31", 31.23, 121.47),
            "天津" => ("022", "12", 39.08, 117.20),
            "重庆" => ("023", "50", 29.56, 106.55),
            "广州" => ("020", "44", 23.13, 113.26),
            "深圳" => ("0755", "44", 22.54, 114.06),
            "杭州" => ("0571", "33", 30.27, 120.16),
            "成都" => ("028", "51", 30.57, 104.07),
            "武汉" => ("027", "42", 30.59, 114.31),
            "南京" => ("025", "32", 32.06, 118.80),
            "西安" => ("029", "61", 34.34, 108.94),
            "苏州" => ("0512", "32", 31.30, 120.59),
            "青岛" => ("0532", "37", 36.07, 120.38),
            "长沙" => ("0731", "43", 28.23, 112.94),
            "郑州" => ("0371", "41", 34.75, 113.63),
            "宁波" => ("0574", "33", 29.87, 121.54),
            "合肥" => ("0551", "34", 31.82, 117.23),
            "济南" => ("0531", "37", 36.65, 117.12),
            "沈阳" => ("024", "21", 41.81, 123.43),
            "大连" => ("0411", "21", 38.91, 121.61),
            "佛山" => ("0757", "44", 23.02, 113.12),
            "无锡" => ("0510", "32", 31.49, 120.31),
            "福州" => ("0591", "35", 26.07, 119.30),
            "昆明" => ("0871", "53", 25.04, 102.72),
            "哈尔滨" => ("0451", "23", 45.80, 126.54),
            "长春" => ("0431", "22", 43.82, 125.32),
            "南昌" => ("0791", "36", 28.68, 115.86),
            "石家庄" => ("0311", "13", 38.04, 114.51),
            "常州" => ("0519", "32", 31.81, 119.97),
            "温州" => ("0577", "33", 27.99, 120.70),
            other => panic!("no reference data for city {other}"),
        }
    }

    fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
        let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
        let dp = p2 - p1;
        let dl = (lon2 - lon1).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * 6371.0 * a.sqrt().asin()
    }

    fn is_han(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
    }

    #[test]
    fn same_seed_gives_identical_output_for_every_method() {
        let mut a = Generator::new(20240601);
        let mut b = Generator::new(20240601);
        for _ in 0..300 {
            assert_eq!(a.company(), b.company());
            assert_eq!(a.person_name(), b.person_name());
            assert_eq!(a.mobile(), b.mobile());
            assert_eq!(a.messy_mobile(), b.messy_mobile());
            assert_eq!(a.credit_code(), b.credit_code());
            assert_eq!(a.pain_points(), b.pain_points());
            assert_eq!(a.visit_note(), b.visit_note());
            assert_eq!(a.next_action(), b.next_action());
        }
    }

    #[test]
    fn different_seeds_give_different_companies() {
        let a = Generator::new(1).companies(20);
        let b = Generator::new(2).companies(20);
        assert_ne!(a, b);
    }

    /// Pinned output for one seed. If this fails after an intentional change
    /// to a word list or a sampling step, update the expectations; if it fails
    /// on another platform with no change, determinism is broken.
    #[test]
    fn seed_42_output_is_pinned() {
        let mut g = Generator::new(42);
        let c = g.company();
        let pinned = format!(
            "{}|{}|{}|{}|{}",
            c.name, c.legal_name, c.credit_code, c.phone, c.address
        );
        assert_eq!(
            pinned,
            "巨世环保|天津巨世环境科技有限公司|911200005825599707|022-23930548|\
             天津市河北区金融路24号九州中心A座704室"
        );
        assert_eq!((c.lat, c.lon), (39.138378, 117.138656));
        assert_eq!(g.mobile(), "18304456639");
        assert_eq!(g.person_name(), "许勇磊");
    }

    #[test]
    fn mobiles_are_eleven_digits_in_allocated_segments() {
        let mut g = Generator::new(3);
        let mut prefixes = HashSet::new();
        for _ in 0..20_000 {
            let m = g.mobile();
            assert!(is_allowed_mobile(&m), "bad mobile {m}");
            prefixes.insert(m[..3].to_string());
        }
        // Every weighted segment shows up, not just the common ones.
        assert_eq!(prefixes.len(), MOBILE_PREFIXES.len());
    }

    #[test]
    fn messy_mobiles_strip_back_to_allowed_mobiles() {
        let mut g = Generator::new(4);
        for _ in 0..20_000 {
            let messy = g.messy_mobile();
            let clean = strip_messy(&messy);
            assert!(is_allowed_mobile(&clean), "{messy:?} stripped to {clean:?}");
        }
    }

    #[test]
    fn messy_mobiles_come_in_several_spellings() {
        let mut g = Generator::new(5);
        let samples: Vec<String> = (0..2_000).map(|_| g.messy_mobile()).collect();
        let shapes: HashSet<String> = samples
            .iter()
            .map(|m| {
                m.chars()
                    .map(|c| if c.is_ascii_digit() { 'd' } else { c })
                    .collect()
            })
            .collect();
        assert!(
            shapes.len() >= 8,
            "only {} shapes: {shapes:?}",
            shapes.len()
        );
        assert!(samples.iter().any(|s| s.starts_with("+86")));
        assert!(samples.iter().any(|s| s.starts_with("0086")));
        assert!(shapes.contains("ddd dddd dddd"));
        assert!(shapes.contains("ddd-dddd-dddd"));
    }

    #[test]
    fn credit_codes_pass_independent_check_character_verification() {
        let mut g = Generator::new(6);
        for _ in 0..10_000 {
            let code = g.credit_code();
            assert!(credit_code_is_valid(&code), "bad credit code {code}");
            assert!(org_code_is_valid(&code[8..17]), "bad org code in {code}");
            assert!(["91", "92", "12"].contains(&&code[..2]), "{code}");
            assert!(code[2..8].bytes().all(|b| b.is_ascii_digit()), "{code}");
        }
        // A real code as a sanity check of the verifier itself.
        assert!(credit_code_is_valid("91350100M000100Y43"));
        assert!(!credit_code_is_valid("91350100M000100Y44"));
    }

    #[test]
    fn company_credit_codes_are_valid_and_carry_the_city_division() {
        let mut g = Generator::new(7);
        for _ in 0..5_000 {
            let c = g.company();
            assert!(credit_code_is_valid(&c.credit_code), "{}", c.credit_code);
            let (_, province, _, _) = reference_city(&c.city);
            assert_eq!(
                &c.credit_code[2..4],
                province,
                "{} in {}",
                c.credit_code,
                c.city
            );
            let kind_ok = match &c.credit_code[..2] {
                "92" => c.legal_name.contains(['经', '商', '工']),
                "12" => c.legal_name.ends_with("研究院"),
                "91" => true,
                other => panic!("unexpected registration type {other}"),
            };
            assert!(kind_ok, "{} / {}", c.credit_code, c.legal_name);
        }
    }

    #[test]
    fn company_landlines_carry_the_city_area_code() {
        let mut g = Generator::new(8);
        let mut landlines = 0;
        for _ in 0..10_000 {
            let c = g.company();
            if is_allowed_mobile(&c.phone) {
                continue;
            }
            landlines += 1;
            let (area, _, _, _) = reference_city(&c.city);
            let subscriber = c
                .phone
                .strip_prefix(area)
                .and_then(|r| r.strip_prefix('-'))
                .unwrap_or_else(|| panic!("{} lacks area code {area}", c.phone));
            assert_eq!(subscriber.len(), 8, "{}", c.phone);
            assert!(subscriber.bytes().all(|b| b.is_ascii_digit()));
            assert!(!subscriber.starts_with(['0', '1']), "{}", c.phone);
        }
        assert!(landlines > 4_000, "landlines {landlines}");
    }

    #[test]
    fn company_coordinates_lie_within_15_km_of_the_city_centre() {
        let mut g = Generator::new(9);
        for _ in 0..10_000 {
            let c = g.company();
            let (_, _, lat, lon) = reference_city(&c.city);
            // Reference centres are rounded to 0.01°, about 1 km.
            let d = haversine_km(lat, lon, c.lat, c.lon);
            assert!(d <= 16.5, "{} is {d:.1} km from {}", c.address, c.city);
        }
    }

    #[test]
    fn companies_have_one_to_three_well_formed_contacts() {
        let mut g = Generator::new(10);
        let mut counts = [0; 4];
        for _ in 0..5_000 {
            let c = g.company();
            assert!((1..=3).contains(&c.contacts.len()));
            counts[c.contacts.len()] += 1;
            for p in &c.contacts {
                assert!(is_allowed_mobile(&p.mobile));
                let n = p.name.chars().count();
                assert!(
                    (2..=4).contains(&n) && p.name.chars().all(is_han),
                    "{}",
                    p.name
                );
                assert!(!p.title.is_empty());
                if let Some(w) = &p.wechat {
                    // Either the mobile (people found by number) or a real
                    // WeChat ID: 6-20 chars, a letter first, then [a-z0-9_-].
                    let is_id = (6..=20).contains(&w.len())
                        && w.starts_with(|c: char| c.is_ascii_lowercase())
                        && w.bytes().all(|b| {
                            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'
                        });
                    assert!(is_id || *w == p.mobile, "wechat {w}");
                }
                if let Some(e) = &p.email {
                    let (user, domain) = e.split_once('@').expect("email has @");
                    assert!(
                        !user.is_empty() && domain.contains('.') && e.is_ascii(),
                        "{e}"
                    );
                }
            }
        }
        assert!(
            counts[1] > 0 && counts[2] > 0 && counts[3] > 0,
            "{counts:?}"
        );
    }

    #[test]
    fn about_sixty_percent_of_companies_have_an_email_domain() {
        let mut g = Generator::new(11);
        let n = 20_000;
        let with = (0..n)
            .filter(|_| g.company().email_domain.is_some())
            .count();
        let share = with as f64 / n as f64;
        assert!((0.55..=0.65).contains(&share), "share {share}");
    }

    #[test]
    fn work_emails_use_the_company_domain() {
        let mut g = Generator::new(12);
        let mut work = 0;
        for _ in 0..2_000 {
            let c = g.company();
            if let Some(domain) = &c.email_domain {
                assert!(domain.is_ascii() && domain.contains('.'));
                let suffix = format!("@{domain}");
                work += c
                    .contacts
                    .iter()
                    .filter(|p| p.email.as_deref().is_some_and(|e| e.ends_with(&suffix)))
                    .count();
            }
        }
        assert!(work > 500, "work emails {work}");
    }

    #[test]
    fn legal_names_end_in_a_registered_form_and_contain_the_short_names_brand() {
        let mut g = Generator::new(13);
        // Longest first, so 股份有限公司 is not counted as 有限公司.
        let forms = [
            "股份有限公司",
            "有限责任公司",
            "有限公司",
            "（有限合伙）",
            "分公司",
            "经营部",
            "商行",
            "工作室",
            "研究院",
        ];
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let c = g.company();
            let form = forms
                .iter()
                .find(|f| c.legal_name.ends_with(*f))
                .unwrap_or_else(|| panic!("{}", c.legal_name));
            seen.insert(*form);
            // The short name minus a city prefix starts with the 2-char brand,
            // which must appear in the registered name.
            let brand: String = c
                .name
                .strip_prefix(c.city.as_str())
                .unwrap_or(&c.name)
                .chars()
                .take(2)
                .collect();
            assert!(
                c.legal_name.contains(&brand),
                "{} vs {}",
                c.name,
                c.legal_name
            );
            assert!(c.name.chars().all(is_han) && c.legal_name.chars().count() >= 6);
        }
        assert_eq!(seen.len(), forms.len(), "{seen:?}");
    }

    #[test]
    fn addresses_start_with_the_city_and_name_a_district() {
        let mut g = Generator::new(14);
        for _ in 0..5_000 {
            let c = g.company();
            let body = CITIES
                .iter()
                .filter(|city| !city.province.is_empty())
                .find_map(|city| c.address.strip_prefix(city.province))
                .unwrap_or(&c.address);
            let rest = body
                .strip_prefix(&format!("{}市", c.city))
                .unwrap_or_else(|| panic!("{}", c.address));
            assert!(rest.contains('区') && rest.contains('号'), "{}", c.address);
        }
    }

    #[test]
    fn pain_points_are_zero_to_three_distinct_known_entries() {
        let mut g = Generator::new(15);
        let mut sizes = HashSet::new();
        for _ in 0..5_000 {
            let p = g.pain_points();
            assert!(p.len() <= 3);
            let unique: HashSet<&String> = p.iter().collect();
            assert_eq!(unique.len(), p.len());
            assert!(p.iter().all(|x| PAIN_POINTS.contains(&x.as_str())));
            sizes.insert(p.len());
        }
        assert_eq!(sizes.len(), 4);
    }

    #[test]
    fn visit_notes_have_one_to_three_filled_sentences() {
        let mut g = Generator::new(16);
        for _ in 0..5_000 {
            let note = g.visit_note();
            let sentences = note.matches('。').count();
            assert!((1..=3).contains(&sentences), "{note}");
            assert!(note.ends_with('。'));
            assert!(!note.contains('{') && !note.contains('}'), "{note}");
        }
    }

    #[test]
    fn note_templates_end_in_exactly_one_full_stop() {
        for t in NOTE_SENTENCES {
            assert!(t.ends_with('。') && t.matches('。').count() == 1, "{t}");
        }
    }

    #[test]
    fn next_actions_are_short_chinese_phrases() {
        let mut g = Generator::new(17);
        for _ in 0..1_000 {
            let a = g.next_action();
            let n = a.chars().count();
            assert!((4..=14).contains(&n) && a.chars().all(is_han), "{a}");
        }
    }

    #[test]
    fn person_names_favour_common_surnames_and_include_compound_ones() {
        let mut g = Generator::new(18);
        let mut by_first = HashMap::new();
        let mut compound = 0;
        for _ in 0..100_000 {
            let name = g.person_name();
            assert!(
                (2..=4).contains(&name.chars().count()) && name.chars().all(is_han),
                "{name}"
            );
            if name.starts_with("欧阳")
                || name.starts_with("司马")
                || name.starts_with("上官")
                || name.starts_with("诸葛")
            {
                compound += 1;
            }
            *by_first.entry(name.chars().next().unwrap()).or_insert(0) += 1;
        }
        let mut ranked: Vec<_> = by_first.into_iter().collect();
        ranked.sort_by_key(|r| std::cmp::Reverse(r.1));
        let top3: HashSet<char> = ranked[..3].iter().map(|x| x.0).collect();
        assert_eq!(top3, HashSet::from(['王', '李', '张']));
        assert!(compound > 20, "compound surnames {compound}");
    }

    #[test]
    fn word_lists_are_well_formed() {
        let mut roots = HashSet::new();
        for (han, a, b) in ROOTS {
            let (x, y) = halves(han);
            assert_eq!(han.chars().count(), 2, "{han}");
            assert!(x != y && is_han(x) && is_han(y), "{han}");
            assert!(
                a.bytes().chain(b.bytes()).all(|c| c.is_ascii_lowercase()),
                "{han}"
            );
            assert!(!DENY_ROOTS.contains(han), "{han} is a real brand");
            assert!(roots.insert(*han), "duplicate root {han}");
        }
        assert!(ROOTS.len() >= 300, "{} roots", ROOTS.len());
        // A character must keep its pinyin wherever it appears, or
        // recombined names get wrong mail domains.
        let mut pinyin: HashMap<char, &str> = HashMap::new();
        for (han, a, b) in ROOTS {
            let (x, y) = halves(han);
            for (c, py) in [(x, *a), (y, *b)] {
                let known = *pinyin.entry(c).or_insert(py);
                assert_eq!(known, py, "{c} has two pinyin spellings");
            }
        }
        assert!(INDUSTRIES.len() >= 40);
        assert!(CITIES.len() >= 30);
        for city in CITIES {
            let (area, province, _, _) = reference_city(city.name);
            assert_eq!(city.area_code, area);
            assert!(city.code.to_string().starts_with(province));
            for d in city.districts {
                assert_eq!(
                    d.code / 100,
                    city.code / 100 + u32::from(city.province.is_empty()),
                    "{}",
                    d.name
                );
                assert!(d.name.ends_with('区'));
            }
        }
    }

    #[test]
    fn short_names_of_100k_companies_have_under_5_percent_duplicates() {
        let mut g = Generator::new(2024);
        let n = 100_000;
        let names: HashSet<String> = (0..n).map(|_| g.company().name).collect();
        let dup_rate = 1.0 - names.len() as f64 / n as f64;
        println!(
            "short-name duplicate rate over {n} companies: {:.2}% ({} distinct)",
            dup_rate * 100.0,
            names.len()
        );
        assert!(dup_rate < 0.05, "duplicate rate {dup_rate}");
    }

    #[test]
    fn generates_100k_companies_quickly() {
        let mut g = Generator::new(99);
        let start = Instant::now();
        let companies = g.companies(100_000);
        let elapsed = start.elapsed();
        let contacts: usize = companies.iter().map(|c| c.contacts.len()).sum();
        println!("generated 100000 companies ({contacts} contacts) in {elapsed:?}");
        // Only meaningful with optimisations; debug builds are ~10x slower.
        if !cfg!(debug_assertions) {
            assert!(elapsed.as_secs_f64() < 1.0, "took {elapsed:?}");
        }
    }
}
