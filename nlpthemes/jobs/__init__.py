"""Library twins of the CLI commands: each composes the steps of one job.

The CLI only parses options and calls one of these; everything a command can
do is available from Python too.
"""

from nlpthemes.jobs.embed import EmbedResult, run_embed
from nlpthemes.jobs.segment import SegmentResult, run_segment

__all__ = ["EmbedResult", "SegmentResult", "run_embed", "run_segment"]
