package dev.holdfast.hub;

import dev.holdfast.events.EventQuery;
import dev.holdfast.events.StoredEvent;
import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.PkiSettings;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.pki.TlsPolicy;
import dev.holdfast.pki.internal.Pkcs12KeyBackend;
import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.Capabilities;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.NewDevice;
import dev.holdfast.registry.Registry;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A real hub on loopback: SQLite store, the real PKI (PKCS#12 keys) issuing the hub's server
 * certificate and the devices' certificates, the real registry and event log.
 */
public final class HubFixture implements AutoCloseable {
    public static final String HOST = "hub.holdfast.test";

    public final Path dir;
    public final Database db;
    public final JdbcEventLog events;
    public final Pki pki;
    public final Registry registry;
    public final MqttHub hub;
    public final Issued server;

    /** A key and its certificate chain (leaf first, up to the root). */
    public record Issued(PrivateKey key, List<X509Certificate> chain, String serialHex) {
        public X509Certificate[] chainArray() {
            return chain.toArray(X509Certificate[]::new);
        }

        public X509Certificate leaf() {
            return chain.get(0);
        }
    }

    public HubFixture(Path dir, String bindAddress, int port, UnaryOperator<MqttHub.Builder> customize) {
        this(dir, bindAddress, port, customize, c -> c);
    }

    public HubFixture(Path dir, String bindAddress, int port, UnaryOperator<MqttHub.Builder> customize, UnaryOperator<HubConfig> config) {
        this.dir = dir;
        this.db = Database.open(StoreConfig.embedded(dir));
        db.migrate("registry");
        this.events = new JdbcEventLog(db);
        this.pki = Pki.open(db, new Pkcs12KeyBackend(dir.resolve("ca-keys.p12"), "test-passphrase".toCharArray()),
                PkiSettings.defaults(URI.create("https://127.0.0.1:8443")), events, dir, List.of(), Clock.systemUTC()).initialize().start();
        this.registry = Registry.open(db, events, Clock.systemUTC(), dir.resolve("registry")).start();
        this.server = issue(Profile.SERVER, SubjectAuthorization.server(HOST, List.of(HOST, "localhost"), List.of(bindAddress.equals("0.0.0.0") ? "127.0.0.1" : bindAddress)));
        this.hub = customize.apply(MqttHub.builder(config.apply(HubConfig.defaults().withBind(bindAddress, port)), server.key(), server.chainArray(),
                pki.ca(), registry.devices(), db, events)).build().start();
    }

    public static HubFixture start(Path dir) {
        return new HubFixture(dir, "127.0.0.1", 0, b -> b);
    }

    public int port() {
        return hub.port();
    }

    /** Registers a CA-signed device and issues its certificate. */
    public Issued device(String id) {
        registry.devices().create(NewDevice.builder(new DeviceId(id)).authentication(Authentication.caSigned()).lifecycle(LifecycleState.ACTIVE).build(), "test");
        return issueDevice(id);
    }

    public Issued gateway(String id) {
        registry.devices().create(NewDevice.builder(new DeviceId(id)).authentication(Authentication.caSigned()).lifecycle(LifecycleState.ACTIVE)
                .capabilities(Capabilities.GATEWAY).build(), "test");
        return issueDevice(id);
    }

    public Issued issueDevice(String id) {
        return issue(Profile.DEVICE, SubjectAuthorization.device(id));
    }

    public Issued issue(Profile profile, SubjectAuthorization subject) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + subject.commonName()), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
            IssuedCertificate c = pki.ca().issue(new IssuanceRequest(Bytes.copyOf(csr), profile, subject, Optional.empty(), "test"));
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(certificate(c.der().toArray()));
            chain.addAll(pki.ca().chain(c.caName()));
            return new Issued(kp.getPrivate(), chain, c.serialHex());
        } catch (Exception e) {
            throw new IllegalStateException("test issuance failed: " + e.getMessage(), e);
        }
    }

    public static X509Certificate certificate(byte[] der) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    /** A client TLS context that presents {@code device} (or nothing) and trusts the trust bundle. */
    public SSLContext clientContext(Issued device) {
        return device == null ? TlsPolicy.clientContext(pki.ca().trustAnchors())
                : TlsPolicy.sslContext(device.key(), device.chainArray(), pki.ca().trustAnchors());
    }

    public String username(String clientId) {
        return HOST + "/" + clientId + "/?api-version=2021-04-12&DeviceClientType=holdfast-test";
    }

    /** Writes PEM files for command-line clients: {@code name.crt} (chain), {@code name.key} (PKCS#8), and {@code ca.pem}. */
    public Path writePem(String name, Issued issued) {
        try {
            StringBuilder chain = new StringBuilder();
            for (X509Certificate c : issued.chain()) chain.append(pem("CERTIFICATE", c.getEncoded()));
            Files.writeString(dir.resolve(name + ".crt"), chain, StandardCharsets.US_ASCII);
            Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", issued.key().getEncoded()), StandardCharsets.US_ASCII);
            StringBuilder roots = new StringBuilder();
            for (X509Certificate c : pki.ca().trustAnchors()) roots.append(pem("CERTIFICATE", c.getEncoded()));
            Files.writeString(dir.resolve("ca.pem"), roots, StandardCharsets.US_ASCII);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    public List<StoredEvent> events(String activityPrefix) {
        return events.read(EventQuery.all(1000).withActivityPrefix(activityPrefix));
    }

    @Override
    public void close() {
        hub.close();
        registry.close();
        pki.close();
        events.close();
        db.close();
    }
}
