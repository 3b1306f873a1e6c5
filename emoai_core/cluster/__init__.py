"""Ray: connecting and checking capacity (`ray_env`), nodes on this machine (`local_ray`), the
cluster files (`config`), `emoai cluster up/down/status` (`lifecycle`, `local`, `aws`, `state`),
the dashboard's REST API (`dashboard`), and Ray Jobs (`jobs`).

May import: base.
"""
