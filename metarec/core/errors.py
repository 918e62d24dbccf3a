"""The base of every error meant for a person: the CLI prints its message as one line, the app
shows it as a friendly notice. Anything else is a bug and keeps its traceback (in logs only)."""


class MetarecError(Exception):
    """A problem the user can act on; the message says what is wrong and what to do."""

    exit_code = 1


class InputError(MetarecError, ValueError):
    """The request cannot be served as given (exit status 2 on the command line)."""

    exit_code = 2
