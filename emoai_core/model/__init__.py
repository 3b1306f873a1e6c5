"""The classifier itself, free of Ray and MLflow: base models (`classifier`), the label set
(`labels`), the optimiser and the one `train_step` (`optim`, `step`), length-grouped batches
(`batching`), validation metrics (`metrics`), and the exported bundle (`bundle`, `export`).

May import: base.
"""
