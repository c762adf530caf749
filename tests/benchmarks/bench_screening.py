"""Screening benchmark: precision and recall per kind on labelled synthetic bundles, and PDF throughput.

Run: python -m tests.benchmarks screening   (or: python -m tests.benchmarks.bench_screening --bundles 80)
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable

from service.screening.denylist import DenyList, make_denylist
from service.screening.detectors import TextFinding, scan_text
from service.screening.extract import document_people, extract_pages
from service.screening.report import screen_document
from tests.benchmarks.screening_corpus import Bundle, dense_page, make_bundle, render_pdf

KINDS = (
    "nhs_number", "upn", "ni_number", "postcode", "phone", "email", "date_of_birth", "person_name",
    "address", "metadata_person", "denylisted",
)  # fmt: skip


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" .,;:()").lower()


def _overlaps(found: str, label: str) -> bool:
    found, label = _norm(found), _norm(label)
    if not found or not label:
        return False
    return label in found or (found in label and len(found) >= max(3, len(label) // 2))


def _evaluate(bundle: Bundle, deny: DenyList) -> tuple[Counter[str], Counter[str], Counter[str], dict]:
    data = render_pdf(bundle)
    pages = extract_pages("pdf", data)
    found: list[tuple[int, str, str]] = []
    for number, text in enumerate(pages, start=1):
        hits: list[TextFinding] = scan_text(text) + deny.find(text)
        found.extend((number, f.kind, text[f.start : f.end]) for f in hits)
    found.extend((1, "metadata_person", p.name) for p in document_people("pdf", data))
    true_pos: Counter[str] = Counter()
    false_pos: Counter[str] = Counter()
    false_neg: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for page, kind, value in found:
        if any(lb.page == page and lb.kind == kind and _overlaps(value, lb.value) for lb in bundle.labels):
            true_pos[kind] += 1
        else:
            false_pos[kind] += 1
            examples[f"FP {kind}"].append(value)
    for label in bundle.labels:
        if not any(p == label.page and k == label.kind and _overlaps(v, label.value) for p, k, v in found):
            false_neg[label.kind] += 1
            examples[f"FN {label.kind}"].append(label.value)
    return true_pos, false_pos, false_neg, examples


def quality(bundles: int, seed: int) -> None:
    rng = random.Random(seed)
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    labels: Counter[str] = Counter()
    page_total = 0
    for _ in range(bundles):
        bundle = make_bundle(rng, rng.randrange(3, 10), planted_per_page=rng.uniform(0.5, 3.0))
        page_total += len(bundle.pages)
        labels.update(label.kind for label in bundle.labels)
        decoys = [f"Decoy Person {n}" for n in range(20)]
        made = make_denylist([*bundle.deny_values, *decoys], None)
        deny = DenyList(str(made["salt"]), list(made["hashes"]))  # type: ignore[call-overload]
        t, f, n, e = _evaluate(bundle, deny)
        tp.update(t)
        fp.update(f)
        fn.update(n)
        for key, values in e.items():
            examples[key].extend(values)
    print(f"quality: {bundles} bundles, {page_total} PDF pages, seed {seed}")
    print("(TP and FP count findings, FN counts labels never found; recall = labels found / labels)")
    print(f"{'kind':<16}{'labels':>7}{'found':>7}{'TP':>6}{'FP':>6}{'FN':>6}{'precision':>11}{'recall':>8}")
    for kind in KINDS:
        found = tp[kind] + fp[kind]
        label_count = labels[kind]
        precision = tp[kind] / found if found else float("nan")
        recall = (label_count - fn[kind]) / label_count if label_count else float("nan")
        print(
            f"{kind:<16}{label_count:>7}{found:>7}{tp[kind]:>6}{fp[kind]:>6}{fn[kind]:>6}"
            f"{precision:>11.3f}{recall:>8.3f}"
        )
    all_found = sum(tp.values()) + sum(fp.values())
    all_labels = sum(labels.values())
    print(
        f"{'all':<16}{all_labels:>7}{all_found:>7}{sum(tp.values()):>6}{sum(fp.values()):>6}{sum(fn.values()):>6}"
        f"{sum(tp.values()) / all_found:>11.3f}{(all_labels - sum(fn.values())) / all_labels:>8.3f}"
    )
    for key in sorted(examples):
        sample = sorted(set(examples[key]))[:6]
        print(f"  e.g. {key}: {sample}")


def throughput(pages: int, repeats: int, seed: int) -> None:
    rng = random.Random(seed)
    bundle = Bundle(pages=[dense_page(rng, n) for n in range(1, pages + 1)], author="Helen Marsh")
    data = render_pdf(bundle)
    deny_made = make_denylist([f"Listed Name {n}" for n in range(500)], None)
    deny = DenyList(str(deny_made["salt"]), list(deny_made["hashes"]))  # type: ignore[call-overload]

    def timed(action: Callable[[], object]) -> tuple[float, float]:
        """(fastest, median) of the repeats: the fastest is least disturbed by other work on the machine."""
        runs = []
        for _ in range(repeats):
            started = time.perf_counter()
            action()
            runs.append(time.perf_counter() - started)
        return min(runs), statistics.median(runs)

    texts = extract_pages("pdf", data)
    chars = sum(len(p) for p in texts)
    rows = [
        ("pypdf extraction alone", timed(lambda: extract_pages("pdf", data))),
        ("detectors on extracted text", timed(lambda: [scan_text(t) for t in texts])),
        ("deny-list on extracted text", timed(lambda: [deny.find(t) for t in texts])),
        ("full screening, no deny-list", timed(lambda: screen_document("b.pdf", "pdf", data, None))),
        ("full screening, 500-entry list", timed(lambda: screen_document("b.pdf", "pdf", data, deny))),
    ]
    print(f"throughput: {pages}-page PDF, {len(data) // 1024} KiB, {chars} characters, {repeats} runs each")
    print(f"  {'step':<32}{'fastest s':>10}{'pages/s':>9}{'median s':>10}")
    for name, (fastest, median) in rows:
        print(f"  {name:<32}{fastest:>10.3f}{pages / fastest:>9.1f}{median:>10.3f}")
    bare = rows[0][1][0]
    print(
        f"  full screening / extraction alone: {rows[3][1][0] / bare:.2f}x (no list), "
        f"{rows[4][1][0] / bare:.2f}x (500-entry list), fastest runs"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_screening")
    parser.add_argument("--bundles", type=int, default=60)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20251122)
    args = parser.parse_args(argv)
    quality(args.bundles, args.seed)
    throughput(args.pages, args.repeats, args.seed)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
