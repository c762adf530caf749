"""Draft QA quality: precision and recall of every check on seeded synthetic drafts with planted defects.

A finding counts as a true positive when its (check, section) pair is among the draft's labels; each
label not found is a miss. Drafts come from tests/benchmarks/qa_drafts.py in four template styles, a third
of them clean, with hard cases on both sides. Severity is not scored, only whether the check fired where
it should.

    python -m tests.benchmarks qa            # 300 drafts, seed 20261122
    python -m tests.benchmarks.bench_qa --drafts 600 --seed 7 --show 5
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict

from service.qa.checks import run_checks
from service.qa.profiles import read_with
from tests.benchmarks import national_drafts
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
                texts = [
                    f"{f.section}: {f.excerpt} ({f.message})"
                    for f in findings
                    if (f.check, f.section) == pair
                ]
                examples[pair[0]].append(f"  FP draft {index} [{draft.style}] {texts[0]}")
        for pair in draft.expected - predicted:
            fn[pair[0]] += 1
            if len(examples[pair[0]]) < args.show * 2:
                examples[pair[0]].append(
                    f"  FN draft {index} [{draft.style}] missed {pair} planted={draft.planted}"
                )
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
        print(
            f"{check:<24}{labels:>7}{tp[check]:>6}{fp[check]:>6}{fn[check]:>6}{precision:>11.3f}{recall:>8.3f}"
        )
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(
        f"{'all checks':<24}{all_tp + all_fn:>7}{all_tp:>6}{all_fp:>6}{all_fn:>6}"
        f"{all_tp / max(all_tp + all_fp, 1):>11.3f}{all_tp / max(all_tp + all_fn, 1):>8.3f}"
    )
    print(
        f"clean drafts: {clean}, with any finding: {clean_alarm} ({clean_alarm / max(clean, 1):.1%}), "
        f"verdict fail: {clean_fail} ({clean_fail / max(clean, 1):.1%})"
    )
    print(
        f"defective drafts: {defective}, verdict fail: {defective_fail} "
        f"({defective_fail / max(defective, 1):.1%})"
    )
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
