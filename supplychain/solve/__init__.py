"""Solve: an instance in, a proven policy (or the reason there is none) out.

Takes an :class:`~supplychain.model.instance.Instance` and its follower LP; gives an
:class:`~supplychain.solve.lexicographic.Outcome`: the levers of least capability, ties broken by
least diplomatic cost, least lost sales and fewest levers in lexicographic stages, re-checked by
the follower LP, with HiGHS's status, bound and gap. ``diagnose`` explains an infeasible
scenario at its pins and budgets; ``greedy`` is the rule of thumb the exact answer is measured
against.
"""
