"""Errors raised by nlpthemes.

Every error a user can cause (a bad file, a wrong option) is a subclass of
:class:`NlpthemesError`; the CLI turns those into one line on stderr and a
non-zero exit code, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["InputError", "ModelNotFoundError", "NlpthemesError", "NotFittedError", "ReadingWarning"]


class NlpthemesError(Exception):
    """Base class of every error a user can cause and fix."""


class InputError(NlpthemesError, ValueError):
    """A file or a value given by the user cannot be used.

    Parameters
    ----------
    path : str or Path or None
        The file the problem is in, named in the message.
    problem : str
        What is wrong, in words a researcher understands.

    Examples
    --------
    >>> str(InputError("interviews/p1.docx", "not a valid .docx file"))
    'interviews/p1.docx: not a valid .docx file'
    >>> str(InputError(None, "no transcripts given"))
    'no transcripts given'

    It survives pickling, so a cluster worker's error reaches the user intact:

    >>> import pickle
    >>> str(pickle.loads(pickle.dumps(InputError("p1.txt", "empty"))))
    'p1.txt: empty'
    """

    def __init__(self, path: str | Path | None, problem: str) -> None:
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(problem if path is None else f"{path}: {problem}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str | None, str]]:
        return (type(self), (self.path, self.problem))


class ModelNotFoundError(NlpthemesError):
    """An embedding model could not be found locally."""


class NotFittedError(ValueError, AttributeError):
    """A fitted step was used before ``fit`` (as in scikit-learn)."""


class ReadingWarning(UserWarning):
    """A file was read, but how it was read looks off (its message names the file).

    For example, one speaker got every sentence of a file that has several
    speaker labels. The same messages are kept in ``transcript.reading.warnings``
    and shown in the commands' summaries and ``manifest.json``.
    """
