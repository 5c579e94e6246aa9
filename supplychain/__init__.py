"""Semiconductor supply-chain control-gap modeler."""

__version__ = "0.1.0"
