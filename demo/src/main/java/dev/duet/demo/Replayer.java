package dev.duet.demo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
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
 *
 * <p>Two things keep the replay causal across the two input topics, which the job reads
 * independently (docs/job.md, "Order across topics"). The first record goes alone, and the rest
 * waits until the job has answered it: a replay into a job whose sources are not reading yet
 * would be read as a backlog, in no particular order between the topics. And a request goes
 * {@code requestDelay} after the interaction it follows, as a person asks for recommendations
 * some time after acting, not within the same millisecond: the job has then read that
 * interaction, and the request sees the user's history.
 */
final class Replayer implements AutoCloseable {

    private final Properties producerProperties;
    private final List<InputRecord> records;
    private final double rate;
    private final long requestDelayNs;
    private final Ledger ledger;
    private final Thread thread;
    private final AtomicInteger written = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private volatile long startedNs;
    private volatile long finishedNs;

    /** How long the first record may wait for its answer before the replay goes on regardless. */
    private static final long PRIMER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);

    /** @param producerProperties from {@link EmbeddedKafka#producerProperties()} */
    Replayer(Properties producerProperties, List<InputRecord> records, double rate, Duration requestDelay, Ledger ledger) {
        this.producerProperties = producerProperties;
        this.records = records;
        this.rate = rate;
        this.requestDelayNs = requestDelay.toNanos();
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
            if (records.isEmpty()) {
                return;
            }
            send(producer, records.get(0));
            producer.flush();
            awaitFirstAnswer();
            startedNs = System.nanoTime();
            ArrayDeque<Delayed> delayed = new ArrayDeque<>();
            for (int i = 1; i < records.size() && running && failure.get() == null; i++) {
                pace(i - 1);
                sendDue(producer, delayed, System.nanoTime());
                InputRecord r = records.get(i);
                if (r.kind() == InputRecord.Kind.REQUEST && requestDelayNs > 0) {
                    delayed.add(new Delayed(r, System.nanoTime() + requestDelayNs));
                } else {
                    send(producer, r);
                }
            }
            while (!delayed.isEmpty() && running && failure.get() == null) {
                long waitNs = delayed.peek().dueNs() - System.nanoTime();
                if (waitNs > 0) {
                    TimeUnit.NANOSECONDS.sleep(waitNs);
                }
                sendDue(producer, delayed, System.nanoTime());
            }
            producer.flush();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        } finally {
            finishedNs = System.nanoTime();
        }
    }

    /** A request held back until {@code dueNs}. */
    private record Delayed(InputRecord record, long dueNs) {}

    /** Sends the held-back requests that are due (they are due in the order they were held). */
    private void sendDue(KafkaProducer<byte[], byte[]> producer, ArrayDeque<Delayed> delayed, long nowNs) {
        while (!delayed.isEmpty() && delayed.peek().dueNs() <= nowNs) {
            send(producer, delayed.poll().record());
        }
    }

    private void send(KafkaProducer<byte[], byte[]> producer, InputRecord r) {
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

    /** Waits until the job has answered the first record (its sources are reading), bounded. */
    private void awaitFirstAnswer() throws InterruptedException {
        long deadline = System.nanoTime() + PRIMER_TIMEOUT_NS;
        while (running && failure.get() == null && System.nanoTime() < deadline
                && ledger.outputCount() + ledger.deadLetterCount() == 0) {
            Thread.sleep(20);
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
