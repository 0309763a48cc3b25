"""Quote matching normalises whitespace and typographic quotes, and nothing else."""

from negosim.scenario.provenance import closest_passage, normalise_text, quote_occurs

SOURCE = (
    "Russia had its own defense projects allowing Moscow \u201cnot to worry\u201d \n about it. "
    "Moscow\u2019s view \u2014 firm."
)


def test_typographic_quotes_and_whitespace_are_folded():
    assert quote_occurs('allowing Moscow "not to worry" about it', SOURCE)
    assert quote_occurs("Moscow's view - firm.", SOURCE)
    assert quote_occurs("Moscow\u2019s   view", SOURCE)


def test_case_and_words_are_kept():
    assert not quote_occurs("moscow's view", SOURCE)
    assert not quote_occurs("Moscow's firm view", SOURCE)
    assert not quote_occurs("   ", SOURCE)


def test_ellipsis_character_equals_three_dots():
    assert normalise_text("refusal to\u2026 consider") == "refusal to... consider"


def test_closest_passage_finds_the_near_miss():
    passage, ratio, _ = closest_passage("Russia had its own defence projects", SOURCE)
    assert passage == "Russia had its own defense projects"
    assert ratio > 0.9
