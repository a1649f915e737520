"""Match candidate themes to the human codebook.

:class:`CodebookMatcher` scores every theme against every code, matches each
theme to its best code when the similarity clears a data-driven bar (a theme
may match a parent code when no leaf fits), and lists the themes no code
covers (candidate new codes) and the codes no theme supports.
"""

from nlpthemes.match._matcher import CodebookMatcher
from nlpthemes.match._tables import match_tables

__all__ = ["CodebookMatcher", "match_tables"]
