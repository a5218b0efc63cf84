package dev.duet.demo;

import dev.duet.core.onnx.ShortCommandLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./duet demo}: everything embedded, no flags needed (see {@link Demo} and docs/demo.md). */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Everything embedded on 127.0.0.1: a Kafka broker, an LLM worker, the streaming job on a MiniCluster"
                    + " with the Flink dashboard. Trains a CRM unless --model is given, replays the data's test"
                    + " period into the input topics, reads the recommendations back (read_committed), shows"
                    + " progress, and writes demo-report.json, demo-report.md and charts into --out.",
            "Exit code 0 when every input was accounted for (no loss, no duplicate, one dead letter per"
                    + " injected malformed record, routed share within budget), 1 otherwise."
        })
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--events", description = "Inputs to replay: interactions + requests (default: ${DEFAULT-VALUE}).",
            defaultValue = "20000")
    int events;

    @Option(names = "--rate", description = "Replay rate, events per second (default: ${DEFAULT-VALUE}).",
            defaultValue = "500")
    double rate;

    @Option(names = "--request-delay-ms", description = "A request goes this long after the interaction it follows, so"
            + " that the job has read the user's interaction (default: ${DEFAULT-VALUE}).", defaultValue = "250")
    long requestDelayMs;

    @Option(names = "--request-every", description = "One request after every N interactions (default: ${DEFAULT-VALUE}).",
            defaultValue = "10")
    int requestEvery;

    @Option(names = "--candidates", description = "Candidates per request, drawn from the catalog (default: ${DEFAULT-VALUE}).",
            defaultValue = "20")
    int candidates;

    @Option(names = "--k", description = "Items recommended per request (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int k;

    @Option(names = "--bad-records", description = "Malformed records injected to show dead letters (default: ${DEFAULT-VALUE}).",
            defaultValue = "6")
    int badRecords;

    @Option(names = "--model", paramLabel = "DIR", description = "A trained CRM (model.onnx or its folder); without it one is"
            + " trained on the data and cached under --model-cache.")
    Path model;

    @Option(names = "--sequence-model", paramLabel = "FILE", description = "A next-item model (model.onnx or its folder,"
            + " e.g. from ./duet train --task next-item) that retrieves the candidates of requests without their own;"
            + " without it a SASRec is trained on the data and cached under --model-cache. Either way the report"
            + " compares hit@10 with popularity's on the same replay.")
    Path sequenceModel;

    @Option(names = "--popularity-retrieval", description = "Without --sequence-model: let popularity retrieve instead"
            + " of training a sequence model.")
    boolean popularityRetrieval;

    @Option(names = "--retrieval-share", description = "Share of requests sent without candidates, so that the job"
            + " retrieves them (default: ${DEFAULT-VALUE}).", defaultValue = "0.5")
    double retrievalShare;

    @Option(names = "--model-cache", paramLabel = "DIR", description = "Where a trained model is kept for the next run"
            + " (default: ${DEFAULT-VALUE}).", defaultValue = "runs/demo-model")
    Path modelCache;

    @Option(names = "--data", paramLabel = "DIR", description = "A data folder (MovieLens 100K/1M/CSV); default: synthetic data.")
    Path data;

    @Option(names = "--llm", description = "LLM backend: trained (the scorer from ./duet train-llm, trained on first"
            + " use and cached beside the CRM), text-encoder or causal-lm (default: ${DEFAULT-VALUE}).",
            defaultValue = "trained")
    String llm;

    @Option(names = "--llm-model", paramLabel = "DIR", description = "trained: a folder from ./duet train-llm (default:"
            + " trained on first use); causal-lm: the model folder; text-encoder: a folder or bundled name (default:"
            + " all-minilm-l6-v2).")
    String llmModel;

    @Option(names = "--llm-threads", description = "ONNX Runtime threads of the worker, 0 lets it choose (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    int llmThreads;

    @Option(names = "--calibration", paramLabel = "FILE", description = "A calibration file from ./duet calibrate for the"
            + " same model and LLM: the job routes with its gate and thresholds, the text-encoder worker uses its head"
            + " (default: none, the documented defaults).")
    Path calibration;

    @Option(names = "--warm-up-s", description = "Longest time spent encoding catalog items into the worker's cache"
            + " before the replay (default: ${DEFAULT-VALUE}).", defaultValue = "20")
    long warmUpSeconds;

    @Option(names = "--llm-timeout-ms", description = "Longest wait for the LLM per hard sample, retries included; then"
            + " the CRM answers (default: ${DEFAULT-VALUE}).", defaultValue = "4000")
    long llmTimeoutMs;

    @Option(names = "--llm-call-timeout-ms", description = "gRPC deadline of one LLM attempt (default: ${DEFAULT-VALUE}).",
            defaultValue = "1500")
    long llmCallTimeoutMs;

    @Option(names = "--budget", description = "Largest share of samples sent to the LLM (default: ${DEFAULT-VALUE}).",
            defaultValue = "0.1")
    double budget;

    @Option(names = "--parallelism", description = "Parallelism of the job (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int parallelism;

    @Option(names = "--checkpoint-interval-ms", description = "Checkpoint interval; outputs become visible on checkpoints"
            + " (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    long checkpointIntervalMs;

    @Option(names = "--dashboard-port", description = "Flink dashboard port; a free one when taken (default: ${DEFAULT-VALUE}).",
            defaultValue = "8081")
    int dashboardPort;

    @Option(names = "--timeout-s", description = "Longest wait for every input to be accounted for; default: the replay's"
            + " length + max(180 s, events / 50).")
    Long timeoutSeconds;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the reports go (default: ${DEFAULT-VALUE}).",
            defaultValue = "runs/demo")
    Path out;

    @Option(names = "--keep-running", description = "Leave the broker, worker and job up after the replay, until Ctrl-C.")
    boolean keepRunning;

    @Override
    public Integer call() throws Exception {
        // Before anything loads ONNX Runtime: a long command line would crash it (ShortCommandLine).
        int relaunched = ShortCommandLine.relaunchIfNeeded();
        if (relaunched >= 0) {
            return relaunched;
        }
        DemoSettings settings = DemoSettings.builder()
                .events(events).rate(rate).requestDelay(Duration.ofMillis(requestDelayMs)).requestEvery(requestEvery).candidates(candidates).k(k).badRecords(badRecords)
                .model(model).sequenceModel(sequenceModel == null ? null : home(sequenceModel)).trainSequenceModel(!popularityRetrieval).retrievalShare(retrievalShare)
                .modelCache(home(modelCache)).data(data).llm(llm).llmModel(llmModel).llmThreads(llmThreads)
                .calibration(calibration)
                .warmUp(Duration.ofSeconds(warmUpSeconds)).llmTimeout(Duration.ofMillis(llmTimeoutMs)).llmCallTimeout(Duration.ofMillis(llmCallTimeoutMs))
                .budgetShare(budget).parallelism(parallelism).checkpointInterval(Duration.ofMillis(checkpointIntervalMs))
                .dashboardPort(dashboardPort).timeout(timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds))
                .out(home(out)).keepRunning(keepRunning)
                .build();
        Demo demo = new Demo(settings, System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C at any moment: stop the job, the worker and the broker cleanly before the JVM goes.
        Thread hook = new Thread(() -> {
            demo.close();
            stopped.countDown();
        }, "duet-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        DemoResult result;
        try {
            result = demo.run();
        } catch (Exception | Error e) {
            closeAndUnhook(demo, hook);
            throw e;
        }
        if (keepRunning) {
            demo.printEndpoints();
            stopped.await();
            return result.ok() ? 0 : 1;
        }
        closeAndUnhook(demo, hook);
        return result.ok() ? 0 : 1;
    }

    private static void closeAndUnhook(Demo demo, Thread hook) {
        demo.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Already shutting down: the hook runs anyway and close() is idempotent.
        }
    }

    /** Relative paths resolve against the checkout (the launcher's duet.home), not wherever java started. */
    private static Path home(Path p) {
        String home = System.getProperty("duet.home");
        return p.isAbsolute() || home == null ? p : Path.of(home).resolve(p);
    }
}
