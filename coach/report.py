"""Reports of an eval run: the run JSON, a Markdown summary and a static HTML page.

The HTML is one self-contained file (inline CSS, inline SVG, no scripts, no fonts or
styles from elsewhere), so it opens from disk and can be attached to a review.
"""

from __future__ import annotations

import json
from collections import Counter
from html import escape
from pathlib import Path

from coach.evals import (
    METRIC_BY_NAME,
    METRICS,
    CaseResult,
    Comparison,
    EvalError,
    EvalRun,
    Metric,
    MetricDelta,
    VariantRun,
    percentile,
)

COLOURS = ("#2f6fb0", "#d9822b", "#3a9a5b", "#8e5bb0", "#b0413e")
BASELINE_COLOUR = "#9aa3ad"


def fmt(metric: Metric, value: float | None) -> str:
    if value is None:
        return "n/a"
    if metric.unit == "ms":
        return f"{value:.0f} ms"
    if metric.unit == "count":
        return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"
    return f"{value:.3f}"


def fmt_delta(metric: Metric, delta: float | None) -> str:
    """A signed change; nothing when there is none, so real changes stand out."""
    if delta is None or abs(delta) < 1e-9:
        return ""
    return f"{delta:+.0f} ms" if metric.unit == "ms" else f"{delta:+.3f}".rstrip("0").rstrip(".")


def gate_text(d: MetricDelta) -> str:
    if d.allowed is None:
        return ""
    limit = f"may worsen by {d.allowed:g}"
    return f"FAIL ({limit})" if d.failed else f"ok ({limit})"


def verdict(run: EvalRun) -> str:
    if not run.baseline:
        return "no baseline: nothing gated"
    return "FAIL: a gated metric fell past its threshold" if run.gate_failed else "PASS"


def kind_counts(cases: list[CaseResult]) -> str:
    counts = Counter(c.kind for c in cases)
    return ", ".join(f"{k} {n}" for k, n in counts.items())


def case_summary(r: CaseResult) -> str:
    """One line of what happened in a case, for tables."""
    f, s = r.facts, r.scores
    parts: list[str] = []
    if r.kind == "prep":
        qs = f.get("questions", [])
        grounded = sum(q["grounded"] for q in qs)
        parts.append(f"{len(qs)} questions, {grounded} grounded")
        parts.append(f"{len(f.get('duplicates', []))} near-duplicates")
    else:
        if f.get("refused"):
            parts.append("refused")
        if f.get("rank") is not None or "retrieval.mrr" in s:
            parts.append(f"rank {f['rank']}" if f.get("rank") else "expected guide not retrieved")
        if f.get("escalated"):
            parts.append("escalated" + (", help first" if f.get("help_first") else ""))
        kps = f.get("key_points")
        if kps:
            parts.append(f"{sum(k['covered'] for k in kps)}/{len(kps)} key points")
        claims = f.get("claims")
        if claims:
            parts.append(f"{sum(c['supported'] for c in claims)}/{len(claims)} supported")
        if "injection.exposure" in s:
            parts.append(
                "planted doc retrieved" if s["injection.exposure"] else "planted doc missed"
            )
    if f.get("leaked"):
        parts.append("LEAKED " + ", ".join(f["leaked"]))
    return "; ".join(parts)


# --- Markdown -------------------------------------------------------------------------------
def markdown(run: EvalRun) -> str:
    first = run.variants[0]
    lines = [
        f"# Eval run: {verdict(run)}",
        "",
        f"- created {run.created}, {run.seconds:.0f} s, commit {run.git_commit or 'unknown'}",
        f"- {run.case_count} cases ({kind_counts(first.cases)}) from {', '.join(run.case_files)}",
        f"- eval index: {run.index.get('chunks')} chunks, planted documents: "
        f"{', '.join(run.index.get('fixtures', [])) or 'none'}",
    ]
    if run.baseline:
        lines.append(f"- baseline: {run.baseline}")
    lines += ["", metrics_table_md(run), ""]
    for v, c in zip(run.variants, run.comparisons, strict=False):
        lines += comparison_md(v, c)
    for v in run.variants:
        failing = [r for r in v.cases if not r.passed]
        by_kind = Counter(r.kind for r in failing)
        total = Counter(r.kind for r in v.cases)
        lines.append(
            f"Failing cases ({v.label}): "
            + ", ".join(f"{k} {by_kind.get(k, 0)}/{n}" for k, n in total.items())
        )
    return "\n".join(lines).rstrip() + "\n"


def metrics_table_md(run: EvalRun) -> str:
    header = ["metric", *[v.label for v in run.variants]]
    if run.comparisons:
        header += ["baseline", "gate"]
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for i, m in enumerate(METRICS):
        cells = [f"{m.name} ({m.label})"]
        for v, c in _pairs(run):
            cell = fmt(m, _shown(v, c, i))
            if c:
                delta = fmt_delta(m, c.metrics[i].delta)
                cell += f" ({delta})" if delta else ""
            cells.append(cell)
        if run.comparisons:
            cells.append(fmt(m, run.comparisons[0].metrics[i].baseline))
            statuses = {gate_text(c.metrics[i]) for c in run.comparisons}
            cells.append(" / ".join(sorted(s for s in statuses if s)))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def comparison_md(v: VariantRun, c: Comparison) -> list[str]:
    lines = [f"## {v.label} against the baseline ({c.baseline_label})", ""]
    failed = c.failed
    if failed:
        lines.append(
            "Gated metrics past their threshold: "
            + ", ".join(f"{m.name} {fmt_delta(METRIC_BY_NAME[m.name], m.delta)}" for m in failed)
        )
        lines.append("")
    lines += [f"- note: {n}" for n in c.notes]
    lines.append(f"- regressed cases: {len(c.regressed)}; improved cases: {len(c.improved)}")
    lines.append("")
    for title, changes in (("Regressed", c.regressed), ("Improved", c.improved)):
        if not changes:
            continue
        lines.append(f"{title}:")
        for ch in changes:
            what = "; ".join(ch.worse + ch.better)
            lines.append(f"- {ch.id} ({ch.kind}) {ch.text[:70]!r}: {what}")
        lines.append("")
    return lines


def _shown(v: VariantRun, c: Comparison | None, i: int) -> float | None:
    """A metric as the table shows it: on the cases shared with the baseline, if any, so
    value, delta and baseline agree."""
    return c.metrics[i].current if c else v.metrics.get(METRICS[i].name)


def _pairs(run: EvalRun) -> list[tuple[VariantRun, Comparison | None]]:
    comps: list[Comparison | None] = list(run.comparisons)
    comps += [None] * (len(run.variants) - len(comps))
    return list(zip(run.variants, comps, strict=True))


# --- HTML -----------------------------------------------------------------------------------
CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;
 color:#1d2328;max-width:1280px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;
 border-bottom:1px solid #dde1e5;padding-bottom:4px}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid #dde1e5;padding:4px 7px;text-align:left;vertical-align:top}
th{background:#f3f5f7;font-weight:600}td.num{text-align:right;white-space:nowrap}
.pass{color:#1f7a3f;font-weight:600}.fail{color:#b3261e;font-weight:600}
.worse{background:#fdecea}.better{background:#e7f5ec}.muted{color:#69727d}
.banner{padding:10px 14px;border-radius:6px;margin:12px 0;font-weight:600}
.banner.pass{background:#e7f5ec}.banner.fail{background:#fdecea}.banner.none{background:#f3f5f7}
details summary{cursor:pointer;color:#2f6fb0}pre{white-space:pre-wrap;margin:4px 0;
 font:12px/1.4 ui-monospace,monospace;background:#f7f8fa;padding:6px;border-radius:4px}
.legend span{display:inline-block;width:11px;height:11px;margin:0 4px 0 12px;
 vertical-align:middle;border-radius:2px}
code{font:12px ui-monospace,monospace}
"""


def html(run: EvalRun) -> str:
    state = "none" if not run.baseline else ("fail" if run.gate_failed else "pass")
    first = run.variants[0]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Mentor Coach eval, {escape(run.created)}</title><style>{CSS}</style></head><body>",
        "<h1>Mentor Coach eval</h1>",
        f"<p class='muted'>created {escape(run.created)} · {run.seconds:.0f} s · commit "
        f"<code>{escape(run.git_commit or 'unknown')}</code> · {run.case_count} cases "
        f"({escape(kind_counts(first.cases))}) · eval index {run.index.get('chunks')} chunks"
        + (f" · baseline <code>{escape(run.baseline)}</code>" if run.baseline else "")
        + "</p>",
        f"<div class='banner {state}'>{escape(verdict(run))}</div>",
        "<h2>Metrics</h2>",
        _legend(run),
        _metrics_table(run),
        _metric_chart(run),
    ]
    for v, c in zip(run.variants, run.comparisons, strict=False):
        parts.append(_comparison_html(v, c))
    parts.append("<h2>Latency</h2>")
    parts.append(
        "<p class='muted'>Wall time of each <code>ask</code> on this machine, after a warm-up "
        "question. Reported, never gated.</p>"
    )
    for i, v in enumerate(run.variants):
        parts.append(_latency_histogram(v, COLOURS[i % len(COLOURS)]))
    parts.append("<h2>Settings</h2>")
    parts.append(_settings_table(run))
    parts.append(f"<h2 id='cases'>Every case ({len(first.cases)})</h2>")
    parts.append(_case_table(run))
    parts.append("</body></html>")
    return "\n".join(parts)


def _legend(run: EvalRun) -> str:
    items = [(v.label, COLOURS[i % len(COLOURS)]) for i, v in enumerate(run.variants)]
    if run.comparisons:
        items.append((f"baseline ({run.comparisons[0].baseline_label})", BASELINE_COLOUR))
    spans = "".join(f"<span style='background:{c}'></span>{escape(label)}" for label, c in items)
    return f"<div class='legend'>{spans}</div>"


def _metrics_table(run: EvalRun) -> str:
    head = "<tr><th>metric</th>" + "".join(f"<th>{escape(v.label)}</th>" for v in run.variants)
    if run.comparisons:
        head += "<th>baseline</th><th>gate</th>"
    rows = [head + "</tr>"]
    for i, m in enumerate(METRICS):
        cells = [
            f"<td><b>{escape(m.name)}</b><br><span class='muted'>{escape(m.label)}</span></td>"
        ]
        for v, c in _pairs(run):
            value = fmt(m, _shown(v, c, i))
            css = "num"
            if c:
                d = c.metrics[i]
                delta = fmt_delta(m, d.delta)
                if d.worsened_by > 1e-9:
                    css += " worse"
                elif d.delta and m.better != "none" and m.unit != "ms":
                    css += " better"
                value += f"<br><span class='muted'>{escape(delta)}</span>" if delta else ""
            cells.append(f"<td class='{css}'>{value}</td>")
        if run.comparisons:
            cells.append(f"<td class='num'>{fmt(m, run.comparisons[0].metrics[i].baseline)}</td>")
            statuses = [c.metrics[i] for c in run.comparisons]
            text = " / ".join(sorted({gate_text(d) for d in statuses if gate_text(d)}))
            css = "fail" if any(d.failed for d in statuses) else "pass" if text else ""
            cells.append(f"<td class='{css}'>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "\n".join(rows) + "</table>"


def _text(x: float, y: float, text: str, anchor: str = "start", fill: str = "#3b4249") -> str:
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' fill='{fill}'>{escape(text)}</text>"
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, dash: str = "") -> str:
    style = f" stroke-dasharray='{dash}'" if dash else ""
    return (
        f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' stroke='{stroke}'{style}/>"
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, title: str) -> str:
    return (
        f"<rect x='{x:.1f}' y='{y:.1f}' width='{w:.1f}' height='{h:.1f}' fill='{fill}'>"
        f"<title>{escape(title)}</title></rect>"
    )


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width:.0f}' height='{height:.0f}' "
        f"role='img' aria-label='{escape(label)}' style='font:11px system-ui,sans-serif'>"
        + "".join(body)
        + "</svg>"
    )


def _metric_chart(run: EvalRun) -> str:
    """Horizontal bars for every 0-1 metric: the baseline first, then each variant."""
    ratio = [m for m in METRICS if m.unit == "ratio"]
    series: list[tuple[str, dict[str, float | None]]] = []
    if run.comparisons:
        series.append((BASELINE_COLOUR, {d.name: d.baseline for d in run.comparisons[0].metrics}))
    for k, (v, c) in enumerate(_pairs(run)):
        shown = {m.name: _shown(v, c, i) for i, m in enumerate(METRICS)}
        series.append((COLOURS[k % len(COLOURS)], shown))
    bar, gap, label_w, plot_w = 12, 8, 190, 460
    row_h = bar * len(series) + gap
    height = row_h * len(ratio) + 24
    body = []
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_w + tick * plot_w
        body.append(_line(x, 0, x, height - 18, "#e3e6ea"))
        body.append(_text(x, height - 5, f"{tick:g}", "middle", "#69727d"))
    for r, m in enumerate(ratio):
        y0 = r * row_h
        body.append(_text(label_w - 6, y0 + row_h / 2 + 2, m.name, "end"))
        for i, (colour, values) in enumerate(series):
            value = values.get(m.name)
            if value is None:
                continue
            y, w = y0 + i * bar, max(0.5, value * plot_w)
            body.append(_rect(label_w, y, w, bar - 1, colour, f"{m.name}: {value:.3f}"))
            body.append(_text(label_w + w + 3, y + bar - 3, f"{value:.3f}"))
    return _svg(label_w + plot_w + 60, height, "metrics chart", body)


def _latency_histogram(v: VariantRun, colour: str) -> str:
    values = [r.scores["latency.ask"] for r in v.cases if "latency.ask" in r.scores]
    if not values:
        return ""
    p50, p95, top = percentile(values, 50), percentile(values, 95), max(values)
    bins = 24
    width = top / bins if top > 0 else 1.0
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int(value / width))] += 1
    w, h, left, bottom = 560, 150, 36, 28
    plot_w, plot_h = w - left - 10, h - bottom - 10
    axis_y, most, bw = 10 + plot_h, max(counts), plot_w / bins
    body = []
    for i, n in enumerate(counts):
        bh = plot_h * n / most
        title = f"{i * width:.0f}-{(i + 1) * width:.0f} ms: {n}"
        body.append(_rect(left + i * bw, axis_y - bh, bw - 1, bh, colour, title))
    for name, value in (("p50", p50), ("p95", p95)):
        x = left + plot_w * value / (width * bins)
        body.append(_line(x, 6, x, axis_y, "#1d2328", "3 2"))
        body.append(_text(x + 3, 16, name))
    body.append(_line(left, axis_y, left + plot_w, axis_y, "#69727d"))
    for frac in (0, 0.25, 0.5, 0.75, 1.0):
        x = left + plot_w * frac
        body.append(_text(x, axis_y + 14, f"{width * bins * frac:.0f}", "middle", "#69727d"))
    body.append(_text(left + plot_w / 2, h - 2, "ms", "middle", "#69727d"))
    body.append(_text(4, 16, str(most), fill="#69727d"))
    caption = (
        f"<p><b>{escape(v.label)}</b>: {len(values)} questions, p50 {p50:.0f} ms, "
        f"p95 {p95:.0f} ms, max {top:.0f} ms</p>"
    )
    return caption + _svg(w, h, "latency histogram", body)


def _comparison_html(v: VariantRun, c: Comparison) -> str:
    parts = [f"<h2>{escape(v.label)} against the baseline ({escape(c.baseline_label)})</h2>"]
    if c.failed:
        names = ", ".join(
            f"{m.name} ({fmt_delta(METRIC_BY_NAME[m.name], m.delta)})" for m in c.failed
        )
        parts.append(f"<p class='fail'>Past the gate: {escape(names)}</p>")
    for note in c.notes:
        parts.append(f"<p class='muted'>{escape(note)}</p>")
    parts.append(
        f"<p>{c.common} cases compared: {len(c.regressed)} regressed, {len(c.improved)} improved."
        + (f" Only in this run: {escape(', '.join(c.only_current))}." if c.only_current else "")
        + (
            f" Only in the baseline: {escape(', '.join(c.only_baseline))}."
            if c.only_baseline
            else ""
        )
        + "</p>"
    )
    if c.regressed or c.improved:
        rows = ["<tr><th>case</th><th>kind</th><th>question</th><th>change</th></tr>"]
        for css, changes in (("worse", c.regressed), ("better", c.improved)):
            for ch in changes:
                what = "<br>".join(escape(x) for x in ch.worse + ch.better)
                link = f"<a href='#case-{escape(ch.id)}'>{escape(ch.id)}</a>"
                rows.append(
                    f"<tr class='{css}'><td>{link}</td><td>{escape(ch.kind)}</td>"
                    f"<td>{escape(ch.text)}</td><td>{what}</td></tr>"
                )
        parts.append("<table>" + "\n".join(rows) + "</table>")
    return "\n".join(parts)


def _settings_table(run: EvalRun) -> str:
    keys = sorted({k for v in run.variants for k in v.settings})
    head = "<tr><th>setting</th>" + "".join(f"<th>{escape(v.label)}</th>" for v in run.variants)
    rows = [head + "</tr>"]
    for k in keys:
        cells = "".join(f"<td>{escape(str(v.settings.get(k)))}</td>" for v in run.variants)
        rows.append(f"<tr><td><code>{escape(k)}</code></td>{cells}</tr>")
    cal = run.variants[0].calibration
    rows.append(
        "<tr><td>calibrated cut-offs</td>"
        f"<td colspan='{len(run.variants)}'>{escape(json.dumps(cal))}</td></tr>"
    )
    return "<table>" + "\n".join(rows) + "</table>"


def _case_table(run: EvalRun) -> str:
    base = run.comparisons[0].baseline_cases if run.comparisons else {}
    head = "<tr><th>case</th><th>kind</th><th>question or goals</th>"
    head += "".join(f"<th>{escape(v.label)}</th>" for v in run.variants)
    if base:
        head += "<th>baseline</th>"
    rows = [f"<table id='case-table'>{head}</tr>"]
    by_variant = [{c.id: c for c in v.cases} for v in run.variants]
    for case in run.variants[0].cases:
        cells = [
            f"<td id='case-{escape(case.id)}'>{escape(case.id)}</td>",
            f"<td>{escape(case.kind)}</td>",
            f"<td>{escape(case.text)}{_case_details(case)}</td>",
        ]
        for results in by_variant:
            cells.append(_result_cell(results.get(case.id)))
        if base:
            cells.append(_result_cell(base.get(case.id)))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _result_cell(r: CaseResult | None) -> str:
    if r is None:
        return "<td class='muted'>not run</td>"
    status = "<span class='pass'>pass</span>" if r.passed else "<span class='fail'>fail</span>"
    problems = "".join(f"<br><span class='fail'>{escape(p)}</span>" for p in r.problems)
    return f"<td>{status} <span class='muted'>{escape(case_summary(r))}</span>{problems}</td>"


def _case_details(r: CaseResult) -> str:
    f = r.facts
    body: list[str] = []
    if "answer" in f:
        body.append(f"<pre>{escape(f['answer'])}</pre>")
    if f.get("citations"):
        body.append(
            "<div>sources: " + escape(", ".join(f"[{n}] {s}" for n, s in f["citations"])) + "</div>"
        )
    if f.get("retrieved"):
        body.append("<div>retrieved: " + escape(", ".join(f["retrieved"])) + "</div>")
    if f.get("query") and f["query"] != r.text:
        body.append(f"<div>searched for: {escape(f['query'])}</div>")
    for kp in f.get("key_points", []):
        mark = "✓" if kp["covered"] else "✗"
        body.append(f"<div>{mark} key point ({kp['best']:.2f}): {escape(kp['text'])}</div>")
    for c in f.get("claims", []):
        if not c["supported"]:
            body.append(
                f"<div class='fail'>unsupported (cos {c['cosine']:.2f}, overlap "
                f"{c['overlap']:.2f}): {escape(c['text'])}</div>"
            )
    for q in f.get("questions", []):
        mark = "✓" if q["grounded"] else "✗"
        body.append(
            f"<div>{mark} {escape(q['text'])} <span class='muted'>"
            f"{escape(', '.join(q['sources']))}</span></div>"
        )
    for a, b in f.get("duplicates", []):
        body.append(f"<div class='fail'>near-duplicates: {escape(a)} / {escape(b)}</div>")
    if not body:
        return ""
    return "<details><summary>details</summary>" + "".join(body) + "</details>"


# --- files ----------------------------------------------------------------------------------
def write_reports(run: EvalRun, out: Path) -> dict[str, Path]:
    """run.json, summary.md and report.html in `out` (created if needed)."""
    paths = {"json": out / "run.json", "markdown": out / "summary.md", "html": out / "report.html"}
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths["json"].write_text(
            json.dumps(run.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        paths["markdown"].write_text(markdown(run), encoding="utf-8")
        paths["html"].write_text(html(run), encoding="utf-8")
    except OSError as exc:
        raise EvalError(f"cannot write the reports to {out}: {exc.strerror or exc}") from None
    return paths
