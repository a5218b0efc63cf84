package dev.duet.job.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class UserStateSerializerTest {

    private static final UserStateSerializer SERIALIZER = UserStateSerializer.INSTANCE;

    private static UserState random(Random r) {
        UserState s = new UserState();
        int n = r.nextInt(60);
        for (int i = 0; i < n; i++) {
            // ASCII ids, and some that are not (UTF-8 of two and three bytes).
            String id = switch (r.nextInt(3)) {
                case 0 -> "i" + r.nextInt(100_000);
                case 1 -> "caf\u00e9-" + r.nextInt(100);
                default -> "\u6620\u753b" + r.nextInt(10);
            };
            s.add(id, 1 + r.nextInt(5), r.nextInt(1_000_000), 50);
        }
        if (r.nextBoolean()) {
            s.gender = "F";
            s.age = "25";
            s.occupation = "writer";
            s.zip = "94110";
        }
        return s;
    }

    private static void assertSame(UserState back, UserState s) {
        assertThat(back.items).containsExactly(s.items);
        assertThat(back.ratings).containsExactly(s.ratings);
        assertThat(back.times).containsExactly(s.times);
        assertThat(back.count).isEqualTo(s.count);
        assertThat(back.ratingSum).isEqualTo(s.ratingSum);
        assertThat(back.firstSeenMs).isEqualTo(s.firstSeenMs);
        assertThat(back.lastSeenMs).isEqualTo(s.lastSeenMs);
        assertThat(new String[] {back.gender, back.age, back.occupation, back.zip})
                .containsExactly(s.gender, s.age, s.occupation, s.zip);
    }

    @Test
    void roundTripsAndCopiesEveryField() throws IOException {
        Random r = new Random(3);
        for (int i = 0; i < 300; i++) {
            UserState s = random(r);
            DataOutputSerializer out = new DataOutputSerializer(64);
            SERIALIZER.serialize(s, out);
            assertSame(SERIALIZER.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())), s);

            DataOutputSerializer copied = new DataOutputSerializer(64);
            SERIALIZER.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());

            UserState copy = SERIALIZER.copy(s);
            assertSame(copy, s);
            if (copy.size() > 0) {
                copy.items[0] = "changed";
                assertThat(s.items[0]).isNotEqualTo("changed"); // a deep copy
            }
        }
    }

    @Test
    void refusesAnUnknownLayoutVersion() {
        DataInputDeserializer in = new DataInputDeserializer(new byte[] {9, 0, 0, 0, 0});
        assertThatThrownBy(() -> SERIALIZER.deserialize(in)).isInstanceOf(IOException.class).hasMessageContaining("version 9");
    }

    @Test
    void itsSnapshotRestoresACompatibleSerializer() throws IOException {
        TypeSerializerSnapshot<UserState> snapshot = SERIALIZER.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        snapshot.writeSnapshot(out);
        TypeSerializerSnapshot<UserState> read = new UserStateSerializer.Snapshot();
        read.readSnapshot(snapshot.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
                getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isSameAs(SERIALIZER);
        TypeSerializerSchemaCompatibility<UserState> compatibility =
                SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }
}
