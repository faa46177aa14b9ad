"""The Python module (src/python): the CLI's archives, streams, errors, the GIL released,
and coding with pmfs the caller supplies. Run by ctest (python_module) with the package
folder on sys.path and SHZ_BIN naming the CLI."""
import io
import math
import os
import subprocess
import threading
import time

import numpy as np
import pytest

import shz

SRC = os.environ.get("SHZ_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SHZ_BIN = os.environ.get("SHZ_BIN", "shz")


def corpus(name, limit):
    with open(os.path.join(SRC, "corpora", name), "rb") as f:
        return f.read(limit)


TEXT = corpus("kjv-pentateuch.txt", 20000)


def cli(*args, data=None):
    return subprocess.run([SHZ_BIN, *args], input=data, stdout=subprocess.PIPE, check=True).stdout


def test_round_trip_and_byte_identical_to_the_cli():
    packed = shz.compress(TEXT)
    assert shz.decompress(packed) == TEXT
    assert packed == cli("-c", data=TEXT)  # default model and level, as the CLI's
    assert shz.compress(TEXT, level=1, model="order2") == cli("-1", "-m", "order2", "-c", data=TEXT)
    # Any buffer: bytearray, memoryview, numpy.
    assert shz.compress(bytearray(TEXT), level=1, model="order2", threads=1) == \
        shz.compress(np.frombuffer(TEXT, dtype=np.uint8), level=1, model="order2", threads=2)


def test_info_and_eval_match_the_cli():
    packed = shz.compress(TEXT, level=1, model="order2", frame_size=8192)
    i = shz.info(packed)
    assert i["original_size"] == len(TEXT) and i["archive_size"] == len(packed)
    assert len(i["frames"]) == 3 and i["index_size"] == 36 + 16 * 3
    e = shz.eval(TEXT[:4000])
    assert e["bytes"] == 4000 and 0.5 < e["bpb"] < 8
    import json
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "shz-py-eval.txt")
    with open(path, "wb") as f:
        f.write(TEXT[:4000])
    try:
        j = json.loads(cli("eval", "--json", path))
        assert j["payload_bytes"] == e["payload_bytes"] and shz.eval(path)["bpb"] == e["bpb"]
    finally:
        os.remove(path)


def test_range_and_concatenation():
    packed = shz.compress(TEXT, level=1, model="order2", frame_size=4096)
    assert shz.decompress_range(packed, 5000, 3000) == TEXT[5000:8000]
    assert shz.decompress(packed + packed) == TEXT + TEXT


def test_open_streams_like_lzma_open(tmp_path):
    path = tmp_path / "t.shz"
    with shz.open(path, "wb", level=1, model="order2", frame_size=8192) as f:
        for k in range(0, len(TEXT), 3000):
            f.write(TEXT[k:k + 3000])
    assert path.read_bytes() == shz.compress(TEXT, level=1, model="order2", frame_size=8192)
    with shz.open(path, "rb") as f:
        assert f.read(10) == TEXT[:10]
        assert f.read() == TEXT[10:]
    with shz.open(path, "rt", encoding="utf-8") as f:
        assert f.readline() == TEXT.decode("utf-8").splitlines(True)[0]
    with shz.open(path, "ab", level=1, model="order2") as f:  # a second stream after the first
        f.write(b"more")
    assert shz.decompress(path.read_bytes()) == TEXT + b"more"
    with shz.open(io.BytesIO(shz.compress(b"abc", model="order2", level=1))) as f:
        assert f.read() == b"abc"
    with shz.open(path, "rb") as f:  # closed before the end: the worker stops
        f.read(5)


def test_engine_tuning_is_per_call_and_never_changes_the_archive():
    text = TEXT[:6000]
    packed = shz.compress(text)
    assert shz.compress(text, simd="scalar", batch=3) == packed
    assert shz.decompress(packed, simd="scalar", batch=1) == text
    with pytest.raises(shz.UsageError, match="SIMD level"):
        shz.compress(text, simd="bogus")
    with pytest.raises(shz.UsageError, match="batch"):
        shz.decompress(packed, batch=5000)


def test_errors_are_exceptions_with_shz_messages():
    with pytest.raises(shz.CorruptError, match="not a shz archive"):
        shz.decompress(b"hello")
    bad = bytearray(shz.compress(TEXT, level=1, model="order2"))
    bad[4] ^= 1
    with pytest.raises(shz.CorruptError, match="header checksum mismatch"):
        shz.decompress(bytes(bad))
    with pytest.raises(ValueError):
        shz.compress(TEXT, level=12)
    with pytest.raises(shz.UsageError, match="unknown model"):
        shz.compress(TEXT, model="no-such-model")
    with pytest.raises(shz.CorruptError):
        with shz.open(io.BytesIO(b"\x89SHZ junk"), "rb") as f:
            f.read()
    assert issubclass(shz.CorruptError, shz.ShzError)


def test_the_gil_is_released_while_compressing():
    data = corpus("kjv-pentateuch.txt", 300000)
    done = threading.Event()
    result = {}

    def work():
        result["a"] = shz.compress(data, level=1, model="order2", threads=1)
        done.set()

    t = threading.Thread(target=work)
    ticks = 0
    start = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1
    t.join()
    elapsed = time.perf_counter() - start
    # With the GIL held, this thread would get a tick in every switch interval (5 ms) at
    # most; free, it counts hundreds of thousands a second.
    assert elapsed > 0.05
    assert ticks > 20 * elapsed / 0.005, (ticks, elapsed)
    assert shz.decompress(result["a"]) == data


def test_own_pmfs_round_trip_at_their_information_content():
    rng = np.random.default_rng(7)
    n, alphabet = 40000, 256
    # A skewed, changing model: each step's pmf is a softmax of random logits.
    logits = rng.normal(0, 3, size=(n, alphabet))
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    symbols = np.array([rng.choice(alphabet, p=p) for p in probs])
    freqs = shz.quantize(probs, bits=16)
    assert freqs.dtype == np.uint32 and (freqs.sum(axis=1) == 1 << 16).all() and (freqs >= 1).all()
    assert (shz.quantize(probs, bits=16) == freqs).all()  # deterministic
    enc = shz.Encoder()
    enc.encode(symbols, freqs)
    data = enc.finish()
    info = -np.log2(freqs[np.arange(n), symbols] / float(1 << 16)).sum()
    assert abs(enc.bits - info) < 1e-6 * info
    assert abs(len(data) * 8 - info) / info < 0.001, (len(data) * 8, info)
    dec = shz.Decoder(data)
    assert (dec.decode(freqs) == symbols).all()
    assert dec.finished_cleanly()


def test_own_pmfs_large_alphabets_and_one_row_for_all():
    rng = np.random.default_rng(3)
    alphabet = 1 << 16
    freqs = np.ones(alphabet, dtype=np.uint32)
    freqs[:256] += np.uint32(((1 << 24) - alphabet) // 256)
    assert freqs.sum() == 1 << 24
    symbols = np.concatenate([rng.integers(0, 256, 500), rng.integers(0, alphabet, 20)])
    enc = shz.Encoder()
    enc.encode(symbols, freqs)
    dec = shz.Decoder(enc.finish())
    assert (dec.decode(freqs, count=len(symbols)) == symbols).all() and dec.finished_cleanly()
    with pytest.raises(shz.UsageError, match="power of two"):
        shz.Encoder().encode([0], np.array([3, 4], dtype=np.uint32))
    with pytest.raises(shz.UsageError, match="no probability"):
        shz.Encoder().encode([1], np.array([2, 0], dtype=np.uint32))
