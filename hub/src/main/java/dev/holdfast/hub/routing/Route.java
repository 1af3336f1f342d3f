package dev.holdfast.hub.routing;

import java.util.regex.Pattern;

/** A named telemetry route: messages for which {@code condition} holds go to {@code endpoint}. */
public record Route(String name, RouteCondition condition, RouteEndpoint endpoint) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public Route {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: '" + name + "' (expected: 1..64 letters, digits, '.', '_' or '-')");
        }
        if (condition == null) throw new IllegalArgumentException("condition: missing");
        if (endpoint == null) throw new IllegalArgumentException("endpoint: missing");
    }

    /** What the hub does without configured routes: every message to the built-in store. */
    public static Route defaultRoute() {
        return new Route("default", RouteCondition.always(), new RouteEndpoint.Store());
    }
}
