"""The allocation simulator: a tool for judging allocation policies over a simulated season, not part of the service.

`planwright simulate` (command.py) runs it; tests/simulation and tests/benchmarks/bench_allocation_simulation.py
use its core (simulate.py). Its chart needs matplotlib, the optional `chart` extra.
"""
