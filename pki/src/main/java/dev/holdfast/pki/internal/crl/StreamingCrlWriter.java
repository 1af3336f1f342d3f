package dev.holdfast.pki.internal.crl;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.operator.ContentSigner;

/**
 * Writes a signed X.509 v2 CRL (RFC 5280 §5) straight from a {@link RevokedEntries} to an output
 * stream, in DER, without building the CRL in memory. A CRL of a million entries (46 MB with 128-bit
 * serials) is written with one 256 KiB buffer and a few small arrays: what a write allocates does
 * not depend on the number of entries.
 *
 * <p>What it writes, with the sections of RFC 5280 that ask for it:
 * <pre>
 * CertificateList ::= SEQUENCE {
 *   tbsCertList TBSCertList ::= SEQUENCE {
 *     version              v2                                          §5.1.2.1
 *     signature            the signer's AlgorithmIdentifier            §5.1.2.2
 *     issuer               Name                                        §5.1.2.3
 *     thisUpdate           Time                                        §5.1.2.4
 *     nextUpdate           Time (always present)                       §5.1.2.5
 *     revokedCertificates  SEQUENCE OF SEQUENCE {                      §5.1.2.6
 *                            userCertificate INTEGER, revocationDate Time,
 *                            crlEntryExtensions { reasonCode } only for a reason other than
 *                            unspecified (§5.3.1) }   -- left out entirely when there are none
 *     crlExtensions        [0] { authorityKeyIdentifier, cRLNumber }   §5.2.1, §5.2.3
 *   }
 *   signatureAlgorithm     the same AlgorithmIdentifier                §5.1.1.2
 *   signatureValue         BIT STRING                                  §5.1.1.3
 * }
 * </pre>
 * Times are UTCTime through 2049 and GeneralizedTime from 2050, in whole seconds (§4.1.2.5).
 * Neither the CRL entries nor the CRL extensions are critical.
 *
 * <p>How it streams. DER puts every length before its content, so the writer first adds up the
 * length of every entry (arithmetic over the columns, no encoding). Then it encodes the
 * TBSCertList into the signer, signs, and encodes the TBSCertList a second time into the output,
 * followed by the signature. The TBSCertList is encoded twice, rather than once into both the
 * signer and the output, because the outermost SEQUENCE's length, which comes first in the output,
 * includes the signature, and the length of a DER ECDSA signature is only known once it is made
 * (70 to 72 bytes for P-256). Encoding is cheap next to hashing and writing: the second pass costs
 * about 20 ms per million entries, a fifth of the whole write (figures in {@code docs/PERFORMANCE.md}),
 * and in exchange the output stream need not be seekable.
 *
 * <p>The signer is a BouncyCastle {@link ContentSigner}, so a software key
 * ({@code JcaContentSignerBuilder}) and a PKCS#11 key both fit. It receives the TBSCertList once,
 * in 256 KiB chunks; a signer that hashes on a token rather than in the JVM receives the whole
 * TBSCertList over the token's interface.
 *
 * <p>An instance holds only the issuer's name and key identifier: it is immutable, thread-safe, and
 * can write any number of CRLs.
 */
public final class StreamingCrlWriter {

    private static final int CHUNK_SIZE = 256 * 1024;
    /** The longest entry: header 2, serial 2 + 20, GeneralizedTime 17, reasonCode extension 14. */
    private static final int MAX_ENTRY_LENGTH = 55;
    /** SEQUENCE, INTEGER, Time and extension overhead of an entry other than serial and time octets. */
    private static final int ENTRY_FIXED_LENGTH = 4;
    private static final int REASON_EXTENSION_LENGTH = 14;
    private static final int MAX_CRL_NUMBER_OCTETS = 20;

    private static final byte SEQUENCE = 0x30;
    private static final byte INTEGER = 0x02;
    private static final byte BIT_STRING = 0x03;
    private static final byte[] VERSION_2 = {INTEGER, 0x01, 0x01};
    /**
     * crlEntryExtensions with a single reasonCode, less its last byte (the code):
     * SEQUENCE { SEQUENCE { OID 2.5.29.21, OCTET STRING { ENUMERATED code } } }.
     */
    private static final byte[] REASON_EXTENSIONS_PREFIX =
            {0x30, 0x0C, 0x30, 0x0A, 0x06, 0x03, 0x55, 0x1D, 0x15, 0x04, 0x03, 0x0A, 0x01};

    private final byte[] issuer;
    private final byte[] authorityKeyIdentifier;

    /**
     * A writer for the CRLs of one CA.
     *
     * @param issuer the CA's subject name, which becomes the CRL's issuer (§5.1.2.3)
     * @param authorityKeyIdentifier the key identifier of the CA's signing key, normally the
     *     subjectKeyIdentifier of the CA certificate (§5.2.1); copied
     */
    public StreamingCrlWriter(X500Name issuer, byte[] authorityKeyIdentifier) {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(authorityKeyIdentifier, "authorityKeyIdentifier");
        if (authorityKeyIdentifier.length == 0) {
            throw new IllegalArgumentException("authorityKeyIdentifier: empty (expected: the CA key's identifier)");
        }
        this.issuer = der(issuer.toASN1Primitive());
        this.authorityKeyIdentifier = authorityKeyIdentifier.clone();
    }

    /**
     * A writer for the CRLs of the CA holding {@code caCertificate}: issuer is its subject, the
     * authority key identifier its subjectKeyIdentifier.
     *
     * @throws IllegalArgumentException if the certificate has no subjectKeyIdentifier extension,
     *     which RFC 5280 §4.2.1.2 requires of CA certificates
     */
    public static StreamingCrlWriter forIssuer(X509CertificateHolder caCertificate) {
        SubjectKeyIdentifier ski = SubjectKeyIdentifier.fromExtensions(caCertificate.getExtensions());
        if (ski == null) {
            throw new IllegalArgumentException("caCertificate: " + caCertificate.getSubject()
                    + " has no subjectKeyIdentifier extension (expected: present in CA certificates, RFC 5280 §4.2.1.2)");
        }
        return new StreamingCrlWriter(caCertificate.getSubject(), ski.getKeyIdentifier());
    }

    /**
     * Writes one signed CRL listing {@code entries} to {@code out}.
     *
     * <p>On success the whole CRL has been written and {@code out} flushed, not closed. If an
     * {@link IOException} or a signer failure interrupts the write, {@code out} holds a truncated
     * CRL: write to a temporary file and move it into place to publish atomically.
     *
     * @param entries the revoked certificates, listed in their order; not changed while writing
     * @param crlNumber the CRL number, 0 to 2^159 - 1, increasing with each CRL of the issuer
     *     (§5.2.3)
     * @param thisUpdate when this CRL is issued; fractions of a second are dropped (§5.1.2.4)
     * @param nextUpdate when the next CRL will be issued at the latest; after {@code thisUpdate},
     *     fractions of a second are dropped (§5.1.2.5)
     * @param signer signs with the CA key; its algorithm identifier goes into the CRL twice
     * @param out receives the DER bytes; written in chunks, so it needs no buffering of its own
     * @return the number of bytes written
     * @throws IllegalArgumentException if a value is outside the range given above
     * @throws IOException if {@code out} fails
     */
    public long write(RevokedEntries entries, BigInteger crlNumber, Instant thisUpdate, Instant nextUpdate,
                      ContentSigner signer, OutputStream out) throws IOException {
        Objects.requireNonNull(entries, "entries");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(out, "out");
        long thisUpdateSecond = checkTime("thisUpdate", thisUpdate);
        long nextUpdateSecond = checkTime("nextUpdate", nextUpdate);
        if (nextUpdateSecond <= thisUpdateSecond) {
            throw new IllegalArgumentException("nextUpdate: " + Instant.ofEpochSecond(nextUpdateSecond)
                    + " (expected: after thisUpdate " + Instant.ofEpochSecond(thisUpdateSecond) + ", RFC 5280 §5.1.2.5)");
        }
        AlgorithmIdentifier algorithm = Objects.requireNonNull(signer.getAlgorithmIdentifier(),
                "signer.getAlgorithmIdentifier()");

        Tbs tbs = new Tbs(entries, der(algorithm), new X509Time(), thisUpdateSecond, nextUpdateSecond,
                crlExtensions(crlNumber));
        Chunks chunks = new Chunks(new byte[CHUNK_SIZE]);

        chunks.target(signer.getOutputStream());
        tbs.writeTo(chunks);
        long signed = chunks.finish();
        if (signed != tbs.length) {
            throw new IllegalStateException("TBSCertList: encoded " + signed + " bytes, computed " + tbs.length
                    + " (entries changed while writing?)");
        }
        byte[] signature = signer.getSignature();

        long bitStringContent = 1L + signature.length;
        long crlContent = tbs.length + tbs.algorithm.length + headerLength(bitStringContent) + bitStringContent;
        chunks.target(out);
        chunks.header(SEQUENCE, crlContent);
        tbs.writeTo(chunks);
        chunks.put(tbs.algorithm);
        chunks.header(BIT_STRING, bitStringContent);
        chunks.put(new byte[] {0}); // no unused bits in the last octet
        chunks.put(signature);
        long written = chunks.finish();
        out.flush();
        if (written != headerLength(crlContent) + crlContent) {
            throw new IllegalStateException("CertificateList: wrote " + written + " bytes, computed "
                    + (headerLength(crlContent) + crlContent) + " (entries changed while writing?)");
        }
        return written;
    }

    private byte[] crlExtensions(BigInteger crlNumber) {
        Objects.requireNonNull(crlNumber, "crlNumber");
        if (crlNumber.signum() < 0 || crlNumber.bitLength() > 8 * MAX_CRL_NUMBER_OCTETS - 1) {
            throw new IllegalArgumentException("crlNumber: " + crlNumber
                    + " (expected: 0 to 2^159 - 1, at most 20 octets, RFC 5280 §5.2.3)");
        }
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.authorityKeyIdentifier, false,
                    new AuthorityKeyIdentifier(authorityKeyIdentifier));
            extensions.addExtension(Extension.cRLNumber, false, new CRLNumber(crlNumber));
            return der(new DERTaggedObject(true, 0, extensions.generate()));
        } catch (IOException e) {
            throw new UncheckedIOException("encoding CRL extensions in memory", e);
        }
    }

    private static long checkTime(String name, Instant instant) {
        Objects.requireNonNull(instant, name);
        long second = instant.getEpochSecond();
        if (second < RevokedEntries.MIN_EPOCH_SECOND || second > RevokedEntries.MAX_EPOCH_SECOND) {
            throw new IllegalArgumentException(name + ": " + instant + " (expected: "
                    + Instant.ofEpochSecond(RevokedEntries.MIN_EPOCH_SECOND) + " to "
                    + Instant.ofEpochSecond(RevokedEntries.MAX_EPOCH_SECOND) + ", RFC 5280 §4.1.2.5)");
        }
        return second;
    }

    private static byte[] der(ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding " + value.getClass().getSimpleName() + " in memory", e);
        }
    }

    /** Tag and length octets in front of {@code contentLength} bytes of content (X.690 §8.1.3). */
    static int headerLength(long contentLength) {
        return contentLength < 0x80 ? 2 : 2 + lengthOctets(contentLength);
    }

    private static int lengthOctets(long length) {
        return (64 - Long.numberOfLeadingZeros(length) + 7) / 8;
    }

    /** Whether an entry carries a reasonCode: not without a reason, nor for unspecified (§5.3.1). */
    private static boolean hasReasonExtension(int reasonCode) {
        return reasonCode > 0;
    }

    /**
     * One TBSCertList: the fixed parts encoded up front, the entries read from the columns of
     * {@code entries} as they were when writing began, and the exact length of it all.
     */
    private final class Tbs {
        final byte[] algorithm;
        final long length;
        private final byte[] thisUpdate;
        private final byte[] nextUpdate;
        private final byte[] crlExtensions;
        private final X509Time time;
        private final int size;
        private final byte[] serials;
        private final int[] serialEnds;
        private final long[] revokedAt;
        private final byte[] reasons;
        private final long revokedContent;
        private final long content;

        Tbs(RevokedEntries entries, byte[] algorithm, X509Time time, long thisUpdateSecond, long nextUpdateSecond,
            byte[] crlExtensions) {
            this.algorithm = algorithm;
            this.time = time;
            this.thisUpdate = time.encode(thisUpdateSecond);
            this.nextUpdate = time.encode(nextUpdateSecond);
            this.crlExtensions = crlExtensions;
            this.size = entries.size();
            this.serials = entries.serialArena();
            this.serialEnds = entries.serialEnds();
            this.revokedAt = entries.revokedAtColumn();
            this.reasons = entries.reasonColumn();
            this.revokedContent = revokedContentLength();
            long revokedCertificates = size == 0 ? 0 : headerLength(revokedContent) + revokedContent;
            this.content = VERSION_2.length + algorithm.length + issuer.length + thisUpdate.length + nextUpdate.length
                    + revokedCertificates + crlExtensions.length;
            this.length = headerLength(content) + content;
        }

        /** The first pass: every entry's length, from the columns alone. */
        private long revokedContentLength() {
            long total = (long) ENTRY_FIXED_LENGTH * size + (size == 0 ? 0 : serialEnds[size - 1]);
            for (int i = 0; i < size; i++) {
                total += X509Time.encodedLength(revokedAt[i]);
                if (hasReasonExtension(reasons[i])) {
                    total += REASON_EXTENSION_LENGTH;
                }
            }
            return total;
        }

        void writeTo(Chunks chunks) throws IOException {
            chunks.header(SEQUENCE, content);
            chunks.put(VERSION_2);
            chunks.put(algorithm);
            chunks.put(issuer);
            chunks.put(thisUpdate);
            chunks.put(nextUpdate);
            if (size > 0) {
                chunks.header(SEQUENCE, revokedContent);
                writeEntries(chunks);
            }
            chunks.put(crlExtensions);
        }

        /** The hot loop: straight into the chunk buffer, one bounds check per entry. */
        private void writeEntries(Chunks chunks) throws IOException {
            byte[] buffer = chunks.buffer;
            int limit = buffer.length - MAX_ENTRY_LENGTH;
            int p = chunks.position;
            int serialStart = 0;
            for (int i = 0; i < size; i++) {
                if (p > limit) {
                    chunks.position = p;
                    chunks.drain();
                    p = 0;
                }
                int serialEnd = serialEnds[i];
                int serialLength = serialEnd - serialStart;
                long at = revokedAt[i];
                int reason = reasons[i];
                boolean hasReason = hasReasonExtension(reason);
                // Every entry is shorter than 128 bytes, so its length is a single octet.
                buffer[p] = SEQUENCE;
                buffer[p + 1] = (byte) (ENTRY_FIXED_LENGTH - 2 + serialLength + X509Time.encodedLength(at)
                        + (hasReason ? REASON_EXTENSION_LENGTH : 0));
                buffer[p + 2] = INTEGER;
                buffer[p + 3] = (byte) serialLength;
                System.arraycopy(serials, serialStart, buffer, p + 4, serialLength);
                p = time.encode(at, buffer, p + 4 + serialLength);
                if (hasReason) {
                    System.arraycopy(REASON_EXTENSIONS_PREFIX, 0, buffer, p, REASON_EXTENSION_LENGTH - 1);
                    buffer[p + REASON_EXTENSION_LENGTH - 1] = (byte) reason;
                    p += REASON_EXTENSION_LENGTH;
                }
                serialStart = serialEnd;
            }
            chunks.position = p;
        }
    }

    /** The one buffer of a write; drains to the signer in the first pass, to the output in the second. */
    private static final class Chunks {
        final byte[] buffer;
        int position;
        private OutputStream target;
        private long drained;

        Chunks(byte[] buffer) {
            this.buffer = buffer;
        }

        void target(OutputStream target) {
            this.target = target;
            this.position = 0;
            this.drained = 0;
        }

        void header(byte tag, long contentLength) throws IOException {
            ensure(10);
            buffer[position++] = tag;
            if (contentLength < 0x80) {
                buffer[position++] = (byte) contentLength;
                return;
            }
            int octets = lengthOctets(contentLength);
            buffer[position++] = (byte) (0x80 | octets);
            for (int shift = 8 * (octets - 1); shift >= 0; shift -= 8) {
                buffer[position++] = (byte) (contentLength >>> shift);
            }
        }

        void put(byte[] bytes) throws IOException {
            if (bytes.length > buffer.length - position) {
                drain();
                if (bytes.length > buffer.length) {
                    target.write(bytes);
                    drained += bytes.length;
                    return;
                }
            }
            System.arraycopy(bytes, 0, buffer, position, bytes.length);
            position += bytes.length;
        }

        void drain() throws IOException {
            target.write(buffer, 0, position);
            drained += position;
            position = 0;
        }

        /** Drains what is left and returns how many bytes went to the target in all. */
        long finish() throws IOException {
            drain();
            return drained;
        }

        private void ensure(int bytes) throws IOException {
            if (buffer.length - position < bytes) {
                drain();
            }
        }
    }
}
