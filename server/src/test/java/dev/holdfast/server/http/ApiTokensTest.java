package dev.holdfast.server.http;

import dev.holdfast.events.SecurityEvent;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiTokensTest {
    @TempDir
    Path dir;

    private Database db;
    private ApiTokens tokens;
    private final List<SecurityEvent> events = new ArrayList<>();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void open() {
        db = Database.open(StoreConfig.embedded(dir));
        db.migrate("server");
        tokens = new ApiTokens(db, events::add, clock);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void create_returnsAPlaintextThatVerifiesToTheSameToken() {
        IssuedToken issued = tokens.create("ci", "system", Optional.empty());
        assertThat(issued.plaintext()).matches("hf_[0-9a-f]{16}_[0-9a-f]{64}");
        assertThat(tokens.verify(issued.plaintext())).get().extracting(ApiToken::id, ApiToken::name).containsExactly(issued.token().id(), "ci");
        assertThat(issued.token().actor()).isEqualTo("token:" + issued.token().id());
        assertThat(issued.toString()).doesNotContain(issued.plaintext().substring(20));
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.activity()).isEqualTo("api_token.created");
            assertThat(e.details()).containsEntry("token_id", issued.token().id());
            assertThat(e.toString()).doesNotContain(issued.plaintext().substring(20));
        });
    }

    @Test
    void store_keepsOnlyAHashOfTheSecret() {
        IssuedToken issued = tokens.create("ci", "system", Optional.empty());
        String secretHex = issued.plaintext().substring(20);
        byte[] secretBytes = HexFormat.of().parseHex(secretHex);
        List<String> cells = db.withConnection(c -> {
            List<String> out = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT * FROM api_token")) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= n; i++) {
                        byte[] raw = rs.getBytes(i);
                        if (raw == null) continue;
                        out.add(new String(raw, StandardCharsets.ISO_8859_1));
                        out.add(HexFormat.of().formatHex(raw));
                    }
                }
            }
            return out;
        });
        assertThat(cells).isNotEmpty().noneMatch(s -> s.contains(secretHex) || s.contains(issued.plaintext())
                || s.contains(new String(secretBytes, StandardCharsets.ISO_8859_1)));
    }

    @Test
    void verify_refusesWrongSecretMalformedAndUnknownTokens() {
        IssuedToken issued = tokens.create("ci", "system", Optional.empty());
        String id = issued.token().id();
        String secret = issued.plaintext().substring(20);
        String flipped = (secret.charAt(0) == '0' ? "1" : "0") + secret.substring(1);
        assertThat(tokens.verify("hf_" + id + "_" + flipped)).isEmpty();
        assertThat(tokens.verify("hf_0000000000000000_" + secret)).isEmpty();
        assertThat(tokens.verify(issued.plaintext().toUpperCase())).isEmpty();
        assertThat(tokens.verify(issued.plaintext() + "0")).isEmpty();
        assertThat(tokens.verify("")).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
    }

    @Test
    void revoke_stopsTheTokenAtOnceAndKeepsItListed() {
        IssuedToken issued = tokens.create("ci", "system", Optional.empty());
        assertThat(tokens.revoke(issued.token().id(), "token:abc")).isTrue();
        assertThat(tokens.verify(issued.plaintext())).isEmpty();
        assertThat(tokens.revoke(issued.token().id(), "token:abc")).isFalse();
        assertThat(tokens.revoke("0000000000000000", "token:abc")).isFalse();
        assertThat(tokens.list()).singleElement().satisfies(t -> {
            assertThat(t.revokedAt()).contains(clock.instant());
            assertThat(t.isActiveAt(clock.instant())).isFalse();
        });
        assertThat(tokens.anyCreated()).isTrue();
        assertThat(events).extracting(SecurityEvent::activity).containsExactly("api_token.created", "api_token.revoked");
    }

    @Test
    void verify_refusesAnExpiredToken() {
        IssuedToken issued = tokens.create("short", "system", Optional.of(Duration.ofHours(1)));
        assertThat(issued.token().expiresAt()).contains(clock.instant().plus(Duration.ofHours(1)));
        clock.advance(Duration.ofMinutes(59));
        assertThat(tokens.verify(issued.plaintext())).isPresent();
        clock.advance(Duration.ofMinutes(1));
        assertThat(tokens.verify(issued.plaintext())).isEmpty();
    }

    @Test
    void verify_recordsLastUseAtMostOncePerMinute() {
        IssuedToken issued = tokens.create("ci", "system", Optional.empty());
        assertThat(tokens.get(issued.token().id()).orElseThrow().lastUsedAt()).isEmpty();
        tokens.verify(issued.plaintext());
        Instant first = clock.instant();
        clock.advance(Duration.ofSeconds(30));
        tokens.verify(issued.plaintext());
        assertThat(tokens.get(issued.token().id()).orElseThrow().lastUsedAt()).contains(first);
        clock.advance(Duration.ofSeconds(31));
        tokens.verify(issued.plaintext());
        assertThat(tokens.get(issued.token().id()).orElseThrow().lastUsedAt()).contains(clock.instant());
    }

    @Test
    void create_isUndoneWhenDeliveryFails() {
        assertThatThrownBy(() -> tokens.create("bootstrap-admin", "system", Optional.empty(), t -> {
            throw new IllegalStateException("disk full");
        })).hasMessage("disk full");
        assertThat(tokens.anyCreated()).isFalse();
        assertThat(tokens.list()).isEmpty();
        assertThat(events).isEmpty();
    }

    @Test
    void create_rejectsBadArgumentsWithTheRule() {
        assertThatThrownBy(() -> tokens.create("", "system", Optional.empty())).hasMessageStartingWith("name: ");
        assertThatThrownBy(() -> tokens.create("a\nb", "system", Optional.empty())).hasMessageStartingWith("name: ");
        assertThatThrownBy(() -> tokens.create("ci", "system", Optional.of(Duration.ZERO))).hasMessage("validity: PT0S (expected: > 0)");
    }
}
