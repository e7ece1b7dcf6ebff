#!/usr/bin/env python3
"""Smoke-test the three converters end to end, as a user would call them.

  build/convert-venv/bin/python converters/selftest.py

Makes tiny scikit-learn estimators (an MLP, a StandardScaler + LogisticRegression pipeline) and a Keras model in a temporary folder, then runs each
converter's CLI with `--check` (onnxruntime must agree with the framework within 1e-4 of the
output range) on them and on torchvision/PyTorch models, with both torch exporters and a
dynamic batch. Needs the converter environment (requirements.txt); exits non-zero on failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(*args: str) -> bool:
    command = [sys.executable, *args]
    print("$", " ".join(os.path.relpath(a, ROOT) if a.startswith(HERE) else a for a in args), flush=True)
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    last = [line for line in result.stdout.splitlines() if "max error" in line]
    print(f"  {'ok' if result.returncode == 0 else 'FAILED'}{': ' + last[-1].strip() if last else ''}")
    if result.returncode != 0:
        print(result.stdout[-1500:], result.stderr[-1500:], sep="\n")
    return result.returncode == 0


def main() -> int:
    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        import warnings

        from sklearn.datasets import load_digits
        from sklearn.neural_network import MLPClassifier
        import joblib

        x, y = load_digits(return_X_y=True)
        x = (x / 16).astype(np.float32)
        warnings.simplefilter("ignore")  # an unconverged 50-iteration MLP is fine here
        joblib.dump(MLPClassifier((16,), max_iter=50, random_state=0).fit(x, y), f"{tmp}/mlp.joblib")
        np.save(f"{tmp}/rows.npy", x[:16])
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        joblib.dump(make_pipeline(StandardScaler(), LogisticRegression(max_iter=200)).fit(x, y), f"{tmp}/logreg.joblib")

        os.environ["KERAS_BACKEND"] = "torch"
        import keras

        keras.utils.set_random_seed(0)
        keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                          keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")]).save(f"{tmp}/cnn.keras")

        c = lambda name: os.path.join(HERE, name)  # noqa: E731
        results = [
            run(c("sklearn_to_onnx.py"), f"{tmp}/mlp.joblib", "--batch", "1", "-o", f"{tmp}/mlp.onnx", "--check", f"{tmp}/rows.npy"),
            run(c("sklearn_to_onnx.py"), f"{tmp}/mlp.joblib", "-o", f"{tmp}/mlp_dyn.onnx", "--check", f"{tmp}/rows.npy"),
            run(c("sklearn_to_onnx.py"), f"{tmp}/logreg.joblib", "-o", f"{tmp}/logreg.onnx", "--check", f"{tmp}/rows.npy"),
            run(c("keras_to_onnx.py"), f"{tmp}/cnn.keras", "-o", f"{tmp}/cnn.onnx", "--check"),
            run(c("pytorch_to_onnx.py"), "torchvision:mobilenet_v3_small", "--kwargs", '{"width_mult": 0.5}',
                "--input-shape", "1,3,64,64", "--bn-warmup", "2", "--randomize-affine", "-o", f"{tmp}/mv3.onnx", "--check"),
            run(c("pytorch_to_onnx.py"), "fixtures/models.py:DigitsCNN", "--input-shape", "2,1,8,8", "--dynamic-batch",
                "-o", f"{tmp}/cnn_dyn.onnx", "--check"),
            run(c("pytorch_to_onnx.py"), "fixtures/models.py:TinyTransformer", "--input-shape", "1,16", "--input-dtype", "int64",
                "--vocab", "64", "--exporter", "dynamo", "-o", f"{tmp}/tr.onnx", "--check"),
        ]
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
