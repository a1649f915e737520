"""Stable pseudonyms for speakers (and other names) in every output.

Real names become ``P01``, ``P02``, ... (interviewers ``I01``, ...; extra
names the user lists ``N01``, ...), in order of first appearance, or as the
user's own mapping says. Role labels such as ``Interviewer``, ``Participant``
or ``Q`` are not names and are kept. The key (real name -> pseudonym) is
written to its own file, to be stored apart from the outputs; giving the same
key file again keeps every pseudonym stable across runs and waves.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from nlpthemes.corpus import Transcript
from nlpthemes.errors import InputError
from nlpthemes.io._turns import _INTERVIEWER_WORDS, _PARTICIPANT_WORDS, _role_word

__all__ = ["Pseudonymiser", "read_key", "write_key"]

_ROLES = _INTERVIEWER_WORDS | _PARTICIPANT_WORDS | {
    "client", "therapist", "counsellor", "counselor", "student", "teacher", "speaker", "unknown",
    "doctor", "patient", "nurse", "parent", "child", "manager", "staff", "audience",
}  # fmt: skip


def _is_role(label: str) -> bool:
    return _role_word(label) in _ROLES


@dataclass
class Pseudonymiser:
    """Replaces names by pseudonyms.

    Parameters
    ----------
    key : dict
        Real name -> pseudonym; extended by :meth:`add_corpus` and :meth:`add_names`.

    Examples
    --------
    >>> from nlpthemes.corpus import Turn
    >>> t = Transcript("t", "Interviewer: Hi Maria?\\nMaria Lopez: Hi.",
    ...                (Turn(13, 22, "Interviewer", True), Turn(36, 39, "Maria Lopez")))
    >>> p = Pseudonymiser()
    >>> p.add_corpus([t])
    >>> p.speaker("Maria Lopez"), p.speaker("Interviewer"), p.text("Hi Maria?")
    ('P01', 'Interviewer', 'Hi P01?')
    """

    key: dict[str, str] = field(default_factory=dict)

    def _next(self, prefix: str) -> str:
        used = {v for v in self.key.values() if re.fullmatch(rf"{prefix}\d+", v)}
        n = len(used) + 1
        while f"{prefix}{n:02d}" in used:
            n += 1
        return f"{prefix}{n:02d}"

    def add_corpus(self, transcripts: Iterable[Transcript]) -> None:
        """Give every named speaker a pseudonym (order of first appearance)."""
        for transcript in transcripts:
            for turn in transcript.turns:
                label = turn.speaker
                if label is None or label in self.key or _is_role(label):
                    continue
                answer = transcript.reading is not None and transcript.reading.layout == "answers"
                if len(transcript.turns) == 1 and (label == transcript.id or answer):
                    continue  # an answer's respondent id is already a pseudonym
                self.key[label] = self._next("I" if turn.is_interviewer else "P")
            self.add_names(transcript.names)  # a survey respondent's name and e-mail, wherever the text says them

    def add_names(self, names: Iterable[str]) -> None:
        """Add other names to replace in text (people, places, organisations)."""
        for name in names:
            name = name.strip()
            if name and name not in self.key:
                self.key[name] = self._next("N")

    def speaker(self, label: str | None) -> str | None:
        """The pseudonym of a speaker label (roles and unknown labels unchanged)."""
        if label is None:
            return None
        return self.key.get(label, label)

    def _pattern(self) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        # a name of several words (or an e-mail address) is replaced in any case; a single word
        # ("Kim", or "Park" of "Mina Park") only as written, capitalised, so that a name such as
        # "Will" or "May" leaves "will" and "may" alone
        lookup: dict[str, str] = {}
        for name, pseudonym in self.key.items():
            if re.fullmatch(r"\w+", name):
                lookup.setdefault(name, pseudonym)
                continue
            lookup[name.lower()] = pseudonym
            parts = name.split()
            if len(parts) > 1:  # "Maria Lopez" also hides "Maria" and "Lopez"
                for part in parts:
                    if len(part) >= 3 and part[0].isupper():
                        lookup.setdefault(part, pseudonym)
        if not lookup:
            return None, lookup
        names = sorted(lookup, key=len, reverse=True)
        # keys written lower-case (names of several words, e-mail addresses) match in any case
        alternation = "|".join(rf"(?i:{re.escape(n)})" if n.islower() else re.escape(n) for n in names)
        return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"), lookup

    def text(self, text: str) -> str:
        """Replace every known name in ``text`` (whole words; a single-word name only as written).

        Examples
        --------
        >>> p = Pseudonymiser(key={"Will Park": "P01", "Kim": "P02"})
        >>> p.text("I will ask WILL PARK, then Will and Kim; kim is a word here.")
        'I will ask P01, then P01 and P02; kim is a word here.'
        """
        pattern, lookup = self._pattern()
        if pattern is None:
            return text
        return pattern.sub(lambda m: lookup.get(m.group(0), lookup.get(m.group(0).lower(), m.group(0))), text)


def read_key(path: Path) -> dict[str, str]:
    """Read a key file (``name,pseudonym``).

    Raises
    ------
    InputError
        When the file lacks those columns or maps two names to one pseudonym.
    """
    from nlpthemes.io._decode import read_text_file

    rows = list(csv.DictReader(read_text_file(path).text.splitlines()))
    if rows and not {"name", "pseudonym"} <= set(rows[0]):
        raise InputError(path, "a pseudonym key needs the columns name,pseudonym")
    key = {r["name"]: r["pseudonym"] for r in rows if r.get("name")}
    if len(set(key.values())) != len(key):
        raise InputError(path, "two names share one pseudonym")
    return key


def write_key(key: Mapping[str, str], path: Path) -> None:
    """Write the key atomically (a crash never leaves half a key)."""
    from nlpthemes.io._atomic import atomic_text

    with atomic_text(path, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "pseudonym"])
        pairs: list[tuple[str, str]] = sorted(key.items(), key=itemgetter(1))
        for name, pseudonym in pairs:
            writer.writerow([name, pseudonym])
