"""The report's sections, each from results (tables and dicts) to an HTML fragment."""

from __future__ import annotations

from typing import Any

from nlpthemes.report import _figures as fig
from nlpthemes.report._data import ReportData
from nlpthemes.report._html import esc, fmt, table
from nlpthemes.report._methods import methods_text

__all__ = ["SECTIONS"]

Section = tuple[str, str, str]


def overview(d: ReportData) -> Section:
    o = d.overview
    kpis = [("transcripts", o.get("n_transcripts")), ("participants", o.get("n_participants")),
            ("sentences", o.get("n_sentences")), ("participant sentences", o.get("n_participant_sentences")),
            ("themes", int((d.themes["level"] == 0).sum() - (d.themes["id"] == -1).sum()) if len(d.themes) else 0),
            ("run time", f"{o.get('seconds', 0):.0f} s")]  # fmt: skip
    body = "".join(f'<span class="kpi"><b>{esc(v)}</b>{esc(k)}</span>' for k, v in kpis)
    body += (f"<p>Embedding model: <b>{esc(o.get('model'))}</b>"
             + (f" (weights SHA-256 <code>{esc(str(o.get('model_hash'))[:16])}…</code>)" if o.get("model_hash") else "")
             + f". Created {esc(o.get('created'))}. Participants are grouped by <b>{esc(d.group_column)}</b>.</p>")  # fmt: skip
    body += ("<p class=\"note\">Speaker names are pseudonymised (the key is stored apart, in "
             "<code>pseudonym_key.csv</code>).</p>" if o.get("pseudonymised") else
             "<p class=\"warn\">Not pseudonymised: real names may appear below.</p>")  # fmt: skip
    if d.notes:
        body += "<h3>Notes</h3><ul>" + "".join(f'<li class="warn">{esc(n)}</li>' for n in d.notes) + "</ul>"
    return "overview", "Overview", body


def _hierarchy(themes: Any) -> str:
    level0 = themes[(themes["level"] == 0) & (themes["id"] >= 0)]
    groups = themes[themes["level"] > 0]
    children: dict[str, list[Any]] = {}
    for row in [*groups.to_dict("records"), *level0.to_dict("records")]:
        children.setdefault(str(row["parent"]), []).append(row)

    def render(parent: str, depth: int) -> str:
        items = []
        for row in children.get(parent, []):
            kind = "group" if row["level"] > 0 else "theme"
            inner = render(str(row["id"]), depth + 1) if kind == "group" and depth < 4 else ""
            items.append(f"<li>{esc(kind)} {esc(row['id'])}: <b>{esc(row['label'])}</b> "
                         f"<span class=\"note\">({esc(row['size'])} sentences)</span>{inner}</li>")  # fmt: skip
        return f'<ul class="tree">{"".join(items)}</ul>' if items else ""

    return render("", 0) if len(groups) else ""


def themes_section(d: ReportData) -> Section:
    t = d.themes
    body = ('<p>Candidate themes: groups of similar participant sentences, each with its keywords and the '
            'sentences closest to its centre. They are suggestions to read, rename, merge or discard.</p>')
    if d.theme_points is not None and len(d.theme_points):
        body += "<h3>Theme map</h3><p class=\"note\">Each dot is a sentence (first two principal components of " \
                "its embedding); diamonds are theme centres.</p>" + fig.theme_map_figure(d.theme_points, d.theme_centres)
    tree = _hierarchy(t)
    if tree:
        body += "<h3>Hierarchy</h3>" + tree
    quotes = d.quotes.groupby("theme") if len(d.quotes) else None
    body += "<h3>Themes</h3>"
    for row in t[(t["level"] == 0) & (t["id"] >= 0)].to_dict("records"):
        body += (f'<div class="theme"><b>Theme {esc(row["id"])}: {esc(row["label"])}</b> '
                 f'<span class="note">{esc(row["size"])} sentences ({fmt(100 * row["share"], 1)}%)</span>'
                 f'<div class="kw">{esc(row["keywords"])}</div>')  # fmt: skip
        if quotes is not None and row["id"] in quotes.groups:
            for q in quotes.get_group(row["id"]).head(3).to_dict("records"):
                body += (f"<blockquote>“{esc(q['text'])}”<cite>{esc(q['transcript'])}"
                         f"{', ' + esc(q['speaker']) if q.get('speaker') else ''}</cite></blockquote>")  # fmt: skip
        body += "</div>"
    outliers = t[t["id"] == -1]
    if len(outliers):
        body += f'<p class="note">{esc(outliers["size"].iloc[0])} analysed sentences fit no theme (outliers).</p>'
    if d.theme_groups is not None and len(d.theme_groups):
        body += "<h3>Themes by participant group</h3>" + _theme_heatmap(d)
    return "themes", "Themes", body


def _theme_heatmap(d: ReportData) -> str:
    dist = d.theme_groups[d.theme_groups["theme"] >= 0]
    if dist.empty:
        return '<p class="note">(no themed sentences)</p>'
    share = dist.pivot_table(index=["theme", "label"], columns="group", values="share", fill_value=0.0)
    count = dist.pivot_table(index=["theme", "label"], columns="group", values="count", fill_value=0)
    rows = [f"{t}: {lab}" for t, lab in share.index]
    return fig.heatmap(rows, [str(c) for c in share.columns], share.to_numpy(), count.to_numpy(),
                       title=f"Share of each group's sentences in each theme (group: {d.group_column})",
                       value_name="share")  # fmt: skip


def codebook_section(d: ReportData) -> Section:
    if d.matches is None:
        return "codebook", "Themes and codebook", '<p class="note">No codebook given.</p>'
    body = ("<p>Each theme is matched to the code it is closest to in meaning when the similarity clears a "
            "data-driven bar. Uncovered themes are candidate new codes; unsupported codes are codes no theme "
            "matched (they may be rare, or phrased unlike what participants said).</p>")
    body += "<h3>Matched themes</h3>" + table(d.matches, source="theme_code_matches.csv")
    body += "<h3>Themes the codebook does not cover</h3>" + table(
        d.uncovered, [c for c in ("theme", "label", "size", "keywords", "best_code", "best_score", "quote_1")
                      if c in getattr(d.uncovered, "columns", [])], source="uncovered_themes.csv")  # fmt: skip
    body += "<h3>Codes no theme supports</h3>" + table(d.unsupported, max_rows=100, source="unsupported_codes.csv")
    return "codebook", "Themes and codebook", body


def codes_section(d: ReportData) -> Section:
    if d.code_frequencies is None or not len(d.code_frequencies):
        return "codes", "Codes", '<p class="note">No codes were applied.</p>'
    body = ""
    for source in ("human", "machine"):
        part = d.code_frequencies[d.code_frequencies["source"] == source]
        if part.empty:
            continue
        totals = part.groupby("code")["count"].sum().sort_values(ascending=False)
        top = list(totals.index[:40])
        share = part.pivot_table(index="code", columns="group", values="share", fill_value=0.0).reindex(top)
        count = part.pivot_table(index="code", columns="group", values="count", fill_value=0).reindex(top)
        who = "human coders (pooled)" if source == "human" else "the machine coder"
        body += f"<h3>Codes applied by {who}, by {esc(d.group_column)}</h3>"
        body += fig.heatmap(list(top), [str(c) for c in share.columns], share.to_numpy(), count.to_numpy(),
                            title=f"Share of sentences with each code ({who})", value_name="share")  # fmt: skip
    if d.cooccurrence is not None:
        body += ("<h3>Codes that come up together</h3><p class=\"note\">Pairs of codes applied in the same speaker "
                 "turn; lift above 1 means together more often than if unrelated.</p>")
        body += table(d.cooccurrence, max_rows=30, source="cooccurrence.csv")
    return "codes", "Codes", body


def groups_section(d: ReportData) -> Section:
    if d.comparison is None or not len(d.comparison) or d.compared is None:
        note = d.comparison_note or "No two groups to compare."
        return "groups", "Comparing groups", f'<p class="note">{esc(note)}</p>'
    a, b = d.compared
    body = (f"<p>Codes and themes that differ most between <b>{esc(a)}</b> and <b>{esc(b)}</b> "
            f"(by <b>{esc(d.group_column)}</b>): share of each group's sentences, log odds ratio and its z score. "
            "Read the counts: sentences of one interview are not independent and many items are tested at once, "
            "so p-values are a guide, not a test.</p>")  # fmt: skip
    body += fig.comparison_chart(d.comparison, a, b)
    cols = ["kind", "source", "item", "count_a", "share_a", "count_b", "share_b", "log_odds_ratio", "z", "p_value"]
    body += table(d.comparison, cols, max_rows=30, source="group_comparison.csv")
    return "groups", "Comparing groups", body


def agreement_section(d: ReportData) -> Section:
    a = d.agreement
    if a is None:
        return "agreement", "Agreement", '<p class="note">No human codings given, so no agreement to measure.</p>'
    body = (f"<p>Units: participant sentences of the {esc(a.get('n_coded_transcripts'))} coded transcripts "
            f"({esc(a.get('n_units'))} sentences). The machine coder's codes for each transcript come from a suggester "
            f"trained on the other transcripts' codes only ({esc(a.get('folds'))} folds by transcript), so its "
            "agreement is not inflated by having seen the codes it is judged against.</p>")  # fmt: skip
    rows = []
    if a.get("human_human"):
        rows.append(_summary_row("human-human (all human coders)", a["human_human"]))
    for coder, summary in (a.get("human_machine") or {}).items():
        rows.append(_summary_row(f"{coder} vs machine", summary))
    body += "<h3>All codes at once</h3>" + table(rows, max_rows=50)
    body += ('<p class="note">Units carry sets of codes; alpha uses the MASI distance between sets. Most '
             'sentences carry no code, which weighs heavily here: read the per-code figures.</p>')
    if d.per_code is not None and len(d.per_code):
        pc = d.per_code
        order = list(pc.groupby("code")["n_a"].max().sort_values(ascending=False).index)
        body += "<h3>Per code</h3>" + fig.agreement_chart(pc, order)
        cols = ["code", "kind", "coder_a", "coder_b", "n_units", "n_a", "n_b", "cohen_kappa", "kappa_low",
                "kappa_high", "krippendorff_alpha", "alpha_low", "alpha_high", "gwet_ac1", "percent_agreement"]
        body += table(pc, cols, max_rows=200, source="agreement_per_code.csv")
    if d.disagreements is not None and len(d.disagreements):
        body += ("<h3>Disagreements to discuss</h3><p class=\"note\">Sentences where coders differ on a code "
                 "(human-human first, then where the machine was most confident).</p>")
        body += table(d.disagreements, max_rows=40, source="disagreements.csv")
    return "agreement", "Agreement", body


def _summary_row(name: str, s: dict[str, Any]) -> dict[str, Any]:
    metrics, ci = s.get("metrics", {}), s.get("ci", {})
    alpha_ci = ci.get("krippendorff_alpha") or [None, None]
    return {"coders": name, "units": s.get("n_pairable_units"),
            "percent_agreement": metrics.get("percent_agreement"), "cohen_kappa": metrics.get("cohen_kappa"),
            "krippendorff_alpha": metrics.get("krippendorff_alpha"), "alpha_low": alpha_ci[0],
            "alpha_high": alpha_ci[1], "gwet_ac1": metrics.get("gwet_ac1")}  # fmt: skip


def methods_section(d: ReportData) -> Section:
    text = methods_text(d.methods, d.overview, d.agreement)
    body = ("<p>A paragraph for the methods section of a paper (check it against what you did, and cite the "
            f"tools):</p><div class=\"methods\">{esc(text)}</div>")
    return "methods", "Methods", body


SECTIONS = (overview, themes_section, codebook_section, codes_section, groups_section, agreement_section,
            methods_section)  # fmt: skip
