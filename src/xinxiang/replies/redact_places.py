"""Patterns of places for the redaction of personal data (issue #13): home addresses and dorm
rooms, as regular-expression source text used by `replies.redact.default_patterns`."""

from __future__ import annotations

from xinxiang.replies.address_forms import ADDRESS_FORMS as ADDRESS_FORMS

H = "\u4e00-\u9fff"
# Home addresses: a road and number (文三路259号, 高新南七道18号) with what follows (院, 8号楼,
# 2单元301, 金色家园5栋, 3-2-501), after a province, city or district, or after 住/地址/寄到.
_ROAD = (
    # Round 14: a lane named by its direction (六里桥北里甲1号, 车道沟东里12号院).
    rf"[{H}\d]{{1,12}}?(?:路|街|大道|道|巷|弄|胡同|[东西南北]里)[东西南北]?"
    # Round 12: a section by direction as well as by number (魏都大道北段66号, 临园路东段15号).
    # Round 13: a side of the road (学府路南侧23号), a number with a sub-number (智慧二街19-2号).
    rf"(?:[一二三四五六七八九十\d]{{0,2}}段|[东西南北]侧)?[甲乙丙丁]?\d{{1,5}}(?:-\d{{1,3}})?号"
)
# What follows the number: a courtyard, a building, an entrance (2门), a floor, a room.
_ADDR_TAIL = (
    # Round 14: inside the courtyard (甲2号院院内4号楼), a wing of a block (大厦南楼1607室).
    rf"(?:院(?:内|里)?|底商|[东西南北中](?:区|侧)|[东西南北中主副]楼(?=\d)|[一二三四五六七八九十]{{1,2}}层|\d{{1,2}}-\d{{2,3}}室"
    rf"|\d{{1,4}}(?:号楼|栋|幢|单元|室|层|号|座|楼|门)|[A-Za-z]室"
    rf"|[A-Za-z]{{0,8}}[{H}]{{2,8}}?(?:小区|家园|花园|大厦|公寓|苑|城|"
    r"广场|新村|大院|[东西南北]里"
    # Round 13: an estate, a works' housing, a business park by its own word (紫金庄园,
    # 教工宿舍, 外研社家属楼, 总部基地), and a zone of it by number (十二区).
    r"|庄园|基地|园区|宿舍|家属楼|家属院|宿舍楼)|[一二三四五六七八九十]{1,3}区"
    r"|[A-Za-z]?\d{1,4}(?:-\d{1,4}){1,2}|\d{3,4}(?![\d\-])"
    # Round 12: a block by letter (SOHO现代城C座1902, R3-B栋505) and a hospital's ward floor
    # (航天中心医院住院部7层): where someone works, lies or lives.
    r"|[A-Za-z]{1,2}\d{0,3}(?:-[A-Za-z\d]{1,3})?(?:座|栋|幢)"
    rf"|[{H}]{{0,8}}?(?:医院|住院部|门诊楼|病区|病房))*"
)
ADDRESS = (
    # A lane of flats after a district (海淀区车道沟南里12号楼2门502); round 14: after a road, by
    # 栋 too (路北区建设北路华岩北里12栋2门301). First: a lane is a road too (…北里甲1号), and
    # the district's road below would stop at its number.
    rf"[{H}]{{2,3}}区[{H}]{{2,12}}?[东西南北]?里\d{{1,4}}(?:号楼|栋|幢){_ADDR_TAIL}|"
    rf"[{H}]{{2,4}}?(?:省|市|自治区)(?:[{H}]{{1,5}}?(?:区|县|市|旗))?{_ROAD}{_ADDR_TAIL}"
    # Round 13: a league or prefecture, its banner or county and a town before the road
    # (锡林郭勒盟阿巴嘎旗别力古台镇团结路8号).
    rf"|[{H}]{{2,6}}?(?:盟|州|地区)[{H}]{{1,6}}?(?:旗|县|市)(?:[{H}]{{1,6}}?(?:镇|乡|苏木))?"
    rf"{_ROAD}{_ADDR_TAIL}"
    # Round 13: a workplace in a park after the city and district, its block and floor
    # (南山区科技园南区高新南七道数字技术园B2栋9楼).
    rf"|[{H}]{{2,4}}?市[{H}]{{1,5}}?区[{H}\d]{{2,16}}?(?:路|街|大道|道)[{H}]{{2,8}}?"
    r"(?:园|大厦|中心|广场)[A-Za-z]?\d{0,2}(?:栋|座|号楼)\d{1,2}(?:楼|层)"
    rf"|[{H}]{{2,3}}(?:区|县){_ROAD}{_ADDR_TAIL}"
    rf"|(?<=住|址|到|往)(?:在|是|为|:|\s)?\s?{_ROAD}{_ADDR_TAIL}"
    # Round 10: where one's shop or home is (我店在增光路甲12号底商).
    rf"|(?:(?<=店在)|(?<=家在)|(?<=铺在))\s?{_ROAD}{_ADDR_TAIL}"
    # Round 13: right after a home or a room and perhaps an adverb (我家就在…, 去他家…,
    # 周转房在…): where someone lives.
    # (Not a label's own words, 家庭住址, 家地址: the label's pattern hides the address then.)
    rf"|(?:(?<=家)(?![就也都还]?[庭住地址乡])(?:就|也|都|还)?(?:在|是)?"
    r"|(?:(?<=房)|(?<=房子))(?:就|也|都|还)?(?:在|是))\s?(?![庭住地址乡])"
    rf"{_ROAD}{_ADDR_TAIL}"
    # Round 11: a shop's unit under a block (在增光路甲12号底商继续干): someone's business.
    rf"|(?:(?<=在)|(?<=[，,。；;\s]))[{H}]{{2,5}}(?:路|街|大道)[东西南北]?[甲乙丙丁]?\d{{1,5}}号底商"
    # Round 12: a shop's number at a road's mouth (增光路南口底商7号).
    rf"|[{H}]{{2,5}}(?:路|街|大道)[东西南北]?口?(?:底商|门面|商铺)[甲乙丙丁]?\d{{1,4}}号"
    rf"|{_ROAD}(?:院[东西南北中]区|[{H}]{{2,8}}?(?:小区|家园|花园|公寓|苑|新村))?"
    r"\d{1,4}(?:号楼|栋|幢|单元)"
    rf"{_ADDR_TAIL}"
    # Round 14: a warehouse or block in a zone of a park after the city and district
    # (安次区龙河高新区物流园C区6号库).
    rf"|[{H}]{{2,4}}?市[{H}]{{1,5}}?区[{H}]{{2,12}}?(?:园|园区|基地|开发区)[A-Za-z\d]{{1,2}}区"
    r"\d{1,3}(?:号库|号仓|号楼|栋|号厂房)"
    # Family housing, with its entrance or unit (家属院8号楼2门4层东户, 青教公寓2号楼1门203).
    rf"|(?:青年教师公寓|青教公寓|教师公寓|家属院|家属楼)\d{{1,3}}号楼[东西南北]侧?(?:[一二三四五六七八九十\d]{{1,2}}层)?"
    r"\d{1,2}-\d{2,3}室?"
    rf"|(?:家属院|家属楼|家属区|公寓|小区)\d{{1,3}}号楼\d{{1,2}}(?:门|单元)"
    rf"(?:\d{{1,2}}层)?(?:[东西中]户|\d{{3,4}}(?!\d))?"
    # Round 9: an estate after a district and its 街道 (朝阳区双井街道富力城C3-1906); a
    # crossing and a shop's number (增光路与车道沟交叉口西南角底商12号); a village's number
    # after a district (丰台区东管头村甲5号).
    rf"|[{H}]{{2,3}}区(?:[{H}]{{2,6}}街道)?[{H}]{{2,8}}?(?:小区|家园|花园|大厦|公寓|苑|城|新村)"
    rf"(?=[A-Za-z]?\d){_ADDR_TAIL}"
    rf"|[{H}]{{2,6}}(?:路|街|大道)与[{H}]{{2,6}}交叉口[东西南北]{{0,2}}角?[{H}]{{0,4}}?\d{{1,4}}号"
    # Round 18: a stall's corner of a crossing, with no number (学府路与文华西路交叉口西南角).
    rf"|(?:(?<![{H}])|(?<=[在于是到]))[{H}]{{2,6}}?(?:路|街|大道)与[{H}]{{2,6}}?(?:路|街|大道)"
    r"交叉口[东西南北]{1,2}角"
    rf"|[{H}]{{2,3}}(?:区|县)[{H}]{{1,6}}?村[甲乙丙丁]?\d{{1,4}}号{_ADDR_TAIL}"
    # A village down to its group, after a province or city and a town (…洛城街道东关村).
    rf"|[{H}]{{2,4}}?(?:省|市)[{H}]{{2,12}}?(?:街道|镇|乡)[{H}]{{1,6}}?村"
    r"(?:[一二三四五六七八九十\d]{1,2}(?:组|社|队))?"
    # Round 18: a hamlet of the village and its number (…石桥村下厝12号).
    rf"(?:[{H}]{{1,4}}?[甲乙丙丁]?\d{{1,4}}号)?"
    # Round 18: one's home town down to the town, four levels (…自治区…地区…县…镇,
    # 内蒙古…盟…旗…镇): a place small enough to tell who writes.
    rf"|(?:(?<![{H}])|(?<=[在自于是住到]))"
    r"(?:内蒙古(?:自治区)?|(?:广西壮族|西藏|宁夏回族|新疆维吾尔)自治区|[\u4e00-\u9fff]{2,3}省)"
    rf"[{H}]{{2,6}}?(?:盟|州|地区|市)[{H}]{{1,7}}?(?:旗|县|市|区)[{H}]{{1,8}}?(?:镇|乡|苏木)"
    rf"(?:[{H}]{{1,8}}?(?:嘎查|村)(?:[{H}]{{1,4}}?[甲乙丙丁]?\d{{1,4}}号)?)?"
    # Round 18: a street address in English (Flat 3A, 21 Castle Peak Road, Tuen Mun).
    r"|(?:(?:Flat|Unit|Apt\.?|Apartment|Suite|Room|Rm\.?)\s[A-Za-z\d]{1,5},?\s)?\d{1,5}[A-Za-z]?\s"
    r"(?:[A-Z][a-z]+\s){1,3}(?:Road|Rd\.?|Street|St\.?|Avenue|Ave\.?|Lane|Drive|Boulevard|Way)"
    r"(?:,\s?[A-Z][A-Za-z]+(?:\s[A-Z][A-Za-z]+){0,3}){0,4}"
    # Round 14: a herders' village (嘎查) after a league, its banner and its sumu or town.
    rf"|(?:内蒙古|[{H}]{{2,4}}?(?:省|自治区))?[{H}]{{2,6}}?(?:盟|州|地区)[{H}]{{1,6}}?(?:旗|县|市)"
    rf"[{H}]{{1,6}}?(?:镇|乡|苏木)[{H}]{{1,8}}?(?:嘎查|村)"
    r"(?:[一二三四五六七八九十\d]{1,2}(?:组|社|队))?"
)
# Dorm rooms: a building (7号楼, 北区3栋, 9#楼, 学13楼, 3号学生公寓, 暑期宿舍楼A座), perhaps a unit,
# wing or floor (一单元, 东单元, B座, 4层), then the room (512室, 418房间, 五〇三); or 16-309.
_BLD = (
    r"(?:(?<![0-9A-Za-z])(?<![0-9A-Za-z]-)\d{1,3}|[一二三四五六七八九十]{1,3}"
    r"|(?<![A-Za-z])[A-Za-z])"
)
# Round 19: an ordinal residence (第8公寓, 第3宿舍楼).
_BLD_END = (
    r"(?:号楼|号公寓|号学生公寓|号宿舍楼|栋|幢|座|#楼|#|楼|舍|斋"
    r"|(?:(?<=第\d)|(?<=第\d\d)|(?<=第[一二三四五六七八九十]))(?:公寓|宿舍楼|宿舍))"
)
# Round 18: a dash of speech (——, folded to --) may follow the room (8舍423——哦不).
_ROOM_AFTER = (
    r"(?![0-9]|-(?!-)|\s?(?:教室|会议室|实验室|办公室|机房|报告厅|自习室|阅览室|[分元人个%]))"
)
DORM = (
    # Round 16: not a teaching building (教二楼108、109、110三个教室).
    rf"(?<!教)(?:[东西南北中][区院]\s?|(?<![校公花家乐])[{H}]园)?{_BLD}\s?{_BLD_END}"
    # Round 14: a side before the floor (9号楼北侧二层216).
    rf"(?:\s?(?:(?:[A-Za-z\d]{{1,2}}|[一二三四五六七八九十]{{1,2}}|[东西南北中])(?:单元|座|区|层)"
    r"|[东西南北](?:侧|边)(?=\s?[一二三四五六七八九十\d]{1,2}[层楼])))*"
    # Round 10: a floor as 四楼 before the room, and 的 before it (8号楼四楼411, 6号楼3层的318).
    # Round 12: each after a space too (8号楼 6楼 603, 13号楼 北侧 四〇二).
    r"(?:\s?[一二三四五六七八九十\d]{1,2}楼(?=\s?[A-Za-z]?\d{3,4}))?"
    r"(?:\s?[东西南北](?:侧|边)?(?=\s?[A-Za-z]?\d{3,4}))?"
    r"(?:的(?=[A-Za-z]?\d{3}(?![\d年级届])))?"
    # Round 17: a letter and dash before the room (西区6栋B-415).
    rf"\s?(?:[A-Za-z]-?)?\d{{3,4}}{_ROOM_AFTER}(?:室|房间|房|寝室|宿舍|号)?"
    # Round 12: after a building and its floor, a room as floor-room (5号楼 3层 3-12).
    rf"|{_BLD}\s?{_BLD_END}\s?[一二三四五六七八九十\d]{{1,2}}(?:层|楼)\s?\d{{1,2}}-\d{{2,3}}(?![\d\-])"
    rf"|(?<![0-9A-Za-z\-])\d{{3,4}}\s?(?:宿舍|寝室)"
    r"|(?:(?<=\s)|\A)[A-Za-z]?\d{3}(?=全体)"  # 311全体, B302全体
    # Round 16: a building and floor joined by dashes (7栋-4楼-411), a named building's unit
    # (秋实楼5单元214), a student block as 学七 (宿舍（学七 315）).
    rf"|{_BLD}\s?(?:栋|号楼|幢)-[一二三四五六七八九十\d]{{1,2}}(?:楼|层)-\d{{3,4}}(?![0-9\-])"
    rf"|(?!教学|实验|办公|行政|科研|综合|图书)[{H}]{{2}}楼\s?\d{{1,2}}单元\s?\d{{3,4}}{_ROOM_AFTER}"
    rf"|(?:(?<![{H}])|(?<=住))学[一二三四五六七八九十]{{1,2}}(?:楼|公寓)?\s?[A-Za-z]?\d{{3}}{_ROOM_AFTER}"
    # Round 17: a residence written in Chinese, then the room as a letter and dash or in English
    # (留学生楼B-216, 外专楼Room 304, 留学生公寓1号楼Room 1012); not a teaching or office building.
    r"|(?:(?<=楼)|(?<=公寓)|(?<=宿舍))(?<!教学楼)(?<!办公楼)(?<!实验楼)(?<!行政楼)(?<!科研楼)"
    r"(?<!综合楼)(?<!图书馆楼)(?<!主楼)(?<!教[一二三四五六七八九十\d]楼)"
    r"\s?(?:[A-Za-z]-\d{3,4}|(?:Room|Rm\.?)\s?\d{3,4})(?![0-9\-])"
    # Round 17: building, unit and room joined by dashes (2-6-615); not a pickup code
    # (取件码是3-2-1508).
    r"|(?<![0-9A-Za-z\-.:/第])(?<!码)(?<!码是)(?<!码为)(?<!码：)(?<!码:)(?<!号是)(?<!号：)(?<!号)\d{1,2}-\d{1,2}-\d{3,4}(?![0-9\-:/.]|\s?[分元人个%页章节条次])"
    # Building 5, Room 214 / Room 214, Dorm 5: in English.
    # (International Student Apartment 2, Room 507; Expert Apartment Building B, 702).
    # Not a building for teaching or offices (Teaching Building 3, Room 201).
    r"|(?<![A-Za-z])(?!(?:Teaching|Office|Lab|Laboratory|Library|Science|Classroom|Main)\s)"
    r"(?:[A-Z][a-z]+\s){0,3}(?<!Teaching )(?<!Office )(?<!Library )(?<!Science )(?<!Lab )"
    r"(?<!Classroom )(?<!Main )(?:Building|Bldg\.?|Dorm(?:itory)?|Apartment)"
    r"(?:\s(?:Building|Bldg\.?))?\s?(?:\d{1,3}[A-Za-z]?|[A-Z](?![A-Za-z])),?\s?"
    r"(?:(?:[Rr]oom|Rm\.?)\s?\d{3,4}|(?<=,)\s?\d{3,4}(?!\d))"
    # Round 14: a residence named, not numbered (Foreign Experts Building, Room 402).
    r"|(?:[A-Z][a-z]+\s){0,2}(?:Experts?|Students?'?|Graduate|International|Foreign|Guest)"
    r"\s(?:[A-Z][a-z]+\s)?(?:Building|Apartments?|Hall|House|Residence),?\s(?:Room|Rm\.?)\s?\d{3,4}"
    r"|(?:Room|Rm\.?)\s?\d{3,4},?\s?(?:(?:of|in)\s)?(?:Building|Bldg\.?|Dorm(?:itory)?)\s?\d{1,3}"
    # Round 16: the room first, then a residence named (Room 318 of the International Students'
    # Building, Room 1204, Graduate Apartment 3); not Room 305 of the Teaching Building.
    # Only the room is hidden; the residence is everybody's.
    r"|(?:Room|Rm\.?)\s?\d{3,4}(?=,?\s(?:(?:of|in|at)\s(?:the\s)?)?(?:[A-Z][a-z]+\s){0,2}"
    r"(?:Experts?|Students?'?|Graduate|International|Foreign|Guest|Postdoc(?:toral)?)"
    r"\s(?:[A-Z][a-z]+'?\s)?(?:Building|Apartments?|Hall|House|Residence|Dorm(?:itory)?))"
    # Round 18: a residence by what it houses, then the room straight after (专家楼207,
    # 留学生公寓 318); the room in English after living in or a dorm (live in B-322, the dorm
    # Room 412); a room said again to correct it (…——哦不，是425).
    r"|(?:专家|外专|留学生|研究生|博士后?|青年教师|青教|教师|学生|女生|男生)(?:楼|公寓)\s?"
    rf"\d{{3,4}}(?![年级届]){_ROOM_AFTER}(?:室|房间|房|寝室|宿舍|号)?"
    r"|(?:(?<=live in )|(?<=living in )|(?<=stay in )|(?<=staying in )|(?<=[Dd]orm )"
    r"|(?<=[Dd]ormitory )|(?<=room is ))"
    r"(?:(?:Room|Rm\.?|room)\s?\d{3,4}|[A-Z]-?\d{3,4}|\d{3}(?![0-9]))(?![0-9\-:/.]\d)"
    r"|(?:(?<=哦不,是)|(?<=哦不，是)|(?<=不对,是)|(?<=不对，是)|(?<=说错了,是)|(?<=说错了，是))"
    r"[A-Za-z]?\d{3,4}(?![0-9\-.:]|\s?[元人分个%年号级届])"
    # 16-309, C5-412, 东7-102: building and room joined by a dash.
    r"|(?<![0-9A-Za-z\-.:/])(?:[A-Za-z东西南北]?\d{1,2})-\d{3}(?![0-9\-:/.]|\s?[分元人个%])"
)
# A dorm building without a room, where the words say it is one (住竹园9号楼, 学生公寓C区7号楼,
# 5号楼的宿管, 6栋门口) — 9号楼 alone may be offices.
DORM_BUILDING = (
    r"(?:(?<=住)|(?<=园)|(?<=公寓)|(?<=宿舍)|(?<=宿舍楼)|(?<=寝室楼))"
    rf"(?:[A-Za-z]区)?{_BLD}(?:号楼|栋|幢|号公寓|#楼)"
    # Round 10: not the building's shared things (研究生公寓4号楼的电梯): no one lives there.
    # Round 11: nor the ground and ways around it (研究生公寓3号楼门口的台阶).
    r"(?!的?(?:电梯|楼道|大厅|大堂|门禁|水房|洗衣房|热水|暖气|外墙|楼顶|消防|监控"
    r"|门口|门前|大门|台阶|楼梯|走廊|楼前|楼后|楼下|附近|旁边|周围|周边|对面|前面|后面|天台|屋顶"
    r"|路灯|车棚|草坪|垃圾"
    # Round 19: nor what the whole building shares (研究生公寓2号楼的网速).
    r"|网速|网络|信号|[Ww]i-?[Ff]i|水压|停电|停水|供暖|供水|供电|空调|卫生|环境|噪音|隔音|装修|施工))"
    rf"|{_BLD}(?:号楼|栋)(?=的?(?:宿管|宿舍|寝室|楼长|保洁|阿姨))"
    rf"|(?<![校公花家乐])[{H}]园{_BLD}(?:号楼|栋|幢)"
    rf"|(?<![0-9A-Za-z\-])\d{{1,2}}栋(?![{H}]{{0,4}}(?:教学|办公|实验|科研|行政|楼))"
    # A bare room where the words say it is someone's (住在514, 楼上502, 隔壁的503).
    r"|(?:(?<=住在)|(?<=住)|(?<=楼上)|(?<=楼下)|(?<=隔壁)|(?<=对门)|(?<=寝室)|(?<=宿舍)"
    # Round 10: a room one moves to, a room of a flat (换到1110, 无障碍公寓102).
    r"|(?<=换到)|(?<=搬到)|(?<=调到)|(?<=搬进)|(?<=公寓))"
    # Round 16: a zone or a letter and dash before the room (公寓F区405, 公寓A-1206).
    r"(?:的|是)?(?:[A-Za-z]区)?(?:[A-Za-z]-?)?\d{3,4}"
    r"(?![0-9\-.:]|\s?(?:号楼|栋|幢|#|元|人|分|个|次|%|年|天|块|米|平))(?:室|寝室)?"
    # Round 17: a room one says one is of (我是312室的), a letter and dash after 住在.
    r"|(?:(?<=我是)|(?<=我们是)|(?<=他是)|(?<=她是))[A-Za-z]?\d{3,4}(?:室|寝室|宿舍)(?=的)"
    r"|(?<=住在)[A-Za-z]-\d{3,4}(?![0-9\-])"
    # Round 17: a flat's unit and room (博士后公寓2单元301).
    r"|(?<=公寓)[一二三四五六七八九十\d]{1,2}单元\s?\d{3,4}(?![0-9\-.:]|\s?[元人分个%])"
    # Round 14: a bare room whose people are meant (我们514的人, 711的同学).
    r"|(?:(?<=们)|(?<=隔壁)|(?<=对门)|(?<=楼上)|(?<=楼下)|(?<=和)|(?<=跟)|(?<=找)|(?<=问))"
    r"[1-9]\d{2}(?![0-9])(?=的(?:人|同学|室友|舍友|女生|男生))"
)
