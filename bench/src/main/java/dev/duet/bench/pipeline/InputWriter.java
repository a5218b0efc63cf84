package dev.duet.bench.pipeline;

import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a {@link Workload} into a phase's input topics: as fast as the broker takes it (a backlog
 * for the throughput phase, written before the job starts) or at a steady rate on a thread of its
 * own (the latency phases). Every acknowledged record enters the {@link InputLog} with its broker
 * append time.
 */
final class InputWriter implements AutoCloseable {

    private final Properties properties;
    private final PhaseTopics topics;
    private final InputLog log;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean running = true;
    private volatile long startedNs;
    private volatile long finishedNs;
    private volatile long measureFromMs = Long.MAX_VALUE;
    private Thread thread;

    /** @param producer from {@link dev.duet.demo.EmbeddedKafka#producerProperties()} */
    InputWriter(Properties producer, PhaseTopics topics, InputLog log) {
        properties = new Properties();
        properties.putAll(producer);
        properties.put("batch.size", Integer.toString(256 * 1024));
        properties.put("buffer.memory", Long.toString(128L << 20));
        this.topics = topics;
        this.log = log;
    }

    /**
     * Writes {@code events} events as fast as possible and waits for every acknowledgement;
     * {@code progress} gets the count written so far now and then. Returns the seconds taken.
     */
    double fill(Workload.Cursor cursor, long events, LongConsumer progress) throws Exception {
        long t0 = System.nanoTime();
        properties.put("linger.ms", "20");
        try (KafkaProducer<byte[], byte[]> producer = open()) {
            for (long i = 0; i < events; i++) {
                send(producer, cursor.next());
                if (failure.get() != null) {
                    break;
                }
                if ((i + 1) % 100_000 == 0) {
                    progress.accept(i + 1);
                }
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("writing the backlog failed: " + failure.get().getMessage(), failure.get());
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Starts writing {@code events} events at {@code rate} per second on a thread of its own.
     * Inputs from index {@code warmUpEvents} on are the measured ones ({@link #measureFromMs}).
     */
    void startPaced(Workload.Cursor cursor, long events, double rate, long warmUpEvents) {
        thread = new Thread(() -> {
            startedNs = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = open()) {
                for (long i = 0; i < events && running && failure.get() == null; i++) {
                    long dueNs = startedNs + (long) (i * 1e9 / rate);
                    long waitNs = dueNs - System.nanoTime();
                    if (waitNs > 1_000_000) {
                        TimeUnit.NANOSECONDS.sleep(waitNs);
                    }
                    if (i == warmUpEvents) {
                        measureFromMs = System.currentTimeMillis();
                    }
                    send(producer, cursor.next());
                }
                producer.flush();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                finishedNs = System.nanoTime();
            }
        }, "duet-bench-input-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** A producer that already knows both input topics' partitions and leaders. */
    private KafkaProducer<byte[], byte[]> open() {
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties);
        producer.partitionsFor(topics.interactions);
        producer.partitionsFor(topics.requests);
        return producer;
    }

    private void send(KafkaProducer<byte[], byte[]> producer, Workload.Event e) {
        String topic = e.request() ? topics.requests : topics.interactions;
        producer.send(new ProducerRecord<>(topic, e.key(), e.value()), (metadata, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            } else if (e.request()) {
                log.request(e.requestIndex(), metadata.timestamp());
            } else {
                log.interaction(metadata.partition(), metadata.offset(), metadata.timestamp());
            }
        });
        sent.incrementAndGet();
    }

    /** Records handed to the producer so far. */
    long sent() {
        return sent.get();
    }

    boolean finished() {
        return thread == null || !thread.isAlive();
    }

    /** Wall-clock time of the first measured input (after the warm-up); {@code Long.MAX_VALUE} before. */
    long measureFromMs() {
        return measureFromMs;
    }

    /** Seconds from the first send to the end of the paced run. */
    double seconds() {
        long end = finishedNs == 0 ? System.nanoTime() : finishedNs;
        return startedNs == 0 ? 0 : (end - startedNs) / 1e9;
    }

    Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(30_000);
        }
    }
}
