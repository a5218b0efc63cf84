package dev.duet.job.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UserStateTest {

    private record Entry(String item, float rating, long time, int order) {}

    /** Random times (many ties, late arrivals) against the straightforward list version. */
    @Test
    void keepsTheNewestEntriesInTimeOrderWithTiesInArrivalOrder() {
        Random r = new Random(11);
        for (int run = 0; run < 200; run++) {
            int max = 10 + r.nextInt(5);
            UserState state = new UserState();
            List<Entry> all = new ArrayList<>();
            int events = r.nextInt(40);
            for (int i = 0; i < events; i++) {
                Entry e = new Entry("i" + i, 1 + r.nextInt(5), r.nextInt(30), i);
                state.add(e.item(), e.rating(), e.time(), max);
                all.add(e);
                // What the state keeps: each arrival inserted after equal times, the oldest dropped.
                List<Entry> kept = simulate(all, max);
                assertThat(state.size()).isEqualTo(kept.size()).isEqualTo(Math.min(max, i + 1));
                for (int j = 0; j < kept.size(); j++) {
                    assertThat(state.items[j]).isEqualTo(kept.get(j).item());
                    assertThat(state.ratings[j]).isEqualTo(kept.get(j).rating());
                    assertThat(state.times[j]).isEqualTo(kept.get(j).time());
                }
                for (int j = 1; j < state.size(); j++) {
                    assertThat(state.times[j]).isGreaterThanOrEqualTo(state.times[j - 1]);
                }
            }
            assertThat(state.count).isEqualTo(events);
        }
    }

    /** Entries given with each item stay aligned with the items through late arrivals and drops. */
    @Test
    void catalogEntriesStayAlignedWithTheItems() {
        Random r = new Random(5);
        for (int run = 0; run < 200; run++) {
            int max = 10 + r.nextInt(5);
            UserState state = new UserState();
            state.itemEntries = new ItemDescriptor[0];
            int events = r.nextInt(40);
            for (int i = 0; i < events; i++) {
                String item = "i" + r.nextInt(20);
                state.add(item, new ItemDescriptor(item, "title of " + item, 2000, new String[0]), 3f, r.nextInt(30), max);
                assertThat(state.itemEntries).hasSameSizeAs(state.items);
                for (int j = 0; j < state.size(); j++) {
                    assertThat(state.itemEntries[j].itemId).isEqualTo(state.items[j]);
                }
            }
        }
    }

    @Test
    void anItemAddedWithoutItsEntryDropsTheEntries() {
        UserState state = new UserState();
        state.itemEntries = new ItemDescriptor[0];
        state.add("a", new ItemDescriptor("a", "A", 2000, new String[0]), 3f, 1, 10);
        assertThat(state.itemEntries).hasSize(1);
        state.add("b", 3f, 2, 10);
        assertThat(state.itemEntries).isNull();
        state.add("c", new ItemDescriptor("c", "C", 2000, new String[0]), 3f, 3, 10);
        assertThat(state.itemEntries).isNull();
    }

    /** The straightforward version: insert after equal times into a list, then trim from the front. */
    private static List<Entry> simulate(List<Entry> arrivals, int max) {
        List<Entry> list = new ArrayList<>();
        for (Entry e : arrivals) {
            int pos = list.size();
            while (pos > 0 && list.get(pos - 1).time() > e.time()) {
                pos--;
            }
            list.add(pos, e);
            while (list.size() > max) {
                list.remove(0);
            }
        }
        return list;
    }
}
