"""Reviewing the machine's suggestions in a local web page, the suggester learning from every decision.

The pieces, one job each: the inputs (:func:`load_inputs`), the coder's
decisions on disk (:class:`DecisionStore`), the learning suggester
(:class:`Learner`, :func:`new_suggester`), coder-machine agreement on the
decided sentences (:func:`live_agreement`), the session tying them together
(:class:`ReviewSession`), and the guarded web app and its server
(:func:`create_app`, :func:`serve`). The command is ``nlpthemes review``
(:func:`nlpthemes.jobs.review.run_review`).
"""

from nlpthemes.review._agreement import live_agreement
from nlpthemes.review._app import create_app
from nlpthemes.review._decisions import CoderState, Coding, fold
from nlpthemes.review._inputs import ReviewInputs, load_inputs
from nlpthemes.review._learner import Learner, Scores, Snapshot, active_order, new_suggester
from nlpthemes.review._server import serve
from nlpthemes.review._session import ORDERS, ReviewSession
from nlpthemes.review._store import DecisionStore, coder_folder
from nlpthemes.review._training import sentence_labels, training_view

__all__ = ["ORDERS", "Coding", "CoderState", "DecisionStore", "Learner", "ReviewInputs", "ReviewSession", "Scores",
           "Snapshot", "active_order", "coder_folder", "create_app", "fold", "live_agreement", "load_inputs",
           "new_suggester", "sentence_labels", "serve", "training_view"]
