"""MLflow: the store and run creation (`store`), a running run's metrics (`tracker`), finding runs
(`runs`), listing them (`listing`), the registered model (`registry`), local model copies
(`local_models`), promotion (`promote`), and deleting or stopping runs (`admin`).

May import: model, cluster, base.
"""
