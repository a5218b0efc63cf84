package dev.duet.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Reads a delimited text file line by line and turns every problem into a {@link
 * DataFormatException} that names the file and the line.
 */
final class DelimitedFile {

    /** Handles one line's fields. */
    @FunctionalInterface
    interface RowHandler {
        void accept(String[] fields, Row row);
    }

    /** Position of a line, with typed field access that fails with the position in the message. */
    static final class Row {
        private final Path file;
        private long line;
        private String[] fields;

        Row(Path file) {
            this.file = file;
        }

        long line() {
            return line;
        }

        DataFormatException error(String reason) {
            return new DataFormatException(file, line, reason);
        }

        String text(int index, String name) {
            if (index >= fields.length) {
                throw error("missing field '" + name + "' (column " + (index + 1) + ")");
            }
            return fields[index].trim();
        }

        String nonEmpty(int index, String name) {
            String value = text(index, name);
            if (value.isEmpty()) {
                throw error("empty field '" + name + "' (column " + (index + 1) + ")");
            }
            return value;
        }

        long integer(int index, String name) {
            String value = nonEmpty(index, name);
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw error("field '" + name + "' is not an integer: '" + value + "'");
            }
        }

        float decimal(int index, String name) {
            String value = nonEmpty(index, name);
            try {
                float parsed = Float.parseFloat(value);
                if (!Float.isFinite(parsed)) {
                    throw error("field '" + name + "' is not finite: '" + value + "'");
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw error("field '" + name + "' is not a number: '" + value + "'");
            }
        }

        void expectFields(int min) {
            if (fields.length < min) {
                throw error(
                        "expected at least "
                                + min
                                + " fields but found "
                                + fields.length
                                + " (truncated or corrupt line?)");
            }
        }
    }

    private DelimitedFile() {}

    /**
     * Calls {@code handler} for every non-blank line, after {@code skipLines} header lines.
     * Undecodable bytes in {@code charset} are an error, not silently replaced.
     */
    static long forEach(
            Path file, Charset charset, String delimiterRegex, int skipLines, RowHandler handler)
            throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DataFormatException("Missing data file: " + file);
        }
        Pattern delimiter = Pattern.compile(delimiterRegex);
        CharsetDecoder decoder =
                charset.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        Row row = new Row(file);
        long rows = 0;
        try (BufferedReader reader =
                new BufferedReader(
                        new java.io.InputStreamReader(Files.newInputStream(file), decoder),
                        1 << 16)) {
            String line;
            long number = 0;
            while (true) {
                try {
                    line = reader.readLine();
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new DataFormatException(
                            file, number + 1, "bytes that are not valid " + charset.name());
                }
                if (line == null) {
                    break;
                }
                number++;
                if (number <= skipLines || line.isBlank()) {
                    continue;
                }
                if (line.indexOf('\0') >= 0) {
                    throw new DataFormatException(file, number, "NUL byte (corrupt file?)");
                }
                row.line = number;
                row.fields = delimiter.split(line, -1);
                handler.accept(row.fields, row);
                rows++;
            }
        }
        if (rows == 0) {
            throw new DataFormatException("Data file has no records: " + file);
        }
        return rows;
    }
}
