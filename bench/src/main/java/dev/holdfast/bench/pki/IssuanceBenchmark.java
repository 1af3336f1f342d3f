package dev.holdfast.bench.pki;

import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.IssuanceRequest;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.PkiSettings;
import dev.holdfast.pki.Profile;
import dev.holdfast.pki.SubjectAuthorization;
import dev.holdfast.pki.internal.Pkcs12KeyBackend;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Certificate issuance end to end (CSR parsed and its signature verified, key policy, certificate
 * built and signed, stored in SQLite, event appended) against the raw JCA ECDSA P-256 signing rate
 * in the same run: the issue's goal is at least 0.3x the raw rate and 1,000 certificates/s on 2 cores.
 *
 * <p>Run: {@code java -cp "bench/target/holdfast-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
 * org.openjdk.jmh.Main IssuanceBenchmark -t 2 -f 1 -wi 3 -i 5}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IssuanceBenchmark {
    private static final int CSRS = 2048;

    private Path dir;
    private Database db;
    private JdbcEventLog events;
    private Pki pki;
    private byte[][] csrs;
    private final AtomicInteger next = new AtomicInteger();
    private PrivateKey rawKey;
    private byte[] tbs;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("issuance-bench");
        db = Database.open(StoreConfig.embedded(dir));
        events = new JdbcEventLog(db);
        pki = Pki.open(db, new Pkcs12KeyBackend(dir.resolve("ca.p12"), "bench".toCharArray()),
                PkiSettings.defaults(URI.create("https://127.0.0.1:8443")), events, dir, List.of(), Clock.systemUTC()).initialize().start();
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        csrs = new byte[CSRS][];
        for (int i = 0; i < CSRS; i++) {
            KeyPair kp = g.generateKeyPair();
            csrs[i] = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=bench-" + i), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        }
        rawKey = g.generateKeyPair().getPrivate();
        tbs = new byte[400]; // about the size of a device certificate's TBSCertificate
        new SecureRandom().nextBytes(tbs);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        pki.close();
        events.close();
        db.close();
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The reference: one JCA SHA256withECDSA signature over a certificate-sized message. */
    @Benchmark
    public byte[] rawEcdsaP256Sign() throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(rawKey);
        s.update(tbs);
        return s.sign();
    }

    /** CSR in, signed and stored certificate out. */
    @Benchmark
    public Object issueDeviceCertificate() {
        int i = next.getAndIncrement() & (CSRS - 1);
        return pki.ca().issue(new IssuanceRequest(Bytes.wrapOwned(csrs[i]), Profile.DEVICE,
                SubjectAuthorization.device("bench-" + i), Optional.empty(), "bench"));
    }
}
