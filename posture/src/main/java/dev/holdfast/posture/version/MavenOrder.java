package dev.holdfast.posture.version;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * Maven's {@code ComparableVersion}: the version splits at {@code .}, {@code -} and digit/letter
 * transitions into integers, qualifiers and sub-lists; trailing "null" items (0, "", final, ga,
 * release) are dropped; qualifiers order alpha &lt; beta &lt; milestone &lt; rc = cr &lt; snapshot &lt;
 * (release) &lt; sp &lt; unknown (alphabetical); a, b, m directly followed by a digit mean alpha, beta,
 * milestone.
 */
final class MavenOrder {
    private MavenOrder() {
    }

    private static final List<String> QUALIFIERS = List.of("alpha", "beta", "milestone", "rc", "snapshot", "", "sp");
    private static final String RELEASE_INDEX = String.valueOf(QUALIFIERS.indexOf(""));

    sealed interface Item permits IntItem, StringItem, ListItem {
        int compareTo(Item other); // other may be null

        boolean isNull();
    }

    record IntItem(String digits) implements Item {
        public int compareTo(Item o) {
            if (o == null) return digits.equals("0") ? 0 : 1;
            if (o instanceof IntItem i) return GenericOrder.compareNumeric(digits, i.digits);
            return 1; // an integer outranks a qualifier and a sub-list
        }

        public boolean isNull() {
            return digits.equals("0");
        }
    }

    record StringItem(String value) implements Item {
        static StringItem of(String v, boolean followedByDigit) {
            if (followedByDigit && v.length() == 1) {
                switch (v.charAt(0)) {
                    case 'a' -> v = "alpha";
                    case 'b' -> v = "beta";
                    case 'm' -> v = "milestone";
                    default -> { }
                }
            }
            v = switch (v) {
                case "ga", "final", "release" -> "";
                case "cr" -> "rc";
                default -> v;
            };
            return new StringItem(v);
        }

        static String comparable(String q) {
            int i = QUALIFIERS.indexOf(q);
            return i == -1 ? QUALIFIERS.size() + "-" + q : String.valueOf(i);
        }

        public int compareTo(Item o) {
            if (o == null) return comparable(value).compareTo(RELEASE_INDEX);
            if (o instanceof StringItem s) return comparable(value).compareTo(comparable(s.value));
            return -1;
        }

        public boolean isNull() {
            return comparable(value).equals(RELEASE_INDEX);
        }
    }

    static final class ListItem extends ArrayList<Item> implements Item {
        public int compareTo(Item o) {
            if (o == null) return isEmpty() ? 0 : get(0).compareTo(null);
            if (o instanceof IntItem) return -1;
            if (o instanceof StringItem) return 1;
            ListItem r = (ListItem) o;
            int n = Math.max(size(), r.size());
            for (int i = 0; i < n; i++) {
                Item l = i < size() ? get(i) : null, ri = i < r.size() ? r.get(i) : null;
                int c = l == null ? (ri == null ? 0 : -ri.compareTo(null)) : l.compareTo(ri);
                if (c != 0) return c;
            }
            return 0;
        }

        public boolean isNull() {
            return isEmpty();
        }

        void normalize() {
            for (int i = size() - 1; i >= 0; i--) {
                Item last = get(i);
                if (last.isNull()) remove(i);
                else if (!(last instanceof ListItem)) break;
            }
        }
    }

    static int compare(String a, String b) {
        return parse(a).compareTo(parse(b));
    }

    static ListItem parse(String version) {
        String v = version.toLowerCase(Locale.ROOT);
        ListItem items = new ListItem();
        ListItem list = items;
        Deque<ListItem> stack = new ArrayDeque<>();
        stack.push(list);
        boolean isDigit = false;
        int start = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '.') {
                list.add(i == start ? new IntItem("0") : item(isDigit, v.substring(start, i)));
                start = i + 1;
            } else if (c == '-') {
                list.add(i == start ? new IntItem("0") : item(isDigit, v.substring(start, i)));
                start = i + 1;
                ListItem sub = new ListItem();
                list.add(sub);
                list = sub;
                stack.push(list);
            } else if (c >= '0' && c <= '9') {
                if (!isDigit && i > start) {
                    list.add(StringItem.of(v.substring(start, i), true));
                    start = i;
                    ListItem sub = new ListItem();
                    list.add(sub);
                    list = sub;
                    stack.push(list);
                }
                isDigit = true;
            } else {
                if (isDigit && i > start) {
                    list.add(item(true, v.substring(start, i)));
                    start = i;
                    ListItem sub = new ListItem();
                    list.add(sub);
                    list = sub;
                    stack.push(list);
                }
                isDigit = false;
            }
        }
        if (v.length() > start) list.add(item(isDigit, v.substring(start)));
        while (!stack.isEmpty()) stack.pop().normalize();
        return items;
    }

    private static Item item(boolean digit, String s) {
        return digit ? new IntItem(GenericOrder.stripZeros(s)) : StringItem.of(s, false);
    }
}
