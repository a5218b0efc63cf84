package dev.duet.worker.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import dev.duet.core.onnx.SharedSessions;
import dev.duet.proto.v1.ScoreRequest;
import dev.duet.proto.v1.Task;
import dev.duet.worker.InvalidRequestException;
import dev.duet.worker.RequestLimits;
import dev.duet.worker.ScoringBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores with a decoder language model. Pointwise: P(yes) is the softmax over the total
 * log-likelihoods of the whole answer strings (" yes" vs " no"); scoring only their first token
 * would be wrong whenever the answers share it (they do in stories260k). Listwise: each candidate
 * scores the log-likelihood of its title as the continuation of a prompt listing all candidates.
 * Hybrid prompts ({@link HybridPrompts}): with a projector, every behaviour vector of the request
 * is projected into token-embedding space and spliced into the decoder's input embeddings: the
 * user's ({@code user_behaviour}) right after BOS, each history item's and each candidate's right
 * after that item's title tokens.
 */
public final class CausalLmBackend implements ScoringBackend {

    private final CausalLm lm;
    private final HuggingFaceTokenizer tokenizer;
    private final Projector projector;
    private final HybridPrompts prompts;
    private final String positiveAnswer;
    private final String negativeAnswer;
    private final int maxTokens;
    private final String name;
    private final String version;

    private CausalLmBackend(Builder b, CausalLm lm, HuggingFaceTokenizer tokenizer,
            Projector projector, String version) {
        this.lm = lm;
        this.tokenizer = tokenizer;
        this.projector = projector;
        this.prompts = new HybridPrompts(b.pointwiseTemplate, b.listwiseTemplate, b.limits, projector != null);
        this.positiveAnswer = b.positiveAnswer;
        this.negativeAnswer = b.negativeAnswer;
        this.maxTokens = b.maxTokens > 0 ? b.maxTokens : lm.maxPositions();
        this.name = "causal-lm:" + b.modelDir.toAbsolutePath().normalize().getFileName()
                + (projector != null ? "+projector" : "");
        this.version = version;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String modelName() {
        return name;
    }

    @Override
    public String modelVersion() {
        return version;
    }

    /** The language model, for greedy decoding in tools and tests. */
    public CausalLm languageModel() {
        return lm;
    }

    public HuggingFaceTokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * The model rows of one request before projection (raw behaviour vectors in the splices):
     * pointwise (positive, negative) answer per candidate, listwise one per candidate. For tools
     * and tests that need to see exactly what the model is given.
     */
    public List<TokenSequence> sequencesOf(ScoreRequest r) {
        List<TokenSequence> out = new ArrayList<>();
        for (Row row : rows(r)) {
            out.add(row.sequence);
        }
        return out;
    }

    /**
     * Exactly what the decoder is given for one request ({@code inputs_embeds}, left-padded to
     * the longest row), built by the same code as {@link #scoreBatch}: for tests and tools that
     * check where the projected behaviour vectors land.
     */
    public DecoderInput decoderInput(ScoreRequest r) throws Exception {
        List<TokenSequence> raw = sequencesOf(r);
        List<TokenSequence> model = projector == null ? raw : projectSplices(raw);
        CausalLm.Embeddings e = lm.inputsEmbeds(model);
        return new DecoderInput(e.values(), e.rows(), e.width(), e.hidden(), raw, model);
    }

    /**
     * The decoder's input for one request.
     *
     * @param inputsEmbeds float [rows, width, hidden], row-major
     * @param raw the model rows with the raw behaviour vectors
     * @param projected the same rows with the projected vectors (what is embedded)
     */
    public record DecoderInput(float[] inputsEmbeds, int rows, int width, int hidden, List<TokenSequence> raw,
            List<TokenSequence> projected) {

        /** The embedding at position {@code t} of row {@code b}. */
        public float[] at(int b, int t) {
            float[] v = new float[hidden];
            System.arraycopy(inputsEmbeds, (b * width + t) * hidden, v, 0, hidden);
            return v;
        }

        /** The position (after left padding) of splice {@code k} of row {@code b}. */
        public int splicePosition(int b, int k) {
            TokenSequence s = projected.get(b);
            return width - s.effectiveLength() + s.spliceBefore()[k] + k;
        }
    }

    @Override
    public void validate(ScoreRequest r) throws InvalidRequestException {
        if (projector != null) {
            // Every vector the prompt carries goes through the one projector: one width for all.
            for (int i = prompts.firstHistory(r); i < r.getHistoryCount(); i++) {
                checkWidth(r, "history[" + i + "].behaviour", r.getHistory(i).getBehaviourCount());
            }
            for (int i = 0; i < r.getCandidatesCount(); i++) {
                checkWidth(r, "candidates[" + i + "].behaviour",
                        r.getCandidates(i).getBehaviourCount());
            }
            checkWidth(r, "user_behaviour", r.getUserBehaviourCount());
        }
        List<Row> rows = rows(r);
        for (Row row : rows) {
            int length = row.sequence.effectiveLength();
            if (length > maxTokens) {
                throw new InvalidRequestException(r.getRequestId(),
                        "candidates[" + row.candidate + "] prompt",
                        "is " + length + " tokens, more than the model's limit of " + maxTokens
                                + " (send fewer history items or shorter text)");
            }
        }
    }

    private void checkWidth(ScoreRequest r, String field, int width)
            throws InvalidRequestException {
        if (width != 0 && projector.inputWidth() > 0 && width != projector.inputWidth()) {
            throw new InvalidRequestException(r.getRequestId(), field,
                    "has " + width + " values; the projector expects " + projector.inputWidth());
        }
    }

    @Override
    public List<float[]> scoreBatch(List<ScoreRequest> requests) throws Exception {
        List<List<Row>> perRequest = new ArrayList<>(requests.size());
        List<TokenSequence> all = new ArrayList<>();
        for (ScoreRequest r : requests) {
            List<Row> rows = rows(r);
            perRequest.add(rows);
            for (Row row : rows) {
                all.add(row.sequence);
            }
        }
        List<TokenSequence> model = projector == null ? all : projectSplices(all);
        double[] ll = lm.logLikelihoods(model);
        List<float[]> out = new ArrayList<>(requests.size());
        int k = 0;
        for (int i = 0; i < requests.size(); i++) {
            ScoreRequest r = requests.get(i);
            float[] scores = new float[r.getCandidatesCount()];
            if (r.getTask() == Task.TASK_POINTWISE) {
                for (int c = 0; c < scores.length; c++) {
                    double yes = ll[k++];
                    double no = ll[k++];
                    scores[c] = (float) (1.0 / (1.0 + Math.exp(no - yes)));
                }
            } else {
                for (int c = 0; c < scores.length; c++) {
                    scores[c] = (float) ll[k++];
                }
            }
            out.add(scores);
        }
        return out;
    }

    /** Replaces raw behaviour vectors by their projections, with one projector call. */
    private List<TokenSequence> projectSplices(List<TokenSequence> sequences) throws Exception {
        List<float[]> raw = new ArrayList<>();
        for (TokenSequence s : sequences) {
            raw.addAll(List.of(s.splices()));
        }
        float[][] projected = projector.project(raw);
        List<TokenSequence> out = new ArrayList<>(sequences.size());
        int k = 0;
        for (TokenSequence s : sequences) {
            float[][] vectors = new float[s.splices().length][];
            for (int i = 0; i < vectors.length; i++) {
                vectors[i] = projected[k++];
            }
            out.add(new TokenSequence(s.ids(), s.scoreFrom(), s.spliceBefore(), vectors));
        }
        return out;
    }

    /** Model rows of one request: pointwise (yes, no) per candidate; listwise one per candidate. */
    private List<Row> rows(ScoreRequest r) {
        List<Row> rows = new ArrayList<>();
        if (r.getTask() == Task.TASK_POINTWISE) {
            for (int c = 0; c < r.getCandidatesCount(); c++) {
                Prompt prompt = prompts.pointwise(r, c);
                Encoded enc = encode(prompt);
                rows.add(new Row(c, continuation(enc, prompt, positiveAnswer)));
                rows.add(new Row(c, continuation(enc, prompt, negativeAnswer)));
            }
        } else {
            Prompt prompt = prompts.listwise(r);
            Encoded enc = encode(prompt);
            for (int c = 0; c < r.getCandidatesCount(); c++) {
                rows.add(new Row(c, continuation(enc, prompt, prompts.listwiseAnswer(r, c))));
            }
        }
        return rows;
    }

    private record Encoded(long[] ids, CharSpan[] spans) {}

    private record Row(int candidate, TokenSequence sequence) {}

    private Encoded encode(Prompt prompt) {
        Encoding e = tokenizer.encode(prompt.text(), false, false);
        return new Encoded(e.getIds(), e.getCharTokenSpans());
    }

    /**
     * The prompt followed by {@code answer}, scored on the answer's tokens. The text is encoded as
     * a whole (as the model saw text in training) and the answer tokens are those after the
     * longest prefix shared with the prompt's own encoding.
     */
    private TokenSequence continuation(Encoded prompt, Prompt p, String answer) {
        long[] whole = tokenizer.encode(p.text() + answer, false, false).getIds();
        int shared = 0;
        while (shared < whole.length && shared < prompt.ids.length
                && whole[shared] == prompt.ids[shared]) {
            shared++;
        }
        boolean bos = lm.bosId() >= 0;
        int lead = bos ? 1 : 0;
        long[] ids = new long[whole.length + lead];
        if (bos) {
            ids[0] = lm.bosId();
        }
        System.arraycopy(whole, 0, ids, lead, whole.length);
        int scoreFrom = Math.max(1, shared + lead);
        if (p.marks().isEmpty()) {
            return TokenSequence.text(ids, scoreFrom);
        }
        int[] before = new int[p.marks().size()];
        float[][] vectors = new float[before.length][];
        for (int m = 0; m < before.length; m++) {
            Prompt.Mark mark = p.marks().get(m);
            before[m] = Math.min(scoreFrom, lead + tokensBefore(prompt.spans, mark.charEnd()));
            vectors[m] = mark.behaviour();
        }
        return new TokenSequence(ids, scoreFrom, before, vectors);
    }

    /** How many tokens start before {@code charEnd}: the splice goes right after them. */
    private static int tokensBefore(CharSpan[] spans, int charEnd) {
        int n = 0;
        for (CharSpan s : spans) {
            if (s != null && s.getStart() < charEnd) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() throws Exception {
        try (CausalLm l = lm; HuggingFaceTokenizer t = tokenizer) {
            if (projector != null) {
                projector.close();
            }
        }
    }

    /** Builder; {@link #build()} checks files and opens the sessions. */
    public static final class Builder {
        private Path modelDir;
        private SharedSessions.Device device = SharedSessions.Device.CPU;
        private int intraOpThreads = 0;
        private Path projectorFile;
        private String pointwiseTemplate = PromptTemplate.COREL_LA_POINTWISE;
        private String listwiseTemplate = PromptTemplate.DEFAULT_LISTWISE;
        private String positiveAnswer = " yes";
        private String negativeAnswer = " no";
        private RequestLimits limits = RequestLimits.defaults();
        private int maxTokens = 0;

        public Builder modelDir(Path v) {
            this.modelDir = v;
            return this;
        }

        public Builder device(SharedSessions.Device v) {
            this.device = v;
            return this;
        }

        public Builder intraOpThreads(int v) {
            this.intraOpThreads = v;
            return this;
        }

        /** An ONNX projector [N, d_in] -> [N, hidden] that turns on hybrid prompts. */
        public Builder projector(Path v) {
            this.projectorFile = v;
            return this;
        }

        public Builder pointwiseTemplate(String v) {
            this.pointwiseTemplate = v;
            return this;
        }

        public Builder listwiseTemplate(String v) {
            this.listwiseTemplate = v;
            return this;
        }

        public Builder answers(String positive, String negative) {
            this.positiveAnswer = positive;
            this.negativeAnswer = negative;
            return this;
        }

        public Builder limits(RequestLimits v) {
            this.limits = v;
            return this;
        }

        /** Longest sequence (prompt + answer) accepted; 0 uses max_position_embeddings. */
        public Builder maxTokens(int v) {
            this.maxTokens = v;
            return this;
        }

        public CausalLmBackend build() throws Exception {
            if (modelDir == null) {
                throw new IllegalArgumentException("causal-lm needs a model folder (--model)");
            }
            Path tokenizerFile = modelDir.resolve("tokenizer.json");
            if (!Files.isRegularFile(tokenizerFile)) {
                throw new IllegalArgumentException("Tokenizer not found: " + tokenizerFile);
            }
            if (!new PromptTemplate(pointwiseTemplate).uses("target")) {
                throw new IllegalArgumentException("The pointwise template needs a {target} slot");
            }
            if (positiveAnswer.isEmpty() || negativeAnswer.isEmpty()
                    || positiveAnswer.equals(negativeAnswer)) {
                throw new IllegalArgumentException("Answers must be two different, non-empty strings");
            }
            if (projectorFile != null && !Files.isRegularFile(projectorFile)) {
                throw new IllegalArgumentException("Projector file not found: " + projectorFile);
            }
            if (maxTokens < 0) {
                throw new IllegalArgumentException("maxTokens must be >= 0");
            }
            CausalLm lm = CausalLm.open(modelDir, device, intraOpThreads);
            HuggingFaceTokenizer tokenizer = null;
            Projector projector = null;
            try {
                tokenizer = HuggingFaceTokenizer.builder()
                        .optTokenizerPath(tokenizerFile)
                        .optAddSpecialTokens(false)
                        .optTruncation(false)
                        .optPadding(false)
                        .build();
                if (projectorFile != null) {
                    if (!lm.supportsSplicing()) {
                        throw new IllegalArgumentException("A projector needs embed.onnx and"
                                + " decoder.onnx in " + modelDir);
                    }
                    projector = Projector.open(projectorFile, device, intraOpThreads,
                            lm.hiddenSize());
                }
                String version = ModelDigest.of(modelDir.resolve("model.onnx"),
                        modelDir.resolve("decoder.onnx"), tokenizerFile, projectorFile);
                return new CausalLmBackend(this, lm, tokenizer, projector, version);
            } catch (Exception e) {
                if (projector != null) {
                    projector.close();
                }
                if (tokenizer != null) {
                    tokenizer.close();
                }
                lm.close();
                throw e;
            }
        }
    }
}
