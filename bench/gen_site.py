#!/usr/bin/env python3
"""Generate a synthetic yuanba site for benchmarking.

    python3 bench/gen_site.py N OUTDIR [--seed S]

Writes OUTDIR/site.yaml and N stories under OUTDIR/content/stories/<year>/.
OUTDIR must not exist or must be empty. Output depends only on N and the seed,
and story i is the same whatever N is (each story has its own random stream,
and links only point to earlier stories), so site-1000 is a prefix of site-10000.

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import string
import sys
import time

SITE_YAML = """\
title: 基准测试站点
description: 自动生成的合成报道，用于性能测试
base_url: https://bench.example.org/
language: zh-CN
timezone: Asia/Shanghai
"""

YEARS = list(range(2015, 2026))
WRAP = 40  # target line width, in characters, for hard-wrapped paragraphs

# --------------------------------------------------------------------------------------------
# Vocabulary

DISTRICTS = (
    "成华区 锦江区 青羊区 金牛区 武侯区 双流区 郫都区 温江区 新都区 龙泉驿区 "
    "青白江区 新津区 都江堰市 彭州市 邛崃市 崇州市 简阳市 金堂县 大邑县 蒲江县"
).split()

# Single characters that read well in place names; two of them make a street or community.
PLACE_CHARS = (
    "白莲池猛追湾双桥府青龙桂溪华阳簇锦红牌玉林芳草望江沙河光金堂西营驷马抚琴荷花"
    "九里堤万年场东湖和平建设保圣灯五永丰石羊晋机投土门柳城涌泉公天春安德唐昌团结"
    "三道堰苏坡文家合兴隆顺庆北新南宁浆洗灵龟太升怀远崇义清水长乐福寿松竹梅兰"
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN_CHARS = "明华丽静伟芳敏军洋勇艳杰娟涛超霞平刚英雪琳晨宇欣怡浩然佳悦思雨子轩博文晓梅俊凯"

TAGS = (
    "社区治理 养老服务 老旧小区改造 垃圾分类 志愿服务 邻里互助 文化活动 公园城市 背街小巷 加装电梯 "
    "社区食堂 儿童友好 便民服务 基层党建 社区营造 平安建设 消防安全 防汛 环境整治 绿化 "
    "停车难 物业管理 社区教育 非遗传承 体育健身 就业帮扶 乡村振兴 农房改造 特色小镇 夜间经济 "
    "社区商业 文明城市 反诈宣传 医疗健康 家庭医生 关爱未成年人 残疾人服务 退役军人 院落自治 社区基金"
).split()

SERIES = ["走进社区", "街巷故事", "“微更新”进行时", "我们的邻居", "基层治理观察：一线手记"]

TOPICS = [
    "老旧小区改造", "加装电梯", "社区食堂", "垃圾分类", "口袋公园", "背街小巷整治", "共享菜园",
    "社区夜校", "院落自治", "停车位改造", "适老化改造", "儿童之家", "邻里中心", "社区书屋",
    "雨污分流", "便民市集", "健康小屋", "社区基金", "志愿服务站", "绿道建设",
]

TITLE_EVENTS = [
    "老旧小区加装电梯让居民“上下楼不再难”", "社区食堂开张 老人吃上热乎饭", "背街小巷变身“网红打卡地”",
    "居民议事会议出停车新办法", "志愿者上门为独居老人体检", "闲置空地变身口袋公园",
    "“共享菜园”拉近邻里距离", "垃圾分类积分兑换受居民欢迎", "社区夜校开课 年轻人下班“充电”",
    "雨污分流改造完工", "院落“微更新”居民自己说了算", "百岁老人的生日宴", "非遗剪纸走进社区课堂",
    "“十五分钟生活圈”初步成形", "儿童之家暑期班火热开班", "绿道串起沿河风景",
    "老街坊合力修好了院坝", "社区书屋成了孩子们的“第二课堂”", "便民市集每周六开市",
    "网格员的一天", "防汛演练进小区", "消防通道清障行动持续开展", "“小板凳”议事会解决大难题",
    "退役老兵义务调解邻里纠纷", "适老化改造惠及百余户家庭", "健康小屋为居民免费测血压",
    "社区基金撬动居民参与", "农房改造后的新模样", "乡村振兴路上的“新农人”", "夜市烟火气回来了",
]

TITLE_SHORT = ["家门口", "微更新", "小院大事", "老有所依", "邻里守望", "烟火气", "一张网", "民生账"]

SUBTITLES = [
    "{d}{s}推进{t}工作纪实", "{c}探索{t}新路径", "一个社区的{t}实践", "来自{s}的基层观察",
    "{c}居民自治小记", "{t}背后的故事",
]

RESIDENTS = [
    "居民王阿姨", "退休职工刘大爷", "社区网格员小陈", "志愿者李姐", "楼栋长赵叔", "居民张女士",
    "在附近上班的小周", "商户老杨", "社区党委书记吴芳", "物业经理孙先生", "家住3栋的何婆婆",
    "返乡创业青年小郭", "村民委员会主任马建华", "小学五年级学生朵朵", "居民罗先生",
]

ORGS = [
    "社区党委", "居委会", "街道办事处", "物业服务中心", "业主委员会", "社工机构", "志愿者服务队",
    "辖区派出所", "社区卫生服务中心", "区住建局", "驻区单位", "居民议事会",
]

THINGS = [
    "健身器材", "休闲座椅", "充电桩", "晾衣架", "照明路灯", "遮阳棚", "垃圾分类亭", "智能门禁",
    "无障碍坡道", "快递柜", "停车位", "雨棚", "宣传栏", "儿童游乐设施",
]

KEY_PHRASES = [
    "居民参与", "先民主后民生", "一事一议", "共建共治共享", "小事不出院落", "多方联动",
    "需求清单", "资源清单", "项目清单", "微更新", "长效管护", "群众满意",
]

# Body sentences. Slots: c community, s street (or district), d district, t topic, o org,
# w resident, th thing, n/nn/nnn numbers, y year, m month, dd day.
SENTENCES = [
    "走进{c}，干净整洁的道路两旁绿树成荫，新安装的{th}整齐排列。",
    "据了解，{c}建成于上世纪九十年代，共有住户{nn}户，其中六十岁以上老人占比超过三成。",
    "为了解决居民反映强烈的问题，{o}多次召开坝坝会，逐户听取意见。",
    "{y}年{m}月，{s}启动{t}项目，计划用半年时间完成。",
    "截至目前，项目已累计投入资金{nn}万元，惠及居民{nnn}余人。",
    "在改造过程中，{o}坚持“居民的事居民商量着办”，前后征集意见建议{nn}条。",
    "以前一到下雨天，院坝里就到处是积水，居民出行很不方便。",
    "如今，坑洼不平的路面变得平整，墙面焕然一新，小区面貌发生了很大变化。",
    "{w}每天早上都会在小区里散步，她说现在的环境比以前好多了。",
    "针对停车难问题，{c}对闲置空地进行了规划，新增停车位{n}个。",
    "社区还组建了一支由{n}名居民组成的志愿者队伍，定期开展巡逻和清扫。",
    "记者注意到，小区入口处设置了宣传栏，公示着项目进度和资金使用情况。",
    "{o}相关负责人介绍，下一步将继续推进{t}，让更多居民受益。",
    "在{d}，像{c}这样的案例还有不少。",
    "从最初的不理解到主动参与，居民的态度发生了明显转变。",
    "每周三下午，社区活动室里都会传出阵阵欢笑声。",
    "这里原本是一片杂草丛生的荒地，经过整治后变成了居民休闲的好去处。",
    "为了让老人吃得好、吃得放心，社区食堂每天提供{n}种菜品，价格实惠。",
    "六十岁以上老人凭卡就餐还能享受优惠，每月就餐人数超过{nnn}人次。",
    "{s}党工委书记表示，基层治理的关键在于激发居民的内生动力。",
    "{y}年以来，{s}累计完成老旧院落改造{n}个，整治背街小巷{n}条。",
    "活动现场，志愿者们为居民提供了义诊、理发、家电维修等便民服务。",
    "孩子们在老师的带领下，认真学习垃圾分类知识，现场气氛十分热烈。",
    "“{t}”项目实施后，居民的获得感和幸福感明显提升。",
    "项目由{o}牵头，联合{o2}共同推进，形成了多方参与的工作格局。",
    "在居民议事会上，大家围绕{th}的选址展开了热烈讨论。",
    "经过三轮协商，最终方案获得了{nn}户居民的签字同意。",
    "施工期间，为减少对居民生活的影响，施工方调整了作业时间。",
    "傍晚时分，不少居民带着孩子来到新建成的口袋公园散步、游玩。",
    "据统计，今年以来社区共开展各类活动{nn}场次，参与居民{nnn}余人次。",
    "社区还建立了“红黑榜”制度，每月对各院落的卫生情况进行评比。",
    "对于行动不便的独居老人，网格员每周至少上门探访一次。",
    "在{c}的一处院落里，几位老人正围坐在一起下象棋。",
    "沿着新修的步道往前走，一路上绿意盎然，不时有居民在此锻炼身体。",
    "{m}月{dd}日上午，{c}举办了一场别开生面的邻里节活动。",
    "小区加装的电梯于{m}月正式投入使用，{n}户居民从此告别了“爬楼难”。",
    "为保障电梯后续运行，业主们协商成立了电梯管理小组，费用按楼层分摊。",
    "社区书屋藏书{nnn}余册，每天都有不少孩子放学后来这里看书、写作业。",
    "{o}通过引入社会组织，为辖区居民提供专业化的服务。",
    "下一步，{s}还将围绕{t}开展专项行动，持续改善人居环境。",
    "在不少居民看来，这些变化虽然不大，却实实在在地方便了日常生活。",
    "防汛期间，社区工作人员和志愿者24小时轮流值守，确保群众安全。",
    "活动吸引了周边{n}个社区的居民参加，现场发放宣传资料{nnn}余份。",
    "{w}告诉记者，以前院子里乱搭乱建的情况比较严重，现在都拆除了。",
    "改造后的菜市场干净明亮，摊位划行归市，买菜的居民络绎不绝。",
    "社区卫生服务中心的家庭医生团队定期到小区开展健康讲座。",
    "为了让改造更贴近需求，设计团队在小区里蹲点调研了{n}天。",
    "村里的{nn}亩土地通过流转实现了规模经营，村民每年还能拿到分红。",
    "傍晚的广场上，坝坝舞的音乐准时响起，热闹而不扰民。",
    "有居民提出，希望在小区里增设{th}，这一建议很快被纳入了项目清单。",
    "从{y}年开始，{c}每年都会评选“最美家庭”和“好邻居”。",
    "整个项目共涉及{n}栋楼、{nn}户居民，是{s}今年的重点民生工程之一。",
    "社区工作人员逐一登记居民需求，建立了详细的台账。",
    "在多方努力下，困扰居民多年的管网堵塞问题终于得到了彻底解决。",
    "年轻人的加入，为社区治理注入了新的活力。",
    "如今走在街头，随处可见整洁的街面和规范的店招。",
    "据介绍，这一做法已在{d}的{n}个社区推广。",
    "社区还开设了书法、太极、合唱等兴趣班，报名人数一度超过{nn}人。",
    "不少外出务工的年轻人回到家乡，在村里开起了民宿和农家乐。",
    "通过“线上+线下”的方式，居民可以随时反映身边的问题。",
    "{o}表示，将建立长效管护机制，避免出现“重建设、轻管理”的情况。",
]

LEADS = [
    "本报讯（记者{rep}）",
    "本报讯（记者{rep} 通讯员{w2}）",
    "",
    "",
]

QUOTES = [
    "以前下楼买个菜都要歇好几回，现在电梯一按就下来了，方便得很。",
    "我们住了三十多年的老院子，终于变了个样。",
    "大家的事大家商量着办，心里才踏实。",
    "孩子放学后有地方去，我们上班也放心了。",
    "社区食堂的菜味道好，价格也公道，比自己做饭省事多了。",
    "晚上出来散步，路灯亮堂堂的，走着心里都敞亮。",
    "以前邻居之间见面都不打招呼，现在经常一起喝茶聊天。",
    "这件事拖了好几年，没想到这么快就解决了。",
    "只要对大家有好处，出点力算什么。",
    "停车位多了，再也不用每天晚上转好几圈找车位了。",
    "我每周都来书屋借书，这里的环境比图书馆还安静。",
    "垃圾分类刚开始觉得麻烦，习惯了就好了，积分还能换东西呢。",
]

HEADINGS = [
    "从“要我做”到“我要做”", "小空间撬动大民生", "居民说了算", "多方联动解难题", "细节里的温度",
    "老院落焕发新生机", "下一步怎么走", "让服务触手可及", "算好民生账", "把好事办好",
]

LIST_ITEMS = [
    "每周二、四上午开放社区健康小屋", "新增停车位{n}个，规范设置充电桩", "改造雨污管网{nn}米",
    "设置垃圾分类投放点{n}处", "组建志愿者服务队{n}支", "开设老年大学兴趣班{n}个",
    "安装智能门禁和监控设备", "为{nn}户家庭完成适老化改造", "建成口袋公园{n}个",
    "每月开展一次居民议事会", "设立社区微基金，首期募集{nn}万元", "整治背街小巷{n}条",
]

TABLE_ROWS = [
    ("新增停车位", "{nn}个"), ("改造院落", "{n}个"), ("加装电梯", "{n}部"), ("新增绿化", "{nnn}平方米"),
    ("开展活动", "{nn}场"), ("服务居民", "{nnn}人次"), ("维修管网", "{nn}米"), ("投入资金", "{nn}万元"),
]

HIGHLIGHTS = [
    "新增停车位{n}个", "惠及居民{nnn}余户", "志愿者累计服务{nnn}小时", "改造院落{n}个",
    "加装电梯{n}部", "居民满意度达9{n1}%", "新增绿地{nnn}平方米", "开展活动{nn}场次",
]

SUMMARY_TEMPLATES = [
    "{c}通过{t}，让老院落焕发新生机。",
    "{s}以居民需求为导向，推动{t}落地见效，居民点赞：“办到了心坎上。”",
    "一次坝坝会、{n}轮协商，{c}的{t}项目终于落地。",
    "在{d}{c}，{t}正在悄然改变居民的生活。",
]

LINK_TEXTS = ["相关报道", "此前报道", "往期报道"]

# Characters that must not start a wrapped line, and that must not end one.
NO_START = set("，。、；：？！”’）》】…·%,.;:?!)")
NO_END = set("“‘（《【(")

# Slots computed per use: ("int", lo, hi) or ("pick", choices, None). "y" is a year shortly
# before the story's own year.
_SLOTS = {
    "o": ("pick", ORGS, None),
    "o2": ("pick", ORGS, None),
    "w": ("pick", RESIDENTS, None),
    "w2": ("pick", [r[-3:] for r in RESIDENTS], None),
    "th": ("pick", THINGS, None),
    "n": ("int", 3, 30),
    "n1": ("int", 0, 9),
    "nn": ("int", 40, 900),
    "nnn": ("int", 1000, 9000),
    "y": ("int", 0, 0),
    "m": ("int", 1, 12),
    "dd": ("int", 1, 28),
}
_FIELDS: dict[str, tuple[str, ...]] = {}

CJK_ONLY = re.compile(r"[\u4e00-\u9fff]+\Z")


# --------------------------------------------------------------------------------------------
# Helpers


def yaml_str(s: str) -> str:
    """A YAML scalar for s: plain when it is only CJK ideographs, double-quoted otherwise."""
    if CJK_ONLY.match(s):
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unique_names(rng: random.Random, count: int, make, taken: set[str]) -> list[str]:
    out = []
    while len(out) < count:
        name = make()
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def build_places(seed: str):
    """~20 districts, 5 streets each, 4 communities per street; unique names throughout."""
    rng = random.Random(f"{seed}:places")
    taken: set[str] = set()
    hierarchy = []  # (district, street, [communities])
    for district in DISTRICTS:
        rural = district.endswith(("县", "市"))

        def base():
            a, b = rng.sample(PLACE_CHARS, 2)
            return a + b

        street_bases = unique_names(rng, 5, base, taken)
        for sb in street_bases:
            street = sb + ("镇" if rural and rng.random() < 0.6 else "街道")
            village = street.endswith("镇")
            comm_bases = unique_names(rng, 4, base, taken)
            communities = [
                cb + ("村" if village and rng.random() < 0.7 else "社区") for cb in comm_bases
            ]
            hierarchy.append((district, street, communities))
    reporters = unique_names(
        rng,
        60,
        lambda: rng.choice(SURNAMES) + "".join(rng.sample(GIVEN_CHARS, rng.choice((1, 1, 2)))),
        set(),
    )
    return hierarchy, reporters


def wrap_pieces(pieces: list[tuple[str, bool]], prefix: str = "") -> str:
    """Hard-wraps a paragraph at ~WRAP characters.

    pieces are (text, atomic): plain text may be cut between any two characters (not before
    closing punctuation, not after opening punctuation, not inside an ASCII word or number);
    atomic pieces (bold, links) are never cut.
    """
    lines: list[str] = []
    cur: list[str] = []
    width = 0
    last = ""

    def flush():
        nonlocal cur, width
        lines.append(prefix + "".join(cur))
        cur = []
        width = 0

    def can_break(prev: str, nxt: str) -> bool:
        if not prev:
            return False
        if nxt in NO_START or prev in NO_END:
            return False
        if prev.isascii() and nxt.isascii():
            return False  # inside a number or ASCII word, or next to "+", "%"...
        if nxt.isascii() and not nxt.isalnum():
            return False  # never start a line with ASCII punctuation (Markdown syntax)
        return True

    for text, atomic in pieces:
        if not text:
            continue
        if atomic:
            if width > 0 and width + len(text) > WRAP + 6 and can_break(last, text[0]):
                flush()
            cur.append(text)
            width += len(text)
            last = text[-1]
            continue
        pos = 0
        n = len(text)
        while pos < n:
            cut = pos + max(WRAP - width, 0)
            if cut >= n:
                cur.append(text[pos:])
                width += n - pos
                last = text[-1]
                break
            prev = text[cut - 1] if cut > pos else last
            while cut < n and not can_break(prev, text[cut]):
                prev = text[cut]
                cut += 1
            if cut >= n:
                cur.append(text[pos:])
                width += n - pos
                last = text[-1]
                break
            cur.append(text[pos:cut])
            last = prev
            flush()
            pos = cut
    if cur:
        flush()
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# One story


class Story:
    def __init__(self, index: int, seed: str, hierarchy, reporters):
        self.index = index
        self.slug = f"story-{index:06d}"
        self.rng = rng = random.Random(f"{seed}:story:{index}")
        self.year = rng.choice(YEARS)
        self.district, street, communities = rng.choice(hierarchy)
        self.street = street if rng.random() >= 0.15 else ""
        self.community = rng.choice(communities)
        self.place = self.street or self.district
        if rng.random() < 0.10:
            self.reporters = rng.sample(reporters, 2)
        else:
            self.reporters = [rng.choice(reporters)]
        self.bundle = rng.random() < 0.10
        self.topic = rng.choice(TOPICS)
        self.fixed = {
            "c": self.community,
            "s": self.place,
            "d": self.district,
            "t": self.topic,
            "rep": self.reporters[0],
        }
        self.deck: list[int] = []

    # Template filling: only the slots a template names are computed, numbers fresh each time.
    def fill(self, template: str) -> str:
        fields = _FIELDS.get(template)
        if fields is None:
            # dict, not set: draw order must not depend on string hashing.
            fields = _FIELDS[template] = tuple(
                dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template) if name)
            )
        if not fields:
            return template
        rnd = self.rng.random
        values = {}
        for name in fields:
            fixed = self.fixed.get(name)
            if fixed is not None:
                values[name] = fixed
            else:
                kind, a, b = _SLOTS[name]
                if kind == "int":
                    values[name] = a + int(rnd() * (b - a + 1))
                else:
                    values[name] = a[int(rnd() * len(a))]
        if "y" in values:
            values["y"] = self.year - int(rnd() * 5)
        return template.format_map(values)

    def sentence(self) -> str:
        """Next body sentence: the pool is dealt like a deck, so repeats within a story are rare."""
        if not self.deck:
            self.deck = list(range(len(SENTENCES)))
            self.rng.shuffle(self.deck)
        return self.fill(SENTENCES[self.deck.pop()])

    def title(self) -> str:
        r = self.rng
        for _ in range(20):
            ev = r.choice(TITLE_EVENTS)
            # "…社区" + "社区食堂…" would read "社区社区食堂"
            ev_after_place = ev[2:] if ev.startswith("社区") else ev
            p = r.random()
            if p < 0.3:
                t = f"{self.community}：{ev}"
            elif p < 0.55:
                t = f"{self.place}{ev}"
            elif p < 0.75:
                t = f"{self.district}{self.community}{ev_after_place}"
            elif p < 0.9:
                t = f"“{r.choice(TITLE_SHORT)}”里的新变化：{self.community}{ev_after_place}"
            else:
                t = ev + "——" + self.community + "见闻"
            if 12 <= len(t) <= 28:
                return t
        return f"{self.community}居民自治小记：{self.topic}"[:28]

    def date(self) -> str:
        r = self.rng
        m, d = r.randint(1, 12), r.randint(1, 28)
        if r.random() < 0.2:
            return f"{self.year}-{m:02d}-{d:02d}T{r.randint(7, 21):02d}:{r.choice((0, 15, 30, 45)):02d}:00+08:00"
        return f"{self.year}-{m:02d}-{d:02d}"

    def front_matter(self) -> str:
        r = self.rng
        out = ["---", f"title: {yaml_str(self.title())}"]
        if r.random() < 0.3:
            out.append(f"subtitle: {yaml_str('——' + self.fill(r.choice(SUBTITLES)))}")
        out.append(f"date: {self.date()}")
        out.append(f"district: {self.district}")
        if self.street:
            out.append(f"street: {self.street}")
        out.append(f"community: {self.community}")
        if len(self.reporters) == 1:
            out.append(f"reporter: {self.reporters[0]}")
        elif r.random() < 0.5:
            out.append(f"reporter: [{', '.join(self.reporters)}]")
        else:
            out.append("reporter:")
            out.extend(f"  - {name}" for name in self.reporters)
        if r.random() < 0.5:
            out.append(f"summary: {yaml_str(self.fill(r.choice(SUMMARY_TEMPLATES)))}")
        if r.random() < 0.25:
            out.append(f"photo_credit: {'社区供图' if r.random() < 0.7 else '受访者供图'}")
        ntags = r.choice((0, 1, 2, 2, 3, 3, 4))
        if ntags:
            out.append(f"tags: [{', '.join(yaml_str(t) for t in r.sample(TAGS, ntags))}]")
        elif r.random() < 0.3:
            out.append("tags: []")
        nhl = r.choice((0, 0, 1, 2, 3))
        if nhl:
            out.append("highlights:")
            for h in r.sample(HIGHLIGHTS, nhl):
                out.append(f"  - {yaml_str(self.fill(h))}")
        if r.random() < 0.15:
            out.append(f"series: {yaml_str(r.choice(SERIES))}")
        if self.bundle:
            out.append("images:")
            out.append("  - src: photo.svg")
            out.append(f"    caption: {yaml_str(f'{self.community}一角。{self.reporters[0]} 摄')}")
            out.append(f"    alt: {yaml_str(f'{self.community}改造后的院落')}")
        out.append("---")
        return "\n".join(out) + "\n"

    def paragraph(self, budget_chars: int, first: bool) -> str:
        r = self.rng
        pieces: list[tuple[str, bool]] = []
        used = 0
        if first:
            lead = self.fill(r.choice(LEADS))
            if lead:
                pieces.append((lead, False))
                used += len(lead)
        bold_at = r.randint(0, 3) if r.random() < 0.35 else -1
        link_at = r.randint(1, 3) if (self.index > 1 and r.random() < 0.08) else -1
        k = 0
        while used < budget_chars or k == 0:
            if k == bold_at:
                pieces.append((f"**{r.choice(KEY_PHRASES)}**", True))
                s = "是这次工作的一大特点。"
            elif k == link_at:
                target = f"story-{r.randint(1, self.index - 1):06d}"
                pieces.append(("此前，本报曾对此作过报道（见", False))
                pieces.append((f"[{r.choice(LINK_TEXTS)}](/stories/{target}/)", True))
                s = "）。"
            else:
                s = self.sentence()
            pieces.append((s, False))
            used += len(s)
            k += 1
        return wrap_pieces(pieces)

    def quote(self) -> str:
        r = self.rng
        q = r.choice(QUOTES)
        w = r.choice(RESIDENTS)
        text = f"“{q}”{w}说。" if r.random() < 0.5 else f"{w}告诉记者：“{q}”"
        return wrap_pieces([(text, False)], prefix="> ")

    def listing(self) -> str:
        r = self.rng
        items = r.sample(LIST_ITEMS, r.randint(3, 5))
        ordered = r.random() < 0.3
        lines = []
        for i, item in enumerate(items, 1):
            marker = f"{i}." if ordered else "-"
            lines.append(f"{marker} {self.fill(item)}")
        return "\n".join(lines)

    def table(self) -> str:
        r = self.rng
        rows = r.sample(TABLE_ROWS, r.randint(3, 5))
        lines = ["| 项目 | 数量 | 完成时间 |", "| --- | ---: | --- |"]
        for name, qty in rows:
            lines.append(f"| {name} | {self.fill(qty)} | {self.fill('{y}年{m}月')} |")
        return "\n".join(lines)

    def body(self) -> str:
        r = self.rng
        # Body size in bytes: log-normal around ~3.2 KB, from ~1 KB to ~10 KB.
        target = min(max(r.lognormvariate(7.88, 0.46), 600), 10500)
        paras = min(max(round(target / 600) + r.randint(-1, 1), 4), 10)
        budget = max(int(target / 3 / paras), 20)  # mostly 3-byte characters
        blocks = []
        heading_at = {r.randint(2, paras - 1)} if r.random() < 0.35 else set()
        if heading_at and paras >= 7 and r.random() < 0.5:
            heading_at.add(r.randint(2, paras - 1))
        quote_at = r.randint(1, paras - 1) if r.random() < 0.45 else -1
        list_at = r.randint(1, paras - 1) if r.random() < 0.2 else -1
        table_at = r.randint(1, paras - 1) if r.random() < 0.03 else -1
        for i in range(paras):
            if i in heading_at:
                blocks.append("## " + r.choice(HEADINGS))
            blocks.append(self.paragraph(budget, first=(i == 0)))
            if i == quote_at:
                blocks.append(self.quote())
            if i == list_at:
                blocks.append(self.listing())
            if i == table_at:
                blocks.append(self.table())
        return "\n\n".join(blocks) + "\n"

    def render(self) -> str:
        return self.front_matter() + "\n" + self.body()

    def svg(self) -> str:
        r = self.rng
        hue = r.randint(0, 359)
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360" viewBox="0 0 640 360">\n'
            f'  <rect width="640" height="360" fill="hsl({hue},40%,85%)"/>\n'
            f'  <circle cx="{r.randint(100, 540)}" cy="{r.randint(80, 280)}" r="{r.randint(30, 90)}" '
            f'fill="hsl({(hue + 180) % 360},40%,60%)"/>\n'
            f'  <text x="24" y="336" font-family="sans-serif" font-size="20">{self.slug}</text>\n'
            "</svg>\n"
        )


# --------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Generate a synthetic yuanba site.")
    ap.add_argument("n", type=int, help="number of stories")
    ap.add_argument("outdir", help="output folder (must not exist, or be empty)")
    ap.add_argument("--seed", default="1", help="random seed (default 1)")
    args = ap.parse_args(argv)
    if args.n < 0:
        ap.error("N must be >= 0")
    if os.path.exists(args.outdir):
        if not os.path.isdir(args.outdir):
            ap.error(f"{args.outdir} exists and is not a folder")
        if os.listdir(args.outdir):
            ap.error(f"{args.outdir} is not empty; remove it or pick another folder")

    start = time.perf_counter()
    hierarchy, reporters = build_places(args.seed)
    stories_dir = os.path.join(args.outdir, "content", "stories")
    os.makedirs(stories_dir, exist_ok=True)
    os.makedirs(os.path.join(args.outdir, "content", "pages"), exist_ok=True)
    with open(os.path.join(args.outdir, "site.yaml"), "w", encoding="utf-8") as f:
        f.write(SITE_YAML)

    made_dirs: set[str] = set()
    md_bytes = 0
    bundles = 0
    for i in range(1, args.n + 1):
        story = Story(i, args.seed, hierarchy, reporters)
        text = story.render().encode("utf-8")
        md_bytes += len(text)
        year_dir = os.path.join(stories_dir, str(story.year))
        if story.bundle:
            bundles += 1
            d = os.path.join(year_dir, story.slug)
            os.makedirs(d)
            path = os.path.join(d, "index.md")
            with open(os.path.join(d, "photo.svg"), "w", encoding="utf-8") as f:
                f.write(story.svg())
        else:
            if year_dir not in made_dirs:
                os.makedirs(year_dir, exist_ok=True)
                made_dirs.add(year_dir)
            path = os.path.join(year_dir, story.slug + ".md")
        with open(path, "wb") as f:
            f.write(text)

    elapsed = time.perf_counter() - start
    avg = md_bytes / args.n if args.n else 0
    print(
        f"wrote {args.n} stories ({bundles} bundles) to {args.outdir}: "
        f"{md_bytes} bytes of Markdown ({md_bytes / 1e6:.1f} MB, {avg:.0f} B/story avg) "
        f"in {elapsed:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
