//! Normalisation: turning what reps type into comparable parts.
//!
//! The same company reaches the CRM as 「北京小米」 from WeChat, 「小米科技（北京）有限公司」
//! from a business card and 「Xiaomi Inc.」 from a web form. Comparing raw strings finds none of
//! these; comparing the *distinctive part* of each name does. The rules, in the order applied:
//!
//! - **Width and case**: full-width ASCII (ＡＢＣ，１２３) becomes half-width, the ideographic
//!   space a space, Latin letters lower case.
//! - **Parentheses**: （深圳） / (北京) are taken out; a place inside becomes the *region*, a
//!   legal form inside (（有限合伙）) is dropped, anything else stays in the name.
//! - **Branch**: a trailing 分公司 / 分店 / 办事处 / 营业部 / 分部 / branch marks a branch
//!   office; the place before it is the *branch*. A branch is a different customer from its
//!   head office, so it is kept apart from the rest of the name.
//! - **Legal forms**: 股份有限公司, 有限责任公司, 有限公司, 集团, 公司, 经营部, 商行, 工作室,
//!   Co., Ltd., Inc., LLC, GmbH... are dropped from the end (repeatedly).
//! - **Region markers**: a leading province or city (北京市, 广东省, 深圳) and a leading
//!   district (朝阳区) are the *region*, not the name.
//! - **Industry**: trailing industry words (科技, 信息技术, 软件, 贸易, tech, trading...) are the
//!   *industry*, kept as a list of words so that 软件 and 软件技术 agree while 科技 and 信息技术
//!   do not (北京小米科技 and 北京小米信息技术 are two companies). Synonyms share one spelling
//!   (技术 = 科技 = technology; 物流 = logistics), so a Chinese name meets its English form.
//! - What is left is the **core** (小米, 华信, acme); its pinyin (xiaomi) lets a Chinese core
//!   match a Latin one.
//! - **Person names**: titles and honorifics (经理, 总监, 总, 先生, 女士, 老师, 主任, 董事长,
//!   老/小 prefixes...) are stripped to surname + given name where present (王经理 → 王;
//!   王建国总监 → 王建国). Latin names keep their words (Zhang Ming → zhang, ming).
//! - **E-mail domains**: public providers (qq.com, 163.com, gmail.com, ...) never count as a
//!   company match, as Odoo does; only the full address does.
//! - Phones go through the core's phone normaliser (E.164) and the credit code through its
//!   validator, so both compare exactly.
//!
//! Why hand-written: no maintained crate knows Chinese legal forms, region markers or titles;
//! the width conversion is one arithmetic rule over two Unicode blocks, not worth a dependency.
//! Pinyin comes from the `pinyin` crate, as in search.

use pinyin::ToPinyin;

use crate::search::terms::is_han;

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
}

/// Full-width ASCII to half-width, the ideographic space to a space, lower case.
pub fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

const LEGAL_FORMS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "集团股份有限公司",
    "有限合伙",
    "合伙企业",
    "有限公司",
    "控股集团",
    "集团公司",
    "集团",
    "公司",
    "经营部",
    "商行",
    "工作室",
    "研究院",
    "研究所",
    "co.,ltd",
    "co.ltd",
    "co ltd",
    "company limited",
    "corporation",
    "company",
    "limited",
    "holdings",
    "group",
    "corp",
    "ltd",
    "inc",
    "llc",
    "gmbh",
    "plc",
    "co",
];

const BRANCH_MARKERS: &[&str] = &[
    "分公司",
    "分店",
    "办事处",
    "营业部",
    "分部",
    "分厂",
    "分院",
    "分行",
    "支行",
    "branch",
];

/// Provinces and cities that may open a name or an address (short form; 省/市 are stripped).
const PLACES: &[&str] = &[
    "北京",
    "上海",
    "天津",
    "重庆",
    "广东",
    "江苏",
    "浙江",
    "山东",
    "河南",
    "河北",
    "湖北",
    "湖南",
    "四川",
    "福建",
    "安徽",
    "江西",
    "辽宁",
    "吉林",
    "黑龙江",
    "陕西",
    "山西",
    "云南",
    "贵州",
    "广西",
    "海南",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
    "西藏",
    "内蒙古",
    "香港",
    "澳门",
    "台湾",
    "广州",
    "深圳",
    "佛山",
    "东莞",
    "珠海",
    "中山",
    "惠州",
    "汕头",
    "南京",
    "苏州",
    "无锡",
    "常州",
    "南通",
    "扬州",
    "徐州",
    "杭州",
    "宁波",
    "温州",
    "绍兴",
    "嘉兴",
    "金华",
    "台州",
    "济南",
    "青岛",
    "烟台",
    "潍坊",
    "郑州",
    "洛阳",
    "石家庄",
    "唐山",
    "保定",
    "武汉",
    "长沙",
    "成都",
    "绵阳",
    "福州",
    "厦门",
    "泉州",
    "合肥",
    "芜湖",
    "南昌",
    "沈阳",
    "大连",
    "长春",
    "哈尔滨",
    "西安",
    "太原",
    "昆明",
    "贵阳",
    "南宁",
    "海口",
    "三亚",
    "兰州",
    "西宁",
    "银川",
    "乌鲁木齐",
    "拉萨",
    "呼和浩特",
    "包头",
    "beijing",
    "shanghai",
    "shenzhen",
    "guangzhou",
    "hangzhou",
    "chengdu",
    "wuhan",
    "nanjing",
    "tianjin",
    "chongqing",
    "suzhou",
    "xian",
    "hong kong",
    "hongkong",
    "china",
];

/// Industry words, longest first within the same start so that 信息技术 beats 信息.
const INDUSTRY_WORDS: &[&str] = &[
    "人力资源",
    "电子商务",
    "进出口",
    "供应链",
    "自动化",
    "新能源",
    "新材料",
    "房地产",
    "互联网",
    "云计算",
    "半导体",
    "纺织品",
    "人工智能",
    "集成电路",
    "软件",
    "技术",
    "科技",
    "发展",
    "电子",
    "信息",
    "网络",
    "智能",
    "装备",
    "数据",
    "服务",
    "通信",
    "通讯",
    "设备",
    "光电",
    "机械",
    "制造",
    "电气",
    "精密",
    "仪器",
    "仪表",
    "分析",
    "医疗",
    "器械",
    "医药",
    "生物",
    "工程",
    "环保",
    "环境",
    "能源",
    "化工",
    "精细",
    "材料",
    "建设",
    "建材",
    "新型",
    "建筑",
    "装饰",
    "设计",
    "物流",
    "国际",
    "管理",
    "贸易",
    "商贸",
    "实业",
    "咨询",
    "企业",
    "传媒",
    "文化",
    "广告",
    "传播",
    "教育",
    "食品",
    "餐饮",
    "农业",
    "纺织",
    "服饰",
    "服装",
    "家居",
    "用品",
    "家具",
    "汽车",
    "销售",
    "汽配",
    "配件",
    "包装",
    "制品",
    "印刷",
    "印务",
    "彩印",
    "检测",
    "检验",
    "物业",
    "置业",
    "开发",
    "酒店",
    "人力",
    "安防",
    "投资",
    "控股",
    "金融",
    "保险",
    "租赁",
    "电器",
    "五金",
    "塑料",
    "健康",
    "旅游",
    "运输",
    "仓储",
    "电力",
    "光伏",
    "营销",
    "策划",
    "培训",
    "创新",
    "产业",
    "云",
    "technologies",
    "technology",
    "software",
    "trading",
    "tech",
    "information",
    "info",
    "network",
    "networks",
    "systems",
    "system",
    "solutions",
    "services",
    "service",
    "industries",
    "industrial",
    "international",
    "logistics",
    "consulting",
    "media",
    "electronics",
    "digital",
    "global",
    "intl",
];

/// Industry words that mean the same, mapped onto one spelling so that 科技 agrees with
/// 技术 and with `technology`, and a Chinese name with its English form.
const INDUSTRY_SYNONYMS: &[(&str, &str)] = &[
    ("技术", "科技"),
    ("technologies", "科技"),
    ("technology", "科技"),
    ("tech", "科技"),
    ("software", "软件"),
    ("trading", "贸易"),
    ("logistics", "物流"),
    ("consulting", "咨询"),
    ("information", "信息"),
    ("info", "信息"),
    ("network", "网络"),
    ("networks", "网络"),
    ("services", "服务"),
    ("service", "服务"),
    ("industries", "实业"),
    ("industrial", "实业"),
    ("international", "国际"),
    ("intl", "国际"),
    ("media", "传媒"),
    ("electronics", "电子"),
    ("pharmaceuticals", "医药"),
    ("pharmaceutical", "医药"),
    ("pharma", "医药"),
];

fn canonical_industry(word: &str) -> String {
    INDUSTRY_SYNONYMS
        .iter()
        .find(|(from, _)| *from == word)
        .map(|(_, to)| to.to_string())
        .unwrap_or_else(|| word.to_string())
}

/// Titles and honorifics that follow a surname or a full name, longest first.
const TITLES: &[&str] = &[
    "总经理助理",
    "董事会秘书",
    "副总经理",
    "信息中心主任",
    "办公室主任",
    "信息部主任",
    "采购负责人",
    "技术负责人",
    "技术总监",
    "财务总监",
    "运营总监",
    "销售总监",
    "采购经理",
    "财务经理",
    "项目经理",
    "部门经理",
    "采购主管",
    "行政主管",
    "采购专员",
    "董事长",
    "总经理",
    "副总裁",
    "总裁",
    "副总",
    "总监",
    "经理",
    "主管",
    "主任",
    "总工",
    "工程师",
    "老板",
    "老总",
    "店长",
    "厂长",
    "所长",
    "院长",
    "副院长",
    "校长",
    "局长",
    "处长",
    "科长",
    "部长",
    "书记",
    "负责人",
    "会计",
    "助理",
    "秘书",
    "专员",
    "医生",
    "律师",
    "先生",
    "女士",
    "小姐",
    "老师",
    "教授",
    "博士",
    "总",
    "工",
    "姐",
    "哥",
];

/// Chinese surnames, compound ones first so that 欧阳 is not read as 欧.
const SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "司徒", "夏侯", "尉迟", "公孙",
    "长孙", "宇文", "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马",
    "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓",
    "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
    "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石",
    "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫",
    "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严",
    "覃", "武", "戴", "莫", "孔", "向", "汤", "常", "温", "康", "施", "文", "牛", "樊", "葛", "邢",
    "安", "齐", "易", "乔", "伍", "庞", "颜", "倪", "庄", "聂", "章", "鲁", "岳", "翟", "殷", "詹",
    "申", "欧", "耿", "关", "兰", "焦", "俞", "左", "柳", "甘", "祝", "包", "宁", "尚", "符", "舒",
    "阮", "柯", "纪", "梅", "童", "凌", "毕", "单", "季", "裴", "霍", "涂", "成", "苗", "谷", "盛",
    "曲", "翁", "冉", "骆", "蓝", "路", "游", "辛", "靳", "管", "柴", "蒙", "鲍", "华", "喻", "祁",
    "蒲", "房", "滕", "屈", "饶", "解", "牟", "艾", "尤", "阳", "时", "穆", "农", "司", "卓", "古",
    "吉", "缪", "简", "车", "项", "连", "芦", "麦", "褚", "娄", "窦", "戚", "岑", "景", "党", "宫",
    "费", "卜", "冷", "晏", "席", "卫", "米", "柏", "宗", "瞿", "桂", "全", "佟", "应", "臧", "闵",
    "苟", "邬", "边", "卞", "姬", "师", "和", "仇", "栾", "隋", "商", "刁", "沙", "荣", "巫", "寇",
    "桑", "郎", "甄", "丛", "仲", "虞", "敖", "巩", "明", "佘", "池", "查", "麻", "苑", "迟", "邝",
    "封", "官", "谈", "匡", "鞠", "惠", "荆", "乐", "冀", "郁", "胥", "南", "班", "储", "原", "栗",
    "燕", "楚", "鄢", "劳", "谌", "奚", "皮", "粟", "冼", "蔺", "楼", "盘", "满", "闻", "位", "厉",
    "伊", "仝", "区", "郜", "海", "阚", "花", "权", "强", "帅", "屠", "豆", "朴", "盖", "练", "廉",
    "禹", "井", "祖", "漆", "巴", "丰", "支", "卿", "国", "狄", "平", "计", "索", "宣", "晋", "相",
    "初", "门", "云", "容", "敬", "来", "扈", "晁", "芮", "都", "普", "阙", "浦", "戈", "伏", "鹿",
    "薄", "邸", "雍", "辜", "羊", "阿", "乌", "母", "裘", "亓", "修", "邰", "赫", "杭", "况", "那",
    "宿", "鲜", "印", "逯", "隆", "茹", "诸", "战", "慕", "危", "玉", "银", "亢", "嵇", "公", "哈",
    "湛", "宾", "戎", "勾", "茅", "利", "於", "呼", "居", "揭", "干", "但", "尉", "冶", "斯", "元",
    "束", "檀", "衣", "信", "展", "阴", "昝", "智", "幸", "奉", "植", "衡", "富", "尧", "闭", "由",
];

/// E-mail providers anyone can sign up with: a shared domain there says nothing.
const PUBLIC_MAIL: &[&str] = &[
    "qq.com",
    "vip.qq.com",
    "foxmail.com",
    "163.com",
    "126.com",
    "yeah.net",
    "vip.163.com",
    "vip.126.com",
    "188.com",
    "sina.com",
    "sina.cn",
    "vip.sina.com",
    "sohu.com",
    "139.com",
    "189.cn",
    "wo.cn",
    "aliyun.com",
    "tom.com",
    "21cn.com",
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "live.cn",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "yahoo.com",
    "yahoo.com.cn",
    "yahoo.cn",
    "ymail.com",
    "aol.com",
    "protonmail.com",
    "proton.me",
    "gmx.com",
    "gmx.de",
    "mail.com",
    "yandex.com",
    "zoho.com",
];

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

fn strip_place_prefix(text: &str) -> Option<(&str, String)> {
    let trimmed = text.trim_start();
    let place = PLACES
        .iter()
        .filter(|p| trimmed.starts_with(**p))
        .max_by_key(|p| p.len())?;
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
    let folded = fold_width(text);
    PLACES
        .iter()
        .filter_map(|p| folded.find(p).map(|at| (at, p)))
        .min_by_key(|(at, p)| (*at, usize::MAX - p.len()))
        .map(|(_, p)| p.to_string())
}

/// Splits a company name into core, region, industry and branch (see the module doc).
pub fn company(name: &str) -> CompanyName {
    let folded = fold_width(name);
    let mut out = CompanyName::default();
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
        } else if strip_suffix_any(inner, LEGAL_FORMS).is_none() && !inner.is_empty() {
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
    if let Some((head, _)) = strip_suffix_any(&text, BRANCH_MARKERS) {
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
        match strip_suffix_any(&text, LEGAL_FORMS) {
            Some((rest, _)) if !rest.trim().is_empty() => text = rest.trim_end().to_string(),
            _ => break,
        }
    }
    if let Some((rest, place)) = strip_place_prefix(&text) {
        out.region.get_or_insert(place);
        text = rest.trim_start().to_string();
    }
    if text.chars().next().is_some_and(is_han) {
        text = strip_district_prefix(&text).to_string();
    }
    let mut industry = Vec::new();
    loop {
        match strip_suffix_any(&text, INDUSTRY_WORDS) {
            Some((rest, word)) if !rest.trim().is_empty() => {
                industry.push(canonical_industry(word));
                text = rest.trim_end().to_string();
            }
            _ => break,
        }
    }
    industry.reverse();
    // Legal forms may sit inside too (小米集团科技): strip once more after the industry.
    while let Some((rest, _)) = strip_suffix_any(&text, LEGAL_FORMS) {
        if rest.trim().is_empty() {
            break;
        }
        text = rest.trim_end().to_string();
    }
    out.core = text
        .chars()
        .filter(|c| c.is_alphanumeric() || is_han(*c))
        .collect();
    out.industry = industry;
    out.core_latin = latin_of(&out.core);
    out
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
    let folded = fold_width(raw);
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
        while let Some((rest, _)) = strip_suffix_any(&name, TITLES) {
            if rest.is_empty() {
                break;
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
        })
    }
}

/// Whether a whole customer name reads as a person (a sole trader, an individual client): a
/// Chinese surname and one or two characters, nothing that marks a company.
pub fn looks_like_person(name: &str) -> bool {
    let folded = fold_width(name);
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
    fn person_like_customer_names_are_recognised() {
        assert!(looks_like_person("张伟"));
        assert!(!looks_like_person("张伟科技"));
        assert!(!looks_like_person("北京小米"));
    }
}
