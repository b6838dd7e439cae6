"""Error messages name the source, row, field and value, in that order, without markup."""

from __future__ import annotations

from trialdesk.errors import DataImportError, InputError, TrialdeskError


def test_message_names_source_row_field_value_and_hint() -> None:
    error = DataImportError("is negative; times must be >= 0", source="adtte.csv", row=17,
                            field="AVAL", value=-3, hint="check the date order")
    assert str(error) == ("adtte.csv row 17, AVAL: is negative; times must be >= 0 (got -3); "
                          "check the date order")
    assert isinstance(error, ValueError)
    assert isinstance(error, TrialdeskError)


def test_field_only_message() -> None:
    assert str(InputError("must be 0 or 1", field="event", row=4, value=2)) == (
        "row 4, event: must be 0 or 1 (got 2)")


def test_to_dict_is_json_ready() -> None:
    error = InputError("must be positive", field="arms[1].dose_mg", value=-5.0)
    assert error.to_dict() == {"message": "must be positive", "field": "arms[1].dose_mg",
                               "row": None, "value": "-5.0", "hint": None, "source": None}
