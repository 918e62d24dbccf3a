"""The base of every error meant for a person: the CLI prints its message as one line, the app
shows it as a friendly notice. Anything else is a bug and keeps its traceback (in logs only)."""


class MetarecError(Exception):
    """A problem the user can act on; the message says what is wrong and what to do."""

    exit_code = 1


class InputError(MetarecError, ValueError):
    """The request cannot be served as given (exit status 2 on the command line).

    The message is English, for the command line and logs; ``key`` and ``values`` tell the same
    problem to a person in any language: ``t(exc.key, lang, **exc.values)`` with
    :func:`metarec.i18n.t` (each key is a text in ``metarec/i18n/locales/*.toml``). An error raised
    without a key gets :attr:`GENERIC`, whose text quotes the English message.

    Arguments:
        message: what is wrong and what to do, in English.
        key: the locale key of the problem (``"input.too_many_liked"``); it also tells a program
            which problem this is, without reading the message.
        values: the placeholders of that text.

    Example:
        >>> try:
        ...     recommend(engine, Request(age_years=4, liked=("bld-05",), disliked=("bld-05",)))
        ... except InputError as exc:
        ...     print(exc.key, t(exc.key, "zh", **exc.values))
        input.both 🧱 ...：同一件玩具不能既喜欢又不喜欢。...
    """

    exit_code = 2
    GENERIC = "input.other"   # its text: "We could not use these choices: {msg}"

    def __init__(self, message: str, key: str | None = None, values: dict | None = None):
        super().__init__(message)
        if key is None:
            key, values = self.GENERIC, {"msg": message}
        self.key = key
        self.values = dict(values or {})

    def __reduce__(self):   # keep the key and values through pickling (worker processes)
        return type(self), (str(self), self.key, self.values)
