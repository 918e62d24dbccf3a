"""Every user-facing string, in English and Simplified Chinese, in one table.

``t(key, lang, **values)`` formats a string; unknown languages fall back to English.
"""
from __future__ import annotations

LANGS = ("en", "zh")

CATEGORY_NAMES = {
    "building": ("Building", "积木搭建"), "puzzles": ("Puzzles", "拼图"),
    "pretend_play": ("Pretend play", "角色扮演"), "arts_crafts": ("Arts & crafts", "美术手工"),
    "vehicles": ("Vehicles", "交通工具"), "dolls_figures": ("Dolls & figures", "娃娃与人偶"),
    "plush": ("Plush", "毛绒玩具"), "stem_science": ("STEM & science", "科学探索"),
    "music": ("Music", "音乐"), "outdoor_sports": ("Outdoor & sports", "户外运动"),
    "board_card_games": ("Board & card games", "桌游卡牌"), "baby_toddler": ("Baby & toddler", "婴幼儿"),
    "books_learning": ("Books & learning", "图书学习"), "bath_water": ("Bath & water", "洗澡戏水"),
}
CATEGORY_NOUNS_EN = {  # "another ..." in a reason
    "building": "building toy", "puzzles": "puzzle", "pretend_play": "pretend-play toy",
    "arts_crafts": "arts-and-crafts toy", "vehicles": "vehicle toy", "dolls_figures": "doll or figure",
    "plush": "cuddly toy", "stem_science": "science toy", "music": "musical toy",
    "outdoor_sports": "outdoor toy", "board_card_games": "game", "baby_toddler": "baby toy",
    "books_learning": "learning toy", "bath_water": "bath toy",
}
SKILL_NAMES = {
    "fine_motor": ("fine motor skills", "精细动作"), "gross_motor": ("gross motor skills", "大运动"),
    "language": ("language", "语言"), "logic": ("logic", "逻辑"), "creativity": ("creativity", "创造力"),
    "social": ("social play", "社交"), "stem": ("STEM", "科学思维"), "sensory": ("the senses", "感官"),
    "emotional": ("emotional growth", "情感发展"),
}

STRINGS: dict[str, tuple[str, str]] = {
    # reasons
    "reason.similar_category": ("Because your child likes {liked}: another {category}.",
                                "因为孩子喜欢{liked}：同属{category}。"),
    "reason.similar_skill": ("Because your child likes {liked}: it also builds {skill}.",
                             "因为孩子喜欢{liked}：同样锻炼{skill}。"),
    "reason.similar": ("Because your child likes {liked}.", "因为孩子喜欢{liked}。"),
    "reason.popular": ("Popular with children aged {age}.", "{age}的孩子很喜欢。"),
    "reason.taste": ("Matches what your child likes, and suits age {age}.",
                     "符合孩子的喜好，也适合{age}。"),
    "reason.age_fit": ("A good fit for age {age}: made for {range}.", "适合{age}：适用{range}。"),
    "fallback.notice": ("No liked toys yet, so these are the toys most popular at this age. "
                        "Pick a few toys your child likes for personal picks.",
                        "还没有选择喜欢的玩具，下面是这个年龄最受欢迎的玩具。选几个孩子喜欢的玩具，即可获得个性化推荐。"),
    "age.months": ("{n} months", "{n}个月"),
    "age.years": ("{n}", "{n}岁"),
    "age.years_long": ("{n} years", "{n}岁"),
    "range.months": ("{lo}–{hi} months", "{lo}–{hi}个月"),
    "range.years": ("{lo}–{hi} years", "{lo}–{hi}岁"),
    "fit.middle": ("right in the middle of its {range} range", "正好处在{range}适用范围的中段"),
    "fit.early": ("near the start of its {range} range: it will last", "处在{range}适用范围的前段：可以玩很久"),
    "fit.late": ("near the end of its {range} range", "接近{range}适用范围的末段"),
    # ---- the Streamlit app (app.py, pages/): every "ui.*" string ----
    "ui.app.title": ("MetaRec Toys", "MetaRec 玩具推荐"),
    "ui.app.tagline": ("Toy ideas that learn from a few toys your child already loves.",
                       "只需几个孩子喜欢的玩具，就能学会为孩子推荐新玩具。"),
    "ui.nav.parents": ("For parents", "家长专区"),
    "ui.sidebar.language": ("Language / 语言", "Language / 语言"),
    "ui.sidebar.about": ("About this demo", "关于本演示"),
    "ui.sidebar.device": ("Learner runs on: **{device}**", "学习器运行于：**{device}**"),
    "ui.sidebar.model": ("Model **{version}**, trained {date}", "模型 **{version}**，训练于 {date}"),
    "ui.sidebar.model_unknown": ("Model version unknown", "模型版本未知"),
    "ui.sidebar.simulated": ("**Simulated families.** The model learned from a simulated world of "
                             "families, not from real customers, and the demo families are simulated too.",
                             "**模拟家庭。** 模型是从一个模拟的家庭世界中学习的，并非真实用户数据；"
                             "示例家庭同样是模拟的。"),
    "ui.sidebar.private": ("Your picks tune the model for this browser session only; they are never "
                           "saved or shared.",
                           "您的选择只在本次浏览会话中用于调整模型，不会被保存或共享。"),
    "ui.error.generic": ("Sorry, something went wrong on our side. Please try again, or press "
                         "“Start over”.",
                         "抱歉，我们这边出了点问题。请重试，或点击“重新开始”。"),
    "ui.error.engine": ("The recommender is not ready yet: its model could not be loaded. Please "
                        "try again in a minute.",
                        "推荐模型尚未就绪：无法加载模型。请稍后再试。"),
    "ui.age.label": ("Child's age", "孩子的年龄"),
    "ui.age.help": ("Pick months for babies and toddlers under 2.", "2岁以下的宝宝请按月龄选择。"),
    "ui.age.years_months": ("{y} years {m} months", "{y}岁{m}个月"),
    "ui.category.label": ("Browse a category", "按类别浏览"),
    "ui.category.all": ("All categories", "全部类别"),
    "ui.liked.label": ("Toys your child likes", "孩子喜欢的玩具"),
    "ui.liked.placeholder": ("Type a toy name to search…", "输入玩具名称搜索…"),
    "ui.liked.help": ("Any toys your child owns and enjoys, even ones made for other ages: "
                      "three to five are plenty.",
                      "孩子拥有并喜欢的任何玩具都可以，即使适用年龄不同：三到五件就足够了。"),
    "ui.disliked.label": ("Toys your child did not enjoy (optional)", "孩子不太喜欢的玩具（可选）"),
    "ui.disliked.placeholder": ("None", "无"),
    "ui.budget.label": ("Budget per toy (optional)", "单件预算（可选）"),
    "ui.budget.placeholder": ("No limit", "不限"),
    "ui.demo.button": ("A family to try", "试试示例家庭"),
    "ui.demo.help": ("Loads a random simulated family: a child's age and a few toys it likes.",
                     "载入一个随机的模拟家庭：孩子的年龄和几件喜欢的玩具。"),
    "ui.demo.loaded": ("Loaded simulated test family #{id} (not a real family, and never seen in "
                       "training), aged {age}. Its hidden favourite categories: {favs}.",
                       "已载入模拟测试家庭 #{id}（并非真实家庭，训练时也从未见过），孩子{age}。"
                       "它隐藏的最爱类别：{favs}。"),
    "ui.reset.button": ("Start over", "重新开始"),
    "ui.results.personal": ("Picked for your child", "为孩子精选"),
    "ui.results.popular": ("Popular at {age}", "{age}孩子的热门玩具"),
    "ui.results.how": ("Adapted to the {n} toys you picked by {method} on {device} in {ms} ms.",
                       "由 {method} 根据您选择的 {n} 件玩具在 {device} 上调整，用时 {ms} 毫秒。"),
    "ui.safety": ("🛡️ This page never shows toys outside your child's age range, or toys with "
                  "small parts to children under 3.",
                  "🛡️ 本页从不展示超出孩子年龄范围的玩具，也从不向3岁以下的孩子展示含小零件的玩具。"),
    "ui.safety.counts": ("For a child aged {age} we hid {too_young} toys made for older children, "
                         "{outgrown} your child has outgrown and {small_parts} with small parts.",
                         "针对{age}的孩子，已隐藏 {too_young} 件适合更大孩子的玩具、{outgrown} "
                         "件已过适用年龄的玩具和 {small_parts} 件含小零件的玩具。"),
    "ui.safety.budget": ("{n} more are over your budget.", "另有 {n} 件超出预算。"),
    "ui.card.price": ("${price}", "${price}"),
    "ui.card.match": ("Match {pct}%", "匹配度 {pct}%"),
    "ui.card.more": ("Why this toy?", "为什么推荐它？"),
    "ui.card.closest": ("Closest to the toys your child likes:", "与孩子喜欢的这些玩具最接近："),
    "ui.card.similar": ("{name} ({pct}% similar)", "{name}（相似度 {pct}%）"),
    "ui.card.no_closest": ("Chosen from what children this age enjoy, not from one liked toy.",
                           "根据同龄孩子的喜好推荐，而不是根据某一件喜欢的玩具。"),
    "ui.card.age_fit": ("Age fit: {fit}.", "年龄匹配：{fit}。"),
    "ui.card.small_parts": ("Has small parts: fine from age 3.", "含小零件：适合3岁及以上。"),
    "ui.card.id": ("Catalog ID {id}", "目录编号 {id}"),
    "ui.bad.too_many": ("You picked {n} toys in “{field}”; please keep it to {max} or fewer. A "
                        "handful of favourites is all the recommender needs.",
                        "您在“{field}”中选择了 {n} 件玩具，请不要超过 {max} 件。几件最喜欢的玩具就足够了。"),
    "ui.bad.both": ("{names}: a toy cannot be both liked and not enjoyed. Please remove it from "
                    "one of the two lists.",
                    "{names}：同一件玩具不能既喜欢又不喜欢。请从其中一个列表中移除。"),
    "ui.bad.input": ("We could not use these choices: {msg}", "无法使用这些选择：{msg}"),
    "ui.list.sep": (", ", "、"),
    "ui.sentence.sep": (" ", ""),
    "ui.bad.none_left": ("No toys are left to suggest with these choices. Try a higher budget or "
                         "fewer toys in your lists.",
                         "在当前选择下没有可推荐的玩具。请提高预算，或减少列表中的玩具。"),
}


def t(key: str, lang: str = "en", **values) -> str:
    en, zh = STRINGS[key]
    return (zh if lang == "zh" else en).format(**values)


def category_name(slug: str, lang: str = "en") -> str:
    en, zh = CATEGORY_NAMES[slug]
    return zh if lang == "zh" else en


def category_noun(slug: str, lang: str = "en") -> str:
    """The category as a noun for a sentence: "puzzle" / "拼图"."""
    return category_name(slug, lang) if lang == "zh" else CATEGORY_NOUNS_EN[slug]


def skill_name(slug: str, lang: str = "en") -> str:
    en, zh = SKILL_NAMES[slug]
    return zh if lang == "zh" else en


def age_text(age_months: float, lang: str = "en", long: bool = False) -> str:
    """'18 months' under two years, else '4' (or '4 years' with ``long``)."""
    if age_months < 24:
        return t("age.months", lang, n=int(round(age_months)))
    years = age_months / 12
    n = int(years) if abs(years - round(years)) > 1e-9 else int(round(years))
    return t("age.years_long" if long else "age.years", lang, n=n)


def range_text(lo_months: int, hi_months: int, lang: str = "en") -> str:
    if hi_months < 24:
        return t("range.months", lang, lo=lo_months, hi=hi_months)
    fmt = lambda m: f"{m / 12:.1f}".rstrip("0").rstrip(".")
    return t("range.years", lang, lo=fmt(lo_months), hi=fmt(hi_months))
