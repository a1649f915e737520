"""nlpthemes: NLP-assisted qualitative analysis of interview transcripts.

Local and offline: transcripts are read into sentences with exact character
offsets, embedded with a packaged sentence-transformers model, clustered into
candidate themes, matched to a human codebook, and compared with human coders.
"""

from nlpthemes.corpus import Corpus, Sentence, Transcript, Turn
from nlpthemes.errors import InputError, NlpthemesError, NotFittedError

__version__ = "0.1.0"

__all__ = [
    "Corpus",
    "InputError",
    "NlpthemesError",
    "NotFittedError",
    "Sentence",
    "Transcript",
    "Turn",
    "__version__",
]
