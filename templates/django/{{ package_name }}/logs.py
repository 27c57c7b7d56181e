"""Log formats the settings pick per environment."""

import logging


class OneLineFormatter(logging.Formatter):
    """Production's format: every record on one line, a traceback's line breaks written as
    ``\\n``, so that log collectors keep a record whole and one grep finds it."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\n", "\\n")
