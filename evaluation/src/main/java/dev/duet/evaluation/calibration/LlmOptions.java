package dev.duet.evaluation.calibration;

import dev.duet.worker.ScoringBackend;
import dev.duet.worker.cli.Backends;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Which LLM backend runs in-process and how. The backend is built by the worker's own option
 * parser ({@link Backends}), so {@code --llm-option} accepts every option of {@code ./duet worker}
 * (e.g. {@code --llm-option=--projector=proj.onnx}); only the backend, its model and threads have
 * short forms here, because {@code --model} already names the CRM.
 */
public final class LlmOptions {

    @Option(names = "--llm", paramLabel = "BACKEND", defaultValue = "text-encoder",
            description = "LLM backend run in-process: text-encoder (MiniLM, default), causal-lm, openai or trained"
                    + " (a scorer from ./duet train-llm, --llm-model its folder).")
    String backend = "text-encoder";

    @Option(names = "--llm-model", paramLabel = "DIR|NAME",
            description = "The backend's --model: causal-lm folder (e.g. ../shared/models/stories260k),"
                    + " text-encoder name or folder (default all-minilm-l6-v2), openai model name, trained: the"
                    + " folder ./duet train-llm wrote.")
    String model;

    @Option(names = "--llm-threads", defaultValue = "0",
            description = "ONNX Runtime intra-op threads of the LLM (0: its choice). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--llm-option", paramLabel = "OPTION",
            description = "Any further ./duet worker backend option, repeatable, e.g. --llm-option=--cache-size=20000.")
    List<String> extra = new ArrayList<>();

    @Option(names = "--llm-batch", defaultValue = "32",
            description = "Requests per backend call. Default: ${DEFAULT-VALUE}.")
    int batch;

    public static LlmOptions of(String backend, String model) {
        LlmOptions o = new LlmOptions();
        o.backend = backend;
        o.model = model;
        o.batch = 32;
        return o;
    }

    /** The worker options this choice stands for, with {@code head} (may be null) as the head file. */
    public List<String> workerOptions(Path head) {
        List<String> args = new ArrayList<>(List.of("--backend", backend));
        if (model != null) {
            args.add("--model");
            args.add(model);
        }
        args.add("--threads");
        args.add(Integer.toString(threads));
        args.addAll(extra);
        if (head != null) {
            args.add("--head");
            args.add(head.toString());
        }
        return args;
    }

    /** Opens the backend; the caller closes it. */
    public ScoringBackend open(Path head) throws Exception {
        if (batch < 1) {
            throw new IllegalArgumentException("--llm-batch must be positive, got " + batch);
        }
        return Backends.create(workerOptions(head));
    }

    public boolean isTextEncoder() {
        return "text-encoder".equals(backend);
    }

    public String backend() {
        return backend;
    }

    public int batch() {
        return batch;
    }
}
