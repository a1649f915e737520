"""The analyze job's steps, each calling one library step and writing its tables."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlpthemes.io import ReadOptions
from nlpthemes.io._csv import write_csv
from nlpthemes.jobs._common import PseudonymOptions, json_ready, suggester_memory
from nlpthemes.pseudonymise import Pseudonymiser

__all__ = ["State"]

_MATCH_COLUMNS = {
    "matches": ["theme", "theme_label", "code", "level", "score", "threshold"],
    "uncovered": ["theme", "label", "size", "keywords", "best_code", "best_score"],
    "unsupported": ["code", "best_theme", "best_score"],
}


@dataclass
class State:
    """What the steps have produced so far (the job's working memory)."""

    out: Path
    seed: int
    quiet: bool
    announce: Callable[[str], None]
    files: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    pseudonymiser: Pseudonymiser | None = None
    human: Any = None
    book: Any = None
    machine: Any = None
    machine_name: str = "machine"
    match_tables: dict[str, Any] | None = None
    matcher: Any = None
    agreement: dict[str, Any] | None = None
    per_code: Any = None
    disagreements: Any = None
    long: Any = None
    items: Any = None
    frequencies: Any = None
    cooccurrence: Any = None
    comparison: Any = None
    group_column: str = "transcript"
    compared: tuple[str, str] | None = None
    comparison_note: str | None = None
    sheets: dict[str, Any] = field(default_factory=dict)

    # -- helpers ---------------------------------------------------------------------------
    def _text(self, value: Any) -> Any:
        return self.pseudonymiser.text(str(value)) if self.pseudonymiser and isinstance(value, str) else value

    def _save(self, key: str, name: str, table: Any) -> None:
        write_csv(self.out / name, table, lineterminator="\n")
        self.files[key] = name
        self.sheets[Path(name).stem] = table

    def _clock(self, name: str, since: float) -> None:
        self.timings[name] = time.perf_counter() - since

    @property
    def participant(self) -> Any:
        return np.array([not s.is_interviewer for s in self.sentences], dtype=bool)

    # -- steps -----------------------------------------------------------------------------
    def themes(self, paths: Sequence[str | Path], *, model: str | None, device: str | None, options: ReadOptions,
               attributes: str | Path | None, pseudonyms: PseudonymOptions, n_themes: int | str,
               min_theme_size: int | str) -> None:  # fmt: skip
        """Segment, embed, find themes (run_themes writes its tables), then keep the vectors."""
        import pandas as pd

        from nlpthemes.jobs._reading import column_lines, reading_warnings
        from nlpthemes.jobs.themes import run_themes

        started = time.perf_counter()
        self.announce("reading, embedding and finding themes")
        result = run_themes(
            paths, self.out, model=model, device=device, options=options, attributes=attributes,
            pseudonyms=pseudonyms, seed=self.seed, n_themes=n_themes, min_theme_size=min_theme_size,
            save_model=False, quiet=self.quiet, step=self.announce,
        )  # fmt: skip
        self.result, self.corpus, self.sentences = result, result.segmented.corpus, result.segmented.sentences
        self.model = result.model
        for key, name in (("sentences", "sentences.csv"), ("themes", "themes.csv"),
                          ("sentence_themes", "sentence_themes.csv"), ("themes_by_group", "themes_by_group.csv"),
                          ("quotes", "quotes.csv")):  # fmt: skip
            if (self.out / name).exists():
                self.files[key] = name
                self.sheets[Path(name).stem] = pd.read_csv(self.out / name, keep_default_na=False)
        self.warnings += [f"skipped {message}" for _, message in self.corpus.errors]
        self.warnings += reading_warnings(result.segmented.reading)
        self.notes += column_lines(result.segmented.reading)
        self.embedder = result.embedder  # the same model, and the vectors of the same sentences, in order
        self.vectors = np.asarray(result.vectors, dtype=np.float32)
        self.labels = dict(zip(result.themes["id"], result.themes["label"], strict=True))
        self._clock("segment_embed_themes", started)

    def groups(self, group_by: str | None, compare: Sequence[str] | None) -> None:
        """Choose the grouping attribute and the pair of groups to compare."""
        from nlpthemes.jobs._tables import choose_groups

        self.group_column, self.compared, self.comparison_note = choose_groups(self.sentences, group_by, compare)

    def read_codebook(self, codebook: str | Path) -> None:
        """Read the codebook."""
        from nlpthemes.io.codebook_files import read_codebook

        self.book = read_codebook(codebook)
        self.notes += self.book.notes

    def read_codings(self, codings: Sequence[str | Path]) -> None:
        """Read the human codings (quotes placed, unknown codes reported)."""
        from nlpthemes.jobs.suggest import load_human_codings, unused_codes_note

        if codings:
            self.human, notes = load_human_codings(codings, self.corpus.by_id(), self.book)
            self.warnings += notes + unused_codes_note(self.human, self.book)
            coders = set() if self.human is None else set(self.human["coder"].astype(str))
            while self.machine_name in coders:
                self.machine_name = f"{self.machine_name} (nlpthemes)"

    def match(self) -> None:
        """Match themes to codes; write matches, uncovered themes and unsupported codes."""
        import pandas as pd

        from nlpthemes.match import CodebookMatcher, match_tables

        started = time.perf_counter()
        self.announce("matching themes to the codebook")
        analysed = self.model.excluded_ == ""
        self.matcher = CodebookMatcher(embedder=self.embedder).fit(
            self.model.themes_, self.model.centroids_, self.book, sentence_embeddings=self.vectors[analysed]
        )
        tables = match_tables(self.matcher, self.model.themes_)
        frames = {}
        for key, rows in tables.items():
            frame = pd.DataFrame(rows)
            frame = frame if len(frame.columns) else pd.DataFrame(columns=_MATCH_COLUMNS[key])
            for column in frame.columns:
                if column in ("theme_label", "label", "keywords") or column.startswith("quote_"):
                    frame[column] = [self._text(v) for v in frame[column]]
            frames[key] = frame
        self.match_tables = frames
        self._save("theme_code_matches", "theme_code_matches.csv", frames["matches"])
        self._save("uncovered_themes", "uncovered_themes.csv", frames["uncovered"])
        self._save("unsupported_codes", "unsupported_codes.csv", frames["unsupported"])
        self._clock("match", started)

    def suggest(self, *, folds: int, top_k: int, judge: Any = None) -> None:
        """Code every sentence (cross-fitted by transcript); write ``suggestions.csv``."""
        import pandas as pd

        from nlpthemes.jobs._crossfit import machine_codes
        from nlpthemes.suggest import SUGGESTION_COLUMNS, suggestion_rows

        started = time.perf_counter()
        self.announce("suggesting codes")
        self.machine = machine_codes(self.sentences, self.vectors, self.book, self.human, embedder=self.embedder,
                                     folds=folds, top_k=top_k, seed=self.seed, progress=self.announce,
                                     judge=judge, memory=suggester_memory())  # fmt: skip
        keep = self.participant
        targets = [s for s, k in zip(self.sentences, keep, strict=True) if k]
        rows = suggestion_rows(targets, self.machine.codes, self.machine.proba[keep], self.machine.applied[keep],
                               top_k=top_k)  # fmt: skip
        table = pd.DataFrame(rows, columns=list(SUGGESTION_COLUMNS))
        table["text"] = [self._text(v) for v in table["text"]]
        self._save("suggestions", "suggestions.csv", table)
        self._clock("suggest", started)

    def agree(self, *, min_coverage: float, n_resamples: int, confidence_level: float) -> None:
        """Human-human and human-machine agreement; write agreement.json and its tables."""
        import json

        from nlpthemes.io._atomic import atomic_text
        from nlpthemes.jobs._agreement import agreement_long, agreement_results

        started = time.perf_counter()
        self.announce("measuring agreement")
        coded = set(self.human["transcript"].astype(str))
        mask = self.participant & np.array([s.transcript_id in coded for s in self.sentences], dtype=bool)
        units = [s for s, k in zip(self.sentences, mask, strict=True) if k]
        self.long = agreement_long(units, self.human, machine_applied=self.machine.applied[mask],
                                   codes=self.machine.codes, machine=self.machine_name, min_coverage=min_coverage)
        n_folds = len({f["fold"] for f in self.machine.folds if f["fold"] >= 0})
        method = {
            "unit": "sentence", "units": "participant sentences of the coded transcripts",
            "min_coverage": min_coverage, "n_units": len(units), "n_coded_transcripts": len(coded),
            "folds": n_folds,
            "machine_coder": {
                "how": "cross-fitted by transcript: codes for the transcripts of one fold come from a suggester "
                       "fitted on the other folds' human codings only",
                "folds": self.machine.folds,
            },
        }  # fmt: skip
        self.agreement, self.per_code = agreement_results(
            self.long, self.machine.codes, machine=self.machine_name, method=method, n_resamples=n_resamples,
            confidence_level=confidence_level, seed=self.seed, progress=not self.quiet,
        )  # fmt: skip
        self.warnings += self.agreement["notes"]
        with atomic_text(self.out / "agreement.json") as handle:
            json.dump(json_ready(self.agreement), handle, indent=2, ensure_ascii=False, allow_nan=False)
            handle.write("\n")
        self.files["agreement"] = "agreement.json"
        self._save("agreement_per_code", "agreement_per_code.csv", self.per_code)
        self.disagreements = self._disagreements(units, mask)
        self._save("disagreements", "disagreements.csv", self.disagreements)
        self._clock("agreement", started)

    def _disagreements(self, units: Sequence[Any], mask: Any) -> Any:
        from nlpthemes.agreement import disagreement_table

        texts = {f"{s.transcript_id}#{s.index}": self._text(s.text) for s in units}
        table = disagreement_table(self.long.drop(columns=["text"]), texts=texts)
        row_of = {f"{s.transcript_id}#{s.index}": i for i, s in enumerate(units)}
        col_of = {c: j for j, c in enumerate(self.machine.codes)}
        proba, applied = self.machine.proba[mask], self.machine.applied[mask]
        humans = [c for c in table.columns[3:] if c != self.machine_name]
        scores, between, surprise = [], [], []
        for row in table.to_dict("records"):
            i, j = row_of[row["unit"]], col_of.get(row["code"])
            score = float(proba[i, j]) if j is not None else float("nan")
            scores.append(round(score, 4))
            said = {row[h] != "" and row["code"] in str(row[h]).split("; ") for h in humans if row[h] != ""}
            between.append("human-human" if len(said) > 1 else "human-machine")
            surprise.append(score if j is not None and applied[i, j] else 1 - score)
        table.insert(0, "between", between)
        table["machine_score"] = scores
        table["_order"] = [0 if b == "human-human" else 1 for b in between]
        table["_surprise"] = surprise
        table = table.sort_values(["_order", "_surprise"], ascending=[True, False], kind="stable")
        return table.drop(columns=["_order", "_surprise"]).reset_index(drop=True)

    def code_tables(self) -> None:
        """Code frequencies by group and code co-occurrence within turns."""
        import pandas as pd

        from nlpthemes.compare import cooccurrence
        from nlpthemes.jobs._tables import code_frequencies, code_items, unit_frame

        units = unit_frame(self.sentences, self.group_column)
        self.items = code_items(units, self.long, self.machine.applied[self.participant], self.machine.codes,
                                self.machine_name)  # fmt: skip
        self.frequencies = code_frequencies(self.items)
        self._save("code_frequencies", "code_frequencies.csv", self.frequencies)
        frames = [cooccurrence(part, context=["transcript", "turn"], item="code").assign(source=source)
                  for source, part in self.items.groupby("source", sort=True)]  # fmt: skip
        self.cooccurrence = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if len(self.cooccurrence):
            self.cooccurrence = self.cooccurrence[["source", *[c for c in self.cooccurrence.columns if c != "source"]]]
        self._save("cooccurrence", "cooccurrence.csv", self.cooccurrence)

    def group_tables(self) -> None:
        """The two groups compared on codes and themes."""
        from nlpthemes.jobs._tables import group_comparison

        if self.compared is None:
            return
        themes = self.result.sentences.assign(label=[self.labels.get(int(t), "") for t in self.result.sentences["theme"]])
        self.comparison = group_comparison(self.items, themes, self.group_column, self.compared)
        self._save("group_comparison", "group_comparison.csv", self.comparison)
