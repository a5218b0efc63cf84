package dev.duet.core.sequence;

import java.util.Arrays;

/**
 * The exact top n rows of one user's catalog scores: a bounded min-heap over the N item rows, so
 * O(N log n) per user with one comparison for most rows (a row below the heap's worst is dropped
 * before the exclusion lookup). Row 0 (padding), excluded rows and NaN scores are never selected.
 */
final class TopRows {

    private TopRows() {}

    /**
     * @param scores holds the user's scores of rows 0..columns-1 at {@code offset}
     * @param excluded rows never to select, in any order
     * @return up to n rows, best first; ties go to the lower row
     */
    static int[] select(float[] scores, int offset, int columns, int n, int[] excluded) {
        int[] sortedExcluded = excluded.clone();
        Arrays.sort(sortedExcluded);
        int[] heap = new int[Math.min(n, Math.max(0, columns - 1))];
        int size = 0;
        for (int row = 1; row < columns; row++) {
            float s = scores[offset + row];
            if (Float.isNaN(s)) {
                continue;
            }
            if (size < heap.length) {
                if (Arrays.binarySearch(sortedExcluded, row) < 0) {
                    heap[size] = row;
                    siftUp(heap, size++, scores, offset);
                }
            } else if (size > 0 && better(row, heap[0], scores, offset) && Arrays.binarySearch(sortedExcluded, row) < 0) {
                heap[0] = row;
                siftDown(heap, size, scores, offset);
            }
        }
        Integer[] best = new Integer[size];
        for (int i = 0; i < size; i++) {
            best[i] = heap[i];
        }
        Arrays.sort(best, (a, b) -> better(a, b, scores, offset) ? -1 : (a.equals(b) ? 0 : 1));
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = best[i];
        }
        return out;
    }

    /** Whether row a ranks above row b: higher score, or the same score and a lower row. */
    private static boolean better(int a, int b, float[] scores, int offset) {
        float sa = scores[offset + a];
        float sb = scores[offset + b];
        return sa > sb || (sa == sb && a < b);
    }

    /** Min-heap on rank: the root is the worst row kept. */
    private static void siftUp(int[] heap, int i, float[] scores, int offset) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!better(heap[parent], heap[i], scores, offset)) {
                return;
            }
            swap(heap, i, parent);
            i = parent;
        }
    }

    private static void siftDown(int[] heap, int size, float[] scores, int offset) {
        int i = 0;
        while (true) {
            int left = 2 * i + 1;
            int right = left + 1;
            int worst = i;
            if (left < size && better(heap[worst], heap[left], scores, offset)) {
                worst = left;
            }
            if (right < size && better(heap[worst], heap[right], scores, offset)) {
                worst = right;
            }
            if (worst == i) {
                return;
            }
            swap(heap, i, worst);
            i = worst;
        }
    }

    private static void swap(int[] heap, int a, int b) {
        int t = heap[a];
        heap[a] = heap[b];
        heap[b] = t;
    }
}
