"""Model: a validated world and scenario in, the optimisation problems out.

Takes a :class:`~supplychain.inputs.schema.World` and a
:class:`~supplychain.inputs.schema.Scenario`; gives the
:class:`~supplychain.model.instance.Instance` (routes, levers, covers, costs, budgets as plain
numbers), the adversary's :class:`~supplychain.model.follower.FollowerLP` and the leader MILP
(the follower replaced by its dual, lever × dual products linearised with big-M bounds derived
from the graph) behind the stage interface of :mod:`~supplychain.model.stages`, built either as
HiGHS arrays (:mod:`~supplychain.model.highs_leader`, the default) or in Pyomo
(:mod:`~supplychain.model.pyomo_model`, the readable reference).
"""
