package dev.holdfast.sensor.analysis;

/** Open-addressing map from long to object without boxing; no removal (assets live as long as the analysis). */
final class LongMap<V> {
    private long[] keys = new long[1024];
    private Object[] values = new Object[1024];
    private int size;

    @SuppressWarnings("unchecked")
    V get(long key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) return null;
            if (keys[i] == key) return (V) v;
        }
    }

    void put(long key, V value) {
        if (size * 2 >= keys.length) grow();
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            if (values[i] == null) {
                keys[i] = key;
                values[i] = value;
                size++;
                return;
            }
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    void forEach(java.util.function.Consumer<V> action) {
        for (Object v : values) if (v != null) action.accept((V) v);
    }

    private void grow() {
        long[] ok = keys;
        Object[] ov = values;
        keys = new long[ok.length * 2];
        values = new Object[ov.length * 2];
        size = 0;
        for (int i = 0; i < ok.length; i++) if (ov[i] != null) put(ok[i], ov[i] == null ? null : cast(ov[i]));
    }

    @SuppressWarnings("unchecked")
    private V cast(Object o) {
        return (V) o;
    }

    private static int mix(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
