"""Domain errors: a stable code for programs, a message for people, defined once."""


class DomainError(Exception):
    """A rule said no. `code` is stable (the API returns it); `message` is shown verbatim."""

    def __init__(self, code: str, message: str, **details):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message
