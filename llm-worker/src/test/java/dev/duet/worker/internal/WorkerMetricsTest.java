package dev.duet.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class WorkerMetricsTest {

    private static final Pattern BUCKET = Pattern.compile(
            "duet_worker_request_latency_seconds_bucket\\{le=\"([^\"]+)\"} (\\S+)");
    private static final Pattern COUNT = Pattern.compile(
            "duet_worker_request_latency_seconds_count (\\S+)");

    @Test
    void everyScrapeIsConsistentWhileRequestsAreRecorded() throws Exception {
        WorkerMetrics metrics = new WorkerMetrics();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int seed = t;
            Thread w = new Thread(() -> {
                long i = seed;
                while (!stop.get()) {
                    metrics.reply((i++ % 1000) / 500.0);
                }
            });
            w.start();
            writers.add(w);
        }
        try {
            for (int scrape = 0; scrape < 30; scrape++) {
                String text = metrics.scrape();
                Matcher bucket = BUCKET.matcher(text);
                double previous = 0;
                double inf = -1;
                while (bucket.find()) {
                    double value = Double.parseDouble(bucket.group(2));
                    assertThat(value).as("cumulative buckets never fall").isGreaterThanOrEqualTo(previous);
                    previous = value;
                    if (bucket.group(1).equals("+Inf")) {
                        inf = value;
                    }
                }
                Matcher count = COUNT.matcher(text);
                assertThat(count.find()).isTrue();
                assertThat(inf).as("+Inf bucket equals the count").isEqualTo(Double.parseDouble(count.group(1)));
            }
        } finally {
            stop.set(true);
            for (Thread w : writers) {
                w.join();
            }
        }
    }

    @Test
    void exposesTheJvmAndCountsErrorsByCode() {
        WorkerMetrics metrics = new WorkerMetrics();
        metrics.error(Status.Code.RESOURCE_EXHAUSTED);
        metrics.error(Status.Code.RESOURCE_EXHAUSTED);
        metrics.modelInfo("text-encoder", "abc");
        assertThat(metrics.errors(Status.Code.RESOURCE_EXHAUSTED)).isEqualTo(2);
        assertThat(metrics.errors(Status.Code.INVALID_ARGUMENT)).isZero();
        String text = metrics.scrape();
        assertThat(text)
                .contains("duet_worker_errors_total{code=\"RESOURCE_EXHAUSTED\"} 2")
                .contains("duet_worker_info{model=\"text-encoder\",version=\"abc\"} 1")
                .contains("# TYPE jvm_memory_used_bytes gauge")
                .contains("jvm_threads_current");
    }
}
