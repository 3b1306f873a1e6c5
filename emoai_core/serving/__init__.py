"""`emoai serve`: the Ray Serve application (`app`, `batching`), deploying and stopping it
(`deploy`), its options, state and status (`options`, `state`, `status`), and the model bundle it
ships to replicas (`bundle`).

May import: inference, data, tracking, model, cluster, base.
"""
