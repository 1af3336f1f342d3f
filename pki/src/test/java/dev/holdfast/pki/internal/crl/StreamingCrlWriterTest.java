package dev.holdfast.pki.internal.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.TBSCertList;
import org.bouncycastle.cert.X509CRLEntryHolder;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StreamingCrlWriterTest {

    private static final TestCa EC = TestCa.ecP256();
    private static final TestCa RSA = TestCa.rsa2048();
    private static final Instant THIS_UPDATE = Instant.parse("2026-11-29T12:00:00Z");
    private static final Instant NEXT_UPDATE = THIS_UPDATE.plus(Duration.ofDays(7));
    private static final BigInteger CRL_NUMBER = BigInteger.valueOf(42);

    static Stream<TestCa> cas() {
        return Stream.of(EC, RSA);
    }

    @ParameterizedTest
    @MethodSource("cas")
    void write_producesCrlThatBouncyCastleParsesAndVerifiesWithTheCaKey(TestCa ca) throws Exception {
        RevokedEntries entries = new RevokedEntries();
        entries.add(BigInteger.valueOf(0x1234), at("2026-11-01T08:00:00Z"), CRLReason.keyCompromise);
        entries.add(BigInteger.valueOf(0x5678), at("2026-11-02T09:30:15Z"), RevokedEntries.NO_REASON);

        X509CRLHolder crl = new X509CRLHolder(write(ca, entries));

        assertThat(crl.isSignatureValid(ca.verifier())).isTrue();
        assertThat(crl.toASN1Structure().getVersionNumber()).isEqualTo(2);
        assertThat(crl.toASN1Structure().getSignatureAlgorithm()).isEqualTo(ca.signer().getAlgorithmIdentifier());
        assertThat(crl.toASN1Structure().getTBSCertList().getSignature()).isEqualTo(ca.signer().getAlgorithmIdentifier());
        assertThat(crl.getIssuer()).isEqualTo(ca.certificate().getSubject());
        assertThat(crl.getThisUpdate()).isEqualTo(Date.from(THIS_UPDATE));
        assertThat(crl.getNextUpdate()).isEqualTo(Date.from(NEXT_UPDATE));
        assertThat(crl.getRevokedCertificates().size()).isEqualTo(2);
        assertThat(CRLNumber.getInstance(crl.getExtension(Extension.cRLNumber).getParsedValue()).getCRLNumber())
                .isEqualTo(CRL_NUMBER);
        Extension aki = crl.getExtension(Extension.authorityKeyIdentifier);
        assertThat(aki.isCritical()).isFalse();
        assertThat(AuthorityKeyIdentifier.getInstance(aki.getParsedValue()).getKeyIdentifierOctets())
                .isEqualTo(SubjectKeyIdentifier.fromExtensions(ca.certificate().getExtensions()).getKeyIdentifier());
        assertThat(crl.getExtensions().getExtensionOIDs()).hasSize(2);
    }

    @Test
    void write_roundTripsSerialsDatesAndReasons() throws Exception {
        int[] reasons = {RevokedEntries.NO_REASON, CRLReason.unspecified, CRLReason.keyCompromise,
                CRLReason.cACompromise, CRLReason.affiliationChanged, CRLReason.superseded,
                CRLReason.cessationOfOperation, CRLReason.certificateHold, CRLReason.privilegeWithdrawn,
                CRLReason.aACompromise};
        RevokedEntries entries = new RevokedEntries();
        for (int i = 0; i < reasons.length; i++) {
            entries.add(BigInteger.valueOf(1000 + i).shiftLeft(8 * i), at("2026-01-01T00:00:00Z") + 86_461L * i,
                    reasons[i]);
        }

        List<X509CRLEntryHolder> listed = new ArrayList<>();
        for (Object entry : new X509CRLHolder(write(EC, entries)).getRevokedCertificates()) { // a raw Collection
            listed.add((X509CRLEntryHolder) entry);
        }

        assertThat(listed).hasSize(reasons.length);
        for (int i = 0; i < reasons.length; i++) {
            X509CRLEntryHolder entry = listed.get(i);
            assertThat(entry.getSerialNumber()).isEqualTo(entries.serial(i));
            assertThat(entry.getRevocationDate().toInstant().getEpochSecond()).isEqualTo(entries.revokedAtEpochSecond(i));
            Extension reason = entry.getExtension(Extension.reasonCode);
            if (reasons[i] <= CRLReason.unspecified) {
                assertThat(entry.hasExtensions()).as("entry %d has no extensions", i).isFalse();
            } else {
                assertThat(reason.isCritical()).isFalse();
                assertThat(CRLReason.getInstance(reason.getParsedValue()).getValue().intValue()).isEqualTo(reasons[i]);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("cas")
    void write_omitsRevokedCertificatesWhenThereAreNone(TestCa ca) throws Exception {
        byte[] der = write(ca, new RevokedEntries());

        X509CRLHolder crl = new X509CRLHolder(der);
        assertThat(crl.isSignatureValid(ca.verifier())).isTrue();
        assertThat(crl.getRevokedCertificates().isEmpty()).isTrue();
        ASN1Sequence tbs = ASN1Sequence.getInstance(ASN1Sequence.getInstance(der).getObjectAt(0));
        assertThat(tbs.size()).as("version, signature, issuer, thisUpdate, nextUpdate, [0] extensions").isEqualTo(6);
        assertThat(tbs.getObjectAt(5)).isInstanceOf(ASN1TaggedObject.class);
    }

    @Test
    void write_prefixesASerialWhoseHighBitIsSetWithAZeroOctet() throws Exception {
        RevokedEntries entries = new RevokedEntries();
        entries.add(new byte[] {(byte) 0x80}, 0, 1, at("2026-11-01T00:00:00Z"), 1);
        entries.add(new byte[] {(byte) 0xFF, 0x01}, 0, 2, at("2026-11-01T00:00:00Z"), 1);

        TBSCertList.CRLEntry[] listed = tbs(write(EC, entries)).getRevokedCertificates();

        assertThat(listed[0].getUserCertificate().getEncoded()).asHexString().isEqualTo("02020080");
        assertThat(listed[0].getUserCertificate().getValue()).isEqualTo(BigInteger.valueOf(0x80));
        assertThat(listed[1].getUserCertificate().getEncoded()).asHexString().isEqualTo("020300FF01");
        assertThat(listed[1].getUserCertificate().getValue()).isEqualTo(BigInteger.valueOf(0xFF01));
    }

    @Test
    void write_encodesTwentyOctetSerials() throws Exception {
        byte[] nineteenHighBytes = HexFormat.of().parseHex("ff".repeat(19));
        BigInteger largest = BigInteger.TWO.pow(159).subtract(BigInteger.ONE);
        RevokedEntries entries = new RevokedEntries();
        entries.add(largest, at("2026-11-01T00:00:00Z"), 1);
        entries.add(nineteenHighBytes, 0, 19, at("2026-11-01T00:00:00Z"), 1);

        X509CRLHolder crl = new X509CRLHolder(write(EC, entries));
        TBSCertList.CRLEntry[] listed = crl.toASN1Structure().getTBSCertList().getRevokedCertificates();

        assertThat(crl.isSignatureValid(EC.verifier())).isTrue();
        assertThat(listed[0].getUserCertificate().getEncoded()).asHexString().isEqualTo("0214" + "7F" + "FF".repeat(19));
        assertThat(listed[0].getUserCertificate().getValue()).isEqualTo(largest);
        assertThat(listed[1].getUserCertificate().getEncoded()).asHexString().isEqualTo("0214" + "00" + "FF".repeat(19));
    }

    @Test
    void write_usesUtcTimeThrough2049AndGeneralizedTimeFrom2050() throws Exception {
        RevokedEntries entries = new RevokedEntries();
        entries.add(BigInteger.ONE, at("2049-12-31T23:59:59Z"), 1);
        entries.add(BigInteger.TWO, at("2050-01-01T00:00:00Z"), 1);
        entries.add(BigInteger.TEN, at("2100-02-28T13:14:15Z"), RevokedEntries.NO_REASON);
        Instant thisUpdate = Instant.parse("2049-12-31T12:00:00Z");
        Instant nextUpdate = Instant.parse("2050-01-07T12:00:00Z");

        X509CRLHolder crl = new X509CRLHolder(write(EC, entries, thisUpdate, nextUpdate));
        TBSCertList tbs = crl.toASN1Structure().getTBSCertList();
        TBSCertList.CRLEntry[] listed = tbs.getRevokedCertificates();

        assertThat(crl.isSignatureValid(EC.verifier())).isTrue();
        assertThat(tbs.getThisUpdate().toASN1Primitive()).isInstanceOf(ASN1UTCTime.class);
        assertThat(tbs.getNextUpdate().toASN1Primitive()).isInstanceOf(ASN1GeneralizedTime.class);
        assertThat(crl.getNextUpdate()).isEqualTo(Date.from(nextUpdate));
        assertThat(listed[0].getRevocationDate().toASN1Primitive()).isInstanceOf(ASN1UTCTime.class);
        assertThat(listed[1].getRevocationDate().toASN1Primitive()).isInstanceOf(ASN1GeneralizedTime.class);
        assertThat(listed[2].getRevocationDate().toASN1Primitive()).isInstanceOf(ASN1GeneralizedTime.class);
        for (int i = 0; i < 3; i++) {
            assertThat(listed[i].getRevocationDate().getDate().toInstant().getEpochSecond())
                    .isEqualTo(entries.revokedAtEpochSecond(i));
        }
    }

    @Test
    void write_producesTheSameTbsCertListAsBouncyCastlesCrlBuilder() throws Exception {
        SplittableRandom random = new SplittableRandom(5280);
        int[] reasons = {RevokedEntries.NO_REASON, 0, 1, 2, 3, 4, 5, 6, 9, 10};
        RevokedEntries entries = new RevokedEntries(16);
        X509v2CRLBuilder builder = new X509v2CRLBuilder(EC.certificate().getSubject(), Date.from(THIS_UPDATE));
        builder.setNextUpdate(Date.from(NEXT_UPDATE));
        for (int i = 0; i < 1000; i++) {
            BigInteger serial = new BigInteger(1 + random.nextInt(159), new Random(random.nextLong()))
                    .add(BigInteger.ONE);
            long revokedAt = random.nextLong(RevokedEntries.MIN_EPOCH_SECOND, RevokedEntries.MAX_EPOCH_SECOND + 1);
            int reason = reasons[random.nextInt(reasons.length)];
            entries.add(serial, revokedAt, reason);
            builder.addCRLEntry(serial, Date.from(Instant.ofEpochSecond(revokedAt)), Math.max(reason, 0));
        }
        builder.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(
                SubjectKeyIdentifier.fromExtensions(EC.certificate().getExtensions()).getKeyIdentifier()));
        builder.addExtension(Extension.cRLNumber, false, new CRLNumber(CRL_NUMBER));

        byte[] ours = tbs(write(EC, entries)).getEncoded(ASN1Encoding.DER);
        byte[] bouncyCastles = builder.build(EC.signer()).toASN1Structure().getTBSCertList().getEncoded(ASN1Encoding.DER);

        assertThat(ours).isEqualTo(bouncyCastles);
    }

    @ParameterizedTest
    @MethodSource("cas")
    void write_emitsDistinguishedEncodingRules(TestCa ca) throws Exception {
        RevokedEntries entries = new RevokedEntries();
        SplittableRandom random = new SplittableRandom(690);
        byte[] serial = new byte[16];
        // Enough entries for every length form: the entries' SEQUENCE passes 65,535 bytes.
        long start = at("2026-06-01T00:00:00Z");
        for (int i = 0; i < 2000; i++) {
            random.nextBytes(serial);
            serial[15] |= 1;
            entries.add(serial, 0, serial.length, start + random.nextInt(10_000_000), random.nextInt(-1, 7));
        }

        byte[] der = write(ca, entries);

        assertThat(ASN1Primitive.fromByteArray(der).getEncoded(ASN1Encoding.DER)).isEqualTo(der);
        assertThat(new X509CRLHolder(der).isSignatureValid(ca.verifier())).isTrue();
    }

    @Test
    void write_returnsTheNumberOfBytesWrittenAndLeavesTheStreamOpen() throws Exception {
        RevokedEntries entries = new RevokedEntries();
        entries.add(BigInteger.TEN, at("2026-11-01T00:00:00Z"), 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(7);

        long written = EC.writer().write(entries, CRL_NUMBER, THIS_UPDATE, NEXT_UPDATE, EC.signer(), out);

        assertThat(written).isEqualTo(out.size() - 1);
        out.write(7);
        assertThat(out.toByteArray()[out.size() - 1]).isEqualTo((byte) 7);
    }

    @Test
    void write_dropsFractionsOfASecond() throws Exception {
        X509CRLHolder crl = new X509CRLHolder(
                write(EC, new RevokedEntries(), THIS_UPDATE.plusNanos(999_999_999), NEXT_UPDATE.plusMillis(1)));

        assertThat(crl.getThisUpdate()).isEqualTo(Date.from(THIS_UPDATE));
        assertThat(crl.getNextUpdate()).isEqualTo(Date.from(NEXT_UPDATE));
    }

    @Test
    void write_rejectsNextUpdateNotAfterThisUpdate() {
        StreamingCrlWriter writer = EC.writer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThatThrownBy(() -> writer.write(new RevokedEntries(), CRL_NUMBER, THIS_UPDATE, THIS_UPDATE.plusMillis(500),
                EC.signer(), out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nextUpdate: 2026-11-29T12:00:00Z (expected: after thisUpdate 2026-11-29T12:00:00Z,"
                        + " RFC 5280 §5.1.2.5)");
        assertThat(out.size()).isZero();
    }

    @Test
    void write_rejectsCrlNumbersOutsideRfc5280() {
        StreamingCrlWriter writer = EC.writer();

        assertThatThrownBy(() -> writer.write(new RevokedEntries(), BigInteger.valueOf(-1), THIS_UPDATE, NEXT_UPDATE,
                EC.signer(), OutputStream.nullOutputStream()))
                .hasMessage("crlNumber: -1 (expected: 0 to 2^159 - 1, at most 20 octets, RFC 5280 §5.2.3)");
        assertThatThrownBy(() -> writer.write(new RevokedEntries(), BigInteger.TWO.pow(159), THIS_UPDATE, NEXT_UPDATE,
                EC.signer(), OutputStream.nullOutputStream()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void write_rejectsUpdateTimesOutsideTheTimeProfile() {
        assertThatThrownBy(() -> EC.writer().write(new RevokedEntries(), CRL_NUMBER,
                Instant.parse("1949-12-31T00:00:00Z"), NEXT_UPDATE, EC.signer(), OutputStream.nullOutputStream()))
                .hasMessageStartingWith("thisUpdate: 1949-12-31T00:00:00Z (expected: 1950-01-01T00:00:00Z to");
    }

    @Test
    void forIssuer_requiresASubjectKeyIdentifier() throws Exception {
        X509CRLHolder crl = new X509CRLHolder(write(RSA, new RevokedEntries()));
        assertThat(crl.getIssuer()).isEqualTo(RSA.certificate().getSubject());

        X500Name name = new X500Name("CN=No SKI");
        X509CertificateHolder withoutSki = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(THIS_UPDATE),
                Date.from(NEXT_UPDATE), name, EC.keyPair().getPublic()).build(EC.signer());
        assertThatThrownBy(() -> StreamingCrlWriter.forIssuer(withoutSki))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("caCertificate: CN=No SKI has no subjectKeyIdentifier extension"
                        + " (expected: present in CA certificates, RFC 5280 §4.2.1.2)");
    }

    /**
     * The writer's own allocation does not depend on the number of entries: a 256 KiB buffer and
     * a few small arrays. A writer that built the CRL in memory would allocate at least its 4.8 MB.
     */
    @Test
    void write_allocatesItsBufferButNotTheCrlForAHundredThousandEntries() throws Exception {
        assumeThat(ManagementFactory.getThreadMXBean()).as("HotSpot's per-thread allocation counter")
                .isInstanceOf(com.sun.management.ThreadMXBean.class);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeThat(threads.isThreadAllocatedMemorySupported()).as("thread allocation accounting").isTrue();
        int count = 100_000;
        RevokedEntries entries = new RevokedEntries(count);
        SplittableRandom random = new SplittableRandom(42);
        byte[] serial = new byte[16];
        long start = at("2026-01-01T00:00:00Z");
        for (int i = 0; i < count; i++) {
            random.nextBytes(serial);
            serial[0] |= 1;
            entries.add(serial, 0, serial.length, start + random.nextInt(31_536_000), random.nextInt(-1, 7));
        }
        StreamingCrlWriter writer = EC.writer();
        var signer = EC.signer();

        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long started = System.nanoTime();
        long written = writer.write(entries, CRL_NUMBER, THIS_UPDATE, NEXT_UPDATE, signer, OutputStream.nullOutputStream());
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;

        assertThat(written).isGreaterThan(3_500_000);
        assertThat(allocated).as("bytes allocated while writing %d bytes", written).isLessThan(512 * 1024);
        assertThat(elapsed).as("a loose bound, far above the ~50 ms this takes").isLessThan(Duration.ofSeconds(2));
    }

    private static byte[] write(TestCa ca, RevokedEntries entries) throws IOException {
        return write(ca, entries, THIS_UPDATE, NEXT_UPDATE);
    }

    private static byte[] write(TestCa ca, RevokedEntries entries, Instant thisUpdate, Instant nextUpdate)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ca.writer().write(entries, CRL_NUMBER, thisUpdate, nextUpdate, ca.signer(), out);
        return out.toByteArray();
    }

    private static TBSCertList tbs(byte[] crl) throws IOException {
        return new X509CRLHolder(crl).toASN1Structure().getTBSCertList();
    }

    private static long at(String instant) {
        return Instant.parse(instant).getEpochSecond();
    }
}
