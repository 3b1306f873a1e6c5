"""The shared storage a cluster and the laptop both reach: data versions, Ray Train's checkpoints and
run results, MLflow's model artifacts, base models — one URI (s3://, gs://, file:///) through pyarrow.fs."""
