//! The word lists the normalisation rules read: legal forms, branch markers, places, industry
//! words and their synonyms, titles and honorifics, surnames, public e-mail providers.
//!
//! Kept apart from the rules (`normalise`) so that a company can see, and a later version can
//! extend, what counts as decoration around a name. Lists are data: extending one never
//! changes the code that reads it. Order matters only where a comment says so.

#[rustfmt::skip]
pub(super) const LEGAL_FORMS: &[&str] = &[
    "股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "有限合伙", "合伙企业", "有限公司", "控股集团", "集团公司", "集团", "公司",
    "经营部", "商行", "工作室", "研究院", "研究所", "控股", "专业合作社", "合作社", "事务所", "中心", "门店", "商店",
    "总店", "工厂", "厂", "店", "co.,ltd", "co.ltd", "co ltd", "company limited",
    "corporation", "company", "limited", "holdings", "group", "corp", "ltd", "inc", "llc", "gmbh",
    "plc", "co",
];

#[rustfmt::skip]
pub(super) const BRANCH_MARKERS: &[&str] = &[
    "分公司", "分店", "办事处", "营业部", "分部", "分厂", "分院", "分行", "支行", "branch",
];

/// Provinces and cities that may open a name or an address (short form; 省/市 are stripped).
#[rustfmt::skip]
pub(super) const PLACES: &[&str] = &[
    "北京", "上海", "天津", "重庆", "广东", "江苏", "浙江", "山东", "河南", "河北", "湖北", "湖南", "四川", "福建", "安徽", "江西",
    "辽宁", "吉林", "黑龙江", "陕西", "山西", "云南", "贵州", "广西", "海南", "甘肃", "青海", "宁夏", "新疆", "西藏", "内蒙古",
    "香港", "澳门", "台湾", "广州", "深圳", "佛山", "东莞", "珠海", "中山", "惠州", "汕头", "南京", "苏州", "无锡", "常州", "南通",
    "扬州", "徐州", "杭州", "宁波", "温州", "绍兴", "嘉兴", "金华", "台州", "济南", "青岛", "烟台", "潍坊", "郑州", "洛阳",
    "石家庄", "唐山", "保定", "武汉", "长沙", "成都", "绵阳", "福州", "厦门", "泉州", "合肥", "芜湖", "南昌", "沈阳", "大连",
    "长春", "哈尔滨", "西安", "太原", "昆明", "贵阳", "南宁", "海口", "三亚", "兰州", "西宁", "银川", "乌鲁木齐", "拉萨", "呼和浩特",
    "包头", "beijing", "shanghai", "shenzhen", "guangzhou", "hangzhou", "chengdu", "wuhan",
    "nanjing", "tianjin", "chongqing", "suzhou", "xian", "hong kong", "hongkong", "china",
];

/// Legal forms that mark a group or a holding (集团, 控股): a group with no trade named is not
/// the same customer as a company of the group in a named trade (新华联集团 / 新华联医药).
#[rustfmt::skip]
pub(super) const GROUP_FORMS: &[&str] = &[
    "集团有限公司", "集团股份有限公司", "控股集团", "集团公司", "集团", "控股", "holdings", "group",
];

/// Markers of a national or all-China name that open a registered name and are dropped by
/// those who say it (中国平安保险 → 平安保险).
pub(super) const NATIONAL_MARKERS: &[&str] = &["中国", "中华"];

/// Words that follow a number to name one unit of several (第一中学, 一分厂, 3号店), longest
/// first where one starts another. Two names whose numbered units differ are two customers.
#[rustfmt::skip]
pub(super) const UNIT_WORDS: &[&str] = &[
    "人民医院", "号店", "号楼", "分公司", "分厂", "分店", "分校", "分院", "分部", "分场", "营业部", "营业厅",
    "门市部", "中学", "小学", "中心", "医院", "车间", "支行", "校区", "号", "厂", "店", "中", "小", "院", "队",
    "部", "所", "区", "期",
];

/// Directions that tell two branches of one shop apart (东区店 / 西区店): a direction followed
/// by one of [`DIRECTION_UNITS`].
pub(super) const DIRECTIONS: &[char] = &['东', '西', '南', '北'];
pub(super) const DIRECTION_UNITS: &[char] = &['区', '门', '店'];

/// Honorifics that say the person is a man or a woman: 王先生 and 王女士 are two people.
#[rustfmt::skip]
pub(super) const MALE_HONORIFICS: &[&str] = &["先生", "哥", "大哥", "叔", "大爷", "老爷子"];
#[rustfmt::skip]
pub(super) const FEMALE_HONORIFICS: &[&str] = &["女士", "小姐", "姐", "大姐", "太太", "夫人", "阿姨", "妹"];

/// Industry words, longest first within the same start so that 信息技术 beats 信息.
#[rustfmt::skip]
pub(super) const INDUSTRY_WORDS: &[&str] = &[
    "人力资源", "电子商务", "进出口", "供应链", "自动化", "新能源", "新材料", "房地产", "互联网", "云计算", "半导体", "纺织品", "人工智能",
    "集成电路", "软件", "技术", "科技", "发展", "电子", "信息", "网络", "智能", "装备", "数据", "服务", "通信", "通讯", "设备",
    "光电", "机械", "制造", "电气", "精密", "仪器", "仪表", "分析", "医疗", "器械", "医药", "生物", "工程", "环保", "环境", "能源",
    "化工", "精细", "材料", "建设", "建材", "新型", "建筑", "装饰", "设计", "物流", "国际", "管理", "贸易", "商贸", "实业", "咨询",
    "企业", "传媒", "文化", "广告", "传播", "教育", "食品", "餐饮", "农业", "纺织", "服饰", "服装", "家居", "用品", "家具", "汽车",
    "销售", "汽配", "配件", "包装", "制品", "印刷", "印务", "彩印", "检测", "检验", "物业", "置业", "开发", "酒店", "人力", "安防",
    "投资", "金融", "保险", "租赁", "电器", "五金", "塑料", "健康", "旅游", "运输", "仓储", "电力", "光伏", "营销", "策划",
    "培训", "创新", "产业", "云", "technologies", "technology", "software", "trading", "tech",
    "information", "info", "network", "networks", "systems", "system", "solutions", "services",
    "service", "industries", "industrial", "international", "logistics", "consulting", "media",
    "electronics", "digital", "global", "intl",
];

/// Industry words that mean the same, mapped onto one spelling so that 科技 agrees with
/// 技术 and with `technology`, and a Chinese name with its English form.
#[rustfmt::skip]
pub(super) const INDUSTRY_SYNONYMS: &[(&str, &str)] = &[
    ("技术", "科技"), ("technologies", "科技"), ("technology", "科技"), ("tech", "科技"), ("software", "软件"),
    ("trading", "贸易"), ("logistics", "物流"), ("consulting", "咨询"), ("information", "信息"),
    ("info", "信息"), ("network", "网络"), ("networks", "网络"), ("services", "服务"), ("service", "服务"),
    ("industries", "实业"), ("industrial", "实业"), ("international", "国际"), ("intl", "国际"),
    ("media", "传媒"), ("electronics", "电子"), ("pharmaceuticals", "医药"), ("pharmaceutical", "医药"),
    ("pharma", "医药"),
];

/// Titles and honorifics that follow a surname or a full name, longest first.
#[rustfmt::skip]
pub(super) const TITLES: &[&str] = &[
    "总经理助理", "董事会秘书", "副总经理", "信息中心主任", "办公室主任", "信息部主任", "采购负责人", "技术负责人", "技术总监", "财务总监", "运营总监",
    "销售总监", "采购经理", "财务经理", "项目经理", "部门经理", "采购主管", "行政主管", "采购专员", "董事长", "总经理", "副总裁", "总裁",
    "副总", "总监", "经理", "主管", "主任", "总工", "工程师", "老板", "老总", "店长", "厂长", "所长", "院长", "副院长", "校长",
    "局长", "处长", "科长", "部长", "书记", "负责人", "会计", "助理", "秘书", "专员", "医生", "律师", "先生", "女士", "小姐",
    "太太", "夫人", "阿姨", "大姐", "大哥", "大爷", "老爷子", "老师", "教授", "博士", "总", "工", "姐", "哥", "叔", "妹",
];

/// Chinese surnames, compound ones first so that 欧阳 is not read as 欧.
#[rustfmt::skip]
pub(super) const SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "司徒", "夏侯", "尉迟", "公孙", "长孙", "宇文", "王", "李",
    "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑",
    "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
    "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范",
    "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段",
    "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴", "莫",
    "孔", "向", "汤", "常", "温", "康", "施", "文", "牛", "樊", "葛", "邢", "安", "齐", "易", "乔", "伍", "庞", "颜",
    "倪", "庄", "聂", "章", "鲁", "岳", "翟", "殷", "詹", "申", "欧", "耿", "关", "兰", "焦", "俞", "左", "柳", "甘",
    "祝", "包", "宁", "尚", "符", "舒", "阮", "柯", "纪", "梅", "童", "凌", "毕", "单", "季", "裴", "霍", "涂", "成",
    "苗", "谷", "盛", "曲", "翁", "冉", "骆", "蓝", "路", "游", "辛", "靳", "管", "柴", "蒙", "鲍", "华", "喻", "祁",
    "蒲", "房", "滕", "屈", "饶", "解", "牟", "艾", "尤", "阳", "时", "穆", "农", "司", "卓", "古", "吉", "缪", "简",
    "车", "项", "连", "芦", "麦", "褚", "娄", "窦", "戚", "岑", "景", "党", "宫", "费", "卜", "冷", "晏", "席", "卫",
    "米", "柏", "宗", "瞿", "桂", "全", "佟", "应", "臧", "闵", "苟", "邬", "边", "卞", "姬", "师", "和", "仇", "栾",
    "隋", "商", "刁", "沙", "荣", "巫", "寇", "桑", "郎", "甄", "丛", "仲", "虞", "敖", "巩", "明", "佘", "池", "查",
    "麻", "苑", "迟", "邝", "封", "官", "谈", "匡", "鞠", "惠", "荆", "乐", "冀", "郁", "胥", "南", "班", "储", "原",
    "栗", "燕", "楚", "鄢", "劳", "谌", "奚", "皮", "粟", "冼", "蔺", "楼", "盘", "满", "闻", "位", "厉", "伊", "仝",
    "区", "郜", "海", "阚", "花", "权", "强", "帅", "屠", "豆", "朴", "盖", "练", "廉", "禹", "井", "祖", "漆", "巴",
    "丰", "支", "卿", "国", "狄", "平", "计", "索", "宣", "晋", "相", "初", "门", "云", "容", "敬", "来", "扈", "晁",
    "芮", "都", "普", "阙", "浦", "戈", "伏", "鹿", "薄", "邸", "雍", "辜", "羊", "阿", "乌", "母", "裘", "亓", "修",
    "邰", "赫", "杭", "况", "那", "宿", "鲜", "印", "逯", "隆", "茹", "诸", "战", "慕", "危", "玉", "银", "亢", "嵇",
    "公", "哈", "湛", "宾", "戎", "勾", "茅", "利", "於", "呼", "居", "揭", "干", "但", "尉", "冶", "斯", "元", "束",
    "檀", "衣", "信", "展", "阴", "昝", "智", "幸", "奉", "植", "衡", "富", "尧", "闭", "由",
];

/// E-mail providers anyone can sign up with: a shared domain there says nothing.
#[rustfmt::skip]
pub(super) const PUBLIC_MAIL: &[&str] = &[
    "qq.com", "vip.qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "vip.163.com",
    "vip.126.com", "188.com", "sina.com", "sina.cn", "vip.sina.com", "sohu.com", "139.com",
    "189.cn", "wo.cn", "aliyun.com", "tom.com", "21cn.com", "gmail.com", "googlemail.com",
    "outlook.com", "hotmail.com", "live.com", "live.cn", "msn.com", "icloud.com", "me.com",
    "mac.com", "yahoo.com", "yahoo.com.cn", "yahoo.cn", "ymail.com", "aol.com", "protonmail.com",
    "proton.me", "gmx.com", "gmx.de", "mail.com", "yandex.com", "zoho.com",
];
