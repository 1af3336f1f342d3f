package dev.holdfast.bench.hub;

import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.hub.HubConfig;
import dev.holdfast.hub.MqttHub;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.IssuedCertificate;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.PkiSettings;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.pki.internal.Pkcs12KeyBackend;
import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.NewDevice;
import dev.holdfast.registry.Registry;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The Holdfast side of {@link MqttLoadHarness}, in a JVM of its own so its memory can be measured
 * apart from the load generator: a real hub (SQLite store, real CA, real registry) on 127.0.0.1, with
 * {@code devices} registered CA-signed devices whose keys and chains it writes under {@code dir} for
 * the clients (and the certificates Mosquitto needs). Prints {@code READY <port>} and runs until its
 * standard input closes.
 *
 * <p>{@code java -cp ... dev.holdfast.bench.hub.HubBenchServer DIR DEVICES [store|memory]}
 */
public final class HubBenchServer {
    private HubBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int devices = Integer.parseInt(args[1]);
        Files.createDirectories(dir.resolve("devices"));
        Database db = Database.open(StoreConfig.embedded(dir));
        db.migrate("registry");
        JdbcEventLog events = new JdbcEventLog(db);
        Pki pki = Pki.open(db, new Pkcs12KeyBackend(dir.resolve("ca-keys.p12"), "bench-passphrase".toCharArray()),
                PkiSettings.defaults(URI.create("https://127.0.0.1:8443")), events, dir, List.of(), Clock.systemUTC()).initialize().start();
        Registry registry = Registry.open(db, events, Clock.systemUTC(), dir.resolve("registry")).start();

        Issued server = issue(pki, Profile.SERVER, SubjectAuthorization.server("127.0.0.1", List.of("localhost"), List.of("127.0.0.1")));
        write(dir.resolve("server.crt"), server.chain);
        Files.writeString(dir.resolve("server.key"), pem("PRIVATE KEY", server.key.getPrivate().getEncoded()));
        write(dir.resolve("ca.pem"), pki.ca().trustAnchors());
        write(dir.resolve("devices-ca.pem"), pki.ca().chain("devices"));
        for (int i = 0; i < devices; i++) {
            String id = "bench-" + i;
            Path crt = dir.resolve("devices").resolve(id + ".crt");
            registry.devices().create(NewDevice.builder(new DeviceId(id)).authentication(Authentication.caSigned())
                    .lifecycle(LifecycleState.ACTIVE).build(), "bench");
            Issued d = issue(pki, Profile.DEVICE, SubjectAuthorization.device(id));
            write(crt, d.chain);
            Files.write(dir.resolve("devices").resolve(id + ".key"), d.key.getPrivate().getEncoded());
        }
        HubConfig config = HubConfig.defaults().withBind("127.0.0.1", 0).withLimits(1_000_000, 1_000_000, 1 << 30, 1_000_000)
                .withConnectTimeout(Duration.ofSeconds(60));
        MqttHub.Builder builder = MqttHub.builder(config, server.key.getPrivate(), server.chain.toArray(X509Certificate[]::new), pki.ca(),
                registry.devices(), db, events);
        // "memory": acknowledge telemetry without storing it, to separate the network path from the store's cost.
        if (args.length > 2 && args[2].equals("memory")) builder.telemetry(m -> java.util.concurrent.CompletableFuture.completedFuture(null));
        MqttHub hub = builder.build().start();
        System.out.println("READY " + hub.port() + " " + ProcessHandle.current().pid());
        System.out.flush();
        while (System.in.read() >= 0) {
            // runs until the harness closes our standard input
        }
        hub.close();
        registry.close();
        pki.close();
        events.close();
        db.close();
    }

    private record Issued(KeyPair key, List<X509Certificate> chain) {
    }

    private static Issued issue(Pki pki, Profile profile, SubjectAuthorization subject) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        byte[] csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + subject.commonName()), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        IssuedCertificate c = pki.ca().issue(new IssuanceRequest(Bytes.copyOf(csr), profile, subject, Optional.empty(), "bench"));
        List<X509Certificate> chain = new ArrayList<>();
        chain.add((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(c.der().toArray())));
        chain.addAll(pki.ca().chain(c.caName()));
        return new Issued(kp, chain);
    }

    private static void write(Path file, List<X509Certificate> certs) throws Exception {
        StringBuilder b = new StringBuilder();
        for (X509Certificate c : certs) b.append(pem("CERTIFICATE", c.getEncoded()));
        Files.writeString(file, b, StandardCharsets.US_ASCII);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
