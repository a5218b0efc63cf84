package dev.duet.bench.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;

/** Shows a benchmark's progress in the test output and keeps a copy for the failure message. */
public final class TeeStream extends OutputStream {
    private final ByteArrayOutputStream copy;

    public TeeStream(ByteArrayOutputStream copy) {
        this.copy = copy;
    }

    @Override
    public void write(int b) {
        copy.write(b);
        System.out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        copy.write(b, off, len);
        System.out.write(b, off, len);
    }
}
