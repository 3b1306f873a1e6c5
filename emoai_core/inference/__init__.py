"""Using a trained model: which model a command means (`select`), predictors with an ONNX fast path
(`predict`), Ray Data batch inference (`batch`), evaluation and its report (`evaluate`, `report`),
texts from files and stdin (`text_input`), and a client for a running server (`client`).

May import: data, tracking, model, cluster, base.
"""
