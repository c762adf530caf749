"""Draft QA quality: precision and recall of every check on seeded synthetic drafts with planted defects.

A finding counts as a true positive when its (check, section) pair is among the draft's labels; each
label not found is a miss. Drafts come from tests/benchmarks/qa_drafts.py in four template styles, a third
of them clean, with hard cases on both sides. Severity is not scored, only whether the check fired where
it should.

Scored per template profile: the built-in layouts (sections-a-k, tests/benchmarks/qa_drafts.py) and the DfE
national template (dfe-national, tests/benchmarks/national_drafts.py; skipped when ../shared/templates/ is
missing), each with the share of clean drafts that pass; then advice traceability on seeded bundles with
recommendations moved, dropped and invented (tests/benchmarks/advice_bundles.py): invented and dropped found,
false alarms counted.

    python -m tests.benchmarks qa            # 300 drafts, seed 20261122
    python -m tests.benchmarks.bench_qa --drafts 600 --seed 7 --show 5
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict

from service.qa.advice import AdviceDocument
from service.qa.checks import run_checks
from service.qa.profiles import read_with
from service.qa.template import read_plan
from tests.benchmarks import advice_bundles, national_drafts
from tests.benchmarks.qa_drafts import CHECK_NAMES, generate


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_qa")
    parser.add_argument("--drafts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--show", type=int, default=0, help="print up to N misses and false alarms per check")
    args = parser.parse_args(argv)

    drafts = generate(args.drafts, args.seed)
    print("== profile sections-a-k (the layouts read before profiles: four template styles)")
    _score(drafts, args)
    if national_drafts.available():
        print("== profile dfe-national (the DfE draft national template, filled in by four writers' styles)")
        _score(national_drafts.generate(args.drafts, args.seed), args)
    else:
        print(f"== profile dfe-national skipped: no template at {national_drafts.TEMPLATE}")
    _score_advice(args)


def _score_advice(args: argparse.Namespace) -> None:
    """Advice traceability on bundles of advice with recommendations moved, dropped and invented."""
    print("== advice traceability (provision_not_in_advice, advice_not_in_plan)")
    bundles = advice_bundles.generate(args.drafts, args.seed)
    found = {"invented": 0, "dropped": 0}
    planted = {"invented": 0, "dropped": 0}
    alarms = {"provision_not_in_advice": 0, "advice_not_in_plan": 0}
    moved = 0
    started = time.perf_counter()
    for bundle in bundles:
        advice = [AdviceDocument(name, pages) for name, pages in bundle.advice]
        findings = run_checks(read_plan(bundle.draft), None, advice=advice)
        used: set[int] = set()
        for kind, texts, check in (
            ("invented", bundle.invented, "provision_not_in_advice"),
            ("dropped", bundle.dropped, "advice_not_in_plan"),
        ):
            for text in texts:
                planted[kind] += 1
                hits = [
                    i for i, f in enumerate(findings) if f.check == check and f.excerpt.removesuffix("...")[:40] in text
                ]
                found[kind] += bool(hits)
                used.update(hits)
        for i, f in enumerate(findings):
            if f.check in alarms and i not in used:
                alarms[f.check] += 1
        moved += bundle.moved
    elapsed = time.perf_counter() - started
    total = sum(planted.values())
    print(f"bundles: {len(bundles)} (seed {args.seed}); recommendations moved: {moved}")
    for kind in ("invented", "dropped"):
        print(
            f"{kind:<10} planted {planted[kind]:>4}  found {found[kind]:>4}  "
            f"({found[kind] / max(planted[kind], 1):.1%})"
        )
    print(f"invented or dropped found: {sum(found.values())} of {total} ({sum(found.values()) / max(total, 1):.1%})")
    print(
        f"false alarms: provision_not_in_advice {alarms['provision_not_in_advice']}, "
        f"advice_not_in_plan {alarms['advice_not_in_plan']}"
    )
    print(f"time: {elapsed:.1f}s")


def _score(drafts: list, args: argparse.Namespace) -> None:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    styles: Counter[str] = Counter()
    clean = clean_alarm = clean_fail = 0
    defective = defective_fail = 0
    started = time.perf_counter()
    profiles: Counter[str] = Counter()
    for index, draft in enumerate(drafts):
        styles[draft.style] += 1
        data = draft.docx() if hasattr(draft, "docx") else draft.data
        plan, chosen = read_with(data)
        profiles[chosen.name] += 1
        findings = run_checks(plan, draft.front_sheet)
        predicted = {(f.check, f.section) for f in findings}
        for pair in predicted & draft.expected:
            tp[pair[0]] += 1
        for pair in predicted - draft.expected:
            fp[pair[0]] += 1
            if len(examples[pair[0]]) < args.show * 2:
                texts = [f"{f.section}: {f.excerpt} ({f.message})" for f in findings if (f.check, f.section) == pair]
                examples[pair[0]].append(f"  FP draft {index} [{draft.style}] {texts[0]}")
        for pair in draft.expected - predicted:
            fn[pair[0]] += 1
            if len(examples[pair[0]]) < args.show * 2:
                examples[pair[0]].append(f"  FN draft {index} [{draft.style}] missed {pair} planted={draft.planted}")
        failed = any(f.severity == "error" for f in findings)
        if draft.expected:
            defective += 1
            defective_fail += failed
        else:
            clean += 1
            clean_alarm += bool(findings)
            clean_fail += failed
    elapsed = time.perf_counter() - started

    print(f"drafts: {len(drafts)} (seed {args.seed}); styles: {dict(sorted(styles.items()))}")
    print(f"profiles detected: {dict(sorted(profiles.items()))}")
    print("identifier detector: screening detectors")
    print(f"{'check':<24}{'labels':>7}{'TP':>6}{'FP':>6}{'FN':>6}{'precision':>11}{'recall':>8}")
    for check in CHECK_NAMES:
        labels = tp[check] + fn[check]
        precision = tp[check] / (tp[check] + fp[check]) if tp[check] + fp[check] else float("nan")
        recall = tp[check] / labels if labels else float("nan")
        print(f"{check:<24}{labels:>7}{tp[check]:>6}{fp[check]:>6}{fn[check]:>6}{precision:>11.3f}{recall:>8.3f}")
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(
        f"{'all checks':<24}{all_tp + all_fn:>7}{all_tp:>6}{all_fp:>6}{all_fn:>6}"
        f"{all_tp / max(all_tp + all_fp, 1):>11.3f}{all_tp / max(all_tp + all_fn, 1):>8.3f}"
    )
    print(
        f"clean drafts: {clean}, with any finding: {clean_alarm} ({clean_alarm / max(clean, 1):.1%}), "
        f"verdict fail: {clean_fail} ({clean_fail / max(clean, 1):.1%})"
    )
    print(f"defective drafts: {defective}, verdict fail: {defective_fail} ({defective_fail / max(defective, 1):.1%})")
    print(f"clean drafts that pass: {clean - clean_fail} of {clean} ({(clean - clean_fail) / max(clean, 1):.1%})")
    print(f"time: {elapsed:.1f}s ({1000 * elapsed / len(drafts):.0f} ms per draft, write + read + check)")
    if args.show:
        for check in CHECK_NAMES:
            if examples[check]:
                print(f"-- {check}")
                print("\n".join(examples[check]))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
