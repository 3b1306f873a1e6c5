"""Rendering a behavioural-suite report: one row per test, a summary per capability, the pass rate."""

from __future__ import annotations

from typing import Any

from emoai_cli import console


def _rate(value: float | None) -> str:
    if value is None:
        return "-"
    style = "green" if value == 0 else "yellow" if value < 0.5 else "red"
    return f"[{style}]{value:.0%}[/{style}]"


def render_behaviour(report: Any, verbose: bool = False) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console.out()
    out.print(
        f"[bold]{escape(report.model)}[/bold] on the behavioural suite {escape(report.suite)}: "
        f"{len(report.tests)} tests, {report.cases:,} cases ({report.seconds:.1f} s)",
        highlight=False,
    )
    table = Table(title="Tests", title_justify="left")
    for col in ("test", "capability", "type", "cases", "failed", "failure rate", "description"):
        table.add_column(col, justify="right" if col in ("cases", "failed", "failure rate") else "left")
    for t in report.tests:
        what = escape(t.description) + (f" [dim]({escape(t.note)})[/dim]" if t.note else "")
        if t.skipped:
            what += f" [dim]({t.skipped} skipped)[/dim]"
        table.add_row(
            escape(t.name),
            escape(t.capability),
            t.type,
            str(t.cases),
            str(t.failed),
            _rate(t.failure_rate),
            what,
        )
    out.print(table)
    caps = Table(title="Per capability", title_justify="left")
    for col in ("capability", "tests", "cases", "failed", "failure rate"):
        caps.add_column(col, justify="left" if col == "capability" else "right")
    for name, c in report.capabilities().items():
        caps.add_row(
            escape(name), str(c["tests"]), str(c["cases"]), str(c["failed"]), _rate(c["failure_rate"])
        )
    out.print(caps)
    failing = [t for t in report.tests if t.examples]
    if failing and verbose:
        examples = Table(title="First failures", title_justify="left")
        for col in ("test", "text", "model did"):
            examples.add_column(col)
        for t in failing:
            for ex in t.examples:
                examples.add_row(
                    escape(t.name),
                    escape(ex.get("variant") and f"{ex['text']} → {ex['variant']}" or ex["text"]),
                    escape(_did(ex)),
                )
        out.print(examples)
    out.print(
        f"pass rate [bold]{report.pass_rate:.1%}[/bold] ({report.cases - report.failed:,} of {report.cases:,} cases)",
        highlight=False,
    )
    if failing and not verbose:
        console.hint("--verbose shows the first failures of each test; --json has them all")


def _did(example: dict[str, Any]) -> str:
    if "before" in example:
        return f"{example['label']} {example['before']:.3f} → {example['after']:.3f}"
    if "variant_answer" in example:
        return f"{', '.join(example['answer']) or 'nothing'} → {', '.join(example['variant_answer']) or 'nothing'}"
    return ", ".join(example["answer"]) or "nothing"
