"""Training: the DeepMind and pykan loops, their numpy back-ends, run records, the run memory."""
