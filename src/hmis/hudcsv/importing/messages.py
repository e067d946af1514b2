"""What the import says, defined once (tests assert the messages verbatim)."""

ERROR = "error"
WARNING = "warning"

MSG_NO_FILES = (
    "No HUD CSV files found in {name}: expected Export.csv, Client.csv, Enrollment.csv..."
)
MSG_INCOMPLETE = (
    "This is not a complete HUD CSV export: {files} {verb} missing. Ask the sending system for "
    "a full export (every file, even empty ones). Nothing was written."
)
MSG_OLD_EDITION = (
    "This is an {edition} export. Only FY2026 and FY2024 HUD CSV files can be imported: "
    "ask the sending system for an FY2026 export."
)
MSG_UNKNOWN_EDITION = (
    "The edition of this export could not be recognised: Export.csv CSVVersion is {version!r} "
    "and Client.csv has neither the FY2026 nor the FY2024 columns."
)
MSG_CRASHED = "The import stopped on an unexpected error ({error}); nothing was written."
MSG_NOT_UTF8 = (
    "{file} is not UTF-8 text (the problem is after data row {rows}): HUD CSV files must be "
    "saved as UTF-8. Nothing was written."
)
MSG_BAD_CSV = "{file} cannot be read as CSV after data row {rows} ({error}). Nothing was written."
MSG_EMPTY_FILE = "the file is empty (no header row)"
MSG_MISSING_COLUMN = "column {column} is missing from the header"
MSG_EXTRA_COLUMN = "column {column} is not part of the {edition} specification; ignored"
MSG_REQUIRED = "required value is missing"
MSG_REQUIRED_STORED = "required value is missing; stored as {stored}"
MSG_DUPLICATE = "duplicate {column}: the same ID is on an earlier line of this file"
MSG_SUPERSEDED = (
    "{column} {value} is on several lines; superseded by the line with the latest DateUpdated"
)
MSG_SUPERSEDES = (
    "{column} {value} is on several lines; this line has the latest DateUpdated and is kept"
)
MSG_TOO_LONG_ID = "longer than 32 characters"
MSG_TOO_LONG = "longer than {length} characters; cut to {length}"
MSG_NOT_INTEGER = "not a whole number"
MSG_NOT_INTEGER_STORED = "not a whole number; stored as {stored}"
MSG_NOT_IN_LIST = "not a value of list {list_id}"
MSG_NOT_IN_LIST_STORED = "not a value of list {list_id}; stored as {stored}"
MSG_BAD_DATE = "not a date (YYYY-MM-DD or MM-DD-YYYY)"
MSG_BAD_DATE_STORED = "not a date (YYYY-MM-DD or MM-DD-YYYY); stored as {stored}"
MSG_BAD_DATETIME = "not a date and time (YYYY-MM-DD hh:mm:ss)"
MSG_BAD_DATETIME_STORED = "not a date and time (YYYY-MM-DD hh:mm:ss); stored as {stored}"
MSG_BAD_MONEY = "not an amount of money"
MSG_BAD_MONEY_STORED = "not an amount of money; stored as {stored}"
MSG_UNKNOWN_REFERENCE = "{value} is in neither {file} nor the database"
MSG_REJECTED_REFERENCE = "depends on {file} {column} {value}, which was rejected"
MSG_PERSON_MISMATCH = "does not match the enrollment's PersonalID {expected}"
MSG_EXIT_BEFORE_ENTRY = "ExitDate is before the enrollment's EntryDate {entry}"
MSG_OPERATING_END_BEFORE_START = "OperatingEndDate is before OperatingStartDate; stored as empty"
MSG_EXIT_ID_TAKEN = "this ExitID already belongs to another enrollment"
MSG_TYPE_NOT_FOR_RECORD = "not a TypeProvided of RecordType {record_type}"
MSG_UNKNOWN_USER = "UserID {value} is in neither User.csv nor the database; kept without a user"
MSG_PARTIAL_SSN = "not 9 digits (unknown digits marked x); only the last four digits are kept"
MSG_NO_HEAD = "household has no head of household (RelationshipToHoH 1)"
MSG_SEVERAL_HEADS = (
    "household has {count} heads of household (RelationshipToHoH 1); HUD expects one"
)
MSG_DERIVED_HOUSEHOLD = (
    "required value is missing; derived as {value} (a household of this enrollment alone)"
)
MSG_DERIVED_START = (
    "required value is missing; derived as {value}, the earliest EntryDate of the "
    "project's enrollments"
)
MSG_DERIVED_START_CREATED = (
    "required value is missing and the project has no enrollments; derived as {value}, "
    "the project's DateCreated"
)
MSG_SEVERAL_EXPORT_ROWS = "Export.csv has {count} rows; using ExportID {export_id}"
MSG_SKIPPED_FILE = "not used by this system; skipped"
