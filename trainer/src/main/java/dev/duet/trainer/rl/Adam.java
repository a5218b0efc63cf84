package dev.duet.trainer.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam over named DJL parameter arrays (the RL heads, the encoder they share, the environment's
 * adapters). The moments live in each parameter's own manager; gradients are cleared after the
 * step because PyTorch accumulates them.
 */
final class Adam {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.98f;
    private static final float EPSILON = 1e-9f;

    private final Map<String, NDArray> parameters;
    private final Map<String, NDArray> first = new LinkedHashMap<>();
    private final Map<String, NDArray> second = new LinkedHashMap<>();
    private final float learningRate;
    private int steps;

    Adam(Map<String, NDArray> parameters, float learningRate) {
        this.parameters = new LinkedHashMap<>(parameters);
        this.learningRate = learningRate;
        this.parameters.forEach((name, p) -> {
            first.put(name, p.zerosLike());
            second.put(name, p.zerosLike());
        });
    }

    /** Drops the gradients of the last backward pass without applying them. */
    void clearGradients() {
        parameters.values().forEach(p -> {
            p.getGradient().set(new NDIndex("..."), 0); // not g - g: that stays NaN where g is not finite
        });
    }

    /** Applies the gradients that the last backward pass left on the parameters. */
    void step() {
        steps++;
        double correction1 = 1 - Math.pow(BETA1, steps);
        double correction2 = 1 - Math.pow(BETA2, steps);
        float stepSize = (float) (learningRate * Math.sqrt(correction2) / correction1);
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = e.getValue();
            NDArray g = p.getGradient();
            NDArray m = first.get(e.getKey());
            NDArray v = second.get(e.getKey());
            m.muli(BETA1).addi(g.mul(1 - BETA1));
            v.muli(BETA2).addi(g.square().mul(1 - BETA2));
            p.subi(m.div(v.sqrt().add(EPSILON)).mul(stepSize));
            g.set(new NDIndex("..."), 0);
        }
    }
}
