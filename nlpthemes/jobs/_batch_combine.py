"""The end of a batch run: combined tables, what is new, the shift in theme shares, a summary.

Everything here is computed from the per-transcript outputs on disk (never
from what one process happened to hold in memory), so a resumed run and an
uninterrupted one write the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlpthemes.errors import NlpthemesError
from nlpthemes.io._csv import write_csv
from nlpthemes.jobs._batch_tables import concat_csv, group_counts, shift_table
from nlpthemes.jobs._batch_work import novel_path, transcript_folder

__all__ = ["Combined", "combine_outputs"]

NEW_THEME_COLUMNS = ("id", "label", "size", "share_of_novel", "keywords", "nearest_theme", "nearest_theme_label",
                     "nearest_theme_similarity", "nearest_code", "nearest_code_similarity")  # fmt: skip


@dataclass
class Combined:
    """What the combined outputs say (for the summary and the manifest)."""

    n_transcripts: int = 0
    n_sentences: int = 0
    n_analysed: int = 0
    n_novel: int = 0
    theme_counts: dict[int, int] = field(default_factory=dict)
    new_themes: Any = None
    shift: Any = None
    note: str = ""
    files: dict[str, str] = field(default_factory=dict)


def _novel_sentences(out: Path, transcripts: Sequence[str]) -> tuple[Any, Any]:
    """Rows and vectors of every novel sentence, in transcript order."""
    import pandas as pd

    from nlpthemes.corpus import Sentence

    rows, vectors, sentences = [], [], []
    for tid in transcripts:
        folder = transcript_folder(out, tid)
        themes = pd.read_csv(folder / "sentence_themes.csv", dtype={"transcript": str}, keep_default_na=False)
        novel = themes[themes["novel"] == 1]
        if novel.empty:
            continue
        text = pd.read_csv(folder / "sentences.csv", dtype={"transcript": str, "text": str}, keep_default_na=False)
        by_index = dict(zip(text["index"], text["text"], strict=True))
        vectors.append(np.load(novel_path(out, tid), allow_pickle=False))
        for r in novel.itertuples(index=False):
            speaker = str(r.speaker) or None
            sentences.append(Sentence(tid, int(r.index), int(r.start), int(r.end), by_index[r.index], speaker))
            rows.append({"transcript": tid, "index": int(r.index), "start": int(r.start), "end": int(r.end),
                         "speaker": r.speaker, "text": by_index[r.index], "theme_similarity": r.theme_similarity,
                         "code_similarity": r.code_similarity})  # fmt: skip
    matrix = np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
    return (rows, sentences), matrix


def _new_themes(out: Path, transcripts: Sequence[str], pipeline: Any, combined: Combined) -> None:
    import pandas as pd

    from nlpthemes.themes import ThemeModel, quotes_table
    from nlpthemes.themes._sizing import MIN_SENTENCES

    (rows, sentences), x = _novel_sentences(out, transcripts)
    table = pd.DataFrame(rows, columns=["transcript", "index", "start", "end", "speaker", "text",
                                        "theme_similarity", "code_similarity"])  # fmt: skip
    table["new_theme"] = -1
    themes = pd.DataFrame(columns=list(NEW_THEME_COLUMNS))
    quotes = quotes_table([])
    if len(sentences) < MIN_SENTENCES:
        combined.note = f"{len(sentences)} sentences far from every code and theme: too few to cluster"
    else:
        model = ThemeModel(language=pipeline.theme_model.language, min_words=pipeline.theme_model.min_words,
                           include_interviewers=True, random_state=pipeline.config.seed)  # fmt: skip
        try:
            model.fit([s.text for s in sentences], x, sentences=sentences)
        except NlpthemesError as exc:
            combined.note = f"no candidate new theme: {exc}"
        else:
            table["new_theme"] = model.labels_
            centres = model.centroids_
            old = centres @ pipeline.theme_model.centroids_.T
            codes = centres @ np.asarray(pipeline.suggester.prototypes_, dtype=np.float32).T
            old_labels = {t.id: t.label for t in pipeline.theme_model.themes_}
            themes = pd.DataFrame([{
                "id": t.id, "label": t.label, "size": t.size, "share_of_novel": round(t.size / len(sentences), 4),
                "keywords": "; ".join(t.keywords), "nearest_theme": int(old[t.id].argmax()),
                "nearest_theme_label": old_labels.get(int(old[t.id].argmax()), ""),
                "nearest_theme_similarity": round(float(old[t.id].max()), 4),
                "nearest_code": pipeline.suggester.codes_[int(codes[t.id].argmax())],
                "nearest_code_similarity": round(float(codes[t.id].max()), 4),
            } for t in model.themes_], columns=list(NEW_THEME_COLUMNS))  # fmt: skip
            quotes = quotes_table(model.themes_)
    write_csv(out / "new_themes.csv", themes, lineterminator="\n")
    write_csv(out / "new_theme_quotes.csv", quotes, lineterminator="\n")
    write_csv(out / "novel_sentences.csv", table, lineterminator="\n")
    combined.new_themes = themes
    combined.files.update({"new_themes": "new_themes.csv", "new_theme_quotes": "new_theme_quotes.csv",
                           "novel_sentences": "novel_sentences.csv"})  # fmt: skip


def _counts(out: Path, transcripts: Sequence[str], combined: Combined) -> Any:
    import pandas as pd

    from nlpthemes.jobs._batch_tables import THEME_ROW_COLUMNS

    frames = []
    for tid in transcripts:
        t = pd.read_csv(transcript_folder(out, tid) / "sentence_themes.csv", dtype=str, keep_default_na=False)
        combined.n_sentences += len(t)
        analysed = t[t["excluded"] == ""]
        combined.n_analysed += len(analysed)
        combined.n_novel += int((analysed["novel"] == "1").sum())
        for theme, n in analysed["theme"].astype(int).value_counts().items():
            combined.theme_counts[int(theme)] = combined.theme_counts.get(int(theme), 0) + int(n)
        attributes = [c for c in t.columns if c not in THEME_ROW_COLUMNS]
        themes = analysed["theme"].astype(int)
        parts = [pd.DataFrame({"by": "all", "group": "all", "theme": themes})]
        parts += [pd.DataFrame({"by": column, "group": analysed[column], "theme": themes}) for column in attributes]
        counted = pd.concat(parts, ignore_index=True).groupby(["by", "group", "theme"], sort=False).size()
        frames.append(counted.rename("count").reset_index())  # counts per transcript: memory stays small
    if not frames:
        return group_counts([], [], [])
    data = pd.concat(frames, ignore_index=True)
    return data.groupby(["by", "group", "theme"], sort=True)["count"].sum().reset_index()


def combine_outputs(out: Path, transcripts: Sequence[str], pipeline: Any, baseline: Any) -> Combined:
    """Write the combined tables, candidate new themes and the theme shift; return what they say."""
    combined = Combined(n_transcripts=len(transcripts))
    folders = [transcript_folder(out, t) for t in transcripts]
    for name in ("sentences", "sentence_themes", "suggestions"):
        concat_csv([f / f"{name}.csv" for f in folders], out / f"{name}.csv")
        combined.files[name] = f"{name}.csv"
    new_counts = _counts(out, transcripts, combined)
    labels = {t.id: t.label for t in pipeline.theme_model.themes_}
    combined.shift = shift_table(baseline, new_counts, labels)
    write_csv(out / "theme_shift.csv", combined.shift, lineterminator="\n")
    combined.files["theme_shift"] = "theme_shift.csv"
    _new_themes(out, transcripts, pipeline, combined)
    return combined
