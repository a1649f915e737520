// nlpthemes review: the page. Plain JavaScript, no dependencies; every text from the server goes
// into the page with textContent (never as markup), and the token travels in a header.
"use strict";
(function () {
  const token = document.querySelector('meta[name="review-token"]').content;
  const $ = (id) => document.getElementById(id);
  const S = {
    overview: null, codes: {}, colours: {}, transcript: null, views: {}, order: [], focus: null, head: null,
    selection: null, queue: [], fit: -1, decided: new Set(), picked: -1,
  };

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function status(message, error) {
    const box = $("status");
    box.textContent = message || "";
    box.classList.toggle("error", Boolean(error));
  }

  async function api(path, body) {
    const options = { headers: { "X-Review-Token": token }, credentials: "omit", cache: "no-store" };
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch("api/" + path, options);
    let data = null;
    try { data = await response.json(); } catch (e) { data = { error: response.statusText }; }
    if (!response.ok) throw new Error((data && data.error) || response.statusText);
    return data;
  }

  const key = (t, i) => t + "\u001f" + i;
  const codeName = (ref) => (S.codes[ref] ? S.codes[ref].name : ref);
  const fmt = (v) => (v === null || v === undefined ? "–" : Number(v).toFixed(2));

  function tag(ref, cls, text) {
    const node = el("span", "tag " + (cls || ""), text || codeName(ref));
    node.style.backgroundColor = S.colours[ref] || "#ddd";
    node.style.borderColor = S.colours[ref] || "#999";
    node.title = S.codes[ref] ? S.codes[ref].path : ref;
    return node;
  }

  // -- the transcript ------------------------------------------------------------------------------
  function sentenceNode(i) {
    return document.querySelector('#transcript .sentence[data-i="' + i + '"]');
  }

  function fillSentence(node, view) {
    node.textContent = "";
    node.classList.toggle("decided", view.decided);
    node.appendChild(el("span", "text", view.text));
    const marks = el("span", "marks");
    const applied = new Set();
    for (const c of view.codings) {
      if (applied.has(c.code)) continue;
      applied.add(c.code);
      marks.appendChild(tag(c.code, "coder"));
    }
    for (const code of view.given) if (!applied.has(code)) marks.appendChild(tag(code, "given", codeName(code) + " (given)"));
    if (!view.decided) {
      for (const s of view.suggestions) if (s.applied && !applied.has(s.code)) marks.appendChild(tag(s.code, "machine", codeName(s.code) + " " + fmt(s.score)));
    }
    if (view.memo) marks.appendChild(el("span", "tag memo", "✎"));
    node.appendChild(marks);
  }

  function renderTranscript() {
    const box = $("transcript");
    box.textContent = "";
    box.dataset.transcript = S.transcript.id;
    box.appendChild(el("h2", null, S.transcript.id));
    if (S.transcript.question) box.appendChild(el("p", "question", S.transcript.question));
    for (const turn of S.transcript.turns) {
      const row = el("div", "turn" + (turn.interviewer ? " interviewer" : ""));
      row.appendChild(el("div", "speaker", turn.speaker));
      const body = el("div", "body");
      for (const i of turn.sentences) {
        const node = el("span", "sentence");
        node.dataset.i = i;
        fillSentence(node, S.views[i]);
        body.appendChild(node);
        body.appendChild(document.createTextNode(" "));
      }
      row.appendChild(body);
      box.appendChild(row);
    }
    $("transcript-select").value = S.transcript.id;
  }

  // the latest transcript asked for wins: a slower, earlier load (a refresh after a refit) is dropped
  let loads = 0;
  async function loadTranscript(id) {
    const mine = ++loads;
    S.wanted = id;
    const data = await api("transcript/" + encodeURIComponent(id));
    if (mine !== loads) return false;
    S.transcript = data;
    S.views = {};
    S.order = [];
    for (const v of data.sentences) { S.views[v.sentence] = v; S.order.push(v.sentence); }
    for (const v of data.sentences) if (v.decided) S.decided.add(key(id, v.sentence));
    renderTranscript();
    return true;
  }

  function updateViews(views) {
    for (const v of views) {
      if (v.decided) S.decided.add(key(v.transcript, v.sentence)); else S.decided.delete(key(v.transcript, v.sentence));
      if (!S.transcript || v.transcript !== S.transcript.id) continue;
      S.views[v.sentence] = v;
      const node = sentenceNode(v.sentence);
      if (node) fillSentence(node, v);
    }
    if (S.focus !== null) renderBar();
  }

  // -- focus, span and the suggestion bar -----------------------------------------------------------
  function spanRows() {
    const a = S.order.indexOf(S.focus), b = S.order.indexOf(S.head === null ? S.focus : S.head);
    return S.order.slice(Math.min(a, b), Math.max(a, b) + 1);
  }

  function span() {
    if (S.selection) return S.selection;
    const rows = spanRows();
    return { start: S.views[rows[0]].start, end: S.views[rows[rows.length - 1]].end, anchor: rows[0] };
  }

  function paintSpan() {
    document.querySelectorAll("#transcript .sentence").forEach((n) => n.classList.remove("focus", "in-span"));
    const rows = S.selection ? S.selection.rows : spanRows();
    for (const i of rows) { const n = sentenceNode(i); if (n) n.classList.add("in-span"); }
    const node = sentenceNode(S.focus);
    if (node) node.classList.add("focus");
  }

  function setFocus(i, keepSelection) {
    S.focus = i;
    S.head = i;
    if (!keepSelection) S.selection = null;
    paintSpan();
    renderBar();
    renderDefinitions();
    renderQueue();
    const node = sentenceNode(i);
    if (node) node.scrollIntoView({ block: "center" });
    document.body.dataset.focus = S.transcript.id + "#" + i;
  }

  async function goTo(transcript, i) {
    if (!S.transcript || S.transcript.id !== transcript) {
      if (!(await loadTranscript(transcript))) return;
    }
    if (S.views[i] === undefined) i = S.order[0];
    setFocus(i);
  }

  function renderBar() {
    const old = $("bar");
    if (old) old.remove();
    const view = S.views[S.focus];
    if (!view) return;
    const bar = el("div");
    bar.id = "bar";
    const s = span();
    const length = s.end - s.start;
    const rowsLine = el("div", "row");
    rowsLine.appendChild(el("span", "label", "span"));
    rowsLine.appendChild(el("span", null, S.selection ? length + " characters (your selection)"
      : spanRows().length + " sentence" + (spanRows().length > 1 ? "s" : "") + " · Shift+↓/↑ to widen or narrow"));
    bar.appendChild(rowsLine);
    const mine = el("div", "row");
    mine.appendChild(el("span", "label", "your codes"));
    for (const c of view.codings) {
      const chip = el("span", "chip mine");
      chip.style.backgroundColor = S.colours[c.code] || "#ddd";
      chip.appendChild(el("span", null, codeName(c.code)));
      if (c.end - c.start !== view.end - view.start || c.start !== view.start) chip.appendChild(el("span", "score", "[" + c.start + "–" + c.end + ")"));
      const x = el("button", "x", "×");
      x.title = "remove this code";
      x.addEventListener("click", (e) => { e.stopPropagation(); decide({ op: "remove", target: c.id }); });
      chip.appendChild(x);
      mine.appendChild(chip);
    }
    if (!view.codings.length) mine.appendChild(el("span", "score", view.decided ? "none (decided)" : "none yet"));
    bar.appendChild(mine);
    if (!view.interviewer) {
      const sug = el("div", "row");
      sug.appendChild(el("span", "label", "suggested"));
      view.suggestions.forEach((s, n) => {
        const chip = el("span", "chip suggestion");
        chip.dataset.code = s.code;
        chip.style.backgroundColor = S.colours[s.code] || "#ddd";
        if (view.rejected.includes(s.code)) chip.classList.add("rejected");
        if (view.codings.some((c) => c.code === s.code)) chip.classList.add("accepted");
        chip.appendChild(el("span", "key", n + 1));
        chip.appendChild(el("span", null, codeName(s.code)));
        chip.appendChild(el("span", "score", fmt(s.score) + " · rank " + s.rank + (s.applied ? " · machine applies" : "")));
        chip.title = "accept (" + (n + 1) + ")";
        chip.addEventListener("click", () => accept(n));
        const x = el("button", "x", "✗");
        x.title = "reject this suggestion";
        x.addEventListener("click", (e) => { e.stopPropagation(); reject([s.code], false); });
        chip.appendChild(x);
        sug.appendChild(chip);
      });
      bar.appendChild(sug);
    }
    if (view.memo) {
      const memo = el("div", "row");
      memo.appendChild(el("span", "label", "memo"));
      memo.appendChild(el("span", "memo", view.memo));
      bar.appendChild(memo);
    }
    const node = sentenceNode(S.focus);
    if (node) node.parentNode.insertBefore(bar, node.nextSibling);
  }

  function renderDefinitions() {
    const box = $("definitions");
    box.textContent = "";
    const view = S.views[S.focus];
    if (!view) return;
    for (const s of view.suggestions) {
      const code = S.codes[s.code];
      if (!code) continue;
      const def = el("div", "def");
      const title = el("b");
      title.appendChild(tag(s.code, null, String(s.rank)));
      title.appendChild(document.createTextNode(" " + code.path));
      def.appendChild(title);
      if (code.description) def.appendChild(el("div", null, code.description));
      if (code.inclusion) def.appendChild(el("div", null, "Use when: " + code.inclusion));
      if (code.exclusion) def.appendChild(el("div", null, "Not when: " + code.exclusion));
      if (code.examples.length) def.appendChild(el("div", "examples", "e.g. “" + code.examples.slice(0, 2).join("”, “") + "”"));
      box.appendChild(def);
    }
  }

  // -- decisions -------------------------------------------------------------------------------------
  // decisions go to the server one after another, in the order they were made (none is dropped)
  let pending = Promise.resolve(null);
  function send(path, body) {
    const run = pending.then(async () => {
      try {
        const data = await api(path, body);
        status("saved");
        return data;
      } catch (e) {
        status(e.message, true);
        return null;
      }
    });
    pending = run;
    return run;
  }

  async function decide(body) {
    const data = await send("decide", body);
    if (!data) return null;
    updateViews(data.sentences);
    showStats(data.stats);
    return data;
  }

  function accept(n) {
    const view = S.views[S.focus];
    if (!view || view.interviewer || !view.suggestions[n]) return;
    applyCode(view.suggestions[n].code, "suggestion");
  }

  function applyCode(code, source) {
    const view = S.views[S.focus];
    if (!view) return;
    const s = span();
    const same = view.codings.find((c) => c.code === code && c.anchor && c.start === s.start && c.end === s.end);
    if (same) return decide({ op: "remove", target: same.id });
    const anchor = S.views[s.anchor] || view;
    return decide({ op: "apply", transcript: anchor.transcript, sentence: anchor.sentence, start: s.start, end: s.end,
      code: code, source: source || "chosen" });
  }

  async function reject(codes, andNext) {
    const view = S.views[S.focus];
    if (!view || view.interviewer) return;
    const data = await decide({ op: "reject", transcript: view.transcript, sentence: view.sentence, codes: codes });
    if (data && andNext) await next(1);
  }

  function rejectRest() {
    const view = S.views[S.focus];
    if (!view) return;
    const mine = new Set(view.codings.map((c) => c.code));
    return reject(view.suggestions.map((s) => s.code).filter((c) => !mine.has(c)), true);
  }

  async function undo() {
    const data = await send("undo", {});
    if (!data) return;
    if (data.focus) await goTo(data.focus.transcript, data.focus.sentence);
    updateViews(data.sentences);
    showStats(data.stats);
    status("undone: " + data.undone);
  }

  async function refit() {
    const data = await send("refit", {});
    if (data) { showStats(data); status("refitting in the background…"); }
  }

  // -- the queue ---------------------------------------------------------------------------------------
  async function loadQueue() {
    const order = $("order").value;
    let path = "queue?order=" + order + "&limit=60";
    if (order === "code" && $("order-code").value) path += "&code=" + encodeURIComponent($("order-code").value);
    if (order === "transcript" && S.transcript && S.focus !== null) {
      path += "&after_transcript=" + encodeURIComponent(S.transcript.id) + "&after_sentence=" + S.focus;
    }
    const data = await api(path);
    S.queue = data.items;
    renderQueue();
  }

  function renderQueue() {
    const list = $("queue");
    list.textContent = "";
    const here = S.transcript ? key(S.transcript.id, S.focus) : "";
    for (const item of S.queue) {
      const k = key(item.transcript, item.sentence);
      if (S.decided.has(k) && k !== here) continue;
      const li = el("li", k === here ? "current" : null);
      li.appendChild(el("span", "where", item.transcript + " · sentence " + item.sentence));
      li.appendChild(el("span", null, item.text + " "));
      li.appendChild(tag(item.top[0], "machine", codeName(item.top[0]) + " " + fmt(item.top[1])));
      li.addEventListener("click", () => goTo(item.transcript, item.sentence));
      list.appendChild(li);
    }
  }

  async function next(step) {
    const here = S.transcript ? key(S.transcript.id, S.focus) : "";
    const open = S.queue.filter((q) => !S.decided.has(key(q.transcript, q.sentence)) || key(q.transcript, q.sentence) === here);
    let at = open.findIndex((q) => key(q.transcript, q.sentence) === here);
    if (step > 0) {
      const rest = open.slice(at + 1).filter((q) => !S.decided.has(key(q.transcript, q.sentence)));
      if (!rest.length) {
        await loadQueue();
        const fresh = S.queue.filter((q) => !S.decided.has(key(q.transcript, q.sentence)) && key(q.transcript, q.sentence) !== here);
        if (fresh.length) await goTo(fresh[0].transcript, fresh[0].sentence); else status("nothing left in this queue");
        return;
      }
      await goTo(rest[0].transcript, rest[0].sentence);
    } else {
      if (at < 0) at = open.length;
      if (at > 0) await goTo(open[at - 1].transcript, open[at - 1].sentence);
    }
  }

  function neighbour(step, widen) {
    if (S.focus === null) return;
    if (widen) {
      const h = S.order.indexOf(S.head) + step;
      if (h >= 0 && h < S.order.length) { S.head = S.order[h]; S.selection = null; paintSpan(); renderBar(); }
      return;
    }
    const at = S.order.indexOf(S.focus) + step;
    if (at >= 0 && at < S.order.length) setFocus(S.order[at]);
  }

  // -- codebook and picking another code -----------------------------------------------------------------
  function renderCodebook() {
    const list = $("codebook");
    list.textContent = "";
    for (const code of S.overview.codebook) {
      const li = el("li", code.codable ? "codable" : "category");
      li.dataset.ref = code.ref;
      li.style.paddingLeft = (0.2 + code.depth * 0.9) + "rem";
      const sw = el("span", "swatch");
      sw.style.backgroundColor = code.colour;
      li.appendChild(sw);
      li.appendChild(el("span", "name", code.name));
      if (code.description) li.appendChild(el("span", "desc", code.description));
      li.title = [code.path, code.description, code.examples.length ? "e.g. " + code.examples.join(" | ") : ""].filter(Boolean).join("\n");
      if (code.codable) li.addEventListener("click", () => applyCode(code.ref, "chosen"));
      list.appendChild(li);
    }
  }

  function pickable() {
    return Array.from(document.querySelectorAll("#codebook li.codable:not(.hidden)"));
  }

  function filterCodes() {
    const words = $("code-filter").value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const li of document.querySelectorAll("#codebook li")) {
      const code = S.codes[li.dataset.ref];
      const hay = (code.path + " " + code.description).toLowerCase();
      li.classList.toggle("hidden", words.length > 0 && !words.every((w) => hay.includes(w)));
    }
    S.picked = 0;
    markPicked();
  }

  function markPicked() {
    const items = pickable();
    items.forEach((li, n) => li.classList.toggle("picked", n === S.picked && $("code-filter").value !== ""));
    if (items[S.picked]) items[S.picked].scrollIntoView({ block: "nearest" });
  }

  function pickerKey(e) {
    const items = pickable();
    if (e.key === "ArrowDown") { S.picked = Math.min(S.picked + 1, items.length - 1); markPicked(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { S.picked = Math.max(S.picked - 1, 0); markPicked(); e.preventDefault(); }
    else if (e.key === "Enter") {
      e.preventDefault();
      const li = items[S.picked];
      closePicker();
      if (li) applyCode(li.dataset.ref, "chosen");
    } else if (e.key === "Escape") { e.preventDefault(); closePicker(); }
  }

  function closePicker() {
    $("code-filter").value = "";
    filterCodes();
    $("code-filter").blur();
  }

  // -- stats -----------------------------------------------------------------------------------------------
  function showStats(stats) {
    $("n-decided").textContent = stats.decided;
    $("n-codings").textContent = stats.codings;
    const a = stats.agreement;
    $("kappa").textContent = fmt(a.overall);
    $("kappa-recent").textContent = fmt(a.recent);
    $("recent-n").textContent = a.recent_units;
    const l = stats.learner;
    let info = "suggester: " + l.mode + " (fit " + l.fit + ", " + l.decisions + " of your decisions)";
    if (l.change) info += " · last refit kept " + l.change.kept + "/" + l.change.top + " of the queue head, changed " + l.change.changed + " sentences";
    if (l.fitting) info += " · refitting…";
    else if (l.next_refit_in !== null) info += " · next refit in " + l.next_refit_in;
    if (l.error) info += " · refit failed: " + l.error;
    $("refit-info").textContent = info;
    const body = document.querySelector("#per-code tbody");
    body.textContent = "";
    for (const r of a.per_code.slice(0, 40)) {
      const tr = el("tr");
      [r.name, r.coder, r.machine, r.both, fmt(r.kappa)].forEach((v) => tr.appendChild(el("td", null, v)));
      body.appendChild(tr);
    }
    if (l.fit !== S.fit) {
      const first = S.fit < 0;
      S.fit = l.fit;
      if (!first && S.transcript) refreshAfterFit();
    }
  }

  async function refreshAfterFit() {
    const shown = S.transcript.id, focus = S.focus, head = S.head, selection = S.selection;
    if (S.wanted !== shown || !(await loadTranscript(shown))) return;  // another transcript is on its way
    S.focus = focus; S.head = head; S.selection = selection;
    paintSpan(); renderBar(); renderDefinitions();
    if ($("order").value !== "transcript") await loadQueue();
    status("the suggester learned from your decisions: suggestions updated");
  }

  async function poll() {
    try { showStats(await api("stats")); } catch (e) { status("the review server is not answering: " + e.message, true); }
  }

  // -- memo and help ---------------------------------------------------------------------------------------
  function openMemo() {
    const view = S.views[S.focus];
    if (!view) return;
    $("memo-text").value = view.memo || "";
    $("memo-dialog").showModal();
    $("memo-text").focus();
  }

  async function saveMemo() {
    const view = S.views[S.focus];
    $("memo-dialog").close();
    if (view) await decide({ op: "memo", transcript: view.transcript, sentence: view.sentence, text: $("memo-text").value });
  }

  // -- keyboard and mouse ------------------------------------------------------------------------------------
  function onKey(e) {
    if ($("memo-dialog").open || $("help-dialog").open) return;
    const target = e.target;
    if (target === $("code-filter")) { pickerKey(e); return; }
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key;
    let handled = true;
    if (k === "j") next(1);
    else if (k === "k") next(-1);
    else if (k === "ArrowDown" || k === "ArrowUp") neighbour(k === "ArrowDown" ? 1 : -1, e.shiftKey);
    else if (k === "J" || k === "K") neighbour(k === "J" ? 1 : -1, true);
    else if (/^[1-9]$/.test(k)) accept(Number(k) - 1);
    else if (k === "x") rejectRest();
    else if (k === "c" || k === "/") { $("code-filter").focus(); }
    else if (k === "u") undo();
    else if (k === "m") openMemo();
    else if (k === "r") refit();
    else if (k === "?") $("help-dialog").showModal();
    else if (k === "Escape") { S.head = S.focus; S.selection = null; paintSpan(); renderBar(); }
    else handled = false;
    if (handled) e.preventDefault();
  }

  function onMouseUp() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return;
    const point = (node, offset) => {
      const owner = node.nodeType === 3 ? node.parentNode : node;
      const sentence = owner && owner.closest ? owner.closest("#transcript .sentence") : null;
      if (!sentence || !owner.classList.contains("text")) return null;
      const view = S.views[Number(sentence.dataset.i)];
      return { i: view.sentence, at: view.start + offset };
    };
    const range = sel.getRangeAt(0);
    const a = point(range.startContainer, range.startOffset), b = point(range.endContainer, range.endOffset);
    if (!a || !b || b.at <= a.at) return;
    const from = S.order.indexOf(a.i), to = S.order.indexOf(b.i);
    setFocus(a.i, true);
    S.selection = { start: a.at, end: b.at, anchor: a.i, rows: S.order.slice(from, to + 1) };
    paintSpan();
    renderBar();
  }

  function onClick(e) {
    const node = e.target.closest ? e.target.closest("#transcript .sentence") : null;
    if (!node || !window.getSelection().isCollapsed) return;
    setFocus(Number(node.dataset.i));
  }

  async function init() {
    document.addEventListener("keydown", onKey);
    $("transcript").addEventListener("mouseup", onMouseUp);
    $("transcript").addEventListener("click", onClick);
    $("code-filter").addEventListener("input", filterCodes);
    $("refit").addEventListener("click", refit);
    $("undo").addEventListener("click", undo);
    $("memo-button").addEventListener("click", openMemo);
    $("help-button").addEventListener("click", () => $("help-dialog").showModal());
    $("help-close").addEventListener("click", () => $("help-dialog").close());
    $("memo-save").addEventListener("click", saveMemo);
    $("memo-cancel").addEventListener("click", () => $("memo-dialog").close());
    $("memo-text").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); saveMemo(); } });
    $("order").addEventListener("change", async () => { $("order-code").hidden = $("order").value !== "code"; await loadQueue(); await next(1); });
    $("order-code").addEventListener("change", async () => { await loadQueue(); await next(1); });
    $("transcript-select").addEventListener("change", async () => {
      if (!(await loadTranscript($("transcript-select").value))) return;
      const first = S.order.find((i) => !S.views[i].interviewer);
      setFocus(first === undefined ? S.order[0] : first);
    });
    S.overview = await api("overview");
    for (const c of S.overview.codebook) S.codes[c.ref] = c;
    S.colours = S.overview.colours;
    $("coder").textContent = "coder: " + S.overview.coder;
    const all = el("option", null, "all codes (grouped)");
    all.value = "";
    $("order-code").appendChild(all);
    for (const c of S.overview.codebook) if (c.codable) { const o = el("option", null, c.path); o.value = c.ref; $("order-code").appendChild(o); }
    for (const t of S.overview.transcripts) { const o = el("option", null, t.id + " (" + t.participant + ")"); o.value = t.id; $("transcript-select").appendChild(o); }
    renderCodebook();
    showStats(S.overview.stats);
    if (S.overview.warnings.length) status(S.overview.warnings.join(" · "), false);
    await loadQueue();
    if (S.queue.length) await goTo(S.queue[0].transcript, S.queue[0].sentence);
    else await goTo(S.overview.transcripts[0].id, 0);
    document.documentElement.dataset.ready = "1";
    setInterval(poll, 2000);
  }

  window.addEventListener("error", (e) => { document.documentElement.dataset.scriptErrors = String(e.message); });
  document.addEventListener("DOMContentLoaded", () => init().catch((e) => status("could not start: " + e.message, true)));
})();
