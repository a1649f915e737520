"""Library twins of the CLI commands: each composes the steps of one job.

The CLI only parses options and calls one of these; everything a command can
do is available from Python too.
"""

from nlpthemes.jobs.embed import EmbedResult, run_embed
from nlpthemes.jobs.segment import SegmentResult, run_segment
from nlpthemes.jobs.themes import ThemesResult, run_themes

__all__ = ["EmbedResult", "SegmentResult", "ThemesResult", "run_embed", "run_segment", "run_themes"]
