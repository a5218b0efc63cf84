package dev.duet.evaluation.nextitem;

/** What an LLM-side backend really is, said plainly in reports (an encoder result is not an LLM result). */
public final class BackendKind {

    private BackendKind() {}

    /** One sentence on the backend that ran. */
    public static String describe(String backend, String modelName) {
        return switch (backend) {
            case "causal-lm" -> modelName.contains("stories260k")
                    ? "a causal language model: stories260k, a tiny real Llama (260K parameters, trained on children's"
                            + " stories) that only proves the path; its rankings say nothing about what an LLM can do"
                    : "a causal language model (decoder) run by ONNX Runtime in-process";
            case "openai" -> "a remote language model behind an OpenAI-compatible /v1/completions server";
            case "text-encoder" -> "a pretrained text ENCODER (sentence embeddings) with a logistic head: not an LLM";
            case "trained" -> "a pretrained text ENCODER with layers trained in Java (./duet train-llm): not an LLM";
            default -> "backend " + backend;
        };
    }
}
