"""TFLite support-library metadata (`ferry convert --target tflite` with --labels, --input-mean/--input-std).

- the metadata flatbuffer (identifier M001) sits in a buffer named by the model's
  TFLITE_METADATA entry and parses: with tflite-support's own MetadataDisplayer when it imports
  (`tensorflow_lite_support`, set FERRY_TFLITE_SUPPORT to a folder holding it — the PyPI wheel
  pins protobuf 3, so it is not installed in the shared venv), and always with a small reader of
  metadata_schema.fbs written here on the `flatbuffers` package;
- names, image content, normalization (mean/std), stats and the labels association are what was
  declared; the zip appended to the model holds labels.txt with the labels;
- LiteRT loads the file and computes exactly what it computes on the same model converted
  without labels or normalization (metadata never changes the graph);
- `ferry inspect` shows the metadata; the same conversion gives the same bytes.
"""
from __future__ import annotations

import io
import json
import os
import pathlib
import subprocess
import sys
import zipfile

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES_DIR = ROOT / "fixtures"
FERRY = os.environ.get("FERRY_BIN", str(ROOT / ".build" / "release" / "ferry"))
LABELS = [f"digit {i}" for i in range(10)]

flatbuffers = pytest.importorskip("flatbuffers")


def convert(out: pathlib.Path, *flags: str, fixture: str = "keras_digits") -> pathlib.Path:
    if not pathlib.Path(FERRY).exists():
        pytest.skip(f"{FERRY} is missing: build it with `swift build -c release --product ferry` or set FERRY_BIN")
    folder = FIXTURES_DIR / fixture
    run = subprocess.run([FERRY, "convert", folder / "model.onnx", "--out", out, "--target", "tflite",
                          "--data", folder / "eval.npz", "--max-samples", "4", *flags], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    return out / "model.tflite"


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tflite-meta")
    labels = folder / "labels.txt"
    labels.write_text("".join(l + "\n" for l in LABELS))
    return convert(folder / "out", "--labels", str(labels), "--input-mean", "127.5", "--input-std", "127.5",
                   "--author", "Ferry tests", "--license", "Apache-2.0", "--description", "digits")


# --- a small reader of metadata_schema.fbs (field slots in declaration order, unions take two) ---

class Table:
    def __init__(self, buf: bytes, pos: int):
        self.t = flatbuffers.table.Table(bytearray(buf), pos)

    def _offset(self, slot: int) -> int:
        return self.t.Offset(4 + 2 * slot)

    def string(self, slot: int) -> str | None:
        o = self._offset(slot)
        return self.t.String(o + self.t.Pos).decode() if o else None

    def scalar(self, slot: int, kind, default=0):
        o = self._offset(slot)
        return self.t.Get(kind, o + self.t.Pos) if o else default

    def table(self, slot: int) -> "Table | None":
        o = self._offset(slot)
        return Table(self.t.Bytes, self.t.Indirect(o + self.t.Pos)) if o else None

    def tables(self, slot: int) -> list["Table"]:
        o = self._offset(slot)
        if not o:
            return []
        start, n = self.t.Vector(o), self.t.VectorLen(o)
        return [Table(self.t.Bytes, self.t.Indirect(start + 4 * i)) for i in range(n)]

    def floats(self, slot: int) -> list[float]:
        o = self._offset(slot)
        if not o:
            return []
        start, n = self.t.Vector(o), self.t.VectorLen(o)
        return [self.t.Get(flatbuffers.number_types.Float32Flags, start + 4 * i) for i in range(n)]

    def vector_bytes(self, slot: int) -> bytes:
        o = self._offset(slot)
        start, n = self.t.Vector(o), self.t.VectorLen(o)
        return bytes(self.t.Bytes[start:start + n])


def root(buf: bytes) -> Table:
    return Table(buf, flatbuffers.encode.Get(flatbuffers.packer.uoffset, bytearray(buf), 0))


def metadata_buffer(model: bytes) -> bytes:
    """tflite schema: Model.buffers is slot 4, Model.metadata slot 6; Metadata(name 0, buffer 1); Buffer.data slot 0."""
    m = root(model)
    entries = [e for e in m.tables(6) if e.string(0) == "TFLITE_METADATA"]
    assert len(entries) == 1, "exactly one TFLITE_METADATA entry"
    index = entries[0].scalar(1, flatbuffers.number_types.Uint32Flags)
    return m.tables(4)[index].vector_bytes(0)


def read_metadata(buf: bytes) -> dict:
    assert buf[4:8] == b"M001", "metadata file identifier"
    U8, I8 = flatbuffers.number_types.Uint8Flags, flatbuffers.number_types.Int8Flags

    def tensor(t: Table) -> dict:
        out = {"name": t.string(0), "description": t.string(1)}
        content = t.table(3)
        if content is not None:
            kind = content.scalar(0, U8)
            out["content"] = {1: "feature", 2: "image"}.get(kind, kind)
            if kind == 2:
                image = content.table(1)
                size = image.table(1)
                out["color_space"] = image.scalar(0, I8)
                out["size"] = (size.scalar(0, flatbuffers.number_types.Uint32Flags), size.scalar(1, flatbuffers.number_types.Uint32Flags))
        units = t.tables(4)
        if units:
            assert units[0].scalar(0, U8) == 1, "NormalizationOptions"
            options = units[0].table(1)
            out["mean"], out["std"] = options.floats(0), options.floats(1)
        stats = t.table(5)
        if stats is not None:
            out["max"], out["min"] = stats.floats(0), stats.floats(1)
        out["files"] = [(f.string(0), f.scalar(2, I8)) for f in t.tables(6)]
        return out

    m = root(buf)
    subgraphs = m.tables(3)
    assert len(subgraphs) == 1
    return {"name": m.string(0), "description": m.string(1), "author": m.string(4), "license": m.string(5),
            "min_parser_version": m.string(7), "subgraph": subgraphs[0].string(0),
            "inputs": [tensor(t) for t in subgraphs[0].tables(2)], "outputs": [tensor(t) for t in subgraphs[0].tables(3)]}


def test_metadata_parses_and_says_what_was_declared(labelled):
    meta = read_metadata(metadata_buffer(labelled.read_bytes()))
    assert (meta["author"], meta["license"], meta["description"], meta["min_parser_version"]) == ("Ferry tests", "Apache-2.0", "digits", "1.0.0")
    assert meta["subgraph"] == "serving_default"
    [image] = meta["inputs"]
    assert image["name"] == "input" and image["content"] == "image" and image["size"] == (8, 8) and image["color_space"] == 2
    assert image["mean"] == [127.5] and image["std"] == [127.5] and image["min"] == [-1.0] and image["max"] == [1.0]
    [probabilities] = meta["outputs"]
    assert probabilities["name"] == "probabilities" and probabilities["files"] == [("labels.txt", 2)]  # TENSOR_AXIS_LABELS


def test_the_appended_zip_holds_the_labels(labelled):
    data = labelled.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["labels.txt"]
        assert archive.read("labels.txt").decode().splitlines() == LABELS
        assert archive.testzip() is None


def test_tflite_support_reads_it_when_available(labelled):
    extra = os.environ.get("FERRY_TFLITE_SUPPORT")
    if extra:
        sys.path.insert(0, extra)
    try:
        from tensorflow_lite_support.metadata.python import metadata as tfls
    except Exception as error:  # ImportError, or its pinned protobuf clashing with the venv's
        pytest.skip(f"tflite-support is not importable here ({error}); the hand-written reader above checks the same fields")
    displayer = tfls.MetadataDisplayer.with_model_file(str(labelled))
    shown = json.loads(displayer.get_metadata_json())
    tensor = shown["subgraph_metadata"][0]["input_tensor_metadata"][0]
    assert tensor["process_units"][0]["options"] == {"mean": [127.5], "std": [127.5]}
    assert tensor["content"]["content_properties_type"] == "ImageProperties"
    assert displayer.get_packed_associated_file_list() == ["labels.txt"]
    assert displayer.get_associated_file_buffer("labels.txt").decode().splitlines() == LABELS


def test_litert_runs_it_exactly_as_without_metadata(labelled, tmp_path):
    interpreter_module = pytest.importorskip("ai_edge_litert.interpreter")
    plain = convert(tmp_path / "plain")
    assert plain.read_bytes() != labelled.read_bytes()
    samples = np.load(FIXTURES_DIR / "keras_digits" / "eval.npz")
    x = samples["input"][:4].astype(np.float32)
    results = []
    for path in (labelled, plain):
        runner = interpreter_module.Interpreter(model_path=str(path), num_threads=1)
        runner.allocate_tensors()
        (inp,), (out,) = runner.get_input_details(), runner.get_output_details()
        outputs = []
        for row in x:
            runner.set_tensor(inp["index"], row.reshape(inp["shape"]))
            runner.invoke()
            outputs.append(runner.get_tensor(out["index"]).copy())
        results.append(np.stack(outputs))
    assert np.array_equal(results[0], results[1])
    assert np.isfinite(results[0]).all() and np.allclose(results[0].sum(axis=-1), 1, atol=1e-4)


def test_inspect_shows_it_and_output_is_deterministic(labelled, tmp_path):
    shown = json.loads(subprocess.run([FERRY, "inspect", str(labelled), "--json"], capture_output=True, text=True, check=True).stdout)
    meta = shown["tflite_metadata"]
    assert meta["inputs"][0]["mean"] == [127.5] and meta["outputs"][0]["associated_files"] == [{"name": "labels.txt", "type": 2}]
    assert meta["packed_files"] == [{"name": "labels.txt", "bytes": len("".join(l + "\n" for l in LABELS))}]
    text = subprocess.run([FERRY, "inspect", str(labelled)], capture_output=True, text=True, check=True).stdout
    assert "TFLITE_METADATA" in text and "labels.txt" in text
    labels = tmp_path / "labels.txt"
    labels.write_text("".join(l + "\n" for l in LABELS))
    again = convert(tmp_path / "again", "--labels", str(labels), "--input-mean", "127.5", "--input-std", "127.5",
                    "--author", "Ferry tests", "--license", "Apache-2.0", "--description", "digits")
    assert again.read_bytes() == labelled.read_bytes()


def test_wrong_declarations_are_errors_naming_the_flag(tmp_path):
    labels = tmp_path / "three.txt"
    labels.write_text("a\nb\nc\n")
    folder = FIXTURES_DIR / "keras_digits"
    run = subprocess.run([FERRY, "convert", folder / "model.onnx", "--out", tmp_path / "o", "--target", "tflite", "--labels", str(labels)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "--labels: 3 labels" in run.stderr and "probabilities" in run.stderr, run.stderr
    run = subprocess.run([FERRY, "convert", folder / "model.onnx", "--out", tmp_path / "p", "--target", "tflite",
                          "--input-mean", "1,2", "--input-std", "1"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "--input-mean: 2 values" in run.stderr, run.stderr
