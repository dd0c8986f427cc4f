"""The answer grader: matching per script, formulas, negation, groups, the glossary, the buzzword
rule, pitfalls and the suggested grade; with hypothesis properties over arbitrary answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdl.core.glossary import Glossary
from flashdl.core.grading import (
    as_json,
    compile_card,
    coverage,
    covered_share,
    covers,
    grade_answer,
    grade_for_share,
)
from flashdl.core.matching import fold, normalize, read_answer, stem
from flashdl.core.model import Card, KeyPoint, Pitfall, Term, Text


def point(*terms: str | Term, weight: int = 1) -> KeyPoint:
    return KeyPoint(Text("要点", "point"), tuple(terms), weight=weight)


def group(*parts: str) -> Term:
    return Term(parts)


def card(*points: KeyPoint, pitfalls: tuple[Pitfall, ...] = ()) -> Card:
    return Card(
        id="demo",
        deck="demo",
        question=Text("问题？", "Question?"),
        answer=Text("答案", "Answer"),
        key_points=points,
        pitfalls=pitfalls,
    )


def hit(term: str | Term, typed: str, glossary: Glossary | None = None) -> bool:
    return covers(typed, point(term), *(() if glossary is None else (glossary,)))


# -- normalisation and stemming -------------------------------------------------------------


def test_normalize_folds_width_and_case_and_keeps_a_map_to_the_typed_text():
    assert normalize("Ｂａｔｃｈ Norm，好！") == "batch norm,好!"
    norm, where = fold("ＲｅＬＵ和ｘ²")
    assert norm == "relu和x2" and len(where) == len(norm)
    assert list(where) == list(range(7))
    norm, where = fold("ﬁne ß")  # a ligature and ß fold to two letters each
    assert norm == "fine ss" and list(where) == [0, 0, 1, 2, 3, 4, 4]


@pytest.mark.parametrize(
    "words",
    [
        ("stride", "strides", "striding", "strided"),
        ("normalize", "normalise", "normalized", "normalizing", "normalization", "normalisation"),
        ("gradient", "gradients"),
        ("saturate", "saturates", "saturated", "saturating"),
        ("multiply", "multiplies", "multiplied", "multiplying"),
        ("embedding", "embeddings", "embedded", "embed"),
        ("entropy", "entropies"),
        ("zero", "zeros", "zeroes", "zeroed"),
        ("ratio", "ratios"),
    ],
)
def test_inflections_of_one_word_meet(words):
    assert len({stem(w) for w in words}) == 1, [stem(w) for w in words]


def test_stems_are_whole_words_not_prefixes():
    assert not hit("multipl", "the strides multiply the growth")
    assert hit("multiply", "the strides multiplied the growth")
    assert not hit("relu", "prelu is a variant")
    assert hit("ReLU", "Leaky-ReLU is a variant")


# -- matching per script ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "typed", "expected"),
    [
        ("vanishing gradient", "the Vanishing-Gradients problem", True),
        ("vanishing gradient", "VANISHING GRADIENT", True),
        ("vanishing gradient", "vanishing, gradient", False),  # not across a clause
        ("product of strides", "the product of the strides", True),  # an inserted article
        ("梯度消失", "深层网络会出现梯度消失的问题", True),
        ("相似用户", "先找到相似的用户再推荐", True),  # an inserted particle
        ("相似用户", "相似，用户", False),
        ("相似用户", "相似度高的用户", False),  # more than one character between
        ("类比", "常用于分类（比如图像）", False),  # not across brackets or other punctuation
        ("类比", "分类“比如”", False),
        ("类比", "做类 比", True),  # a stray space is fine
        ("相似用户", "相似的（用户", False),
        ("ｒｅｌｕ", "用 ReLU 激活", True),
        ("3x3", "两个3×3卷积", True),
        ("3x3", "two 3 x 3 convs", True),
        ("k-means", "we run k-means first", True),
        ("1x1卷积", "1×1卷积可以降维", True),
        ("skip connection", "skip-connections help", True),
    ],
)
def test_words_and_characters(term, typed, expected):
    assert hit(term, typed) is expected


@pytest.mark.parametrize(
    ("term", "typed", "expected"),
    [
        ("QK^T", "softmax(QK^T / sqrt(d)) V", True),
        ("QK^T", "先算 Q K^T 再缩放", True),
        ("O(n^2 d)", "复杂度是O(n²d)", True),
        ("O(n^2 d)", "it is O(n^2 \\cdot d) in time", True),
        ("O(n^2 d)", "O(n d^2) for the projections", False),
        ("1/sqrt(d_k)", "乘以 1/√d_k 防止点积过大", True),
        ("1/sqrt(d_k)", "scaled by $\\frac{1}{\\sqrt{d_k}}$", True),
        ("n^2", "O(n²d) in total", True),  # an implied product
        ("k-1", "the effective kernel is d(k-1)+1", True),
        ("k-1", "add k1 pixels", False),  # symbols are never simply deleted
        ("k-1", "with dk-1 channels", False),  # nor matched inside a longer name
        ("F(x)+x", "输出是 y = F(x) + x。", True),
        ("2PR/(P+R)", "F1 = 2 * P * R / (P + R)", True),
    ],
)
def test_formulas_match_by_their_normalised_form(term, typed, expected):
    assert hit(term, typed) is expected


# -- sentences, groups, negation --------------------------------------------------------------


def test_a_group_needs_all_its_parts_in_one_sentence():
    term = group("步长", "放大")
    assert hit(term, "前面各层的步长会把后面每层的增量放大")
    assert not hit(term, "步长很重要。感受野会放大")
    assert hit(group("stride", "multiply"), "Earlier strides multiply the growth of later layers.")
    # A soft-wrapped line is one sentence; a list item or a new paragraph is not.
    assert hit(group("stride", "multiply"), "Earlier strides\nmultiply the growth")
    assert not hit(group("stride", "multiply"), "- strides\n- multiply")


@pytest.mark.parametrize(
    ("term", "typed", "expected"),
    [
        ("梯度消失", "ReLU在正区间不会导致梯度消失", False),
        ("梯度消失", "没有梯度消失的问题", False),
        ("梯度消失", "并非梯度消失造成的", False),
        ("梯度消失", "sigmoid 容易梯度消失，但 ReLU 不会", True),  # the negation comes after
        ("梯度消失", "不是过拟合，而是梯度消失", True),  # 而是 ends the negation's reach
        ("梯度消失", "不同的层都会梯度消失", True),  # 不同 negates nothing
        ("不饱和", "ReLU在正区间不饱和", True),  # the negation is part of the term
        ("saturate", "ReLU doesn't saturate for positive inputs", False),
        ("saturate", "ReLU doesnt saturate", False),
        ("saturate", "it does not saturate", False),
        ("saturate", "it never saturates", False),
        ("saturate", "it cannot saturate", False),
        ("saturate", "works without saturating", False),
        ("saturate", "not only cheap, it saturates less", True),
        ("saturate", "it is not cheap but it saturates", True),
        ("saturate", "no. It saturates", True),  # another sentence
        ("stride", "stride不影响感受野", True),  # the negation is after the term
        (group("stride", "影响"), "stride不影响感受野", False),
        # The rejected alternative of a contrast is not stated.
        ("frequency", "WordPiece merges by likelihood rather than frequency", False),
        ("likelihood", "WordPiece merges by likelihood rather than frequency", True),
        ("frequency", "it uses likelihood instead of frequency", False),
        ("frequency", "Unlike BPE's frequency count, it uses likelihood", False),
        ("likelihood", "Unlike BPE, WordPiece uses likelihood", True),  # past the clause
        ("拼接", "多头输出是相加而非拼接", False),
        ("拼接", "不同于拼接，这里是相加", False),
        ("相加", "不同于拼接，这里是相加", True),
        ("frequency", "the frequency of tokens, rather high", True),
        ("6 instead of 9", "2k instead of k^2 multiplications per position (6 instead of 9)", True),
    ],
)
def test_negation_in_the_clause_before_a_match_flips_it(term, typed, expected):
    assert hit(term, typed) is expected


def test_a_negation_far_before_the_match_does_not_reach_it():
    assert hit("vanishing gradient", "not for the reasons people often give in the many blog posts"
               " about deep networks and their vanishing gradients")  # fmt: skip


# -- the glossary -----------------------------------------------------------------------------


GLOSSARY = Glossary.of(
    [["梯度消失", "vanishing gradient"], ["维特比", "Viterbi"], ["BN", "批归一化"]]
)


def test_the_glossary_makes_a_term_match_its_equivalents_in_both_directions():
    assert hit("梯度消失", "the vanishing gradients problem", GLOSSARY)
    assert hit("Viterbi", "用维特比算法解码", GLOSSARY)
    assert hit(group("维特比", "动态规划"), "Viterbi 是一种动态规划", GLOSSARY)
    assert hit("批归一化", "加 BN 层", GLOSSARY)
    assert not hit("梯度消失", "the vanishing gradients problem")  # no glossary, no match


def test_an_entry_inside_a_longer_term_is_replaced_too_for_mixed_typing():
    glossary = Glossary.of([["感受野", "receptive field"], ["步长", "stride"]])
    assert hit(group("stride", "不影响感受野"), "stride不影响receptive field", glossary)
    assert hit("步长不影响感受野", "stride 不影响感受野", glossary)
    # Only Chinese terms get English inside, not the other way round (a gloss is no claim).
    assert not hit("does not change the receptive field", "does not change the 感受野", glossary)
    assert not hit("is accuracy", "accuracy is 准确率", Glossary.of([["准确率", "accuracy"]]))
    assert not hit("不影响感受野", "stride不影响receptive field")
    spellings = glossary.spellings("步长不影响感受野")
    assert ("strid", "不", "影", "响", "receptiv", "field") in [s.tokens for s in spellings]
    assert len(spellings) <= 16
    assert GLOSSARY.equivalents("Vanishing Gradients") == ("Vanishing Gradients", "梯度消失",
                                                           "vanishing gradient")  # fmt: skip


# -- stated or listed, and the grade ----------------------------------------------------------

CONV = card(
    point("局部连接", "local connectivity", weight=3),
    point("权重共享", "weight sharing", weight=2),
    point("参数少", "fewer parameters"),
    point("平移等变", "translation equivariance"),
)


def test_points_stated_in_sentences_pass():
    result = grade_answer(
        CONV,
        "卷积只做局部连接，每个输出只看一小块邻域；同一个卷积核在整张图上滑动，也就是权重共享，"
        "所以参数少得多。输入平移时输出也跟着平移，这就是平移等变。",
    )
    assert result.covered == (True, True, True, True)
    assert all(p.stated for p in result.points)
    assert result.suggested == 5 and result.coverage == 1.0


def test_a_buzzword_list_does_not_pass():
    for typed in (
        "- local connectivity\n- weight sharing\n- fewer parameters\n- translation equivariance",
        "关键词：局部连接、权重共享、参数少、平移等变",
        "local connectivity, weight sharing, fewer parameters, translation equivariance",
    ):
        result = grade_answer(CONV, typed)
        assert result.covered == (True, True, True, True), typed
        assert not any(p.stated for p in result.points), typed
        assert result.suggested <= 2, typed


@pytest.mark.parametrize(
    "typed",
    [
        "local connectivity\nweight sharing\nfewer parameters\ntranslation equivariance",
        "local connectivity weight sharing fewer parameters translation equivariance",
        "It is local connectivity and weight sharing and fewer parameters and translation"
        " equivariance.",
        "Buzzwords: local connectivity weight sharing, fewer parameters or translation"
        " equivariance",
        "局部连接 权重共享 参数少 平移等变",
        "局部连接\n权重共享\n参数少\n平移等变",
        "就是局部连接和权重共享以及参数少、平移等变。",
        "局部连接 weight sharing 参数少 translation equivariance local connectivity",
    ],
)
def test_terms_joined_by_spaces_line_breaks_or_and_are_a_list(typed):
    """A clause of the terms alone lists them, whatever joins them (``Bare``): only commas and
    bullets made a list before, so the same terms one per line got a 5."""
    result = grade_answer(CONV, typed)
    assert all(result.covered), typed
    assert not any(p.stated for p in result.points), typed
    assert result.suggested <= 2, typed


def test_a_verb_between_the_terms_states_them():
    """Terse sentences whose words are mostly the terms still state them: a verb or a preposition
    between two points' terms is a relation, and one point per clause is never a list."""
    for typed in (
        "局部连接加上权重共享使得参数少，而且带来平移等变。",
        "Local connectivity with weight sharing gives fewer parameters and translation"
        " equivariance.",
        "局部连接，所以参数少；权重共享带来平移等变。",
    ):
        result = grade_answer(CONV, typed)
        assert all(p.stated for p in result.points), typed
        assert result.suggested == 5, typed


def test_terse_answers_of_group_terms_are_statements():
    """A red-team review of ``Bare`` found terse correct answers capped at 2: each clause held
    one point's group ({方向一致, 加速}) and nothing else, and three such clauses made a run. A
    group's parts written as one phrase state how they relate; runs end at sentence ends."""
    momentum = card(
        point("指数加权平均", "moving average", weight=3),
        point(group("方向一致", "加速"), group("same direction", "add up"), weight=2),
        point(group("震荡", "抵消"), group("oscillation", "cancel"), weight=2),
        point("学习率", "learning rate"),
    )
    for typed in (
        "梯度的指数加权平均，方向一致加速，来回震荡相互抵消",
        "梯度的指数加权平均；方向一致叠加加速，震荡抵消。",
        "Moving average of past gradients; same direction add up, oscillations cancel.",
    ):
        result = grade_answer(momentum, typed)
        assert [p.stated for p in result.points][:3] == [True, True, True], typed
        assert result.suggested >= 4, typed
    for typed in (  # the same parts as a list: a space beside Chinese, a comma, 和
        "指数加权平均 方向一致 加速 震荡 抵消",
        "moving average, same direction, add up, oscillation, cancel",
        "指数加权平均和方向一致和加速和震荡和抵消",
    ):
        assert grade_answer(momentum, typed).suggested <= 2, typed


@settings(max_examples=60, deadline=None)
@given(
    st.permutations(["局部连接", "weight sharing", "参数少", "translation equivariance"]),
    st.lists(
        st.sampled_from(
            [
                " ",
                "\n",
                " and ",
                "和",
                " or ",
                "  ",
                "与",
                " / ",
                " 2. ",
                "，第三，",
                ", ",
                "、",
            ]  # (within a sentence: a term alone in its sentence is its own statement)
        ),
        min_size=3,
        max_size=3,
    ),
    st.sampled_from(["", "It is ", "就是", "Answer: "]),
)
def test_no_way_of_joining_bare_terms_passes(terms, joins, lead):
    typed = lead + terms[0] + "".join(j + t for j, t in zip(joins, terms[1:], strict=True))
    assert grade_answer(CONV, typed).suggested <= 2, typed


def test_the_core_idea_counts_most_and_stated_alone_is_a_pass():
    others = grade_answer(CONV, "Weight sharing means one kernel slides over the whole image, so"
                          " there are far fewer parameters than in a dense layer.")  # fmt: skip
    assert others.covered == (False, True, True, False)
    assert others.stated_share == pytest.approx(3 / 7) and others.suggested == 3
    core_only = grade_answer(CONV, "每个输出只连接输入的一个小邻域，这就是局部连接。")
    assert core_only.stated_share == pytest.approx(3 / 7)
    assert core_only.suggested == 3  # the core idea alone, stated: a pass
    minor = grade_answer(CONV, "输入平移时输出也跟着平移，这就是平移等变。")
    assert minor.suggested == 2  # one minor point of seven weight units: a fail


def test_a_matched_pitfall_caps_the_grade_and_is_reported():
    wrong = Pitfall(
        Text("卷积并不天然具有旋转不变性", "Convolution is not rotation invariant"),
        (Term(("旋转不变",)), Term(("rotation", "invariant"))),
    )
    pitfall_card = card(*CONV.key_points, pitfalls=(wrong,))
    typed = (
        "卷积只做局部连接，每个输出只看一小块邻域；同一个卷积核在整张图上滑动，也就是权重共享，"
        "所以参数少得多，而且卷积天生具有旋转不变性。"
    )
    result = grade_answer(pitfall_card, typed)
    assert [p.index for p in result.pitfalls] == [0]
    assert "旋转不变性" in result.pitfalls[0].evidence
    assert result.suggested == 2
    corrected = grade_answer(
        pitfall_card, typed.replace("天生具有旋转不变性", "并不具有旋转不变性")
    )
    assert corrected.pitfalls == () and corrected.suggested >= 4
    shown = as_json(pitfall_card, result, "en")
    assert shown["pitfalls"] == [
        {"index": 0, "evidence": result.pitfalls[0].evidence,
         "correction": "Convolution is not rotation invariant"}
    ]  # fmt: skip
    assert shown["suggested_grade"] == 2 and shown["card_id"] == "demo"
    assert [p["covered"] for p in shown["points"]] == [True, True, True, False]


def test_grade_for_share_and_the_old_helpers():
    assert [grade_for_share(s) for s in (0, 0.05, 0.2, 0.4, 0.6, 0.9)] == [0, 1, 2, 3, 4, 5]
    result = coverage("卷积只做局部连接，每个输出只看一小块邻域", CONV.key_points)
    assert result.count == 1 and result.missed == (1, 2, 3)
    assert result.share == pytest.approx(3 / 7)


def test_covered_share_agrees_with_grade_answer():
    typed = "卷积只做局部连接；权重共享让参数少。"
    assert covered_share(CONV, read_answer(typed)) == grade_answer(CONV, typed).coverage
    assert covered_share(CONV, read_answer(typed), floor=0.99) in (0.0, 1.0)


def test_compiled_cards_are_remembered_per_card_object():
    assert compile_card(CONV) is compile_card(CONV)


def test_evidence_is_the_clause_that_matched():
    result = grade_answer(CONV, "首先，卷积是局部连接的，其次参数也少")
    assert result.points[0].evidence == "卷积是局部连接的"


# -- properties -------------------------------------------------------------------------------

PIECES = ["local", " connectivity", " weight", " sharing", " not", " fewer", " parameters", ", ",
          ". ", "- ", "x^2", "(", ")", "Ｂ", "ß"]  # fmt: skip
ALPHABET = st.sampled_from([*"局部连接权重共享参数少平移等变不没有的，。、；：- \n", *PIECES])
ANSWERS = st.lists(ALPHABET, max_size=40).map("".join) | st.text(max_size=200)


@settings(max_examples=300, deadline=None)
@given(ANSWERS)
def test_any_answer_gets_a_grade_from_0_to_5_and_consistent_figures(typed):
    result = grade_answer(CONV, typed)
    assert 0 <= result.suggested <= 5
    assert 0.0 <= result.stated_share <= result.coverage <= 1.0
    assert all(p.covered or not p.stated for p in result.points)
    assert (result.coverage == 0) == (result.count == 0)
    if not typed.strip():
        assert result.suggested == 0
    flat = " ".join(typed.split())
    for found in result.points:
        if found.evidence is not None:
            assert found.evidence.strip("…") in flat


@settings(max_examples=200, deadline=None)
@given(ANSWERS, ANSWERS)
def test_a_further_paragraph_never_uncovers_a_point(first, second):
    before = grade_answer(CONV, first).covered
    after = grade_answer(CONV, first + "\n\n" + second).covered
    assert all(a or not b for b, a in zip(before, after, strict=True))


@settings(max_examples=200, deadline=None)
@given(ANSWERS)
def test_a_pitfall_never_raises_the_grade(typed):
    wrong = Pitfall(Text("x", "x"), (Term(("参数",)),))
    plain = grade_answer(CONV, typed).suggested
    with_pitfall = grade_answer(card(*CONV.key_points, pitfalls=(wrong,)), typed)
    assert with_pitfall.suggested <= plain
    if with_pitfall.pitfalls:
        assert with_pitfall.suggested <= 2


# -- rules of the second round: paraphrases, one claim per pitfall, the question's words ------


COLLAPSE = Card(
    id="gan-mode-collapse",
    deck="gan",
    question=Text("GAN 中模式坍塌指什么？", "What is mode collapse?"),
    answer=Text("答案", "Answer"),
    key_points=(
        KeyPoint(
            Text(
                "G 只覆盖少数 mode，样本缺乏多样性",
                "G covers only a few modes; samples lack diversity",
            ),
            (Term(("缺乏多样性",)), Term(("lack diversity",))),
            weight=3,
        ),
        KeyPoint(
            Text(
                "不同的 z 映射到相同或相似的输出", "Different z map to the same or similar outputs"
            ),
            (Term(("同一个样本",)), Term(("same sample",))),
            weight=2,
        ),
    ),
)


def test_a_point_said_in_other_words_is_covered_by_its_own_wording():
    result = grade_answer(COLLAPSE, "生成器把很多不同的 z 映射到同几个样本上，多样性丧失。")
    assert result.points[1].covered and result.points[1].stated
    assert "映射" in result.points[1].evidence
    english = grade_answer(COLLAPSE, "Many different z values map to the same few outputs.")
    assert english.points[1].covered and not english.points[0].covered


def test_a_paraphrase_needs_most_of_the_wording_unnegated_and_not_in_a_list():
    assert not grade_answer(COLLAPSE, "输出不一样。").points[1].covered  # too little of it
    negated = grade_answer(COLLAPSE, "Different z never map to the same or similar outputs.")
    assert not negated.points[1].covered
    listed = grade_answer(COLLAPSE, "不同的 z、映射、相同、相似的输出")
    assert not listed.points[1].stated


def test_a_pitfalls_group_is_one_claim_not_parts_spread_over_a_sentence():
    swapped = Pitfall(Text("别把两者弄反", "Do not swap them"), (Term(("基于内容", "相似用户")),))
    recsys = card(point("协同过滤", weight=2), point("物品属性"), pitfalls=(swapped,))
    right = "协同过滤是根据用户的行为找相似的用户或者相似的物品来推荐，基于内容是根据物品本身的属性来推荐。"
    assert grade_answer(recsys, right).pitfalls == ()
    wrong = "基于内容的推荐是利用所有用户的行为数据找相似用户，所以有冷启动问题。"
    assert [p.index for p in grade_answer(recsys, wrong).pitfalls] == [0]
    # A short leading clause belongs to the claim after it.
    bigger = Pitfall(
        Text("batch 不是越大越好", "Bigger is not better"),
        (Term(("越大", "越好")), Term(("the bigger", "the better"))),
    )
    batch = card(point("泛化差距"), pitfalls=(bigger,))
    assert grade_answer(batch, "batch 越大，泛化越好。").pitfalls
    assert grade_answer(batch, "The bigger the batch, the better it generalizes.").pitfalls
    long_first = "The bigger the batch the more memory each step of training needs, the better"
    assert grade_answer(batch, long_first + " the GPU must be.").pitfalls == ()


def test_a_square_root_sign_is_a_word_not_a_gap():
    assert not hit("除以 d_k", "然后除以√d_k，再做 softmax")
    assert hit("除以 d_k", "然后除以 d_k，再做 softmax")


def test_british_our_spellings_meet_the_american_ones():
    assert stem("neighbours") == stem("neighboring") == stem("neighbor")
    assert stem("behaviour") == stem("behaviors")
    assert stem("contours") == stem("contour") != stem("contor")
    assert hit("user behavior", "it learns from user behaviour")


def test_glossary_spellings_that_are_the_question_do_not_score():
    glossary = Glossary.of([["页面浏览量", "page view", "PV"]])
    pv = Card(
        id="recsys-pv-uv",
        deck="recsys",
        question=Text("推荐系统的PV和UV代表什么？", "What do PV and UV mean?"),
        answer=Text("答案", "Answer"),
        key_points=(point("page view", weight=3), point("独立访客")),
    )
    assert not grade_answer(pv, "PV和UV是推荐系统里常用的指标。", glossary).points[0].covered
    assert grade_answer(pv, "PV 就是页面浏览量，刷新一次记一次。", glossary).points[0].covered
    # Without the question the glossary spelling counts as usual.
    other = card(point("page view", weight=3), point("独立访客"))
    assert grade_answer(other, "PV 就是这个。", glossary).points[0].covered
