"""`emoai monitor` and the served models' records: the prediction log (`predlog` writes, `records`
reads), text features (`features`), the reference each model is compared with (`reference`), the
drift statistics (`drift`), traffic summaries (`summary`) and the report (`report`).

May import: inference, data, tracking, model, cluster, base.
"""
