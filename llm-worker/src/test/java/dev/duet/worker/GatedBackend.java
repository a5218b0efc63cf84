package dev.duet.worker;

import dev.duet.proto.v1.ScoreRequest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Wraps a real backend, records which requests reached compute, and can hold the first batch
 * until the test opens the gate (to fill the queue or let deadlines pass deterministically).
 */
final class GatedBackend implements ScoringBackend {

    private final ScoringBackend delegate;
    private final CountDownLatch gate;
    final CountDownLatch entered = new CountDownLatch(1);
    final Set<String> computed = ConcurrentHashMap.newKeySet();

    GatedBackend(ScoringBackend delegate, boolean closed) {
        this.delegate = delegate;
        this.gate = new CountDownLatch(closed ? 1 : 0);
    }

    void open() {
        gate.countDown();
    }

    @Override
    public String modelName() {
        return delegate.modelName();
    }

    @Override
    public String modelVersion() {
        return delegate.modelVersion();
    }

    @Override
    public void validate(ScoreRequest request) throws InvalidRequestException {
        delegate.validate(request);
    }

    @Override
    public List<float[]> scoreBatch(List<ScoreRequest> requests) throws Exception {
        entered.countDown();
        if (!gate.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("test gate never opened");
        }
        requests.forEach(r -> computed.add(r.getRequestId()));
        return delegate.scoreBatch(requests);
    }

    @Override
    public void close() throws Exception {
        delegate.close();
    }
}
