package dev.duet.trainer.corella;

import dev.duet.core.scorer.ScorerContract;
import dev.duet.core.scorer.ScorerSettings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The scorer's trainable weights by name, as plain float arrays (row-major), with their shapes.
 * The alignment projections are used in training only; everything else is exported.
 * Weights a configuration switches off (behaviour projections without {@code useBehaviour}, the
 * CRM-logit weight without {@code useCrmLogit}) are zero and frozen, so the forward pass and the
 * exported graph have one shape for every variant.
 */
public final class ScorerParameters {

    /** Names of the weights, in a fixed order. */
    public static final List<String> NAMES = List.of(
            "text_w", "text_b", "item_beh_w", "user_beh_w", "rating_w", "attn_w",
            "mlp_w1", "mlp_b1", "mlp_w2", "mlp_b2", "crm_w", "align_user", "align_item");

    /** Weights only the training loss reads. */
    public static final Set<String> TRAINING_ONLY = Set.of("align_user", "align_item");

    private final Map<String, float[]> values;
    private final Map<String, int[]> shapes;
    private final Set<String> frozen;

    private ScorerParameters(Map<String, float[]> values, Map<String, int[]> shapes, Set<String> frozen) {
        this.values = values;
        this.shapes = shapes;
        this.frozen = frozen;
    }

    /** Width of the MLP's input: item, attention pool, their product, user text, user behaviour, its product with item, 3 similarity features, dense. */
    public static int mlpInput(int dim) {
        return 6 * dim + 3 + ScorerContract.DENSE_WIDTH;
    }

    /** Freshly initialised weights (Glorot normal for matrices, zero biases, CRM-logit weight 1). */
    public static ScorerParameters init(ScorerSettings s, ScorerConfig c) {
        int e = s.textDim();
        int d = c.dim();
        int b = s.behaviourDim();
        int h = c.hidden();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("text_w", new int[] {e, d});
        shapes.put("text_b", new int[] {d});
        shapes.put("item_beh_w", new int[] {b, d});
        shapes.put("user_beh_w", new int[] {b, d});
        shapes.put("rating_w", new int[] {d});
        shapes.put("attn_w", new int[] {d, d});
        shapes.put("mlp_w1", new int[] {mlpInput(d), h});
        shapes.put("mlp_b1", new int[] {h});
        shapes.put("mlp_w2", new int[] {h, 1});
        shapes.put("mlp_b2", new int[] {1});
        shapes.put("crm_w", new int[] {1});
        shapes.put("align_user", new int[] {d, b});
        shapes.put("align_item", new int[] {d, b});
        Random random = new Random(c.seed() * 7919 + 17);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (String name : NAMES) {
            int[] shape = shapes.get(name);
            float[] v = new float[count(shape)];
            if (shape.length == 2) {
                double std = Math.sqrt(2.0 / (shape[0] + shape[1]));
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (random.nextGaussian() * std);
                }
            } else if (name.equals("rating_w")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (random.nextGaussian() * 0.1);
                }
            }
            values.put(name, v);
        }
        values.get("crm_w")[0] = 1f;
        java.util.HashSet<String> frozen = new java.util.HashSet<>();
        if (!c.useBehaviour()) {
            frozen.add("item_beh_w");
            frozen.add("user_beh_w");
            java.util.Arrays.fill(values.get("item_beh_w"), 0f);
            java.util.Arrays.fill(values.get("user_beh_w"), 0f);
        }
        if (!c.useUserBehaviour()) {
            frozen.add("user_beh_w");
            java.util.Arrays.fill(values.get("user_beh_w"), 0f);
        }
        if (!c.useCrmLogit()) {
            frozen.add("crm_w");
            values.get("crm_w")[0] = 0f;
        }
        if (c.alignWeight() == 0) {
            frozen.addAll(TRAINING_ONLY);
        }
        return new ScorerParameters(values, shapes, Set.copyOf(frozen));
    }

    static int count(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    public float[] get(String name) {
        float[] v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no scorer weight '" + name + "'");
        }
        return v;
    }

    public int[] shape(String name) {
        return shapes.get(name).clone();
    }

    public boolean isFrozen(String name) {
        return frozen.contains(name);
    }

    /** A deep copy (best-epoch snapshots). */
    public ScorerParameters copy() {
        Map<String, float[]> v = new LinkedHashMap<>();
        values.forEach((k, a) -> v.put(k, a.clone()));
        return new ScorerParameters(v, shapes, frozen);
    }

    /** First 12 hex digits of SHA-256 over the exported weights. */
    public String digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String name : NAMES) {
                if (TRAINING_ONLY.contains(name)) {
                    continue;
                }
                float[] v = values.get(name);
                ByteBuffer buffer = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                buffer.asFloatBuffer().put(v);
                sha.update(buffer);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
