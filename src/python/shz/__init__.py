"""shz from Python: lossless compression with a neural byte model and context mixing.

    import shz
    packed = shz.compress(data)            # level 6 and the built-in model, as the CLI
    assert shz.decompress(packed) == data
    with shz.open("big.txt.shz", "wb") as f:   # a file object, as lzma.open gives
        f.write(data)
    shz.eval("book.txt")["bpb"]             # a model's real bits per byte

Archives are byte-identical to the CLI's for the same level and model. Long calls release
the GIL. Errors raise ShzError subclasses (UsageError, CorruptError, ModelError,
OutputError) with shz's message. Encoder, Decoder and quantize code symbols with pmfs you
supply (a PyTorch softmax, say) through shz's range coder.
"""
import io
import os
import queue
import threading

from ._shz import (DEFAULT_LEVEL, MAX_TOTAL_BITS, CorruptError, Decoder, Encoder, ModelError,
                   OutputError, ShzError, UsageError, __version__, compress, decompress,
                   decompress_range, info, quantize)
from . import _shz

__all__ = ["compress", "decompress", "decompress_range", "open", "info", "eval", "quantize",
           "Encoder", "Decoder", "ShzFile", "ShzError", "UsageError", "CorruptError",
           "ModelError", "OutputError", "DEFAULT_LEVEL", "MAX_TOTAL_BITS", "__version__"]


def eval(source, model=None, threads=0, segment_size=0, device="cpu"):
    """A model's bits per byte on a file (path) or bytes, as `shz eval` reports them: a real
    archive coded by the model alone. Returns a dict (bytes, model, bpb, payload_bytes, ...)."""
    if isinstance(source, (str, os.PathLike)):
        with io.open(source, "rb") as f:
            source = f.read()
    return _shz.eval_bytes(source, model=model, threads=threads, segment_size=segment_size,
                           device=device)


_END = object()


class ShzFile(io.BufferedIOBase):
    """A .shz file as a binary file object (reading or writing), streamed: memory stays
    bounded by a frame (writing) or a group of segments (reading), whatever the size. The
    coding runs on a worker thread; data passes through a small queue."""

    def __init__(self, filename, mode="rb", *, level=None, model=None, threads=0,
                 frame_size=0):
        if mode in ("r", "rb"):
            self._reading = True
        elif mode in ("w", "wb", "x", "xb", "a", "ab"):
            self._reading = False
        else:
            raise ValueError("invalid mode %r" % (mode,))
        mode = mode[0] + "b"
        if isinstance(filename, (str, bytes, os.PathLike)):
            self._fp = io.open(filename, mode)
            self._own = True
        elif hasattr(filename, "read" if self._reading else "write"):
            self._fp = filename
            self._own = False
        else:
            raise TypeError("filename must be a path or a file object")
        self._queue = queue.Queue(maxsize=4)
        self._error = None
        self._buffer = b""
        self._eof = False
        self._closed = False
        self._pos = 0
        if self._reading:
            target = self._decode
            args = (model, threads)
        else:
            target = self._encode
            args = (level, model, threads, frame_size)
        self._thread = threading.Thread(target=target, args=args, daemon=True)
        self._thread.start()

    # Worker side.
    def _decode(self, model, threads):
        try:
            _shz.decompress_stream(self._fp.read, self._put, model=model, threads=threads)
        except BaseException as e:  # handed to the reader
            self._error = e
        finally:
            self._put(_END)

    def _put(self, item):
        while not self._closed:
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        if item is not _END:
            raise OutputError("the file was closed while decoding")

    def _encode(self, level, model, threads, frame_size):
        def pull(n):
            if not self._buffer:
                item = self._queue.get()
                if item is _END:
                    self._queue.put(_END)  # later pulls see the end too
                    return b""
                self._buffer = item
            chunk, self._buffer = self._buffer[:n], self._buffer[n:]
            return chunk
        try:
            _shz.compress_stream(pull, self._fp.write, level=level, model=model,
                                 threads=threads, frame_size=frame_size)
        except BaseException as e:
            self._error = e

    def _check(self):
        if self._closed:
            raise ValueError("I/O operation on closed file")

    # Caller side.
    def readable(self):
        return self._reading

    def writable(self):
        return not self._reading

    def seekable(self):
        return False

    def read(self, size=-1):
        self._check()
        if not self._reading:
            raise io.UnsupportedOperation("not open for reading")
        parts = [self._buffer]
        have = len(self._buffer)
        while (size is None or size < 0 or have < size) and not self._eof:
            item = self._queue.get()
            if item is _END:
                self._eof = True
                if self._error is not None:
                    raise self._error
                break
            parts.append(item)
            have += len(item)
        data = b"".join(parts)
        if size is not None and size >= 0:
            data, self._buffer = data[:size], data[size:]
        else:
            self._buffer = b""
        self._pos += len(data)
        return data

    def read1(self, size=-1):
        return self.read(size)

    def readinto(self, b):
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)

    def write(self, data):
        self._check()
        if self._reading:
            raise io.UnsupportedOperation("not open for writing")
        if self._error is not None:
            raise self._error
        data = bytes(data)
        if data:
            self._queue.put(data)
        self._pos += len(data)
        return len(data)

    def tell(self):
        return self._pos

    def close(self):
        if self._closed:
            return
        try:
            if not self._reading:
                self._queue.put(_END)
                self._thread.join()
                if self._error is not None:
                    raise self._error
        finally:
            self._closed = True
            if self._reading:
                while self._thread.is_alive():  # unblock a worker waiting on a full queue
                    try:
                        self._queue.get(timeout=0.1)
                    except queue.Empty:
                        pass
                self._thread.join()
            if self._own:
                self._fp.close()
            super().close()

    @property
    def closed(self):
        return self._closed


def open(filename, mode="rb", *, level=None, model=None, threads=0, frame_size=0,
         encoding=None, errors=None, newline=None):
    """Opens a .shz file in binary ("rb", "wb", "xb", "ab") or text ("rt", "wt", ...) mode,
    as lzma.open does."""
    if "t" in mode:
        binary = ShzFile(filename, mode.replace("t", ""), level=level, model=model,
                         threads=threads, frame_size=frame_size)
        return io.TextIOWrapper(binary, encoding, errors, newline)
    return ShzFile(filename, mode, level=level, model=model, threads=threads,
                   frame_size=frame_size)
