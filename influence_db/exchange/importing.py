"""Importing a CSV file: all or nothing, every problem reported with row, column and value."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, PermissionDenied

from influence_db.coding.models import CONSTRAINT_FIELDS
from influence_db.exchange.reading import ImportRefused, Problem, Sheet, duplicate_problems, read
from influence_db.exchange.resources import RESOURCES, CodingSheetResource, ImportResource
from influence_db.exchange.sheet_import import import_sheet

IMPORT_PERMISSION = "coding.import_records"


@dataclass(frozen=True)
class ImportReport:
    dataset: str
    new: int
    updated: int
    dry_run: bool

    def __str__(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        return f"{verb} {self.dataset}: {self.new} new, {self.updated} updated."


def run_import(
    dataset: str, data: bytes, *, user: AbstractBaseUser, file_name: str, dry_run: bool = False
) -> ImportReport:
    """Import `data` as `dataset`; raise ImportRefused (nothing written) if anything is wrong."""
    if not user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied(f"{user} may not import files (supervisors can).")
    resource = RESOURCES[dataset]()
    columns = resource.column_names()
    sheet = read(
        data,
        required=list(resource.required),
        optional=[name for name in columns if name not in resource.required],
    )
    _add_missing_id_columns(resource, sheet)
    problems = _whole_file_problems(resource, sheet)
    if isinstance(resource, CodingSheetResource):
        # Thousands of rows at a time: checked in Python and written in bulk, by the same rules.
        new, updated = import_sheet(resource, sheet, problems, user=user, file_name=file_name, dry_run=dry_run)
        return ImportReport(dataset, new, updated, dry_run)
    # Rows are checked even when the file is already refused, so the coder sees every
    # problem at once; the import is then only a dry run.
    result = resource.import_data(
        sheet.as_dataset(),
        dry_run=dry_run or bool(problems),
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
        file_name=file_name,
    )
    problems = sorted([*problems, *row_problems(resource, sheet, result)], key=_position)
    if problems:
        raise ImportRefused(problems)
    return ImportReport(dataset, result.totals["new"], result.totals["update"], dry_run)


def _add_missing_id_columns(resource: ImportResource, sheet: Sheet) -> None:
    """An optional column that also identifies the row (a source link's footnote) may be left out: it is empty."""
    for name in resource.get_import_id_fields():
        column = resource.fields[name].column_name
        if column not in sheet.headers:
            sheet.headers.append(column)
            for cells in sheet.rows:
                cells.append("")


def _whole_file_problems(resource: ImportResource, sheet: Sheet) -> list[Problem]:
    key_column = next((name for name in ("key", "code") if name in sheet.headers), None)
    if isinstance(resource, CodingSheetResource):
        return _disagreeing_claim_rows(resource, sheet)
    if key_column and key_column in resource.required:
        return duplicate_problems(sheet, key_column)
    return []


def _disagreeing_claim_rows(resource: CodingSheetResource, sheet: Sheet) -> list[Problem]:
    """Rows of one claim carry its fields once each; they must say the same thing."""
    index = {name: position for position, name in enumerate(sheet.headers)}
    first: dict[str, tuple[int, list[str]]] = {}
    problems = []
    for number, cells in zip(sheet.numbers, sheet.rows, strict=True):
        key = cells[index["claim"]].strip()
        if not key:
            continue
        if key not in first:
            first[key] = (number, cells)
            continue
        first_number, first_cells = first[key]
        for name in resource.claim_columns:
            if name in index and cells[index[name]].strip() != first_cells[index[name]].strip():
                problems.append(
                    Problem(
                        f"claim {key} says something else here than on row {first_number}.",
                        row=number,
                        column=name,
                        value=cells[index[name]],
                    )
                )
    return problems


def row_problems(resource: ImportResource, sheet: Sheet, result: object) -> list[Problem]:
    problems = []
    for invalid in result.invalid_rows:
        number = sheet.numbers[invalid.number - 1]
        row = dict(zip(sheet.headers, sheet.rows[invalid.number - 1], strict=True))
        for attribute, messages in invalid.error_dict.items():
            if attribute == NON_FIELD_ERRORS:
                for message in messages:
                    name = resource.column_of(_constraint_field(resource, message))
                    problems.append(
                        Problem(message, row=number, column=name if name in row else None, value=row.get(name))
                    )
                continue
            name = resource.column_of(attribute)
            allowed = _choices(resource, attribute)
            for message in messages:
                if allowed and "not a valid choice" in message:
                    message = f"{message} Allowed: {allowed}."
                problems.append(Problem(message, row=number, column=name if name in row else None, value=row.get(name)))
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(Problem(_message(error.error), row=sheet.numbers[number - 1]))
    for error in result.base_errors:
        problems.append(Problem(_message(error.error)))
    return problems


def _constraint_field(resource: ImportResource, message: str) -> str:
    """The field a database rule is about, found by the message the rule gave."""
    for constraint in resource._meta.model._meta.constraints:
        if constraint.get_violation_error_message() == message:
            return CONSTRAINT_FIELDS.get(constraint.name, "")
    return ""


def _choices(resource: ImportResource, attribute: str) -> str:
    try:
        field = resource._meta.model._meta.get_field(attribute)
    except FieldDoesNotExist:
        return ""
    return ", ".join(str(value) for value, _ in field.choices or [])


def _position(problem: Problem) -> tuple[int, str]:
    return (problem.row or 0, problem.column or "")


def _message(exc: BaseException) -> str:
    messages = getattr(exc, "messages", None)
    return " ".join(messages) if messages else str(exc)
