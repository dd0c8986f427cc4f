"""The words of study and quiz sessions in Chinese and English: one catalogue, key -> {zh, en}.

The session's ``--lang`` picks the language (``both`` shows the cards in both languages and the
session's own words in Chinese, the default). Placeholders are ``str.format`` fields. Command-line
errors (``flashdl: ...``) stay in English.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- study ---------------------------------------------------------------------------------
    "header_counts": {"zh": "已完成 {done} · 剩余 {left}", "en": "{done} done · {left} left"},
    "reveal": {"zh": "任意键显示答案", "en": "any key shows the answer"},
    "reveal_keys": {"zh": "  · u 撤销 · q 退出", "en": "  · u undo · q quit"},
    "undo": {"zh": "撤销", "en": "undo"},
    "quit": {"zh": "退出", "en": "quit"},
    "press_to_grade": {
        "zh": "按 {keys} 评分；s 暂停，b 明天再说，u 撤销，q 退出。",
        "en": "Press {keys} to grade; s suspend, b bury, u undo, q quit.",
    },
    "press_to_grade_quiz": {
        "zh": "按 {keys} 评分，q 退出。",
        "en": "Press {keys} to grade, q to quit.",
    },
    "nothing_to_undo": {"zh": "没有可撤销的评分。", "en": "Nothing to undo."},
    "undid": {"zh": "已撤销 {card} 的评分。", "en": "Undid the grade of {card}."},
    "unsuspended": {"zh": "已恢复 {card}（取消暂停）。", "en": "Unsuspended {card}."},
    "suspended_now": {
        "zh": "已暂停 {card}（u 撤销；`flashdl unsuspend {card}` 恢复）。",
        "en": "Suspended {card} (u undoes; `flashdl unsuspend {card}` brings it back).",
    },
    "buried_now": {
        "zh": "{card} 明天再复习（u 撤销）。",
        "en": "Buried {card} until tomorrow (u undoes).",
    },
    "unburied": {"zh": "{card} 回到今天的队列。", "en": "{card} is back in today's queue."},
    "no_longer_leech": {"zh": "它不再标记为 leech。", "en": " It is no longer marked a leech."},
    "leech_suspended": {
        "zh": "Leech：{card} 已遗忘 {lapses} 次，已暂停（`flashdl unsuspend {card}` 可恢复；"
        "建议改写这张卡）。",
        "en": "Leech: {card} has lapsed {lapses} times; suspended (`flashdl unsuspend {card}` "
        "brings it back; consider rewriting it).",
    },
    "leech_kept": {
        "zh": "Leech：{card} 已遗忘 {lapses} 次，仍留在复习计划中（leech_action = keep）。",
        "en": "Leech: {card} has lapsed {lapses} times; kept in the schedule (leech_action = keep).",
    },
    "enter_accepts": {"zh": "  回车 = {key}", "en": "  Enter = {key}"},
    # -- the session summary -------------------------------------------------------------------
    "summary_title": {"zh": "本次小结", "en": "Session summary"},
    "summary_reviewed": {"zh": "复习卡片", "en": "Cards reviewed"},
    "summary_grades": {"zh": "评分", "en": "Grades"},
    "summary_time": {"zh": "用时", "en": "Time"},
    "summary_duration": {
        "zh": "{minutes} 分 {seconds:02d} 秒",
        "en": "{minutes} min {seconds:02d} s",
    },
    "summary_left": {"zh": "今天还要复习", "en": "Still due today"},
    "summary_next": {"zh": "下次复习", "en": "Next due"},
    "summary_nothing_next": {"zh": "暂无安排", "en": "nothing scheduled"},
    "summary_next_today": {"zh": "今天（上面那些）", "en": "today (the cards above)"},
    "summary_next_tomorrow": {"zh": "明天", "en": "tomorrow"},
    # -- nothing to study ----------------------------------------------------------------------
    "next_due_on": {"zh": "下一次复习在 {day}", "en": "the next review is due {day}"},
    "no_review_scheduled": {"zh": "没有安排复习", "en": "no review is scheduled"},
    "empty_selection": {
        "zh": "没有可学习的卡片：所选卡组没有卡片。",
        "en": "Nothing to study: the selected decks have no cards.",
    },
    "new_limit_reached": {
        "zh": (
            "今天没有到期的卡片，新卡片已学 {introduced}/{limit} 张；"
            "想多学可用 `flashdl study --new {more}`（{when}）。"
        ),
        "en": (
            "Nothing due today, and {introduced} of {limit} new cards are introduced already; "
            "`flashdl study --new {more}` for more ({when})."
        ),
    },
    "no_new_left": {
        "zh": "今天没有到期的卡片，所选卡组也没有新卡片了{extra}（{when}）。",
        "en": "Nothing due today and no new cards left in the selected decks{extra} ({when}).",
    },
    "suspended_left": {
        "zh": "；{count} 张已暂停（`flashdl unsuspend`）",
        "en": "; {count} {verb} suspended (`flashdl unsuspend`)",
    },
    "nothing_due": {"zh": "今天没有到期的卡片（{when}）。", "en": "Nothing due today ({when})."},
    "reviews_capped_new_wait": {
        "zh": (
            "今天的复习上限 {limit} 张已用完；另有 {waiting} 张到期卡片明天再复习，补完之前不加新卡片"
            "（`flashdl config set max_reviews_per_day none` 取消上限）。"
        ),
        "en": (
            "Today's review limit of {limit} is reached; {waiting} more due cards wait until"
            " tomorrow, and no new cards come until they are caught up"
            " (`flashdl config set max_reviews_per_day none` lifts the limit)."
        ),
    },
    # -- quiz ----------------------------------------------------------------------------------
    "type_answer": {
        "zh": "输入你的答案，以空行结束（直接空行：跳过）。",
        "en": "Type your answer, then an empty line (empty at once: skip).",
    },
    "time_budget": {"zh": "限时：{budget}", "en": "Time budget: {budget}"},
    "key_points_named": {
        "zh": "答到的要点：{count}/{total}",
        "en": "Key points named: {count}/{total}",
    },
    "suggested_grade": {"zh": " — 建议评分 {grade}", "en": " — suggested grade {grade}"},
    "reason_wrong_claim": {"zh": "有一处错误说法", "en": "a wrong claim"},
    "reason_wrong_claims": {"zh": "有错误说法", "en": "wrong claims"},
    "reason_listed": {"zh": "要点只是列出，没有解释", "en": "points listed, not explained"},
    "quiz_report": {"zh": "测验报告", "en": "Quiz report"},
    "quiz_columns": {
        "zh": "#|卡片|要点|建议|评分|用时",
        "en": "#|card|key points|suggested|grade|time",
    },
    "quiz_over": {"zh": "超时", "en": "over"},
    "quiz_mean": {
        "zh": "共答 {count} 题，平均评分 {mean:.1f}",
        "en": "{count} answered, mean grade {mean:.1f}",
    },
    "quiz_weakest": {"zh": "本轮最薄弱的要点", "en": "Weakest key points this round"},
    "quiz_weak_columns": {"zh": "卡片|要点", "en": "card|key point"},
}


def message(key: str, lang: str, /, **fields: object) -> str:
    """The text of ``key`` in ``lang`` (``en``, else Chinese), with ``fields`` filled in."""
    text = MESSAGES[key]["en" if lang == "en" else "zh"]
    return text.format(**fields) if fields else text
