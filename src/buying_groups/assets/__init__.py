"""Dagster assets, one module per group; each asset is a few lines over the pure stages."""
