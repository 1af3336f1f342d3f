package dev.holdfast.pki.internal.crl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.CRLReason;
import dev.holdfast.testing.ExternalTool;
import dev.holdfast.testing.ProcessRun;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The CRLs the writer produces, read and verified by the real {@code openssl crl}. */
class StreamingCrlWriterIT {

    private static final Instant THIS_UPDATE = Instant.now();
    private static final Instant NEXT_UPDATE = THIS_UPDATE.plus(Duration.ofDays(7));

    private Path openssl;

    @TempDir
    Path dir;

    @BeforeEach
    void findOpenssl() {
        // Per test rather than per class, so that each skipped test carries the reason. With CI=true
        // a missing openssl fails instead.
        openssl = ExternalTool.require("openssl");
    }

    static Stream<TestCa> cas() {
        return Stream.of(TestCa.ecP256(), TestCa.rsa2048());
    }

    @ParameterizedTest
    @MethodSource("cas")
    void opensslVerifiesTheCrlAndListsEverySerialInHex(TestCa ca) throws Exception {
        RevokedEntries entries = new RevokedEntries();
        entries.add(new BigInteger("0A1B2C3D4E5F", 16), at("2026-11-01T08:00:00Z"), CRLReason.keyCompromise);
        entries.add(BigInteger.valueOf(0x80), at("2026-11-02T09:30:15Z"), RevokedEntries.NO_REASON);
        entries.add(BigInteger.TWO.pow(159).subtract(BigInteger.ONE), at("2049-12-31T23:59:59Z"), CRLReason.superseded);
        entries.add(new BigInteger("C0FFEE", 16), at("2050-01-01T00:00:00Z"), CRLReason.cessationOfOperation);
        Path crl = write(ca, entries);

        ProcessRun text = openssl("crl", "-inform", "DER", "-in", crl.toString(), "-noout", "-text");
        ProcessRun verify = verify(crl);

        assertThat(text.exitCode()).as(text.output()).isZero();
        assertThat(text.output())
                .contains("Version 2 (0x1)")
                .contains("Issuer: CN = Holdfast Test CRL Issuer")
                .contains("X509v3 Authority Key Identifier")
                .contains("X509v3 CRL Number", "42")
                .contains("Serial Number: 0A1B2C3D4E5F")
                .contains("Serial Number: 80")
                .contains("Serial Number: 7F" + "FF".repeat(19))
                .contains("Serial Number: C0FFEE")
                .contains("Revocation Date: Dec 31 23:59:59 2049 GMT")
                .contains("Revocation Date: Jan  1 00:00:00 2050 GMT")
                .contains("Key Compromise", "Superseded", "Cessation Of Operation");
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output()).contains("verify OK");
    }

    @Test
    void opensslVerifiesAnEmptyCrl() throws Exception {
        TestCa ca = TestCa.ecP256();
        Path crl = write(ca, new RevokedEntries());

        ProcessRun text = openssl("crl", "-inform", "DER", "-in", crl.toString(), "-noout", "-text");
        ProcessRun verify = verify(crl);

        assertThat(text.exitCode()).as(text.output()).isZero();
        assertThat(text.output()).contains("No Revoked Certificates.");
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output()).contains("verify OK");
    }

    @Test
    void opensslRejectsTheCrlAgainstAnotherCa() throws Exception {
        TestCa ca = TestCa.ecP256();
        RevokedEntries entries = new RevokedEntries();
        entries.add(BigInteger.TEN, at("2026-11-01T00:00:00Z"), CRLReason.keyCompromise);
        Path crl = write(ca, entries);
        Files.writeString(dir.resolve("ca.pem"), TestCa.ecP256().certificatePem(), StandardCharsets.US_ASCII);

        ProcessRun verify = verify(crl);

        assertThat(verify.output()).doesNotContain("verify OK");
    }

    private Path write(TestCa ca, RevokedEntries entries) throws Exception {
        Files.writeString(dir.resolve("ca.pem"), ca.certificatePem(), StandardCharsets.US_ASCII);
        Path crl = dir.resolve("crl.der");
        try (OutputStream out = Files.newOutputStream(crl)) {
            ca.writer().write(entries, BigInteger.valueOf(42), THIS_UPDATE, NEXT_UPDATE, ca.signer(), out);
        }
        return crl;
    }

    private ProcessRun verify(Path crl) {
        return openssl("crl", "-inform", "DER", "-in", crl.toString(), "-noout", "-verify", "-CAfile",
                dir.resolve("ca.pem").toString());
    }

    private ProcessRun openssl(String... args) {
        List<String> command = new ArrayList<>();
        command.add(openssl.toString());
        command.addAll(List.of(args));
        return ProcessRun.run(dir, command);
    }

    private static long at(String instant) {
        return Instant.parse(instant).getEpochSecond();
    }
}
