"""Splitting the privacy notice into sections and finding the ones that answer a question."""


import pytest

from replies.notice import EXAMPLE_NOTICE_PATH, Notice, Section, load_notice, parse_notice
from tests.paths import needs_shared, shared

EXAMPLE = EXAMPLE_NOTICE_PATH
SHARED = shared("docs", "privacy-notice.txt")


@pytest.fixture(scope="module")
def notice() -> Notice:
    return load_notice(EXAMPLE)


def test_it_splits_the_example_notice_into_nine_numbered_sections(notice):
    assert [s.number for s in notice.sections] == list(range(1, 10))
    assert notice.section(3).title == "Cookies"
    assert notice.section(8).heading == "8. How to update or access your personal information"
    assert notice.preamble.startswith("Privacy notice")
    assert "support@caplus.org.uk" in notice.preamble


def test_the_example_notice_keeps_the_facts_of_the_original(notice):
    text = EXAMPLE.read_text(encoding="utf-8")
    for fact in (
        "CA Plus",
        "support@caplus.org.uk",
        "0115 947 0839",
        "Units 1 & 2 North West, 41 Talbot Street, Nottingham, NG1 5GY",
        "straight away",
    ):
        assert fact in text
    cookies = notice.section(3).text
    for category in ("Strictly necessary", "Performance", "Functionality", "Targeting"):
        assert category in cookies
    assert "never sell" in notice.section(5).text
    assert "monitor or record" in notice.section(7).text
    for right in ("update", "correct", "remove", "copy"):
        assert right in notice.section(8).text


def test_a_numbered_list_inside_a_section_is_not_a_new_section():
    text = "Intro\n1. First\nBody one\n2. Second\nSteps:\n1. do this\n2. do that\n3. Third\n"
    parsed = parse_notice(text)
    assert [(s.number, s.title) for s in parsed.sections] == [
        (1, "First"),
        (2, "Second"),
        (3, "Third"),
    ]
    assert parsed.section(2).text == "Steps:\n1. do this\n2. do that"
    assert parsed.section(1).text == "Body one"
    assert parsed.preamble == "Intro"


def test_text_without_sections_is_refused():
    with pytest.raises(ValueError, match="no numbered sections"):
        parse_notice("Just a paragraph.\nAnd another.")


def test_unknown_section_number_raises_key_error(notice):
    with pytest.raises(KeyError):
        notice.section(42)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("what cookies do you use", 3),
        ("Can I turn off cookies on your website?", 3),
        ("who do you share my data with", 5),
        ("Do you sell my details to other companies?", 5),
        ("how long do you keep my data", 6),
        ("is my data secure", 6),
        ("Are my calls recorded?", 7),
        ("How do I get a copy of my personal information?", 8),
        ("how did you collect my information in the first place", 1),
    ],
)
def test_it_finds_the_section_that_answers_the_question(notice, query, expected):
    found = notice.relevant_sections(query)
    assert found, query
    assert found[0].number == expected


def test_a_two_part_question_gets_both_sections(notice):
    found = notice.relevant_sections("Do you sell my data? And how long do you keep it?")
    assert [s.number for s in found] == [5, 6]


def test_a_weak_runner_up_is_left_out(notice):
    found = notice.relevant_sections("Please send me all my data. Also, what cookies do you use?")
    assert [s.number for s in found] == [3]


def test_an_unrelated_question_finds_nothing(notice):
    assert notice.relevant_sections("What is the weather like in Paris tomorrow?") == []
    assert notice.relevant_sections("   ") == []


def test_k_limits_the_number_of_sections(notice):
    query = "Do you sell my data? And how long do you keep it?"
    assert len(notice.relevant_sections(query, k=1)) == 1
    assert len(notice.relevant_sections(query, k=5, min_score=0.0, min_ratio=0.0)) == 5
    with pytest.raises(ValueError):
        notice.relevant_sections(query, k=0)


def test_retrieval_is_deterministic(notice):
    query = "how is my information used"
    first = notice.scores(query)
    assert all(notice.scores(query) == first for _ in range(3))
    assert all(0.0 <= score <= 1.0 for _, score in first)


def test_sections_are_plain_values():
    assert Section(1, "A", "b") == Section(1, "A", "b")
    assert Section(3, "Cookies", "").heading == "3. Cookies"


@needs_shared("docs", "privacy-notice.txt")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("what cookies do you use", 3),
        ("who do you share my data with", 5),
        ("how long do you keep my data", 6),
        ("is my data secure", 6),
    ],
)
def test_it_works_on_the_organisations_published_notice(query, expected):
    published = load_notice(SHARED)
    assert [s.number for s in published.sections] == list(range(1, 10))
    assert published.relevant_sections(query)[0].number == expected


QUESTIONS = [
    "What cookies does your website use?",
    "Do you share my data with anyone, and do you sell it?",
    "Who can I complain to about you?",
    "asdf qwerty",
    "   ",
    "",
    "What cookies does your website use?",   # a repeat in the same batch
]


def test_scoring_a_batch_of_questions_gives_what_each_alone_gives(notice):
    assert notice.relevant_sections_many(QUESTIONS) == [
        notice.relevant_sections(q) for q in QUESTIONS]
    assert notice.relevant_sections_many(QUESTIONS, k=1) == [
        notice.relevant_sections(q, k=1) for q in QUESTIONS]
    assert notice.relevant_sections_many([]) == []
    with pytest.raises(ValueError):
        notice.relevant_sections_many(QUESTIONS, k=0)
