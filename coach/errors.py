"""A small error hierarchy. Stages raise these; only the CLI and UI turn them into messages."""


class CoachError(Exception):
    """Base class: the message is meant for the user, as is."""


class EmptyIndexError(CoachError):
    def __init__(self) -> None:
        super().__init__("The coach has no guidance indexed yet: run `coach ingest` first.")


class BadQuestionError(CoachError):
    """The question cannot be answered as given (empty, too long, unreadable)."""


class BadInputError(CoachError):
    """A command-line or form value is invalid."""


class LoadError(CoachError):
    """A document could not be read."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class StoreError(CoachError):
    """The vector store or index could not be reached or opened."""


class StoreLockedError(StoreError):
    def __init__(self, lock_path: str) -> None:
        super().__init__(
            f"Another `coach ingest` is writing the index (lock {lock_path}); "
            "wait for it to finish and try again."
        )
