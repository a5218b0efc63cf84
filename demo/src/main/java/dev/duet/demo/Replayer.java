package dev.duet.demo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a {@link ReplayPlan} into the input topics at a steady rate on its own thread. Each
 * acknowledged record enters the {@link Ledger} under the key its output will carry. Records get
 * no explicit timestamp: the broker stamps the write time, the event time is in the JSON.
 */
final class Replayer implements AutoCloseable {

    private final Properties producerProperties;
    private final List<InputRecord> records;
    private final double rate;
    private final Ledger ledger;
    private final Thread thread;
    private final AtomicInteger written = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile long startedNs;
    private volatile long finishedNs;

    /** @param producerProperties from {@link EmbeddedKafka#producerProperties()} */
    Replayer(Properties producerProperties, List<InputRecord> records, double rate, Ledger ledger) {
        this.producerProperties = producerProperties;
        this.records = records;
        this.rate = rate;
        this.ledger = ledger;
        this.thread = new Thread(this::run, "duet-demo-replayer");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        startedNs = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties)) {
            for (int i = 0; i < records.size() && running && failure.get() == null; i++) {
                pace(i);
                InputRecord r = records.get(i);
                byte[] key = r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(r.topic(), key, r.value().getBytes(StandardCharsets.UTF_8)),
                        (metadata, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            } else {
                                ledger.sent(Ledger.keyOf(r, metadata.partition(), metadata.offset()), r.kind());
                                written.incrementAndGet();
                            }
                        });
            }
            producer.flush();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        } finally {
            finishedNs = System.nanoTime();
        }
    }

    /** Sleeps until record {@code i} is due at the configured rate. */
    private void pace(int i) throws InterruptedException {
        long dueNs = startedNs + (long) (i * 1e9 / rate);
        long waitNs = dueNs - System.nanoTime();
        if (waitNs > 1_000_000) {
            TimeUnit.NANOSECONDS.sleep(waitNs);
        }
    }

    /** Records the broker acknowledged so far. */
    int written() {
        return written.get();
    }

    boolean finished() {
        return !thread.isAlive();
    }

    /** Why the replay stopped early, or null. */
    Throwable failure() {
        return failure.get();
    }

    /** Seconds from the first send to the last acknowledgement (so far, while running). */
    double seconds() {
        long end = finishedNs == 0 ? System.nanoTime() : finishedNs;
        return startedNs == 0 ? 0 : (end - startedNs) / 1e9;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}
