"""Benchmarks of the exact optimiser (issue 8): against enumeration, against a greedy
heuristic, and on synthetic worlds of 1k to 100k routes. Run ``python -m benchmarks``; see
``benchmarks/README.md``. These are measurements, not tests: pytest never collects them."""
