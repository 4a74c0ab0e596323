"""Cost allocation: hand-computed examples, every refusal with its line, and properties (the rows
always add up to the total, never negative, never a euro away from the exact amount)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hvo_tui.domain.costs import (
    CostInputError,
    allocate,
    apportion,
    euros,
    largest_remainder,
    parse_cost_csv,
    parse_euros,
    parse_rate,
)

D = Decimal


def table(text: str):
    return parse_cost_csv(text)


def amounts(result) -> dict[str, tuple[int, int, int]]:
    return {r.gemeente: (r.basis, r.aandeel, r.bedrag) for r in result.rows}


# --- hand-computed examples ----------------------------------------------------------------------


def test_inwoners_total_that_does_not_divide_evenly():
    # 100 x 1000/6000 = 16.67, 100 x 2000/6000 = 33.33, 50: floors 16 + 33 + 50 = 99, the euro
    # left goes to the largest remainder (.67, Aa).
    t = table("gemeente,inwoners\nAa,1000\nBb,2000\nCc,3000\n")
    r = allocate(t, "inwoners", total=D(100))
    assert amounts(r) == {"Aa": (0, 17, 17), "Bb": (0, 33, 33), "Cc": (0, 50, 50)}
    assert r.total == 100 and r.inwoners == 6000
    assert [x.exact for x in r.rows] == [Fraction(50, 3), Fraction(100, 3), Fraction(50)]


def test_equal_remainders_go_to_the_first_in_the_file():
    t = table("gemeente,inwoners\nZuid,10\nNoord,10\nMidden,10\n")
    r = allocate(t, "inwoners", total=D(100))
    assert [x.bedrag for x in r.rows] == [34, 33, 33]


def test_zaken_with_a_weight_of_a_half_and_an_uneven_rest():
    # rest = 1001 - 3 x 100 = 701; weights zaken x gewicht = 10, 10 x 0.5 = 5, 5 (sum 20):
    # 701 x 10/20 = 350.5, 701 x 5/20 = 175.25 twice -> 350 + 175 + 175 = 700, the euro left to A.
    t = table("gemeente,inwoners,zaken,gewicht\nA,50000,10,1\nB,20000,10,0.5\nC,30000,5,\n")
    r = allocate(t, "zaken", total=D(1001), base=D(100))
    assert amounts(r) == {"A": (100, 351, 451), "B": (100, 175, 275), "C": (100, 175, 275)}
    assert (r.basis, r.aandeel, r.total) == (300, 701, 1001)
    assert r.rows[2].gewicht == 1  # empty gewicht: the default
    assert r.zaken == D(25)


def test_zaken_fractional_cases_and_no_base():
    # 1000 x 2.5/4 = 625, 1000 x 1.5/4 = 375.
    t = table("gemeente,inwoners,zaken\nA,1,2.5\nB,1,1.5\n")
    r = allocate(t, "zaken", total=D(1000))
    assert amounts(r) == {"A": (0, 625, 625), "B": (0, 375, 375)}


def test_zaken_base_equal_to_the_total_leaves_nothing_to_share():
    t = table("gemeente,inwoners,zaken\nA,1,0\nB,1,0\n")
    r = allocate(t, "zaken", total=D(200), base=D(100))
    assert amounts(r) == {"A": (100, 0, 100), "B": (100, 0, 100)}


def test_tarief_rounds_each_column_to_its_rounded_exact_total():
    # basis: 0.10 x 12345 = 1234.5, 0.10 x 6789 = 678.9; sum 1913.4 -> 1913; floors 1234 + 678
    # = 1912, the euro to .9 (B). aandeel: 617.25 and 339.45; sum 956.7 -> 957; floors 617 + 339,
    # the euro to .45 (B).
    t = table("gemeente,inwoners\nA,12345\nB,6789\n")
    r = allocate(t, "tarief", fixed=D("0.10"), variable=D("0.05"))
    assert amounts(r) == {"A": (1234, 617, 1851), "B": (679, 340, 1019)}
    assert (r.basis, r.aandeel, r.total) == (1913, 957, 2870)
    assert sum(x.exact for x in r.rows) == Fraction(28701, 10)


def test_inwoners_in_cents_not_floats():
    # 0.1 + 0.2 style trouble would show here: 3 x 1/3 of 1 euro.
    t = table("gemeente,inwoners\nA,1\nB,1\nC,1\n")
    r = allocate(t, "inwoners", total=D(1))
    assert [x.bedrag for x in r.rows] == [1, 0, 0]
    assert all(x.exact == Fraction(1, 3) for x in r.rows)


def test_explanation_names_model_and_rounding():
    t = table("gemeente,inwoners,zaken\nA,1,1\n")
    r = allocate(t, "zaken", total=D(50000), base=D(10000))
    assert "basis van € 10.000" in r.explanation[0]
    assert "€ 40.000" in r.explanation[0]
    assert "grootste resten" in r.explanation[1]


def test_excel_bom_blank_lines_and_spaces_are_fine():
    t = table("\ufeffGemeente , Inwoners\n\n Roermond , 60743 \n\n")
    assert [(r.gemeente, r.inwoners, r.line) for r in t.rows] == [("Roermond", 60743, 3)]


def test_euros_in_dutch_notation():
    assert euros(1234567) == "€ 1.234.567"
    assert euros(D("1234.5"), 2) == "€ 1.234,50"
    assert euros(Fraction(2, 3), 2) == "€ 0,67"


# --- bad input: one message, with the line ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "part"),
    [
        ("", 1, "het bestand is leeg"),
        ("   \n\n", 1, "het bestand is leeg"),
        ("gemeente,inwoners\n", 1, "geen gemeenten"),
        ("gemeente;inwoners\nA;1\n", 1, "puntkomma"),
        ("gemeente\nA\n", 1, "'inwoners' ontbreekt"),
        ("inwoners,zaken\n1,2\n", 1, "'gemeente' ontbreekt"),
        ("gemeente,inwoners,gewigt\nA,1,1\n", 1, "onbekende kolom 'gewigt'"),
        ("gemeente,inwoners,inwoners\nA,1,1\n", 1, "twee keer"),
        ("gemeente,inwoners\nA,100\nB,abc\n", 3, "inwoners 'abc' is geen geheel getal"),
        ("gemeente,inwoners\nA,58.000\n", 2, "zonder punten"),
        ("gemeente,inwoners\nA,-5\n", 2, "inwoners mag niet negatief zijn"),
        ("gemeente,inwoners\nA,0\n", 2, "groter dan 0"),
        ("gemeente,inwoners\nA,\n", 2, "kolom 'inwoners' is leeg"),
        ("gemeente,inwoners,zaken\nA,1,2\nB,1,-0.5\n", 3, "zaken mag niet negatief zijn"),
        ('gemeente,inwoners,zaken\nA,1,"2,5"\n', 2, "decimale punt"),
        ("gemeente,inwoners,zaken\nA,1,1e3\n", 2, "zaken '1e3' is geen getal"),
        ("gemeente,inwoners,gewicht\nA,1,half\n", 2, "gewicht 'half' is geen getal"),
        ("gemeente,inwoners,gewicht\nA,1,-1\n", 2, "gewicht mag niet negatief zijn"),
        (
            "gemeente,inwoners\nRoermond,1\nWeert,2\n roermond ,3\n",
            4,
            "'roermond' staat dubbel (ook op regel 2)",
        ),
        ("gemeente,inwoners\n,5\n", 2, "naam van de gemeente ontbreekt"),
        ("gemeente,inwoners\nA,1,2\n", 2, "3 velden, verwacht 2"),
    ],
)
def test_bad_csv_names_the_line(text, line, part):
    with pytest.raises(CostInputError) as info:
        parse_cost_csv(text)
    assert info.value.line == line
    assert str(info.value).startswith(f"regel {line}: ")
    assert part in str(info.value)


def test_base_fee_times_count_above_the_total_is_refused():
    t = table("gemeente,inwoners,zaken\nA,1,1\nB,1,1\nC,1,1\n")
    with pytest.raises(CostInputError) as info:
        allocate(t, "zaken", total=D(100), base=D(40))
    assert "--base € 40 x 3 gemeenten (regels 2-4) = € 120, meer dan --total € 100" in str(
        info.value
    )


def test_zaken_model_needs_the_column_and_something_to_share_by():
    with pytest.raises(CostInputError, match="regel 1: model zaken vraagt een kolom 'zaken'"):
        allocate(table("gemeente,inwoners\nA,1\n"), "zaken", total=D(10))
    with pytest.raises(CostInputError, match="zaken x gewicht is overal 0"):
        allocate(table("gemeente,inwoners,zaken\nA,1,0\nB,1,0\n"), "zaken", total=D(10))


@pytest.mark.parametrize(
    ("model", "kw", "part"),
    [
        ("inwoners", {}, "vraagt --total"),
        ("inwoners", {"total": D("100.50")}, "heel aantal euro's"),
        ("inwoners", {"total": D(100), "base": D(1)}, "--base hoort bij model zaken"),
        ("inwoners", {"total": D(100), "fixed": D(1)}, "horen bij model tarief"),
        ("zaken", {"total": D(100), "base": D("0.5")}, "--base moet een heel aantal"),
        ("tarief", {"total": D(100), "fixed": D(1)}, "geen --total"),
        ("tarief", {}, "--fixed en/of --variable"),
        ("kosten", {"total": D(1)}, "onbekend model"),
    ],
)
def test_arguments_that_do_not_fit_the_model(model, kw, part):
    t = table("gemeente,inwoners,zaken\nA,1,1\n")
    with pytest.raises(CostInputError) as info:
        allocate(t, model, **kw)
    assert part in str(info.value)
    assert info.value.line is None


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("100,50", "komma"),
        ("-5", "negatief"),
        ("tien", "geen bedrag"),
        ("1.005", "twee decimalen"),
        ("", "geen bedrag"),
    ],
)
def test_amount_arguments(text, part):
    with pytest.raises(CostInputError, match=part):
        parse_euros(text, "--total")


def test_amount_arguments_accepted():
    assert parse_euros("125000", "--total") == D(125000)
    assert parse_euros("€ 125000.50", "--total") == D("125000.50")
    assert parse_euros("1.000", "--total") == D(1)  # a decimal point, as the help says
    assert parse_rate("0.125", "--fixed") == D("0.125")
    with pytest.raises(CostInputError, match="komma"):
        parse_rate("0,35", "--fixed")


# --- properties ----------------------------------------------------------------------------------


def test_largest_remainder_refuses_an_impossible_total():
    with pytest.raises(ValueError):
        largest_remainder([Fraction(1, 2)], 2)
    assert apportion(0, [0, 0]) == [0, 0]
    with pytest.raises(ValueError):
        apportion(5, [0, 0])


decimals = st.integers(min_value=0, max_value=5000).map(lambda n: D(n) / 10)
weights = st.sampled_from([D(0), D("0.5"), D(1), D("1.5"), D(2), D("0.25")])
rows = st.lists(
    st.tuples(st.integers(min_value=1, max_value=900_000), decimals, weights),
    min_size=1,
    max_size=25,
)


def _csv(data) -> str:
    lines = ["gemeente,inwoners,zaken,gewicht"]
    lines += [f"G{i},{p},{z},{w}" for i, (p, z, w) in enumerate(data)]
    return "\n".join(lines) + "\n"


def _check(result, total: int) -> None:
    assert sum(r.bedrag for r in result.rows) == result.total == total
    assert sum(r.basis for r in result.rows) == result.basis
    assert sum(r.aandeel for r in result.rows) == result.aandeel
    for r in result.rows:
        assert r.basis >= 0 and r.aandeel >= 0 and r.bedrag >= 0
        assert r.bedrag == r.basis + r.aandeel
        assert abs(r.bedrag - r.exact) < 1


@settings(max_examples=150, deadline=None)
@given(rows, st.integers(min_value=0, max_value=50_000_000))
def test_inwoners_always_add_up_and_are_never_negative(data, total):
    _check(allocate(parse_cost_csv(_csv(data)), "inwoners", total=D(total)), total)


@settings(max_examples=150, deadline=None)
@given(rows, st.integers(min_value=0, max_value=5_000_000), st.data())
def test_zaken_always_add_up_and_are_never_negative(data, total, draw):
    if all(z * w == 0 for _, z, w in data):
        data = [(data[0][0], D(1), D(1)), *data[1:]]
    base = draw.draw(st.integers(min_value=0, max_value=total // len(data)))
    result = allocate(parse_cost_csv(_csv(data)), "zaken", total=D(total), base=D(base))
    _check(result, total)
    assert all(r.bedrag >= base for r in result.rows)


@settings(max_examples=150, deadline=None)
@given(rows, st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_tarief_columns_add_up_and_stay_within_a_euro(data, fixed_mills, variable_mills):
    fixed, variable = D(fixed_mills) / 1000, D(variable_mills) / 1000
    result = allocate(parse_cost_csv(_csv(data)), "tarief", fixed=fixed, variable=variable)
    exact_basis = sum(Fraction(fixed) * p for p, _, _ in data)
    exact_share = sum(Fraction(variable) * p for p, _, _ in data)
    assert abs(result.basis - exact_basis) <= Fraction(1, 2)
    assert abs(result.aandeel - exact_share) <= Fraction(1, 2)
    assert sum(r.bedrag for r in result.rows) == result.total == result.basis + result.aandeel
    for r, (p, _, _) in zip(result.rows, data, strict=True):
        assert r.basis >= 0 and r.aandeel >= 0
        assert abs(r.basis - Fraction(fixed) * p) < 1
        assert abs(r.aandeel - Fraction(variable) * p) < 1


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=40),
    st.integers(min_value=0, max_value=10**9),
)
def test_apportion_sums_exactly_and_is_monotone_in_the_weight(ws, total):
    if sum(ws) == 0:
        ws = [1, *ws[1:]]
    out = apportion(total, ws)
    assert sum(out) == total and all(x >= 0 for x in out)
    for i in range(len(ws)):
        for j in range(len(ws)):
            if ws[i] > ws[j]:
                assert out[i] >= out[j]
