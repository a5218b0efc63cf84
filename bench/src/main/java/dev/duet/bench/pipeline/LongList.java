package dev.duet.bench.pipeline;

import java.util.Arrays;

/** A growable list of primitive longs (millions of timestamps without boxing). */
final class LongList {

    private long[] values = new long[1024];
    private int size;

    void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[size++] = v;
    }

    /** Sets index {@code i}, growing the list (new slots are {@code fill}) when it is beyond the end. */
    void set(int i, long v, long fill) {
        while (i >= values.length) {
            int old = values.length;
            values = Arrays.copyOf(values, old * 2);
            Arrays.fill(values, old, values.length, fill);
        }
        if (i >= size) {
            Arrays.fill(values, size, i, fill);
            size = i + 1;
        }
        values[i] = v;
    }

    long get(int i) {
        if (i >= size) {
            throw new IndexOutOfBoundsException(i + " of " + size);
        }
        return values[i];
    }

    int size() {
        return size;
    }

    long[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
