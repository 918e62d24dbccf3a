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
METHOD_TITLES = {  # learner names as people read them
    "maml": ("MAML (second-order)", "MAML（二阶）"), "fomaml": ("MAML (first-order)", "MAML（一阶）"),
    "melu": ("MeLU (decision layers adapt)", "MeLU（仅调整决策层）"),
    "metasgd": ("Meta-SGD (learned step sizes)", "Meta-SGD（学习步长）"), "reptile": ("Reptile", "Reptile"),
    "protonet": ("Prototypical network", "原型网络"), "matching": ("Matching network", "匹配网络"),
    "relation": ("Relation network", "关系网络"),
    "finetune": ("Pretrained + fine-tuning (no meta-learning)", "预训练 + 微调（非元学习）"),
    "knn": ("Content k-NN", "内容近邻"), "popularity": ("Popularity by age", "同龄热门"),
}
REAL_METHOD_TITLES = {  # on the real data sets, where some names mean something else
    "popularity": ("Popularity (interaction count)", "热门度（交互次数）"),
    "metaemb": ("Meta-learned embeddings (metaemb)", "元学习嵌入（metaemb）"),
    "melu-bias": ("MeLU on ratings, from the bias model", "MeLU（评分回归，以偏置模型为起点）"),
    "item-mean": ("Item mean rating", "物品平均评分"),
    "user-item-bias": ("User + item bias", "用户 + 物品偏置"),
    "constant": ("Constant (query order)", "常数（按查询顺序）"), "random": ("Random", "随机"),
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
    "none_left.notice": ("Nothing new to suggest: every toy suitable at this age is already in "
                         "your lists, or over your budget. Remove a few toys or raise the budget.",
                         "没有新的玩具可以推荐：适合这个年龄的玩具都已在您的列表中，或超出了预算。"
                         "请移除几件玩具，或提高预算。"),
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
    "ui.error.engine": ("The recommender is not ready: its model or toy catalog could not be "
                        "loaded. Whoever runs this demo will find the reason in the server log.",
                        "推荐模型尚未就绪：无法加载模型或玩具目录。运行此演示的人员可在服务器日志中查看原因。"),
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
    "ui.results.how_one": ("Adapted to the toy you picked by {method} on {device} in {ms} ms.",
                           "由 {method} 根据您选择的 1 件玩具在 {device} 上调整，用时 {ms} 毫秒。"),
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
    "ui.bad.age": ("That age cannot be used: ages go from 0 months to 14 years. Showing toys for "
                   "{age} instead; pick your child's age above.",
                   "无法使用该年龄：年龄范围为0个月到14岁。下面先展示{age}孩子的玩具，请在上方选择孩子的年龄。"),
    "ui.bad.unknown": ("These toys are not in the catalog and were removed from your lists: {ids}.",
                       "以下玩具不在目录中，已从您的列表中移除：{ids}。"),
    "ui.list.sep": (", ", "、"),
    "ui.sentence.sep": (" ", ""),
    "ui.bad.none_left": ("No toys are left to suggest with these choices. Try a higher budget or "
                         "fewer toys in your lists.",
                         "在当前选择下没有可推荐的玩具。请提高预算，或减少列表中的玩具。"),
    # ---- teaching pages: navigation ----
    "ui.nav.adaptation": ("Watch it learn", "看它如何学习"),
    "ui.nav.embeddings": ("Toy map", "玩具地图"),
    "ui.nav.leaderboard": ("Leaderboard", "排行榜"),
    "ui.nav.how": ("How meta-learning works", "元学习是怎样工作的"),
    # ---- Watch it learn (pages/adaptation.py) ----
    "ui.adapt.intro": ("The recommender starts from a *good first guess* learned from thousands of "
                       "other families, then takes a few small learning steps on the toys one "
                       "family told it about. Below you watch those steps one by one, from three "
                       "starting points: the meta-learned guess, a network trained the ordinary "
                       "way and then fine-tuned, and random weights. For a simulated family we "
                       "also know the toys it secretly likes, so every step is scored on those.",
                       "推荐模型先从一个“好的初始猜测”出发（它是从成千上万个其他家庭中学来的），"
                       "再根据某个家庭告诉它的几件玩具走几小步学习。下面逐步展示这些学习步骤，"
                       "并比较三个起点：元学习得到的初始猜测、按普通方式训练后再微调的网络，以及随机权重。"
                       "对于模拟家庭，我们还知道它暗中喜欢哪些玩具，因此每一步都会用这些玩具来打分。"),
    "ui.adapt.source": ("Family", "家庭"),
    "ui.adapt.source_sim": ("🧪 A simulated test family", "🧪 模拟测试家庭"),
    "ui.adapt.source_parents": ("🧸 The family from “For parents”", "🧸 来自“家长专区”的家庭"),
    "ui.adapt.no_parents": ("No liked toys were picked on the “For parents” page yet. Pick a few "
                            "there, or use a simulated family.",
                            "还没有在“家长专区”选择喜欢的玩具。请先在那里选几件，或使用模拟家庭。"),
    "ui.adapt.bad_parents": ("The toys on the “For parents” page cannot be used as they are (a toy "
                             "is both liked and not enjoyed, or none is in the catalog).",
                             "“家长专区”中的玩具暂时无法使用（有玩具同时被标为喜欢和不喜欢，或不在目录中）。"),
    "ui.adapt.parents_family": ("A child aged {age} who likes {n} toys (from “For parents”). Its "
                                "hidden taste is unknown, so only the support loss is drawn.",
                                "一个{age}的孩子，喜欢 {n} 件玩具（来自“家长专区”）。"
                                "它的真实喜好未知，因此只绘制支持集损失。"),
    "ui.adapt.another": ("Another family", "换一个家庭"),
    "ui.adapt.sim_family": ("Simulated test family #{id} (never seen in training), aged {age}. "
                            "It told the model it likes {liked}, and dislikes {n} toy(s).",
                            "模拟测试家庭 #{id}（训练时从未见过），孩子{age}。"
                            "它告诉模型喜欢{liked}，另有 {n} 件不喜欢的玩具。"),
    "ui.adapt.shots": ("Liked toys shown (shots)", "展示的喜欢玩具数（样本数）"),
    "ui.adapt.shots_help": ("How many of the family's liked toys the learner is told about.",
                            "告诉学习器这个家庭喜欢的玩具中的几件。"),
    "ui.adapt.steps": ("Inner steps", "内循环步数"),
    "ui.adapt.steps_help": ("How many small gradient steps the model takes on this family's toys.",
                            "模型在这个家庭的玩具上走多少个小的梯度步。"),
    "ui.adapt.lr": ("Inner learning rate", "内循环学习率"),
    "ui.adapt.lr_own": ("each model's own", "各模型自己的"),
    "ui.adapt.lr_help": ("The size of each step. “Each model's own” uses the step size every model "
                         "was trained or tuned with.",
                         "每一步的大小。“各模型自己的”表示使用每个模型训练或调优时的步长。"),
    "ui.adapt.order": ("Meta-learned start", "元学习起点"),
    "ui.adapt.order_help": ("Second-order MAML differentiates through the inner steps during "
                            "meta-training; first-order MAML drops those terms (cheaper).",
                            "二阶 MAML 在元训练时对内循环步骤求导；一阶 MAML 省略这些项（计算更省）。"),
    "ui.adapt.second_order": ("Second-order", "二阶"),
    "ui.adapt.first_order": ("First-order", "一阶"),
    "ui.adapt.start.maml": ("Meta-learned start (MAML, second-order)", "元学习起点（MAML，二阶）"),
    "ui.adapt.start.fomaml": ("Meta-learned start (MAML, first-order)", "元学习起点（MAML，一阶）"),
    "ui.adapt.start.finetune": ("Pretrained, then fine-tuned", "预训练后微调"),
    "ui.adapt.start.random": ("Random start", "随机起点"),
    "ui.adapt.run": ("Run the steps", "运行学习步骤"),
    "ui.adapt.run_help": ("Runs again whenever you change a control; the button replays it.",
                          "每次修改设置都会重新运行；按钮可以重放一遍。"),
    "ui.adapt.trained_steps": ("The meta-learned start was trained to take {k} steps of size "
                               "{lr:g}; try more steps to watch it over-fit the few toys it was "
                               "told about.",
                               "元学习起点训练时走 {k} 步、步长 {lr:g}；试试更多步数，看看它如何对已知的几件玩具过拟合。"),
    "ui.adapt.running": ("Step {step} of {steps}…", "第 {step} / {steps} 步…"),
    "ui.adapt.panel_loss": ("Support loss (lower = fits the told toys)", "支持集损失（越低越贴合已知玩具）"),
    "ui.adapt.panel_ndcg": ("Query nDCG@10 (hidden likes)", "查询集 nDCG@10（隐藏的喜好）"),
    "ui.adapt.panel_recall": ("Query Recall@10 (hidden likes)", "查询集 Recall@10（隐藏的喜好）"),
    "ui.adapt.axis_step": ("inner step", "内循环步"),
    "ui.adapt.hover_step": ("step %{{x}}", "第 %{{x}} 步"),
    "ui.adapt.sum_head": ("After {n} steps:", "{n} 步之后："),
    "ui.adapt.sum_query": ("(scored on the {n} hidden liked toys among {m} suitable toys)",
                           "（在 {m} 件适龄玩具中的 {n} 件隐藏喜欢玩具上打分）"),
    "ui.adapt.sum_scored": ("{name}: nDCG@10 {a:.2f} → {b:.2f} (loss {loss:.2f})",
                            "{name}：nDCG@10 {a:.2f} → {b:.2f}（损失 {loss:.2f}）"),
    "ui.adapt.sum_loss": ("{name}: support loss {a:.2f} → {b:.2f}",
                          "{name}：支持集损失 {a:.2f} → {b:.2f}"),
    "ui.adapt.sum_end": (".", "。"),
    "ui.adapt.one_family": ("One family's curve is noisy: the chart at the bottom of the page "
                            "averages over many families.",
                            "单个家庭的曲线波动较大：页面底部的图表是许多家庭的平均结果。"),
    "ui.adapt.top_title": ("How the top 10 changes", "前 10 名如何变化"),
    "ui.adapt.focus": ("Look closer at", "仔细看看"),
    "ui.adapt.axis_rank": ("place in the top 10", "前 10 名中的名次"),
    "ui.adapt.below": ("below 10", "10 名外"),
    "ui.adapt.bump_caption": ("{name}: each line is a toy, its place after every one of the {n} "
                              "steps. Green rose, red fell, dotted lines left the top 10; ✓ marks "
                              "a toy the family secretly likes.",
                              "{name}：每条线代表一件玩具在 {n} 步中每一步之后的名次。"
                              "绿色上升，红色下降，虚线表示跌出前 10；✓ 表示家庭暗中喜欢的玩具。"),
    "ui.adapt.col_rank": ("Place", "名次"),
    "ui.adapt.col_toy": ("Toy", "玩具"),
    "ui.adapt.col_move": ("Moved", "变化"),
    "ui.adapt.col_liked": ("Secretly liked", "暗中喜欢"),
    "ui.adapt.move_new": ("new", "新进"),
    "ui.adapt.dropped": ("Left the top 10: {names}.", "跌出前 10：{names}。"),
    "ui.adapt.none_dropped": ("No toy left the top 10.", "没有玩具跌出前 10。"),
    "ui.adapt.reveal_title": ("Reveal the hidden taste", "揭晓隐藏的喜好"),
    "ui.adapt.reveal": ("Reveal", "揭晓"),
    "ui.adapt.reveal_hint": ("The simulation gave this family a hidden taste for each category. "
                             "Switch on to compare it with what the adapted model now prefers.",
                             "模拟器为这个家庭设定了对每个类别的隐藏喜好。打开开关，与适应后的模型现在的偏好进行比较。"),
    "ui.adapt.reveal_parents": ("Only a simulated family has a known hidden taste.",
                                "只有模拟家庭才有已知的隐藏喜好。"),
    "ui.adapt.reveal_true": ("Hidden true taste", "隐藏的真实喜好"),
    "ui.adapt.reveal_before": ("Model before adapting", "适应前的模型"),
    "ui.adapt.reveal_after": ("{name}, after adapting", "{name}，适应后"),
    "ui.adapt.reveal_axis": ("preference (standardised over categories)", "偏好（按类别标准化）"),
    "ui.adapt.reveal_favs": ("**Favourite categories (★):** {favs}.", "**最爱类别（★）：** {favs}。"),
    "ui.adapt.reveal_top": ("**{name} now ranks highest:** {cats}.", "**{name} 现在最看好：** {cats}。"),
    "ui.adapt.reveal_hits": ("Favourites among the model's top 3 categories: {a} of {n} before "
                             "adapting, {b} of {n} after.",
                             "模型前 3 个类别中的最爱类别：适应前 {a}/{n}，适应后 {b}/{n}。"),
    "ui.adapt.reveal_caption": ("Bars compare, per category, the family's hidden taste with the "
                                "model's average score for the suitable toys of that category, "
                                "both standardised (0 = average category).",
                                "条形图按类别比较家庭的隐藏喜好与模型对该类别适龄玩具的平均打分，"
                                "两者均已标准化（0 = 平均水平）。"),
    "ui.adapt.shots_title": ("More liked toys, better picks? Every learner, many families",
                             "喜欢的玩具越多，推荐越准吗？所有学习器，许多家庭"),
    "ui.adapt.shots_progress": ("Scoring every learner on {n} test families in the background: "
                                "{done} of {total} (learner, shots) pairs done. You can keep using "
                                "the page.",
                                "正在后台用 {n} 个测试家庭为所有学习器打分：已完成 {done}/{total} 组"
                                "（学习器，样本数）。您可以继续使用本页。"),
    "ui.adapt.axis_shots": ("liked toys shown (shots)", "展示的喜欢玩具数（样本数）"),
    "ui.adapt.axis_ndcg": ("query nDCG@10", "查询集 nDCG@10"),
    "ui.adapt.shots_partial_caption": ("So far (still computing, {n} test families): mean query "
                                       "nDCG@10 per learner and number of shots. Best so far per "
                                       "number of shots: {best}.",
                                       "目前结果（仍在计算，{n} 个测试家庭）：各学习器在各样本数下的平均"
                                       "查询集 nDCG@10。各样本数下目前最佳：{best}。"),
    "ui.adapt.shots_best_one": ("{k}: {name} {v:.3f}", "{k}：{name} {v:.3f}"),
    "ui.adapt.shots_caption": ("Mean query nDCG@10 over {n} simulated test families (one fixed "
                               "episode per family and number of shots); error bars are 95% "
                               "intervals, dashed lines are not meta-learning. Computed once in "
                               "{s} s. Best per number of shots: {best}.",
                               "在 {n} 个模拟测试家庭上的平均查询集 nDCG@10（每个家庭、每个样本数固定一个任务）；"
                               "误差线为 95% 区间，虚线表示非元学习方法。计算一次用时 {s} 秒。"
                               "各样本数下的最佳：{best}。"),
    "ui.adapt.shots_table": ("Show as a table", "以表格显示"),
    "ui.adapt.n_shots": ("{k} shots", "{k} 个样本"),
    "ui.adapt.one_shot": ("1 shot", "1 个样本"),
    "ui.adapt.no_learners": ("This model has no gradient learner to watch yet.",
                             "当前模型还没有可以观察的梯度学习器。"),
    # ---- Toy map (pages/embeddings.py) ----
    "ui.emb.intro": ("Every dot is a toy, placed by the numbers the prototypical network learned "
                     "to describe it: toys the model sees as alike sit close together. The gold "
                     "star is the child's *prototype*, the average of the toys the child likes, and "
                     "the toys ringed in red are what the model recommends: the suitable toys "
                     "closest to that star in the model's full space (a flat map can only show "
                     "this roughly). With t-SNE the groups are easier to see, but the star and "
                     "the diamonds are only placed approximately, at the average position of "
                     "their toys.",
                     "每个点是一件玩具，位置由原型网络学到的描述它的数字决定：模型认为相似的玩具会靠得很近。"
                     "金色星星是孩子的“原型”，即孩子喜欢的玩具的平均位置；红圈圈出的是模型推荐的玩具："
                     "在模型的完整空间里离这颗星最近的适龄玩具（平面地图只能大致体现这一点）。"
                     "使用 t-SNE 时分组更容易看清，但星星和菱形的位置只是近似的，取的是其玩具的平均位置。"),
    "ui.emb.projection": ("Flatten with", "降维方法"),
    "ui.emb.pca": ("PCA (exact)", "PCA（精确）"),
    "ui.emb.tsne": ("t-SNE (clearer groups)", "t-SNE（分组更清晰）"),
    "ui.emb.colour": ("Colour by", "着色方式"),
    "ui.emb.by_category": ("Category", "类别"),
    "ui.emb.by_age": ("Age band", "年龄段"),
    "ui.emb.band_baby": ("Babies & toddlers (under 2)", "婴幼儿（2岁以下）"),
    "ui.emb.band_small": ("2 to 4 years", "2至4岁"),
    "ui.emb.band_school": ("5 to 7 years", "5至7岁"),
    "ui.emb.band_older": ("8 years and up", "8岁及以上"),
    "ui.emb.cat_protos": ("Category prototypes", "类别原型"),
    "ui.emb.cat_proto_hover": ("Prototype of {cat}: the average of its toys",
                               "{cat}的原型：该类玩具的平均位置"),
    "ui.emb.lines": ("Prototype → recommendation", "原型 → 推荐"),
    "ui.emb.recs": ("Top {n} recommendations", "前 {n} 个推荐"),
    "ui.emb.liked": ("Toys the child likes", "孩子喜欢的玩具"),
    "ui.emb.proto": ("The child's prototype", "孩子的原型"),
    "ui.emb.proto_hover": ("The child's prototype: the average of the liked toys",
                           "孩子的原型：喜欢的玩具的平均位置"),
    "ui.emb.computing": ("Drawing the map of every toy…", "正在绘制所有玩具的地图…"),
    "ui.emb.no_protonet": ("The toy map needs the prototypical network, which this model does not "
                           "have yet. It appears after the next training run.",
                           "玩具地图需要原型网络，而当前模型还没有。下一次训练完成后即可使用。"),
    "ui.emb.sim_family": ("Simulated test family #{id}", "模拟测试家庭 #{id}"),
    "ui.emb.parents_family": ("The family from “For parents”", "来自“家长专区”的家庭"),
    "ui.emb.family": ("{who}: a child aged {age} who likes {liked}.", "{who}：一个{age}的孩子，喜欢{liked}。"),
    "ui.emb.caption": ("Map of all {n} toys, flattened from the {d} numbers the model learned for "
                       "each. Gold circles: the liked toys; star: their prototype; red rings: the "
                       "top recommendations, joined to the star; diamonds: each category's "
                       "prototype. Hover a dot for the toy; scroll to zoom.",
                       "所有 {n} 件玩具的地图，由模型为每件玩具学到的 {d} 个数字降维而来。"
                       "金色圆点：喜欢的玩具；星星：它们的原型；红圈：前几个推荐，与星星相连；"
                       "菱形：各类别的原型。将鼠标悬停在点上可查看玩具，滚动可缩放。"),
    "ui.emb.pca_note": ("PCA keeps the two directions in which the toys differ most, and places "
                        "every prototype exactly.",
                        "PCA 保留玩具差异最大的两个方向，并能精确放置每个原型。"),
    "ui.emb.tsne_note": ("t-SNE keeps neighbours together but distorts distances, and it cannot "
                         "place new points: the star and the diamonds sit at the average position "
                         "of their toys, an approximation.",
                         "t-SNE 能让相邻的玩具聚在一起，但会扭曲距离，而且无法放置新的点："
                         "星星和菱形位于其玩具的平均位置，只是近似。"),
    "ui.emb.recs_title": ("What the prototypical network recommends", "原型网络的推荐"),
    "ui.emb.no_recs": ("Pick a family to see its prototype and recommendations.",
                       "选择一个家庭，即可看到它的原型和推荐。"),
    "ui.emb.col_category": ("Category", "类别"),
    "ui.emb.col_why": ("Why", "推荐理由"),
    "ui.emb.recs_failed": ("The map is shown, but the recommendations could not be made just now.",
                           "地图已显示，但暂时无法生成推荐。"),
    "ui.emb.recs_caption": ("Safe for the child's age; ranked by how much closer a toy is to the "
                            "liked toys' prototype than to the prototype of the toys it did not pick.",
                            "均适合孩子的年龄；按玩具离“喜欢的玩具”原型比离“未选玩具”原型近多少来排序。"),
    # ---- Leaderboard (pages/leaderboard.py) ----
    "ui.board.metric": ("Score", "指标"),
    "ui.board.metric_ndcg": ("nDCG@10", "nDCG@10"),
    "ui.board.metric_recall": ("Recall@10", "Recall@10"),
    "ui.board.metric_hr": ("Hit rate@10", "命中率@10"),
    "ui.board.metric_other": ("{metric}", "{metric}"),
    "ui.board.verdict_best": ("**At {k} liked toys, {name} recommends best** ({metric} {v:.3f} ± "
                              "{ci:.3f}).",
                              "**在给出 {k} 件喜欢的玩具时，{name} 推荐得最好**（{metric} {v:.3f} ± {ci:.3f}）。"),
    "ui.board.verdict_ref": ("That is {d:.3f} ({pct}%) above {name}.", "比{name}高 {d:.3f}（{pct}%）。"),
    "ui.board.verdict_close": ("The runner-up, {name}, is {d:.3f} behind: within the 95% intervals, "
                               "too close to call.",
                               "第二名{name}只落后 {d:.3f}：在 95% 区间之内，难分高下。"),
    "ui.board.verdict_clear": ("The runner-up, {name}, is {d:.3f} behind, outside the 95% "
                               "intervals.",
                               "第二名{name}落后 {d:.3f}，超出 95% 区间。"),
    "ui.board.protocol": ("**How it is measured.** Each of {n} simulated test families (never seen "
                          "in training) is one task: a learner is told *k* of the family's liked "
                          "toys (plus *k*/2 disliked ones and 10 toys it never mentioned), adapts, "
                          "and ranks every other toy that suits the child's age. Its top 10 are "
                          "scored against the family's other liked toys, and we report the mean over "
                          "families with a 95% interval.",
                          "**评测方法。** {n} 个模拟测试家庭（训练时从未见过）中的每一个都是一个任务："
                          "告诉学习器这个家庭喜欢的 *k* 件玩具（另加 *k*/2 件不喜欢的和 10 件未提及的玩具），"
                          "学习器据此调整，再为所有其他适合孩子年龄的玩具排序。用家庭其余喜欢的玩具为它的前 10 名打分，"
                          "报告各家庭的平均值及 95% 区间。"),
    "ui.board.col_method": ("Method", "方法"),
    "ui.board.col_mean_help": ("Mean over the test families when {k} liked toys are given, ± the "
                               "half-width of its 95% interval.",
                               "给出 {k} 件喜欢的玩具时，在测试家庭上的平均值 ± 95% 区间半宽。"),
    "ui.board.col_ms": ("ms / family", "毫秒 / 家庭"),
    "ui.board.col_ms_help": ("Time to adapt to one family and rank its toys (largest number of "
                             "shots, on the training machine).",
                             "适应一个家庭并为其玩具排序所需的时间（最大样本数，训练所用机器）。"),
    "ui.board.col_params": ("Parameters", "参数量"),
    "ui.board.col_seconds": ("Training (s)", "训练时间（秒）"),
    "ui.board.col_seconds_help": ("Wall-clock seconds of meta-training or pretraining.",
                                  "元训练或预训练的实际用时（秒）。"),
    "ui.board.table_caption": ("Table: {metric} per method and number of liked toys given, mean and "
                               "95% half-width; click a column to sort.",
                               "表格：各方法在不同已知喜欢玩具数下的 {metric}，平均值及 95% 区间半宽；点击列标题可排序。"),
    "ui.board.params_total": ("Each gradient learner's network has {n} parameters.",
                              "每个梯度学习器的网络有 {n} 个参数。"),
    "ui.board.model": ("Model {version}, trained on {device} ({machine}).",
                       "模型 {version}，在 {device}（{machine}）上训练。"),
    "ui.board.chart_caption": ("Chart: {metric} against the number of liked toys given (log scale), "
                               "one line per method; error bars are 95% intervals over {n} test "
                               "families; dashed lines are not meta-learning. The table above has "
                               "the same numbers.",
                               "图表：{metric} 随已知喜欢玩具数的变化（对数刻度），每条线代表一种方法；"
                               "误差线为 {n} 个测试家庭上的 95% 区间；虚线表示非元学习方法。上表列出了相同的数字。"),
    "ui.board.no_results": ("This model has no test results in its manifest yet.",
                            "当前模型的清单中还没有测试结果。"),
    "ui.board.real_title": ("Real data", "真实数据"),
    "ui.board.real_intro": ("The same learners on public data sets of real people's ratings and "
                            "purchases, each with its own published protocol (so the numbers are "
                            "not comparable with the simulated table above).",
                            "相同的学习器在真实用户评分和购买的公开数据集上的结果，各自使用已发表的评测协议"
                            "（因此数字不能与上面的模拟结果直接比较）。"),
    "ui.board.real_quick": ("quick run", "快速运行"),
    "ui.board.published": ("{name} (published)", "{name}（已发表）"),
    "ui.board.group.published_split": ("published split", "已发表的划分"),
    "ui.board.paired_title": ("Ours minus each baseline, paired ({metric})", "我们的方法减去各基线（配对，{metric}）"),
    "ui.board.paired.method": ("Method", "方法"), "ui.board.paired.baseline": ("Baseline", "基线"),
    "ui.board.paired.published": ("Δ published split", "差值：已发表划分"),
    "ui.board.paired.users": ("Better / worse", "更好 / 更差"),
    "ui.board.paired.splits": ("Δ {n} more splits", "差值：另外 {n} 个划分"),
    "ui.board.paired.above": ("Splits above", "高于基线的划分"),
    "ui.board.paired_caption": ("Δ = the learner's {metric} minus the baseline's, ± the half-width of its 95% "
                                "interval: on the published split over its test users (how many users the "
                                "learner ranks better / worse), and over the extra splits' means (on how many "
                                "splits it is above). Above the baseline means the interval lies above 0; an "
                                "interval across 0 is a tie within the noise.",
                                "差值 = 学习器的 {metric} 减去基线的值，± 95% 区间半宽：已发表划分上按测试用户计算"
                                "（学习器排得更好 / 更差的用户数），另外各划分上按划分平均计算（高于基线的划分数）。"
                                "区间完全高于 0 才算高于基线；跨过 0 的区间表示在噪声范围内持平。"),
    "ui.board.group.five_splits": ("5 more splits (mean)", "另外 5 个划分（平均）"),
    "ui.board.real_chart_caption": ("Chart: {metric} for each method; hatched grey bars are numbers "
                                    "published in the papers (not measured here), error bars are "
                                    "95% intervals. The table above has the same numbers.",
                                    "图：各方法的 {metric}；灰色斜纹柱为论文中发表的数字（非本项目测得），"
                                    "误差线为 95% 区间。上表列出了相同的数字。"),
    "ui.board.real_file": ("from {file}", "来自 {file}"),
    "ui.board.real.amazon-toys.s3rec": ("Amazon Toys · the next item among 100 (target + 99 sampled items)",
                                        "Amazon Toys · 在 100 件物品中找出下一件（目标 + 99 件随机抽样物品）"),
    "ui.board.real.amazon-toys.s3rec-full": ("Amazon Toys · the next item among all items",
                                             "Amazon Toys · 在全部物品中找出下一件"),
    "ui.board.real.amazon-toys.cold-start": ("Amazon Toys · new users, told their first k items",
                                             "Amazon Toys · 新用户，只告知其前 k 件物品"),
    "ui.board.real.movielens-100k.published": ("MovieLens-100K · new users' ratings, published cold-start protocol",
                                               "MovieLens-100K · 新用户的评分，已发表的冷启动协议"),
    "ui.board.real.other": ("{world} · {protocol}", "{world} · {protocol}"),
    "ui.board.real.col_shots": ("k (items told)", "k（告知的物品数）"),
    "ui.board.real.col_splits": ("{metric}, 5 splits", "{metric}·5个划分"),
    "ui.board.real.col_help": ("Mean ± the half-width of its 95% interval; published rows: the paper's number.",
                               "平均值 ± 95% 区间半宽；已发表的行：论文中的数字。"),
    "ui.board.real.ml_columns": ("Columns without “5 splits” are the published split ({split}, {n} test users; "
                                 "interval over its users); “5 splits” columns are the mean over 5 more splits "
                                 "drawn the same way (seeds {seeds}; interval over the split means).",
                                 "不带“5个划分”的列为已发表的划分（{split}，{n} 名测试用户；按用户计算区间）；"
                                 "“5个划分”列为以同样方式另抽的 5 个划分的平均值（种子 {seeds}；按划分平均计算区间）。"),
    "ui.board.rv.best": ("**Best of ours: {name}**, {metric} {v}.", "**我们的方法中最好的是{name}**，{metric} {v}。"),
    "ui.board.rv.above": ("Above the published {names}.", "高于已发表的 {names}。"),
    "ui.board.rv.above_all": ("Above every published number in this table.", "高于本表中所有已发表的数字。"),
    "ui.board.rv.below": ("Below {items}.", "低于 {items}。"),
    "ui.board.rv.shots_one": ("**{name} is best at every k** ({metric}: {items}).",
                              "**在每个 k 下，{name} 都是最好的**（{metric}：{items}）。"),
    "ui.board.rv.shots_each": ("**Best {metric} for each k:** {items}.", "**各 k 下 {metric} 最好的方法**：{items}。"),
    "ui.board.rv.paired_head": ("**{name}** against the simple baselines ({metric}, paired on the same users):",
                                "**{name}与简单基线相比**（{metric}，在相同用户上配对）："),
    "ui.board.rv.on_published": ("on the published split ({n} test users),", "在已发表的划分上（{n} 名测试用户），"),
    "ui.board.rv.on_published_plain": ("on the published split,", "在已发表的划分上，"),
    "ui.board.rv.on_splits": ("over {n} more splits,", "在另外 {n} 个划分上，"),
    "ui.board.rv.status.above": ("above {items}", "高于{items}"),
    "ui.board.rv.status.tie": ("level within the noise with {items}", "与{items}在噪声范围内持平"),
    "ui.board.rv.status.below": ("below {items}", "低于{items}"),
    "ui.board.rv.clause_sep": ("; ", "；"),
    "ui.board.rv.end": (".", "。"),
    # ---- How meta-learning works (pages/how_it_works.py) ----
    "ui.how.intro": ("A recommender usually needs a long history of each customer. Meta-learning "
                     "trains on thousands of small *tasks* instead, here one family each, so that "
                     "it learns how to learn a new family from just a few toys. This page takes "
                     "that apart: one task, the two training loops, a small training run you can "
                     "watch, and what each kind of learner recommends.",
                     "推荐系统通常需要每位顾客的长期历史记录。元学习则在成千上万个小“任务”上训练"
                     "（这里每个任务就是一个家庭），从而学会如何仅凭几件玩具去了解一个新家庭。"
                     "本页把它拆开来看：一个任务、两个训练循环、一次可以实时观看的小规模训练，以及各类学习器的推荐结果。"),
    "ui.how.a_title": ("1 · Anatomy of an episode", "1 · 一个任务的构成"),
    "ui.how.a_intro": ("One family is one *episode*. The learner is shown a few of its toys (the "
                       "*support set*), adapts to them, and is then scored on toys it was not "
                       "shown (the *query*), just as a new family would use the app.",
                       "一个家庭就是一个“任务”。学习器先看到这个家庭的几件玩具（“支持集”），据此调整，"
                       "再用它没见过的玩具（“查询集”）来打分，就像一个新家庭使用本应用时一样。"),
    "ui.how.a_family": ("**Simulated test family #{id}**, a child aged {age}.",
                        "**模拟测试家庭 #{id}**，孩子{age}。"),
    "ui.how.a_support": ("What the learner sees", "学习器看到的"),
    "ui.how.a_liked": ("👍 **{n} toys the family likes** (the shots)", "👍 **家庭喜欢的 {n} 件玩具**（样本）"),
    "ui.how.a_disliked": ("👎 **{n} toy(s) it did not enjoy**", "👎 **{n} 件不喜欢的玩具**"),
    "ui.how.a_implicit": ("➖ **{n} suitable toys it never mentioned**, counted as “not liked”",
                          "➖ **{n} 件从未提及的适龄玩具**，算作“不喜欢”"),
    "ui.how.a_query": ("What it is scored on", "用来打分的"),
    "ui.how.a_ranks": ("The learner ranks all **{m} toys** that suit the child's age and were not "
                       "in the support set. Hidden among them: **{r} toys the family likes**:",
                       "学习器要为所有 **{m} 件**适合孩子年龄、且不在支持集中的玩具排序。"
                       "其中隐藏着 **{r} 件家庭喜欢的玩具**："),
    "ui.how.a_more": ("… and {n} more", "……还有 {n} 件"),
    "ui.how.a_score": ("**Score:** how many of these hidden favourites reach its top 10, and how "
                       "high (nDCG@10 and Recall@10, from 0 to 1).",
                       "**得分**：这些隐藏的喜爱玩具有多少进入了它的前 10 名，排得有多高"
                       "（nDCG@10 和 Recall@10，范围 0 到 1）。"),
    "ui.how.a_training": ("During training the query is smaller: {pos} liked and {neg} other toys, "
                          "and the learner's loss on them drives the outer loop below.",
                          "训练时查询集更小：{pos} 件喜欢的和 {neg} 件其他玩具，学习器在它们上的损失驱动下面的外循环。"),
    "ui.how.b_title": ("2 · The two loops", "2 · 两个循环"),
    "ui.how.b_intro": ("MAML learns a starting point θ that is good *after* a few steps. The inner "
                       "loop adapts θ to one family; the outer loop checks how well that worked on "
                       "the family's query toys and nudges θ so the next inner loop works better.",
                       "MAML 学习一个起点 θ，让它在走几步“之后”表现良好。内循环把 θ 调整到某一个家庭；"
                       "外循环检查调整后的模型在该家庭查询玩具上的效果，并微调 θ，让下一次内循环效果更好。"),
    "ui.how.b_outer": ("OUTER LOOP: across families, {batch} per update", "外循环：跨家庭，每次更新 {batch} 个"),
    "ui.how.b_theta": ("<span style='font-size:28px'><b>θ</b></span><br>shared<br>starting point",
                       "<span style='font-size:28px'><b>θ</b></span><br>共享的<br>起点"),
    "ui.how.b_inner": ("INNER LOOP: one family", "内循环：一个家庭"),
    "ui.how.b_family_one": ("Family 1: {steps} SGD steps on its support toys,<br>step size {lr}:  "
                            "θ → θ′₁",
                            "家庭 1：在支持集玩具上走 {steps} 步 SGD，<br>步长 {lr}：θ → θ′₁"),
    "ui.how.b_family_two": ("Family 2: the same inner loop:  θ → θ′₂", "家庭 2：同样的内循环：θ → θ′₂"),
    "ui.how.b_family_n": ("… up to family {batch}:  θ → θ′ₙ", "……直到家庭 {batch}：θ → θ′ₙ"),
    "ui.how.b_query": ("loss on its<br>query toys", "在查询玩具<br>上的损失"),
    "ui.how.b_update": ("Outer update:  θ ← θ − {outer_lr} · ∇θ (mean loss of the {batch} families)  "
                        "[Adam]",
                        "外循环更新：θ ← θ − {outer_lr} · ∇θ（{batch} 个家庭的平均损失）[Adam]"),
    "ui.how.b_caption": ("Diagram: from the shared starting point θ, each family's inner loop "
                         "takes {steps} gradient steps of size {lr} on its support toys; the "
                         "adapted models are scored on their query toys, and the outer loop moves "
                         "θ against the gradient of the mean query loss of {batch} families "
                         "(Adam, learning rate {outer_lr}). The shipped model repeated this up to "
                         "{iters} times over {families} training families.",
                         "示意图：从共享起点 θ 出发，每个家庭的内循环在其支持集玩具上走 {steps} 个步长为 {lr} "
                         "的梯度步；调整后的模型在各自的查询玩具上打分，外循环沿 {batch} 个家庭平均查询损失的"
                         "负梯度方向移动 θ（Adam，学习率 {outer_lr}）。发布的模型在 {families} "
                         "个训练家庭上最多重复了 {iters} 次。"),
    "ui.how.c_title": ("3 · Watch meta-training happen", "3 · 实时观看元训练"),
    "ui.how.c_intro": ("Press start to meta-train a fresh copy of the network from random weights "
                       "on 400 simulated families, right here. The left curve is the meta-loss "
                       "(the query loss after the inner loop); the right one is how well it "
                       "recommends for 40 validation families it never trains on. The shipped "
                       "model is not changed.",
                       "点击开始，就在这里从随机权重出发，用 400 个模拟家庭对网络的一个新副本进行元训练。"
                       "左边的曲线是元损失（内循环之后的查询损失）；右边是它为 40 个从未用于训练的验证家庭"
                       "推荐的效果。发布的模型不会被改动。"),
    "ui.how.c_iters": ("Outer steps", "外循环步数"),
    "ui.how.c_iters_help": ("More steps learn more but take longer (about a tenth of a second "
                            "each on a CPU).",
                            "步数越多学得越多，但耗时更长（在 CPU 上每步约十分之一秒）。"),
    "ui.how.c_start": ("Start meta-training from random weights", "从随机权重开始元训练"),
    "ui.how.c_preparing": ("Preparing 400 simulated families…", "正在准备 400 个模拟家庭…"),
    "ui.how.c_progress": ("Outer step {it} of {iters} ({s} s)", "外循环第 {it} / {iters} 步（{s} 秒）"),
    "ui.how.c_finished": ("Finished in {s} s", "完成，用时 {s} 秒"),
    "ui.how.c_loss": ("Meta-loss (training families)", "元损失（训练家庭）"),
    "ui.how.c_val": ("Validation nDCG@10 (new families)", "验证集 nDCG@10（新家庭）"),
    "ui.how.c_axis": ("outer step", "外循环步"),
    "ui.how.c_shipped_line": ("shipped model", "发布的模型"),
    "ui.how.c_not_yet": ("Not run yet in this session.", "本次会话中尚未运行。"),
    "ui.how.c_done": ("{iters} outer steps in {s} s: validation nDCG@10 went from {a:.3f} (random "
                      "weights) to {b:.3f}.",
                      "{s} 秒完成 {iters} 步外循环：验证集 nDCG@10 从 {a:.3f}（随机权重）变为 {b:.3f}。"),
    "ui.how.c_best": ("Its best along the way was {best:.3f}.", "过程中的最佳值为 {best:.3f}。"),
    "ui.how.c_shipped": ("The shipped model, meta-trained for up to {iters} outer steps on "
                         "{families} families, reaches {v:.3f} (dashed line).",
                         "发布的模型在 {families} 个家庭上元训练了最多 {iters} 步外循环，达到 {v:.3f}（虚线）。"),
    "ui.how.c_untouched": ("These weights were thrown away; the shipped model was not changed.",
                           "这些权重已被丢弃，发布的模型没有改变。"),
    "ui.how.d_title": ("4 · Same three toys, every learner", "4 · 同样三件玩具，所有学习器"),
    "ui.how.d_intro": ("Every learner gets the same three liked toys from the family above "
                       "({liked}) and recommends five toys. ✓ marks a toy the family secretly "
                       "likes.",
                       "每个学习器都拿到上面那个家庭同样的三件喜欢的玩具（{liked}），并各推荐五件玩具。"
                       "✓ 表示家庭暗中喜欢的玩具。"),
    "ui.how.d_failed": ("This learner could not recommend just now.", "这个学习器暂时无法给出推荐。"),
    "ui.how.d_hits": ("**{k} of {n}** secretly liked", "**{k}/{n}** 件是暗中喜欢的"),
    "ui.how.d_caption": ("Gradient learners (MAML and relatives, fine-tuning) adapt with a few "
                         "gradient steps; metric learners (prototypical, matching, relation "
                         "networks) compare toys in a learned space without any step; k-NN and "
                         "popularity are simple baselines. One family is an anecdote: the "
                         "leaderboard has the averages.",
                         "梯度学习器（MAML 及其变体、微调）通过几个梯度步来适应；度量学习器（原型、匹配、关系网络）"
                         "在学到的空间里比较玩具，无需任何梯度步；k-NN 和热门推荐是简单的基线。"
                         "一个家庭只是个例：平均结果请看排行榜。"),
}


def t(key: str, lang: str = "en", **values) -> str:
    en, zh = STRINGS[key]
    return (zh if lang == "zh" else en).format(**values)


def category_name(slug: str, lang: str = "en") -> str:
    en, zh = CATEGORY_NAMES[slug]
    return zh if lang == "zh" else en


def method_title(name: str, lang: str = "en", real_data: bool = False) -> str:
    """A learner's human title (``real_data``: as named in the real-data tables, where popularity
    is not by age); unknown names are returned as they are."""
    titles = {**METHOD_TITLES, **REAL_METHOD_TITLES} if real_data else METHOD_TITLES
    en, zh = titles.get(name, (name, name))
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
