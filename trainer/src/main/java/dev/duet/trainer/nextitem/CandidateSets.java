package dev.duet.trainer.nextitem;

import java.util.Arrays;
import java.util.Random;

/**
 * LLaRA's candidate protocol (PROTOCOL.md section 2): the true next item plus {@code count - 1}
 * items drawn uniformly, without repetition, among the catalog rows the case's user never
 * interacted with. The true item is column 0 (ties are broken at random when scored, so its place
 * gives it no advantage). One draw per seed; the same seed gives the same candidates.
 */
public final class CandidateSets {

    private final long seed;
    private final int[][] candidates;

    private CandidateSets(long seed, int[][] candidates) {
        this.seed = seed;
        this.candidates = candidates;
    }

    public static CandidateSets draw(EncodedCases cases, int itemCount, int count, long seed) {
        if (count < 2) {
            throw new IllegalArgumentException("candidates must be at least 2, got " + count);
        }
        Random random = new Random(seed);
        int[][] out = new int[cases.size()][count];
        for (int i = 0; i < cases.size(); i++) {
            int[] excluded = cases.excluded(i);
            int target = cases.targets()[i];
            int pool = itemCount - excluded.length - (target > 0 && Arrays.binarySearch(excluded, target) < 0 ? 1 : 0);
            if (pool < count - 1) {
                throw new IllegalArgumentException("case " + i + ": only " + pool + " items the user never interacted with, "
                        + (count - 1) + " negative candidates needed (catalog of " + itemCount + " items is too small)");
            }
            out[i][0] = target;
            for (int k = 1; k < count; k++) {
                int row;
                do {
                    row = 1 + random.nextInt(itemCount);
                } while (row == target || Arrays.binarySearch(excluded, row) >= 0 || contains(out[i], k, row));
                out[i][k] = row;
            }
        }
        return new CandidateSets(seed, out);
    }

    private static boolean contains(int[] row, int upTo, int value) {
        for (int k = 1; k < upTo; k++) {
            if (row[k] == value) {
                return true;
            }
        }
        return false;
    }

    public long seed() {
        return seed;
    }

    /** {@code [cases][count]} rows; column 0 is the true item (0 when it has no row). */
    public int[][] candidates() {
        return candidates;
    }
}
