package dev.duet.trainer.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The named groups of a model's flat dense parameter array, in order. */
public final class ParameterLayout {

    private final Map<String, ParameterGroup> groups = new LinkedHashMap<>();
    private int size;

    /** Appends a group and returns its offset. */
    int add(String name, int rows, int cols, boolean regularised) {
        if (groups.containsKey(name)) {
            throw new IllegalArgumentException("duplicate parameter group " + name);
        }
        ParameterGroup group = new ParameterGroup(name, size, rows, cols, regularised);
        groups.put(name, group);
        size += group.size();
        return group.offset();
    }

    public ParameterGroup group(String name) {
        ParameterGroup group = groups.get(name);
        if (group == null) {
            throw new IllegalArgumentException("no parameter group " + name + " in " + groups.keySet());
        }
        return group;
    }

    public List<ParameterGroup> groups() {
        return new ArrayList<>(groups.values());
    }

    /** Total number of dense parameters. */
    public int size() {
        return size;
    }
}
