"""`emoai train`: a plan (`plan`), the Ray Train trainer (`trainer`, `scaling`, `datasets`, `shards`),
the code every worker runs (`loop`, `worker`), the typed contract between them (`protocol`,
`events`, `callbacks`), the driver's progress pump (`pump`), checkpoints, and the run (`run`).

May import: data, tracking, model, cluster, base.
"""
