"""The codebook: a hierarchy of codes with definitions, examples and criteria.

A :class:`Codebook` is an ordered, validated collection of frozen :class:`Code`
records. Codes refer to their parent by id; names are unique among siblings,
so a code is always reachable by its *path* (``"Aims > Objectives > Activity"``)
and, when its name is unique in the whole codebook, by its name alone. Codings
refer to codes that way (see :meth:`Codebook.ref` and :meth:`Codebook.find`).

Files are read and written by :mod:`nlpthemes.io.codebook_files`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from nlpthemes.errors import InputError

__all__ = ["PATH_SEPARATOR", "Code", "Codebook", "loose_reference"]

PATH_SEPARATOR = " > "
_COLOR = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")


@dataclass(frozen=True)
class Code:
    """One code (or a non-codable category node) of a codebook.

    Parameters
    ----------
    id : str
        Identifier, unique in the codebook (a REFI-QDA GUID, or the code's path).
    name : str
        Name, unique among the code's siblings.
    description : str
        Definition of the code.
    parent : str or None
        Id of the parent code; ``None`` for a top-level code.
    examples : tuple of str
        Example quotes.
    inclusion, exclusion : str
        When to apply the code, and when not to.
    codable : bool
        ``False`` for category nodes that only group other codes.
    color : str or None
        Display colour as ``#RRGGBB``.

    Examples
    --------
    >>> Code("c1", "Activity", parent="c0", examples=("we ran a workshop",)).parent
    'c0'
    """

    id: str
    name: str
    description: str = ""
    parent: str | None = None
    examples: tuple[str, ...] = ()
    inclusion: str = ""
    exclusion: str = ""
    codable: bool = True
    color: str | None = None


class Codebook:
    """An ordered, validated hierarchy of codes.

    Parameters
    ----------
    codes : iterable of Code
        The codes in display order (a parent may come after its children).
    source : str or Path or None
        The file the codes were read from, named in error messages.
    notes : sequence of str
        What reading the file noticed (columns not read, groups made from a grouping
        column); the commands print them.

    Raises
    ------
    InputError
        Empty codebook, empty names, duplicate ids, unknown parents, cycles,
        or two codes with the same name under one parent.

    Examples
    --------
    >>> cb = Codebook([
    ...     Code("a", "Aims", codable=False),
    ...     Code("o", "Objectives", parent="a"),
    ...     Code("x", "Activity", parent="o"),
    ... ])
    >>> len(cb), cb.path(cb["x"]), cb.depth("x")
    (3, 'Aims > Objectives > Activity', 2)
    >>> [c.name for c in cb.leaves()]
    ['Activity']
    >>> cb.find("Aims > Objectives").id
    'o'
    """

    def __init__(self, codes: Iterable[Code], *, source: str | Path | None = None,
                 notes: Iterable[str] = ()) -> None:  # fmt: skip
        self._codes: tuple[Code, ...] = tuple(codes)
        self.source = None if source is None else str(source)
        self.notes: tuple[str, ...] = tuple(notes)
        self._by_id: dict[str, Code] = {}
        self._children: dict[str | None, list[Code]] = {None: []}
        self._validate()
        self._paths: dict[str, str] = {c.id: self._build_path(c) for c in self._codes}
        self._by_path: dict[str, Code] = {}
        for code in self._codes:
            path = self._paths[code.id]
            if path in self._by_path:
                self._fail(f"two codes have the path {path!r}")
            self._by_path[path] = code
        self._by_name: dict[str, list[Code]] = {}
        self._by_loose: dict[str, list[Code]] = {}  # references written in another case or spacing
        for code in self._codes:
            self._by_name.setdefault(code.name, []).append(code)
            self._by_loose.setdefault(loose_reference(self._paths[code.id]), []).append(code)
            if code.name != self._paths[code.id]:
                self._by_loose.setdefault(loose_reference(code.name), []).append(code)

    # -- validation -------------------------------------------------------------------------
    def _fail(self, problem: str) -> None:
        raise InputError(self.source, problem)

    def _validate(self) -> None:
        if not self._codes:
            self._fail("the codebook has no codes")
        names = {c.id: c.name for c in self._codes}
        for code in self._codes:
            if not code.name.strip():
                self._fail(f"code {code.id!r} has an empty name")
            if code.color is not None and not _COLOR.fullmatch(code.color):
                self._fail(f"code {code.name!r}: colour {code.color!r} is not #RRGGBB")
            siblings = self._children.setdefault(code.parent, [])
            if any(s.name == code.name for s in siblings):
                where = "at the top level" if code.parent is None else (
                    f"under {names.get(code.parent, code.parent)!r}")
                self._fail(f"the name {code.name!r} is used twice {where}")
            siblings.append(code)
        for code in self._codes:
            if code.id in self._by_id:
                self._fail(f"two codes have the id {code.id!r}")
            self._by_id[code.id] = code
            self._children.setdefault(code.id, [])
        for code in self._codes:
            if code.parent is not None and code.parent not in self._by_id:
                self._fail(f"code {code.name!r} names an unknown parent {code.parent!r}")
        for code in self._codes:  # every chain of parents must end at a top-level code
            seen = {code.id}
            parent = code.parent
            while parent is not None:
                if parent in seen:
                    self._fail(f"code {code.name!r} is its own ancestor (a cycle of parents)")
                seen.add(parent)
                parent = self._by_id[parent].parent

    def _build_path(self, code: Code) -> str:
        return PATH_SEPARATOR.join(c.name for c in (*self.ancestors(code), code))

    # -- container protocol -----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[Code]:
        return iter(self._codes)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._by_id

    def __getitem__(self, code_id: str) -> Code:
        try:
            return self._by_id[code_id]
        except KeyError:
            raise KeyError(f"no code with id {code_id!r}") from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Codebook) and self._codes == other._codes

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Codebook({len(self)} codes, {len(self.leaves())} leaves)"

    @property
    def codes(self) -> tuple[Code, ...]:
        """All codes in order."""
        return self._codes

    # -- hierarchy --------------------------------------------------------------------------
    def _code(self, code: Code | str) -> Code:
        return self[code] if isinstance(code, str) else self[code.id]

    def roots(self) -> tuple[Code, ...]:
        """Top-level codes in order."""
        return tuple(self._children[None])

    def children(self, code: Code | str) -> tuple[Code, ...]:
        """Direct children of ``code`` (a Code or an id), in order."""
        return tuple(self._children[self._code(code).id])

    def parent(self, code: Code | str) -> Code | None:
        """The parent of ``code``, or ``None`` for a top-level code."""
        parent = self._code(code).parent
        return None if parent is None else self._by_id[parent]

    def ancestors(self, code: Code | str) -> tuple[Code, ...]:
        """Ancestors of ``code`` from the top level down to its parent."""
        chain: list[Code] = []
        parent = self.parent(code)
        while parent is not None:
            chain.append(parent)
            parent = self.parent(parent)
        return tuple(reversed(chain))

    def descendants(self, code: Code | str) -> tuple[Code, ...]:
        """All codes below ``code``, depth first, in order."""
        out: list[Code] = []
        for child in self.children(code):
            out.append(child)
            out.extend(self.descendants(child))
        return tuple(out)

    def walk(self) -> tuple[Code, ...]:
        """All codes depth first: each parent just before its children."""
        out: list[Code] = []
        for root in self.roots():
            out.append(root)
            out.extend(self.descendants(root))
        return tuple(out)

    def leaves(self) -> tuple[Code, ...]:
        """Codes without children, in order."""
        return tuple(c for c in self._codes if not self._children[c.id])

    def codable(self) -> tuple[Code, ...]:
        """Codes that may be applied to text (category nodes excluded)."""
        return tuple(c for c in self._codes if c.codable)

    def depth(self, code: Code | str) -> int:
        """Number of ancestors: 0 for a top-level code."""
        return len(self.ancestors(code))

    def max_depth(self) -> int:
        """Depth of the deepest code (0 for a flat codebook)."""
        return max(self.depth(c) for c in self._codes)

    # -- names and paths --------------------------------------------------------------------
    def path(self, code: Code | str) -> str:
        """Names from the top level down, joined by ``" > "``."""
        return self._paths[self._code(code).id]

    def ref(self, code: Code | str) -> str:
        """The shortest unambiguous reference: the name if unique, else the path.

        Examples
        --------
        >>> cb = Codebook([Code("a", "A"), Code("b", "B"), Code("ax", "X", parent="a"),
        ...                Code("bx", "X", parent="b")])
        >>> cb.ref("a"), cb.ref("bx")
        ('A', 'B > X')
        """
        code = self._code(code)
        named = self._by_name[code.name]
        by_path = self._by_path.get(code.name)
        if len(named) == 1 and (by_path is None or by_path.id == code.id):
            return code.name
        return self._paths[code.id]

    def find(self, ref: str) -> Code:
        """The code a reference names: a path, or a name unique in the codebook.

        A reference that matches nothing exactly is read without case and spacing
        differences, when that leaves one code it can mean (coders type
        ``peer support`` for *Peer Support*).

        Raises
        ------
        KeyError
            No code has that path or name, or the name is used by several codes
            (the message lists their paths).

        Examples
        --------
        >>> cb = Codebook([Code("s", "Support"), Code("p", "Peer Support", parent="s")])
        >>> cb.find("peer  support").id, cb.find("support>PEER SUPPORT").id
        ('p', 'p')
        """
        key = ref.strip()
        if key in self._by_path:
            return self._by_path[key]
        if ">" in key:  # tolerate "A>B" or "A  >  B"
            spaced = PATH_SEPARATOR.join(part.strip() for part in key.split(">"))
            if spaced in self._by_path:
                return self._by_path[spaced]
        named = self._by_name.get(key, [])
        if len(named) == 1:
            return named[0]
        if named:
            paths = ", ".join(repr(self._paths[c.id]) for c in named)
            raise KeyError(f"code name {key!r} is ambiguous: give its path ({paths})")
        loose = self._by_loose.get(loose_reference(key), [])
        if len(loose) == 1:  # 'peer support' for 'Peer Support': one code can be meant
            return loose[0]
        raise KeyError(f"no code named {key!r}")

    def names(self) -> list[str]:
        """The reference (:meth:`ref`) of every code, in order."""
        return [self.ref(c) for c in self._codes]


def loose_reference(reference: str) -> str:
    """A code reference without case and spacing differences (``"A>b  c"`` as ``"a > b c"``).

    Examples
    --------
    >>> loose_reference("Aims>Peer  Support ")
    'aims > peer support'
    """
    return PATH_SEPARATOR.join(" ".join(part.split()) for part in reference.casefold().split(">"))
