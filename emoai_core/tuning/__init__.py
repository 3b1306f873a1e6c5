"""`emoai tune`: a Ray Tune study (`study`) whose trials are training runs (`trials`), over a search
space (`space`), with its options and events (`options`).

May import: every wing but itself above (training, serving, inference, data, tracking, model, cluster, base).
"""
