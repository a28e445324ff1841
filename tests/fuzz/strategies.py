"""What an attacker or a careless admin types: odd numbers, huge and odd text, markup, deep nesting."""

from __future__ import annotations

from hypothesis import strategies as st

ODD_TEXT = ["", " ", "1e309", "-1e309", "NaN", "nan", "Infinity", "-0", "0", "-1", "1e-999999", "0.001", "100.005",
            "2**64", "9" * 30, "<script>alert(1)</script>", "{{ 7*7 }}", "'; DROP TABLE users; --", "\u202eevil",
            "ß", "١٢٣", "𝟙𝟚", "a\r\nb", "(a+)+$", r"(a)\1", "(?=x)", "\ufeff", "\x00"]


def _repeated(piece: str, most: int) -> st.SearchStrategy[str]:
    """`piece` many times over (built, so reports show the rule rather than the text)."""
    return st.integers(min_value=1, max_value=most).map(lambda n: piece * n)


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=40), st.integers().map(str), st.floats().map(repr),
                     _repeated("é", 60_000), _repeated("x", 120_000), _repeated("[", 10_000), _repeated("0", 500))


ODD_NUMBERS = ["1e309", "-1e309", "NaN", "-NaN", "sNaN", "Infinity", "-0", "0", "-1", "1e-999999", "100.005", "2.5",
               "1" + "0" * 40, "9" * 30, "0x10", "1_000", "1,5", " 3 "]


def hostile_number() -> st.SearchStrategy[str]:
    """What is typed into a number field: odd spellings, out of range, too precise, too big."""
    return st.one_of(st.sampled_from(ODD_NUMBERS), st.floats().map(repr), st.integers().map(str),
                     _repeated("9", 500), st.decimals(allow_nan=True).map(str))


def huge_numbers() -> st.SearchStrategy[object]:
    """Numbers a YAML file may hold that no float or two-decimal column can."""
    return st.one_of(st.integers(min_value=10**18, max_value=10**400), st.integers(max_value=-10**18),
                     st.sampled_from([float("inf"), float("-inf"), float("nan"), -0.0, 1e-320]))


def json_values() -> st.SearchStrategy[object]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), hostile_text())
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                        max_leaves=12)


def deep_json() -> st.SearchStrategy[str]:
    return st.builds(lambda n, bracket: bracket * n, st.integers(min_value=1, max_value=200_000),
                     st.sampled_from(["[", "{\"a\":"]))
