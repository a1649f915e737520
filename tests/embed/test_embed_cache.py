"""The disk cache: hits and misses, deduplication, persistence, damage and concurrency."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from nlpthemes.embed import CachedEmbedder, EmbeddingCache, FakeEmbedder, default_cache_dir
from nlpthemes.embed._cache import text_key


class CountingEmbedder(FakeEmbedder):
    """A FakeEmbedder that records every text it is asked to embed."""

    def __init__(self, *, dimension: int = 8, seed: int = 0) -> None:
        super().__init__(dimension=dimension, seed=seed)

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.__dict__.setdefault("seen", []).extend(texts)
        return super().encode(texts)


def seen(embedder: CountingEmbedder) -> list[str]:
    return list(embedder.__dict__.get("seen", []))


def test_second_call_does_not_call_the_model(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(embedder=inner, cache_dir=tmp_path)
    first = cached.encode(["one", "two", "three"])
    assert sorted(seen(inner)) == ["one", "three", "two"]
    second = cached.encode(["three", "one"])
    assert len(seen(inner)) == 3
    np.testing.assert_array_equal(second, first[[2, 0]])
    assert cached.cache_stats() == {"texts": 5, "unique": 5, "hits": 2, "embedded": 3}


def test_repeats_within_a_call_are_embedded_once(tmp_path: Path) -> None:
    inner = CountingEmbedder()
    vectors = CachedEmbedder(embedder=inner, cache_dir=tmp_path).encode(["a", "b", "a", "a"])
    assert sorted(seen(inner)) == ["a", "b"]
    np.testing.assert_array_equal(vectors[0], vectors[2])


def test_cache_survives_the_process(tmp_path: Path) -> None:
    CachedEmbedder(embedder=FakeEmbedder(), cache_dir=tmp_path).encode(["kept"])
    inner = CountingEmbedder(dimension=32)  # same model hash as FakeEmbedder()
    assert inner.model_hash == FakeEmbedder().model_hash
    CachedEmbedder(embedder=inner, cache_dir=tmp_path).encode(["kept"])
    assert seen(inner) == []


def test_models_do_not_share_vectors(tmp_path: Path) -> None:
    CachedEmbedder(embedder=FakeEmbedder(seed=1), cache_dir=tmp_path).encode(["x"])
    other = CountingEmbedder(dimension=32, seed=2)
    CachedEmbedder(embedder=other, cache_dir=tmp_path).encode(["x"])
    assert seen(other) == ["x"]
    keyed = CountingEmbedder(dimension=32, seed=1)
    CachedEmbedder(embedder=keyed, cache_dir=tmp_path, key="another-setting").encode(["x"])
    assert seen(keyed) == ["x"]


def test_default_folder_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NLPTHEMES_CACHE_DIR", str(tmp_path / "here"))
    assert default_cache_dir() == tmp_path / "here"
    CachedEmbedder(embedder=FakeEmbedder()).encode(["x"])
    assert (tmp_path / "here" / "embeddings.sqlite3").is_file()


def test_texts_are_stored_as_digests_only(tmp_path: Path) -> None:
    CachedEmbedder(embedder=FakeEmbedder(), cache_dir=tmp_path).encode(["confidential words"])
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"confidential" not in raw


def test_finished_chunks_are_kept_when_a_run_fails(tmp_path: Path) -> None:
    class FailsLater(FakeEmbedder):
        def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
            calls = self.__dict__.setdefault("calls", [0])
            calls[0] += 1
            if calls[0] == 2:
                raise KeyboardInterrupt
            return super().encode(texts)

    cached = CachedEmbedder(embedder=FailsLater(), cache_dir=tmp_path, chunk_size=2)
    with pytest.raises(KeyboardInterrupt):
        cached.encode(["aaaa", "bbbb", "c", "d"])
    assert cached.cache.count() == 2  # the first (longest) chunk was stored


def test_damaged_row_is_a_miss(tmp_path: Path) -> None:
    cache = EmbeddingCache(folder=tmp_path)
    key = FakeEmbedder().model_hash
    cache.put_many(key, [text_key("x")], np.ones((1, 32), dtype=np.float32))
    with sqlite3.connect(cache.path) as conn:
        conn.execute("UPDATE vectors SET vector = x'00'")
    inner = CountingEmbedder(dimension=32)
    CachedEmbedder(embedder=inner, cache_dir=tmp_path).encode(["x"])
    assert seen(inner) == ["x"]


def test_corrupt_file_is_moved_aside(tmp_path: Path) -> None:
    (tmp_path / "embeddings.sqlite3").write_bytes(b"this is not a database" * 100)
    cached = CachedEmbedder(embedder=FakeEmbedder(), cache_dir=tmp_path)
    with pytest.warns(RuntimeWarning, match="damaged"):
        vectors = cached.encode(["x", "y"])
    assert vectors.shape == (2, 32)
    assert list(tmp_path.glob("embeddings.sqlite3.corrupt-*"))
    assert cached.cache.count() == 2


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder_turns_the_cache_off(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        cached = CachedEmbedder(embedder=FakeEmbedder(), cache_dir=tmp_path / "sub")
        with pytest.warns(RuntimeWarning, match="cache turned off"):
            assert cached.encode(["x"]).shape == (1, 32)
    finally:
        tmp_path.chmod(0o700)


def test_folder_that_is_a_file_turns_the_cache_off(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    cached = CachedEmbedder(embedder=FakeEmbedder(), cache_dir=tmp_path / "file")
    with pytest.warns(RuntimeWarning, match="cache turned off"):
        assert cached.encode(["x", "y"]).shape == (2, 32)
    assert cached.encode(["z"]).shape == (1, 32)  # warned once, still working


_WRITER = textwrap.dedent(
    """
    import sys, time, warnings
    warnings.simplefilter("error")  # a cache that turns itself off fails the writer
    from nlpthemes.embed import CachedEmbedder, FakeEmbedder
    folder, start, go = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    emb = CachedEmbedder(embedder=FakeEmbedder(), cache_dir=folder, chunk_size=50)
    time.sleep(max(0.0, go - time.time()))  # all writers open the new file at once
    for round in range(5):
        emb.encode([f"text {i}" for i in range(start, start + 400)])
    """
)


def test_concurrent_processes_share_one_cache(tmp_path: Path) -> None:
    # Six processes create the same new cache file in the same instant: the
    # switch to WAL mode used to fail at once with "database is locked" in
    # one of them (CI, 2 cores) and that process ran without a cache.
    go = str(time.time() + 5)  # after every interpreter has started
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(tmp_path), str(start), go],
            stderr=subprocess.PIPE,
            text=True,
        )
        for start in range(0, 1200, 200)  # overlapping texts
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, "\n".join(errors)
    cache = EmbeddingCache(folder=tmp_path)
    assert cache.count() == 1400
    found = cache.get_many(FakeEmbedder().model_hash, [text_key("text 300")], dimension=32)
    np.testing.assert_allclose(
        next(iter(found.values())), FakeEmbedder().encode(["text 300"])[0], rtol=1e-6
    )


_KILLED = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from nlpthemes.embed import EmbeddingCache
    cache = EmbeddingCache(folder=sys.argv[1])
    conn = cache._open()
    conn.execute("BEGIN")
    for i in range(5000):
        conn.execute("INSERT INTO vectors VALUES (?, ?, ?, ?)",
                     ("m", str(i).encode(), 4, np.ones(4, dtype="<f4").tobytes()))
    print("writing", flush=True)
    time.sleep(60)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_kill_mid_write_leaves_a_working_cache(tmp_path: Path) -> None:
    cache = EmbeddingCache(folder=tmp_path)
    cache.put_many("m", [b"before"], np.zeros((1, 4), dtype=np.float32))
    with subprocess.Popen(
        [sys.executable, "-c", _KILLED, str(tmp_path)], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert cache.count("m") == 1
    assert list(cache.get_many("m", [b"before"], dimension=4)) == [b"before"]
    cache.put_many("m", [b"after"], np.zeros((1, 4), dtype=np.float32))
    assert cache.count("m") == 2


def test_put_checks_lengths(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="2 keys but 1 vectors"):
        EmbeddingCache(folder=tmp_path).put_many("m", [b"a", b"b"], np.zeros((1, 4)))


def test_clear(tmp_path: Path) -> None:
    cache = EmbeddingCache(folder=tmp_path)
    cache.put_many("a", [b"1"], np.zeros((1, 2), dtype=np.float32))
    cache.put_many("b", [b"1"], np.zeros((1, 2), dtype=np.float32))
    cache.clear("a")
    assert (cache.count("a"), cache.count("b")) == (0, 1)
    cache.clear()
    assert cache.count() == 0


def test_bad_chunk_size(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        CachedEmbedder(embedder=FakeEmbedder(), cache_dir=tmp_path, chunk_size=0).encode(["x"])


def test_other_database_errors_turn_the_cache_off(tmp_path: Path) -> None:
    cache = EmbeddingCache(folder=tmp_path)
    cache.put_many("m", [b"a"], np.zeros((1, 2), dtype=np.float32))
    with sqlite3.connect(cache.path) as conn:  # a table of another shape under the same name
        conn.executescript("DROP TABLE vectors; CREATE TABLE vectors (other TEXT);")
    cached = CachedEmbedder(embedder=FakeEmbedder(), cache_dir=tmp_path)
    with pytest.warns(RuntimeWarning, match="cache turned off"):
        assert cached.encode(["x", "y"]).shape == (2, 32)
    assert cached.cache.count() == 0  # off from now on, no further warning
