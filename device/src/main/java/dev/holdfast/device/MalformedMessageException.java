package dev.holdfast.device;

/**
 * Bytes from the server (a topic, a property bag, a DPS or twin JSON body, an EST reply) that do
 * not follow the protocol. The reason cites the rule that was broken. Parsers of server input throw
 * only this; the client counts the message and drops it.
 */
public final class MalformedMessageException extends Exception {
    public MalformedMessageException(String reason) {
        super(reason);
    }

    public MalformedMessageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
