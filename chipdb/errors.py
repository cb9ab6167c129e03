"""Domain errors. The CLI turns each into one line on stderr and an exit code."""

from __future__ import annotations


class ChipdbError(Exception):
    """An error a user can act on; its message is one line that says what to do."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(ChipdbError):
    exit_code = 2


class NotFoundError(ChipdbError):
    exit_code = 1


class DataError(ChipdbError):
    exit_code = 1


class DatabaseError(ChipdbError):
    exit_code = 1


class SeedError(DataError):
    """A seed or import file is wrong: names the file, the record and the field."""

    def __init__(self, file: str, record: str, field: str, problem: str) -> None:
        self.file = file
        self.record = record
        self.field = field
        self.problem = problem
        super().__init__(f"{file}: {record}: {field}: {problem}")
