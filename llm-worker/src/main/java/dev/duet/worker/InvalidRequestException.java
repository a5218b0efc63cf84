package dev.duet.worker;

/** A request the worker will not score; the message names the request id and the field. */
public final class InvalidRequestException extends Exception {

    private final String requestId;
    private final String field;

    public InvalidRequestException(String requestId, String field, String reason) {
        super("request '" + requestId + "': " + field + " " + reason);
        this.requestId = requestId;
        this.field = field;
    }

    public String requestId() {
        return requestId;
    }

    public String field() {
        return field;
    }
}
