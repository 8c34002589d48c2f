"""Round 19 of redaction (issue #13): home and work addresses written without a road and
number after a district, as regular-expression source text joined to `redact_places.ADDRESS`.

- An estate or community, its phase and building, perhaps the unit and room, with or without
  the district before it (红旗区东风社区14号楼2单元, 锦华苑小区3期12号楼).
- A row of bungalows in a compound (家属院老区3排8号).
- An address after a label that says it is one's home (住址：…3号院, 家住…).
- A prefecture or city, its county and town, without the province (伊犁哈萨克自治州霍城县清水河镇);
  a county's town and a place in it (某县某镇敬老院).
- A crossing and a distance from it (…交叉口东50米, …路口往北100米).
- A road and number outside a campus gate (东门外建设路27号), and where one's business stands
  (饭馆在…, 摊子在…路公交站旁), a shop on a road whose owner writes (…路中段某超市的老板).
- Round 20: a province, its prefecture and county (…省…市…县…镇); what follows 地址 up to a
  number (地址…小区底商12号); a landmark and a distance from it (在…红绿灯往北50米路东).
"""

from __future__ import annotations

H = "\u4e00-\u9fff"
# Where a place may begin: not inside a run of Han characters, or after a verb of being there.
_START = (
    rf"(?:(?<![{H}])|(?<=[在自于是住到去往])|(?<=门口)|(?<=门外))"
    r"(?![在住是于到去往的我你他她])(?!家住|家在)"
)
# An estate may also open after 的 (学校对面的华兰小区9号楼).
_START_ESTATE = _START.replace("去往]", "去往的]")
_NUM = r"[一二三四五六七八九十\d]"
# A building in an estate, its unit and room (12号楼2单元1102, 3栋201).
_BUILDING = (
    rf"(?:{_NUM}{{1,2}}期)?[A-Za-z]?\d{{1,3}}(?:号楼|栋|幢|号院)"
    r"(?:\d{1,2}(?:单元|门))?(?:\d{1,2}(?:层|楼))?(?:\d{3,4}(?![\d\-])(?:室|号|房)?)?"
)
_ESTATE = r"(?:社区|小区|家园|花园|新村|花苑|雅苑|名苑|苑小区|公馆|嘉园|华府|山庄)"
_GATE = r"(?:[东西南北]门(?:外|口|对面|附近))"
_ROAD = rf"[{H}]{{2,6}}?(?:路|街|大道)"
_SHOP = (
    r"(?:超市|便利店|饭店|饭馆|餐馆|餐厅|小卖部|商店|水果店|药店|书店|打印店|理发店|面馆|"
    r"小吃店|快餐店|烧烤店|奶茶店|菜店|粮油店|五金店|修车铺|诊所)"
)
_SIDE = r"(?:旁|旁边|边|边上|对面|附近|[东西南北]侧|门口)"
_PROVINCE = (
    r"(?:河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川"
    r"|贵州|云南|陕西|甘肃|青海)省|内蒙古自治区|广西壮族自治区|西藏自治区|宁夏回族自治区"
    r"|新疆维吾尔自治区"
)

ADDRESS_FORMS = (
    # An estate's building after a district, or the estate's name alone before it.
    rf"{_START_ESTATE}(?:[{H}]{{2,3}}(?:区|县|市))?[{H}]{{2,6}}?{_ESTATE}{_BUILDING}"
    # A row of bungalows in a compound or village (家属院老区3排8号, 东关村5排12号).
    rf"|{_START}[{H}]{{0,6}}?(?:家属院|家属区|大院|宿舍区|平房区?|小区|村)[{H}]{{0,4}}?"
    r"\d{1,3}排\d{1,3}号(?:院)?"
    # After a label of one's home: what follows, up to a number of a house or a room.
    r"|(?:住址|家庭地址|家庭住址|居住地址|现住址|家的地址|家住)(?:是|为|在)?\s?[:：]?\s?"
    rf"(?P<pii_home>[{H}A-Za-z\d\-]{{1,24}}?(?:\d{{1,4}}(?:号院|号楼|栋|幢|号|室|户)"
    r"(?:[A-Za-z]?\d{1,4}(?:号楼|栋|幢|单元|门|层|楼|室|号|户))*(?:\d{3,4}(?![\d\-]))?"
    rf"|\d{{1,3}}排\d{{1,3}}号"
    rf"|\d{{1,2}}单元\d{{3,4}}|村(?:[{H}]{{0,4}}?\d{{1,2}}组)?|组))(?![\d\-])"
    # A prefecture or city, its county and town (…自治州…县…镇), and a village after it.
    rf"|{_START}(?:新疆|西藏|内蒙古|广西|宁夏)?[{H}]{{2,8}}?(?:自治州|州|地区|盟|市)"
    rf"[{H}]{{1,6}}?(?:县|旗)[{H}]{{1,7}}?(?:镇|乡|苏木)(?:[{H}]{{1,8}}?(?:村|嘎查))?"
    # A county's town and a home or a school in it (…县…镇敬老院).
    rf"|{_START}[{H}]{{2,4}}?县[{H}]{{1,5}}?(?:镇|乡)"
    r"(?:[\u4e00-\u9fff]{0,6}?(?:村|敬老院|养老院|卫生院|小学|中学|幼儿园))?"
    # A village's group and house number, no county before it (幸福村3组18号).
    rf"|{_START}[{H}]{{2,6}}?村{_NUM}{{1,3}}[组社队][甲乙丙丁]?\d{{1,4}}号"
    # In English: a flat and a block before the street's number (Room 1203, Block B, 88 Jianshe
    # Road); a house in a lane (No. 16, Lane 258, Hongqiao Road).
    r"|(?:(?:Flat|Unit|Apt\.?|Apartment|Suite|Room|Rm\.?)\s[A-Za-z\d\-]{1,6},?\s)?"
    r"(?:Block|Building|Tower|Bldg\.?)\s[A-Za-z\d]{1,3},?\s\d{1,5}\s(?:[A-Z][a-z]+\s){1,3}"
    r"(?:Road|Rd\.?|Street|St\.?|Avenue|Ave\.?|Lane|Drive|Way)"
    r"|(?:No\.\s?\d{1,5}[A-Za-z]?,?\s)?Lane\s\d{1,4},?\s(?:[A-Z][a-z]+\s){1,3}"
    r"(?:Road|Rd\.?|Street|St\.?|Avenue|Ave\.?)"
    # A crossing and a distance from it; a road's mouth and a distance, after being there.
    rf"|{_START}{_ROAD}与{_ROAD}交叉口(?:往|向)?[东西南北]{{1,2}}(?:侧|角|方向)?\d{{1,4}}(?:米|m)"
    rf"|(?<=在){_ROAD}口(?:往|向)?[东西南北](?:侧|方向)?\d{{1,4}}(?:米|m)"
    # A road and number outside a campus gate (东门外建设路27号).
    rf"|{_GATE}{_ROAD}[东西南北]?[甲乙丙丁]?\d{{1,5}}号(?:院|底商)?"
    # Where one's business stands, by a landmark on a road (摊子在…路公交站旁).
    r"|(?:(?<=摊子在)|(?<=摊位在)|(?<=铺子在)|(?<=店在)|(?<=馆在)|(?<=摊在)|(?<=铺在))"
    rf"{_GATE}?{_ROAD}(?:[东西南北中]段)?[{H}]{{0,4}}?(?:公交站|车站|站|路口|口|超市|桥|学校|医院)"
    rf"{_SIDE}"
    # Round 20: a province (or an autonomous region), its prefecture and county, the town or
    # not (…省…市…县…镇, 新疆维吾尔自治区…地区…县): a home, wherever it opens.
    rf"|(?:{_PROVINCE})[{H}]{{2,6}}?(?:市|地区|自治州|盟)[{H}]{{1,6}}?(?:县|旗)"
    rf"(?:[{H}]{{1,5}}?(?:镇|乡))?"
    # Round 20: what follows 地址 up to a shop's or a house's number (地址…小区底商12号).
    rf"|(?<=地址)(?:是|在|就在)?\s?[:：]?\s?(?P<pii_site>[{H}A-Za-z\d\-]{{2,24}}?\d{{1,4}}号)"
    r"(?![\d\-楼])"
    # Round 20: a landmark and a distance from it, after being there (在西门外红绿灯往北50米路东).
    rf"|(?<=在){_GATE}?[{H}]{{0,4}}?(?:红绿灯|十字路口|路口|天桥|公交站|加油站|桥头)"
    r"(?:往|向)?[东西南北]{1,2}\d{1,4}(?:米|m)(?:路[东西南北]|处)?"
    # A shop on a road whose owner writes (…路中段某超市的老板).
    rf"|(?:(?<![{H}])|(?<=[在是])|(?<=门口)|(?<=门外)){_GATE}?[{H}]{{2,4}}?(?:路|街|大道)"
    rf"(?:[东西南北中]段|口)?[{H}]{{2,6}}?{_SHOP}(?=的?(?:老板|店主|老板娘|业主))"
)
