"""Runs: the Run row that owns a training job's lifecycle, its events, checkpoints, worker slots and tokens."""
