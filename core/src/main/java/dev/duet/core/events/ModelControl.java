package dev.duet.core.events;

/**
 * A command on the control topic: score with the model at {@code modelPath} from now on. The
 * version every output names is read from the model file's metadata.
 *
 * @param modelPath a model file or a folder holding {@code model.onnx}, as seen by the TaskManagers
 */
public record ModelControl(String modelPath) {}
