"""Data sets: the catalog (registry), the generated and shipped sets, and their preparation into tensors."""
