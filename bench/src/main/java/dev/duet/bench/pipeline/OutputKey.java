package dev.duet.bench.pipeline;

/**
 * Which input an output answers: an interaction's output carries the input's {@code
 * topic-partition-offset} as its id, a request's output the request id ({@link
 * Workload#REQUEST_PREFIX} + index). Packs into one long for compact storage.
 *
 * @param request whether the input was a request
 * @param partition the interaction's partition (0 for requests)
 * @param index the interaction's offset, or the request's index
 */
record OutputKey(boolean request, int partition, long index) {

    private static final int OFFSET_BITS = 40;

    /** Parses an output's kind and id; null when the id belongs to no input of this phase. */
    static OutputKey parse(String kind, String id, String interactionsTopic) {
        try {
            if ("request".equals(kind)) {
                if (!id.startsWith(Workload.REQUEST_PREFIX)) {
                    return null;
                }
                return new OutputKey(true, 0, Long.parseLong(id.substring(Workload.REQUEST_PREFIX.length())));
            }
            if (!"interaction".equals(kind) || !id.startsWith(interactionsTopic + "-")) {
                return null;
            }
            String rest = id.substring(interactionsTopic.length() + 1);
            int dash = rest.indexOf('-');
            return new OutputKey(false, Integer.parseInt(rest.substring(0, dash)), Long.parseLong(rest.substring(dash + 1)));
        } catch (RuntimeException e) {
            return null;
        }
    }

    long pack() {
        return request ? -(index + 1) : ((long) partition << OFFSET_BITS) | index;
    }

    static OutputKey unpack(long packed) {
        if (packed < 0) {
            return new OutputKey(true, 0, -packed - 1);
        }
        return new OutputKey(false, (int) (packed >>> OFFSET_BITS), packed & ((1L << OFFSET_BITS) - 1));
    }
}
