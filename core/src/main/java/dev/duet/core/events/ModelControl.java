package dev.duet.core.events;

/**
 * A command on the control topic: from now on use the model at {@code modelPath} for {@code
 * target}. The version every output names is read from the model file's metadata.
 *
 * @param target which model to replace: the CRM (click scoring) or the sequence model (candidate
 *     retrieval)
 * @param modelPath a model file or a folder holding {@code model.onnx}, as seen by the TaskManagers
 */
public record ModelControl(Target target, String modelPath) {

    /** Which of the job's models a command replaces. */
    public enum Target {
        /** The click model that scores every candidate (docs/model-contract.md). */
        CRM("crm"),
        /** The next-item model that retrieves candidates for requests without their own. */
        SEQUENCE_MODEL("sequence-model");

        private final String wireName;

        Target(String wireName) {
            this.wireName = wireName;
        }

        /** The value of the record's {@code target} field. */
        public String wireName() {
            return wireName;
        }
    }

    /** A command for the CRM (records without a {@code target} field). */
    public ModelControl(String modelPath) {
        this(Target.CRM, modelPath);
    }
}
