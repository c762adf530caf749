"""Exporting a month of 1,000,000 invoice lines as CSV, XLSX and JSON: time, file size and peak memory growth.

The lines are priced one at a time from a rate card by the real rating code (varied work types, page bands,
express jobs, late deliveries and a credit line every 50th line) and fed to the export as a generator, so
nothing holds the month. Each export writes a real file in a temporary directory. Peak memory is resident
memory sampled every 2 ms in a thread (growth = peak - start of that export); the time to merely produce and
total the lines is measured first, for comparison with each export's time (which includes producing them).

    python -m tests.benchmarks billing_export
    python -c "from tests.benchmarks.bench_billing_export import main; main(['--lines', '100000'])"
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from contracts.billing import InvoiceLine
from service.billing.exports import FORMATS, ExportFormat, export_filename, export_invoice
from service.billing.lines import credit_line, invoice_line
from service.billing.rate_card import WORK_TYPES, standard_rate_card
from service.billing.rating import rate_delivery
from service.billing.totals import invoice_header
from tests.benchmarks.memory import PeakMemory

MB = 1024 * 1024


def month_of_lines(count: int) -> Iterator[InvoiceLine]:
    """`count` priced lines for one LA in March 2027, produced lazily; every 50th reverses the one before."""
    card = standard_rate_card()
    previous: InvoiceLine | None = None
    for n in range(count):
        if n % 50 == 49 and previous is not None and previous.kind == "invoice":
            line = credit_line(previous, line_id=n + 1, month="2027-03", event_on=date(2027, 3, 31))
        else:
            rated = rate_delivery(card, WORK_TYPES[(n * 7) % 5], 1 + (n * 37) % 200, n % 7 == 0,
                                  (n * 13) % 9 if n % 5 == 0 else 0)
            line = invoice_line(rated, line_id=n + 1, month="2027-03", la_id="la-0001",
                                po_number=f"PO-2027-{n % 4:03d}", bundle_reference=f"LA1-{n:08d}",
                                event_on=date(2027, 3, 1 + n % 31))
        previous = line
        yield line


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench_billing_export")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--formats", nargs="*", choices=FORMATS, default=list(FORMATS))
    args = parser.parse_args(argv)
    count: int = args.lines

    gc.collect()
    with PeakMemory() as memory:
        started = time.perf_counter()
        header = invoice_header(month_of_lines(count), status="draft", month="2027-03",
                                provider_name="Northern Plans Ltd", la_id="la-0001", la_name="Example Council")
        produce = time.perf_counter() - started
    print(f"lines: {count:,}; net {header.net_pence:,}p, gross {header.gross_pence:,}p")
    print(f"  producing and totalling the lines alone: {produce:6.1f} s ({count / produce:,.0f} lines/s), "
          f"peak RSS growth {memory.growth / MB:.1f} MiB")
    with tempfile.TemporaryDirectory(prefix="bench-billing-") as folder:
        for fmt in args.formats:
            fmt_name: ExportFormat = fmt
            path = Path(folder) / export_filename("invoice", "2027-03", fmt_name, "draft", "la-0001")
            gc.collect()
            with PeakMemory() as memory, path.open("wb") as out:
                started = time.perf_counter()
                export_invoice(header, month_of_lines(count), out, fmt_name)
                elapsed = time.perf_counter() - started
            size = path.stat().st_size
            # the total includes producing the lines again; on a shared machine the two passes can see different
            # loads, so the figures are printed side by side rather than subtracted
            print(f"  {fmt:4}: {elapsed:6.1f} s including producing the lines ({count / elapsed:,.0f} lines/s); "
                  f"file {size / MB:7.1f} MiB; peak RSS growth {memory.growth / MB:6.1f} MiB")
            path.unlink()
