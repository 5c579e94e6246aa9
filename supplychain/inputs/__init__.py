"""Inputs: YAML text in, validated world models and scenarios out.

Takes a world-model or scenario file; gives a :class:`~supplychain.inputs.schema.World` or
:class:`~supplychain.inputs.schema.Scenario` (Pydantic models) with the
:class:`~supplychain.inputs.yamldoc.Document` that locates every field at its line, or raises
:class:`~supplychain.errors.InputError` with one located problem per mistake.

``yamldoc`` reads YAML safely with line numbers, ``schema`` states the file formats, ``load``
validates against them, ``checks`` checks meaning across fields (references, cycles, pins),
``graph`` is the item graph networkx sees, ``messages`` words the problems.
"""
