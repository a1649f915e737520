"""The unit of work of a batch run: one input file in, its transcripts' outputs and a marker out.

Everything here is a plain function of (file, pipeline, output folder), so
the same code runs in the local loop, on Dask workers and in Ray actors. Each output file
is written atomically (temporary file, then rename) and the file's
completion marker is written last: a run killed at any moment leaves either
a marker whose outputs are all complete, or no marker (the file is redone).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlpthemes.corpus import Sentence, Transcript
from nlpthemes.errors import InputError, ReadingWarning
from nlpthemes.io import ReadOptions
from nlpthemes.io._atomic import atomic_path, atomic_text
from nlpthemes.io._csv import write_csv
from nlpthemes.manifest import file_sha256

__all__ = ["Prepared", "WorkSpec", "embed_group", "file_key", "list_inputs", "load_checked", "marker_path", "record_result", "novel_path", "prepare",
           "process_files", "read_marker", "transcript_folder", "write_file_outputs"]

WORK = ".batch"
TRANSCRIPTS = "transcripts"
_SAFE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$")


def _safe_name(transcript_id: str) -> str:
    """A file name for a transcript id: the id itself when it is a plain name, else a cleaned one
    with a short hash (ids from CSV columns may hold ``/``, ``..`` or anything else).

    Examples
    --------
    >>> _safe_name("p01"), _safe_name("../etc/x")
    ('p01', 'etc_x-2215be8e')
    """
    if _SAFE.match(transcript_id) and transcript_id not in (".", ".."):
        return transcript_id
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", transcript_id).strip("._")[:80] or "transcript"
    return f"{cleaned}-{hashlib.sha256(transcript_id.encode()).hexdigest()[:8]}"


def transcript_folder(out: str | Path, transcript_id: str) -> Path:
    """The folder of one transcript's outputs, always inside ``out/transcripts``."""
    return Path(out) / TRANSCRIPTS / _safe_name(transcript_id)


def novel_path(out: str | Path, transcript_id: str) -> Path:
    """Where the vectors of a transcript's novel sentences are kept until the end of the run."""
    return Path(out) / WORK / "novel" / f"{_safe_name(transcript_id)}.npy"


@dataclass(frozen=True)
class WorkSpec:
    """What every unit of work needs to know besides its file (picklable, for Dask and Ray)."""

    out: str
    pipeline_dir: str
    pipeline_id: str
    options: ReadOptions = ReadOptions()
    attributes: str | None = None
    attributes_sha256: str | None = None
    pseudonyms: tuple[tuple[str, str], ...] = ()

    def fingerprint(self) -> str:
        """Everything besides the input file that changes a file's outputs."""
        parts: list[Any] = [self.pipeline_id, repr(self.options), self.attributes_sha256]
        if self.pseudonyms:  # another key gives other outputs
            parts.append(hashlib.sha256(json.dumps(self.pseudonyms).encode()).hexdigest())
        return json.dumps(parts)

    def pseudonymiser(self) -> Any:
        """The :class:`~nlpthemes.pseudonymise.Pseudonymiser` of this run, or ``None``."""
        if not self.pseudonyms:
            return None
        from nlpthemes.pseudonymise import Pseudonymiser

        return Pseudonymiser(key=dict(self.pseudonyms))


@dataclass
class Prepared:
    """A file read and segmented, ready to embed."""

    path: str
    sha256: str
    key: str
    transcripts: list[Transcript] = field(default_factory=list)
    sentences: list[list[Sentence]] = field(default_factory=list)
    error: str | None = None

    @property
    def n_sentences(self) -> int:
        """Sentences in all its transcripts."""
        return sum(len(s) for s in self.sentences)


def list_inputs(paths: Sequence[str | Path], attributes: str | Path | None,
                exclude: Sequence[str | Path] = ()) -> list[Path]:  # fmt: skip
    """The files a batch reads, in a stable order (folders expanded as ``read_corpus`` does).

    Files inside ``exclude`` (the output and pipeline folders, when they sit
    inside an input folder) are left out, so a second run does not read the
    first run's tables as transcripts.
    """
    from nlpthemes.io import _expand

    skip = {Path(attributes).resolve()} if attributes else set()
    fences = [Path(e).resolve() for e in exclude]
    files = []
    for path, explicit in _expand(paths):
        resolved = path.resolve()
        if not explicit and (resolved in skip or any(resolved.is_relative_to(f) for f in fences)):
            continue
        files.append(path)
    return list(dict.fromkeys(files))


def file_key(path: str | Path, sha256: str, spec: WorkSpec) -> str:
    """Key of one file's completed work: its path, its bytes, the pipeline and the options.

    Examples
    --------
    >>> len(file_key("a.txt", "00" * 32, WorkSpec(out="o", pipeline_dir="p", pipeline_id="x")))
    40
    """
    text = json.dumps([str(path), sha256, spec.fingerprint()])
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def marker_path(out: str | Path, key: str) -> Path:
    """Where the completion marker of the work ``key`` lives."""
    return Path(out) / WORK / "done" / f"{key}.json"


def read_marker(out: str | Path, key: str) -> dict[str, Any] | None:
    """The marker of a completed file whose outputs all exist, else ``None``."""
    path = marker_path(out, key)
    if not path.is_file():
        return None
    try:
        marker: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, OSError):
        return None
    names = ("sentences.csv", "sentence_themes.csv", "suggestions.csv")
    if all((transcript_folder(out, t) / n).is_file() for t in marker.get("transcripts", []) for n in names):
        return marker
    return None


@functools.lru_cache(maxsize=4)
def _attribute_rows(path: str, sha256: str | None) -> tuple[Any, ...]:
    from nlpthemes.io import read_attributes

    return tuple(read_attributes(Path(path)))


def prepare(path: str | Path, spec: WorkSpec, *, sha256: str | None = None) -> Prepared:
    """Read and segment one file (errors are kept, not raised, so other files go on)."""
    from nlpthemes.io import read_transcripts
    from nlpthemes.io.attributes import apply_attributes
    from nlpthemes.segment import segment_transcript

    digest = sha256 or file_sha256(path)
    prepared = Prepared(path=str(path), sha256=digest, key=file_key(path, digest, spec))
    try:
        with warnings.catch_warnings():  # kept in each transcript's reading, reported by the run
            warnings.simplefilter("ignore", ReadingWarning)
            transcripts = read_transcripts(path, spec.options)
        rows = _attribute_rows(spec.attributes, spec.attributes_sha256) if spec.attributes else ()
    except InputError as exc:
        prepared.error = str(exc)
        return prepared
    language = None if spec.options.language == "auto" else spec.options.language
    for transcript in transcripts:
        if rows:
            transcript = apply_attributes(transcript, rows)
        prepared.transcripts.append(transcript)
        prepared.sentences.append(segment_transcript(transcript, language=language))
    return prepared


def _hide_names(rows: Sequence[dict[str, Any]], pseudonymiser: Any) -> None:
    """Replace names in the ``text`` and ``speaker`` fields of output rows, in place."""
    if pseudonymiser is None:
        return
    for row in rows:
        if row.get("text"):
            row["text"] = pseudonymiser.text(str(row["text"]))
        if row.get("speaker"):
            row["speaker"] = pseudonymiser.speaker(str(row["speaker"]))


def write_file_outputs(prepared: Prepared, vectors: Sequence[Any], pipeline: Any, spec: WorkSpec) -> dict[str, Any]:
    """Assign, suggest and write every transcript of one file, then its marker; return the marker.

    ``vectors`` holds one array per transcript (rows follow its sentences).
    With ``spec.pseudonyms``, names in speakers and texts are replaced.
    """
    import numpy as np

    from nlpthemes.io.sentences_table import write_sentences_csv
    from nlpthemes.jobs._batch_tables import theme_rows
    from nlpthemes.suggest import SUGGESTION_COLUMNS, suggestion_rows

    out = Path(spec.out)
    labels = {t.id: t.label for t in pipeline.theme_model.themes_}
    labels[-1] = "outliers"
    include = pipeline.config.include_interviewers
    n_sentences = n_novel = 0
    pseudonymiser = spec.pseudonymiser()
    if pseudonymiser is not None:
        labels = {theme: pseudonymiser.text(label) for theme, label in labels.items()}
    for transcript, sentences, x in zip(prepared.transcripts, prepared.sentences, vectors, strict=True):
        folder = transcript_folder(out, transcript.id)
        result = pipeline.assign(sentences, x)
        write_sentences_csv(sentences, folder / "sentences.csv", pseudonymiser=pseudonymiser)
        columns, rows = theme_rows(result, labels)
        _hide_names(rows, pseudonymiser)
        write_csv(folder / "sentence_themes.csv", rows, columns)
        keep = np.array([include or not s.is_interviewer for s in sentences], dtype=bool)
        targets = [s for s, k in zip(sentences, keep, strict=True) if k]
        suggestions = suggestion_rows(targets, pipeline.suggester.codes_, result.proba[keep], result.applied[keep],
                                      top_k=pipeline.config.top_k)  # fmt: skip
        _hide_names(suggestions, pseudonymiser)
        write_csv(folder / "suggestions.csv", suggestions, SUGGESTION_COLUMNS)
        novel = np.asarray(x, dtype=np.float32)[result.novel]
        with atomic_path(novel_path(out, transcript.id)) as tmp:
            with open(tmp, "wb") as handle:
                np.save(handle, novel)
        n_sentences += len(sentences)
        n_novel += int(result.novel.sum())
    from nlpthemes.jobs._reading import hide_names, reading_report

    marker = {
        "file": prepared.path, "sha256": prepared.sha256, "pipeline": spec.pipeline_id,
        "transcripts": [t.id for t in prepared.transcripts], "sentences": n_sentences, "novel": n_novel,
        "reading": hide_names(reading_report(prepared.transcripts, [s for group in prepared.sentences for s in group]),
                              pseudonymiser),
    }  # fmt: skip
    with atomic_text(marker_path(out, prepared.key)) as handle:
        json.dump(marker, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return marker


def embed_group(group: list[Prepared], embedder: Any) -> list[list[Any]]:
    """One encode call for a group of files (repeated sentences embedded once); split back per transcript."""
    texts = [s.text for p in group for sentences in p.sentences for s in sentences]
    vectors = embedder.encode(texts)
    out, row = [], 0
    for p in group:
        per = []
        for sentences in p.sentences:
            per.append(vectors[row : row + len(sentences)])
            row += len(sentences)
        out.append(per)
    return out


def load_checked(spec: WorkSpec, device: str | None, cache: bool) -> Any:
    """Load the run's pipeline on a worker; fail if it is not the one the run started with."""
    from nlpthemes.jobs.pipeline import load_pipeline

    pipeline = load_pipeline(spec.pipeline_dir, device=device, cache=cache, allow_version_mismatch=True)
    if pipeline.pipeline_id != spec.pipeline_id:
        raise InputError(spec.pipeline_dir, "the pipeline changed while the batch was running")
    return pipeline


def process_files(items: Sequence[tuple[str, str]], spec: WorkSpec, pipeline: Any) -> list[dict[str, Any]]:
    """Process ``(path, sha256)`` files on a worker: one encode call for them all, then outputs and marker per file.

    Returns, per file, its marker, or ``{"file", "error"}`` when it could not be read.
    """
    prepared = [prepare(path, spec, sha256=digest) for path, digest in items]
    good = [p for p in prepared if p.error is None]
    results: dict[str, dict[str, Any]] = {p.path: {"file": p.path, "error": p.error} for p in prepared if p.error}
    if good:
        for p, vectors in zip(good, embed_group(good, pipeline.embedder), strict=True):
            results[p.path] = write_file_outputs(p, vectors, pipeline, spec)
    return [results[str(path)] for path, _ in items]


def record_result(result: dict[str, Any], claims: Any, tick: Callable[[str, int, str | None], None],
                  markers: list[dict[str, Any]]) -> None:  # fmt: skip
    """Count one file's result from a cluster worker: an unreadable file, or its transcripts and marker."""
    if "error" in result and "transcripts" not in result:
        tick(result["file"], 0, result["error"])
        return
    claims.take(result["transcripts"], result["file"])
    markers.append(result)
    tick(result["file"], int(result["sentences"]), None)
