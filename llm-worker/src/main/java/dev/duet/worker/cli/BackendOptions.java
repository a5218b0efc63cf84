package dev.duet.worker.cli;

import dev.duet.core.onnx.SharedSessions;
import dev.duet.worker.RequestLimits;
import dev.duet.worker.ScoringBackend;
import dev.duet.worker.internal.CausalLmBackend;
import dev.duet.worker.internal.OpenAiBackend;
import dev.duet.worker.internal.SentenceEncoder;
import dev.duet.worker.internal.TextEncoderBackend;
import dev.duet.worker.internal.TrainedScorerBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options that choose and configure a scoring backend (shared by worker and bench). */
final class BackendOptions {

    @Option(names = "--backend", required = true,
            description = "causal-lm, text-encoder, openai or trained (a scorer from ./duet train-llm).")
    String backend;

    @Option(names = "--model",
            description = "causal-lm: model folder (model.onnx or embed.onnx + decoder.onnx,"
                    + " tokenizer.json, config.json). text-encoder: all-minilm-l6-v2 (bundled,"
                    + " default) or a folder with model.onnx + tokenizer.json. openai: the"
                    + " model name sent to the endpoint. trained: the folder ./duet train-llm wrote.")
    String model;

    @Option(names = "--device", defaultValue = "cpu",
            description = "cpu or cuda (needs the 'cuda' Maven profile). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", defaultValue = "0",
            description = "ONNX Runtime intra-op threads; 0 lets it choose. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--projector",
            description = "causal-lm: ONNX projector float [N, d_in] -> [N, hidden]; turns on"
                    + " hybrid prompts (behaviour vectors spliced after item titles).")
    Path projector;

    @Option(names = "--prompt-template",
            description = "causal-lm/openai: file holding the pointwise prompt, with {history}"
                    + " and {target}. Default: CoReLLa's prompt.")
    Path promptTemplate;

    @Option(names = "--listwise-template",
            description = "causal-lm/openai: file holding the listwise prompt, with {history}"
                    + " and {candidates}.")
    Path listwiseTemplate;

    @Option(names = "--answers", split = ",", defaultValue = " yes, no",
            description = "causal-lm/openai: positive and negative answer strings."
                    + " Default: ' yes',' no'.")
    String[] answers;

    @Option(names = "--max-prompt-tokens", defaultValue = "0",
            description = "causal-lm: longest prompt + answer accepted; 0 uses the model's"
                    + " max_position_embeddings.")
    int maxPromptTokens;

    @Option(names = "--head",
            description = "text-encoder: logistic head weights (JSON); default weights when absent.")
    Path head;

    @Option(names = "--pooling", defaultValue = "MEAN",
            description = "text-encoder from a folder: MEAN (MiniLM) or CLS (bge). Bundled"
                    + " encoders know theirs. Default: ${DEFAULT-VALUE}.")
    SentenceEncoder.Pooling pooling = SentenceEncoder.Pooling.MEAN;

    @Option(names = "--cache-size", defaultValue = "50000",
            description = "text-encoder: item embeddings kept (LRU). Default: ${DEFAULT-VALUE}.")
    int cacheSize;

    @Option(names = "--openai-url", description = "openai: base URL, e.g. http://127.0.0.1:8000.")
    String openAiUrl;

    @Option(names = "--openai-timeout-ms", defaultValue = "30000",
            description = "openai: per-call timeout. Default: ${DEFAULT-VALUE}.")
    long openAiTimeoutMs;

    @Option(names = "--openai-retries", defaultValue = "2",
            description = "openai: retries on 429/5xx/timeouts. Default: ${DEFAULT-VALUE}.")
    int openAiRetries;

    @Option(names = "--max-title-chars", defaultValue = "200",
            description = "Titles are cut to this length before entering a prompt.")
    int maxTitleChars;

    @Option(names = "--max-text-chars", defaultValue = "300",
            description = "Item text is cut to this length before entering a prompt.")
    int maxTextChars;

    @Option(names = "--max-history", defaultValue = "20",
            description = "Most recent history items used. Default: ${DEFAULT-VALUE}.")
    int maxHistory;

    @Option(names = "--max-candidates", defaultValue = "100",
            description = "More candidates per request are INVALID_ARGUMENT.")
    int maxCandidates;

    RequestLimits limits() {
        return RequestLimits.builder().maxTitleChars(maxTitleChars).maxTextChars(maxTextChars)
                .maxHistoryItems(maxHistory).maxCandidates(maxCandidates).build();
    }

    SharedSessions.Device device() {
        return switch (device.toLowerCase()) {
            case "cpu" -> SharedSessions.Device.CPU;
            case "cuda", "gpu" -> SharedSessions.Device.CUDA;
            default -> throw new IllegalArgumentException(
                    "--device must be cpu or cuda, got '" + device + "'");
        };
    }

    ScoringBackend create() throws Exception {
        if (answers.length != 2) {
            throw new IllegalArgumentException("--answers needs two strings, e.g. ' yes,' no'");
        }
        return switch (backend) {
            case "causal-lm" -> {
                if (model == null) {
                    throw new IllegalArgumentException("--backend causal-lm needs --model FOLDER");
                }
                CausalLmBackend.Builder b = CausalLmBackend.builder().modelDir(Path.of(model))
                        .device(device()).intraOpThreads(threads).projector(projector)
                        .answers(answers[0], answers[1]).limits(limits())
                        .maxTokens(maxPromptTokens);
                if (promptTemplate != null) {
                    b.pointwiseTemplate(read(promptTemplate));
                }
                if (listwiseTemplate != null) {
                    b.listwiseTemplate(read(listwiseTemplate));
                }
                yield b.build();
            }
            case "text-encoder" -> TextEncoderBackend.builder()
                    .model(model == null ? "all-minilm-l6-v2" : model)
                    .pooling(pooling).device(device()).intraOpThreads(threads).head(head)
                    .cacheSize(cacheSize)
                    .limits(limits()).build();
            case "trained" -> TrainedScorerBackend.open(model == null ? null : Path.of(model), device(), threads,
                    cacheSize, limits());
            case "openai" -> {
                OpenAiBackend.Builder b = OpenAiBackend.builder().url(openAiUrl)
                        .model(model == null ? "default" : model)
                        .timeout(Duration.ofMillis(openAiTimeoutMs)).retries(openAiRetries)
                        .answers(answers[0], answers[1]).limits(limits());
                if (promptTemplate != null) {
                    b.pointwiseTemplate(read(promptTemplate));
                }
                if (listwiseTemplate != null) {
                    b.listwiseTemplate(read(listwiseTemplate));
                }
                yield b.build();
            }
            default -> throw new IllegalArgumentException("--backend must be causal-lm,"
                    + " text-encoder, openai or trained, got '" + backend + "'");
        };
    }

    private static String read(Path file) throws java.io.IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("Template file not found: " + file);
        }
        return Files.readString(file).strip();
    }
}
