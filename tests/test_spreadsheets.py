"""The one CSV writer of every export: text that a spreadsheet would run as a formula is
shown as text; the numbers the portal writes stay numbers; accents and Arabic survive Excel."""

import csv
import io

from portal.spreadsheets import csv_text


def test_text_like_a_formula_is_quoted_and_the_portals_numbers_stay_numbers():
    text = csv_text(["title", "support"], [
        ["-3 ships", -3], ["=1+2", 12], ["\tcmd", 0], ["Débarquement sûr — إنزال آمن", 4],
        ["A - B = C", 1],
    ])

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [["title", "support"], ["'-3 ships", "-3"], ["'=1+2", "12"],
                    ["'\tcmd", "0"], ["Débarquement sûr — إنزال آمن", "4"], ["A - B = C", "1"]]
