"""Turnaround and SLA tracking: clocks that pause, the monitor, reports and the capacity forecast."""
