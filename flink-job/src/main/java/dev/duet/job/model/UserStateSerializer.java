package dev.duet.job.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a {@link UserState} field by field: the per-user value in RocksDB, read when a user is
 * not in the operator's cache and written when the cache writes a user back. Flink's POJO
 * serialiser reached each of its fields by reflection and read and wrote each history id
 * character by character through {@code StringValue} (whose thread-local buffer
 * showed in the recordings); here the ids are length-prefixed UTF-8 and the arrays are written in
 * one pass.
 *
 * <p>Layout (version 1): version byte, size n, n x (id length, id UTF-8 bytes, rating, time), count,
 * rating sum, first seen, last seen, gender, age, occupation, zip (each length-prefixed UTF-8).
 */
public final class UserStateSerializer extends TypeSerializerSingleton<UserState> {

    private static final long serialVersionUID = 1L;
    private static final int VERSION = 1;

    public static final UserStateSerializer INSTANCE = new UserStateSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public UserState createInstance() {
        return new UserState();
    }

    @Override
    public UserState copy(UserState from) {
        UserState to = new UserState();
        to.items = from.items.clone();
        to.ratings = from.ratings.clone();
        to.times = from.times.clone();
        to.count = from.count;
        to.ratingSum = from.ratingSum;
        to.firstSeenMs = from.firstSeenMs;
        to.lastSeenMs = from.lastSeenMs;
        to.gender = from.gender;
        to.age = from.age;
        to.occupation = from.occupation;
        to.zip = from.zip;
        return to;
    }

    @Override
    public UserState copy(UserState from, UserState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(UserState s, DataOutputView out) throws IOException {
        int n = s.items.length;
        if (s.ratings.length != n || s.times.length != n) {
            throw new IllegalStateException("user state arrays differ in length: " + n + ", " + s.ratings.length + ", "
                    + s.times.length);
        }
        out.writeByte(VERSION);
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            writeString(s.items[i], out);
            out.writeFloat(s.ratings[i]);
            out.writeLong(s.times[i]);
        }
        out.writeLong(s.count);
        out.writeDouble(s.ratingSum);
        out.writeLong(s.firstSeenMs);
        out.writeLong(s.lastSeenMs);
        writeString(s.gender, out);
        writeString(s.age, out);
        writeString(s.occupation, out);
        writeString(s.zip, out);
    }

    @Override
    public UserState deserialize(DataInputView in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("unknown user state version " + version);
        }
        int n = in.readInt();
        UserState s = new UserState();
        s.items = new String[n];
        s.ratings = new float[n];
        s.times = new long[n];
        for (int i = 0; i < n; i++) {
            s.items[i] = readString(in);
            s.ratings[i] = in.readFloat();
            s.times[i] = in.readLong();
        }
        s.count = in.readLong();
        s.ratingSum = in.readDouble();
        s.firstSeenMs = in.readLong();
        s.lastSeenMs = in.readLong();
        s.gender = readString(in);
        s.age = readString(in);
        s.occupation = readString(in);
        s.zip = readString(in);
        return s;
    }

    @Override
    public UserState deserialize(UserState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    private static void writeString(String s, DataOutputView out) throws IOException {
        byte[] bytes = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputView in) throws IOException {
        int length = in.readInt();
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public TypeSerializerSnapshot<UserState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration; its snapshot only names it. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<UserState> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
