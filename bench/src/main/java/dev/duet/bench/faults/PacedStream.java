package dev.duet.bench.faults;

import dev.duet.bench.pipeline.Workload;
import dev.duet.demo.EmbeddedKafka;
import dev.duet.demo.Ledger;
import dev.duet.demo.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The steady stream of the fault suite, on its own thread: the pipeline benchmark's
 * {@link Workload} (interactions in time order, a request after every few) at a fixed rate, with
 * extra records (the probe user's) slipped in before the next due event. Each acknowledged input
 * enters the {@link FaultLedger} under its output's key and the phase it was written in. The
 * producer waits out a broker restart (long delivery and blocking timeouts) rather than fail.
 */
final class PacedStream implements AutoCloseable {

    /** A record written besides the workload (a probe user's), and its ledger key once acknowledged. */
    private record Extra(boolean request, String user, String json, String requestId, CompletableFuture<String> key) {}

    private final Properties producerProperties;
    private final Workload.Cursor cursor;
    private final double rate;
    private final FaultLedger ledger;
    private final Queue<Extra> extras = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private volatile String phase;
    private volatile boolean running = true;

    PacedStream(String bootstrap, Workload workload, double rate, FaultLedger ledger, String firstPhase) {
        // As EmbeddedKafka's: nothing lost, nothing repeated, order kept per partition.
        producerProperties = EmbeddedKafka.producerProperties(bootstrap);
        // A broker restart must delay the inputs, not fail them.
        producerProperties.put("delivery.timeout.ms", "600000");
        producerProperties.put("max.block.ms", "600000");
        producerProperties.put("reconnect.backoff.max.ms", "500");
        this.cursor = workload.cursor();
        this.rate = rate;
        this.ledger = ledger;
        this.phase = firstPhase;
        this.thread = new Thread(this::run, "duet-faults-stream");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Inputs written from now on count for {@code name}. */
    void phase(String name) {
        phase = name;
    }

    /**
     * Writes a probe record before the next due event; completes with its ledger key once the
     * broker acknowledged it.
     */
    CompletableFuture<String> add(boolean request, String user, String json, String requestId) {
        CompletableFuture<String> key = new CompletableFuture<>();
        extras.add(new Extra(request, user, json, requestId, key));
        return key;
    }

    /** Event time of the stream's latest interaction (probe records are stamped near it). */
    long eventTimeMs() {
        return cursor.lastEventTimeMs();
    }

    /** Inputs the broker refused for good (none expected). */
    int failures() {
        return failures.get();
    }

    Throwable firstFailure() {
        return firstFailure.get();
    }

    private void run() {
        long startedNs = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties)) {
            for (long i = 0; running; i++) {
                long waitNs = startedNs + (long) (i * 1e9 / rate) - System.nanoTime();
                if (waitNs > 1_000_000) {
                    TimeUnit.NANOSECONDS.sleep(waitNs);
                }
                for (Extra e; (e = extras.poll()) != null; ) {
                    send(producer, e.request(), e.user().getBytes(StandardCharsets.UTF_8),
                            e.json().getBytes(StandardCharsets.UTF_8), e.requestId(), e.key());
                }
                Workload.Event e = cursor.next();
                send(producer, e.request(), e.key(), e.value(), e.request() ? Workload.REQUEST_PREFIX + e.requestIndex() : null,
                        null);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            firstFailure.compareAndSet(null, t);
            failures.incrementAndGet();
        }
    }

    private void send(KafkaProducer<byte[], byte[]> producer, boolean request, byte[] key, byte[] value, String requestId,
            CompletableFuture<String> acknowledged) {
        String topic = request ? Topics.REQUESTS : Topics.INTERACTIONS;
        String inPhase = phase;
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
            if (error != null) {
                firstFailure.compareAndSet(null, error);
                failures.incrementAndGet();
                if (acknowledged != null) {
                    acknowledged.completeExceptionally(error);
                }
            } else {
                String ledgerKey = request ? Ledger.requestKey(requestId)
                        : Ledger.interactionKey(topic, metadata.partition(), metadata.offset());
                ledger.sent(ledgerKey, inPhase);
                if (acknowledged != null) {
                    acknowledged.complete(ledgerKey);
                }
            }
        });
    }

    /** Stops writing and waits until every record sent is acknowledged. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(120_000);
    }
}
