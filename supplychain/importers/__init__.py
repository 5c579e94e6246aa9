"""Importers: outside datasets in, world-model YAML files out.

``eto`` turns the ETO/CSET supply-chain CSVs into a world model that validates like any other
(rules: ``docs/eto_import.md``).
"""
