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


def test_a_workbook_holds_text_as_text_numbers_as_numbers_and_times_as_local_times():
    from datetime import UTC, date, datetime

    from openpyxl import load_workbook

    from consultations.models import RegistrationStatus
    from portal.spreadsheets import xlsx_bytes

    content = xlsx_bytes(
        ["Titre", "Pour", "Clos (heure de Dakar)", "Jour", "Adopté", "Statut"],
        [["=1+2", 12, datetime(2024, 4, 23, 15, 45, tzinfo=UTC), date(2024, 4, 24), True,
          RegistrationStatus.approved],
         ["-3 ships", -3, None, None, False, ""],
         ['@SUM(A1)', 0, "", "", None, "\rcmd"],
         ["Débarquement sûr — إنزال آمن", 4, "", "", None, "+1"],
         ["https://evil.example/", 1, "", "", None, "\tcmd"]],
        sheet_name="Résultats: avril [2024]", time_zone="Africa/Dakar")

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Résultats  avril  2024 "
    assert [cell.value for cell in sheet[1]] == [
        "Titre", "Pour", "Clos (heure de Dakar)", "Jour", "Adopté", "Statut"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F6"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0][:4] == ["'=1+2", 12, datetime(2024, 4, 23, 15, 45), datetime(2024, 4, 24)]
    assert rows[0][4:] == [True, "Approved"]
    assert [row[0] for row in rows[1:]] == [
        "'-3 ships", "'@SUM(A1)", "Débarquement sûr — إنزال آمن", "https://evil.example/"]
    # OOXML writes a carriage return as _x000D_, which openpyxl leaves as it is.
    assert [(row[5] or "").replace("_x000D_", "\r") for row in rows[1:]] == [
        "", "'\rcmd", "'+1", "'\tcmd"]
    # Nothing runs: no formula, no link, anywhere.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert not sheet._hyperlinks
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["D2"].number_format == "yyyy-mm-dd"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEF"}
    assert widths["A"] > widths["B"] and widths["C"] >= len("Clos (heure de Dakar)")
    assert all(8 <= width <= 62 for width in widths.values())


def test_a_workbook_for_a_right_to_left_reader_runs_right_to_left():
    from openpyxl import load_workbook

    from portal.spreadsheets import xlsx_bytes

    sheet = load_workbook(io.BytesIO(xlsx_bytes(["المرجع"], [["R1"]], sheet_name="النتائج",
                                                right_to_left=True))).active

    assert sheet.sheet_view.rightToLeft
    assert sheet.title == "النتائج"
