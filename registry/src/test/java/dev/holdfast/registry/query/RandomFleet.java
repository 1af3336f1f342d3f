package dev.holdfast.registry.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.registry.query.Condition.Operator;
import dev.holdfast.registry.query.FleetQuery.AllColumns;
import dev.holdfast.registry.query.FleetQuery.Column;
import dev.holdfast.registry.query.FleetQuery.Columns;
import dev.holdfast.registry.query.FleetQuery.CountColumn;
import dev.holdfast.registry.query.FleetQuery.PathColumn;
import dev.holdfast.registry.query.FleetQuery.SortKey;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random devices and queries for the differential test. Values are drawn from small pools
 * shared by data and queries, so that comparisons hit (equal values, 5 and 5.0, "2" and 2), miss,
 * mismatch types and meet missing members, nulls, objects and arrays; strings include quotes,
 * backslashes, non-ASCII and characters above U+FFFF, whose UTF-16 order differs from code point order.
 */
final class RandomFleet {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    static final String[] STRINGS = {"", "a", "b", "plant-3", "Plant-3", "plant-30", "plant-4", "2", "2.1", "2.1.0", "10.0", "1.9.9",
            "it's", "a'b", "x\"y", "back\\slash", "ä", "é", "\u00ff", "\uFFFD", "\uD83D\uDE00", "z", "zone-a", "zz", " ", "'); DROP TABLE device; --"};
    static final String[] NUMBERS = {"0", "-0.0", "1", "2", "2.0", "2.5", "-3", "-0.5", "10", "100", "1e3", "0.1", "0.25", "5", "5.0", "7", "-7.25", "1000"};
    static final String[] TAG_KEYS = {"site", "zone", "floor", "tier", "active", "meta", "list", "n", "name", "odd-key", "ключ"};
    static final String[] REPORTED_KEYS = {"fw", "battery", "temp", "mode", "n"};
    static final String[] FW_KEYS = {"version", "channel"};

    private final Random r;

    RandomFleet(long seed) {
        this.r = new Random(seed);
    }

    // ---------------------------------------------------------------------------------------------
    // devices

    List<TestFleet.Device> devices(int n) {
        List<String> ids = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String[] prefixes = {"dev-", "Dev_", "gw.", "m:", "d"};
        while (ids.size() < n) {
            String id = prefixes[r.nextInt(prefixes.length)] + r.nextInt(100_000);
            if (seen.add(id)) ids.add(id);
        }
        List<TestFleet.Device> devices = new ArrayList<>();
        for (String id : ids) {
            devices.add(new TestFleet.Device(id,
                    pick(null, "hub-1", "hub-2"),
                    pick("enabled", "disabled"),
                    pick(null, null, "stolen", "maintenance", "it's"),
                    pick("registered", "provisioned", "active", "quarantined", "decommissioned"),
                    r.nextInt(4) == 0 ? ids.get(r.nextInt(ids.size())) : null,
                    pick(null, "m1", "m2"),
                    pick("connected", "disconnected"),
                    r.nextInt(3) == 0 ? null : 1_600_000_000_000L + r.nextInt(20) * 1_000_003_007L + r.nextInt(3),
                    capabilities(),
                    pick("compliant", "non-compliant", "unknown"),
                    r.nextInt(3) == 0 ? null : new double[]{0, 0.1, 0.25, 0.5, 0.75, 1.0}[r.nextInt(6)],
                    r.nextBoolean() ? F.arrayNode() : F.arrayNode().add(pick("cve", "eol")),
                    1 + r.nextInt(5),
                    document(TAG_KEYS, 0),
                    desired(),
                    1 + r.nextInt(9),
                    reported(),
                    1 + r.nextInt(9)));
        }
        return devices;
    }

    private ObjectNode capabilities() {
        ObjectNode c = F.objectNode();
        if (r.nextInt(5) > 0) c.put("gateway", r.nextInt(4) == 0);
        return c;
    }

    private ObjectNode document(String[] keys, int depth) {
        ObjectNode o = F.objectNode();
        for (String k : keys) {
            if (r.nextInt(3) == 0) continue;
            o.set(k, value(depth));
        }
        return o;
    }

    private ObjectNode desired() {
        ObjectNode o = F.objectNode();
        if (r.nextBoolean()) o.set("fw", fw());
        if (r.nextInt(3) == 0) o.set("mode", value(1));
        return o;
    }

    private ObjectNode reported() {
        ObjectNode o = document(REPORTED_KEYS, 1);
        if (r.nextInt(4) > 0) o.set("fw", r.nextInt(6) == 0 ? value(1) : fw());
        return o;
    }

    private ObjectNode fw() {
        ObjectNode fw = F.objectNode();
        if (r.nextInt(6) > 0) fw.set("version", r.nextInt(8) == 0 ? number() : F.textNode(pick("1.9.9", "2.0.1", "2.1", "2.1.0", "10.0", "2")));
        if (r.nextBoolean()) fw.put("channel", pick("stable", "beta"));
        return fw;
    }

    private JsonNode value(int depth) {
        int k = r.nextInt(depth >= 2 ? 10 : 12);
        return switch (k) {
            case 0, 1, 2, 3 -> F.textNode(STRINGS[r.nextInt(STRINGS.length)]);
            case 4, 5, 6 -> number();
            case 7 -> F.booleanNode(r.nextBoolean());
            case 8 -> F.nullNode();
            case 9 -> F.textNode(pick("plant-3", "plant-4", "a", "2"));
            case 10 -> document(new String[]{"owner", "a", "n"}, depth + 1);
            default -> {
                ArrayNode a = F.arrayNode();
                for (int i = r.nextInt(3); i > 0; i--) a.add(value(2));
                yield a;
            }
        };
    }

    private JsonNode number() {
        String n = NUMBERS[r.nextInt(NUMBERS.length)];
        // Integers as integers, the rest as doubles: how Jackson reads JSON text.
        BigDecimal d = new BigDecimal(n);
        return n.matches("-?[0-9]+") ? F.numberNode(d.longValueExact()) : F.numberNode(d.doubleValue());
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[r.nextInt(options.length)];
    }

    // ---------------------------------------------------------------------------------------------
    // queries

    static final List<FieldPath> PATHS = List.of(
            FieldPath.of(TwinField.TAGS, "site"), FieldPath.of(TwinField.TAGS, "zone"), FieldPath.of(TwinField.TAGS, "floor"),
            FieldPath.of(TwinField.TAGS, "tier"), FieldPath.of(TwinField.TAGS, "active"), FieldPath.of(TwinField.TAGS, "meta"),
            FieldPath.of(TwinField.TAGS, "meta", "owner"), FieldPath.of(TwinField.TAGS, "meta", "a"), FieldPath.of(TwinField.TAGS, "list"),
            FieldPath.of(TwinField.TAGS, "n"), FieldPath.of(TwinField.TAGS, "name"), FieldPath.of(TwinField.TAGS, "odd-key"),
            FieldPath.of(TwinField.TAGS, "ключ"), FieldPath.of(TwinField.TAGS, "missing"), FieldPath.of(TwinField.TAGS),
            FieldPath.of(TwinField.REPORTED, "fw", "version"), FieldPath.of(TwinField.REPORTED, "fw", "channel"),
            FieldPath.of(TwinField.REPORTED, "fw"), FieldPath.of(TwinField.REPORTED, "battery"), FieldPath.of(TwinField.REPORTED, "temp"),
            FieldPath.of(TwinField.REPORTED, "mode"), FieldPath.of(TwinField.REPORTED, "n"), FieldPath.of(TwinField.REPORTED, "n", "a"),
            FieldPath.of(TwinField.DESIRED, "fw", "version"), FieldPath.of(TwinField.DESIRED, "mode"),
            FieldPath.of(TwinField.CAPABILITIES, "gateway"), FieldPath.of(TwinField.HEALTH_REASONS),
            FieldPath.of(TwinField.DEVICE_ID), FieldPath.of(TwinField.HUB), FieldPath.of(TwinField.STATUS),
            FieldPath.of(TwinField.STATUS_REASON), FieldPath.of(TwinField.LIFECYCLE), FieldPath.of(TwinField.PARENT_ID),
            FieldPath.of(TwinField.MODEL_ID), FieldPath.of(TwinField.CONNECTION_STATE), FieldPath.of(TwinField.LAST_ACTIVITY_TIME),
            FieldPath.of(TwinField.VERSION), FieldPath.of(TwinField.HEALTH_COMPLIANCE), FieldPath.of(TwinField.HEALTH_RISK));

    private static final String[] QUERY_STRINGS = {"enabled", "disabled", "active", "quarantined", "hub-1", "m1", "connected", "compliant",
            "stolen", "stable", "2021-01-01", "2020-09-13T12:26:40.000Z", "2021", "dev-5", "Dev_", "gw.", "d"};

    FleetQuery query() {
        int shape = r.nextInt(20);
        Optional<Condition> where = r.nextInt(12) == 0 ? Optional.empty() : Optional.of(condition(0));
        OptionalInt top = r.nextInt(4) == 0 ? OptionalInt.of(1 + r.nextInt(r.nextBoolean() ? 5 : 300)) : OptionalInt.empty();
        if (shape < 2) {
            return new FleetQuery(new Columns(List.of(new CountColumn("n"))), top, where, List.of(), List.of());
        }
        if (shape < 5) {
            List<FieldPath> groups = new ArrayList<>();
            for (int i = 1 + (r.nextInt(4) == 0 ? 1 : 0); i > 0; i--) {
                FieldPath p = path();
                if (!groups.contains(p)) groups.add(p);
            }
            List<Column> cols = new ArrayList<>();
            cols.add(new CountColumn("n"));
            for (int i = 0; i < groups.size(); i++) if (r.nextInt(4) > 0) cols.add(new PathColumn(groups.get(i), "g" + i));
            return new FleetQuery(new Columns(cols), top, where, groups, List.of());
        }
        List<SortKey> order = new ArrayList<>();
        if (r.nextInt(3) == 0) {
            for (int i = 1 + r.nextInt(2); i > 0; i--) order.add(new SortKey(path(), r.nextBoolean()));
        }
        if (shape < 9) {
            List<Column> cols = new ArrayList<>();
            for (int i = 1 + r.nextInt(3); i > 0; i--) cols.add(new PathColumn(path(), "c" + i));
            if (r.nextBoolean()) cols.add(new PathColumn(FieldPath.of(TwinField.DEVICE_ID), "id"));
            return new FleetQuery(new Columns(cols), top, where, List.of(), order);
        }
        return new FleetQuery(new AllColumns(), top, where, List.of(), order);
    }

    private FieldPath path() {
        return PATHS.get(r.nextInt(PATHS.size()));
    }

    private Condition condition(int depth) {
        int k = r.nextInt(depth >= 3 ? 6 : 10);
        return switch (k) {
            case 0, 1 -> comparison();
            case 2 -> comparison();
            case 3 -> membership();
            case 4 -> call();
            case 5 -> comparison();
            case 6 -> new Condition.And(terms(depth));
            case 7 -> new Condition.Or(terms(depth));
            case 8 -> new Condition.Not(condition(depth + 1));
            default -> new Condition.Not(r.nextBoolean() ? comparison() : membership());
        };
    }

    private List<Condition> terms(int depth) {
        List<Condition> terms = new ArrayList<>();
        for (int i = 2 + r.nextInt(2); i > 0; i--) terms.add(condition(depth + 1));
        return terms;
    }

    private Condition comparison() {
        return new Condition.Comparison(path(), Operator.values()[r.nextInt(Operator.values().length)], literal());
    }

    private Condition membership() {
        List<Literal> values = new ArrayList<>();
        boolean mixed = r.nextInt(4) == 0;
        Literal first = literal();
        values.add(first);
        for (int i = r.nextInt(4); i > 0; i--) {
            Literal l = literal();
            if (mixed || l.type() == first.type()) values.add(l);
        }
        return new Condition.Membership(path(), values, r.nextBoolean());
    }

    private Condition call() {
        Condition.Function fn = Condition.Function.values()[r.nextInt(Condition.Function.values().length)];
        Optional<String> arg = Optional.empty();
        if (fn.takesString()) {
            String s = r.nextBoolean() ? STRINGS[r.nextInt(STRINGS.length)] : QUERY_STRINGS[r.nextInt(QUERY_STRINGS.length)];
            if (s.length() > 1 && r.nextBoolean()) {
                int a = r.nextInt(s.length());
                int b = a + r.nextInt(s.length() - a) + 1;
                s = s.substring(a, b);
                if (!s.isEmpty() && (Character.isSurrogate(s.charAt(0)) || Character.isSurrogate(s.charAt(s.length() - 1)))) s = "a";
            }
            arg = Optional.of(s);
        }
        return new Condition.Call(fn, path(), arg);
    }

    private Literal literal() {
        int k = r.nextInt(10);
        return switch (k) {
            case 0, 1, 2 -> new Literal.Str(STRINGS[r.nextInt(STRINGS.length)]);
            case 3 -> new Literal.Str(QUERY_STRINGS[r.nextInt(QUERY_STRINGS.length)]);
            case 4, 5, 6 -> new Literal.Num(new BigDecimal(NUMBERS[r.nextInt(NUMBERS.length)]));
            case 7 -> new Literal.Num(BigDecimal.valueOf(r.nextInt(2_000_000_000) + 1_600_000_000_000L));
            case 8 -> new Literal.Bool(r.nextBoolean());
            default -> new Literal.Null();
        };
    }
}
